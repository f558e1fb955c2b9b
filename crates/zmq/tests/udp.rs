//! End-to-end udp: RADIO → DISH unicast (IPv4, IPv6) and multicast (in a
//! network namespace of its own when root), DGRAM round trips, and the
//! errors libzmq gives.

use std::net::UdpSocket as StdUdp;
use std::process::Command;
use std::time::{Duration, Instant};

use zmq::{Context, Error, Message, SNDMORE, Socket, SocketType};

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(200).unwrap();
    s.set_linger(0).unwrap();
    s
}

/// A udp port free right now on `host`.
fn free_port(host: &str) -> u16 {
    StdUdp::bind((host, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn group_msg(group: &[u8], body: &[u8]) -> Message {
    let mut msg = Message::from_slice(body);
    msg.set_group(group).unwrap();
    msg
}

/// Sends `body` to `group` until `dish` receives something (the engines
/// start on their I/O threads, udp drops what comes before); returns what
/// it received.
fn send_until_received(radio: &Socket, dish: &Socket, group: &[u8], body: &[u8]) -> Message {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        radio.send_msg(group_msg(group, body), 0).unwrap();
        match dish.recv_msg(0) {
            Ok(msg) => return msg,
            Err(Error::Again) => assert!(Instant::now() < deadline, "nothing arrived"),
            Err(other) => panic!("recv: {other:?}"),
        }
    }
}

fn radio_dish(ipv6: bool, dish_endpoint: &str, radio_endpoint: &str) {
    let ctx = Context::new();
    let radio = socket(&ctx, SocketType::Radio);
    let dish = socket(&ctx, SocketType::Dish);
    radio.set_ipv6(ipv6).unwrap();
    dish.set_ipv6(ipv6).unwrap();
    dish.bind(dish_endpoint).unwrap();
    radio.connect(radio_endpoint).unwrap();
    dish.join(b"TV").unwrap();
    let got = send_until_received(&radio, &dish, b"TV", b"Friends");
    assert_eq!(&got[..], b"Friends");
    assert_eq!(got.group(), Some(&b"TV"[..]));
    // Not joined: filtered by the DISH.
    radio
        .send_msg(group_msg(b"Movies", b"Godfather"), 0)
        .unwrap();
    radio.send_msg(group_msg(b"TV", b"Seinfeld"), 0).unwrap();
    let mut seen = Vec::new();
    while let Ok(msg) = dish.recv_msg(0) {
        seen.push((msg.group().map(<[u8]>::to_vec), msg.to_vec()));
    }
    assert!(seen.contains(&(Some(b"TV".to_vec()), b"Seinfeld".to_vec())));
    assert!(seen.iter().all(|(g, _)| g.as_deref() == Some(&b"TV"[..])));
}

#[test]
fn radio_dish_unicast_ipv4() {
    let port = free_port("127.0.0.1");
    radio_dish(
        false,
        &format!("udp://*:{port}"),
        &format!("udp://127.0.0.1:{port}"),
    );
}

#[test]
fn radio_dish_unicast_ipv6() {
    if StdUdp::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback");
        return;
    }
    let port = free_port("::1");
    radio_dish(
        true,
        &format!("udp://*:{port}"),
        &format!("udp://[::1]:{port}"),
    );
}

#[test]
fn datagram_layout_is_libzmqs() {
    // Our RADIO to a plain udp socket: [group length][group][body].
    let ctx = Context::new();
    let plain = StdUdp::bind("127.0.0.1:0").unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let port = plain.local_addr().unwrap().port();
    let radio = socket(&ctx, SocketType::Radio);
    radio.connect(&format!("udp://127.0.0.1:{port}")).unwrap();
    radio.send_msg(group_msg(b"TV", b"Friends"), 0).unwrap();
    let mut buf = [0u8; 100];
    let (n, _) = plain.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"\x02TVFriends");
    // A plain datagram to our DISH; one whose group runs past its end is
    // dropped.
    let dish = socket(&ctx, SocketType::Dish);
    let dish_port = free_port("127.0.0.1");
    dish.bind(&format!("udp://127.0.0.1:{dish_port}")).unwrap();
    dish.join(b"g").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let got = loop {
        plain
            .send_to(b"\x09g-too-short", ("127.0.0.1", dish_port))
            .unwrap();
        plain
            .send_to(b"\x01gbody", ("127.0.0.1", dish_port))
            .unwrap();
        if let Ok(msg) = dish.recv_msg(0) {
            break msg;
        }
        assert!(Instant::now() < deadline);
    };
    assert_eq!((&got[..], got.group()), (&b"body"[..], Some(&b"g"[..])));
}

