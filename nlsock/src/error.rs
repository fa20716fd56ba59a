//! An error answer made readable: the errno, the kernel's message, and the
//! attribute of the request it blames.

use std::fmt::{self, Write as _};
use std::io;
use wire::errno;
use wire::ext_ack::{self, DoneReply, ErrorReply};
use wire::nlmsg::{self, Message};

/// A place in the request that an extended ACK points at
/// (`NLMSGERR_ATTR_OFFS`, `NLMSGERR_ATTR_MISS_NEST`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    /// Bytes from the start of the request's header.
    pub offset: u32,
    /// The type of the attribute that starts there and of the nests around
    /// it, outermost first (`[3, 2]`: attribute 2 inside attribute 3).
    /// Empty when no attribute of the request starts there, or the request
    /// was not at hand (a capped error to a request we did not keep).
    pub path: Vec<u16>,
}

/// The kernel refused a request: an `NLMSG_ERROR` with a negative error, or
/// an `NLMSG_DONE` ending a dump with a negative status, with what its
/// extended ACK says (`wire::ext_ack`; the socket must have turned on
/// `NETLINK_EXT_ACK` for there to be any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelError {
    /// The errno, positive (`EINVAL` = 22).
    pub errno: i32,
    /// The kernel's message (`NLMSGERR_ATTR_MSG`), if it sent one.
    pub message: Option<String>,
    /// The attribute it found wrong (`NLMSGERR_ATTR_OFFS`).
    pub bad_attr: Option<Pointer>,
    /// The type of a required attribute that was missing
    /// (`NLMSGERR_ATTR_MISS_TYPE`).
    pub missing_type: Option<u32>,
    /// The nest it was missing from (`NLMSGERR_ATTR_MISS_NEST`); `None` when
    /// missing at the top level.
    pub missing_in: Option<Pointer>,
}

impl KernelError {
    /// An error known by its number only (`errno` positive or negative).
    pub fn from_errno(errno: i32) -> KernelError {
        KernelError {
            errno: errno.saturating_abs(),
            message: None,
            bad_attr: None,
            missing_type: None,
            missing_in: None,
        }
    }

    /// Reads `message`: `Ok(Some(_))` for an `NLMSG_ERROR` with a non-zero
    /// error or an `NLMSG_DONE` with a non-zero status, `Ok(None)` for an
    /// ACK, a successful `NLMSG_DONE` and any other type.
    ///
    /// Offsets are turned into attribute paths by walking `request`, the
    /// request's whole message as sent (header included); without it, the
    /// request the kernel echoed (unless the answer is `NLM_F_CAPPED`). The
    /// request's attributes start at byte `attrs_at`: 16 for the course's
    /// protocol, 16 plus the size of the family header for others.
    ///
    /// Errors: a malformed answer (`wire::ext_ack`'s errors).
    pub fn from_message(
        message: &Message<'_>,
        request: Option<&[u8]>,
        attrs_at: usize,
    ) -> Result<Option<KernelError>, wire::Error> {
        let (error, ext, echoed) = match message.header.ty {
            nlmsg::ERROR => {
                let r = ErrorReply::parse(&message.header, message.payload)?;
                let echoed = r.request_payload.map(|p| [&r.error.request.to_bytes()[..], p].concat());
                (r.error.error, r.ext_ack, echoed)
            }
            nlmsg::DONE => {
                let d = DoneReply::parse(&message.header, message.payload)?;
                (d.status, d.ext_ack, None)
            }
            _ => return Ok(None),
        };
        if error == 0 {
            return Ok(None);
        }
        let request = request.or(echoed.as_deref());
        let point = |offset| Pointer {
            offset,
            path: request
                .and_then(|r| ext_ack::locate(r, attrs_at, offset))
                .map(|p| p.types().to_vec())
                .unwrap_or_default(),
        };
        Ok(Some(KernelError {
            errno: error.saturating_abs(),
            message: ext.msg.map(str::to_owned),
            bad_attr: ext.offset.map(point),
            missing_type: ext.miss_type,
            missing_in: ext.miss_nest.map(point),
        }))
    }

