//! `rtm batch FILE`: many commands, few system calls.
//!
//! Every command becomes one message; up to `chunk` of them go back to back
//! into one buffer and one `sendmsg` (a *cascade* of messages). The module
//! handles them in order and answers each one (all carry NLM_F_ACK), so the
//! answers are matched to the lines by sequence number. A chunk is kept
//! small enough that its answers fit the receive queue: answers that do not
//! fit are dropped by the kernel.

use crate::session::{error_of, Failure, Session};
use crate::{text, Cli, Cmd};
use clap::Parser;
use std::collections::HashMap;
use std::io::{self, BufRead, Write};

/// One line's outcome.
enum Outcome {
    Ok(Vec<String>),
    Failed(String),
}

/// Runs the commands of `file` (`-` for standard input).
pub fn run(file: &str, chunk: usize, quiet: bool) -> Result<(), String> {
    let input: Box<dyn BufRead> = if file == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(io::BufReader::new(std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?))
    };
    let mut session = Session::open().map_err(|e| e.to_string())?;
    let (mut ok, mut failed, mut sends) = (0usize, 0usize, 0usize);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut lines = input.lines().enumerate().peekable();
    while lines.peek().is_some() {
        // Step 1: encode up to `chunk` commands into one buffer.
        let mut bytes = Vec::new();
        let mut pending: HashMap<u32, usize> = HashMap::new();
        let mut outcomes: Vec<(usize, Outcome)> = Vec::new();
        while pending.len() < chunk {
            let Some((n, line)) = lines.next() else { break };
            let line = line.map_err(|e| e.to_string())?;
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.is_empty() || words[0].starts_with('#') {
                continue;
            }
            let parsed =
                parse(&words).and_then(|cmd| crate::single(&cmd)?.ok_or_else(|| format!("`{line}` cannot be batched")));
            match parsed {
                Ok(s) => {
                    let (msg, seq) = session.build(s.ty, s.flags, |w| (s.bytes_of)(w)).map_err(|e| e.to_string())?;
                    bytes.extend_from_slice(&msg);
                    pending.insert(seq, outcomes.len());
                    outcomes.push((n + 1, Outcome::Ok(Vec::new())));
                }
                Err(e) => outcomes.push((n + 1, Outcome::Failed(e))),
            }
        }
        // Step 2: one sendmsg for the whole chunk.
        if !bytes.is_empty() {
            session.send_bytes(&bytes).map_err(|e| e.to_string())?;
            sends += 1;
        }
        // Step 3: every message gets exactly one ACK or error; replies of a
        // GET come before its ACK.
        while !pending.is_empty() {
            for answer in session.recv().map_err(|e| e.to_string())? {
                let Some(&at) = pending.get(&answer.header.seq) else { continue };
                if !session.is_reply(&answer, answer.header.seq) {
                    continue; // not from this batch: addressed elsewhere, or a notification
                }
                match error_of(&answer) {
                    None => {
                        if let Outcome::Ok(lines) = &mut outcomes[at].1 {
                            lines.push(text::show(&answer));
                        }
                    }
                    Some(e) => {
                        pending.remove(&answer.header.seq);
                        if e != 0 {
                            // The kernel echoes the request (our sockets do not
                            // cap errors): the blamed attribute is found in it.
                            outcomes[at].1 = Outcome::Failed(Failure::refused(&answer, None).to_string());
                        }
                    }
                }
            }
        }
        // Step 4: report, in the order of the file.
        for (n, outcome) in outcomes {
            let w = match outcome {
                Outcome::Ok(lines) => {
                    ok += 1;
                    if quiet {
                        Ok(())
                    } else if lines.is_empty() {
                        writeln!(out, "{n}: ok")
                    } else {
                        lines.iter().try_for_each(|l| writeln!(out, "{n}: {l}"))
                    }
                }
                Outcome::Failed(e) => {
                    failed += 1;
                    writeln!(out, "{n}: {e}")
                }
            };
            w.map_err(|e| e.to_string())?;
        }
    }
    writeln!(out, "batch: {ok} ok, {failed} failed, {sends} sendmsg calls").map_err(|e| e.to_string())?;
    if failed > 0 {
        return Err(format!("{failed} command(s) failed"));
    }
    Ok(())
}

/// Reads one line's words as a command. The common forms are read by hand
/// (clap is slow when called 100,000 times in the lab's emulated CPU); the
/// rest goes to clap, as on the command line.
fn parse(words: &[&str]) -> Result<Cmd, String> {
    use crate::{RouteCmd, RouteSpec, TableCmd};
    let s = |w: &str| w.to_string();
    let spec = |w: &[&str]| match w {
        [table, prefix, "via", gateway, "dev", oif] => Some(RouteSpec {
            table: s(table),
            prefix: s(prefix),
            via: s("via"),
            gateway: s(gateway),
            dev: s("dev"),
            oif: s(oif),
        }),
        _ => None,
    };
    let fast = match words {
        ["table", "add", name] => Some(Cmd::Table(TableCmd::Add { name: s(name) })),
        ["table", "del", name] => Some(Cmd::Table(TableCmd::Del { name: s(name) })),
        ["route", "add", rest @ ..] => spec(rest).map(|r| Cmd::Route(RouteCmd::Add(r))),
        ["route", "replace", rest @ ..] => spec(rest).map(|r| Cmd::Route(RouteCmd::Replace(r))),
        ["route", "del", table, prefix] => Some(Cmd::Route(RouteCmd::Del { table: s(table), prefix: s(prefix) })),
        _ => None,
    };
    match fast {
        Some(cmd) => Ok(cmd),
        None => Cli::try_parse_from(std::iter::once("rtm").chain(words.iter().copied()))
            .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())
            .and_then(|cli| cli.command.ok_or_else(|| "no command".to_string())),
    }
}
