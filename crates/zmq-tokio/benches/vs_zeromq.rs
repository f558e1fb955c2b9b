//! Our async sockets (zmq-tokio) against `zeromq` (zmq.rs, pure-Rust
//! async ZeroMQ) on the same workloads, over tcp on loopback, in one
//! process, on one tokio multi-thread runtime with 2 workers
//! (`--current-thread`: tokio's current-thread runtime):
//!
//! - PUSH→PULL throughput: a sender task pushes N messages, a receiver
//!   task counts them; the clock runs from the first to the last receive.
//! - REQ↔REP latency: one client task, one server task, N round trips;
//!   each round trip is timed (p50, p99) and the mean is total ÷ N.
//!
//! Ours (blocking) is the same workload on our blocking API with one
//! thread per socket, for reference.
//!
//! ```sh
//! cargo bench -p zmq-tokio --features bench-zeromq --bench vs_zeromq [-- --quick] [--current-thread]
//! ```
//!
//! Each cell runs 3 times; the table shows the median run.

use std::time::{Duration, Instant};

use zeromq::{Socket as _, SocketRecv as _, SocketSend as _};

const SIZES: [usize; 3] = [1, 64, 1024];

#[derive(Clone, Copy)]
struct Plan {
    messages: usize,
    round_trips: usize,
    runs: usize,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // `cargo bench` passes `--bench`; `cargo test --all-targets
    // --all-features` runs this binary without it: a smoke run then.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let plan = if smoke {
        Plan {
            messages: 2_000,
            round_trips: 200,
            runs: 1,
        }
    } else if quick {
        Plan {
            messages: 20_000,
            round_trips: 2_000,
            runs: 1,
        }
    } else {
        Plan {
            messages: 200_000,
            round_trips: 10_000,
            runs: 3,
        }
    };
    let current_thread = std::env::args().any(|a| a == "--current-thread");
    let runtime = if current_thread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    };
    println!(
        "tokio runtime: {}",
        if current_thread {
            "current-thread"
        } else {
            "multi-thread, 2 workers"
        }
    );
    println!(
        "PUSH→PULL over tcp, {} messages, msg/s (median of {})",
        plan.messages, plan.runs
    );
    println!("| size | ours (zmq-tokio) | zeromq 0.7 | ratio | ours (blocking) |");
    println!("|---|---|---|---|---|");
    for size in SIZES {
        let ours = median(plan.runs, || {
            runtime.block_on(ours_push_pull(size, plan.messages))
        });
        let theirs = median(plan.runs, || {
            runtime.block_on(zeromq_push_pull(size, plan.messages))
        });
        let blocking = median(plan.runs, || blocking_push_pull(size, plan.messages));
        println!(
            "| {size} B | {} | {} | {:.2} | {} |",
            rate(plan.messages, ours),
            rate(plan.messages, theirs),
            theirs.as_secs_f64() / ours.as_secs_f64(),
            rate(plan.messages, blocking),
        );
    }
    println!();
    println!(
        "REQ↔REP over tcp, {} round trips, µs per round trip: p50 / p99 / mean (median run of {})",
        plan.round_trips, plan.runs
    );
    println!("| size | ours (zmq-tokio) | zeromq 0.7 | ratio (p50) | ours (blocking) |");
    println!("|---|---|---|---|---|");
    for size in SIZES {
        let ours = median_latency(plan.runs, || {
            runtime.block_on(ours_req_rep(size, plan.round_trips))
        });
        let theirs = median_latency(plan.runs, || {
            runtime.block_on(zeromq_req_rep(size, plan.round_trips))
        });
        let blocking = median_latency(plan.runs, || blocking_req_rep(size, plan.round_trips));
        println!(
            "| {size} B | {} | {} | {:.2} | {} |",
            ours.show(),
            theirs.show(),
            theirs.p50 / ours.p50,
            blocking.show(),
        );
    }
}

fn rate(messages: usize, took: Duration) -> String {
    let per_second = messages as f64 / took.as_secs_f64();
    if per_second >= 1e6 {
        format!("{:.2} M", per_second / 1e6)
    } else {
        format!("{:.0} k", per_second / 1e3)
    }
}

