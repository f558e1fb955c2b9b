//! End-to-end tests of the ws and wss transports (ZWS 2.0): every
//! mechanism, large messages, PUB/SUB, wss with a certificate made at
//! test time.

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
    connect_bound(&rep, &req, "wss://127.0.0.1:*/secure");
    req.send(&b"never"[..], 0).unwrap();
    assert!(rep.recv_bytes(zmq::DONTWAIT).is_err());
    assert!(req.recv_bytes(0).is_err());
}
