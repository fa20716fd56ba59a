//! The run: the regression cases, then the fuzzing processes and the
//! unload/load churn side by side for the time given, then the checks after
//! (the module answers, unloads, the kernel reported nothing), and when
//! something failed, the search for the input that did it.

use crate::gen::Layout;
use crate::kmsg::{self, Kmsg};
use crate::loader::{self, Churn, Module};
use crate::regress::{self, KEEP};
use crate::ring;
use crate::worker::{self, Stats};
use crate::Cli;
use nlprobe::profile::Profile;
use nlprobe::sock::{Received, Socket, NETLINK_EXT_ACK};
use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};
use wire::nlmsg::{self, Messages};
use wire::writer::Writer;

/// How a profile's payloads are framed.
pub fn layout(p: &Profile) -> Layout {
    match (p.attrs.is_some(), p.name) {
        (true, _) => Layout::Attributes,
        (false, "tlv") => Layout::Tlv,
        _ => Layout::Text,
    }
}

/// How long a fuzzing process may overrun its time before it counts as stuck.
const GRACE: Duration = Duration::from_secs(5);
/// How long the replay of one case may take.
const REPLAY_LIMIT: Duration = Duration::from_secs(10);
/// How many of the last inputs are tried alone, at most, to find the one
/// that made the kernel report.
const SUSPECTS: usize = 128;

/// What went wrong, and the inputs to keep.
#[derive(Default)]
struct Findings {
    failures: Vec<String>,
    keep: Vec<Vec<Vec<u8>>>,
    /// The last inputs of processes when the kernel reported, or when one
    /// died or hung: where the input that did it is to be looked for.
    suspects: Vec<Vec<Vec<u8>>>,
    /// A kernel report not explained yet by an input found.
    unexplained: Option<String>,
    /// The last inputs of every process when the fuzz ended: the suspects
    /// of a report that comes later, while the module is checked.
    last_inputs: Vec<Vec<Vec<u8>>>,
}

