//! Many lab runs in one boot: the host side of the guest's job runner
//! (`lab/guest/jobs.sh`, where the protocol is described).
//!
//! A job is one lesson's built code and the script to run on it (its
//! checks, say). `run` stages every job in its own folder, boots the VM
//! once, and reads each job's part of the console between its
//! `LAB: job N begin` and `LAB: job N end` lines. A job that crashes the
//! kernel or hangs ends the boot: it is reported as such, with the console
//! lines that show it, and the VM boots again for the jobs after it.

use crate::builder::Built;
use crate::lab::Lab;
use crate::lessons::Variant;
use crate::report;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// One run of a script on one lesson's code.
pub struct Job {
    /// What it is, for messages ("lesson 02, mutant reply-seq-0").
    pub label: String,
    /// The modules and programs.
    pub built: Built,
    /// The lesson's folder of guest scripts (`checks/NN-topic`), and its number.
    pub scripts: PathBuf,
    pub number: u32,
    /// The script to run: `check.sh`, `demo.sh`...
    pub script: &'static str,
    /// Replay the student's kept fuzz inputs (target/lab/fuzz/, as the
    /// job's /lab/fuzz/): set for the student's own check runs.
    pub fuzz_kept: bool,
    /// How long the fuzz checks send, in seconds (lib.sh's FUZZ_SECONDS);
    /// `None`: lib.sh's default. 0 replays the regression cases only, for
    /// runs about other checks (mutants the fuzzer is not meant to catch).
    pub fuzz_seconds: Option<u32>,
}

/// How a job ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Its script ran to its end, with this exit status.
    Finished(i32),
    /// The kernel crashed while it ran (oops, panic, warning: the lab makes each fatal).
    Crashed,
    /// Its script finished, but the kernel reported a bug it caused (the
    /// debug kernel's lockdep, KASAN, kmemleak: `LAB: kernel report:` lines).
    Reported,
    /// It ran out of time: its script was stopped, or the VM no longer answered.
    TimedOut,
    /// The VM stopped in the middle of it without a crash report.
    Stopped,
    /// It never ran: the VM did not come up to run it.
    NotRun(String),
}

/// What became of a job.
#[derive(Clone, Debug)]
pub struct Run {
    pub ending: Ending,
    /// Its console lines, each with the time since the job began.
    pub lines: Vec<(Duration, String)>,
    /// How long it ran.
    pub time: Duration,
    /// Which boot of the VM ran it (1 for the first; another after a crash or hang).
    pub boot: usize,
}

impl Run {
    /// The console lines alone.
    pub fn console(&self) -> Vec<String> {
        self.lines.iter().map(|(_, l)| l.clone()).collect()
    }

    /// A short account of an abnormal ending, with the lines that show it
    /// (the crash report), for a report; `None` when the script finished.
    pub fn trouble(&self) -> Option<String> {
        let console = self.console();
        let tail = |n: usize| console[console.len().saturating_sub(n)..].join("\n");
        match &self.ending {
            Ending::Finished(_) => None,
            Ending::Crashed | Ending::Reported => {
                let first = console.iter().position(|l| report::is_crash_line(l)).unwrap_or(0);
                let report: Vec<_> = console[first.saturating_sub(3)..].iter().take(40).cloned().collect();
                let what = if self.ending == Ending::Crashed { "crashed" } else { "reported a bug" };
                Some(format!("the kernel {what}:\n{}", report.join("\n")))
            }
            Ending::TimedOut => Some(format!(
                "timed out after {} s (a hang: a deadlock, an endless loop, a program waiting forever); the console ended:\n{}",
                self.time.as_secs(),
                tail(10)
            )),
            Ending::Stopped => Some(format!("the VM stopped in the middle of the run; the console ended:\n{}", tail(20))),
            Ending::NotRun(why) => Some(format!("not run: {why}")),
        }
    }
}

/// The time limit of one job in the guest, in seconds: `LAB_JOB_TIMEOUT`,
/// or 240 (lesson 05's checks take about a minute under emulation).
pub fn job_timeout() -> u64 {
    std::env::var("LAB_JOB_TIMEOUT").ok().and_then(|v| v.parse().ok()).unwrap_or(240)
}

