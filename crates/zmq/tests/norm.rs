//! norm:// end to end (the `norm` feature, over NRL's NORM library):
//! the ZMQ_NORM_* options and endpoint errors as libzmq 4.3.5 with NORM,
//! and, inside a network namespace of the test's
//! own (root and `unshare --net`), over multicast: several subscribers,
//! XPUB/XSUB, a late joiner, and losses repaired — every Nth data
//! datagram dropped by an LD_PRELOAD shim (tests/norm/drop.c), since
//! netem is not available.
#![cfg(feature = "norm")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use zmq::option_table::set_option;
use zmq::{Context, Error, SNDMORE, Socket, SocketType};

/// Set in the re-executed test process that runs inside the namespace.
const NETNS_ENV: &str = "ZMQ_RS_NORM_NETNS";
/// How long a subscriber waits for one message.
const RECV_TIMEOUT_MS: i32 = 10_000;

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(RECV_TIMEOUT_MS).unwrap();
    s.set_linger(0).unwrap();
    if matches!(kind, SocketType::Sub) {
        s.set_subscribe(b"").unwrap();
    }
    s
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Message `seq`: a topic frame, then `size` bytes starting with `seq`.
fn send_numbered(publisher: &Socket, seq: u32, size: usize) {
    let mut body = vec![(seq % 251) as u8; size.max(4)];
    body[..4].copy_from_slice(&seq.to_be_bytes());
    publisher.send(&b"t"[..], SNDMORE).unwrap();
    publisher.send(body, 0).unwrap();
}

/// Receives one numbered message; checks it is whole.
fn recv_numbered(subscriber: &Socket, size: usize) -> u32 {
    let parts = subscriber
        .recv_multipart(0)
        .unwrap_or_else(|e| panic!("receive: {e:?}"));
    assert_eq!(parts.len(), 2, "a message of two frames");
    assert_eq!(parts[0], b"t");
    let body = &parts[1];
    assert_eq!(body.len(), size.max(4));
    let seq = u32::from_be_bytes(body[..4].try_into().unwrap());
    assert!(
        body[4..].iter().all(|&b| b == (seq % 251) as u8),
        "body of {seq}"
    );
    seq
}

/// Receives `first..end` in order.
fn expect_run(subscriber: &Socket, first: u32, end: u32, size: usize) {
    for want in first..end {
        assert_eq!(recv_numbered(subscriber, size), want);
    }
}

#[test]
fn has_norm_and_the_options_as_libzmq() {
    assert_eq!(zmq::has("norm"), Some(true));
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Sub).unwrap();
    // Defaults (libzmq src/options.cpp).
    assert_eq!(s.get_norm_mode(), Ok(1));
    assert_eq!(s.get_norm_unicast_nack(), Ok(false));
    assert_eq!(s.get_norm_buffer_size(), Ok(2048));
    assert_eq!(s.get_norm_segment_size(), Ok(1400));
    assert_eq!(s.get_norm_block_size(), Ok(16));
    assert_eq!(s.get_norm_num_parity(), Ok(4));
    assert_eq!(s.get_norm_num_autoparity(), Ok(0));
    assert_eq!(s.get_norm_push(), Ok(false));
    // Ranges.
    assert_eq!(s.set_norm_mode(5), Err(Error::Inval));
    assert_eq!(s.set_norm_mode(-1), Err(Error::Inval));
    assert_eq!(s.set_norm_mode(0), Ok(()));
    assert_eq!(s.set_norm_buffer_size(0), Err(Error::Inval));
    assert_eq!(s.set_norm_segment_size(0), Err(Error::Inval));
    assert_eq!(s.set_norm_block_size(0), Err(Error::Inval));
    assert_eq!(s.set_norm_block_size(256), Err(Error::Inval));
    assert_eq!(s.set_norm_block_size(255), Ok(()));
    assert_eq!(s.set_norm_num_parity(255), Err(Error::Inval));
    assert_eq!(s.set_norm_num_parity(254), Ok(()));
    assert_eq!(s.set_norm_num_autoparity(255), Err(Error::Inval));
    assert_eq!(s.set_norm_num_autoparity(0), Ok(()));
    assert_eq!(s.set_norm_push(true), Ok(()));
    assert_eq!(s.get_norm_push(), Ok(true));
    // Through the C path: strict bools, exact int size.
    let two = 2i32.to_ne_bytes();
    assert_eq!(set_option(&s, 118, Some(&two)), Err(Error::Inval));
    assert_eq!(set_option(&s, 124, Some(&two)), Err(Error::Inval));
    assert_eq!(set_option(&s, 119, Some(&[1, 0])), Err(Error::Inval));
    assert_eq!(set_option(&s, 118, Some(&1i32.to_ne_bytes())), Ok(()));
    assert_eq!(s.get_norm_unicast_nack(), Ok(true));
}

