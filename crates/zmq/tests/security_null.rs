//! NULL with a ZAP domain end to end (libzmq 4.3): the built-in ZAP
//! handler's address policy decides, and `ZMQ_ZAP_ENFORCE_DOMAIN` fails
//! handshakes when no handler is bound.

use std::sync::atomic::{AtomicU32, Ordering};

use zmq::auth::Authenticator;
use zmq::monitor::{self, parse_event_v1};
use zmq::{Context, Error, Mechanism, Socket, SocketType};

static NEXT: AtomicU32 = AtomicU32::new(0);

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s.set_linger(0).unwrap();
    s
}

fn events(ctx: &Context, watched: &Socket) -> Socket {
    let name = format!(
        "inproc://null-zap-monitor-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    watched.monitor(&name, monitor::EVENT_ALL as i32).unwrap();
    let reader = socket(ctx, SocketType::Pair);
    reader.connect(&name).unwrap();
    reader
}

/// The first handshake outcome on `reader`: (event, value).
fn handshake_outcome(reader: &Socket) -> (u64, u32) {
    let wanted = [
        monitor::EVENT_HANDSHAKE_SUCCEEDED,
        monitor::EVENT_HANDSHAKE_FAILED_AUTH,
        monitor::EVENT_HANDSHAKE_FAILED_NO_DETAIL,
        monitor::EVENT_HANDSHAKE_FAILED_PROTOCOL,
    ];
    loop {
        let parts = reader.recv_multipart(0).expect("monitor event");
        let (event, value, _) = parse_event_v1(&parts).unwrap();
        if wanted.contains(&u64::from(event)) {
            return (u64::from(event), value);
        }
    }
}

/// A PULL on 127.0.0.1 with `domain` (NULL mechanism), its monitor, and a
/// PUSH connected to it.
fn null_pair(ctx: &Context, domain: &[u8], enforce: bool) -> (Socket, Socket, Socket) {
    let server = socket(ctx, SocketType::Pull);
    if !domain.is_empty() {
        // An empty domain is EINVAL, as in libzmq: none is the default.
        server.set_zap_domain(domain).unwrap();
    }
    server.set_zap_enforce_domain(enforce).unwrap();
    assert_eq!(server.get_mechanism().unwrap(), Mechanism::Null);
    let monitor = events(ctx, &server);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(ctx, SocketType::Push);
    client
        .connect(&server.get_last_endpoint().unwrap().unwrap())
        .unwrap();
    (server, monitor, client)
}

fn nothing_arrives(server: &Socket) {
    server.set_rcvtimeo(300).unwrap();
    assert_eq!(server.recv_bytes(0), Err(Error::Again));
}

#[test]
fn a_denied_address_is_refused() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.deny(["127.0.0.1"]);
    let (server, monitor, client) = null_pair(&ctx, b"global", false);
    assert_eq!(
        handshake_outcome(&monitor),
        (monitor::EVENT_HANDSHAKE_FAILED_AUTH, 400)
    );
    client.send("must not arrive", zmq::DONTWAIT).ok();
    nothing_arrives(&server);
}

#[test]
fn an_allowed_address_is_accepted() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.allow(["127.0.0.1"]);
    let (server, monitor, client) = null_pair(&ctx, b"global", false);
    assert_eq!(
        handshake_outcome(&monitor).0,
        monitor::EVENT_HANDSHAKE_SUCCEEDED
    );
    client.send("hello", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"hello");
}

#[test]
fn without_a_domain_zap_is_not_asked() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.deny(["127.0.0.1"]);
    let (server, monitor, client) = null_pair(&ctx, b"", false);
    assert_eq!(
        handshake_outcome(&monitor).0,
        monitor::EVENT_HANDSHAKE_SUCCEEDED
    );
    client.send("hello", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"hello");
}

#[test]
fn no_handler_passes_unless_enforced() {
    let ctx = Context::new();
    let (server, monitor, client) = null_pair(&ctx, b"global", false);
    assert_eq!(
        handshake_outcome(&monitor).0,
        monitor::EVENT_HANDSHAKE_SUCCEEDED
    );
    client.send("hello", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"hello");

    let (server, monitor, client) = null_pair(&ctx, b"global", true);
    assert_eq!(
        handshake_outcome(&monitor).0,
        monitor::EVENT_HANDSHAKE_FAILED_NO_DETAIL
    );
    client.send("must not arrive", zmq::DONTWAIT).ok();
    nothing_arrives(&server);
}
