//! `course trace N`: lesson N's demo with the netlink capture on. The VM
//! runs `nltrace capture` (trace/) around the demo, sends the pcap file out
//! on its second serial port into `target/trace/NN-topic.pcap`, and this
//! prints every netlink message the demo caused, decoded.

use crate::lab::{Lab, Lint};
use crate::lessons::{Lesson, Variant};
use crate::report;
use anyhow::{bail, Context, Result};
use std::fs::{self, File};
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Where the capture of a lesson is saved.
pub fn pcap_path(root: &Path, lesson: &Lesson) -> PathBuf {
    root.join("target/trace").join(format!("{}.pcap", lesson.slug))
}

/// Puts `nltrace` (built for the VM) and the guest's `trace.sh` into a
/// stage: `course trace` runs them, and in `course shell` they are at hand.
pub fn add_to_stage(lab: &Lab, root: &Path, stage: &Path) -> Result<()> {
    let files = ["nltrace".to_string()];
    let bin = crate::builder::static_binaries(
        lab,
        &root.join("trace"),
        &crate::builder::Workspace::Course,
        None,
        &files,
        false,
    )?
    .join("nltrace");
    fs::copy(&bin, stage.join("bin/nltrace")).with_context(|| format!("copying {}", bin.display()))?;
    fs::copy(root.join("trace/guest/trace.sh"), stage.join("trace.sh"))?;
    Ok(())
}

/// Runs the traced demo, prints the listing, and says where the file is.
pub fn trace(root: &Path, lesson: &Lesson, variant: Variant) -> Result<bool> {
    let lab = Lab::prepare(root)?;
    let stage = lab.stage(&[lesson], variant, Lint::Fast)?;
    add_to_stage(&lab, root, &stage)?;
    let script = format!("{:02}-trace.sh", lesson.number);
    fs::write(stage.join(&script), format!("sh /lab/trace.sh /lab/{:02}-demo.sh\n", lesson.number))?;

    let pcap = pcap_path(root, lesson);
    if pcap.to_string_lossy().contains(',') {
        bail!("{}: qemu cannot write to a path with a comma in it", pcap.display());
    }
    fs::create_dir_all(pcap.parent().context("pcap path")?)?;
    let _ = fs::remove_file(&pcap);
    println!(
        "== Lesson {}: {} ({} code), traced: the demo, then every netlink message it caused",
        lesson.number,
        lesson.manifest.title,
        variant.name()
    );
    let console = lab.boot_with(&stage, &script, true, Some(&pcap))?;
    if !report::crash_lines(&console).is_empty() || !report::finished(&console) {
        report::print_tail(&console);
        return Ok(false);
    }
    // The guest says how many bytes it sent; the file must hold them all.
    let sent = console.iter().find_map(|l| l.strip_prefix("nltrace: sent ")?.split(' ').next()?.parse::<u64>().ok());
    let got = fs::metadata(&pcap).map(|m| m.len()).unwrap_or(0);
    match sent {
        None => bail!("the guest sent no capture (see its output above)"),
        Some(n) if n != got => bail!("the capture arrived incomplete: {got} of {n} bytes in {}", pcap.display()),
        Some(_) => {}
    }
    let frames = nltrace::pcap::read(BufReader::new(File::open(&pcap)?))
        .with_context(|| format!("reading {}", pcap.display()))?;
    let shown = pcap.strip_prefix(root).unwrap_or(&pcap).display().to_string();
    println!("\n== The netlink messages of the demo: {} frame(s), saved in {shown}", frames.len());
    print!("{}", nltrace::listing::render(&frames));
    if frames.is_empty() {
        println!("(nothing: no message reached a netlink socket of protocol 31 or NETLINK_ROUTE during the demo)");
    }
    println!(
        "\nOpen {shown} in Wireshark, or list it with `tshark -r {shown} -V` or `cargo run -q -p nltrace -- show {shown}`."
    );
    Ok(true)
}