/// Runs `jobs` in as few boots as it takes (one, unless a job crashes or
/// hangs), and returns what became of each, in order.
pub fn run(lab: &Lab, jobs: &[Job], stage_name: &str) -> Result<Vec<Run>> {
    let mut runs: Vec<Option<Run>> = vec![None; jobs.len()];
    let probes = lab.probes()?;
    let mut boots = 0;
    loop {
        let left: Vec<usize> = (0..jobs.len()).filter(|&i| runs[i].is_none()).collect();
        if left.is_empty() {
            break;
        }
        let stage = lab.root.join("target/lab/jobs").join(stage_name);
        let this: Vec<&Job> = left.iter().map(|&i| &jobs[i]).collect();
        stage_jobs(lab, &stage, &probes, &this)?;
        let boot = boot(lab, &stage, this.len())?;
        boots += 1;
        let mut ran_any = false;
        for (k, &i) in left.iter().enumerate() {
            if let Some(mut run) = job_run(&boot, k + 1) {
                run.boot = boots;
                ran_any = true;
                runs[i] = Some(run);
            }
        }
        if !ran_any {
            // The VM did not get as far as the first job: booting again would not help.
            let why = format!("the lab VM did not start the job; its console ended:\n{}", boot.tail(20));
            for &i in &left {
                runs[i] = Some(Run {
                    ending: Ending::NotRun(why.clone()),
                    lines: Vec::new(),
                    time: Duration::ZERO,
                    boot: boots,
                });
            }
        }
    }
    Ok(runs.into_iter().map(|r| r.expect("every job has a run")).collect())
}

/// Lays out `stage` for the guest's job runner: `jobs.sh`, the checks'
/// tools in `common/bin/` (nlprobe, nlconform), and `jobs/N/` for each job. Files are hard links to the build cache, and
/// the same file in several jobs is one file (one copy in the VM's memory).
fn stage_jobs(lab: &Lab, stage: &Path, probes: &[PathBuf], jobs: &[&Job]) -> Result<()> {
    if stage.exists() {
        fs::remove_dir_all(stage)?;
    }
    fs::create_dir_all(stage.join("common/bin"))?;
    fs::copy(lab.root.join("lab/guest/jobs.sh"), stage.join("jobs.sh"))?;
    let mut placed: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut place = |from: &Path, to: PathBuf| -> Result<()> {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        let first = placed.entry(from.to_path_buf()).or_insert_with(|| to.clone()).clone();
        if first == to {
            fs::copy(from, &to).with_context(|| format!("staging {}", from.display()))?;
        } else {
            fs::hard_link(&first, &to)?;
        }
        Ok(())
    };
    for tool in probes {
        place(tool, stage.join("common/bin").join(tool.file_name().unwrap_or_default()))?;
    }
    for (k, job) in jobs.iter().enumerate() {
        let dir = stage.join("jobs").join((k + 1).to_string());
        fs::create_dir_all(&dir)?;
        for ko in &job.built.modules {
            place(ko, dir.join(ko.file_name().unwrap_or_default()))?;
        }
        for (name, path) in &job.built.programs {
            place(path, dir.join("bin").join(name))?;
        }
        for script in ["check.sh", "demo.sh", "bench.sh"] {
            let from = job.scripts.join(script);
            if from.is_file() {
                place(&from, dir.join(format!("{:02}-{script}", job.number)))?;
            }
        }
        if let Some(s) = job.fuzz_seconds {
            fs::write(dir.join("fuzz_seconds"), format!("{s}\n"))?;
        }
        if job.fuzz_kept {
            crate::fuzz::stage_kept(&lab.root, Variant::Student, &dir)?;
        }
        fs::write(dir.join("run"), format!("{:02}-{}\n", job.number, job.script))?;
        fs::write(dir.join("timeout"), format!("{}\n", job_timeout()))?;
        fs::write(dir.join("label"), format!("{}\n", job.label.replace('\n', " ")))?;
    }
    Ok(())
}

