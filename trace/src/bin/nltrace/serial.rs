//! Carrying a file out of the lab VM on its second serial port.
//!
//! The VM has no network and no shared folder; its only ways out are serial
//! ports. The first is the console (text the host reads line by line); the
//! second, `/dev/ttyS1`, is connected by qemu to a file on the host when the
//! host asks for it (`LAB_SERIAL2`, `lab/boot.sh`). A tty changes bytes on
//! their way (`\n` becomes `\r\n`, ...) unless it is put in raw mode, which
//! this does before writing the file's bytes exactly, then waits until the
//! last one has left the port.

use nix::sys::termios::{self, SetArg};
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Writes `data` to the serial port `port`, unchanged, and returns once it
/// has been sent.
pub fn send(data: &[u8], port: &Path) -> io::Result<()> {
    let mut tty = OpenOptions::new().write(true).custom_flags(libc::O_NOCTTY).open(port)?;
    let mut t = termios::tcgetattr(&tty)?;
    termios::cfmakeraw(&mut t);
    termios::tcsetattr(&tty, SetArg::TCSANOW, &t)?;
    tty.write_all(data)?;
    termios::tcdrain(&tty)?;
    Ok(())
}
