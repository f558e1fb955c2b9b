//! End-to-end tests of the ws and wss transports (ZWS 2.0): every
//! mechanism, large messages, PUB/SUB, wss with a certificate made at
//! test time.

mod support;

use std::time::{Duration, Instant};

use support::fault_proxy::FaultProxy;
use zmq::{Context, SocketType};

fn timeouts(socket: &zmq::Socket) {
    socket.set_rcvtimeo(10_000).unwrap();
    socket.set_sndtimeo(10_000).unwrap();
}

fn bounce(server: &zmq::Socket, client: &zmq::Socket, body: &[u8]) {
    client.send(body, zmq::SNDMORE).unwrap();
    client.send(&b"tail"[..], 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), body);
    assert!(server.get_rcvmore().unwrap());
    assert_eq!(server.recv_bytes(0).unwrap(), b"tail");
    server.send(body, 0).unwrap();
    assert_eq!(client.recv_bytes(0).unwrap(), body);
}

fn pair(ctx: &Context) -> (zmq::Socket, zmq::Socket) {
    let rep = ctx.socket(SocketType::Rep).unwrap();
    let req = ctx.socket(SocketType::Req).unwrap();
    timeouts(&rep);
    timeouts(&req);
    (rep, req)
}

fn connect_bound(server: &zmq::Socket, client: &zmq::Socket, bind: &str) -> String {
    server.bind(bind).unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    client.connect(&endpoint).unwrap();
    endpoint
}

#[test]
fn req_rep_with_and_without_a_path() {
    let ctx = Context::new();
    for bind in ["ws://127.0.0.1:*/roundtrip", "ws://127.0.0.1:*"] {
        let (rep, req) = pair(&ctx);
        let endpoint = connect_bound(&rep, &req, bind);
        assert!(endpoint.starts_with("ws://127.0.0.1:"), "{endpoint}");
        assert!(endpoint.ends_with(if bind.ends_with("roundtrip") {
            "/roundtrip"
        } else {
            "/"
        }));
        for size in [0, 1, 125, 126, 255, 256, 65_535, 65_536, 1 << 20] {
            bounce(&rep, &req, &vec![size as u8; size]);
        }
    }
}

#[test]
fn pub_sub_subscriptions_reach_the_publisher() {
    let ctx = Context::new();
    let xpub = ctx.socket(SocketType::XPub).unwrap();
    let sub = ctx.socket(SocketType::Sub).unwrap();
    timeouts(&xpub);
    timeouts(&sub);
    sub.set_subscribe(b"A").unwrap();
    connect_bound(&xpub, &sub, "ws://127.0.0.1:*");
    assert_eq!(xpub.recv_bytes(0).unwrap(), b"\x01A");
    xpub.send(&b"B-skipped"[..], 0).unwrap();
    xpub.send(&b"A-kept"[..], 0).unwrap();
    assert_eq!(sub.recv_bytes(0).unwrap(), b"A-kept");
}

#[test]
fn plain_over_ws() {
    let ctx = Context::new();
    let auth = zmq::auth::Authenticator::start(&ctx).unwrap();
    auth.configure_plain([("admin", "secret")]);
    let (rep, req) = pair(&ctx);
    rep.set_plain_server(true).unwrap();
    req.set_plain_username(Some("admin")).unwrap();
    req.set_plain_password(Some("secret")).unwrap();
    connect_bound(&rep, &req, "ws://127.0.0.1:*/plain");
    bounce(&rep, &req, b"plain");
    drop((rep, req));
    drop(auth);
}

