//! Soak and churn (`cargo xtask soak --minutes N`): one process, one
//! server context and several client contexts, for N minutes:
//! - churn: 1,000 tcp connections (4 threads × 250 DEALER sockets to a
//!   ROUTER echo), each thread closing and reconnecting 25 of them at a
//!   time after one request/reply each; every few rounds a thread closes
//!   all its sockets and terminates its context (with a DEALER holding
//!   unsendable messages to a port nobody listens on, so the context
//!   lingers) and starts a new one;
//! - PUB/SUB: a publisher at a bounded rate, 4 slow subscribers with a
//!   small `ZMQ_RCVHWM` (the publisher drops at its high-water mark);
//! - REQ/REP: 2 REQ clients in a closed loop against a REP echo.
//!
//! Every second: resident memory, open descriptors (`/proc/self/fd`),
//! CPU time (resident memory after `malloc_trim(0)`, see [`trim`]; the
//! untrimmed figure and the allocator's bytes in use are printed too).
//! After a warm-up, the slopes of memory and descriptors
//! (Theil–Sen) must stay under the bounds below; at the end every context is
//! terminated (each `term` must return within `ZMQ_LINGER` + slack) and
//! the descriptor count must be back at its baseline. Exit status 1 when
//! a bound is broken.
//!
//! `zmq-soak --minutes N` (N may be fractional).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, DONTWAIT, Socket, SocketType};

/// Churn threads and connections each keeps open.
const CHURN_THREADS: usize = 4;
const CONNECTIONS_PER_THREAD: usize = 250;
/// Connections closed and reopened per churn step.
const CHURN_BATCH: usize = 25;
/// Churn steps between two context terminations of a churn thread.
const STEPS_PER_CONTEXT: usize = 40;
/// `ZMQ_LINGER` of the client sockets (ms).
const LINGER_MS: i32 = 200;
/// How much later than `ZMQ_LINGER` a `term` may return (scheduling on a
/// shared machine, joining the I/O threads).
const TERM_SLACK: Duration = Duration::from_millis(500);
/// Upward slope bounds after the warm-up: resident memory after trimming and heap
/// in use (bytes per second; a leak of 100 B per connection opened would be
/// ~100 KiB/s at this churn), and descriptors (per second).
const RSS_SLOPE_BOUND: f64 = 64.0 * 1024.0;
const FD_SLOPE_BOUND: f64 = 2.0;
/// Resident memory beyond the heap in use that is not a leak: code, thread
/// stacks, allocator bookkeeping.
const RSS_OVER_HEAP: f64 = 32.0 * 1024.0 * 1024.0;
/// Publisher rate (messages per second) and subscribers.
const PUB_RATE: u64 = 20_000;
const SUBSCRIBERS: usize = 4;
const REQ_CLIENTS: usize = 2;

struct Options {
    minutes: f64,
    /// Workloads to run (all by default): churn, pubsub, reqrep.
    only: Vec<String>,
}

impl Options {
    fn runs(&self, workload: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|w| w == workload)
    }
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        minutes: 1.0,
        only: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--minutes" => {
                let value = args.next().ok_or("--minutes needs a value")?;
                options.minutes = value
                    .parse()
                    .ok()
                    .filter(|m: &f64| m.is_finite() && *m > 0.0)
                    .ok_or_else(|| format!("--minutes: not a positive number: {value}"))?;
            }
            "--only" => {
                let value = args.next().ok_or("--only needs a value")?;
                for w in value.split(',') {
                    if !["churn", "pubsub", "reqrep"].contains(&w) {
                        return Err(format!("--only: unknown workload {w}"));
                    }
                    options.only.push(w.to_string());
                }
            }
            "-h" | "--help" => {
                println!("usage: zmq-soak [--minutes N] [--only churn,pubsub,reqrep]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// Resident memory (bytes), from `/proc/self/statm`.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * u64::try_from(page).unwrap_or(4096)
}

/// Bytes the allocator has handed out and not got back (glibc's
/// `mallinfo2`: arena chunks in use plus mmapped chunks).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn heap_in_use() -> u64 {
    // SAFETY: mallinfo2 has no preconditions.
    let info = unsafe { libc::mallinfo2() };
    (info.uordblks + info.hblkhd) as u64
}

