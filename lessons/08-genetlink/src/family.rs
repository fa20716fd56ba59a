//! Finding a family by name: the controller's `CTRL_CMD_GETFAMILY`.
//!
//! A generic netlink family has no fixed number. The kernel gives it one at
//! registration, and gives its multicast groups numbers too; a program asks
//! the controller, itself a family (`nlctrl`, the one fixed id,
//! `GENL_ID_CTRL` = 16), for the family by name. The answer is a
//! `CTRL_CMD_NEWFAMILY` message describing it:
//!
//! ```text
//! CTRL_ATTR_FAMILY_ID     u16      the nlmsg_type of the family's messages
//! CTRL_ATTR_FAMILY_NAME   string
//! CTRL_ATTR_VERSION       u32
//! CTRL_ATTR_HDRSIZE       u32      the family's own header after the generic one
//! CTRL_ATTR_MAXATTR       u32
//! CTRL_ATTR_OPS           nest of nests 1, 2, ...: OP_ID u32, OP_FLAGS u32
//! CTRL_ATTR_MCAST_GROUPS  nest of nests 1, 2, ...: GRP_NAME string, GRP_ID u32
//! ```

use rtm_cli::session::{Answer, Failure, Session};
use std::fmt;
use std::io;
use wire::attr::{Attr, Attrs};
use wire::genl::{self, Header};

/// A family, as the controller describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Family {
    /// Its name.
    pub name: String,
    /// Its id: the `nlmsg_type` of its messages.
    pub id: u16,
    /// Its protocol version.
    pub version: u32,
    /// The size of its own header after the generic one (0 for most).
    pub hdrsize: u32,
    /// The highest attribute type of its policy.
    pub maxattr: u32,
    /// Its operations: command and flags (`GENL_ADMIN_PERM`, ...).
    pub ops: Vec<(u32, u32)>,
    /// Its multicast groups: name and id (what `NETLINK_ADD_MEMBERSHIP` takes).
    pub groups: Vec<(String, u32)>,
}

impl Family {
    /// The id of the multicast group called `name`.
    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|(n, _)| n == name).map(|&(_, id)| id)
    }
}

/// A broken answer: a socket-level failure, with what was wrong.
fn broken(what: &str) -> Failure {
    Failure::Io(io::Error::new(io::ErrorKind::InvalidData, format!("the controller's answer: {what}")))
}

/// The attributes of a nest, each one a nest of its own (the controller's
/// lists: ops, groups).
fn list<'a>(nest: &Attr<'a>) -> impl Iterator<Item = Result<Attr<'a>, wire::Error>> {
    nest.nested()
}

/// Asks the controller for family `name` on `session` (a generic netlink
/// socket): `CTRL_CMD_GETFAMILY` with `CTRL_ATTR_FAMILY_NAME`, to family
/// `GENL_ID_CTRL`. A family that is not registered is `ENOENT`.
pub fn resolve(session: &mut Session, name: &str) -> Result<Family, Failure> {
    // TODO(exercise 8.3): Send CTRL_CMD_GETFAMILY (generic header: cmd CTRL_CMD_GETFAMILY, version genl::CTRL_VERSION) to family genl::ID_CTRL with the name as a NUL-terminated string attribute (put_str), take its one answer (a CTRL_CMD_NEWFAMILY message), and decode it: the id (u16), version, hdrsize and maxattr (u32), the ops (each a nest: OP_ID, OP_FLAGS) and the multicast groups (each a nest: GRP_NAME, GRP_ID).
    let _ = (session, name, Header::parse, Attrs::new, list, broken, genl::CTRL_CMD_GETFAMILY);
    Err(Failure::Io(io::Error::new(
        io::ErrorKind::Unsupported,
        "resolving a family by name is not written yet (exercise 8.3)",
    )))
}

/// Opens a generic netlink socket (attributes start after the 4-byte
/// generic header) and resolves family `name` on it.
pub fn open(name: &str) -> Result<(Session, Family), String> {
    let attrs_at = wire::nlmsg::HDRLEN + genl::HDRLEN;
    let mut session = Session::open_protocol(genl::NETLINK_GENERIC, 0, attrs_at).map_err(|e| e.to_string())?;
    match resolve(&mut session, name) {
        Ok(family) => Ok((session, family)),
        Err(e) if e.errno() == Some(libc::ENOENT) => {
            Err(format!("family {name}: {e}: no such family (is its module loaded?)"))
        }
        Err(e) => Err(format!("family {name}: {e}")),
    }
}

/// The generic header of `answer`, and its attributes.
pub fn split(answer: &Answer) -> Option<(Header, &[u8])> {
    Header::parse(&answer.payload).ok()
}

/// The flags of an operation as words: `admin do dump`.
pub fn op_flags(flags: u32) -> String {
    let words = [(genl::GENL_ADMIN_PERM, "admin"), (genl::GENL_CMD_CAP_DO, "do"), (genl::GENL_CMD_CAP_DUMP, "dump")];
    let set: Vec<&str> = words.iter().filter(|(bit, _)| flags & bit != 0).map(|&(_, w)| w).collect();
    set.join(" ")
}

/// `family rtm: id 28, version 1, hdrsize 0, maxattr 6`, then one line per
/// operation (`op 4 route-new: admin do`) and per group (`group routes: 4`).
impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "family {}: id {}, version {}, hdrsize {}, maxattr {}",
            self.name, self.id, self.version, self.hdrsize, self.maxattr
        )?;
        for &(cmd, flags) in &self.ops {
            let name = match (self.name.as_str(), u8::try_from(cmd)) {
                (wire::rtm_genl::FAMILY_NAME, Ok(c)) => format!(" {}", wire::rtm_genl::command_name(c)),
                _ => String::new(),
            };
            write!(f, "\nop {cmd}{name}: {}", op_flags(flags))?;
        }
        for (name, id) in &self.groups {
            write!(f, "\ngroup {name}: {id}")?;
        }
        Ok(())
    }
}