#[test]
fn dgram_round_trip() {
    let ctx = Context::new();
    let (p4, p5) = (free_port("127.0.0.1"), free_port("127.0.0.1"));
    let listener = socket(&ctx, SocketType::Dgram);
    let sender = socket(&ctx, SocketType::Dgram);
    listener.bind(&format!("udp://127.0.0.1:{p4}")).unwrap();
    sender.bind(&format!("udp://127.0.0.1:{p5}")).unwrap();
    assert_eq!(
        listener.get_last_endpoint().unwrap().unwrap(),
        format!("127.0.0.1:{p4}"),
        "libzmq reports udp endpoints without the scheme"
    );
    let to = format!("127.0.0.1:{p4}");
    let deadline = Instant::now() + Duration::from_secs(5);
    let parts = loop {
        sender.send(to.as_bytes(), SNDMORE).unwrap();
        sender.send("Is someone there ?", 0).unwrap();
        match listener.recv_multipart(0) {
            Ok(parts) => break parts,
            Err(_) => assert!(Instant::now() < deadline),
        }
    };
    // The address has a terminating NUL, as libzmq writes it.
    assert_eq!(parts[0], format!("127.0.0.1:{p5}\0").into_bytes());
    assert_eq!(parts[1], b"Is someone there ?");
    listener.send(&parts[0][..], SNDMORE).unwrap();
    listener.send("Yes, there is !", 0).unwrap();
    let reply = sender.recv_multipart(0).unwrap();
    assert_eq!(reply[0], format!("127.0.0.1:{p4}\0").into_bytes());
    assert_eq!(reply[1], b"Yes, there is !");
    // Two parts only: body first or a third part is EINVAL.
    assert_eq!(sender.send("body", 0), Err(Error::Inval));
    sender.send(to.as_bytes(), SNDMORE).unwrap();
    assert_eq!(sender.send("more", SNDMORE), Err(Error::Inval));
}

#[test]
fn udp_errors_are_libzmqs() {
    let ctx = Context::new();
    let radio = socket(&ctx, SocketType::Radio);
    let dish = socket(&ctx, SocketType::Dish);
    let dgram = socket(&ctx, SocketType::Dgram);
    let pair = socket(&ctx, SocketType::Pair);
    assert_eq!(radio.bind("udp://*:5556"), Err(Error::NoCompatProto));
    assert_eq!(
        dish.connect("udp://127.0.0.1:5556"),
        Err(Error::NoCompatProto)
    );
    assert_eq!(
        dgram.connect("udp://127.0.0.1:5556"),
        Err(Error::NoCompatProto)
    );
    assert_eq!(pair.bind("udp://127.0.0.1:5556"), Err(Error::NoCompatProto));
    assert_eq!(
        pair.connect("udp://127.0.0.1:5556"),
        Err(Error::NoCompatProto)
    );
    // A source interface needs a multicast group; unknown interfaces.
    assert_eq!(dish.bind("udp://lo;127.0.0.1:5556"), Err(Error::Inval));
    assert_eq!(
        dish.bind("udp://nosuchif0;239.0.0.1:5556"),
        Err(Error::NoDev)
    );
    assert_eq!(radio.connect("udp://127.0.0.1"), Err(Error::Inval));
    // IPv6 multicast needs an interface index.
    dish.set_ipv6(true).unwrap();
    assert_eq!(
        dish.bind("udp://[::1];[ff02::1]:5556").err(),
        Some(Error::NoDev)
    );
}

