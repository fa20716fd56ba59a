//! Lesson 02: greet the kernel module over netlink.
//!
//! `greet` shows a menu, like the C course's program; `greet send TEXT...`
//! sends greetings without asking, for scripts and checks.

mod receive;
mod send;
mod session;
mod socket;

use clap::{Parser, Subcommand};
use session::Session;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

/// Greets the lesson 02 kernel module over netlink protocol 31 and prints
/// its replies. Load the module first (insmod greet.ko).
///
/// Without a subcommand, an interactive menu. Every request carries a
/// sequence number; the kernel's reply carries it back, which is how a reply
/// is matched to its request.
#[derive(Parser)]
#[command(about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Send each TEXT as a GREET and print the replies.
    Send {
        /// The greetings to send, one request each.
        #[arg(required = true)]
        texts: Vec<String>,
        /// Ask for an ACK too (NLM_F_ACK) and wait for it.
        #[arg(long)]
        ack: bool,
        /// Open this many sockets in this process and greet from each
        /// (each gets its own port id from the kernel).
        #[arg(long, default_value_t = 1)]
        sockets: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Cmd::Send { texts, ack, sockets }) => send_all(&texts, ack, sockets),
        None => menu(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("greet: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `greet send`: every text from every socket.
fn send_all(texts: &[String], ack: bool, sockets: usize) -> io::Result<()> {
    let mut sessions = (0..sockets).map(|_| Session::open()).collect::<io::Result<Vec<_>>>()?;
    for s in &mut sessions {
        for text in texts {
            let reply = s.greet(text, ack)?;
            let acked = if ack { " (acked)" } else { "" };
            println!("port {}: sent \"{text}\", kernel replied \"{reply}\"{acked}", s.port);
        }
    }
    Ok(())
}

/// The interactive menu. "Exit" exits.
fn menu() -> io::Result<()> {
    let mut session = Session::open()?;
    println!("Connected: netlink protocol 31, our port id is {}.", session.port);
    let mut lines = io::stdin().lock().lines();
    loop {
        print!("\n1. Greet the kernel\n2. Exit\nChoice: ");
        io::stdout().flush()?;
        let Some(choice) = lines.next().transpose()? else { return Ok(()) };
        match choice.trim() {
            "1" => {
                print!("Your greeting: ");
                io::stdout().flush()?;
                let text = lines.next().transpose()?.unwrap_or_default();
                match session.greet(text.trim_end(), true) {
                    Ok(reply) => println!("The kernel replied: {reply}"),
                    Err(e) => println!("Failed: {e}"),
                }
            }
            "2" => return Ok(()),
            other => println!("No option \"{other}\": type 1 or 2."),
        }
    }
}
