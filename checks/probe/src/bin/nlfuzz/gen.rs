//! The inputs: datagrams made from a profile's valid requests
//! ([`nlprobe::profile::Profile::requests`]), then mutated where a module's
//! parsing can go wrong: the netlink header (length, type, flags), the
//! payload's own framing (attribute headers and lengths, nests, the TLV
//! records of lesson 03, text), and the datagram (several messages, a last
//! one without padding, garbage after the last, a cut anywhere).
//!
//! Everything comes from one seeded generator, and nothing the kernel
//! answers changes what is drawn: the same seed gives the same datagrams, in
//! the same order, on any run.

use nlprobe::profile::Request;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_xorshift::XorShiftRng;
use wire::nlmsg;

/// The largest datagram made, in bytes: a 64 KiB payload (a module's
/// `EMSGSIZE` limit) and room for a few more messages.
pub const MAX_DATAGRAM: usize = 72 * 1024;

/// `NLA_F_NESTED` (`include/uapi/linux/netlink.h`).
const NLA_F_NESTED: u16 = 0x8000;
/// `NLA_F_NET_BYTEORDER`.
const NLA_F_NET_BYTEORDER: u16 = 0x4000;
/// Size of `struct nlattr`.
const NLA_HDRLEN: usize = 4;

/// How a profile's payloads are framed, which decides the mutations that
/// know the framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Text (lesson 02's greeting).
    Text,
    /// Lesson 03's TLV records: a type byte, a length byte, the value.
    Tlv,
    /// Netlink attributes (`struct nlattr`, lessons 04-06).
    Attributes,
}

/// Makes the datagrams of one fuzzing process.
pub struct Gen {
    rng: XorShiftRng,
    corpus: Vec<Request>,
    layout: Layout,
    seq: u32,
    /// Messages put into datagrams so far (before any cut).
    made: u64,
}

/// Values that sit on the edges of what a length or a number may be.
const EDGE_U32: [u32; 12] = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0xffff, 0x7fff_ffff, 0x8000_0000, u32::MAX];

impl Gen {
    /// A generator drawing from `seed`, starting from the `corpus` of valid
    /// requests (at least one), framed as `layout` says.
    pub fn new(seed: u64, corpus: Vec<Request>, layout: Layout) -> Gen {
        assert!(!corpus.is_empty(), "a profile has at least its valid request");
        Gen { rng: XorShiftRng::seed_from_u64(seed), corpus, layout, seq: 0, made: 0 }
    }

    /// The next datagram: one message most of the time, up to 64 in a batch,
    /// at most [`MAX_DATAGRAM`] bytes.
    pub fn datagram(&mut self) -> Vec<u8> {
        let count = match self.rng.random_range(0..100) {
            0..70 => 1,
            70..95 => self.rng.random_range(2..=8),
            _ => self.rng.random_range(9..=64),
        };
        let mut out = Vec::new();
        for _ in 0..count {
            let m = self.message();
            if out.len() + m.len() > MAX_DATAGRAM {
                break;
            }
            // Each message starts aligned (NLMSG_ALIGN); the last may keep
            // its padding or not.
            out.resize(out.len().next_multiple_of(nlmsg::ALIGNTO), 0);
            out.extend_from_slice(&m);
            self.made += 1;
        }
        match self.rng.random_range(0..100) {
            0..8 => {
                let junk = self.rng.random_range(1..=15);
                self.push_random(&mut out, junk);
            }
            8..14 => {
                let cut = self.rng.random_range(0..=out.len());
                out.truncate(cut);
            }
            14 => out.clear(),
            _ if self.rng.random_bool(0.5) => out.resize(out.len().next_multiple_of(nlmsg::ALIGNTO), 0),
            _ => {}
        }
        out.truncate(MAX_DATAGRAM);
        out
    }

    /// How many messages the datagrams made so far hold (as made: a cut
    /// datagram still counts the messages it was cut from).
    pub fn messages(&self) -> u64 {
        self.made
    }