fn median(runs: usize, mut run: impl FnMut() -> Duration) -> Duration {
    let mut took: Vec<Duration> = (0..runs).map(|_| run()).collect();
    took.sort();
    took[took.len() / 2]
}

/// Round-trip figures in µs.
#[derive(Clone, Copy)]
struct Latency {
    p50: f64,
    p99: f64,
    mean: f64,
}

impl Latency {
    fn of(mut samples: Vec<Duration>) -> Latency {
        samples.sort();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let total: Duration = samples.iter().sum();
        Latency {
            p50: us(samples[samples.len() / 2]),
            p99: us(samples[samples.len() * 99 / 100]),
            mean: us(total) / samples.len() as f64,
        }
    }

    fn show(&self) -> String {
        format!("{:.1} / {:.1} / {:.1}", self.p50, self.p99, self.mean)
    }
}

fn median_latency(runs: usize, mut run: impl FnMut() -> Latency) -> Latency {
    let mut all: Vec<Latency> = (0..runs).map(|_| run()).collect();
    all.sort_by(|a, b| a.p50.total_cmp(&b.p50));
    all[all.len() / 2]
}

/// A bound on each whole run, so that a stuck run fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(120);

async fn bounded<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(LIMIT, future)
        .await
        .expect("the run took too long")
}

async fn ours_push_pull(size: usize, messages: usize) -> Duration {
    let ctx = zmq::Context::new();
    let mut pull = zmq_tokio::Socket::new(&ctx, zmq::PULL).expect("pull");
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let endpoint = pull.get_last_endpoint().expect("endpoint").expect("utf-8");
    let mut push = zmq_tokio::Socket::new(&ctx, zmq::PUSH).expect("push");
    push.connect(&endpoint).expect("connect");
    let payload = vec![b'x'; size];
    let sender = tokio::spawn(async move {
        for _ in 0..messages {
            push.send(payload.as_slice()).await.expect("send");
        }
        push
    });
    let took = bounded(async {
        pull.recv().await.expect("recv");
        let started = Instant::now();
        for _ in 1..messages {
            pull.recv().await.expect("recv");
        }
        started.elapsed()
    })
    .await;
    drop(bounded(sender).await.expect("sender"));
    took
}

async fn zeromq_push_pull(size: usize, messages: usize) -> Duration {
    let mut pull = zeromq::PullSocket::new();
    let endpoint = pull.bind("tcp://127.0.0.1:0").await.expect("bind");
    let mut push = zeromq::PushSocket::new();
    push.connect(&endpoint.to_string()).await.expect("connect");
    let payload = bytes::Bytes::from(vec![b'x'; size]);
    let sender = tokio::spawn(async move {
        for _ in 0..messages {
            push.send(payload.clone().into()).await.expect("send");
        }
        push
    });
    let took = bounded(async {
        pull.recv().await.expect("recv");
        let started = Instant::now();
        for _ in 1..messages {
            pull.recv().await.expect("recv");
        }
        started.elapsed()
    })
    .await;
    let push = bounded(sender).await.expect("sender");
    push.close().await;
    pull.close().await;
    took
}

fn blocking_push_pull(size: usize, messages: usize) -> Duration {
    let ctx = zmq::Context::new();
    let pull = ctx.socket(zmq::PULL).expect("pull");
    pull.set_rcvtimeo(LIMIT.as_millis() as i32)
        .expect("rcvtimeo");
    pull.bind("tcp://127.0.0.1:*").expect("bind");
    let endpoint = pull.get_last_endpoint().expect("endpoint").expect("utf-8");
    let push = ctx.socket(zmq::PUSH).expect("push");
    push.set_sndtimeo(LIMIT.as_millis() as i32)
        .expect("sndtimeo");
    push.connect(&endpoint).expect("connect");
    let sender = std::thread::spawn(move || {
        let payload = vec![b'x'; size];
        for _ in 0..messages {
            push.send(payload.as_slice(), 0).expect("send");
        }
        push
    });
    pull.recv_msg(0).expect("recv");
    let started = Instant::now();
    for _ in 1..messages {
        pull.recv_msg(0).expect("recv");
    }
    let took = started.elapsed();
    drop(sender.join().expect("sender"));
    took
}