    /// The error as one line, naming attributes with `name`, which gets a
    /// path of types (outermost first) and names its last one, or says
    /// `None` to have the number shown:
    ///
    /// `ERANGE (Numerical result out of range): "Attribute failed policy
    /// validation", at attribute TABLE (byte 16 of the request)`.
    pub fn describe(&self, name: &dyn Fn(&[u16]) -> Option<&'static str>) -> String {
        let mut s = match errno::name(self.errno) {
            "E?" => format!("errno {} ({})", self.errno, io::Error::from_raw_os_error(self.errno)),
            known => format!("{known} ({})", errno::describe(self.errno)),
        };
        let path = |types: &[u16]| -> String {
            (1..=types.len())
                .map(|n| match (name(&types[..n]), types.get(n - 1)) {
                    (Some(known), _) => known.to_string(),
                    (None, Some(t)) => t.to_string(),
                    (None, None) => String::new(),
                })
                .collect::<Vec<_>>()
                .join("/")
        };
        let place = |p: &Pointer| match p.path.is_empty() {
            true => format!("byte {} of the request", p.offset),
            false => format!("{} (byte {} of the request)", path(&p.path), p.offset),
        };
        if let Some(m) = &self.message {
            let _ = write!(s, ": {m:?}");
        }
        if let Some(p) = &self.bad_attr {
            let at = if p.path.is_empty() { "" } else { "attribute " };
            let _ = write!(s, ", at {at}{}", place(p));
        }
        if let Some(t) = self.missing_type {
            let mut types = self.missing_in.as_ref().map_or_else(Vec::new, |n| n.path.clone());
            types.push(u16::try_from(t).unwrap_or(u16::MAX));
            let last = types.last().map_or_else(String::new, u16::to_string);
            let _ = write!(s, ", attribute {} missing", name(&types).map_or(last, str::to_owned));
            if let Some(nest) = &self.missing_in {
                let _ = write!(s, " in {}", place(nest));
            }
        }
        s
    }

    /// The error as an `io::Error` of the errno's kind, with [`describe`]'s
    /// text.
    ///
    /// [`describe`]: KernelError::describe
    pub fn into_io(self, name: &dyn Fn(&[u16]) -> Option<&'static str>) -> io::Error {
        io::Error::new(io::Error::from_raw_os_error(self.errno).kind(), self.describe(name))
    }
}

/// [`KernelError::describe`] with attribute types as numbers.
impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(&|_| None))
    }
}

