//! Bounds-checked little helpers to read and write integers inside a byte
//! slice.
//!
//! Every function returns `None` instead of panicking when the requested
//! bytes are not all inside the slice. The other modules turn that `None`
//! into the right [`Error`](super::Error).

/// Reads `N` bytes starting at `at`.
pub(super) fn array<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    let end = at.checked_add(N)?;
    buf.get(at..end)?.try_into().ok()
}

/// Reads a host-order `u16` at `at`.
pub(super) fn u16_ne(buf: &[u8], at: usize) -> Option<u16> {
    array(buf, at).map(u16::from_ne_bytes)
}

/// Reads a host-order `u32` at `at`.
pub(super) fn u32_ne(buf: &[u8], at: usize) -> Option<u32> {
    array(buf, at).map(u32::from_ne_bytes)
}

/// Reads a host-order `i32` at `at`.
pub(super) fn i32_ne(buf: &[u8], at: usize) -> Option<i32> {
    array(buf, at).map(i32::from_ne_bytes)
}

/// Copies `src` into `buf` starting at `at`.
pub(super) fn put(buf: &mut [u8], at: usize, src: &[u8]) -> Option<()> {
    let end = at.checked_add(src.len())?;
    buf.get_mut(at..end)?.copy_from_slice(src);
    Some(())
}

/// Fills `len` bytes of `buf` starting at `at` with zeros.
pub(super) fn zero(buf: &mut [u8], at: usize, len: usize) -> Option<()> {
    let end = at.checked_add(len)?;
    buf.get_mut(at..end)?.fill(0);
    Some(())
}