async fn ours_req_rep(size: usize, round_trips: usize) -> Latency {
    let ctx = zmq::Context::new();
    let mut rep = zmq_tokio::Socket::new(&ctx, zmq::REP).expect("rep");
    rep.bind("tcp://127.0.0.1:*").expect("bind");
    let endpoint = rep.get_last_endpoint().expect("endpoint").expect("utf-8");
    let mut req = zmq_tokio::Socket::new(&ctx, zmq::REQ).expect("req");
    req.connect(&endpoint).expect("connect");
    let server = tokio::spawn(async move {
        for _ in 0..=round_trips {
            let msg = rep.recv().await.expect("recv");
            rep.send(msg).await.expect("send");
        }
        rep
    });
    let payload = vec![b'x'; size];
    let samples = bounded(async {
        // One round trip to connect, not timed.
        req.send(payload.as_slice()).await.expect("send");
        req.recv().await.expect("recv");
        let mut samples = Vec::with_capacity(round_trips);
        for _ in 0..round_trips {
            let started = Instant::now();
            req.send(payload.as_slice()).await.expect("send");
            req.recv().await.expect("recv");
            samples.push(started.elapsed());
        }
        samples
    })
    .await;
    drop(bounded(server).await.expect("server"));
    Latency::of(samples)
}

async fn zeromq_req_rep(size: usize, round_trips: usize) -> Latency {
    let mut rep = zeromq::RepSocket::new();
    let endpoint = rep.bind("tcp://127.0.0.1:0").await.expect("bind");
    let mut req = zeromq::ReqSocket::new();
    req.connect(&endpoint.to_string()).await.expect("connect");
    let server = tokio::spawn(async move {
        for _ in 0..=round_trips {
            let msg = rep.recv().await.expect("recv");
            rep.send(msg).await.expect("send");
        }
        rep
    });
    let payload = bytes::Bytes::from(vec![b'x'; size]);
    let samples = bounded(async {
        req.send(payload.clone().into()).await.expect("send");
        req.recv().await.expect("recv");
        let mut samples = Vec::with_capacity(round_trips);
        for _ in 0..round_trips {
            let started = Instant::now();
            req.send(payload.clone().into()).await.expect("send");
            req.recv().await.expect("recv");
            samples.push(started.elapsed());
        }
        samples
    })
    .await;
    let rep = bounded(server).await.expect("server");
    req.close().await;
    rep.close().await;
    Latency::of(samples)
}

fn blocking_req_rep(size: usize, round_trips: usize) -> Latency {
    let ctx = zmq::Context::new();
    let rep = ctx.socket(zmq::REP).expect("rep");
    rep.set_rcvtimeo(LIMIT.as_millis() as i32)
        .expect("rcvtimeo");
    rep.bind("tcp://127.0.0.1:*").expect("bind");
    let endpoint = rep.get_last_endpoint().expect("endpoint").expect("utf-8");
    let req = ctx.socket(zmq::REQ).expect("req");
    req.set_rcvtimeo(LIMIT.as_millis() as i32)
        .expect("rcvtimeo");
    req.connect(&endpoint).expect("connect");
    let server = std::thread::spawn(move || {
        for _ in 0..=round_trips {
            let msg = rep.recv_msg(0).expect("recv");
            rep.send(msg, 0).expect("send");
        }
        rep
    });
    let payload = vec![b'x'; size];
    req.send(payload.as_slice(), 0).expect("send");
    req.recv_msg(0).expect("recv");
    let mut samples = Vec::with_capacity(round_trips);
    for _ in 0..round_trips {
        let started = Instant::now();
        req.send(payload.as_slice(), 0).expect("send");
        req.recv_msg(0).expect("recv");
        samples.push(started.elapsed());
    }
    drop(server.join().expect("server"));
    Latency::of(samples)
}
