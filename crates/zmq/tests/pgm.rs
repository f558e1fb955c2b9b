//! End-to-end pgm and epgm (the `pgm` feature): PUB/XPUB → SUB/XSUB over
//! libpgm between two network namespaces of the test's own, NAK/RDATA
//! repair of a loss made by a fault layer (`tests/pgm/drop.c`, dropping
//! every 5th ODATA packet the sender sends), a window too small to
//! repair (libpgm resets the sender's stream; the receiver joins again at
//! the next message), and the errors libzmq gives.
//!
//! libzmq turns multicast loopback off for PGM, so sender and receiver
//! need separate stacks: each multicast test re-runs itself under
//! `unshare --net` (namespace A, `v0` 10.9.0.1) with a second namespace B
//! (`v1` 10.9.0.2, a sleeping helper's) on the other end of a veth pair;
//! the receiving sockets are made on a thread that entered B. Without
//! root or `unshare` those tests say so and pass.
#![cfg(all(feature = "pgm", target_os = "linux"))]

use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use zmq::{Context, Error, SNDMORE, Socket, SocketType};

/// Set in the re-executed test process: namespace B's `ns/net` path.
const PEER_NS_ENV: &str = "ZRS_PGM_PEER_NS";

/// Runs `test` inside namespace A with B beside it; `false` here (the
/// outer process, or no root), `true` inside. `preload` is a library for
/// LD_PRELOAD with its environment.
fn in_namespaces(test: &str, preload: Option<(&PathBuf, &str)>) -> bool {
    if std::env::var_os(PEER_NS_ENV).is_some() {
        return true;
    }
    let root = nix::unistd::Uid::effective().is_root();
    let probe = Command::new("unshare").args(["--net", "true"]).status();
    if !root || !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped {test}: needs root and `unshare --net` for the namespaces");
        return false;
    }
    let exe = std::env::current_exe().unwrap();
    let script = format!(
        "ip link set lo up && (unshare --net sleep 120 & echo $! > \"$2\"; wait) & \
         for i in $(seq 200); do [ -s \"$2\" ] && B=$(cat \"$2\") && \
           [ \"$(readlink /proc/$B/ns/net)\" != \"$(readlink /proc/self/ns/net)\" ] && break; sleep 0.01; done; \
         ip link add v0 type veth peer name v1 netns $B && ip link set v0 up \
         && ip addr add 10.9.0.1/24 dev v0 && ip route add 224.0.0.0/4 dev v0 \
         && nsenter -t $B -n sh -c 'ip link set lo up && ip link set v1 up \
              && ip addr add 10.9.0.2/24 dev v1 && ip route add 224.0.0.0/4 dev v1' \
         && {{ env {PEER_NS_ENV}=/proc/$B/ns/net {preload} \"$0\" \"$1\" --exact --nocapture; rc=$?; }}; \
         kill $B; exit ${{rc:-1}}",
        preload = match preload {
            Some((library, env)) => format!("LD_PRELOAD={} {env}", library.display()),
            None => String::new(),
        }
    );
    let pid_file = std::env::temp_dir().join(format!("zrs-pgm-{}-{test}", std::process::id()));
    let status = Command::new("unshare")
        .args(["--net", "sh", "-c", &script])
        .arg(exe)
        .arg(test)
        .arg(&pid_file)
        .status()
        .unwrap();
    let _ = std::fs::remove_file(&pid_file);
    assert!(status.success(), "{test} failed inside the namespaces");
    false
}

/// Runs `f` on a thread that entered namespace B (its sockets are B's).
fn in_peer_ns<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> thread::JoinHandle<T> {
    let path = std::env::var(PEER_NS_ENV).unwrap();
    thread::spawn(move || {
        let ns = std::fs::File::open(path).unwrap();
        // SAFETY: a plain system call on a descriptor we own; it moves
        // this thread only (network namespaces are per thread).
        let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
        f()
    })
}

/// The test message `n`: its number, then filler up to `size`.
fn body(n: u32, size: usize) -> Vec<u8> {
    let mut data = format!("{n:010}").into_bytes();
    data.extend((data.len()..size).map(|i| b'a' + ((n as usize + i) % 26) as u8));
    data
}

/// What a receiver saw.
#[derive(Debug, Default)]
struct Seen {
    numbers: Vec<u32>,
    bad: usize,
}

