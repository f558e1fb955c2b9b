//! The socket commands: a socket that binds or connects, then sends stdin
//! lines, prints what it receives, or both in turn (REQ, REP).

use std::io::{BufRead, Write};

use zmq::{Context, Socket};

use crate::{CliResult, Kind, SocketArgs, frames};

/// What a command does with its socket.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sends stdin lines.
    Sender,
    /// Prints received messages.
    Receiver,
    /// Sends a stdin line, prints the reply, in turn.
    Requester,
    /// Prints a request, sends a reply, in turn.
    Replier,
}

pub fn run(role: Role, kind: Kind, args: SocketArgs) -> CliResult {
    let ctx = Context::new();
    // `pub --wait-subscribers` sends from an XPUB, which hands the
    // subscriptions it gets to us; it sends like a PUB.
    let kind = if kind == Kind::Pub && args.wait_subscribers.is_some() {
        Kind::Xpub
    } else {
        kind
    };
    let socket = ctx
        .socket(kind.socket_type())
        .map_err(|e| format!("socket: {e}"))?;
    let _auth = crate::security::apply(&args.curve, &ctx, &socket)?;
    configure(&socket, kind, &args)?;
    attach(&socket, &args.endpoint, args.bind)?;
    if let Some(n) = args.wait_subscribers {
        wait_subscribers(&socket, n, args.timeout)?;
    }
    let outcome = match role {
        Role::Sender => send_lines(&socket, &args),
        Role::Receiver => print_messages(&socket, &args),
        Role::Requester => request_lines(&socket, &args),
        Role::Replier => reply(&socket, &args),
    };
    // Closing lingers (up to `--timeout`, forever by default) until what
    // was sent is delivered; the context ends after it.
    if outcome.is_err() {
        let _ = socket.set_linger(0);
    }
    drop(socket);
    drop(_auth);
    ctx.term().map_err(|e| format!("term: {e}"))?;
    outcome
}

fn configure(socket: &Socket, kind: Kind, args: &SocketArgs) -> CliResult {
    let fail = |what: &str, e: zmq::Error| format!("{what}: {e}");
    if let Some(ms) = args.timeout {
        socket.set_rcvtimeo(ms).map_err(|e| fail("--timeout", e))?;
        socket.set_sndtimeo(ms).map_err(|e| fail("--timeout", e))?;
        // Unsent messages wait this long at exit, not forever.
        socket.set_linger(ms).map_err(|e| fail("--timeout", e))?;
    }
    if kind == Kind::Sub {
        if args.subscribe.is_empty() {
            socket
                .set_subscribe(b"")
                .map_err(|e| fail("--subscribe", e))?;
        }
        for prefix in &args.subscribe {
            socket
                .set_subscribe(prefix.as_bytes())
                .map_err(|e| fail("--subscribe", e))?;
        }
    } else if !args.subscribe.is_empty() {
        return Err("--subscribe is for sub sockets".into());
    }
    if kind == Kind::Xpub {
        socket.set_xpub_verbose(true).map_err(|e| fail("xpub", e))?;
    }
    Ok(())
}

/// Binds (printing the endpoint bound, e.g. the port picked for `*`) or
/// connects.
pub fn attach(socket: &Socket, endpoint: &str, bind: bool) -> CliResult {
    if bind {
        socket
            .bind(endpoint)
            .map_err(|e| format!("bind {endpoint}: {e}"))?;
        let bound = socket.get_last_endpoint().ok().and_then(Result::ok);
        eprintln!("zmq: bound {}", bound.as_deref().unwrap_or(endpoint));
    } else {
        socket
            .connect(endpoint)
            .map_err(|e| format!("connect {endpoint}: {e}"))?;
    }
    Ok(())
}

fn wait_subscribers(socket: &Socket, wanted: u32, timeout: Option<i32>) -> CliResult {
    let mut seen = 0;
    while seen < wanted {
        let parts = recv(socket, timeout)?;
        if parts.first().and_then(|p| p.first()) == Some(&1) {
            seen += 1;
        }
    }
    Ok(())
}

fn recv(socket: &Socket, timeout: Option<i32>) -> Result<Vec<Vec<u8>>, String> {
    socket.recv_multipart(0).map_err(|e| match (e, timeout) {
        (zmq::Error::Again, Some(ms)) => format!("nothing received in {ms} ms"),
        (e, _) => format!("recv: {e}"),
    })
}

fn send(socket: &Socket, parts: Vec<Vec<u8>>, timeout: Option<i32>) -> CliResult {
    socket
        .send_multipart(parts, 0)
        .map_err(|e| match (e, timeout) {
            (zmq::Error::Again, Some(ms)) => format!("could not send in {ms} ms"),
            (e, _) => format!("send: {e}"),
        })
}

/// Stdin lines without their line ends, until EOF or `--count`.
fn stdin_lines(count: Option<u64>) -> impl Iterator<Item = Result<String, String>> {
    let limit = count.unwrap_or(u64::MAX);
    std::io::stdin()
        .lock()
        .lines()
        .map(|line| line.map_err(|e| format!("stdin: {e}")))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
}

fn print(parts: &[Vec<u8>], args: &SocketArgs) -> CliResult {
    let line = frames::format(parts, args.separator.as_deref(), args.hex);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| format!("stdout: {e}"))
}

fn send_lines(socket: &Socket, args: &SocketArgs) -> CliResult {
    for line in stdin_lines(args.count) {
        send(
            socket,
            frames::split(&line?, args.separator.as_deref()),
            args.timeout,
        )?;
    }
    Ok(())
}

fn print_messages(socket: &Socket, args: &SocketArgs) -> CliResult {
    let mut received = 0;
    while args.count.is_none_or(|n| received < n) {
        print(&recv(socket, args.timeout)?, args)?;
        received += 1;
    }
    Ok(())
}

fn request_lines(socket: &Socket, args: &SocketArgs) -> CliResult {
    for line in stdin_lines(args.count) {
        send(
            socket,
            frames::split(&line?, args.separator.as_deref()),
            args.timeout,
        )?;
        print(&recv(socket, args.timeout)?, args)?;
    }
    Ok(())
}

fn reply(socket: &Socket, args: &SocketArgs) -> CliResult {
    // Without --echo, one request is answered per stdin line: the line is
    // read first, so stdin's end ends the command.
    let mut replies = stdin_lines(if args.echo { Some(0) } else { None });
    let mut answered = 0;
    while args.count.is_none_or(|n| answered < n) {
        let answer = if args.echo {
            None
        } else {
            match replies.next() {
                Some(line) => Some(frames::split(&line?, args.separator.as_deref())),
                None => return Ok(()),
            }
        };
        let request = recv(socket, args.timeout)?;
        print(&request, args)?;
        send(socket, answer.unwrap_or(request), args.timeout)?;
        answered += 1;
    }
    Ok(())
}
