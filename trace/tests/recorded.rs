//! The decoder on bytes recorded in the lab: `make trace-2` and
//! `make trace-5` with the reference solutions, saved in tests/data/ (how:
//! tests/data/README.md). The book's chapter "Watching netlink" shows the
//! listings in tests/data/*.txt; these tests keep them what the decoder
//! makes of the recorded captures.

use nltrace::direction::Direction;
use nltrace::exchange;
use nltrace::listing;
use nltrace::pcap::{self, Frame};
use std::fs;
use std::path::PathBuf;
use wire::nlmsg::{self, Messages};
use wire::{proto, rtm};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn frames(name: &str) -> Vec<Frame> {
    pcap::read(fs::File::open(data(name)).unwrap()).unwrap()
}

/// The listing saved for the book is the decoder's listing of the capture
/// (of the frames its first line says, when it shows a part).
fn listing_is_current(pcap: &str, txt: &str) {
    let saved = fs::read_to_string(data(txt)).unwrap();
    let frames = frames(pcap);
    let first: usize = saved.strip_prefix('#').and_then(|s| s.split(['.', ' ']).next()).unwrap().parse().unwrap();
    let last: usize = saved
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .filter_map(|s| s.split(['.', ' ']).next()?.parse().ok())
        .next_back()
        .unwrap();
    assert_eq!(
        listing::render_some(&frames, first..=last),
        saved,
        "tests/data/{txt} is not what the decoder makes of {pcap}: regenerate it (tests/data/README.md)"
    );
}

#[test]
fn lesson_02_listing_is_current() {
    listing_is_current("02-greet.pcap", "02-greet.txt");
}

#[test]
fn lesson_05_dump_listing_is_current() {
    listing_is_current("05-rtm.pcap", "05-rtm-dump.txt");
}

#[test]
fn lesson_05_batch_listing_is_current() {
    listing_is_current("05-rtm.pcap", "05-rtm-batch.txt");
}

#[test]
fn lesson_02_every_acked_greet_has_its_reply_and_ack() {
    let frames = frames("02-greet.pcap");
    let found = exchange::find(&frames, 31, proto::GREET, proto::GREET_REPLY);
    // The demo: `greet send --ack "Hello, kernel!" "How are you?"`.
    assert_eq!(found.len(), 2, "{found:?}");
    let mut seqs = Vec::new();
    for x in found {
        let x = x.unwrap();
        assert!(x.request.frame < x.reply.frame && x.reply.frame < x.ack.frame);
        assert_eq!(x.reply.header.pid, x.request.header.pid);
        assert!(x.ack.header.has(nlmsg::F_CAPPED));
        seqs.push(x.request.header.seq);
    }
    assert_eq!(seqs, [1, 2]);
}

#[test]
fn lesson_02_two_sockets_get_two_ports() {
    // `greet send --sockets 2 ...`: two GREETs without NLM_F_ACK, from two
    // ports, each answered at its own.
    let msgs = exchange::messages(&frames("02-greet.pcap"));
    let unacked: Vec<_> = msgs
        .iter()
        .filter(|m| m.header.ty == proto::GREET && !m.header.has(nlmsg::F_ACK) && m.direction == Direction::ToKernel)
        .collect();
    assert_eq!(unacked.len(), 2);
    assert_ne!(unacked[0].header.pid, unacked[1].header.pid);
    // The chapter: the first socket takes the process id, the second gets a
    // random "negative" port id from netlink_autobind().
    assert!(unacked[0].header.pid < 1 << 22 && unacked[1].header.pid >= 1 << 31);
    for r in unacked {
        assert!(msgs.iter().any(|m| m.header.ty == proto::GREET_REPLY
            && m.direction == Direction::FromKernel
            && (m.header.seq, m.header.pid) == (r.header.seq, r.header.pid)));
    }
}

#[test]
fn lesson_05_dump_ends_with_done_and_holds_every_route() {
    let frames = frames("05-rtm.pcap");
    let msgs = exchange::messages(&frames);
    let dump = msgs
        .iter()
        .find(|m| m.header.ty == rtm::ROUTE_GET && m.header.has(nlmsg::F_DUMP))
        .expect("the demo dumps a table");
    let parts: Vec<_> = msgs
        .iter()
        .filter(|m| m.frame > dump.frame && m.header.seq == dump.header.seq && m.direction == Direction::FromKernel)
        .collect();
    let routes = parts.iter().take_while(|m| m.header.ty == rtm::ROUTE_NEW).count();
    // The demo's table holds three routes when it is shown.
    assert_eq!(routes, 3, "{parts:?}");
    assert!(parts[..routes].iter().all(|m| m.header.has(nlmsg::F_MULTI)));
    assert_eq!(parts[routes].header.ty, nlmsg::DONE);
    // Every frame of the capture is well formed.
    for f in &frames {
        assert!(Messages::new(&f.data).all(|m| m.is_ok()));
    }
}

#[test]
fn nlmon_creation_listing_is_our_request_and_its_ack() {
    use nltrace::cooked::Cooked;
    let saved = fs::read_to_string(data("nlmon-create.txt")).unwrap();
    let mut buf = [0u8; 128];
    let bytes = nltrace::route::new_nlmon(&mut buf, nltrace::route::DEVICE, 1).unwrap();
    let request = Frame {
        time: std::time::Duration::ZERO,
        cooked: Cooked::netlink(nltrace::names::NETLINK_ROUTE),
        data: bytes.to_vec(),
        len: bytes.len(),
    };
    let expected = listing::Listing::new().frame(&request);
    let lines: Vec<&str> = saved.lines().collect();
    assert_eq!(lines[..expected.len()], expected, "tests/data/nlmon-create.txt: regenerate it (tests/data/README.md)");
    assert!(lines[expected.len()].contains("from kernel  NLMSG_ERROR"), "{saved}");
    assert!(lines[expected.len() + 1].contains("ACK of RTM_NEWLINK seq 1"), "{saved}");
}

/// What the chapter says of the lesson 05 capture: the dump's three routes
/// and its NLMSG_DONE came in one frame (#12), and the batch is frame #25,
/// four messages, each answered on its own, the third with an uncapped
/// EEXIST and an extended-ACK message.
#[test]
fn lesson_05_is_what_the_chapter_says() {
    let frames = frames("05-rtm.pcap");
    let count = |n: usize| Messages::new(&frames[n - 1].data).count();
    assert_eq!(count(12), 4);
    assert_eq!(count(25), 4);
    let msgs = exchange::messages(&frames);
    let answers: Vec<_> = msgs.iter().filter(|m| m.frame > 25).collect();
    assert_eq!(answers.len(), 5);
    let eexist = answers.iter().find(|m| m.header.seq == 3).unwrap();
    assert!(!eexist.header.has(nlmsg::F_CAPPED) && eexist.header.has(nlmsg::F_ACK_TLVS));
    let reply = wire::ext_ack::ErrorReply::parse(&eexist.header, &eexist.payload).unwrap();
    assert_eq!(reply.error.error, -wire::errno::EEXIST);
    assert!(reply.ext_ack.msg.is_some());
}
