//! A TCP fault proxy for tests: faults on the wire without `netem`.
//!
//! [`FaultProxy`] listens on `127.0.0.1:<ephemeral>` and relays every
//! connection it accepts to an upstream address (a zmq socket bound on
//! 127.0.0.1), so a test puts it between a client and a server:
//!
//! ```text
//! client.connect(proxy.endpoint())  ──►  FaultProxy  ──►  server.bind("tcp://127.0.0.1:*")
//! ```
//!
//! The faults are switched from the test while traffic flows; each call
//! takes effect for the connections that exist and those that come later:
//!
//! | call | what the peers see |
//! |---|---|
//! | [`delay`](FaultProxy::delay) | every chunk read is held this long before it is forwarded (latency per chunk, in each direction; chunks queue behind each other) |
//! | [`throttle`](FaultProxy::throttle) | forwarding at most this many bytes per second in each direction |
//! | [`split`](FaultProxy::split) | every byte is written alone (one `write` per byte; the proxy's sockets have `TCP_NODELAY`), with an optional pause after each |
//! | [`blackhole`](FaultProxy::blackhole) | nothing is forwarded either way, nothing is closed: what the peers send stays in the proxy's kernel buffers (then in theirs; a chunk a relay had just read is held by it), as TCP retransmitting behind a dead router; after `heal` it goes through, after `reset` it is lost; new connections are accepted and black-holed too |
//! | [`reset`](FaultProxy::reset) | every connection is closed with an RST on both sides (`SO_LINGER` 0), losing what the proxy holds; returns when the RSTs are sent |
//! | [`partition`](FaultProxy::partition) | the listening socket is closed (new connects get `ECONNREFUSED`) and the existing connections are black-holed |
//! | [`heal`](FaultProxy::heal) | clears black-hole and partition (the listener is bound again on the same port); delay, throttle and split stay until set to none |
//!
//! A connection closed by one peer is closed towards the other (a FIN is
//! passed on as a FIN, an error as an RST). The counters
//! ([`bytes_forwarded`](FaultProxy::bytes_forwarded),
//! [`bytes_held`](FaultProxy::bytes_held),
//! [`connections`](FaultProxy::connections)) let a test wait for traffic
//! instead of sleeping. Plain std threads: one accepting, two per
//! connection (one per direction), each waking every [`TICK`] to look at
//! the faults, so a fault takes effect within a few milliseconds.
//!
//! Use from a test file with `mod support;` and
//! `use support::fault_proxy::FaultProxy;`.

#![allow(dead_code)] // each test file uses a part of it

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often an idle relay thread looks at the faults.
pub const TICK: Duration = Duration::from_millis(5);

/// Largest chunk read at once.
const CHUNK: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, Default)]
struct Faults {
    delay: Duration,
    /// Bytes per second, `None`: unlimited.
    throttle: Option<u64>,
    /// `Some(pause)`: one write per byte, then `pause`.
    split: Option<Duration>,
    blackhole: bool,
    partitioned: bool,
}

struct Conn {
    /// The accepted side (towards the client).
    down: TcpStream,
    /// The side connected upstream (towards the server).
    up: TcpStream,
    /// Set to end both relay threads at once (reset or an error).
    abort: AtomicBool,
    relays: Mutex<Vec<JoinHandle<()>>>,
    live_relays: AtomicUsize,
    id: u64,
}

impl Conn {
    /// Arms an RST: the last close of each socket sends one.
    fn abort(&self) {
        set_linger_zero(&self.down);
        set_linger_zero(&self.up);
        self.abort.store(true, Ordering::SeqCst);
    }
}

struct Shared {
    upstream: SocketAddr,
    addr: SocketAddr,
    faults: Mutex<Faults>,
    listener: Mutex<Option<TcpListener>>,
    conns: Mutex<Vec<Arc<Conn>>>,
    stop: AtomicBool,
    to_upstream: AtomicU64,
    to_downstream: AtomicU64,
    accepted: AtomicU64,
    /// Bytes read by relays but held back by a black hole.
    held: AtomicU64,
    /// When bytes were last written towards the server.
    last_upstream: Mutex<Option<Instant>>,
}

