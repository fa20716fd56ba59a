//! The capture file: a classic pcap file of link type `LINKTYPE_NETLINK`
//! (253), the format `tcpdump -i nlmon0 -w FILE` writes and Wireshark and
//! tshark read. The format itself is the `pcap-file` crate's job; this
//! module only fixes the choices (link type, nanosecond timestamps, snap
//! length) and turns records into [`Frame`]s.
//!
//! One record is one frame: the [`super::cooked`] header, then the bytes of
//! one netlink datagram, which may hold several messages (a batch sent in
//! one `sendmsg`, or several parts of a dump received in one `recvmsg`).

use super::cooked::{self, Cooked};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};
use std::io::{Read, Write};
use std::time::Duration;

/// Longest frame kept, in bytes (the cooked header included); longer ones
/// are cut and keep their real length in the record (`orig_len`). Netlink
/// datagrams are at most a few tens of KiB (the course's largest is the
/// 64 KiB payload of lesson 02's size check).
pub const SNAPLEN: u32 = 256 * 1024;

/// One captured frame: when, on which netlink protocol, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// When the netlink tap saw it, since the Unix epoch (the guest's clock).
    pub time: Duration,
    /// The cooked header.
    pub cooked: Cooked,
    /// The netlink bytes (cut to [`SNAPLEN`] if longer).
    pub data: Vec<u8>,
    /// The real length of the netlink bytes, cut or not.
    pub len: usize,
}

impl Frame {
    /// True if the frame was cut to the snap length.
    pub fn is_cut(&self) -> bool {
        self.data.len() < self.len
    }
}

/// Why a capture file could not be read or written.
#[derive(Debug)]
pub enum Error {
    /// The pcap format (`pcap-file`'s words) or the file itself.
    Pcap(pcap_file::PcapError),
    /// The file holds another link type than `LINKTYPE_NETLINK`.
    NotNetlink(DataLink),
    /// A record shorter than the 16-byte cooked header.
    ShortRecord(usize),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Pcap(e) => write!(f, "{e}"),
            Error::NotNetlink(l) => write!(f, "not a netlink capture (link type {l:?}, not NETLINK)"),
            Error::ShortRecord(i) => write!(f, "record {i} is shorter than the 16-byte cooked header"),
        }
    }
}

impl std::error::Error for Error {}

impl From<pcap_file::PcapError> for Error {
    fn from(e: pcap_file::PcapError) -> Error {
        Error::Pcap(e)
    }
}

/// Writes frames into a pcap file as they are captured.
pub struct Writer<W: Write> {
    pcap: PcapWriter<W>,
}

impl<W: Write> Writer<W> {
    /// Writes the file header (link type NETLINK, nanosecond timestamps,
    /// host byte order) into `out`.
    pub fn new(out: W) -> Result<Writer<W>, Error> {
        let header = PcapHeader {
            datalink: DataLink::NETLINK,
            snaplen: SNAPLEN,
            ts_resolution: TsResolution::NanoSecond,
            endianness: Endianness::native(),
            ..PcapHeader::default()
        };
        Ok(Writer { pcap: PcapWriter::with_header(out, header)? })
    }

    /// Appends one frame: `data` are the netlink bytes received (at most
    /// [`SNAPLEN`] - 16 of them are kept), `len` their real length.
    pub fn write(&mut self, time: Duration, cooked: Cooked, data: &[u8], len: usize) -> Result<(), Error> {
        let keep = data.len().min(SNAPLEN as usize - cooked::LEN);
        let mut record = Vec::with_capacity(cooked::LEN + keep);
        record.extend_from_slice(&cooked.to_bytes());
        record.extend_from_slice(&data[..keep]);
        let orig_len = u32::try_from(cooked::LEN + len.max(keep)).unwrap_or(u32::MAX);
        self.pcap.write_packet(&PcapPacket::new(time, orig_len, &record))?;
        Ok(())
    }

    /// Ends the file and returns the writer it went to (flush it yourself if
    /// it buffers).
    pub fn into_inner(self) -> W {
        self.pcap.into_writer()
    }
}

/// Reads every frame of a netlink capture. Fails on another link type, a
/// damaged record or a record without a cooked header.
pub fn read(input: impl Read) -> Result<Vec<Frame>, Error> {
    let mut reader = PcapReader::new(input)?;
    let datalink = reader.header().datalink;
    if datalink != DataLink::NETLINK {
        return Err(Error::NotNetlink(datalink));
    }
    let mut frames = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet?;
        let (cooked, data) = Cooked::split(&packet.data).ok_or(Error::ShortRecord(frames.len() + 1))?;
        let len = (packet.orig_len as usize).saturating_sub(cooked::LEN).max(data.len());
        frames.push(Frame { time: packet.timestamp, cooked, data: data.to_vec(), len });
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read() {
        let mut w = Writer::new(Vec::new()).unwrap();
        let t = Duration::new(1_700_000_000, 123_456_789);
        w.write(t, Cooked::netlink(31), b"0123456789abcdef", 16).unwrap();
        w.write(t + Duration::from_micros(5), Cooked::netlink(0), b"xyz", 40).unwrap();
        let bytes = w.into_inner();
        // The pcap magic of nanosecond files, in host order.
        assert_eq!(bytes[..4], 0xa1b2_3c4du32.to_ne_bytes());
        // Link type 253 at offset 20.
        assert_eq!(bytes[20..24], 253u32.to_ne_bytes());
        let frames = read(&bytes[..]).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].time, t);
        assert_eq!(frames[0].cooked.protocol, 31);
        assert_eq!(frames[0].data, b"0123456789abcdef");
        assert!(!frames[0].is_cut());
        assert_eq!((frames[1].data.len(), frames[1].len), (3, 40));
        assert!(frames[1].is_cut());
    }

    #[test]
    fn refuses_other_link_types() {
        let header = PcapHeader { datalink: DataLink::ETHERNET, ..PcapHeader::default() };
        let bytes = PcapWriter::with_header(Vec::new(), header).unwrap().into_writer();
        assert!(matches!(read(&bytes[..]), Err(Error::NotNetlink(DataLink::ETHERNET))));
        assert!(matches!(read(&b"nonsense"[..]), Err(Error::Pcap(_))));
    }
}
