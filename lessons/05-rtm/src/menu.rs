//! The interactive menu, numbered like the C course's.

use crate::session::Session;
use crate::{Cmd, RouteCmd, RouteSpec, TableCmd};
use std::io::{self, BufRead, Write};

const MENU: &str = "
 1. Create a table            6. Delete a route
 2. Delete a table            7. Show a route (exact prefix)
 3. Show a table              8. Look up an address
 4. List the tables           9. Show a table's routes
 5. Add or replace a route   10. Exit
Choice: ";

/// Asks for a choice and its details, runs it, prints the result; "Exit"
/// (or the end of the input) exits.
pub fn run_menu(session: &mut Session) -> io::Result<()> {
    let mut lines = io::stdin().lock().lines();
    let mut ask = |prompt: &str| -> io::Result<Option<String>> {
        print!("{prompt}");
        io::stdout().flush()?;
        Ok(lines.next().transpose()?.map(|l| l.trim().to_string()))
    };
    loop {
        let Some(choice) = ask(MENU)? else { return Ok(()) };
        let mut field = |what: &str| ask(&format!("{what}: ")).map(Option::unwrap_or_default);
        let cmd = match choice.as_str() {
            "1" => Cmd::Table(TableCmd::Add { name: field("Table name")? }),
            "2" => Cmd::Table(TableCmd::Del { name: field("Table name")? }),
            "3" => Cmd::Table(TableCmd::Get { name: field("Table name")? }),
            "4" => Cmd::Table(TableCmd::Show),
            "5" => Cmd::Route(RouteCmd::Replace(RouteSpec {
                table: field("Table name")?,
                prefix: field("Destination (e.g. 10.1.1.0/24)")?,
                via: "via".into(),
                gateway: field("Gateway (e.g. 11.1.1.1)")?,
                dev: "dev".into(),
                oif: field("Interface (e.g. eth0/6)")?,
            })),
            "6" => Cmd::Route(RouteCmd::Del { table: field("Table name")?, prefix: field("Destination")? }),
            "7" => Cmd::Route(RouteCmd::Get { table: field("Table name")?, prefix: field("Destination")? }),
            "8" => Cmd::Route(RouteCmd::Lookup { table: field("Table name")?, address: field("Address")? }),
            "9" => Cmd::Route(RouteCmd::Show { table: field("Table name")? }),
            "10" => return Ok(()),
            other => {
                println!("No option \"{other}\": type a number from 1 to 10.");
                continue;
            }
        };
        let mut shown = 0;
        match crate::run(session, &cmd, &mut |line| {
            shown += 1;
            println!("  {line}")
        }) {
            Ok(()) if shown == 0 => println!("Success."),
            Ok(()) => {}
            Err(e) => println!("Failure: {e}"),
        }
    }
}

/// Opens a session and runs the menu.
pub fn run() -> io::Result<()> {
    let mut session = Session::open()?;
    println!("Connected: netlink protocol 31, our port id is {}.", session.port);
    run_menu(&mut session)
}
