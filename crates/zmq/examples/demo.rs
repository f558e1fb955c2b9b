//! The main demo: a REP server and a REQ client, then a PUSH/PULL
//! pipeline, over tcp in one process, printing what they exchange and a
//! quick throughput and latency figure.
//!
//! `cargo run --release --example demo -p zmq`

use std::thread;
use std::time::Instant;

use zmq::{Context, SocketType};

fn main() -> Result<(), zmq::Error> {
    let ctx = Context::new();

    // Request-reply.
    let rep = ctx.socket(SocketType::Rep)?;
    rep.bind("tcp://127.0.0.1:*")?;
    let endpoint = rep.get_last_endpoint()?.unwrap_or_default();
    println!("REP bound to {endpoint}");
    let server = thread::spawn(move || -> Result<(), zmq::Error> {
        loop {
            let request = rep.recv_msg(0)?;
            if &*request == b"bye" {
                rep.send("bye", 0)?;
                return Ok(());
            }
            rep.send(request, 0)?;
        }
    });

    let req = ctx.socket(SocketType::Req)?;
    req.connect(&endpoint)?;
    for word in ["Hello", "ZeroMQ", "from", "Rust"] {
        req.send(word, 0)?;
        let reply = req.recv_string(0)?.unwrap_or_default();
        println!("REQ sent {word:?}, REP echoed {reply:?}");
    }
    let rounds = 10_000;
    let start = Instant::now();
    for _ in 0..rounds {
        req.send("x", 0)?;
        req.recv_msg(0)?;
    }
    let elapsed = start.elapsed();
    println!(
        "REQ/REP: {rounds} roundtrips in {:.3} s, mean latency {:.1} us",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / rounds as f64 / 2.0
    );
    req.send("bye", 0)?;
    req.recv_msg(0)?;
    server.join().expect("server thread")?;

    // Pipeline.
    let pull = ctx.socket(SocketType::Pull)?;
    pull.bind("tcp://127.0.0.1:*")?;
    let endpoint = pull.get_last_endpoint()?.unwrap_or_default();
    let push = ctx.socket(SocketType::Push)?;
    push.connect(&endpoint)?;
    let count = 1_000_000u64;
    let size = 64;
    let producer = thread::spawn(move || -> Result<(), zmq::Error> {
        let payload = vec![7u8; size];
        for _ in 0..count {
            push.send(&payload[..], 0)?;
        }
        Ok(())
    });
    let first = pull.recv_msg(0)?;
    let start = Instant::now();
    for _ in 1..count {
        pull.recv_msg(0)?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    producer.join().expect("producer thread")?;
    let rate = (count - 1) as f64 / elapsed;
    println!(
        "PUSH/PULL: {count} messages of {} bytes, {:.0} msg/s, {:.1} Mb/s",
        first.len(),
        rate,
        rate * size as f64 * 8.0 / 1e6
    );
    Ok(())
}