    /// One message: a valid request with random flags, mutated most of the
    /// time.
    fn message(&mut self) -> Vec<u8> {
        let base = self.corpus.choose(&mut self.rng).cloned().expect("the corpus is not empty");
        let mut ty = base.ty;
        let mut flags = nlmsg::F_REQUEST | base.flags;
        if self.rng.random_bool(0.5) {
            flags |= nlmsg::F_ACK;
        }
        if self.rng.random_bool(0.15) {
            flags |= *[
                nlmsg::F_ECHO,
                nlmsg::F_DUMP,
                nlmsg::F_ROOT,
                nlmsg::F_MATCH,
                nlmsg::F_ATOMIC,
                nlmsg::F_CREATE,
                nlmsg::F_EXCL,
                nlmsg::F_REPLACE,
                nlmsg::F_APPEND,
                nlmsg::F_MULTI,
                nlmsg::F_DUMP_INTR,
            ]
            .choose(&mut self.rng)
            .expect("not empty");
        }
        if self.rng.random_bool(0.05) {
            flags ^= nlmsg::F_DUMP;
        }
        self.seq = self.seq.wrapping_add(1);
        let pid = if self.rng.random_bool(0.05) { self.rng.random() } else { 0 };
        let mut payload = base.payload;
        let mutations = if self.rng.random_bool(0.2) { 0 } else { self.rng.random_range(1..=4) };
        for _ in 0..mutations {
            match self.rng.random_range(0..10) {
                0 => ty = self.mutate_type(ty),
                1 => flags = self.mutate_flags(flags),
                2..5 => self.mutate_bytes(&mut payload),
                _ => match self.layout {
                    Layout::Attributes => self.mutate_attrs(&mut payload),
                    Layout::Tlv => self.mutate_tlv(&mut payload),
                    Layout::Text => self.mutate_text(&mut payload),
                },
            }
            payload.truncate(MAX_DATAGRAM - nlmsg::HDRLEN);
        }
        let len = nlmsg::HDRLEN + payload.len();
        let mut m =
            nlmsg::Header { len: len as u32, ..nlmsg::Header::new(ty, flags, self.seq, pid) }.to_bytes().to_vec();
        m.extend_from_slice(&payload);
        if self.rng.random_bool(0.08) {
            let bad = self.edge_len(len);
            m[..4].copy_from_slice(&bad.to_ne_bytes());
        }
        m
    }

    /// A length near `len` or on an edge: 0, below a header, one off, a
    /// little or a lot past the end.
    fn edge_len(&mut self, len: usize) -> u32 {
        let len = len as u32;
        match self.rng.random_range(0..6) {
            0 => *EDGE_U32.choose(&mut self.rng).expect("not empty"),
            1 => self.rng.random_range(0..16),
            2 => len.wrapping_sub(self.rng.random_range(1..=4)),
            3 => len.wrapping_add(self.rng.random_range(1..=8)),
            4 => len.wrapping_add(self.rng.random_range(9..=4096)),
            _ => self.rng.random(),
        }
    }

    fn mutate_type(&mut self, ty: u16) -> u16 {
        match self.rng.random_range(0..5) {
            // netlink's own types, and the first one a protocol may use.
            0 => self.rng.random_range(0..=nlmsg::MIN_TYPE + 1),
            1 => ty.wrapping_add(1),
            2 => ty.wrapping_sub(1),
            3 => self.corpus.choose(&mut self.rng).map_or(ty, |r| r.ty),
            _ => self.rng.random(),
        }
    }

    fn mutate_flags(&mut self, flags: u16) -> u16 {
        match self.rng.random_range(0..4) {
            0 => flags ^ (1 << self.rng.random_range(0..16)),
            1 => flags & !nlmsg::F_REQUEST,
            2 => u16::MAX,
            _ => self.rng.random(),
        }
    }

