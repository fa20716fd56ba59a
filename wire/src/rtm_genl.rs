//! The routing table manager as a generic netlink family (lesson 08): what
//! its uapi header would say. Described for the kernel's tools in
//! `checks/08-genetlink/rtm.yaml` (the YNL spec language).
//!
//! The tables and routes of lessons 05-06, the same attributes
//! ([`super::rtm`]'s `ATTR_*`, validated with the same [`rtm::POLICY`]), on
//! `NETLINK_GENERIC` in family [`FAMILY_NAME`] instead of protocol 31. What
//! changed is the envelope: `nlmsg_type` is the family id (the kernel's
//! choice, asked from the controller by name), and the operation is the
//! *command* of the generic header ([`super::genl::Header`]).
//!
//! ## Commands
//!
//! | cmd | name                    | request                           | answer, event |
//! |-----|-------------------------|-----------------------------------|---------------|
//! | 1   | [`CMD_TABLE_NEW`]       | create a table (EEXIST if it is there) | ACK; event on `tables` |
//! | 2   | [`CMD_TABLE_DEL`]       | delete a table and its routes     | ACK; event on `tables` |
//! | 3   | [`CMD_TABLE_GET`]       | one table; dump: every table      | `TABLE_NEW` message(s) |
//! | 4   | [`CMD_ROUTE_NEW`]       | add a route (EEXIST if its prefix is taken) | ACK; event on `routes` |
//! | 5   | [`CMD_ROUTE_DEL`]       | delete a route                    | ACK; event on `routes` |
//! | 6   | [`CMD_ROUTE_GET`]       | one route by exact prefix; dump: a table's routes | `ROUTE_NEW` message(s) |
//! | 7   | [`CMD_ROUTE_LOOKUP`]    | the longest-prefix match for an address | one `ROUTE_NEW` message |
//! | 8   | [`CMD_ROUTE_REPLACE`]   | add a route, or replace the one of its prefix | ACK; event on `routes` |
//!
//! Lesson 05 said "create", "exclusive" and "replace" with the netlink
//! header's flags (`NLM_F_CREATE`, `NLM_F_EXCL`, `NLM_F_REPLACE`). A
//! generic netlink family cannot: for its commands (from `resv_start_op`
//! on, every command of a new family) the kernel refuses any flag but
//! `NLM_F_REQUEST`, `NLM_F_ACK`, `NLM_F_ECHO` and `NLM_F_DUMP`, with
//! "ambiguous or reserved bits set in nlmsg_flags" (`genl_header_check`,
//! net/netlink/genetlink.c). So each meaning is a command of its own.
//!
//! Changes (commands 1, 2, 4, 5, 8) need `CAP_NET_ADMIN`: the family marks
//! them `GENL_ADMIN_PERM` and the kernel checks before the module runs.
//!
//! ## Events
//!
//! Every change is announced on a multicast group, found by name: table
//! events on [`GROUP_TABLES_NAME`], route events on [`GROUP_ROUTES_NAME`].
//! An event is a message of the family whose command says what happened:
//! `TABLE_NEW`, `TABLE_DEL`, `ROUTE_NEW` (added), `ROUTE_REPLACE` (an
//! existing route replaced), `ROUTE_DEL` (with the route that went away),
//! with the sequence number and port id of the request that made it.

use super::rtm;

/// The family's name, what userspace resolves (at most 15 bytes).
pub const FAMILY_NAME: &str = "rtm";
/// The family's name as the kernel takes it.
pub const FAMILY_NAME_C: &core::ffi::CStr = c"rtm";
/// The family's protocol version, in every generic header it sends.
pub const VERSION: u8 = 1;