impl std::error::Error for KernelError {}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::nlmsg::{Header, Messages};
    use wire::writer::Writer;

    /// A PERSON_SET-like request: NAME at 16, ADDRESS (nested) at 24 with
    /// CITY at 28.
    fn request() -> Vec<u8> {
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        let m = w.start(35, nlmsg::F_REQUEST | nlmsg::F_ACK, 9, 77).unwrap();
        w.put_str(1, "Ada").unwrap();
        let n = w.nest_start(3).unwrap();
        w.put_str(2, "London").unwrap();
        w.nest_end(n).unwrap();
        w.finish(m).unwrap();
        w.as_bytes().to_vec()
    }

    /// The answer `netlink_ack` would build for `request` with `error` and
    /// the extended-ACK attributes written by `tlvs`.
    fn answer(request: &[u8], error: i32, capped: bool, tlvs: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
        let mut area = [0u8; 128];
        let mut t = Writer::new(&mut area);
        tlvs(&mut t);
        let mut payload = error.to_ne_bytes().to_vec();
        payload.extend_from_slice(if capped { &request[..16] } else { request });
        while !payload.len().is_multiple_of(4) {
            payload.push(0);
        }
        payload.extend_from_slice(t.as_bytes());
        let mut flags = if capped { nlmsg::F_CAPPED } else { 0 };
        if !t.is_empty() {
            flags |= nlmsg::F_ACK_TLVS;
        }
        let mut buf = vec![0u8; 16 + payload.len()];
        let mut w = Writer::new(&mut buf);
        w.message(nlmsg::ERROR, flags, 9, 77, &payload).unwrap();
        buf
    }

    fn parse(bytes: &[u8], request: Option<&[u8]>) -> Option<KernelError> {
        let m = Messages::new(bytes).next().unwrap().unwrap();
        KernelError::from_message(&m, request, 16).unwrap()
    }

    fn names(path: &[u16]) -> Option<&'static str> {
        match path {
            [1] => Some("NAME"),
            [3] => Some("ADDRESS"),
            [3, 1] => Some("STREET"),
            [3, 2] => Some("CITY"),
            _ => None,
        }
    }

    #[test]
    fn a_bad_attribute_found_in_the_echo() {
        let req = request();
        let a = answer(&req, -34, false, |w| {
            w.put_str(wire::ext_ack::ATTR_MSG, "city too long").unwrap();
            w.put_u32(wire::ext_ack::ATTR_OFFS, 28).unwrap();
        });
        let e = parse(&a, None).unwrap();
        assert_eq!(e.errno, 34);
        assert_eq!(e.bad_attr, Some(Pointer { offset: 28, path: vec![3, 2] }));
        assert_eq!(
            e.describe(&names),
            "ERANGE (Numerical result out of range): \"city too long\", at attribute ADDRESS/CITY (byte 28 of the request)"
        );
        assert_eq!(
            e.to_string(),
            "ERANGE (Numerical result out of range): \"city too long\", at attribute 3/2 (byte 28 of the request)"
        );
    }

    #[test]
    fn capped_needs_the_request_kept() {
        let req = request();
        let a = answer(&req, -22, true, |w| w.put_u32(wire::ext_ack::ATTR_OFFS, 16).unwrap());
        assert_eq!(parse(&a, None).unwrap().describe(&names), "EINVAL (Invalid argument), at byte 16 of the request");
        let e = parse(&a, Some(&req)).unwrap();
        assert_eq!(e.describe(&names), "EINVAL (Invalid argument), at attribute NAME (byte 16 of the request)");
    }

    #[test]
    fn missing_attributes() {
        let req = request();
        let a = answer(&req, -22, false, |w| {
            w.put_u32(wire::ext_ack::ATTR_MISS_TYPE, 1).unwrap();
            w.put_u32(wire::ext_ack::ATTR_MISS_NEST, 24).unwrap();
        });
        let e = parse(&a, None).unwrap();
        assert_eq!(e.missing_type, Some(1));
        assert_eq!(
            e.describe(&names),
            "EINVAL (Invalid argument), attribute STREET missing in ADDRESS (byte 24 of the request)"
        );
        assert_eq!(e.to_string(), "EINVAL (Invalid argument), attribute 1 missing in 3 (byte 24 of the request)");
        let top = answer(&req, -22, false, |w| w.put_u32(wire::ext_ack::ATTR_MISS_TYPE, 1).unwrap());
        assert_eq!(parse(&top, None).unwrap().describe(&names), "EINVAL (Invalid argument), attribute NAME missing");
    }

    #[test]
    fn acks_done_and_plain_errors() {
        let req = request();
        assert_eq!(parse(&answer(&req, 0, true, |_| {}), None), None);
        let plain = parse(&answer(&req, -17, true, |_| {}), None).unwrap();
        assert_eq!(plain, KernelError::from_errno(17));
        assert_eq!(plain.to_string(), "EEXIST (File exists)");
        assert_eq!(
            KernelError::from_errno(-4095).to_string().split(' ').take(2).collect::<Vec<_>>(),
            ["errno", "4095"]
        );
        // NLMSG_DONE: status 0 is success, a negative status an error.
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.done(9, 77).unwrap();
        w.message(nlmsg::DONE, nlmsg::F_MULTI, 9, 77, &(-2i32).to_ne_bytes()).unwrap();
        w.message(40, 0, 9, 77, &[]).unwrap();
        let got: Vec<_> =
            Messages::new(w.as_bytes()).map(|m| KernelError::from_message(&m.unwrap(), None, 16).unwrap()).collect();
        assert_eq!(got, [None, Some(KernelError::from_errno(2)), None]);
        // A broken answer is an error, not a guess.
        let mut broken = answer(&req, -22, false, |_| {});
        Header { len: 30, ..Header::new(nlmsg::ERROR, 0, 9, 77) }.write_to(&mut broken).unwrap();
        let m = Messages::new(&broken[..30]).next().unwrap().unwrap();
        assert!(KernelError::from_message(&m, None, 16).is_err());
    }
}
