//! A pipe pair between two threads, each owner driven by its own mailbox,
//! as a socket and a session will be. Also the pipe micro-benchmark:
//! `cargo test --release -p zmq --test runtime_pipe -- --ignored --nocapture`.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use zmq::mailbox::Mailbox;
use zmq::pipe::{PipeEnd, PipeEndConfig, PipeEvent, PipeSignal, pipe_pair};
use zmq_patterns::{Msg, Pipe, PipeId};

const WAIT: Duration = Duration::from_secs(30);

type Events = Mailbox<(PipeId, PipeEvent)>;

fn pair(hwm: usize) -> ((PipeEnd, Arc<Events>), (PipeEnd, Arc<Events>)) {
    let a_events = Arc::new(Events::new().expect("mailbox"));
    let b_events = Arc::new(Events::new().expect("mailbox"));
    let (a, b) = pipe_pair(
        PipeEndConfig {
            id: PipeId(10),
            events: a_events.clone(),
            in_hwm: hwm,
            delay: true,
        },
        PipeEndConfig {
            id: PipeId(20),
            events: b_events.clone(),
            in_hwm: hwm,
            delay: true,
        },
    );
    ((a, a_events), (b, b_events))
}

/// Waits for the next notification for `end` and applies it.
fn next_signal(end: &mut PipeEnd, events: &Events) -> PipeSignal {
    let (id, event) = events
        .recv_timeout(Some(WAIT))
        .expect("poll")
        .expect("a notification within the timeout");
    assert_eq!(id, end.id());
    end.process(event)
}

/// Writes `count` messages (every seventh one in two parts), flushing every
/// `batch`, then closes and waits for termination.
fn write_all(mut end: PipeEnd, events: Arc<Events>, count: u64, batch: u64, proto: Msg) -> u64 {
    let mut blocked = 0;
    for i in 0..count {
        let parts = if i.is_multiple_of(7) { 2 } else { 1 };
        for part in 0..parts {
            let mut msg = proto.clone();
            msg.set_routing_id(i as u32);
            msg.set_more(part + 1 < parts);
            let mut pending = msg;
            loop {
                match end.write(pending) {
                    Ok(()) => break,
                    Err(back) => {
                        pending = back;
                        blocked += 1;
                        end.flush();
                        while next_signal(&mut end, &events) != PipeSignal::WriteActivated {}
                    }
                }
            }
        }
        if i % batch == batch - 1 {
            end.flush();
        }
    }
    end.flush();
    end.terminate();
    while next_signal(&mut end, &events) != PipeSignal::Terminated {}
    blocked
}

/// Reads until the writer's close has been seen; returns messages read.
fn read_all(mut end: PipeEnd, events: Arc<Events>, check: bool) -> u64 {
    let mut next = 0u64;
    let mut part = 0;
    loop {
        match end.read() {
            Some(msg) => {
                if check {
                    assert_eq!(u64::from(msg.routing_id()), next, "order");
                    let parts = if next.is_multiple_of(7) { 2 } else { 1 };
                    assert_eq!(msg.more(), part + 1 < parts, "multipart intact");
                    part += 1;
                    if part == parts {
                        part = 0;
                        next += 1;
                    }
                } else if !msg.more() {
                    next += 1;
                }
            }
            None => match next_signal(&mut end, &events) {
                PipeSignal::Terminated => return next,
                _ => continue,
            },
        }
    }
}

#[test]
fn two_threads_stress_with_hwm_and_termination() {
    for (hwm, batch) in [(10, 1), (1000, 64), (0, 17), (1, 1)] {
        let ((a, a_events), (b, b_events)) = pair(hwm);
        let count = 50_000;
        let writer = thread::spawn(move || write_all(a, a_events, count, batch, Msg::new()));
        let reader = thread::spawn(move || read_all(b, b_events, true));
        let read = reader.join().expect("reader");
        let blocked = writer.join().expect("writer");
        assert_eq!(read, count, "hwm {hwm}");
        if hwm == 1 {
            assert!(blocked > 0, "a writer at hwm 1 must block");
        }
    }
}

#[test]
fn unread_messages_are_dropped_with_the_ends() {
    let ((mut a, _a_events), (b, _b_events)) = pair(0);
    let payload = Arc::new(());
    for _ in 0..1000 {
        a.write(Msg::from_bytes(bytes::Bytes::from_owner(ArcOwner(
            payload.clone(),
        ))))
        .expect("unlimited");
    }
    a.flush();
    drop(a);
    drop(b);
    assert_eq!(Arc::strong_count(&payload), 1, "no leak");
}

struct ArcOwner(#[allow(dead_code)] Arc<()>);

impl AsRef<[u8]> for ArcOwner {
    fn as_ref(&self) -> &[u8] {
        b"payload of a shared message"
    }
}

/// Throughput of a pipe pair between two threads, 64-byte messages.
#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn bench_pipe_pair_throughput() {
    let count = 10_000_000;
    for hwm in [1000, 0] {
        let ((a, a_events), (b, b_events)) = pair(hwm);
        let proto = Msg::from_slice(&[0x5a; 64]);
        let started = Instant::now();
        let writer = thread::spawn(move || write_all(a, a_events, count, 1, proto));
        let reader = thread::spawn(move || read_all(b, b_events, false));
        let read = reader.join().expect("reader");
        let blocked = writer.join().expect("writer");
        let elapsed = started.elapsed();
        assert_eq!(read, count);
        println!(
            "pipe pair, hwm {hwm}: {count} msgs (64 B, flush each) in {elapsed:?}: {:.1} M msgs/s, writer blocked {blocked} times",
            count as f64 / elapsed.as_secs_f64() / 1e6
        );
    }
}
