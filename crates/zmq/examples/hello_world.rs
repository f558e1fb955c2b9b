//! Hello World (zguide `hwserver`/`hwclient`): a REP server answers
//! "World" to each "Hello" of a REQ client, over tcp.
//!
//! `cargo run --example hello_world -p zmq`
//!
//! Both sides run in this process (the server on a thread) and it exits
//! when the exchange is over; crates/zmq/tests/examples.rs runs it.

use std::thread;

use zmq::{Context, SocketType};

const REQUESTS: usize = 5;

pub fn main() -> Result<(), zmq::Error> {
    let ctx = Context::new();

    let server = ctx.socket(SocketType::Rep)?;
    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.get_last_endpoint()?.unwrap_or_default();
    let server = thread::spawn(move || -> Result<(), zmq::Error> {
        for _ in 0..REQUESTS {
            let request = server.recv_string(0)?.unwrap_or_default();
            println!("server: received {request:?}");
            server.send("World", 0)?;
        }
        Ok(())
    });

    let client = ctx.socket(SocketType::Req)?;
    client.connect(&endpoint)?;
    for n in 0..REQUESTS {
        client.send("Hello", 0)?;
        let reply = client.recv_string(0)?.unwrap_or_default();
        println!("client: request {n} got {reply:?}");
        assert_eq!(reply, "World");
    }
    server.join().expect("server thread")
}