// ANCHOR: commands
/// Create a table; also the event of a new table, and what the module
/// sends about a table (answers to [`CMD_TABLE_GET`], dump parts).
pub const CMD_TABLE_NEW: u8 = 1;
/// Delete a table with all its routes; also the event of it.
pub const CMD_TABLE_DEL: u8 = 2;
/// Get one table by name; as a dump, every table.
pub const CMD_TABLE_GET: u8 = 3;
/// Add a route; also the event of a new route, and what the module sends
/// about a route (answers, dump parts).
pub const CMD_ROUTE_NEW: u8 = 4;
/// Delete a route; also the event of it.
pub const CMD_ROUTE_DEL: u8 = 5;
/// Get the route of one exact prefix; as a dump, a whole table.
pub const CMD_ROUTE_GET: u8 = 6;
/// Find the route with the longest prefix containing `ATTR_DST`.
pub const CMD_ROUTE_LOOKUP: u8 = 7;
/// Add a route or replace the route of the same prefix; also the event of
/// a replaced route.
pub const CMD_ROUTE_REPLACE: u8 = 8;
/// The highest command.
pub const CMD_MAX: u8 = CMD_ROUTE_REPLACE;
// ANCHOR_END: commands

// ANCHOR: groups
/// The multicast group of table events, by its name.
pub const GROUP_TABLES_NAME: &str = "tables";
/// The multicast group of route events, by its name.
pub const GROUP_ROUTES_NAME: &str = "routes";
/// The module's index of the table group (the kernel's API numbers a
/// family's groups from 0; userspace sees ids the controller hands out).
pub const GROUP_TABLES: u32 = 0;
/// The module's index of the route group.
pub const GROUP_ROUTES: u32 = 1;
/// The groups' names as the kernel takes them, in the order of their
/// indexes.
pub const GROUPS: [&core::ffi::CStr; 2] = [c"tables", c"routes"];
// ANCHOR_END: groups

/// The command a message of lesson 05's protocol becomes: `TABLE_NEW` (21)
/// is [`CMD_TABLE_NEW`], ... `ROUTE_LOOKUP` (27) is [`CMD_ROUTE_LOOKUP`];
/// `None` for any other type.
pub const fn command_of(ty: u16) -> Option<u8> {
    match ty {
        rtm::TABLE_NEW => Some(CMD_TABLE_NEW),
        rtm::TABLE_DEL => Some(CMD_TABLE_DEL),
        rtm::TABLE_GET => Some(CMD_TABLE_GET),
        rtm::ROUTE_NEW => Some(CMD_ROUTE_NEW),
        rtm::ROUTE_DEL => Some(CMD_ROUTE_DEL),
        rtm::ROUTE_GET => Some(CMD_ROUTE_GET),
        rtm::ROUTE_LOOKUP => Some(CMD_ROUTE_LOOKUP),
        _ => None,
    }
}

/// A command's name, as the spec writes it (`table-new`), for tools.
pub const fn command_name(cmd: u8) -> &'static str {
    match cmd {
        CMD_TABLE_NEW => "table-new",
        CMD_TABLE_DEL => "table-del",
        CMD_TABLE_GET => "table-get",
        CMD_ROUTE_NEW => "route-new",
        CMD_ROUTE_DEL => "route-del",
        CMD_ROUTE_GET => "route-get",
        CMD_ROUTE_LOOKUP => "route-lookup",
        CMD_ROUTE_REPLACE => "route-replace",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_names() {
        assert_eq!(command_of(rtm::TABLE_NEW), Some(CMD_TABLE_NEW));
        assert_eq!(command_of(rtm::ROUTE_LOOKUP), Some(CMD_ROUTE_LOOKUP));
        assert_eq!(command_of(rtm::ROUTE_LOOKUP + 1), None);
        assert!(FAMILY_NAME.len() < super::super::genl::NAMSIZ);
        assert_eq!(FAMILY_NAME_C.to_bytes(), FAMILY_NAME.as_bytes());
        assert_eq!(command_name(CMD_ROUTE_REPLACE), "route-replace");
        assert_eq!(command_name(0), "?");
        assert_eq!(GROUPS[GROUP_TABLES as usize].to_bytes(), GROUP_TABLES_NAME.as_bytes());
        assert_eq!(GROUPS[GROUP_ROUTES as usize].to_bytes(), GROUP_ROUTES_NAME.as_bytes());
    }
}