#[test]
fn curve_over_ws() {
    let ctx = Context::new();
    let (server_public, server_secret) = zmq::curve_keypair().unwrap();
    let (client_public, client_secret) = zmq::curve_keypair().unwrap();
    let (rep, req) = pair(&ctx);
    rep.set_curve_server(true).unwrap();
    rep.set_curve_secretkey(server_secret.as_bytes()).unwrap();
    req.set_curve_serverkey(server_public.as_bytes()).unwrap();
    req.set_curve_publickey(client_public.as_bytes()).unwrap();
    req.set_curve_secretkey(client_secret.as_bytes()).unwrap();
    connect_bound(&rep, &req, "ws://127.0.0.1:*/curve");
    bounce(&rep, &req, &vec![7u8; 100_000]);
}

#[test]
fn heartbeats_over_ws_keep_the_connection() {
    let ctx = Context::new();
    let (rep, req) = pair(&ctx);
    req.set_heartbeat_ivl(10).unwrap();
    rep.set_heartbeat_ivl(10).unwrap();
    connect_bound(&rep, &req, "ws://127.0.0.1:*/hb");
    bounce(&rep, &req, b"one");
    std::thread::sleep(std::time::Duration::from_millis(100));
    bounce(&rep, &req, b"two");
}

/// A CURVE REP bound on `scheme` (wss: with a certificate the REQ
/// trusts) and a CURVE REQ with `ZMQ_HEARTBEAT_IVL` = 50 ms connected to
/// it through a fault proxy; the REQ's monitor. Only the REQ heartbeats.
fn curve_via_proxy(
    ctx: &Context,
    scheme: &str,
) -> (zmq::Socket, zmq::Socket, zmq::Socket, FaultProxy) {
    let (server_public, server_secret) = zmq::curve_keypair().unwrap();
    let (client_public, client_secret) = zmq::curve_keypair().unwrap();
    let (rep, req) = pair(ctx);
    rep.set_curve_server(true).unwrap();
    rep.set_curve_secretkey(server_secret.as_bytes()).unwrap();
    req.set_curve_serverkey(server_public.as_bytes()).unwrap();
    req.set_curve_publickey(client_public.as_bytes()).unwrap();
    req.set_curve_secretkey(client_secret.as_bytes()).unwrap();
    req.set_heartbeat_ivl(50).unwrap();
    if scheme == "wss" {
        let (cert, key) = test_cert();
        rep.set_wss_cert_pem(cert.as_bytes()).unwrap();
        rep.set_wss_key_pem(key.as_bytes()).unwrap();
        req.set_wss_trust_pem(cert.as_bytes()).unwrap();
        req.set_wss_hostname("zeromq.test").unwrap();
    }
    rep.bind(&format!("{scheme}://127.0.0.1:*/hb")).unwrap();
    let bound = rep.get_last_endpoint().unwrap().unwrap();
    let host_port = bound[scheme.len() + 3..].trim_end_matches("/hb");
    let proxy = FaultProxy::start(host_port);
    let monitor = format!("inproc://ws-hb-{scheme}");
    req.monitor(&monitor, zmq::monitor::EVENT_ALL as i32)
        .unwrap();
    let events = ctx.socket(SocketType::Pair).unwrap();
    events.connect(&monitor).unwrap();
    let via = proxy.endpoint().replacen("tcp", scheme, 1);
    req.connect(&format!("{via}/hb")).unwrap();
    (rep, req, events, proxy)
}

/// Monitor events of `events` until `wanted` or `deadline`; whether it came.
fn wait_event(events: &zmq::Socket, wanted: u64, deadline: Instant) -> bool {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
        events.set_rcvtimeo(ms.max(1)).unwrap();
        let Ok(parts) = events.recv_multipart(0) else {
            return false;
        };
        let (event, _, _) = zmq::monitor::parse_event_v1(&parts).unwrap();
        if u64::from(event) == wanted {
            return true;
        }
    }
}