/// Receives until "END" or a second of silence; every message is
/// checked whole (two parts for every 7th number).
fn receive_all(sub: &Socket, size: usize) -> Seen {
    let mut seen = Seen::default();
    sub.set_rcvtimeo(3000).unwrap();
    while let Ok(parts) = sub.recv_multipart(0) {
        if parts == [b"END".to_vec()] {
            break;
        }
        let Some(last) = parts.last() else {
            seen.bad += 1;
            continue;
        };
        let n: u32 = match std::str::from_utf8(&last[..10.min(last.len())])
            .ok()
            .and_then(|t| t.parse().ok())
        {
            Some(n) => n,
            None => {
                seen.bad += 1;
                continue;
            }
        };
        let whole = *last == body(n, size)
            && if n % 7 == 3 {
                parts.len() == 2 && parts[0] == last[..10]
            } else {
                parts.len() == 1
            };
        if whole {
            seen.numbers.push(n);
        } else {
            seen.bad += 1;
        }
    }
    seen
}

fn send_all(publisher: &Socket, count: u32, size: usize, pause: Duration) {
    for n in 0..count {
        let data = body(n, size);
        if n % 7 == 3 {
            publisher.send(&data[..10], SNDMORE).unwrap();
        }
        publisher.send(&data, 0).unwrap();
        if !pause.is_zero() {
            thread::sleep(pause);
        }
    }
    for _ in 0..20 {
        publisher.send("END", 0).unwrap();
        thread::sleep(Duration::from_millis(50));
    }
}

/// PUB (or XPUB) in A sends `count` messages; SUB (or XSUB) in B joined
/// first; what it saw.
fn run(
    scheme: &str,
    port: u16,
    kinds: (SocketType, SocketType),
    count: u32,
    size: usize,
    setup: impl Fn(&Socket) + Send + Copy + 'static,
) -> Seen {
    let ctx = Context::new();
    let group = format!("239.192.9.{}", port % 200 + 1);
    let sub_endpoint = format!("{scheme}://10.9.0.2;{group}:{port}");
    let (ready_tx, ready_rx) = mpsc::channel();
    let sub_ctx = ctx.clone();
    let receiver = in_peer_ns(move || {
        let sub = sub_ctx.socket(kinds.1).unwrap();
        setup(&sub);
        match kinds.1 {
            SocketType::Sub => sub.set_subscribe(b"").unwrap(),
            _ => sub.send([1u8].as_slice(), 0).unwrap(),
        }
        sub.connect(&sub_endpoint).unwrap();
        ready_tx.send(()).unwrap();
        receive_all(&sub, size)
    });
    ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    thread::sleep(Duration::from_millis(300));
    let publisher = ctx.socket(kinds.0).unwrap();
    setup(&publisher);
    publisher.set_linger(2000).unwrap();
    let endpoint = format!("{scheme}://10.9.0.1;{group}:{port}");
    // bind is connect for pgm, as in libzmq.
    publisher.bind(&endpoint).unwrap();
    assert_eq!(publisher.get_last_endpoint().unwrap().unwrap(), endpoint);
    send_all(&publisher, count, size, Duration::from_micros(200));
    let seen = receiver.join().unwrap();
    drop(publisher);
    seen
}

fn rate_and_hwm(s: &Socket) {
    s.set_rate(20_000).unwrap();
    s.set_sndhwm(0).unwrap();
    s.set_rcvhwm(0).unwrap();
}

fn assert_every_message(seen: &Seen, count: u32, what: &str) {
    assert_eq!(seen.bad, 0, "{what}: damaged messages");
    let want: Vec<u32> = (0..count).collect();
    assert!(
        seen.numbers == want,
        "{what}: got {} of {count}, first {:?}, last {:?}",
        seen.numbers.len(),
        seen.numbers.first(),
        seen.numbers.last()
    );
}

#[test]
fn pub_to_sub_over_epgm_and_pgm() {
    if !in_namespaces("pub_to_sub_over_epgm_and_pgm", None) {
        return;
    }
    assert_eq!(zmq::has("pgm"), Some(true));
    for (i, scheme) in ["epgm", "pgm"].into_iter().enumerate() {
        let port = 5700 + i as u16 * 10;
        // Small messages (many per packet) and large ones (over several).
        let seen = run(
            scheme,
            port,
            (SocketType::Pub, SocketType::Sub),
            600,
            100,
            rate_and_hwm,
        );
        assert_every_message(&seen, 600, scheme);
        let seen = run(
            scheme,
            port + 1,
            (SocketType::XPub, SocketType::XSub),
            200,
            4000,
            rate_and_hwm,
        );
        assert_every_message(&seen, 200, scheme);
    }
}