impl Shared {
    fn faults(&self) -> Faults {
        *lock(&self.faults)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn set_linger_zero(stream: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: `setsockopt` reads one `linger` from the pointer we pass, with
    // its size; the descriptor is owned by `stream`, alive for the call.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// The relay between zmq peers; see the module documentation.
pub struct FaultProxy {
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// A proxy to `upstream`, a `tcp://127.0.0.1:port` endpoint (as
    /// `get_last_endpoint` gives it) or `127.0.0.1:port`.
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("tcp://")
            .parse()
            .expect("upstream address 127.0.0.1:port");
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy bind");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream,
            addr,
            faults: Mutex::new(Faults::default()),
            listener: Mutex::new(Some(listener)),
            conns: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            to_upstream: AtomicU64::new(0),
            to_downstream: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
            held: AtomicU64::new(0),
            last_upstream: Mutex::new(None),
        });
        let acceptor = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("fault-proxy-accept".into())
                .spawn(move || accept_loop(&shared))
                .unwrap()
        };
        FaultProxy {
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The endpoint clients connect to: `tcp://127.0.0.1:port`.
    pub fn endpoint(&self) -> String {
        format!("tcp://{}", self.shared.addr)
    }

    /// Holds every chunk this long before forwarding it (zero: off).
    pub fn delay(&self, delay: Duration) {
        lock(&self.shared.faults).delay = delay;
    }

    /// Forwards at most `bytes_per_sec` in each direction (`None`: off).
    pub fn throttle(&self, bytes_per_sec: Option<u64>) {
        assert!(bytes_per_sec != Some(0), "use blackhole() to stop traffic");
        lock(&self.shared.faults).throttle = bytes_per_sec;
    }

    /// Writes one byte at a time, pausing `pause` after each (`None`:
    /// off). The proxy's sockets have `TCP_NODELAY`, so with a pause the
    /// bytes leave (and arrive) one by one.
    pub fn split(&self, pause: Option<Duration>) {
        lock(&self.shared.faults).split = pause;
    }

    /// Stops forwarding both ways; nothing is closed.
    pub fn blackhole(&self) {
        lock(&self.shared.faults).blackhole = true;
    }

    /// Closes the listener (new connects are refused) and black-holes
    /// the connections that exist.
    pub fn partition(&self) {
        lock(&self.shared.faults).partitioned = true;
        // Dropping the listener closes it: its backlog gets RSTs too.
        lock(&self.shared.listener).take();
    }

    /// Ends black-hole and partition: forwarding resumes where it stopped
    /// and the listener is bound again on the same port.
    pub fn heal(&self) {
        let mut faults = lock(&self.shared.faults);
        faults.blackhole = false;
        if faults.partitioned {
            faults.partitioned = false;
            let mut listener = lock(&self.shared.listener);
            if listener.is_none() {
                *listener = Some(rebind(self.shared.addr));
            }
        }
    }

    /// Closes every connection with an RST both ways and returns once
    /// they are closed. What the proxy and its kernel buffers held is lost.
    pub fn reset(&self) {
        let conns: Vec<Arc<Conn>> = std::mem::take(&mut *lock(&self.shared.conns));
        for conn in &conns {
            conn.abort();
        }
        for conn in &conns {
            let relays = std::mem::take(&mut *lock(&conn.relays));
            for relay in relays {
                let _ = relay.join();
            }
        }
        // The relays are gone: the last references close the sockets now.
        drop(conns);
    }

    /// Bytes forwarded client → server.
    pub fn bytes_to_upstream(&self) -> u64 {
        self.shared.to_upstream.load(Ordering::SeqCst)
    }

    /// When bytes were last forwarded client → server.
    pub fn last_upstream_write(&self) -> Option<Instant> {
        *lock(&self.shared.last_upstream)
    }

    /// Bytes forwarded server → client.
    pub fn bytes_to_downstream(&self) -> u64 {
        self.shared.to_downstream.load(Ordering::SeqCst)
    }

    /// Bytes forwarded in both directions.
    pub fn bytes_forwarded(&self) -> u64 {
        self.bytes_to_upstream() + self.bytes_to_downstream()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Bytes the peers sent that the proxy holds: unread in its receive
    /// buffers (`FIONREAD` on every relayed socket) or read and held back
    /// by a black hole. What a reset would lose on the proxy's side.
    pub fn bytes_held(&self) -> u64 {
        let conns = lock(&self.shared.conns);
        self.shared.held.load(Ordering::SeqCst)
            + conns
                .iter()
                .flat_map(|c| [&c.down, &c.up])
                .map(|s| {
                    let mut n: libc::c_int = 0;
                    // SAFETY: `FIONREAD` writes one int into `n`; the
                    // descriptor is alive while `conns` is locked.
                    let rc = unsafe { libc::ioctl(s.as_raw_fd(), libc::FIONREAD, &mut n) };
                    if rc == 0 { n.max(0) as u64 } else { 0 }
                })
                .sum::<u64>()
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        lock(&self.shared.conns).len()
    }

    /// Waits until `cond` holds, at most `timeout`; whether it held.
    pub fn wait_for(&self, timeout: Duration, cond: impl Fn(&FaultProxy) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if cond(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        self.reset();
    }
}

/// Binds `addr` again after a partition. The port was ours a moment ago;
/// a connect from elsewhere could take it meanwhile, so retry a while.
fn rebind(addr: SocketAddr) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpListener::bind(addr) {
            Ok(listener) => {
                listener.set_nonblocking(true).unwrap();
                return listener;
            }
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                thread::sleep(TICK);
            }
            Err(e) => panic!("fault proxy: cannot bind {addr} again: {e}"),
        }
    }
}

