//! The listing of a capture: one line per netlink message with its time,
//! direction, type and flags by name, sequence number, port id and length,
//! then its payload decoded on indented lines below.
//!
//! Frames are numbered `#1, #2...`; a frame holding several messages (a
//! batch, or several parts of a dump received at once) numbers them
//! `#7.1, #7.2...`, so what travelled together is seen together.

use super::direction::Direction;
use super::doc;
use super::names;
use super::payload;
use super::pcap::Frame;
use std::time::Duration;
use wire::nlmsg::{Header, Messages};

/// Width the payload lines are laid out in.
pub const WIDTH: usize = 84;
/// Indentation of the payload lines.
const INDENT: usize = 8;

/// Lists frames one after the other; times are relative to the first.
#[derive(Debug, Default)]
pub struct Listing {
    start: Option<Duration>,
    count: usize,
}

impl Listing {
    /// A listing that has seen no frame yet.
    pub fn new() -> Listing {
        Listing::default()
    }

    /// The lines of the next frame.
    pub fn frame(&mut self, frame: &Frame) -> Vec<String> {
        self.count += 1;
        let start = *self.start.get_or_insert(frame.time);
        let time = frame.time.saturating_sub(start);
        let time = format!("{}.{:06}", time.as_secs(), time.subsec_micros());
        let direction = Direction::of(&frame.data);
        let protocol = frame.cooked.protocol;
        let mut out = Vec::new();
        let mut messages = Messages::new(&frame.data).peekable();
        let mut index = 0;
        let several = Messages::new(&frame.data).nth(1).is_some();
        if messages.peek().is_none() {
            out.push(format!("{:<6}{time:>8}  {:<11}  (empty frame)", format!("#{}", self.count), direction.label()));
        }
        for m in messages {
            index += 1;
            let id = if several { format!("{}.{index}", self.count) } else { self.count.to_string() };
            let id = format!("#{id}");
            match m {
                Ok(m) => {
                    out.push(head(&id, &time, direction, protocol, &m.header));
                    doc::layout(&payload::describe(protocol, &m.header, m.payload), INDENT, WIDTH, &mut out);
                }
                Err(e) => {
                    out.push(format!("{id:<6}{time:>8}  {:<11}  ! {e}", direction.label()));
                    out.push(format!("{}{}", " ".repeat(INDENT), payload::hex(rest_after(&frame.data, index - 1))));
                }
            }
        }
        if frame.is_cut() {
            out.push(format!("{}(frame cut: {} of {} bytes kept)", " ".repeat(INDENT), frame.data.len(), frame.len));
        }
        out
    }
}

/// The bytes after the first `n` well-formed messages of a frame.
fn rest_after(data: &[u8], n: usize) -> &[u8] {
    let mut it = Messages::new(data);
    for _ in 0..n {
        it.next();
    }
    it.rest()
}

/// The first line of a message.
fn head(id: &str, time: &str, direction: Direction, protocol: u16, h: &Header) -> String {
    let ty = names::type_name(protocol, h.ty);
    let flags = names::flags(protocol, h.ty, h.flags);
    format!(
        "{id:<6}{time:>8}  {:<11}  {ty:<12} {flags:<11} seq {} port {} len {}",
        direction.label(),
        h.seq,
        h.pid,
        h.len
    )
}

/// The whole listing of `frames`, ending with a newline.
pub fn render(frames: &[Frame]) -> String {
    render_some(frames, 1..=frames.len())
}

/// The listing of the frames numbered `numbers` (from 1) only, with the
/// numbers and times they have in the whole listing.
pub fn render_some(frames: &[Frame], numbers: std::ops::RangeInclusive<usize>) -> String {
    let mut listing = Listing::new();
    let mut text = String::new();
    for (i, f) in frames.iter().enumerate() {
        let lines = listing.frame(f);
        if numbers.contains(&(i + 1)) {
            for line in lines {
                text.push_str(&line);
                text.push('\n');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cooked::Cooked;
    use wire::nlmsg;
    use wire::writer::Writer;

    fn frame(micros: u64, protocol: u16, data: &[u8]) -> Frame {
        let time = Duration::new(1_700_000_000, 0) + Duration::from_micros(micros);
        Frame { time, cooked: Cooked::netlink(protocol), data: data.to_vec(), len: data.len() }
    }

    #[test]
    fn a_request_its_reply_and_its_ack() {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        w.message(20, nlmsg::F_REQUEST | nlmsg::F_ACK, 1, 3941, b"Hi\0").unwrap();
        let request = frame(0, 31, w.as_bytes());
        w.clear();
        w.message(32, 0, 1, 3941, b"Hello\0").unwrap();
        w.ack(&Header { len: 19, ..Header::new(20, nlmsg::F_REQUEST | nlmsg::F_ACK, 1, 3941) }, 3941).unwrap();
        let answers = frame(250, 31, w.as_bytes());
        let text = render(&[request, answers]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert_eq!(lines[0], "#1    0.000000  to kernel    GREET        REQUEST|ACK seq 1 port 3941 len 19");
        assert_eq!(lines[1], "        \"Hi\"");
        // Two messages in one frame: #2.1 and #2.2.
        assert_eq!(lines[2], "#2.1  0.000250  from kernel  GREET_REPLY  0           seq 1 port 3941 len 22");
        assert_eq!(lines[4], "#2.2  0.000250  from kernel  NLMSG_ERROR  CAPPED      seq 1 port 3941 len 36");
        assert_eq!(lines[5], "        ACK of GREET seq 1 port 3941");
    }

    #[test]
    fn broken_empty_cut_and_other_protocols() {
        let mut l = Listing::new();
        let lines = l.frame(&frame(0, 31, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
        assert_eq!(lines[0], "#1    0.000000  to kernel    ! truncated header");
        assert_eq!(lines[1], "        01 02 03 04 05 06 07 08 09 0a");
        assert!(l.frame(&frame(5, 31, &[]))[0].ends_with("(empty frame)"));
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.message(libc::RTM_GETLINK, nlmsg::F_REQUEST | nlmsg::F_DUMP, 9, 0, &[0; 16]).unwrap();
        let mut f = frame(10, 0, w.as_bytes());
        f.len += 100;
        let lines = l.frame(&f);
        assert!(lines[0].starts_with("#3    0.000010  to kernel    RTM_GETLINK  REQUEST|DUMP seq 9"), "{lines:?}");
        assert_eq!(lines.last().unwrap(), "        (frame cut: 32 of 132 bytes kept)");
        assert_eq!(
            render_some(&[frame(0, 31, &[]), frame(7, 31, &[])], 2..=2).lines().next().unwrap().get(..14),
            Some("#2    0.000007")
        );
    }
}