/// tests/pgm/drop.c, built for this run.
fn drop_library() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    // In the target's scratch directory: a failed run leaves nothing in /tmp.
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pgm-drop-{}.so", std::process::id()));
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&out)
        .arg(root.join("tests/pgm/drop.c"))
        .arg("-ldl")
        .status()
        .expect("cc");
    assert!(status.success());
    out
}

#[test]
fn a_lost_packet_is_repaired() {
    let library = (std::env::var_os(PEER_NS_ENV).is_none()).then(drop_library);
    if !in_namespaces(
        "a_lost_packet_is_repaired",
        library.as_ref().map(|l| (l, "ZRS_DROP_EVERY=5")),
    ) {
        if let Some(library) = library {
            let _ = std::fs::remove_file(library);
        }
        return;
    }
    // Every 5th ODATA is dropped at the sender: NAK, NCF, RDATA within
    // ZMQ_RECOVERY_IVL give every message, in order.
    for (i, scheme) in ["epgm", "pgm"].into_iter().enumerate() {
        let seen = run(
            scheme,
            5800 + i as u16,
            (SocketType::Pub, SocketType::Sub),
            400,
            700,
            rate_and_hwm,
        );
        assert_every_message(&seen, 400, &format!("{scheme} with loss"));
    }
}

#[test]
fn a_loss_beyond_the_window_resets_and_rejoins() {
    let library = (std::env::var_os(PEER_NS_ENV).is_none()).then(drop_library);
    if !in_namespaces(
        "a_loss_beyond_the_window_resets_and_rejoins",
        library.as_ref().map(|l| (l, "ZRS_DROP_EVERY=50")),
    ) {
        if let Some(library) = library {
            let _ = std::fs::remove_file(library);
        }
        return;
    }
    // A transmit window of one packet (ZMQ_RECOVERY_IVL 1 ms at the
    // sender; each ODATA tells the window's trail): what is
    // lost cannot be repaired; libpgm reports the loss, the sender's
    // unfinished message is dropped and the receiver joins again at the
    // next message start, as libzmq's receiver drops its decoder. What
    // arrives is whole, in order, with gaps, and the end comes through.
    let seen = run(
        "epgm",
        5900,
        (SocketType::Pub, SocketType::Sub),
        600,
        2000,
        |s| {
            rate_and_hwm(s);
            if s.get_socket_type().unwrap() == SocketType::Pub {
                s.set_recovery_ivl(1).unwrap();
            }
        },
    );
    eprintln!(
        "with resets: {} of 600 messages arrived",
        seen.numbers.len()
    );
    assert_eq!(seen.bad, 0, "damaged messages");
    assert!(seen.numbers.windows(2).all(|w| w[0] < w[1]), "out of order");
    assert!(
        seen.numbers.len() < 600,
        "nothing lost: {}",
        seen.numbers.len()
    );
    assert!(
        seen.numbers.len() > 300,
        "too little after the resets: {}",
        seen.numbers.len()
    );
    assert_eq!(seen.numbers.last(), Some(&599));
}

#[test]
fn errors_are_libzmqs() {
    let ctx = Context::new();
    // Only PUB, XPUB, SUB and XSUB.
    for kind in [
        SocketType::Push,
        SocketType::Pull,
        SocketType::Dealer,
        SocketType::Pair,
        SocketType::Radio,
    ] {
        let s = ctx.socket(kind).unwrap();
        assert_eq!(
            s.connect("epgm://127.0.0.1;239.192.1.1:5555"),
            Err(Error::NoCompatProto)
        );
        assert_eq!(
            s.bind("pgm://127.0.0.1;239.192.1.1:5555"),
            Err(Error::NoCompatProto)
        );
    }
    assert_eq!(
        ctx.socket(SocketType::Push)
            .unwrap()
            .unbind("epgm://127.0.0.1;239.192.1.1:5555"),
        Err(Error::NoCompatProto)
    );
    assert_eq!(
        ctx.socket(SocketType::Pair)
            .unwrap()
            .disconnect("pgm://127.0.0.1;239.192.1.1:5555"),
        Err(Error::NoCompatProto)
    );
    // Addresses libpgm or libzmq refuse: EINVAL (libzmq: port 0 fails with errno unset).
    let s = ctx.socket(SocketType::Pub).unwrap();
    for bad in [
        "epgm://127.0.0.1;239.192.1.1",
        "epgm://127.0.0.1;239.192.1.1:0",
        "epgm://127.0.0.1;239.192.1.1:x",
        "epgm://no-such-interface-here;239.192.1.1:5555",
    ] {
        assert_eq!(s.connect(bad), Err(Error::Inval), "{bad}");
    }
    assert_eq!(s.get_last_endpoint().unwrap().unwrap(), "");
}
