//! Lesson 04: describe a person to the kernel module with netlink
//! attributes.
//!
//! `person set --name Ada --age 36 --street "Baker Street" --city London`
//! sends one PERSON_SET request and prints the attributes of the kernel's
//! PERSON_REPLY.

mod reply;
mod request;
mod session;

use clap::{Args, Parser, Subcommand};
use request::Person;
use session::Session;
use std::fmt::Write as _;
use std::io;
use std::process::ExitCode;
use wire::nlmsg;

/// Describes a person to the lesson 04 kernel module over netlink protocol
/// 31, as attributes, and prints the attributes of its reply. Load the
/// module first (insmod person.ko).
#[derive(Parser)]
#[command(about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Send a PERSON_SET and print the PERSON_REPLY's attributes.
    Set(SetArgs),
}

#[derive(Args)]
struct SetArgs {
    /// The name (PERSON_ATTR_NAME). The module requires one: leave it out to
    /// see the module's answer.
    #[arg(long)]
    name: Option<String>,
    /// The age in years (PERSON_ATTR_AGE).
    #[arg(long)]
    age: Option<u32>,
    /// The street (ADDRESS_ATTR_STREET, inside PERSON_ATTR_ADDRESS).
    #[arg(long)]
    street: Option<String>,
    /// The city (ADDRESS_ATTR_CITY, inside PERSON_ATTR_ADDRESS).
    #[arg(long)]
    city: Option<String>,
    /// Do not send: print the request's attributes as hex, the form that
    /// `nlprobe --hex` takes. Needs no module.
    #[arg(long)]
    dump: bool,
}

fn main() -> ExitCode {
    let Cli { command: Cmd::Set(args) } = Cli::parse();
    let result = if args.dump { dump(&args) } else { set(&args) };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("person: {e}");
            ExitCode::FAILURE
        }
    }
}

impl SetArgs {
    fn person(&self) -> Person {
        Person { name: self.name.clone(), age: self.age, street: self.street.clone(), city: self.city.clone() }
    }
}

// ANCHOR: set
/// `person set`: register the person and print the reply's attributes.
fn set(args: &SetArgs) -> io::Result<()> {
    let mut session = Session::open()?;
    let answer = session.register(&args.person())?;
    println!("request {} from port {}: PERSON_REPLY, acked", answer.seq, session.port);
    for attr in &answer.attrs {
        println!("  {attr}");
    }
    Ok(())
}
// ANCHOR_END: set

/// `person set --dump`: the request's payload (its attributes) as hex.
fn dump(args: &SetArgs) -> io::Result<()> {
    let person = args.person();
    let mut buf = vec![0u8; person.request_capacity()];
    let message = request::request(&mut buf, &person, 1, 0)?;
    let hex = message.get(nlmsg::HDRLEN..).unwrap_or_default().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    println!("{hex}");
    Ok(())
}
