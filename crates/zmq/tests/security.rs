//! PLAIN and CURVE end to end, with the built-in ZAP handler.

use std::sync::atomic::{AtomicU32, Ordering};

use zmq::auth::Authenticator;
use zmq::monitor::{self, parse_event_v1};
use zmq::{Context, Mechanism, Socket, SocketType};

static NEXT: AtomicU32 = AtomicU32::new(0);

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s.set_linger(0).unwrap();
    s
}

fn events(ctx: &Context, socket: &Socket) -> Socket {
    let name = format!(
        "inproc://sec-monitor-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    socket.monitor(&name, monitor::EVENT_ALL as i32).unwrap();
    let reader = socket_pair(ctx);
    reader.connect(&name).unwrap();
    reader
}

fn socket_pair(ctx: &Context) -> Socket {
    socket(ctx, SocketType::Pair)
}

/// Waits for one of `wanted`; returns (event, value).
fn next_of(reader: &Socket, wanted: &[u64]) -> (u64, u32) {
    loop {
        let parts = reader.recv_multipart(0).expect("monitor event");
        let (event, value, _) = parse_event_v1(&parts).unwrap();
        if wanted.contains(&u64::from(event)) {
            return (u64::from(event), value);
        }
    }
}

fn plain_pair(ctx: &Context, user: &[u8], password: &[u8]) -> (Socket, Socket) {
    let server = socket(ctx, SocketType::Rep);
    server.set_plain_server(true).unwrap();
    server.set_zap_domain(b"test").unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(ctx, SocketType::Req);
    client.set_plain_username(Some(user)).unwrap();
    client.set_plain_password(Some(password)).unwrap();
    assert_eq!(client.get_mechanism().unwrap(), Mechanism::Plain);
    (server, client)
}

#[test]
fn plain_accepts_the_right_password_and_sets_user_id() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_plain([("admin", "secret")]);
    let (server, client) = plain_pair(&ctx, b"admin", b"secret");
    client
        .connect(&server.get_last_endpoint().unwrap().unwrap())
        .unwrap();
    client.send("hello", 0).unwrap();
    let msg = server.recv_msg(0).unwrap();
    assert_eq!(&*msg, b"hello");
    assert_eq!(msg.gets("User-Id"), Some("admin"));
    assert_eq!(msg.gets("Socket-Type"), Some("REQ"));
    server.send("world", 0).unwrap();
    assert_eq!(client.recv_bytes(0).unwrap(), b"world");
}

#[test]
fn plain_refuses_a_wrong_password() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_plain([("admin", "secret")]);
    let (server, client) = plain_pair(&ctx, b"admin", b"wrong");
    let server_events = events(&ctx, &server);
    let client_events = events(&ctx, &client);
    client
        .connect(&server.get_last_endpoint().unwrap().unwrap())
        .unwrap();
    let (event, status) = next_of(
        &server_events,
        &[
            monitor::EVENT_HANDSHAKE_FAILED_AUTH,
            monitor::EVENT_HANDSHAKE_SUCCEEDED,
        ],
    );
    assert_eq!(event, monitor::EVENT_HANDSHAKE_FAILED_AUTH);
    assert_eq!(status, 400);
    let (event, status) = next_of(
        &client_events,
        &[
            monitor::EVENT_HANDSHAKE_FAILED_AUTH,
            monitor::EVENT_HANDSHAKE_SUCCEEDED,
        ],
    );
    assert_eq!((event, status), (monitor::EVENT_HANDSHAKE_FAILED_AUTH, 400));
}

#[test]
fn curve_encrypts_and_authenticates_known_keys() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let (server_public, server_secret) = zmq::curve_keypair().unwrap();
    let (client_public, client_secret) = zmq::curve_keypair().unwrap();
    assert_eq!(
        zmq::curve_public(client_secret.as_bytes()).unwrap(),
        client_public
    );
    auth.configure_curve([client_public.as_bytes()]);

    let server = socket(&ctx, SocketType::Router);
    server.set_curve_server(true).unwrap();
    server
        .set_curve_secretkey(server_secret.as_bytes())
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();

    let client = socket(&ctx, SocketType::Dealer);
    client
        .set_curve_serverkey(server_public.as_bytes())
        .unwrap();
    client
        .set_curve_publickey(client_public.as_bytes())
        .unwrap();
    client
        .set_curve_secretkey(client_secret.as_bytes())
        .unwrap();
    client.connect(&endpoint).unwrap();
    client.send_multipart(["a", "b"], 0).unwrap();
    client.send(vec![9u8; 100_000], 0).unwrap();
    let parts = server.recv_multipart(0).unwrap();
    assert_eq!(&parts[1..], &[b"a".to_vec(), b"b".to_vec()]);
    let big = server.recv_multipart(0).unwrap();
    assert_eq!(big[1], vec![9u8; 100_000]);

    // A client with a key the handler does not know is refused.
    let (other_public, other_secret) = zmq::curve_keypair().unwrap();
    let stranger = socket(&ctx, SocketType::Dealer);
    let stranger_events = events(&ctx, &stranger);
    stranger
        .set_curve_serverkey(server_public.as_bytes())
        .unwrap();
    stranger
        .set_curve_publickey(other_public.as_bytes())
        .unwrap();
    stranger
        .set_curve_secretkey(other_secret.as_bytes())
        .unwrap();
    stranger.connect(&endpoint).unwrap();
    let (event, status) = next_of(
        &stranger_events,
        &[
            monitor::EVENT_HANDSHAKE_FAILED_AUTH,
            monitor::EVENT_HANDSHAKE_SUCCEEDED,
        ],
    );
    assert_eq!((event, status), (monitor::EVENT_HANDSHAKE_FAILED_AUTH, 400));
}

#[test]
fn curve_with_a_wrong_server_key_fails_the_handshake() {
    let ctx = Context::new();
    let (_, server_secret) = zmq::curve_keypair().unwrap();
    let (wrong_public, _) = zmq::curve_keypair().unwrap();
    let (client_public, client_secret) = zmq::curve_keypair().unwrap();
    let server = socket(&ctx, SocketType::Pull);
    server.set_curve_server(true).unwrap();
    server
        .set_curve_secretkey(server_secret.as_bytes())
        .unwrap();
    let server_events = events(&ctx, &server);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&ctx, SocketType::Push);
    client.set_curve_serverkey(wrong_public.as_bytes()).unwrap();
    client
        .set_curve_publickey(client_public.as_bytes())
        .unwrap();
    client
        .set_curve_secretkey(client_secret.as_bytes())
        .unwrap();
    client
        .connect(&server.get_last_endpoint().unwrap().unwrap())
        .unwrap();
    let (event, _) = next_of(
        &server_events,
        &[
            monitor::EVENT_HANDSHAKE_FAILED_PROTOCOL,
            monitor::EVENT_HANDSHAKE_SUCCEEDED,
        ],
    );
    assert_eq!(event, monitor::EVENT_HANDSHAKE_FAILED_PROTOCOL);
}

#[test]
fn key_and_z85_helpers() {
    assert_eq!(
        zmq::z85_encode(&[0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]).unwrap(),
        "HelloWorld"
    );
    assert_eq!(
        zmq::z85_decode("HelloWorld").unwrap(),
        vec![0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
    );
    assert!(zmq::z85_encode(&[1, 2, 3]).is_err());
    let ctx = Context::new();
    let s = socket(&ctx, SocketType::Pull);
    assert!(s.set_curve_publickey(b"too short").is_err());
    assert!(s.set_zap_domain([b'd'; 256]).is_err());
    assert_eq!(zmq::has("curve"), Some(true));
}
