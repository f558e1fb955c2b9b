//! Divide and conquer (zguide `taskvent`/`taskwork`/`tasksink`): a
//! ventilator PUSHes tasks to workers, which PUSH results to a sink; the
//! sink times the batch.
//!
//! `cargo run --example pipeline -p zmq`

use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, SocketType};

const TASKS: u64 = 100;
const WORKERS: usize = 3;

pub fn main() -> Result<(), zmq::Error> {
    let ctx = Context::new();

    let ventilator = ctx.socket(SocketType::Push)?;
    ventilator.bind("tcp://127.0.0.1:*")?;
    let tasks_at = ventilator.get_last_endpoint()?.unwrap_or_default();
    let sink = ctx.socket(SocketType::Pull)?;
    sink.bind("tcp://127.0.0.1:*")?;
    let results_at = sink.get_last_endpoint()?.unwrap_or_default();

    let mut workers = Vec::new();
    for id in 0..WORKERS {
        let receiver = ctx.socket(SocketType::Pull)?;
        receiver.connect(&tasks_at)?;
        let sender = ctx.socket(SocketType::Push)?;
        sender.connect(&results_at)?;
        workers.push(thread::spawn(move || -> Result<usize, zmq::Error> {
            let mut done = 0;
            loop {
                // Workers run until the context shuts down (ETERM).
                let task = match receiver.recv_string(0) {
                    Err(zmq::Error::Term) => return Ok(done),
                    task => task?.unwrap_or_default(),
                };
                let ms = task.parse::<u64>().unwrap_or(0);
                thread::sleep(Duration::from_millis(ms)); // the "work"
                sender.send(format!("worker {id} slept {ms} ms").as_str(), 0)?;
                done += 1;
            }
        }));
    }

    // PUSH deals tasks round-robin among the workers connected when each
    // is sent: a worker still connecting misses the first ones, and one
    // may even get the whole batch (the zguide's "slow joiner"; it waits
    // for a key press here). The tasks get done either way.

    // The first message tells the sink the batch started.
    let start_signal = ctx.socket(SocketType::Push)?;
    start_signal.connect(&results_at)?;
    start_signal.send("0", 0)?;
    let mut expected_ms = 0;
    for n in 0..TASKS {
        let workload = n % 5 + 1;
        expected_ms += workload;
        ventilator.send(workload.to_string().as_str(), 0)?;
    }
    println!("ventilator: {TASKS} tasks, {expected_ms} ms of work in total");

    sink.recv_msg(0)?;
    let start = Instant::now();
    for _ in 0..TASKS {
        sink.recv_msg(0)?;
    }
    println!(
        "sink: all {TASKS} results in {} ms",
        start.elapsed().as_millis()
    );

    // zmq_ctx_shutdown: the workers' blocking receives fail with ETERM.
    ctx.shutdown();
    for (id, worker) in workers.into_iter().enumerate() {
        let done = worker.join().expect("worker thread")?;
        println!("worker {id}: {done} tasks");
    }
    drop((ventilator, sink, start_signal));
    ctx.term()
}