fn accept_loop(shared: &Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        let accepted = match lock(&shared.listener).as_ref() {
            Some(listener) => listener.accept(),
            None => Err(ErrorKind::WouldBlock.into()),
        };
        let down = match accepted {
            Ok((down, _)) => down,
            Err(_) => {
                thread::sleep(TICK);
                continue;
            }
        };
        let Ok(up) = TcpStream::connect_timeout(&shared.upstream, Duration::from_secs(2)) else {
            // Upstream gone: pass the refusal on as an RST.
            set_linger_zero(&down);
            continue;
        };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        for s in [&down, &up] {
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(TICK)).unwrap();
            s.set_write_timeout(Some(TICK)).unwrap();
            s.set_nodelay(true).unwrap();
        }
        let conn = Arc::new(Conn {
            down,
            up,
            abort: AtomicBool::new(false),
            relays: Mutex::new(Vec::new()),
            live_relays: AtomicUsize::new(2),
            id: shared.accepted.load(Ordering::SeqCst),
        });
        lock(&shared.conns).push(conn.clone());
        let mut relays = lock(&conn.relays);
        for upward in [true, false] {
            let (conn2, shared2) = (conn.clone(), shared.clone());
            relays.push(
                thread::Builder::new()
                    .name("fault-proxy-relay".into())
                    .spawn(move || relay(&shared2, &conn2, upward))
                    .unwrap(),
            );
        }
    }
}

