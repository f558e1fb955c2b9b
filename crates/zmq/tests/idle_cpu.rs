//! Spinning before sleeping (`zmq::spin`) is bounded: once traffic stops,
//! the I/O thread and the sockets go to sleep, and an idle connection
//! costs no CPU time.
//!
//! Measured with the process's own CPU time (`getrusage`), which other
//! processes on the machine do not inflate (this binary holds one test,
//! so no other test's traffic is counted either). The 500 ms pause is the
//! quantity measured, not a synchronisation.

use std::thread;
use std::time::Duration;

use zmq::{Context, Socket, SocketType};

/// User plus system CPU time of the whole process.
fn cpu_time() -> Duration {
    // SAFETY: `getrusage` writes one `rusage` into the zeroed value we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let of = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    of(usage.ru_utime) + of(usage.ru_stime)
}

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(10_000).unwrap();
    s.set_sndtimeo(10_000).unwrap();
    s
}

/// Request-reply roundtrips (the traffic that turns spinning on), then
/// `IDLE` of silence; returns the CPU time the silence cost.
fn cpu_while_idle_after_roundtrips(endpoint: &str) -> Duration {
    const IDLE: Duration = Duration::from_millis(500);
    let ctx = Context::new();
    let rep = socket(&ctx, SocketType::Rep);
    rep.bind(endpoint).unwrap();
    let endpoint = rep.get_last_endpoint().unwrap().unwrap();
    let req = socket(&ctx, SocketType::Req);
    req.connect(&endpoint).unwrap();
    let echo = thread::spawn(move || {
        for _ in 0..2000 {
            let msg = rep.recv_msg(0).unwrap();
            rep.send_msg(msg, 0).unwrap();
        }
        // Blocks, idle, until the other side's last request.
        let msg = rep.recv_msg(0).unwrap();
        rep.send_msg(msg, 0).unwrap();
    });
    for _ in 0..2000 {
        req.send("ping", 0).unwrap();
        req.recv_bytes(0).unwrap();
    }
    let before = cpu_time();
    thread::sleep(IDLE);
    let spent = cpu_time() - before;
    req.send("last", 0).unwrap();
    req.recv_bytes(0).unwrap();
    echo.join().unwrap();
    spent
}

#[test]
fn idle_connections_cost_no_cpu_after_a_request_reply_exchange() {
    for endpoint in ["tcp://127.0.0.1:0", "inproc://idle-cpu"] {
        let spent = cpu_while_idle_after_roundtrips(endpoint);
        eprintln!("{endpoint}: {spent:?} of CPU while idle");
        // Busy spinning through the 500 ms would cost ~500 ms per spinning
        // thread; sleeping costs a few scheduler ticks at most.
        assert!(
            spent < Duration::from_millis(50),
            "{endpoint}: {spent:?} of CPU while idle for 500 ms"
        );
    }
}