#[test]
fn endpoint_errors_as_libzmq() {
    let ctx = Context::new();
    // Only PUB, XPUB, SUB and XSUB take norm (checked before the address).
    for kind in [SocketType::Req, SocketType::Push, SocketType::Dish] {
        let s = ctx.socket(kind).unwrap();
        assert_eq!(
            s.connect("norm://239.1.1.1:5555"),
            Err(Error::NoCompatProto)
        );
        assert_eq!(s.bind("norm://x"), Err(Error::NoCompatProto));
    }
    let sub = ctx.socket(SocketType::Sub).unwrap();
    // No `:port` (libzmq asserts there; we fail the call).
    assert_eq!(sub.connect("norm://239.1.1.1"), Err(Error::Inval));
    // An address NORM cannot resolve.
    assert_eq!(
        sub.connect("norm://no.such.host.invalid:5555"),
        Err(Error::Inval)
    );
    // bind is connect; the last endpoint is the endpoint as given, and
    // unbind / disconnect take it back.
    let port = free_udp_port();
    let endpoint = format!("norm://3,127.0.0.1:{port}");
    sub.bind(&endpoint).unwrap();
    assert_eq!(sub.get_last_endpoint().unwrap(), Ok(endpoint.clone()));
    sub.unbind(&endpoint).unwrap();
    assert_eq!(sub.unbind(&endpoint), Err(Error::NoEnt));
}

#[test]
fn unicast_ends_on_one_host_share_the_port() {
    // A unicast session binds its port for sending and receiving alike
    // (no port reuse: libzmq sets it on multicast sessions only), so a
    // PUB and a SUB of one unicast session cannot share a host: the
    // second one is EADDRINUSE here (libzmq asserts). Unicast runs
    // between hosts (or namespaces).
    let ctx = Context::new();
    let port = free_udp_port();
    let sub = socket(&ctx, SocketType::Sub);
    sub.bind(&format!("norm://2,127.0.0.1:{port}")).unwrap();
    let publisher = socket(&ctx, SocketType::Pub);
    let second = publisher.connect(&format!("norm://1,127.0.0.1:{port}"));
    assert_eq!(second, Err(Error::AddrInUse));
}

// ---- multicast, inside a network namespace --------------------------------

/// Runs `test` again inside a new network namespace with multicast on the
/// loopback (with `env` added); `false` here (the outer run), `true` in
/// the inner one. Skips (false) without root or `unshare`.
fn in_namespace(test: &str, env: &[(&str, &str)]) -> bool {
    if std::env::var_os(NETNS_ENV).is_some() {
        return true;
    }
    let root = nix::unistd::Uid::effective().is_root();
    let probe = Command::new("unshare").args(["--net", "true"]).status();
    if !root || !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped {test}: needs root and `unshare --net` for a namespace with multicast");
        return false;
    }
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("unshare")
        .args([
            "--net",
            "sh",
            "-c",
            "ip link set lo up && ip link set lo multicast on \
             && ip route add 224.0.0.0/4 dev lo \
             && exec \"$0\" \"$1\" --exact --nocapture --test-threads 1",
        ])
        .arg(exe)
        .arg(test)
        .env(NETNS_ENV, "1")
        .envs(env.iter().copied())
        .status()
        .unwrap();
    assert!(status.success(), "{test} failed inside the namespace");
    false
}

#[test]
fn multicast_to_several_subscribers() {
    if !in_namespace("multicast_to_several_subscribers", &[]) {
        return;
    }
    let ctx = Context::new();
    let group = "239.192.7.1:6001";
    let sub = socket(&ctx, SocketType::Sub);
    sub.connect(&format!("norm://2,{group}")).unwrap();
    let xsub = socket(&ctx, SocketType::XSub);
    xsub.bind(&format!("norm://3,lo;{group}")).unwrap();
    // NORM's own node id (from the host's address) on this one.
    let plain = socket(&ctx, SocketType::Sub);
    plain.connect(&format!("norm://{group}")).unwrap();
    let xpub = socket(&ctx, SocketType::XPub);
    xpub.bind(&format!("norm://1,{group}")).unwrap();
    for seq in 0..200 {
        send_numbered(&xpub, seq, 3000);
    }
    expect_run(&sub, 0, 200, 3000);
    expect_run(&xsub, 0, 200, 3000);
    expect_run(&plain, 0, 200, 3000);
}

#[test]
fn late_joiner_syncs_at_a_message_start() {
    if !in_namespace("late_joiner_syncs_at_a_message_start", &[]) {
        return;
    }
    let ctx = Context::new();
    let group = "239.192.7.2:6002";
    let early = socket(&ctx, SocketType::Sub);
    early.connect(&format!("norm://2,{group}")).unwrap();
    let publisher = socket(&ctx, SocketType::Pub);
    publisher.connect(&format!("norm://1,{group}")).unwrap();
    // Messages that span several NORM segments: a late joiner lands
    // mid-message and must seek the next message start.
    let size = 5000;
    for seq in 0..50 {
        send_numbered(&publisher, seq, size);
    }
    // Sent for sure: the early subscriber has them.
    expect_run(&early, 0, 50, size);
    let late = socket(&ctx, SocketType::Sub);
    late.connect(&format!("norm://3,{group}")).unwrap();
    for seq in 50..150 {
        send_numbered(&publisher, seq, size);
    }
    expect_run(&early, 50, 150, size);
    // The late one: a run of whole messages, in order, to the end.
    let first = recv_numbered(&late, size);
    assert!(first <= 50, "first message {first}: later than the join");
    expect_run(&late, first + 1, 150, size);
}

