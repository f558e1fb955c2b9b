//! Load-balancing broker (zguide `lbbroker`): REQ clients talk to a
//! ROUTER frontend; DEALER workers to a ROUTER backend. A worker says
//! "READY" when it can take a request, and the broker hands each client
//! request to the worker that has been ready longest.
//!
//! `cargo run --example lbbroker -p zmq`

use std::collections::VecDeque;
use std::thread;

use zmq::{Context, POLLIN, SocketType};

const CLIENTS: usize = 5;
const REQUESTS_PER_CLIENT: usize = 3;
const WORKERS: usize = 3;

pub fn main() -> Result<(), zmq::Error> {
    let ctx = Context::new();
    let frontend = ctx.socket(SocketType::Router)?;
    frontend.bind("tcp://127.0.0.1:*")?;
    let clients_at = frontend.get_last_endpoint()?.unwrap_or_default();
    let backend = ctx.socket(SocketType::Router)?;
    backend.bind("tcp://127.0.0.1:*")?;
    let workers_at = backend.get_last_endpoint()?.unwrap_or_default();

    let mut threads = Vec::new();
    for id in 0..WORKERS {
        let worker = ctx.socket(SocketType::Dealer)?;
        worker.connect(&workers_at)?;
        threads.push(thread::spawn(move || run_worker(id, &worker)));
    }
    let mut clients = Vec::new();
    for id in 0..CLIENTS {
        let client = ctx.socket(SocketType::Req)?;
        client.connect(&clients_at)?;
        clients.push(thread::spawn(move || -> Result<(), zmq::Error> {
            for n in 0..REQUESTS_PER_CLIENT {
                client.send(format!("client {id} request {n}").as_str(), 0)?;
                let reply = client.recv_string(0)?.unwrap_or_default();
                println!("client {id}: {reply}");
            }
            Ok(())
        }));
    }

    // The broker: workers are always heard; clients only while a worker
    // is free.
    let mut ready: VecDeque<Vec<u8>> = VecDeque::new();
    let mut replies = 0;
    while replies < CLIENTS * REQUESTS_PER_CLIENT {
        let mut items = [backend.as_poll_item(POLLIN), frontend.as_poll_item(POLLIN)];
        let watched = if ready.is_empty() { 1 } else { 2 };
        zmq::poll(&mut items[..watched], -1)?;
        if items[0].is_readable() {
            // [worker, "", "READY"] or [worker, "", client, "", reply]
            let mut parts = backend.recv_multipart(0)?;
            ready.push_back(parts.remove(0));
            if parts.len() == 4 {
                frontend.send_multipart([&parts[1][..], b"", &parts[3]], 0)?;
                replies += 1;
            }
        }
        if watched == 2 && items[1].is_readable() {
            // [client, "", request] goes to [worker, "", client, "", request].
            let parts = frontend.recv_multipart(0)?;
            let worker = ready.pop_front().expect("a ready worker");
            backend.send_multipart([&worker[..], b"", &parts[0], b"", &parts[2]], 0)?;
        }
    }
    for client in clients {
        client.join().expect("client thread")?;
    }
    ctx.shutdown();
    for (id, worker) in threads.into_iter().enumerate() {
        println!(
            "worker {id} handled {} requests",
            worker.join().expect("worker thread")?
        );
    }
    drop((frontend, backend));
    ctx.term()
}

/// A worker on a DEALER socket writes the empty delimiter frame a REQ
/// socket would; it answers until the context shuts down.
fn run_worker(id: usize, worker: &zmq::Socket) -> Result<usize, zmq::Error> {
    worker.send_multipart([&b""[..], b"READY"], 0)?;
    let mut handled = 0;
    loop {
        let parts = match worker.recv_multipart(0) {
            Err(zmq::Error::Term) => return Ok(handled),
            parts => parts?,
        };
        // ["", client, "", request]
        let [_, client, _, request] = &parts[..] else {
            continue;
        };
        let reply = format!("{} (by worker {id})", String::from_utf8_lossy(request));
        worker.send_multipart([&b""[..], client, b"", reply.as_bytes()], 0)?;
        handled += 1;
    }
}