/// One boot's console, each line with the time it arrived.
struct Boot {
    lines: Vec<(Instant, String)>,
    /// The host stopped the VM: no job ended in time.
    killed: bool,
}

impl Boot {
    fn tail(&self, n: usize) -> String {
        self.lines[self.lines.len().saturating_sub(n)..].iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join("\n")
    }
}

/// Boots the VM on `stage` with the job runner and reads its console. The
/// guest stops a job's script after its time limit itself; if nothing comes
/// for that long and a minute more (a kernel stuck with interrupts off), the
/// host stops the VM.
fn boot(lab: &Lab, stage: &Path, jobs: usize) -> Result<Boot> {
    let limit = Duration::from_secs(job_timeout());
    let grace = Duration::from_secs(60);
    let mut cmd = Command::new("bash");
    cmd.arg(lab.root.join("lab/boot.sh")).arg(&lab.kernel).arg(stage).arg("jobs.sh");
    cmd.env("LAB_DEBUG", lab.debug_env());
    // boot.sh's own limit is for the whole boot; the watchdog below is per job.
    cmd.env("LAB_TIMEOUT", ((limit + grace).as_secs() * (jobs as u64 + 1)).to_string());
    let mut child = cmd.stdout(Stdio::piped()).spawn().context("starting lab/boot.sh")?;
    let _running = Running::register(child.id());
    let out = child.stdout.take().context("boot.sh's output")?;
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(out).split(b'\n') {
            let Ok(line) = line else { break };
            let line = crate::lab::strip_escapes(String::from_utf8_lossy(&line).trim_end_matches('\r'));
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    let mut boot = Boot { lines: Vec::new(), killed: false };
    let mut deadline = Instant::now() + grace + Duration::from_secs(60);
    // After the kernel reported a crash, a VM that stays quiet this long is
    // stuck (a process blocked on what the crash left locked): stopped
    // then, instead of at the job's limit.
    let after_crash = Duration::from_secs(30);
    let mut quiet_until: Option<Instant> = None;
    loop {
        let until = quiet_until.map_or(deadline, |q| q.min(deadline));
        let wait = until.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok((at, line)) => {
                if let Some(rest) = line.strip_prefix("LAB: job ") {
                    if rest.split(':').next().is_some_and(|r| r.ends_with(" begin")) {
                        deadline = at + limit + grace;
                    } else {
                        deadline = at + grace;
                    }
                }
                if quiet_until.is_some() || (!line.starts_with("LAB:") && report::is_crash_line(&line)) {
                    quiet_until = Some(at + after_crash);
                }
                boot.lines.push((at, line));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                boot.killed = true;
                kill_tree(child.id());
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.wait();
    let _ = reader.join();
    Ok(boot)
}

/// The lab VM running now (the pid of its `boot.sh`), for `stop_running`.
static RUNNING: Mutex<Option<u32>> = Mutex::new(None);

/// Registers a running VM for as long as it lives.
struct Running;

impl Running {
    fn register(pid: u32) -> Running {
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = Some(pid);
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Stops the lab VM that runs now, if any (Ctrl-C, `q` in watch mode):
/// qemu runs under `timeout` in a process group of its own, out of reach of
/// the terminal's Ctrl-C.
pub fn stop_running() {
    if let Some(pid) = *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) {
        kill_tree(pid);
    }
}

/// Kills `pid` and every process descended from it (SIGKILL), as
/// /proc/PID/stat's parent pids show them.
fn kill_tree(pid: u32) {
    let mut parent_of = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Ok(p) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else { continue };
            // "pid (comm) state ppid ...": comm may hold spaces, so split after its ')'.
            let ppid: Option<u32> =
                stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
            if let Some(ppid) = ppid {
                parent_of.push((p, ppid));
            }
        }
    }
    let mut doomed = vec![pid];
    let mut i = 0;
    while i < doomed.len() {
        let p = doomed[i];
        doomed.extend(parent_of.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    let _ = Command::new("kill").arg("-KILL").args(doomed.iter().map(u32::to_string)).status();
}

/// Job `n` (1-based, in this boot) as the console shows it, if it began.
fn job_run(boot: &Boot, n: usize) -> Option<Run> {
    let begin = format!("LAB: job {n} begin");
    let start = boot.lines.iter().position(|(_, l)| *l == begin || l.starts_with(&format!("{begin}:")))?;
    let t0 = boot.lines[start].0;
    let end_prefix = format!("LAB: job {n} end (exit ");
    let timed_out = format!("LAB: job {n} timed out");
    let mut lines: Vec<(Duration, String)> = Vec::new();
    let mut ending = None;
    for (at, line) in &boot.lines[start + 1..] {
        if let Some(code) = line.strip_prefix(&end_prefix) {
            ending = Some(Ending::Finished(code.trim_end_matches(')').parse().unwrap_or(-1)));
        } else if line.starts_with(&timed_out) {
            ending = Some(Ending::TimedOut);
        }
        if let Some(mut ending) = ending {
            if matches!(ending, Ending::Finished(_))
                && lines.iter().any(|(_, l): &(Duration, String)| report::is_crash_line(l))
            {
                ending = Ending::Reported;
            }
            return Some(Run { ending, lines, time: at.duration_since(t0), boot: 0 });
        }
        lines.push((at.duration_since(t0), line.clone()));
    }
    // No end: the boot ended in the middle of the job.
    let ending = if lines.iter().any(|(_, l)| report::is_crash_line(l)) {
        Ending::Crashed
    } else if boot.killed || lines.iter().any(|(_, l)| l.starts_with("LAB: the VM did not finish")) {
        Ending::TimedOut
    } else {
        Ending::Stopped
    };
    let time = boot.lines.last().map_or(Duration::ZERO, |(at, _)| at.duration_since(t0));
    Some(Run { ending, lines, time, boot: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boot_of(lines: &[&str], killed: bool) -> Boot {
        let t = Instant::now();
        Boot {
            lines: lines.iter().enumerate().map(|(i, l)| (t + Duration::from_secs(i as u64), l.to_string())).collect(),
            killed,
        }
    }

    #[test]
    fn jobs_are_cut_out_of_the_console() {
        let boot = boot_of(
            &[
                "boot noise",
                "LAB: job 1 begin: lesson 01 (solution)",
                "PASS: a",
                "LAB: job 1 end (exit 0)",
                "LAB: job 2 begin",
                "FAIL: a: no",
                "LAB: job 2 timed out after 5 s",
                "LAB: job 3 begin",
                "[    1.000000] Oops: invalid opcode: 0000 [#1] SMP",
                "[    1.000000] Kernel panic - not syncing: Fatal exception",
            ],
            false,
        );
        let one = job_run(&boot, 1).unwrap();
        assert_eq!(one.ending, Ending::Finished(0));
        assert_eq!(one.console(), ["PASS: a"]);
        assert_eq!(one.time, Duration::from_secs(2));
        assert_eq!(job_run(&boot, 2).unwrap().ending, Ending::TimedOut);
        let three = job_run(&boot, 3).unwrap();
        assert_eq!(three.ending, Ending::Crashed);
        assert!(three.trouble().unwrap().contains("Kernel panic"));
        assert!(job_run(&boot, 4).is_none(), "a job that never began is run again");
        let reported = boot_of(
            &[
                "LAB: job 1 begin",
                "PASS: a",
                "LAB: kernel report: unreferenced object 0xffff (size 64):",
                "LAB: job 1 end (exit 0)",
            ],
            false,
        );
        assert_eq!(job_run(&reported, 1).unwrap().ending, Ending::Reported);
    }

    #[test]
    fn a_job_the_host_had_to_stop_timed_out() {
        let boot = boot_of(&["LAB: job 1 begin", "lab# insmod hang.ko"], true);
        assert_eq!(job_run(&boot, 1).unwrap().ending, Ending::TimedOut);
        let boot = boot_of(&["LAB: job 1 begin", "PASS: a"], false);
        assert_eq!(job_run(&boot, 1).unwrap().ending, Ending::Stopped);
    }
}