#[test]
fn unbind_frees_the_port_and_pipe_hwm_bounds_dish() {
    let ctx = Context::new();
    let port = free_port("127.0.0.1");
    let endpoint = format!("udp://127.0.0.1:{port}");
    let dish = socket(&ctx, SocketType::Dish);
    dish.set_rcvhwm(4).unwrap();
    dish.bind(&endpoint).unwrap();
    dish.join(b"g").unwrap();
    let radio = socket(&ctx, SocketType::Radio);
    radio.connect(&endpoint).unwrap();
    send_until_received(&radio, &dish, b"g", b"first");
    // Far more than the mark: the DISH holds at most its mark.
    for i in 0..200u32 {
        radio
            .send_msg(group_msg(b"g", &i.to_be_bytes()), 0)
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut held = 0;
    while dish.recv_msg(zmq::DONTWAIT).is_ok() {
        held += 1;
    }
    assert!(held <= 8, "held {held}");
    // Drained: reading goes on.
    let got = send_until_received(&radio, &dish, b"g", b"resumed");
    assert!(!got.is_empty());
    dish.unbind(&endpoint).unwrap();
    assert_eq!(dish.unbind(&endpoint), Err(Error::NoEnt));
    // The port is free again (the engine's socket is closed by now).
    drop(StdUdp::bind(("127.0.0.1", port)).expect("port still bound after unbind"));
    let again = socket(&ctx, SocketType::Dish);
    again.bind(&endpoint).unwrap();
    again.join(b"g").unwrap();
    let got = send_until_received(&radio, &again, b"g", b"again");
    assert_eq!(&got[..], b"again");
    radio.disconnect(&endpoint).unwrap();
}

// ---- multicast, inside a network namespace --------------------------------

/// Set in the re-executed test process that runs inside the namespace.
const NETNS_ENV: &str = "ZMQ_RS_UDP_NETNS";

fn in_namespace(test: &str) -> bool {
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
            // Multicast on the loopback for IPv4; IPv6 multicast does not
            // loop on `lo`, so a veth pair (v0 has the addresses) too.
            "ip link set lo up && ip link set lo multicast on \
             && ip route add 224.0.0.0/4 dev lo \
             && ip link add v0 type veth peer name v1 && ip link set v1 up \
             && ip link set v0 up && ip addr add 10.9.0.1/24 dev v0 \
             && ip -6 addr add fd00::1/64 dev v0 nodad \
             && exec \"$0\" \"$1\" --exact --nocapture",
        ])
        .arg(exe)
        .arg(test)
        .env(NETNS_ENV, "1")
        .status()
        .unwrap();
    assert!(status.success(), "{test} failed inside the namespace");
    false
}

#[test]
fn multicast_ipv4() {
    if !in_namespace("multicast_ipv4") {
        return;
    }
    radio_dish(false, "udp://239.0.0.1:5555", "udp://239.0.0.1:5555");
    // With a source interface, by name and as `*`.
    radio_dish(false, "udp://lo;239.0.0.2:5555", "udp://lo;239.0.0.2:5555");
    radio_dish(
        false,
        "udp://*;239.0.0.3:5555",
        "udp://127.0.0.1;239.0.0.3:5555",
    );
    // Two DISHes on one group and port both receive.
    let ctx = Context::new();
    let radio = socket(&ctx, SocketType::Radio);
    radio.set_multicast_hops(2).unwrap();
    let dishes: Vec<Socket> = (0..2)
        .map(|_| {
            let dish = socket(&ctx, SocketType::Dish);
            dish.bind("udp://239.0.0.4:5556").unwrap();
            dish.join(b"TV").unwrap();
            dish
        })
        .collect();
    radio.connect("udp://239.0.0.4:5556").unwrap();
    send_until_received(&radio, &dishes[0], b"TV", b"both");
    let got = send_until_received(&radio, &dishes[1], b"TV", b"both");
    assert_eq!(&got[..], b"both");
}

