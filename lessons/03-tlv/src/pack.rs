//! Packing a record set into TLVs with the shared writer (`wire::tlv`).

use std::io;
use wire::tlv::{self, TlvWriter};

/// What `tlv send` packs: the records from the command line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Records {
    /// Names, at most 31 bytes each.
    pub names: Vec<String>,
    /// Websites, at most 63 bytes each.
    pub websites: Vec<String>,
    /// Employee ids.
    pub ids: Vec<u64>,
    /// Extra TLVs taken as they are, `(type, value)`: any type, any bytes,
    /// to see what the module does with them.
    pub raw: Vec<(u8, Vec<u8>)>,
}

/// Most units one TLV can carry: the length byte counts at most 255 value
/// bytes, so 7 names (224 bytes), 3 websites (192) or 31 ids (248).
const fn per_tlv(unit: usize) -> usize {
    tlv::MAX_VALUE_LEN / unit
}

/// Packs `records` into TLVs: the names, as few NAME TLVs as the 255-byte
/// limit allows, then the websites, then the ids, then the raw TLVs.
pub fn pack(records: &Records) -> io::Result<Vec<u8>> {
    // Room for everything: every unit, a header per unit at worst, the raw TLVs.
    let room = records.names.len() * (2 + tlv::NAME_UNIT)
        + records.websites.len() * (2 + tlv::WEBSITE_UNIT)
        + records.ids.len() * (2 + tlv::EMPLOYEE_ID_UNIT)
        + records.raw.iter().map(|(_, v)| 2 + v.len()).sum::<usize>();
    let mut buf = vec![0u8; room];
    let mut w = TlvWriter::new(&mut buf);
    let bad = |what: &str, e: wire::Error| io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {e}"));

    let names: Vec<&str> = records.names.iter().map(String::as_str).collect();
    for chunk in names.chunks(per_tlv(tlv::NAME_UNIT)) {
        w.put_names(chunk).map_err(|e| bad("a name (at most 31 bytes, no NUL)", e))?;
    }
    let sites: Vec<&str> = records.websites.iter().map(String::as_str).collect();
    for chunk in sites.chunks(per_tlv(tlv::WEBSITE_UNIT)) {
        w.put_websites(chunk).map_err(|e| bad("a website (at most 63 bytes, no NUL)", e))?;
    }
    for chunk in records.ids.chunks(per_tlv(tlv::EMPLOYEE_ID_UNIT)) {
        w.put_ids(chunk).map_err(|e| bad("an employee id", e))?;
    }
    for (ty, value) in &records.raw {
        w.put(*ty, value).map_err(|e| bad("a raw TLV (at most 255 bytes)", e))?;
    }
    Ok(w.into_bytes().to_vec())
}

/// Parses `TYPE:HEX` (e.g. `9:cafe`, or `9:` for an empty value) for `--raw`.
pub fn parse_raw(arg: &str) -> Result<(u8, Vec<u8>), String> {
    let (ty, hex) = arg.split_once(':').ok_or("expected TYPE:HEX, e.g. 9:cafe")?;
    let ty = ty.parse::<u8>().map_err(|_| format!("type `{ty}` is not a number from 0 to 255"))?;
    Ok((ty, parse_hex(hex)?))
}

/// Parses hex digits, in pairs: `"0a0B"` is `[10, 11]`.
pub fn parse_hex(hex: &str) -> Result<Vec<u8>, String> {
    if !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`{hex}` is not pairs of hex digits"));
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| e.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::tlv::{unit_str, unit_u64, Tlv};

    #[test]
    fn packs_in_as_few_tlvs_as_fit() {
        let records = Records {
            names: (0..9).map(|i| format!("name {i}")).collect(),
            websites: vec!["https://kernel.org".into()],
            ids: (1..=40).collect(),
            raw: vec![(9, vec![0xca, 0xfe])],
        };
        let bytes = pack(&records).unwrap();
        // 9 names: 7 + 2; 40 ids: 31 + 9; then the raw TLV, back to back,
        // each header two bytes: type, length.
        let shape = [(1, 224), (1, 64), (2, 64), (3, 248), (3, 72), (9, 2)];
        let mut at = 0;
        let mut tlvs = Vec::new();
        for (ty, len) in shape {
            assert_eq!(bytes[at..at + 2], [ty, len as u8], "header at {at}");
            tlvs.push(Tlv { ty, value: &bytes[at + 2..at + 2 + len] });
            at += 2 + len;
        }
        assert_eq!(at, bytes.len());
        let names: Vec<_> = tlvs[..2].iter().flat_map(|t| t.units()).map(|u| unit_str(u).unwrap()).collect();
        assert_eq!(names, records.names);
        let ids: Vec<_> = tlvs[3..5].iter().flat_map(|t| t.units()).map(|u| unit_u64(u).unwrap()).collect();
        assert_eq!(ids, records.ids);
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let long = Records { names: vec!["x".repeat(32)], ..Records::default() };
        assert!(pack(&long).is_err());
        let nul = Records { websites: vec!["a\0b".into()], ..Records::default() };
        assert!(pack(&nul).is_err());
        let raw = Records { raw: vec![(9, vec![0; 256])], ..Records::default() };
        assert!(pack(&raw).is_err());
        assert!(pack(&Records::default()).unwrap().is_empty());
    }

    #[test]
    fn raw_arguments() {
        assert_eq!(parse_raw("9:cafe"), Ok((9, vec![0xca, 0xfe])));
        assert_eq!(parse_raw("200:"), Ok((200, vec![])));
        assert!(parse_raw("256:00").is_err());
        assert!(parse_raw("9:abc").is_err());
        assert!(parse_raw("9:zz").is_err());
        assert!(parse_raw("9").is_err());
    }
}
