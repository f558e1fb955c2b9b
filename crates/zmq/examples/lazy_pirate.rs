//! Lazy Pirate (zguide `lpclient`/`lpserver`): reliable request-reply on
//! the client side. The client waits for each reply with a timeout; when
//! none comes it closes its REQ socket, opens a new one and resends, a
//! few times before giving up. Here the server "crashes" after a few
//! requests and is restarted on the same port, and the client carries on.
//!
//! `cargo run --example lazy_pirate -p zmq`

use std::thread;

use zmq::{Context, POLLIN, Socket, SocketType};

const REQUESTS: u32 = 6;
const CRASH_AFTER: u32 = 3;
const TIMEOUT_MS: i64 = 500;
const RETRIES: u32 = 10;

pub fn main() -> Result<(), zmq::Error> {
    // The first server picks a port; the restarted one binds it again.
    let (first, endpoint) = start_server("tcp://127.0.0.1:*", Some(CRASH_AFTER))?;
    let client_endpoint = endpoint.clone();
    let client = thread::spawn(move || run_client(&client_endpoint));

    first.join().expect("server thread")?;
    println!("server: crashed; restarting on {endpoint}");
    let (second, _) = start_server(&endpoint, None)?;

    let (answered, retries) = client.join().expect("client thread")?;
    println!("client: {answered} of {REQUESTS} requests answered, {retries} resent");
    // The restarted server's context shut down: its receive fails, it ends.
    second.join().expect("server thread")?;
    assert_eq!(answered, REQUESTS);
    assert!(retries > 0, "the lost request was not resent");
    Ok(())
}

type Server = thread::JoinHandle<Result<(), zmq::Error>>;

/// A REP server in a context of its own, bound before this returns; it
/// "crashes" (closes everything, lingering nothing) on the request after
/// the first `crash_after`, or answers until the client's last request.
fn start_server(endpoint: &str, crash_after: Option<u32>) -> Result<(Server, String), zmq::Error> {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Rep)?;
    server.set_linger(0)?;
    server.bind(endpoint)?;
    let bound = server.get_last_endpoint()?.unwrap_or_default();
    let thread = thread::spawn(move || -> Result<(), zmq::Error> {
        let mut served = 0;
        loop {
            let request = server.recv_string(0)?.unwrap_or_default();
            if crash_after == Some(served) {
                // The request is taken and never answered.
                println!("server: simulating a crash ({request} lost)");
                break;
            }
            println!("server: normal request ({request})");
            server.send(request.as_str(), 0)?;
            served += 1;
            if request == format!("{}", REQUESTS - 1) {
                break;
            }
        }
        // Gone for good: the port is free once the context has ended.
        drop(server);
        ctx.term()
    });
    Ok((thread, bound))
}

fn connect(ctx: &Context, endpoint: &str) -> Result<Socket, zmq::Error> {
    let client = ctx.socket(SocketType::Req)?;
    // Closing must not wait for a request the dead server will never take.
    client.set_linger(0)?;
    client.connect(endpoint)?;
    Ok(client)
}

/// Sends `REQUESTS` numbered requests; returns how many got their reply
/// and how many were resent.
fn run_client(endpoint: &str) -> Result<(u32, u32), zmq::Error> {
    let ctx = Context::new();
    let mut client = connect(&ctx, endpoint)?;
    let (mut answered, mut retries) = (0, 0);
    'requests: for sequence in 0..REQUESTS {
        let request = sequence.to_string();
        client.send(request.as_str(), 0)?;
        for attempt in 1..=RETRIES {
            if client.poll(POLLIN, TIMEOUT_MS)? > 0 {
                let reply = client.recv_string(0)?.unwrap_or_default();
                if reply == request {
                    println!("client: server replied OK ({reply})");
                    answered += 1;
                    continue 'requests;
                }
                println!("client: malformed reply from server: {reply}");
            }
            println!("client: no response from server, retrying ({attempt}/{RETRIES})");
            // A REQ socket that got no reply cannot send again: start over.
            client = connect(&ctx, endpoint)?;
            retries += 1;
            client.send(request.as_str(), 0)?;
        }
        println!("client: server seems to be offline, abandoning");
        break;
    }
    drop(client);
    ctx.term()?;
    Ok((answered, retries))
}