/// The kernel settings that turn an oops or a warning into a panic, set to
/// 0 while the fuzzer runs and put back when it ends.
struct Panics(Vec<(&'static str, String)>);

impl Panics {
    fn relax() -> Panics {
        let mut old = Vec::new();
        for path in ["/proc/sys/kernel/panic_on_oops", "/proc/sys/kernel/panic_on_warn"] {
            if let Ok(v) = fs::read_to_string(path) {
                if fs::write(path, "0").is_ok() {
                    old.push((path, v));
                }
            }
        }
        Panics(old)
    }
}

impl Drop for Panics {
    fn drop(&mut self) {
        for (path, v) in &self.0 {
            let _ = fs::write(path, v.trim());
        }
    }
}

/// A fuzzing process as the supervisor sees it.
struct Proc {
    index: u32,
    student: bool,
    child: Child,
    ring: PathBuf,
    status: Option<ExitStatus>,
}

/// The whole run; prints the verdict.
pub fn run(cli: &Cli, profile: &Profile) -> ExitCode {
    let seed = cli.seed.unwrap_or_else(new_seed);
    let replay = format!(
        "nlfuzz --profile {} --module {} --seed {seed:#x}",
        profile.name,
        cli.module.as_deref().unwrap_or(Path::new("KO")).display()
    );
    let check = &cli.check;
    let (Some(path), Some(name)) = (&cli.module, profile.module) else {
        println!("FAIL: {check}: nlfuzz needs --module (the .ko of {}), and a profile of a module", profile.name);
        return ExitCode::FAILURE;
    };
    // SAFETY: geteuid() has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        println!("FAIL: {check}: nlfuzz needs root (to load modules, read the kernel log, start the processes)");
        return ExitCode::FAILURE;
    }
    let module = match Module::new(name, path.clone()) {
        Ok(m) => m,
        Err(e) => {
            println!("FAIL: {check}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut kmsg = match Kmsg::open() {
        Ok(k) => k,
        Err(e) => {
            println!("FAIL: {check}: cannot read the kernel log (/dev/kmsg): {e}");
            return ExitCode::FAILURE;
        }
    };
    let panics = Panics::relax();
    let mut f = Findings::default();
    let started = Instant::now();
    let (cases, fuzz) = match (|| -> io::Result<(usize, Option<Fuzzed>)> {
        module.load().map_err(|e| {
            let hint = if e.raw_os_error() == Some(libc::EBUSY) { " (another module has the protocol?)" } else { "" };
            io::Error::other(format!("cannot load {}: {e}{hint}", module.path().display()))
        })?;
        let cases = regressions(cli, profile, &module, &mut kmsg, &mut f)?;
        if !f.failures.is_empty() {
            return Ok((cases, None));
        }
        let before = answer(profile).map_err(|e| {
            io::Error::other(format!("the module does not answer its valid request even before the fuzz: {e}"))
        })?;
        let fuzzed = fuzz(cli, profile, &module, seed, &mut kmsg, &mut f)?;
        after(cli, profile, &module, &before, &mut kmsg, &mut f);
        Ok((cases, Some(fuzzed)))
    })() {
        Ok(done) => done,
        Err(e) => {
            f.failures.push(format!("nlfuzz could not go on: {e}"));
            (0, None)
        }
    };
    if f.unexplained.is_some() || !f.suspects.is_empty() {
        look_for_culprit(cli, profile, &module, &mut kmsg, &mut f);
    }
    // Left unloaded whatever happened, if it can be.
    if module.loaded() {
        let _ = module.unload_within(Duration::from_secs(1));
    }
    drop(panics);
    let figures = match &fuzz {
        Some(z) => z.figures(profile.name, cases, seed),
        None => format!("{}: {cases} regression case(s) replayed; seed {seed:#x}", profile.name),
    };
    let verdict = if f.failures.is_empty() {
        println!("PASS: {check}");
        ExitCode::SUCCESS
    } else {
        // One line: the lab's report reads the FAIL line alone.
        let why = f.failures.join(" | ").replace('\n', " ");
        println!("FAIL: {check}: {why}; seed {seed:#x} (`{replay}` sends the same inputs)");
        ExitCode::FAILURE
    };
    println!("nlfuzz: {figures}; {:.1} s in all", started.elapsed().as_secs_f64());
    let mut seen = HashSet::new();
    for case in f.keep.iter().filter(|c| seen.insert(regress::format(c))) {
        println!("{KEEP} {} {}", profile.name, regress::format(case));
    }
    verdict
}

/// A seed from the clock and the process id.
fn new_seed() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut z = (t.as_nanos() as u64) ^ (u64::from(std::process::id()) << 32);
    // splitmix64's finaliser: neighbouring clocks give distant seeds.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Replays the built-in cases and those of `--regressions`, each alone in a
/// process of its own; a case that makes the kernel report fails the run.
/// Returns how many were replayed.
fn regressions(cli: &Cli, p: &Profile, module: &Module, kmsg: &mut Kmsg, f: &mut Findings) -> io::Result<usize> {
    let mut sources = Vec::new();
    if !cli.fresh {
        sources.push((format!("regressions/{}.hex", p.name), regress::built_in(p.name).to_string()));
    }
    for file in &cli.regressions {
        sources.push((file.display().to_string(), fs::read_to_string(file)?));
    }
    let mut n = 0;
    for (name, text) in sources {
        for case in regress::parse(&text).map_err(|e| io::Error::other(format!("{name}: {e}")))? {
            n += 1;
            module.load()?;
            let outcome = replay_alone(p, &case.datagrams)?;
            let reports = reports(kmsg, &cli.report_signs);
            if let Some(why) = outcome.or(reports.first().cloned()) {
                f.failures.push(format!("regression case of {name} line {} fails again: {why}", case.line));
            }
        }
    }
    Ok(n)
}

/// The reports of bugs the kernel logged since the last look.
fn reports(kmsg: &mut Kmsg, signs: &str) -> Vec<String> {
    kmsg::reports(&kmsg.lines(), signs).into_iter().map(str::to_string).collect()
}

/// Sends `datagrams` from a process of its own (`nlfuzz --replay`), which
/// may die in the kernel without taking the supervisor along. Returns why
/// it failed, if it did.
fn replay_alone(p: &Profile, datagrams: &[Vec<u8>]) -> io::Result<Option<String>> {
    let file = std::env::temp_dir().join(format!("nlfuzz-replay-{}.hex", std::process::id()));
    fs::write(&file, regress::format(datagrams) + "\n")?;
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--profile", p.name, "--replay"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let status = wait_for(&mut child, REPLAY_LIMIT)?;
    let _ = fs::remove_file(&file);
    Ok(match status {
        None => {
            let _ = child.kill();
            Some(format!("sending it did not end in {} s (stuck in the kernel?)", REPLAY_LIMIT.as_secs()))
        }
        Some(s) if s.success() => None,
        Some(s) => Some(match s.signal() {
            Some(sig) => format!("the process sending it died (signal {sig}: an oops in its system call?)"),
            None => {
                let mut err = String::new();
                child.stderr.take().map(|mut e| e.read_to_string(&mut err));
                format!("the process sending it failed: {}", err.trim())
            }
        }),
    })
}

/// `--replay FILE`: sends each case on a socket of its own (root, extended
/// ACKs on) and reads all answers. Returns a line of counts, or an error
/// when an answer is odd (as [`worker::oddity`] says).
pub fn replay_file(p: &Profile, file: &Path) -> io::Result<String> {
    let text = fs::read_to_string(file)?;
    let cases = regress::parse(&text).map_err(io::Error::other)?;
    let (mut datagrams, mut answers) = (0, 0);
    for case in &cases {
        let sock = Socket::open(p.protocol)?;
        sock.enable(NETLINK_EXT_ACK)?;
        for d in &case.datagrams {
            datagrams += 1;
            // A refused send is an outcome like any other.
            let _ = sock.send(d);
            for _ in 0..1024 {
                match sock.recv(64 * 1024, Duration::from_millis(5))? {
                    Received::Datagram(a) => {
                        answers += Messages::new(&a.bytes).count();
                        if let Some(why) = worker::oddity(&a, sock.port(), false) {
                            return Err(io::Error::other(format!("it got {why}")));
                        }
                    }
                    Received::Error(_) => {}
                    Received::Nothing => break,
                }
            }
        }
    }
    Ok(format!("replayed {} case(s): {datagrams} datagram(s), {answers} answer(s)", cases.len()))
}

/// Waits for `child` at most `limit`.
fn wait_for(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let end = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait()? {
            return Ok(Some(s));
        }
        if Instant::now() >= end {
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// What the fuzzing part did.
struct Fuzzed {
    stats: Stats,
    processes: u32,
    /// Processes that ended normally and printed their counts (those of
    /// the others, but for the datagrams sent, are missing from `stats`).
    counted: u32,
    students: u32,
    seconds: f64,
    churn: Churn,
}

impl Fuzzed {
    fn figures(&self, profile: &str, cases: usize, seed: u64) -> String {
        let s = &self.stats;
        let rate = if self.seconds > 0.0 { s.datagrams as f64 / self.seconds } else { 0.0 };
        let of = if self.counted < self.processes {
            format!("; the counts below are of the {} that ended normally", self.counted)
        } else {
            String::new()
        };
        format!(
            "{profile}: {} datagrams in {:.1} s ({rate:.0}/s) from {} processes ({} as the unprivileged user{of}), \
             {} messages in them, {} answers read, {} sockets, {} sends refused, {} queue overruns; the module unloaded and loaded \
             again {} times ({} unloads refused while in use, {} sockets found it gone); {cases} regression \
             case(s) replayed first; seed {seed:#x}",
            s.datagrams,
            self.seconds,
            self.processes,
            self.students,
            s.messages,
            s.answers,
            s.sockets,
            s.send_errors,
            s.overruns,
            self.churn.reloads,
            self.churn.refused,
            s.absent,
        )
    }
}

/// The fuzzing processes and the churn, for `--seconds`.
fn fuzz(cli: &Cli, p: &Profile, module: &Module, seed: u64, kmsg: &mut Kmsg, f: &mut Findings) -> io::Result<Fuzzed> {
    let dir = std::env::temp_dir().join(format!("nlfuzz-{}", std::process::id()));
    fs::create_dir_all(&dir)?;
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))?;
    let exe = std::env::current_exe()?;
    let mut procs = Vec::new();
    let start = Instant::now();
    for index in 0..cli.processes {
        let student = index % 2 == 1;
        let ring = dir.join(format!("process-{index}"));
        for file in [ring.clone(), ring.with_extension("odd")] {
            fs::write(&file, b"")?;
            if student {
                std::os::unix::fs::chown(&file, Some(cli.student_uid), Some(cli.student_uid))?;
            }
        }
        let mut cmd = Command::new(&exe);
        cmd.args(["--profile", p.name, "--worker", &index.to_string(), "--seed", &seed.to_string()])
            .args(["--seconds", &cli.seconds.to_string(), "--ring"])
            .arg(&ring)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if student {
            cmd.uid(cli.student_uid).gid(cli.student_uid);
        }
        procs.push(Proc { index, student, child: cmd.spawn()?, ring, status: None });
    }
    let pids: Vec<libc::pid_t> = procs.iter().map(|p| p.child.id() as libc::pid_t).collect();
    let stop = AtomicBool::new(false);
    let churn = thread::scope(|s| {
        let churning = (!cli.no_reload).then(|| s.spawn(|| loader::churn(module, &pids, &stop, seed ^ 0x10ad)));
        watch(cli, &mut procs, kmsg, f, start);
        stop.store(true, Ordering::Relaxed);
        churning.map(|c| c.join().unwrap_or_default()).unwrap_or_default()
    });
    let seconds = start.elapsed().as_secs_f64();
    f.failures.extend(churn.errors.iter().cloned());
    let mut stats = Stats::default();
    let (mut datagrams, mut died, mut counted) = (0, Vec::<String>::new(), 0);
    for pr in &mut procs {
        let mut out = String::new();
        let mut err = String::new();
        pr.child.stdout.take().map(|mut o| o.read_to_string(&mut out));
        pr.child.stderr.take().map(|mut e| e.read_to_string(&mut err));
        let who = if pr.student { "the unprivileged user's" } else { "root's" };
        datagrams += ring::count(&pr.ring);
        match (pr.status, out.lines().find_map(Stats::parse)) {
            (Some(s), Some(counts)) if s.success() => {
                stats.add(&counts);
                counted += 1;
            }
            (Some(s), _) if s.signal() == Some(libc::SIGKILL) && !f.failures.is_empty() => {}
            (Some(s), _) => match s.signal() {
                Some(sig) => {
                    died.push(format!("{} ({who}, signal {sig})", pr.index));
                    f.suspects.push(ring::read(&pr.ring)?);
                }
                None => f.failures.push(format!("{who} fuzzing process {} failed: {}", pr.index, err.trim())),
            },
            (None, _) => {}
        }
        for line in fs::read_to_string(pr.ring.with_extension("odd")).unwrap_or_default().lines() {
            let Some((why, hex)) = line.split_once('\t') else { continue };
            f.failures.push(format!("{who} fuzzing process {} got {why}", pr.index));
            if let Some(input) = regress::from_hex(hex) {
                f.keep.push(vec![input]);
            }
        }
    }
    if !died.is_empty() {
        f.failures.push(format!("fuzzing process(es) {} died: killed in a system call by an oops?", died.join(", ")));
    }
    // Counted from the rings: processes that died printed no counts.
    stats.datagrams = datagrams;
    if f.suspects.is_empty() {
        f.last_inputs = procs.iter().map(|pr| ring::read(&pr.ring).unwrap_or_default()).collect();
    }
    let _ = fs::remove_dir_all(&dir);
    let students = procs.iter().filter(|p| p.student).count() as u32;
    Ok(Fuzzed { stats, processes: cli.processes, counted, students, seconds, churn })
}

/// Watches the fuzzing processes and the kernel log until every process
/// ended. At the first kernel report, or a process that overran its time,
/// it stops them all and keeps their last inputs as suspects.
fn watch(cli: &Cli, procs: &mut [Proc], kmsg: &mut Kmsg, f: &mut Findings, start: Instant) {
    let limit = Duration::from_secs_f64(cli.seconds) + GRACE;
    loop {
        thread::sleep(Duration::from_millis(50));
        for pr in procs.iter_mut().filter(|p| p.status.is_none()) {
            pr.status = pr.child.try_wait().ok().flatten();
        }
        let found = reports(kmsg, &cli.report_signs);
        let late = start.elapsed() > limit;
        if let Some(first) = found.first() {
            f.failures.push(format!("the kernel reported: {first}"));
            f.unexplained = Some(first.clone());
        } else if late {
            for pr in procs.iter().filter(|p| p.status.is_none()) {
                f.failures.push(format!(
                    "fuzzing process {} did not end {} s after its time (stuck in the kernel: a deadlock?)",
                    pr.index,
                    GRACE.as_secs()
                ));
            }
        }
        if !found.is_empty() || late {
            // Stopped first, so that the rings hold what was sent around the report.
            for pr in procs.iter().filter(|p| p.status.is_none()) {
                // SAFETY: kill() on our own child, which has not been reaped.
                unsafe { libc::kill(pr.child.id() as libc::pid_t, libc::SIGSTOP) };
            }
            for pr in procs.iter_mut() {
                f.suspects.push(ring::read(&pr.ring).unwrap_or_default());
                if pr.status.is_none() {
                    let _ = pr.child.kill();
                    pr.status = wait_for(&mut pr.child, Duration::from_secs(2)).ok().flatten();
                }
            }
            return;
        }
        if procs.iter().all(|p| p.status.is_some()) {
            return;
        }
    }
}

/// The checks after fuzzing: the module answers its valid request as it
/// did `before`, unloads, and its protocol is gone; the kernel reported
/// nothing meanwhile. Unless the kernel reported or a process died (the
/// module may be wedged), the unload is tried even after a failure, so that
/// the protocol is left free.
fn after(cli: &Cli, p: &Profile, module: &Module, before: &str, kmsg: &mut Kmsg, f: &mut Findings) {
    if f.unexplained.is_some() || !f.suspects.is_empty() {
        return;
    }
    match module.load().and_then(|()| answer(p)) {
        Ok(now) if now == before => {}
        Ok(now) => f.failures.push(format!("after the fuzz the valid request gets [{now}], before it got [{before}]")),
        Err(e) => f.failures.push(format!("after the fuzz the module does not answer its valid request: {e}")),
    }
    if let Err(e) = module.unload_within(Duration::from_secs(3)) {
        f.failures.push(format!(
            "rmmod {} fails after the fuzz ({e}): something still holds it (a socket, a dump, a reference leaked)",
            module.name()
        ));
    } else if Socket::open(p.protocol).is_ok() {
        f.failures.push(format!("protocol {} is still served after rmmod {}", p.protocol, module.name()));
    }
    if let Some(first) = reports(kmsg, &cli.report_signs).first() {
        f.failures.push(format!("the kernel reported: {first}"));
        f.unexplained = Some(first.clone());
        f.suspects = std::mem::take(&mut f.last_inputs);
    }
}

/// Sends the profile's valid request with `NLM_F_ACK` (with what it needs
/// in place first, as nlconform does) and describes the answers: `type 32,
/// ACK` from a module that serves it, `ERROR EOPNOTSUPP` from a starter
/// that does not yet. An error only when nothing (or something broken)
/// comes back.
fn answer(p: &Profile) -> io::Result<String> {
    if let Some(d) = &p.dump {
        // The fuzz may have emptied it, or an unload lost it.
        d.fixture.fill()?;
    }
    let sock = Socket::open(p.protocol)?;
    let mut buf = vec![0u8; p.valid.payload.len() + 64];
    let mut w = Writer::new(&mut buf);
    w.message(p.valid.ty, nlmsg::F_REQUEST | nlmsg::F_ACK | p.valid.flags, 1, 0, &p.valid.payload)
        .map_err(io::Error::other)?;
    sock.send(w.as_bytes())?;
    let mut seen = Vec::new();
    loop {
        let Received::Datagram(d) = sock.recv(64 * 1024, Duration::from_secs(2))? else {
            return Err(io::Error::other(format!("no answer in 2 s (after [{}])", seen.join(", "))));
        };
        for m in Messages::new(&d.bytes) {
            let m = m.map_err(|e| io::Error::other(format!("a broken answer: {e:?}")))?;
            match m.error_payload() {
                Some(Ok(e)) => {
                    seen.push(if e.error == 0 {
                        "ACK".into()
                    } else {
                        format!("ERROR {}", wire::errno::name(e.errno()))
                    });
                    return Ok(seen.join(", "));
                }
                Some(Err(e)) => return Err(io::Error::other(format!("a broken error message: {e:?}"))),
                None => seen.push(format!("type {}", m.header.ty)),
            }
        }
    }
}

/// Tries the suspects one at a time, each alone from a process of its own,
/// newest first across the processes, until the kernel reports again or a
/// sender dies: that input is kept (cut down to the one message that does
/// it, if it is a batch and one does). If none does it alone, the newest
/// few of each process are kept together as one case.
fn look_for_culprit(cli: &Cli, p: &Profile, module: &Module, kmsg: &mut Kmsg, f: &mut Findings) {
    let rings = std::mem::take(&mut f.suspects);
    if rings.iter().all(Vec::is_empty) {
        return;
    }
    let depth = rings.iter().map(Vec::len).max().unwrap_or(0);
    let mut tried = HashSet::new();
    let order = (0..depth).flat_map(|i| rings.iter().filter_map(move |r| r.get(i)));
    let _ = reports(kmsg, &cli.report_signs);
    for input in order.filter(|i| tried.insert((*i).clone())).take(SUSPECTS) {
        let Some(why) = fails_alone(cli, p, module, kmsg, input) else { continue };
        let smallest = split(input)
            .into_iter()
            .filter(|m| m.len() < input.len())
            .find_map(|m| fails_alone(cli, p, module, kmsg, &m).map(|why| (m, why)));
        let (input, why) = smallest.unwrap_or((input.clone(), why));
        f.failures.push(format!("found the input that does it ({} bytes, kept): {why}", input.len()));
        f.keep.push(vec![input]);
        let _ = module.unload_within(Duration::from_secs(1));
        return;
    }
    let _ = module.unload_within(Duration::from_secs(1));
    f.failures.push(format!(
        "no input does it alone ({} tried); the last 4 of each process are kept together",
        tried.len().min(SUSPECTS)
    ));
    let together: Vec<Vec<u8>> = rings.iter().flat_map(|r| r.iter().take(4).rev().cloned()).collect();
    if !together.is_empty() {
        f.keep.push(together);
    }
}

/// Sends `input` alone, from a process of its own, with the module loaded:
/// why it fails (the sender died or hung, or the kernel reported), if it does.
fn fails_alone(cli: &Cli, p: &Profile, module: &Module, kmsg: &mut Kmsg, input: &[u8]) -> Option<String> {
    module.load().ok()?;
    let died = replay_alone(p, &[input.to_vec()]).ok()?;
    died.or(reports(kmsg, &cli.report_signs).first().cloned())
}

/// The messages of a datagram, each as a datagram of its own, as far as
/// their lengths can be followed (the rest, if any, is the last piece).
fn split(datagram: &[u8]) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < datagram.len() {
        let rest = &datagram[at..];
        let len = rest.get(..4).map_or(0, |b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize);
        if len < nlmsg::HDRLEN || len > rest.len() {
            pieces.push(rest.to_vec());
            break;
        }
        pieces.push(rest[..len].to_vec());
        at += len.next_multiple_of(nlmsg::ALIGNTO);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_splits_into_its_messages() {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        w.message(20, 1, 1, 0, b"abc").unwrap();
        w.message(20, 1, 2, 0, b"hello").unwrap();
        let mut d = w.as_bytes().to_vec();
        d.extend_from_slice(&[0xff; 7]);
        let pieces = split(&d);
        assert_eq!(pieces.iter().map(Vec::len).collect::<Vec<_>>(), vec![19, 21, 7]);
        assert_eq!(&pieces[1][16..], b"hello");
        assert_eq!(split(&[1, 2, 3]), vec![vec![1, 2, 3]]);
        assert!(split(&[]).is_empty());
    }
}
