//! `zmq`: ZeroMQ from the shell, on our library.
//!
//! ```text
//! zmq keygen [--cert FILE]                 CURVE key pair (Z85), czmq-style certificates
//! zmq send|recv|pub|sub|req|rep|push|pull ENDPOINT [options]
//! zmq proxy FRONTEND BACKEND [--frontend-type T] [--backend-type T]
//! zmq monitor ENDPOINT [--type T] [--json]
//! zmq bench [--quick]                      the perf suite of zmq-tools
//! ```
//!
//! Socket commands connect unless `--bind`; stdin lines become messages
//! (split into frames with `--separator`), received messages are printed
//! one per line (frames joined by the separator, or a tab).

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod frames;
mod keygen;
mod monitor;
mod proxy;
mod security;
mod sockets;

/// ZeroMQ from the command line.
#[derive(Parser)]
#[command(name = "zmq", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints a new CURVE key pair in Z85, as libzmq's `curve_keygen`.
    Keygen {
        /// Also writes czmq certificate files: FILE (public) and FILE_secret.
        #[arg(long, value_name = "FILE")]
        cert: Option<std::path::PathBuf>,
    },
    /// Sends stdin lines (a PUSH socket unless `--type`).
    Send(SocketArgs),
    /// Prints received messages (a PULL socket unless `--type`).
    Recv(SocketArgs),
    /// Publishes stdin lines (PUB; `--wait-subscribers` waits for subscribers first).
    Pub(SocketArgs),
    /// Prints published messages (SUB; `--subscribe PREFIX`, default everything).
    Sub(SocketArgs),
    /// Sends each stdin line as a request and prints the reply (REQ).
    Req(SocketArgs),
    /// Prints each request and replies with the next stdin line, or `--echo` (REP).
    Rep(SocketArgs),
    /// Sends stdin lines (PUSH).
    Push(SocketArgs),
    /// Prints received messages (PULL).
    Pull(SocketArgs),
    /// Forwards between two sockets until killed (`zmq_proxy`).
    Proxy(proxy::ProxyArgs),
    /// Prints the monitor events of a socket that binds or connects to ENDPOINT.
    Monitor(monitor::MonitorArgs),
    /// Runs the throughput and latency suite of zmq-tools, with progress.
    Bench {
        /// A shorter run (well under a minute).
        #[arg(long)]
        quick: bool,
    },
}

/// Options shared by the socket commands.
#[derive(Args, Clone, Debug)]
pub struct SocketArgs {
    /// Endpoint, e.g. tcp://127.0.0.1:5555 or ipc:///tmp/x.
    pub endpoint: String,
    /// Bind instead of connecting (the bound endpoint is printed on stderr).
    #[arg(long)]
    pub bind: bool,
    /// The socket type (send and recv only).
    #[arg(long = "type", value_enum)]
    pub kind: Option<Kind>,
    /// Splits each stdin line into frames at SEP; joins received frames with it.
    #[arg(long, value_name = "SEP")]
    pub separator: Option<String>,
    /// Prints received frames in hex.
    #[arg(long)]
    pub hex: bool,
    /// A subscription prefix (sub; repeatable; default: everything).
    #[arg(long, value_name = "PREFIX")]
    pub subscribe: Vec<String>,
    /// Stops after N messages (or roundtrips).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Fails when a send or receive waits longer than MS milliseconds.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<i32>,
    /// rep: replies with each request instead of stdin lines.
    #[arg(long)]
    pub echo: bool,
    /// pub: waits for N subscriptions before sending (no slow-joiner loss).
    #[arg(long, value_name = "N")]
    pub wait_subscribers: Option<u32>,
    #[command(flatten)]
    pub curve: security::CurveArgs,
}

/// Socket types by name.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Pair,
    Pub,
    Sub,
    Req,
    Rep,
    Dealer,
    Router,
    Pull,
    Push,
    Xpub,
    Xsub,
    Stream,
}

impl Kind {
    /// The library's socket type.
    pub fn socket_type(self) -> zmq::SocketType {
        use zmq::SocketType as T;
        match self {
            Kind::Pair => T::Pair,
            Kind::Pub => T::Pub,
            Kind::Sub => T::Sub,
            Kind::Req => T::Req,
            Kind::Rep => T::Rep,
            Kind::Dealer => T::Dealer,
            Kind::Router => T::Router,
            Kind::Pull => T::Pull,
            Kind::Push => T::Push,
            Kind::Xpub => T::XPub,
            Kind::Xsub => T::XSub,
            Kind::Stream => T::Stream,
        }
    }
}

/// What a command fails with: a message for stderr.
pub type CliResult = Result<(), String>;

fn run(cli: Cli) -> CliResult {
    use sockets::Role;
    match cli.command {
        Command::Keygen { cert } => keygen::run(cert.as_deref()),
        Command::Send(a) => sockets::run(Role::Sender, a.kind.unwrap_or(Kind::Push), a),
        Command::Recv(a) => sockets::run(Role::Receiver, a.kind.unwrap_or(Kind::Pull), a),
        Command::Pub(a) => sockets::run(Role::Sender, Kind::Pub, a),
        Command::Sub(a) => sockets::run(Role::Receiver, Kind::Sub, a),
        Command::Req(a) => sockets::run(Role::Requester, Kind::Req, a),
        Command::Rep(a) => sockets::run(Role::Replier, Kind::Rep, a),
        Command::Push(a) => sockets::run(Role::Sender, Kind::Push, a),
        Command::Pull(a) => sockets::run(Role::Receiver, Kind::Pull, a),
        Command::Proxy(a) => proxy::run(&a),
        Command::Monitor(a) => monitor::run(&a),
        Command::Bench { quick } => zmq_tools::quick::run(quick).map_err(|e| e.to_string()),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zmq: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn socket_options_parse() {
        let cli = Cli::try_parse_from([
            "zmq",
            "sub",
            "tcp://127.0.0.1:1",
            "--subscribe",
            "a",
            "--subscribe",
            "b",
            "--count",
            "3",
            "--timeout",
            "100",
            "--hex",
        ])
        .unwrap();
        let Command::Sub(a) = cli.command else {
            panic!("not sub")
        };
        assert_eq!(a.subscribe, ["a", "b"]);
        assert_eq!(
            (a.count, a.timeout, a.hex, a.bind),
            (Some(3), Some(100), true, false)
        );
    }
}