/// Moves bytes one way until EOF, an error, or an abort.
fn relay(shared: &Shared, conn: &Arc<Conn>, upward: bool) {
    let (from, to, counter) = if upward {
        (&conn.down, &conn.up, &shared.to_upstream)
    } else {
        (&conn.up, &conn.down, &shared.to_downstream)
    };
    let mut buf = vec![0u8; CHUNK];
    loop {
        if conn.abort.load(Ordering::SeqCst) {
            break;
        }
        let faults = shared.faults();
        if faults.blackhole || faults.partitioned {
            thread::sleep(TICK);
            continue;
        }
        let limit = match faults.throttle {
            // About 10 ms worth of bytes per read.
            Some(rate) => ((rate / 100) as usize).clamp(1, CHUNK),
            None => CHUNK,
        };
        let n = match (&*from).read(&mut buf[..limit]) {
            Ok(0) => {
                // FIN: pass it on; the other direction ends on its own.
                let _ = to.shutdown(Shutdown::Write);
                break;
            }
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => {
                conn.abort();
                break;
            }
        };
        // A black hole that began while we were in `read` holds the chunk.
        shared.held.fetch_add(n as u64, Ordering::SeqCst);
        let held = hold_while_blackholed(shared, conn);
        shared.held.fetch_sub(n as u64, Ordering::SeqCst);
        if held.is_err() || forward(shared, conn, to, &buf[..n], counter).is_err() {
            conn.abort();
            break;
        }
    }
    if conn.live_relays.fetch_sub(1, Ordering::SeqCst) == 1 {
        // Both directions ended: forget the connection (closing it when
        // the last reference goes).
        lock(&shared.conns).retain(|c| c.id != conn.id);
    }
}

fn hold_while_blackholed(shared: &Shared, conn: &Conn) -> Result<(), ()> {
    loop {
        let faults = shared.faults();
        if !(faults.blackhole || faults.partitioned) {
            return Ok(());
        }
        if conn.abort.load(Ordering::SeqCst) {
            return Err(());
        }
        thread::sleep(TICK);
    }
}

/// Writes `data` to `to` under the current faults, looked at again after
/// every piece written (so a change applies within a chunk too). `Err`
/// when the connection is aborted or the write fails.
fn forward(
    shared: &Shared,
    conn: &Conn,
    to: &TcpStream,
    mut data: &[u8],
    counter: &AtomicU64,
) -> Result<(), ()> {
    let delay = shared.faults().delay;
    if !delay.is_zero() {
        sleep_unless_aborted(conn, delay)?;
    }
    while !data.is_empty() {
        hold_while_blackholed(shared, conn)?;
        let faults = shared.faults();
        let started = Instant::now();
        let piece = match (faults.split, faults.throttle) {
            (Some(_), _) => 1,
            (None, Some(rate)) => ((rate / 100) as usize).clamp(1, CHUNK),
            (None, None) => data.len(),
        }
        .min(data.len());
        write_all(conn, to, &data[..piece])?;
        if std::ptr::eq(counter, &shared.to_upstream) {
            *lock(&shared.last_upstream) = Some(Instant::now());
        }
        counter.fetch_add(piece as u64, Ordering::SeqCst);
        data = &data[piece..];
        if let Some(pause) = faults.split
            && !pause.is_zero()
        {
            thread::sleep(pause);
        }
        if let Some(rate) = faults.throttle {
            let due = Duration::from_secs_f64(piece as f64 / rate as f64);
            if let Some(rest) = due.checked_sub(started.elapsed()) {
                sleep_unless_aborted(conn, rest)?;
            }
        }
    }
    Ok(())
}

fn sleep_unless_aborted(conn: &Conn, total: Duration) -> Result<(), ()> {
    let deadline = Instant::now() + total;
    loop {
        if conn.abort.load(Ordering::SeqCst) {
            return Err(());
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(());
        }
        thread::sleep((deadline - now).min(TICK));
    }
}

/// `write_all` that gives up when the connection is aborted (the write
/// timeout is one [`TICK`], so a full peer does not hold us forever).
fn write_all(conn: &Conn, mut to: &TcpStream, mut data: &[u8]) -> Result<(), ()> {
    while !data.is_empty() {
        if conn.abort.load(Ordering::SeqCst) {
            return Err(());
        }
        match to.write(data) {
            Ok(0) => return Err(()),
            Ok(n) => data = &data[n..],
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => return Err(()),
        }
    }
    Ok(())
}