#[test]
fn multicast_ipv6() {
    if !in_namespace("multicast_ipv6") {
        return;
    }
    radio_dish(
        true,
        "udp://v0;[ff12::1234]:5555",
        "udp://v0;[ff12::1234]:5555",
    );
    radio_dish(
        true,
        "udp://*;[ff12::1235]:5555",
        "udp://v0;[ff12::1235]:5555",
    );
}

#[test]
fn multicast_loop_off() {
    if !in_namespace("multicast_loop_off") {
        return;
    }
    let ctx = Context::new();
    let radio = socket(&ctx, SocketType::Radio);
    let dish = socket(&ctx, SocketType::Dish);
    radio.set_multicast_loop(false).unwrap();
    // On `lo` every datagram comes back in whatever the option: a veth.
    dish.bind("udp://v0;239.0.0.5:5555").unwrap();
    dish.join(b"TV").unwrap();
    radio.connect("udp://v0;239.0.0.5:5555").unwrap();
    for _ in 0..20 {
        radio.send_msg(group_msg(b"TV", b"Friends"), 0).unwrap();
    }
    assert_eq!(dish.recv_msg(0).err(), Some(Error::Again));
    // The same with the loop on arrives.
    let looped = socket(&ctx, SocketType::Radio);
    looped.connect("udp://v0;239.0.0.5:5555").unwrap();
    let got = send_until_received(&looped, &dish, b"TV", b"looped");
    assert_eq!(&got[..], b"looped");
}

#[test]
fn bindtodevice_in_namespace() {
    if !in_namespace("bindtodevice_in_namespace") {
        return;
    }
    let ctx = Context::new();
    let radio = socket(&ctx, SocketType::Radio);
    radio.connect("udp://127.0.0.1:5557").unwrap();
    // Bound to v0: what comes in on the loopback is not ours.
    let elsewhere = socket(&ctx, SocketType::Dish);
    elsewhere.set_bindtodevice("v0").unwrap();
    elsewhere.bind("udp://*:5557").unwrap();
    elsewhere.join(b"TV").unwrap();
    for _ in 0..20 {
        radio.send_msg(group_msg(b"TV", b"Friends"), 0).unwrap();
    }
    assert_eq!(elsewhere.recv_msg(0).err(), Some(Error::Again));
    elsewhere.unbind("udp://*:5557").unwrap();
    let on_lo = socket(&ctx, SocketType::Dish);
    on_lo.set_bindtodevice("lo").unwrap();
    on_lo.bind("udp://*:5557").unwrap();
    on_lo.join(b"TV").unwrap();
    let got = send_until_received(&radio, &on_lo, b"TV", b"Friends");
    assert_eq!(&got[..], b"Friends");
}

#[test]
fn radio_close_with_linger_sends_what_it_holds() {
    let ctx = Context::new();
    let plain = StdUdp::bind("127.0.0.1:0").unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let port = plain.local_addr().unwrap().port();
    let radio = ctx.socket(SocketType::Radio).unwrap();
    radio.set_linger(1000).unwrap();
    radio.connect(&format!("udp://127.0.0.1:{port}")).unwrap();
    for i in 0..200u32 {
        radio
            .send_msg(group_msg(b"g", &i.to_be_bytes()), 0)
            .unwrap();
    }
    drop(radio);
    let mut buf = [0u8; 64];
    let mut last = None;
    for _ in 0..200 {
        let (n, _) = plain.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..2], b"\x01g");
        last = Some(buf[2..n].to_vec());
    }
    assert_eq!(last, Some(199u32.to_be_bytes().to_vec()));
}
