//! Reading a PERSON_REPLY: its payload is a list of attributes, walked one
//! by one with the shared iterator.

use std::fmt;
use wire::attr::Attrs;
use wire::proto;

/// One attribute of a PERSON_REPLY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyAttr {
    /// `REPLY_ATTR_GREETING`: the module's greeting.
    Greeting(String),
    /// `REPLY_ATTR_ID`: the number the module gave the person.
    Id(u32),
    /// A type this program does not know. A newer module may send more than
    /// we know of: skip it, do not fail.
    Unknown {
        /// The attribute type, flag bits removed.
        kind: u16,
        /// Length of its value.
        len: usize,
    },
}

/// The attributes of a PERSON_REPLY payload, in the order they came.
///
/// The iterator checks each attribute's framing (a header, a length that
/// stays inside the payload); the typed accessors check the value (`str`
/// wants UTF-8 text, `u32` exactly 4 bytes). Any failure is an error: a reply we
/// cannot read completely is not trusted in part.
pub fn decode(payload: &[u8]) -> Result<Vec<ReplyAttr>, wire::Error> {
    let mut attrs = Vec::new();
    for attr in Attrs::new(payload) {
        let attr = attr?;
        attrs.push(match attr.kind() {
            proto::REPLY_ATTR_GREETING => ReplyAttr::Greeting(attr.str()?.to_owned()),
            proto::REPLY_ATTR_ID => ReplyAttr::Id(attr.u32()?),
            kind => ReplyAttr::Unknown { kind, len: attr.payload().len() },
        });
    }
    Ok(attrs)
}

impl fmt::Display for ReplyAttr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyAttr::Greeting(text) => write!(f, "GREETING {text:?}"),
            ReplyAttr::Id(id) => write!(f, "ID {id}"),
            ReplyAttr::Unknown { kind, len } => write!(f, "type {kind}: unknown, {len} bytes skipped"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::writer::Writer;

    fn area(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        f(&mut w);
        w.as_bytes().to_vec()
    }

    #[test]
    fn decodes_in_order_and_skips_unknown_types() {
        let payload = area(|w| {
            w.put_str(proto::REPLY_ATTR_GREETING, "Hello Ada, 36, from London!").unwrap();
            w.put_u64(9, 1).unwrap();
            w.put_u32(proto::REPLY_ATTR_ID, 7).unwrap();
        });
        let attrs = decode(&payload).unwrap();
        assert_eq!(
            attrs,
            [
                ReplyAttr::Greeting("Hello Ada, 36, from London!".into()),
                ReplyAttr::Unknown { kind: 9, len: 8 },
                ReplyAttr::Id(7)
            ]
        );
        assert_eq!(attrs[0].to_string(), "GREETING \"Hello Ada, 36, from London!\"");
        assert_eq!(attrs[2].to_string(), "ID 7");
        assert_eq!(decode(&[]).unwrap(), []);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        // An ID of 2 bytes, a greeting that is not UTF-8.
        let short = area(|w| w.put_u16(proto::REPLY_ATTR_ID, 7).unwrap());
        assert_eq!(decode(&short), Err(wire::Error::BadSize));
        let garbled = area(|w| w.put_attr(proto::REPLY_ATTR_GREETING, b"\xffHi\0").unwrap());
        assert_eq!(decode(&garbled), Err(wire::Error::BadString));
        // nla_len 2: shorter than the attribute header itself.
        assert_eq!(decode(&[2, 0, 1, 0]), Err(wire::Error::BadLength));
        // nla_len 40 in an 8-byte payload.
        assert_eq!(decode(&[40, 0, 2, 0, 1, 0, 0, 0]), Err(wire::Error::BadLength));
    }
}