    /// Mutations that know nothing of the framing.
    fn mutate_bytes(&mut self, p: &mut Vec<u8>) {
        let at = |g: &mut Gen, len: usize| g.rng.random_range(0..=len);
        match self.rng.random_range(0..10) {
            0 if !p.is_empty() => {
                let i = self.rng.random_range(0..p.len());
                p[i] ^= 1 << self.rng.random_range(0..8);
            }
            1 if !p.is_empty() => {
                let i = self.rng.random_range(0..p.len());
                p[i] = *[0u8, 1, 0x7f, 0x80, 0xff, b'A'].choose(&mut self.rng).expect("not empty");
            }
            2 if p.len() >= 4 => {
                // An aligned u32 (a length, a value) set to an edge.
                let i = self.rng.random_range(0..p.len() / 4) * 4;
                let v = *EDGE_U32.choose(&mut self.rng).expect("not empty");
                p[i..i + 4].copy_from_slice(&v.to_ne_bytes());
            }
            3 => {
                let i = at(self, p.len());
                let n = self.rng.random_range(1..=16);
                let mut junk = Vec::new();
                self.push_random(&mut junk, n);
                p.splice(i..i, junk);
            }
            4 if !p.is_empty() => {
                let i = self.rng.random_range(0..p.len());
                let n = self.rng.random_range(1..=(p.len() - i).min(32));
                p.drain(i..i + n);
            }
            5 => {
                let cut = at(self, p.len());
                p.truncate(cut);
            }
            6 if !p.is_empty() => {
                // A part of it again, somewhere.
                let i = self.rng.random_range(0..p.len());
                let n = self.rng.random_range(1..=(p.len() - i).min(256));
                let chunk = p[i..i + n].to_vec();
                let to = at(self, p.len());
                p.splice(to..to, chunk);
            }
            7 => {
                // The start of another request's payload, then the rest of this one.
                let other = self.corpus.choose(&mut self.rng).map(|r| r.payload.clone()).unwrap_or_default();
                let keep = at(self, other.len());
                let from = at(self, p.len());
                let tail = p.split_off(from);
                *p = other[..keep].to_vec();
                p.extend_from_slice(&tail);
            }
            8 if self.rng.random_bool(0.1) => {
                // A big one: a module's 64 KiB limit and around it.
                let n = self.rng.random_range(60_000..=66_000);
                p.resize(n, b'B');
            }
            9 => p.clear(),
            // The arms above whose condition did not hold: a bit flip, if
            // there is a bit.
            _ if !p.is_empty() => {
                let i = self.rng.random_range(0..p.len());
                p[i] ^= 1 << self.rng.random_range(0..8);
            }
            _ => {}
        }
    }

    /// Text mutations: longer, shorter, not UTF-8, without a NUL.
    fn mutate_text(&mut self, p: &mut Vec<u8>) {
        let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
        match self.rng.random_range(0..5) {
            0 => {
                // Longer, still valid text: any length up to past the limit.
                let n = self.rng.random_range(1..=300);
                let c = self.rng.random_range(b'a'..=b'z');
                p.splice(end..end, std::iter::repeat_n(c, n));
            }
            1 => {
                let n = self.rng.random_range(0..=end);
                p.drain(n..end);
            }
            2 => {
                let i = self.rng.random_range(0..=end);
                p.insert(i, *[0xffu8, 0xc3, 0xe2, 0x80].choose(&mut self.rng).expect("not empty"));
            }
            3 => p.retain(|&b| b != 0),
            _ => {
                let n = self.rng.random_range(1..=8);
                p.extend(std::iter::repeat_n(0u8, n));
            }
        }
    }

    /// Where the attributes of `p` start, nested ones included (those whose
    /// payload is itself a whole run of attributes).
    fn attr_offsets(p: &[u8]) -> Vec<usize> {
        let mut found = Vec::new();
        let mut stack = vec![(0usize, p.len())];
        while let Some((mut at, end)) = stack.pop() {
            while at + NLA_HDRLEN <= end {
                let len = usize::from(u16::from_ne_bytes([p[at], p[at + 1]]));
                if len < NLA_HDRLEN || at + len > end {
                    break;
                }
                found.push(at);
                let inner = (at + NLA_HDRLEN, at + len);
                if inner.1 - inner.0 >= NLA_HDRLEN && Self::whole_run(&p[inner.0..inner.1]) {
                    stack.push(inner);
                }
                at += len.next_multiple_of(4);
            }
        }
        found
    }

    /// Is `p` a run of attributes that ends exactly at its end?
    fn whole_run(p: &[u8]) -> bool {
        let mut at = 0;
        while at + NLA_HDRLEN <= p.len() {
            let len = usize::from(u16::from_ne_bytes([p[at], p[at + 1]]));
            if len < NLA_HDRLEN || at + len > p.len() {
                return false;
            }
            at += len.next_multiple_of(4);
        }
        at >= p.len()
    }

