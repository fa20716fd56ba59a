//! Requests to family "rtm": lesson 05's session on a generic netlink
//! socket, with the family id the controller gave and the command in the
//! generic header.

use crate::family::{self, Family};
use rtm_cli::session::{error_of, Answer, Failure, Session};
use rtm_cli::text;
use std::net::Ipv4Addr;
use wire::genl::Header;
use wire::nlmsg;
use wire::rtm::{self, Attributes};
use wire::rtm_genl::{self, *};
use wire::writer::Writer;

/// A session with family "rtm".
pub struct Client {
    /// The socket.
    pub session: Session,
    /// The family, as the controller described it.
    pub family: Family,
    /// Ask for `NLM_F_ECHO` on changes.
    pub echo: bool,
}

impl Client {
    /// Opens a generic netlink socket and resolves family "rtm".
    pub fn open(echo: bool) -> Result<Client, String> {
        let (session, family) = family::open(rtm_genl::FAMILY_NAME)?;
        Ok(Client { session, family, echo })
    }

    /// Sends command `cmd` with the attributes `attrs` writes, and waits for
    /// its ACK; returns what came before it (an answer, or with `echo` the
    /// event of the change).
    pub fn request(
        &mut self,
        cmd: u8,
        attrs: impl FnOnce(&mut Writer<'_>) -> Result<(), wire::Error>,
    ) -> Result<Vec<Answer>, Failure> {
        let flags = if self.echo { nlmsg::F_ECHO } else { 0 };
        let header = Header { cmd, version: rtm_genl::VERSION };
        let (bytes, seq) = self.session.build(self.family.id, flags, |w| {
            w.put_payload(&header.to_bytes())?;
            attrs(w)
        })?;
        self.session.send_bytes(&bytes)?;
        let mut replies = Vec::new();
        loop {
            for answer in self.session.recv()? {
                // Ours: our seq, to our port. Not `Session::is_reply`, which
                // also wants it unicast: the echo of a change is the buffer
                // the kernel multicast to the group (`nlmsg_notify` sends the
                // same buffer to the requester, its group still set), so
                // `recvmsg` says it came from a group. It is ours all the
                // same: the requester is left out of the group's copy.
                if answer.header.seq != seq || answer.header.pid != self.session.port {
                    continue;
                }
                match error_of(&answer) {
                    Some(0) => return Ok(replies),
                    Some(_) => return Err(Failure::refused(&answer, Some(&bytes))),
                    None => replies.push(answer),
                }
            }
        }
    }

    /// Dumps command `cmd` (`NLM_F_DUMP`), again while the kernel flags it
    /// interrupted; returns the parts and whether the last was consistent.
    pub fn dump(
        &mut self,
        cmd: u8,
        attrs: &dyn Fn(&mut Writer<'_>) -> Result<(), wire::Error>,
    ) -> Result<(Vec<Answer>, bool), Failure> {
        let header = Header { cmd, version: rtm_genl::VERSION };
        self.session.dump_consistent(self.family.id, &|w| {
            w.put_payload(&header.to_bytes())?;
            attrs(w)
        })
    }
}

/// A message of the family as a line: a route as `ip route` shows it, a
/// table with its route count.
pub fn show(answer: &Answer) -> String {
    let Some((header, payload)) = family::split(answer) else {
        return "(a message without its generic header)".into();
    };
    let attrs = match Attributes::parse(payload) {
        Ok(a) => a,
        Err(e) => return format!("(undecodable command {}: {e})", header.cmd),
    };
    match header.cmd {
        CMD_ROUTE_NEW | CMD_ROUTE_REPLACE | CMD_ROUTE_DEL => match attrs.route() {
            Ok(r) => format!("{} via {} dev {}", text::prefix_text(r.dst), Ipv4Addr::from(r.gateway), r.oif),
            Err(e) => format!("(undecodable route: {e})"),
        },
        CMD_TABLE_NEW | CMD_TABLE_DEL => {
            let name = attrs.table().unwrap_or("?");
            match attrs.routes() {
                Some(n) => format!("{name} routes {n}"),
                None => name.to_string(),
            }
        }
        cmd => format!("(command {cmd} {})", rtm_genl::command_name(cmd)),
    }
}

/// An event as a line: `table add t1`, `table del t1`, `route add t1
/// 10.1.1.0/24 via 11.1.1.1 dev eth0`, `route replace ...`, `route del ...`.
pub fn event_line(answer: &Answer) -> String {
    let Some((header, payload)) = family::split(answer) else {
        return "(an event without its generic header)".into();
    };
    let table = Attributes::parse(payload).ok().and_then(|a| a.table().ok().map(str::to_string));
    let table = table.unwrap_or_else(|| "?".into());
    match header.cmd {
        CMD_TABLE_NEW => format!("table add {table}"),
        CMD_TABLE_DEL => format!("table del {table}"),
        CMD_ROUTE_NEW => format!("route add {table} {}", show(answer)),
        CMD_ROUTE_REPLACE => format!("route replace {table} {}", show(answer)),
        CMD_ROUTE_DEL => format!("route del {table} {}", show(answer)),
        cmd => format!("unknown event: command {cmd}"),
    }
}

/// The attributes of a table command.
pub fn table(name: &str) -> impl Fn(&mut Writer<'_>) -> Result<(), wire::Error> + '_ {
    move |w| rtm::put_table(w, name, None)
}
