//! The `rtm_cli` library: everything the `rtm` command does, so that lesson 06
//! can add `rtm monitor` to it without repeating it.
//!
//! | module      | what it is                                                  |
//! |-------------|-------------------------------------------------------------|
//! | [`session`] | the netlink socket: requests, answers, dumps (raw `libc`)   |
//! | [`cli`]     | the subcommands and the message each one sends              |
//! | [`text`]    | addresses and prefixes as text, answers as lines            |
//! | [`batch`]   | many commands, cascaded in few `sendmsg` calls              |
//! | [`menu`]    | the interactive numbered menu                               |
//! | [`bench`]   | routes per second, into the module and into rtnetlink       |

pub mod batch;
pub mod bench;
pub mod cli;
pub mod menu;
pub mod session;
pub mod text;

pub use cli::{describe, run, single, Cli, Cmd, Encode, RouteCmd, RouteSpec, Single, TableCmd};
