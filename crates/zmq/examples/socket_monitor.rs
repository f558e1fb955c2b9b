//! Socket monitoring (`zmq_socket_monitor`): a REP server's connection
//! events, read from the PAIR socket the monitor publishes them on,
//! while a client connects, makes a request and leaves.
//!
//! `cargo run --example socket_monitor -p zmq`

use zmq::monitor::{EVENT_ALL, parse_event_v1};
use zmq::{Context, SocketEvent, SocketType};

pub fn main() -> Result<(), zmq::Error> {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Rep)?;
    // Events go out on this inproc endpoint; a PAIR reads them.
    server.monitor("inproc://monitor.server", EVENT_ALL as i32)?;
    let events = ctx.socket(SocketType::Pair)?;
    events.connect("inproc://monitor.server")?;
    events.set_rcvtimeo(5_000)?;

    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.get_last_endpoint()?.unwrap_or_default();
    let client = ctx.socket(SocketType::Req)?;
    client.connect(&endpoint)?;
    client.send("ping", 0)?;
    server.recv_msg(0)?;
    server.send("pong", 0)?;
    client.recv_msg(0)?;
    drop(client);

    // LISTENING, ACCEPTED, HANDSHAKE_SUCCEEDED, then DISCONNECTED when the
    // client is gone.
    loop {
        let parts = events.recv_multipart(0)?;
        let Some((raw, value, address)) = parse_event_v1(&parts) else {
            continue;
        };
        let Some(event) = SocketEvent::try_from_raw(raw) else {
            continue;
        };
        println!("{event:?} (value {value}) on {address}");
        if event == SocketEvent::DISCONNECTED {
            break;
        }
    }
    server.stop_monitor()?;
    drop((server, events));
    ctx.term()
}