/// The LD_PRELOAD shim, built from tests/norm/drop.c.
fn drop_shim() -> Option<PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/norm/drop.c");
    let out = std::env::temp_dir().join(format!("zmq-rs-norm-drop-{}.so", std::process::id()));
    let built = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&out)
        .arg(&source)
        .arg("-ldl")
        .status();
    built.is_ok_and(|s| s.success()).then_some(out)
}

/// Datagrams the shim dropped in this process (`None`: no shim).
fn dropped_so_far() -> Option<i64> {
    // SAFETY: a lookup by name in the loaded objects; the symbol, when
    // there, is the shim's `long zmq_rs_drop_count(void)`.
    unsafe {
        let symbol = libc::dlsym(libc::RTLD_DEFAULT, c"zmq_rs_drop_count".as_ptr());
        if symbol.is_null() {
            return None;
        }
        let count: extern "C" fn() -> libc::c_long = std::mem::transmute(symbol);
        Some(count())
    }
}

#[test]
fn lost_datagrams_are_repaired() {
    if std::env::var_os(NETNS_ENV).is_none() {
        let Some(shim) = drop_shim() else {
            eprintln!("skipped lost_datagrams_are_repaired: no C compiler for the drop shim");
            return;
        };
        let shim_text = shim.to_string_lossy().into_owned();
        in_namespace(
            "lost_datagrams_are_repaired",
            &[
                ("LD_PRELOAD", &shim_text),
                ("ZMQ_RS_DROP_EVERY", "7"),
                ("ZMQ_RS_DROP_MIN", "200"),
            ],
        );
        let _ = std::fs::remove_file(shim);
        return;
    }
    let ctx = Context::new();
    let group = "239.192.7.3:6003";
    let sub = socket(&ctx, SocketType::Sub);
    sub.connect(&format!("norm://2,{group}")).unwrap();
    let publisher = socket(&ctx, SocketType::Pub);
    // A fixed rate (ZMQ_RATE, kbit/s): congestion control would slow
    // down on the drops.
    publisher.set_norm_mode(0).unwrap();
    publisher.set_rate(50_000).unwrap();
    publisher.connect(&format!("norm://1,{group}")).unwrap();
    let size = 2000;
    let deadline = Instant::now() + Duration::from_secs(60);
    for seq in 0..200 {
        send_numbered(&publisher, seq, size);
    }
    expect_run(&sub, 0, 200, size);
    assert!(Instant::now() < deadline);
    let dropped = dropped_so_far().expect("the drop shim is loaded");
    eprintln!("repaired {dropped} dropped datagrams");
    assert!(dropped >= 30, "only {dropped} datagrams dropped");
}

#[test]
fn volume_beyond_the_buffers_arrives_whole_and_in_order() {
    if !in_namespace("volume_beyond_the_buffers_arrives_whole_and_in_order", &[]) {
        return;
    }
    // 5,000 messages of 1000 bytes: 2.5 times NORM's 2 MB buffers, so the
    // sender's writes come up short and resume on NORM_TX_QUEUE_VACANCY,
    // and one subscriber's pipe (RCVHWM 10) fills over and over, so its
    // engine stops reading NORM and must resume when the socket reads.
    let ctx = Context::new();
    let group = "239.192.7.4:6004";
    let sub = socket(&ctx, SocketType::Sub);
    sub.connect(&format!("norm://2,{group}")).unwrap();
    let narrow = socket(&ctx, SocketType::Sub);
    narrow.set_rcvhwm(10).unwrap();
    narrow.connect(&format!("norm://3,{group}")).unwrap();
    let publisher = socket(&ctx, SocketType::Pub);
    // No SNDHWM: a PUB drops what its pipe has no room for, and the
    // burst is queued faster than NORM sends it.
    publisher.set_sndhwm(0).unwrap();
    // A fixed rate: NORM's congestion control overruns a busy loopback
    // receiver's UDP buffer until repairs cannot keep up, with libzmq
    // as with us (docs/norm.md).
    publisher.set_norm_mode(0).unwrap();
    publisher.set_rate(10_000).unwrap();
    publisher.connect(&format!("norm://1,{group}")).unwrap();
    let (count, size) = (5000, 1000);
    let start = Instant::now();
    for seq in 0..count {
        send_numbered(&publisher, seq, size);
    }
    // In turns of 250 messages (far less than NORM's receive buffer):
    // while one is read, the narrow one's pipe is full and waits.
    for turn in (0..count).step_by(250) {
        expect_run(&sub, turn, turn + 250, size);
        expect_run(&narrow, turn, turn + 250, size);
    }
    let took = start.elapsed();
    eprintln!("{count} x {size} bytes in {took:?}");
    assert!(took < Duration::from_secs(60));
}