    /// Mutations of `struct nlattr` headers and values.
    fn mutate_attrs(&mut self, p: &mut Vec<u8>) {
        let offsets = Self::attr_offsets(p);
        let Some(&at) = offsets.choose(&mut self.rng) else {
            return self.insert_attr(p);
        };
        let len = usize::from(u16::from_ne_bytes([p[at], p[at + 1]]));
        let ty = u16::from_ne_bytes([p[at + 2], p[at + 3]]);
        let set_len = |p: &mut Vec<u8>, v: usize| p[at..at + 2].copy_from_slice(&(v.min(0xffff) as u16).to_ne_bytes());
        let set_ty = |p: &mut Vec<u8>, v: u16| p[at + 2..at + 4].copy_from_slice(&v.to_ne_bytes());
        match self.rng.random_range(0..10) {
            0 => {
                let to_end = p.len() - at;
                let v = *[0, 1, 3, 4, 5, len - 1, len + 1, len + 4, to_end, to_end + 1, 0xffff]
                    .choose(&mut self.rng)
                    .expect("not empty");
                set_len(p, v);
            }
            1 => {
                let base = ty & !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
                let v = match self.rng.random_range(0..6) {
                    0 => 0,
                    1 => ty ^ NLA_F_NESTED,
                    2 => ty ^ NLA_F_NET_BYTEORDER,
                    3 => base + 1,
                    4 => self.rng.random_range(1..=32),
                    _ => self.rng.random(),
                };
                set_ty(p, v);
            }
            2 => {
                p.drain(at..(at + len.next_multiple_of(4)).min(p.len()));
            }
            3 => {
                let copy = p[at..(at + len.next_multiple_of(4)).min(p.len())].to_vec();
                p.splice(at..at, copy);
            }
            4 => {
                // Wrapped in a nest of a random type.
                let outer = (len + NLA_HDRLEN) as u16;
                let kind = self.rng.random_range(1..=8) | NLA_F_NESTED;
                let mut h = outer.to_ne_bytes().to_vec();
                h.extend_from_slice(&kind.to_ne_bytes());
                p.splice(at..at, h);
            }
            5 if len > NLA_HDRLEN => {
                // Its value cut short, the header saying so.
                let keep = self.rng.random_range(0..len - NLA_HDRLEN);
                p.drain(at + NLA_HDRLEN + keep..at + len);
                set_len(p, NLA_HDRLEN + keep);
            }
            6 => {
                // Its value longer, the header saying so.
                let n = self.rng.random_range(1..=80);
                let fill = *[0u8, b'A', 0xff].choose(&mut self.rng).expect("not empty");
                p.splice(at + len..at + len, std::iter::repeat_n(fill, n));
                set_len(p, len + n);
            }
            7 if len > NLA_HDRLEN => {
                // A string without its NUL, or not UTF-8.
                let last = at + len - 1;
                p[last] = if self.rng.random_bool(0.5) { b'x' } else { 0xff };
            }
            _ => self.insert_attr(p),
        }
    }

    /// A new attribute of a small random type and value, somewhere.
    fn insert_attr(&mut self, p: &mut Vec<u8>) {
        let n = *[0usize, 1, 2, 4, 8, 16, 33].choose(&mut self.rng).expect("not empty");
        let ty: u16 = self.rng.random_range(0..=12);
        let mut a = ((NLA_HDRLEN + n) as u16).to_ne_bytes().to_vec();
        a.extend_from_slice(&ty.to_ne_bytes());
        self.push_random(&mut a, n);
        a.resize(a.len().next_multiple_of(4), 0);
        let offsets = Self::attr_offsets(p);
        let at = offsets.choose(&mut self.rng).copied().unwrap_or(p.len()).min(p.len());
        p.splice(at..at, a);
    }