/// Gives the pages of free chunks back to the kernel (`malloc_trim(0)`,
/// which also releases whole free pages inside the arenas), so that the
/// resident size sampled next is not glibc's cache of freed memory, which
/// fragmentation under churn makes grow for minutes before it levels off.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim has no preconditions.
    unsafe { libc::malloc_trim(0) };
}

/// Other allocators say nothing: the heap is not sampled (0), and the
/// resident size alone is judged.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn heap_in_use() -> u64 {
    0
}

/// Nothing to trim outside glibc.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

/// Open descriptors of this process.
fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count().saturating_sub(1))
}

/// User + system CPU time of this process.
fn cpu_time() -> Duration {
    // SAFETY: getrusage writes into the struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn raise_fd_limit() {
    // SAFETY: plain system calls on a struct we own.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Theil–Sen slope of `ys` over `xs`: the median of the pairwise slopes,
/// so that the dips of a context closing its 250 connections at once do
/// not pass for a trend.
fn slope(xs: &[f64], ys: &[f64]) -> f64 {
    let mut slopes = Vec::new();
    for i in 0..xs.len() {
        for j in i + 1..xs.len() {
            if xs[j] != xs[i] {
                slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
            }
        }
    }
    if slopes.is_empty() {
        return 0.0;
    }
    slopes.sort_by(f64::total_cmp);
    slopes[slopes.len() / 2]
}

#[derive(Default)]
struct Counters {
    churn_connections: AtomicU64,
    churn_exchanges: AtomicU64,
    contexts_termed: AtomicU64,
    published: AtomicU64,
    delivered: AtomicU64,
    req_round_trips: AtomicU64,
    errors: AtomicU64,
}

type Res<T> = Result<T, String>;

fn z(what: &'static str) -> impl Fn(zmq::Error) -> String {
    move |e| format!("{what}: {e}")
}

/// One churn client socket: connected, one request answered.
fn churn_socket(ctx: &Context, endpoint: &str) -> Res<Socket> {
    let s = ctx.socket(SocketType::Dealer).map_err(z("socket"))?;
    s.set_linger(LINGER_MS).map_err(z("linger"))?;
    s.set_rcvtimeo(5_000).map_err(z("rcvtimeo"))?;
    s.set_sndtimeo(5_000).map_err(z("sndtimeo"))?;
    s.connect(endpoint).map_err(z("connect"))?;
    Ok(s)
}

fn exchange(s: &Socket, counters: &Counters) -> Res<()> {
    s.send(&b"churn"[..], 0).map_err(z("churn send"))?;
    let reply = s.recv_msg(0).map_err(z("churn recv"))?;
    if &*reply != b"churn" {
        return Err("churn: wrong reply".into());
    }
    counters.churn_exchanges.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// A churn thread: contexts come and go, connections are closed and
/// reopened. Returns the `term` durations.
fn churn(
    endpoint: String,
    dead_endpoint: String,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
) -> Res<Vec<Duration>> {
    let mut terms = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let ctx = Context::new();
        // Closed sockets count until reaped: room for a batch of them.
        ctx.set_max_sockets(4 * CONNECTIONS_PER_THREAD as i32)
            .map_err(z("max sockets"))?;
        // Messages nobody will take: term must still return after LINGER.
        let stuck = ctx.socket(SocketType::Dealer).map_err(z("socket"))?;
        stuck.set_linger(LINGER_MS).map_err(z("linger"))?;
        stuck.connect(&dead_endpoint).map_err(z("connect"))?;
        for _ in 0..10 {
            let _ = stuck.send(&b"never delivered"[..], DONTWAIT);
        }
        let mut sockets = Vec::with_capacity(CONNECTIONS_PER_THREAD);
        for _ in 0..CONNECTIONS_PER_THREAD {
            let s = churn_socket(&ctx, &endpoint)?;
            counters.churn_connections.fetch_add(1, Ordering::Relaxed);
            sockets.push(s);
        }
        for s in &sockets {
            exchange(s, &counters)?;
        }
        let mut next = 0;
        for _ in 0..STEPS_PER_CONTEXT {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            for _ in 0..CHURN_BATCH {
                let i = next % sockets.len();
                next += 1;
                let fresh = churn_socket(&ctx, &endpoint)?;
                counters.churn_connections.fetch_add(1, Ordering::Relaxed);
                exchange(&fresh, &counters)?;
                // The old one closes with a last message in flight.
                let old = std::mem::replace(&mut sockets[i], fresh);
                let _ = old.send(&b"bye"[..], DONTWAIT);
                old.close();
            }
        }
        for s in sockets {
            s.close();
        }
        stuck.close();
        let started = Instant::now();
        ctx.term().map_err(z("term"))?;
        terms.push(started.elapsed());
        counters.contexts_termed.fetch_add(1, Ordering::Relaxed);
    }
    Ok(terms)
}

fn run(options: &Options) -> Res<bool> {
    raise_fd_limit();
    let fd_baseline = fd_count();
    let rss_baseline = rss_bytes();
    let duration = Duration::from_secs_f64(options.minutes * 60.0);
    let warmup = Duration::from_secs_f64((duration.as_secs_f64() / 3.0).clamp(10.0, 90.0));
    println!(
        "soak: {:.2} min, warm-up {:.0} s; baseline {} descriptors, {:.1} MiB resident",
        options.minutes,
        warmup.as_secs_f64(),
        fd_baseline,
        rss_baseline as f64 / 1048576.0
    );

    let server = Context::new();
    server.set_max_sockets(64).map_err(z("max sockets"))?;
    // Servers stop after their clients (a client may wait on a reply).
    let stop = Arc::new(AtomicBool::new(false));
    let stop_clients = Arc::new(AtomicBool::new(false));
    // Client threads (churn, REQ), stopped and joined before the servers.
    let mut clients: Vec<thread::JoinHandle<Res<Vec<Duration>>>> = Vec::new();
    let counters = Arc::new(Counters::default());

    // ROUTER echo for the churn.
    let router = server.socket(SocketType::Router).map_err(z("socket"))?;
    router.set_linger(0).map_err(z("linger"))?;
    router.set_rcvtimeo(100).map_err(z("rcvtimeo"))?;
    router.set_backlog(1024).map_err(z("backlog"))?;
    router.bind("tcp://127.0.0.1:*").map_err(z("bind"))?;
    let churn_endpoint = router
        .get_last_endpoint()
        .map_err(z("endpoint"))?
        .unwrap_or_default();
    // An endpoint nobody listens on: bind, note, close.
    let dead_endpoint = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        format!("tcp://{}", l.local_addr().map_err(|e| e.to_string())?)
    };
    let mut threads: Vec<thread::JoinHandle<Res<Vec<Duration>>>> = Vec::new();
    {
        let stop = stop.clone();
        threads.push(thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Ok(id) = router.recv_msg(0) else { continue };
                let Ok(body) = router.recv_msg(0) else {
                    continue;
                };
                if &*body == b"bye" {
                    continue;
                }
                let _ = router.send(id, zmq::SNDMORE);
                let _ = router.send(body, 0);
            }
            router.close();
            Ok(Vec::new())
        }));
    }

    let subscriber_ctx = Context::new();
    if options.runs("pubsub") {
        // PUB/SUB with slow subscribers.
        let publisher = server.socket(SocketType::Pub).map_err(z("socket"))?;
        publisher.set_linger(0).map_err(z("linger"))?;
        publisher.set_sndhwm(1000).map_err(z("sndhwm"))?;
        publisher.bind("tcp://127.0.0.1:*").map_err(z("bind"))?;
        let pub_endpoint = publisher
            .get_last_endpoint()
            .map_err(z("endpoint"))?
            .unwrap_or_default();
        for i in 0..SUBSCRIBERS {
            let sub = subscriber_ctx
                .socket(SocketType::Sub)
                .map_err(z("socket"))?;
            sub.set_linger(0).map_err(z("linger"))?;
            sub.set_rcvhwm(100).map_err(z("rcvhwm"))?;
            sub.set_rcvtimeo(100).map_err(z("rcvtimeo"))?;
            sub.set_subscribe(b"").map_err(z("subscribe"))?;
            sub.connect(&pub_endpoint).map_err(z("connect"))?;
            let (stop, counters) = (stop.clone(), counters.clone());
            threads.push(thread::spawn(move || {
                // Slow: a message every 1-4 ms.
                let pause = Duration::from_millis(1 + i as u64);
                while !stop.load(Ordering::Relaxed) {
                    if sub.recv_msg(0).is_ok() {
                        counters.delivered.fetch_add(1, Ordering::Relaxed);
                    }
                    thread::sleep(pause);
                }
                sub.close();
                Ok(Vec::new())
            }));
        }
        {
            let (stop, counters) = (stop.clone(), counters.clone());
            threads.push(thread::spawn(move || {
                let payload = [42u8; 100];
                let start = Instant::now();
                let mut sent = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let due = (start.elapsed().as_secs_f64() * PUB_RATE as f64) as u64;
                    while sent < due {
                        if publisher.send(&payload[..], DONTWAIT).is_err() {
                            counters.errors.fetch_add(1, Ordering::Relaxed);
                        }
                        sent += 1;
                    }
                    counters.published.store(sent, Ordering::Relaxed);
                    thread::sleep(Duration::from_millis(5));
                }
                publisher.close();
                Ok(Vec::new())
            }));
        }
    }

    let req_ctx = Context::new();
    if options.runs("reqrep") {
        // REQ/REP under load.
        let rep = server.socket(SocketType::Rep).map_err(z("socket"))?;
        rep.set_linger(0).map_err(z("linger"))?;
        rep.set_rcvtimeo(100).map_err(z("rcvtimeo"))?;
        rep.bind("tcp://127.0.0.1:*").map_err(z("bind"))?;
        let rep_endpoint = rep
            .get_last_endpoint()
            .map_err(z("endpoint"))?
            .unwrap_or_default();
        {
            let stop = stop.clone();
            threads.push(thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(msg) = rep.recv_msg(0) {
                        rep.send(msg, 0).map_err(z("rep send"))?;
                    }
                }
                rep.close();
                Ok(Vec::new())
            }));
        }
        for _ in 0..REQ_CLIENTS {
            let req = req_ctx.socket(SocketType::Req).map_err(z("socket"))?;
            req.set_linger(0).map_err(z("linger"))?;
            req.set_rcvtimeo(5_000).map_err(z("rcvtimeo"))?;
            req.connect(&rep_endpoint).map_err(z("connect"))?;
            let (stop, counters) = (stop_clients.clone(), counters.clone());
            clients.push(thread::spawn(move || {
                let body = [7u8; 512];
                while !stop.load(Ordering::Relaxed) {
                    req.send(&body[..], 0).map_err(z("req send"))?;
                    let reply = req.recv_msg(0).map_err(z("req recv"))?;
                    if reply.len() != body.len() {
                        return Err("req: wrong reply".into());
                    }
                    counters.req_round_trips.fetch_add(1, Ordering::Relaxed);
                }
                req.close();
                Ok(Vec::new())
            }));
        }
    }

    for _ in 0..CHURN_THREADS * usize::from(options.runs("churn")) {
        let (endpoint, dead) = (churn_endpoint.clone(), dead_endpoint.clone());
        let (stop, counters) = (stop_clients.clone(), counters.clone());
        clients.push(thread::spawn(move || churn(endpoint, dead, stop, counters)));
    }

    // Samples, once a second.
    let start = Instant::now();
    let cpu_start = cpu_time();
    let (mut xs, mut rss, mut fds) = (Vec::new(), Vec::new(), Vec::new());
    let (mut raw_rss_samples, mut heap_samples) = (Vec::new(), Vec::new());
    let mut last_cpu = cpu_start;
    let (tx, rx) = mpsc::channel::<()>();
    let mut second = 0u64;
    println!(
        "     t  RSS MiB (untrimmed)  heap MiB   fds  CPU %   conns  ctx-terms    pub  delivered  req/rep"
    );
    while start.elapsed() < duration {
        second += 1;
        let next = start + Duration::from_secs(second);
        let _ = rx.recv_timeout(next.saturating_duration_since(Instant::now()));
        if clients.iter().any(|t| t.is_finished()) {
            break; // a client thread failed: reported below
        }
        let t = start.elapsed().as_secs_f64();
        let raw_rss = rss_bytes();
        trim();
        let (r, f, c) = (rss_bytes(), fd_count(), cpu_time());
        let heap = heap_in_use();
        let cpu_pct = (c - last_cpu).as_secs_f64() * 100.0;
        last_cpu = c;
        println!(
            "{:6.0} {:8.1} ({:8.1}) {:9.1} {:5} {:6.0} {:7} {:10} {:5}k {:9}k {:8}",
            t,
            r as f64 / 1048576.0,
            raw_rss as f64 / 1048576.0,
            heap as f64 / 1048576.0,
            f,
            cpu_pct,
            counters.churn_connections.load(Ordering::Relaxed),
            counters.contexts_termed.load(Ordering::Relaxed),
            counters.published.load(Ordering::Relaxed) / 1000,
            counters.delivered.load(Ordering::Relaxed) / 1000,
            counters.req_round_trips.load(Ordering::Relaxed),
        );
        if start.elapsed() >= warmup {
            xs.push(t);
            rss.push(r as f64);
            fds.push(f as f64);
            raw_rss_samples.push(raw_rss as f64);
            heap_samples.push(heap as f64);
        }
    }
    drop(tx);
    let run_time = start.elapsed();
    let cpu_used = cpu_time() - cpu_start;
    // Clients first (they need their servers to finish a step), then the
    // servers.
    stop_clients.store(true, Ordering::Relaxed);

    let mut ok = true;
    let mut terms = Vec::new();
    for t in clients {
        match t.join() {
            Ok(Ok(d)) => terms.extend(d),
            Ok(Err(e)) => {
                println!("FAIL: client thread: {e}");
                ok = false;
            }
            Err(_) => {
                println!("FAIL: client thread panicked");
                ok = false;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        match t.join() {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                println!("FAIL: {e}");
                ok = false;
            }
            Err(_) => {
                println!("FAIL: a thread panicked");
                ok = false;
            }
        }
    }
    for ctx in [subscriber_ctx, req_ctx, server] {
        let started = Instant::now();
        ctx.term().map_err(z("term"))?;
        terms.push(started.elapsed());
    }
    let fd_end = fd_count();

    let linger = Duration::from_millis(LINGER_MS as u64);
    let worst_term = terms.iter().max().copied().unwrap_or_default();
    let mean_term = terms.iter().sum::<Duration>() / u32::try_from(terms.len().max(1)).unwrap_or(1);
    let rss_slope = slope(&xs, &rss);
    let fd_slope = slope(&xs, &fds);
    let raw_rss_slope = slope(&xs, &raw_rss_samples);
    let heap_slope = slope(&xs, &heap_samples);
    let published = counters.published.load(Ordering::Relaxed);
    let delivered = counters.delivered.load(Ordering::Relaxed);
    println!(
        "soak: ran {:.1} s, CPU {:.1} s ({:.0} % of one core)",
        run_time.as_secs_f64(),
        cpu_used.as_secs_f64(),
        cpu_used.as_secs_f64() * 100.0 / run_time.as_secs_f64()
    );
    println!(
        "soak: {} connections opened, {} exchanges, {} contexts terminated; \
         PUB sent {published}, {SUBSCRIBERS} slow subscribers took {delivered} ({:.1} % of what was sent to them); \
         {} REQ/REP round trips",
        counters.churn_connections.load(Ordering::Relaxed),
        counters.churn_exchanges.load(Ordering::Relaxed),
        counters.contexts_termed.load(Ordering::Relaxed),
        delivered as f64 * 100.0 / (published.max(1) * SUBSCRIBERS as u64) as f64,
        counters.req_round_trips.load(Ordering::Relaxed),
    );
    if let (Some(first), Some(last)) = (rss.first(), rss.last()) {
        println!(
            "soak: after warm-up ({} samples) RSS {:.1} → {:.1} MiB, slope {:+.1} KiB/s (bound +{:.0}); \
             descriptors slope {:+.2}/s (bound +{FD_SLOPE_BOUND})",
            xs.len(),
            first / 1048576.0,
            last / 1048576.0,
            rss_slope / 1024.0,
            RSS_SLOPE_BOUND / 1024.0,
            fd_slope
        );
        println!(
            "soak: heap in use slope {:+.1} KiB/s; untrimmed RSS {:.1} → {:.1} MiB, slope {:+.1} KiB/s (reported, not bounded)",
            heap_slope / 1024.0,
            raw_rss_samples.first().copied().unwrap_or(0.0) / 1048576.0,
            raw_rss_samples.last().copied().unwrap_or(0.0) / 1048576.0,
            raw_rss_slope / 1024.0
        );
    }
    println!(
        "soak: descriptors {fd_baseline} at start, {fd_end} after every context terminated; \
         {} terms, mean {:.0} ms, worst {:.0} ms (bound: LINGER {LINGER_MS} ms + {} ms)",
        terms.len(),
        mean_term.as_secs_f64() * 1e3,
        worst_term.as_secs_f64() * 1e3,
        TERM_SLACK.as_millis()
    );
    if xs.len() < 5 {
        println!("FAIL: fewer than 5 samples after the warm-up");
        ok = false;
    }
    // Resident memory may creep up while the heap in use stays flat: a
    // read buffer reserves 64 KiB and touches what it receives, and a
    // buffer that reuses a chunk of pages touched before finds them
    // resident. That is bounded by the heap in use, so a slope above the
    // bound is a failure only when resident memory also passes the heap's
    // peak plus the process's fixed part.
    let heap_peak = heap_samples.iter().copied().fold(0.0, f64::max);
    let rss_peak = rss.iter().copied().fold(0.0, f64::max);
    let rss_ceiling = heap_peak + RSS_OVER_HEAP;
    if rss_slope > RSS_SLOPE_BOUND {
        if rss_peak > rss_ceiling {
            println!(
                "FAIL: resident memory trends up beyond the bound, and its peak {:.1} MiB above the heap's peak + {:.0} MiB ({:.1} MiB)",
                rss_peak / 1048576.0,
                RSS_OVER_HEAP / 1048576.0,
                rss_ceiling / 1048576.0
            );
            ok = false;
        } else {
            println!(
                "soak: resident memory trends up beyond the bound, but its peak {:.1} MiB stays under the heap's peak in use + {:.0} MiB ({:.1} MiB), whose slope is flat: not a leak",
                rss_peak / 1048576.0,
                RSS_OVER_HEAP / 1048576.0,
                rss_ceiling / 1048576.0
            );
        }
    }
    // Queues that fill towards their high-water marks (the publisher's
    // pipes to the slow subscribers) raise the heap for tens of seconds,
    // then level off; a leak keeps its pace. So the heap fails
    // only when it also trends up over the last half of the samples.
    let half = xs.len() / 2;
    let late_heap_slope = slope(&xs[half..], &heap_samples[half..]);
    if heap_slope > RSS_SLOPE_BOUND {
        if late_heap_slope > RSS_SLOPE_BOUND {
            println!(
                "FAIL: heap in use trends up beyond the bound, over the last half of the samples too ({:+.1} KiB/s)",
                late_heap_slope / 1024.0
            );
            ok = false;
        } else {
            println!(
                "soak: heap in use trended up beyond the bound, but levelled off: {:+.1} KiB/s over the last half of the samples",
                late_heap_slope / 1024.0
            );
        }
    }
    if fd_slope > FD_SLOPE_BOUND {
        println!("FAIL: descriptors trend up beyond the bound");
        ok = false;
    }
    if fd_end != fd_baseline {
        println!("FAIL: descriptors leaked: {fd_baseline} → {fd_end}");
        ok = false;
    }
    if worst_term > linger + TERM_SLACK {
        println!("FAIL: a context took longer than LINGER to terminate");
        ok = false;
    }
    if options.runs("churn") && counters.contexts_termed.load(Ordering::Relaxed) == 0 {
        println!("FAIL: no churn context was terminated during the run");
        ok = false;
    }
    Ok(ok)
}

fn main() -> std::process::ExitCode {
    let options = match parse_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("zmq-soak: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => {
            println!("soak: ok");
            std::process::ExitCode::SUCCESS
        }
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("zmq-soak: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
