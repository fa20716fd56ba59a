//! Building a PERSON_SET request: a netlink header, then the person as
//! attributes, one of them nested.

use std::error::Error;
use std::io;
use wire::nlmsg;
use wire::proto;
use wire::writer::Writer;

/// Errors of the attribute writer, or a message of our own.
type BoxError = Box<dyn Error + Send + Sync>;

/// A person as given on the command line. What is `None` is left out of the
/// request: netlink attributes make every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    /// `PERSON_ATTR_NAME`, a string. The module requires it.
    pub name: Option<String>,
    /// `PERSON_ATTR_AGE`, a `u32`.
    pub age: Option<u32>,
    /// `ADDRESS_ATTR_STREET`, a string inside `PERSON_ATTR_ADDRESS`.
    pub street: Option<String>,
    /// `ADDRESS_ATTR_CITY`, a string inside `PERSON_ATTR_ADDRESS`.
    pub city: Option<String>,
}

impl Person {
    /// Bytes enough for this person's whole request: the message header,
    /// five attribute headers, the age, the strings with their NULs, and up
    /// to 3 bytes of padding after each string.
    pub fn request_capacity(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        64 + text(&self.name) + text(&self.street) + text(&self.city)
    }
}

/// The name of the last attribute of `path` (types, outermost first), as
/// the kernel's extended ACK may point at it: `[3, 2]` is `ADDRESS_ATTR_CITY`
/// inside `PERSON_ATTR_ADDRESS`.
pub fn attr_name(path: &[u16]) -> Option<&'static str> {
    match path {
        [proto::PERSON_ATTR_NAME] => Some("NAME"),
        [proto::PERSON_ATTR_AGE] => Some("AGE"),
        [proto::PERSON_ATTR_ADDRESS] => Some("ADDRESS"),
        [proto::PERSON_ATTR_ADDRESS, proto::ADDRESS_ATTR_STREET] => Some("STREET"),
        [proto::PERSON_ATTR_ADDRESS, proto::ADDRESS_ATTR_CITY] => Some("CITY"),
        _ => None,
    }
}

/// Builds the PERSON_SET request for `person` into `buf`: a header with
/// `NLM_F_REQUEST | NLM_F_ACK`, sequence number `seq` and our `port`, then
/// the attributes. Returns the message's bytes, ready for `sendmsg`.
pub fn request<'b>(buf: &'b mut [u8], person: &Person, seq: u32, port: u32) -> io::Result<&'b [u8]> {
    let mut w = Writer::new(buf);
    let msg = w.start(proto::PERSON_SET, nlmsg::F_REQUEST | nlmsg::F_ACK, seq, port).map_err(io::Error::other)?;
    put_person(&mut w, person).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // The writer patches nlmsg_len: everything written since `start`.
    w.finish(msg).map_err(io::Error::other)?;
    Ok(w.into_bytes())
}

/// Appends the attributes of `person` to the message being written:
/// NAME, AGE, then ADDRESS, a nest holding STREET and CITY. What the person
/// lacks is left out; without street and city there is no ADDRESS at all.
fn put_person(w: &mut Writer<'_>, person: &Person) -> Result<(), BoxError> {
    // TODO(exercise 4.1): Put NAME (put_str), AGE (put_u32), then the ADDRESS nest: nest_start, STREET and CITY (put_str), nest_end. Leave out what the person lacks; no street and no city means no ADDRESS.
    let _ = (w, person);
    Err("the attributes are not written yet (exercise 4.1)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::policy;

    fn ada() -> Person {
        Person {
            name: Some("Ada".into()),
            age: Some(36),
            street: Some("Baker Street".into()),
            city: Some("London".into()),
        }
    }

    /// `person set --name Ada --age 36 --street "Baker Street" --city London`,
    /// byte by byte (x86: little-endian), with sequence number 1 from port 0.
    #[rustfmt::skip]
    const ADA: [u8; 68] = [
        // struct nlmsghdr: len 68, type 35 (PERSON_SET), flags REQUEST|ACK, seq 1, pid 0
        68, 0, 0, 0,   35, 0,  5, 0,   1, 0, 0, 0,   0, 0, 0, 0,
        // NAME: nla_len 8 (4 + "Ada\0"), nla_type 1
        8, 0,  1, 0,   b'A', b'd', b'a', 0,
        // AGE: nla_len 8 (4 + 4), nla_type 2, the u32 36
        8, 0,  2, 0,   36, 0, 0, 0,
        // ADDRESS: nla_len 36 (4 + 20 + 12), nla_type 3 | NLA_F_NESTED (0x8003)
        36, 0, 3, 0x80,
        //   STREET: nla_len 17 (4 + 13), nla_type 1, "Baker Street\0", 3 bytes of padding
        17, 0, 1, 0,   b'B', b'a', b'k', b'e', b'r', b' ', b'S', b't', b'r', b'e', b'e', b't', 0,   0, 0, 0,
        //   CITY: nla_len 11 (4 + 7), nla_type 2, "London\0", 1 byte of padding
        11, 0, 2, 0,   b'L', b'o', b'n', b'd', b'o', b'n', 0,   0,
    ];

    #[test]
    #[ignore = "exercise 4.1: run with `cargo test -p person -- --ignored` once put_person is written"]
    fn ada_byte_by_byte() {
        let mut buf = vec![0xff; ada().request_capacity()];
        assert_eq!(request(&mut buf, &ada(), 1, 0).unwrap(), &ADA[..]);
    }

    #[test]
    #[ignore = "exercise 4.1: run with `cargo test -p person -- --ignored` once put_person is written"]
    fn passes_the_kernels_policy() {
        for person in [ada(), Person { name: Some("Grace".into()), ..Person::default() }] {
            let mut buf = vec![0; person.request_capacity()];
            let bytes = request(&mut buf, &person, 7, 0).unwrap();
            let payload = &bytes[nlmsg::HDRLEN..];
            let tb = policy::parse(payload, &proto::PERSON_POLICY).unwrap();
            let name = tb[usize::from(proto::PERSON_ATTR_NAME)].unwrap();
            assert_eq!(Some(name.str().unwrap()), person.name.as_deref());
            let age = tb[usize::from(proto::PERSON_ATTR_AGE)].map(|a| a.u32().unwrap());
            assert_eq!(age, person.age);
            let address = tb[usize::from(proto::PERSON_ATTR_ADDRESS)];
            assert_eq!(address.is_some(), person.city.is_some());
            if let Some(address) = address {
                let at = policy::parse(address.payload(), &proto::ADDRESS_POLICY).unwrap();
                let city = at[usize::from(proto::ADDRESS_ATTR_CITY)].unwrap();
                assert_eq!(Some(city.str().unwrap()), person.city.as_deref());
            }
        }
    }

    #[test]
    fn capacity_is_enough_for_the_longest_strings() {
        let long = |n| Some("x".repeat(n));
        let p = Person { name: long(31), age: Some(u32::MAX), street: long(63), city: long(31) };
        // Header 16, NAME 4 + 32, AGE 8, ADDRESS 4 + (4 + 64) + (4 + 32).
        assert!(p.request_capacity() >= 16 + 36 + 8 + 4 + 68 + 36);
    }
}