    /// Mutations of lesson 03's TLV records: their type and length bytes.
    fn mutate_tlv(&mut self, p: &mut Vec<u8>) {
        let mut starts = Vec::new();
        let mut at = 0;
        while at + 2 <= p.len() {
            starts.push(at);
            at += 2 + usize::from(p[at + 1]);
        }
        let Some(&at) = starts.choose(&mut self.rng) else {
            let n = self.rng.random_range(0..=255u8);
            p.extend_from_slice(&[self.rng.random_range(0..=4), n]);
            return self.push_random(p, usize::from(n));
        };
        let len = usize::from(p[at + 1]);
        match self.rng.random_range(0..5) {
            0 => p[at + 1] = *[0u8, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 255].choose(&mut self.rng).expect("not empty"),
            1 => p[at] = *[0u8, 1, 2, 3, 4, 255].choose(&mut self.rng).expect("not empty"),
            2 => {
                p.drain(at..(at + 2 + len).min(p.len()));
            }
            3 => {
                let copy = p[at..(at + 2 + len).min(p.len())].to_vec();
                p.splice(at..at, copy);
            }
            _ => {
                // The length byte says more than is left.
                let left = p.len() - at - 2;
                p[at + 1] = (left + 1).min(255) as u8;
            }
        }
    }

    fn push_random(&mut self, out: &mut Vec<u8>, n: usize) {
        out.extend((0..n).map(|_| self.rng.random::<u8>()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nlprobe::profile;

    fn corpus(name: &str) -> Vec<Request> {
        profile::by_name(name).expect("a profile").requests()
    }

    #[test]
    fn a_seed_gives_the_same_datagrams() {
        let run = |seed| {
            let mut g = Gen::new(seed, corpus("person"), Layout::Attributes);
            (0..200).map(|_| g.datagram()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn inputs_are_bounded_and_varied() {
        for (name, layout) in
            [("greet", Layout::Text), ("tlv", Layout::Tlv), ("person", Layout::Attributes), ("rtm", Layout::Attributes)]
        {
            let mut g = Gen::new(1, corpus(name), layout);
            let (mut batches, mut empty, mut bad_len, mut valid_first) = (0, 0, 0, 0);
            let n = 5000;
            for _ in 0..n {
                let d = g.datagram();
                assert!(d.len() <= MAX_DATAGRAM);
                if d.is_empty() {
                    empty += 1;
                    continue;
                }
                let msgs: Vec<_> = nlmsg::Messages::new(&d).collect();
                if msgs.len() > 1 {
                    batches += 1;
                }
                match msgs.first() {
                    Some(Ok(m)) if g.corpus.iter().any(|r| r.ty == m.header.ty && r.payload == m.payload) => {
                        valid_first += 1
                    }
                    Some(Err(_)) => bad_len += 1,
                    _ => {}
                }
            }
            // Some of each kind, none dominating (the shares are those the
            // generator draws, give or take).
            for (what, count) in [("batches", batches), ("broken lengths", bad_len), ("unmutated", valid_first)] {
                assert!(count > n / 50 && count < n * 3 / 4, "{name}: {count} {what} of {n}");
            }
            assert!(empty > 0 && empty < n / 20, "{name}: {empty} empty datagrams of {n}");
            // 70 % hold one message, 25 % 2 to 8, 5 % 9 to 64: 3.8 on average.
            let per = g.messages() as f64 / n as f64;
            assert!((3.0..4.6).contains(&per), "{name}: {per} messages a datagram");
        }
    }

    #[test]
    fn attribute_walk_finds_nested_attributes() {
        // NAME "Ada", ADDRESS { STREET "x", CITY "y" }: 5 attributes.
        let person = corpus("person");
        let nested = person.iter().find(|r| r.payload.len() > 40).expect("the request with an address");
        assert_eq!(Gen::attr_offsets(&nested.payload).len(), 5);
        assert!(Gen::attr_offsets(&[1, 0, 0]).is_empty());
        assert!(Gen::attr_offsets(&[0xff, 0xff, 1, 0, 0, 0, 0, 0]).is_empty());
    }

    #[test]
    fn mutations_never_panic() {
        for layout in [Layout::Text, Layout::Tlv, Layout::Attributes] {
            for name in ["greet", "tlv", "person", "rtm-notify"] {
                let mut g = Gen::new(99, corpus(name), layout);
                for _ in 0..3000 {
                    g.datagram();
                }
            }
        }
    }
}