/// libzmq's ws engine heartbeats with WebSocket pings beside the
/// mechanism: a CURVE peer gone silent is declared dead after
/// `ZMQ_HEARTBEAT_IVL` + `ZMQ_HEARTBEAT_TIMEOUT` (here 50 + 50 ms).
#[test]
fn curve_heartbeats_over_ws_and_wss_detect_a_silent_peer() {
    for scheme in ["ws", "wss"] {
        let ctx = Context::new();
        let (rep, req, events, proxy) = curve_via_proxy(&ctx, scheme);
        bounce(&rep, &req, b"before");
        proxy.blackhole();
        let start = Instant::now();
        let dead = wait_event(
            &events,
            zmq::monitor::EVENT_DISCONNECTED,
            start + Duration::from_secs(5),
        );
        assert!(dead, "{scheme}: no DISCONNECTED within 5 s of silence");
        eprintln!(
            "{scheme} CURVE: silent peer dropped after {:?}",
            start.elapsed()
        );
        // It reconnects once the path heals.
        proxy.heal();
        req.send(&b"after"[..], 0).unwrap();
        assert_eq!(rep.recv_bytes(0).unwrap(), b"after");
    }
}

/// Healthy: the pings go out (bytes reach the server while the sockets
/// are idle), are answered, and the connection stays.
#[test]
fn curve_heartbeats_over_ws_keep_a_healthy_connection() {
    let ctx = Context::new();
    let (rep, req, events, proxy) = curve_via_proxy(&ctx, "ws");
    bounce(&rep, &req, b"one");
    let before = (proxy.bytes_to_upstream(), proxy.bytes_to_downstream());
    let idle = Instant::now() + Duration::from_millis(400);
    let dropped = wait_event(&events, zmq::monitor::EVENT_DISCONNECTED, idle);
    assert!(!dropped, "a healthy heartbeating connection was dropped");
    assert!(proxy.bytes_to_upstream() > before.0, "no ping went out");
    assert!(proxy.bytes_to_downstream() > before.1, "no pong came back");
    bounce(&rep, &req, b"two");
    assert_eq!(proxy.connections(), 1);
}

fn test_cert() -> (String, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["zeromq.test".to_owned()]).unwrap();
    (cert.cert.pem(), cert.signing_key.serialize_pem())
}

#[test]
fn wss_with_a_trusted_self_signed_certificate() {
    let ctx = Context::new();
    let (cert, key) = test_cert();
    let (rep, req) = pair(&ctx);
    rep.set_wss_cert_pem(cert.as_bytes()).unwrap();
    rep.set_wss_key_pem(key.as_bytes()).unwrap();
    req.set_wss_trust_pem(cert.as_bytes()).unwrap();
    req.set_wss_hostname("zeromq.test").unwrap();
    let endpoint = connect_bound(&rep, &req, "wss://127.0.0.1:*/secure");
    assert!(endpoint.starts_with("wss://"));
    bounce(&rep, &req, &vec![3u8; 200_000]);
}

#[test]
fn wss_refuses_an_untrusted_certificate() {
    let ctx = Context::new();
    let (cert, key) = test_cert();
    let (other, _) = test_cert();
    let (rep, req) = pair(&ctx);
    rep.set_wss_cert_pem(cert.as_bytes()).unwrap();
    rep.set_wss_key_pem(key.as_bytes()).unwrap();
    req.set_wss_trust_pem(other.as_bytes()).unwrap();
    req.set_rcvtimeo(300).unwrap();
    // The message can never go: without a linger, dropping the context
    // (its term) would wait for it forever, as libzmq's zmq_ctx_term.
    req.set_linger(0).unwrap();
    connect_bound(&rep, &req, "wss://127.0.0.1:*/secure");
    req.send(&b"never"[..], 0).unwrap();
    assert!(rep.recv_bytes(zmq::DONTWAIT).is_err());
    assert!(req.recv_bytes(0).is_err());
}

fn raw_client(endpoint: &str) -> std::net::TcpStream {
    let address = endpoint.trim_start_matches("ws://");
    let host_port = &address[..address.find('/').unwrap_or(address.len())];
    let stream = std::net::TcpStream::connect(host_port).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream
}

#[test]
fn a_refused_upgrade_is_a_ws_protocol_handshake_failure() {
    use std::io::Write;
    let ctx = Context::new();
    let rep = ctx.socket(SocketType::Rep).unwrap();
    rep.monitor("inproc://ws-monitor", zmq::monitor::EVENT_ALL as i32)
        .unwrap();
    let events = ctx.socket(SocketType::Pair).unwrap();
    events.set_rcvtimeo(10_000).unwrap();
    events.connect("inproc://ws-monitor").unwrap();
    rep.bind("ws://127.0.0.1:*/x").unwrap();
    let endpoint = rep.get_last_endpoint().unwrap().unwrap();
    let mut raw = raw_client(&endpoint);
    // A WebSocket upgrade with no ZWS subprotocol.
    raw.write_all(
        b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
    )
    .unwrap();
    loop {
        let parts = events.recv_multipart(0).expect("monitor event");
        let (event, value, _) = zmq::monitor::parse_event_v1(&parts).unwrap();
        if u64::from(event) == zmq::monitor::EVENT_HANDSHAKE_FAILED_PROTOCOL {
            assert_eq!(value, 0x3000_0000);
            break;
        }
    }
}

/// A client written by hand, as a browser would frame: masked frames, a
/// fragmented message with a ping between its fragments.
#[test]
fn a_hand_written_client_with_fragments_and_pings() {
    use std::io::{Read, Write};
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    timeouts(&pull);
    pull.bind("ws://127.0.0.1:*/frag").unwrap();
    let endpoint = pull.get_last_endpoint().unwrap().unwrap();
    let mut raw = raw_client(&endpoint);
    raw.write_all(
        b"GET /frag HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\
          Sec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    let mut answer = Vec::new();
    let mut byte = [0u8];
    while !answer.ends_with(b"\r\n\r\n") {
        raw.read_exact(&mut byte).unwrap();
        answer.push(byte[0]);
    }
    let answer = String::from_utf8(answer).unwrap();
    assert!(
        answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
        "{answer}"
    );
    assert!(answer.contains("Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n"));
    let mask = [0x11u8, 0x22, 0x33, 0x44];
    let masked = |fin_opcode: u8, payload: &[u8]| {
        let mut frame = vec![fin_opcode, 0x80 | payload.len() as u8];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        frame
    };
    // READY (NULL handshake) as a command frame.
    let mut ready = vec![0x02, 0x05];
    ready.extend_from_slice(b"READY");
    ready.extend_from_slice(&[11]);
    ready.extend_from_slice(b"Socket-Type");
    ready.extend_from_slice(&4u32.to_be_bytes());
    ready.extend_from_slice(b"PUSH");
    raw.write_all(&masked(0x82, &ready)).unwrap();
    // "hello" in two fragments, a ping between them.
    raw.write_all(&masked(0x02, b"\x00hel")).unwrap();
    raw.write_all(&masked(0x89, b"hb")).unwrap();
    raw.write_all(&masked(0x80, b"lo")).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"hello");
    // Our READY, then the pong echoing "hb" (server frames are unmasked).
    let mut head = [0u8; 2];
    let mut got_pong = false;
    for _ in 0..2 {
        raw.read_exact(&mut head).unwrap();
        let mut payload = vec![0u8; usize::from(head[1] & 0x7F)];
        raw.read_exact(&mut payload).unwrap();
        if head[0] == 0x8A {
            assert_eq!(payload, b"hb");
            got_pong = true;
        } else {
            assert_eq!(head[0], 0x82);
            assert_eq!(&payload[..7], b"\x02\x05READY");
        }
    }
    assert!(got_pong);
    // A text frame ends the connection.
    raw.write_all(&masked(0x81, b"text")).unwrap();
    let mut rest = Vec::new();
    let _ = raw.read_to_end(&mut rest);
}
