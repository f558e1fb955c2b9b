//! GSSAPI (RFC 38) end to end over a throwaway Kerberos realm
//! (`tests/gssapi/realm.sh`): wrapped and plaintext traffic, ZAP with the
//! client's principal as `User-Id`, refusals and a wrong service.
//! Built with the `gssapi` feature only.
#![cfg(feature = "gssapi")]

#[path = "support/krb5_realm.rs"]
mod krb5_realm;

use std::sync::atomic::{AtomicU32, Ordering};

use krb5_realm::REALM;
use zmq::auth::Authenticator;
use zmq::monitor::{self, parse_event_v1};
use zmq::{Context, Error, Mechanism, SNDMORE, Socket, SocketType};

const NT_HOSTBASED: i32 = 0;
const NT_USER_NAME: i32 = 1;
const NT_KRB5_PRINCIPAL: i32 = 2;

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
        "inproc://gss-monitor-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    watched.monitor(&name, monitor::EVENT_ALL as i32).unwrap();
    let reader = socket(ctx, SocketType::Pair);
    reader.connect(&name).unwrap();
    reader
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

const HANDSHAKE_EVENTS: &[u64] = &[
    monitor::EVENT_HANDSHAKE_SUCCEEDED,
    monitor::EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    monitor::EVENT_HANDSHAKE_FAILED_PROTOCOL,
    monitor::EVENT_HANDSHAKE_FAILED_AUTH,
];

/// A bound GSSAPI server (`zmqsvc@localhost`) and a client `user` of it,
/// not yet connected.
fn pair(ctx: &Context, user: &str, service: &str, plaintext: bool) -> (Socket, Socket) {
    krb5_realm::ensure();
    let server = socket(ctx, SocketType::Dealer);
    server.set_gssapi_server(true).unwrap();
    server.set_gssapi_principal("zmqsvc@localhost").unwrap();
    server.set_gssapi_principal_nametype(NT_HOSTBASED).unwrap();
    server.set_gssapi_plaintext(plaintext).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(ctx, SocketType::Dealer);
    client.set_gssapi_service_principal(service).unwrap();
    client
        .set_gssapi_service_principal_nametype(NT_HOSTBASED)
        .unwrap();
    client.set_gssapi_principal(user).unwrap();
    client.set_gssapi_principal_nametype(NT_USER_NAME).unwrap();
    client.set_gssapi_plaintext(plaintext).unwrap();
    (server, client)
}

fn connect(server: &Socket, client: &Socket) {
    client
        .connect(&server.get_last_endpoint().unwrap().unwrap())
        .unwrap();
}

/// Multipart messages both ways, a large one included.
fn bounce(server: &Socket, client: &Socket) -> zmq::Message {
    let big = vec![0x5a; 300_000];
    client.send("hello", SNDMORE).unwrap();
    client.send(&big[..], 0).unwrap();
    let first = server.recv_msg(0).unwrap();
    assert_eq!(&*first, b"hello");
    assert!(server.get_rcvmore().unwrap());
    assert_eq!(server.recv_bytes(0).unwrap(), big);
    server.send("", SNDMORE).unwrap();
    server.send("world", 0).unwrap();
    assert_eq!(
        client.recv_multipart(0).unwrap(),
        [b"".to_vec(), b"world".to_vec()]
    );
    first
}

#[test]
fn wrapped_traffic_with_zap_user_id() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let alice = format!("alice@{REALM}");
    auth.configure_gssapi([alice.as_str()]);
    let (server, client) = pair(&ctx, "alice", "zmqsvc@localhost", false);
    assert_eq!(client.get_mechanism().unwrap(), Mechanism::Gssapi);
    assert!(server.is_gssapi_server().unwrap());
    assert!(!client.is_gssapi_server().unwrap());
    let server_events = events(&ctx, &server);
    connect(&server, &client);
    let msg = bounce(&server, &client);
    assert_eq!(msg.gets("User-Id"), Some(alice.as_str()));
    assert_eq!(msg.gets("Socket-Type"), Some("DEALER"));
    assert_eq!(
        next_of(&server_events, HANDSHAKE_EVENTS).0,
        monitor::EVENT_HANDSHAKE_SUCCEEDED
    );
}

#[test]
fn plaintext_traffic_without_zap() {
    let ctx = Context::new();
    let (server, client) = pair(&ctx, "bob", "zmqsvc@localhost", true);
    assert!(client.is_gssapi_plaintext().unwrap());
    connect(&server, &client);
    let msg = bounce(&server, &client);
    // No ZAP handler: accepted, and no User-Id.
    assert_eq!(msg.gets("User-Id"), None);
}

#[test]
fn krb5_principal_names() {
    let ctx = Context::new();
    let (server, client) = pair(&ctx, "alice", "zmqsvc@localhost", false);
    server
        .set_gssapi_principal(format!("zmqsvc/localhost@{REALM}"))
        .unwrap();
    server
        .set_gssapi_principal_nametype(NT_KRB5_PRINCIPAL)
        .unwrap();
    client
        .set_gssapi_service_principal(format!("zmqsvc/localhost@{REALM}"))
        .unwrap();
    client
        .set_gssapi_service_principal_nametype(NT_KRB5_PRINCIPAL)
        .unwrap();
    client
        .set_gssapi_principal(format!("alice@{REALM}"))
        .unwrap();
    client
        .set_gssapi_principal_nametype(NT_KRB5_PRINCIPAL)
        .unwrap();
    connect(&server, &client);
    bounce(&server, &client);
}

#[test]
fn zap_refuses_a_principal() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_gssapi([format!("alice@{REALM}")]);
    let (server, client) = pair(&ctx, "bob", "zmqsvc@localhost", false);
    let server_events = events(&ctx, &server);
    let client_events = events(&ctx, &client);
    connect(&server, &client);
    assert_eq!(
        next_of(&server_events, HANDSHAKE_EVENTS),
        (monitor::EVENT_HANDSHAKE_FAILED_AUTH, 400)
    );
    // The server's ERROR "400" reaches the client.
    assert_eq!(
        next_of(&client_events, HANDSHAKE_EVENTS),
        (monitor::EVENT_HANDSHAKE_FAILED_AUTH, 400)
    );
    client.set_rcvtimeo(100).unwrap();
    client.send("lost", zmq::DONTWAIT).ok();
    assert_eq!(server.recv_bytes(zmq::DONTWAIT), Err(Error::Again));
}

#[test]
fn wrong_service_principal_fails_the_handshake() {
    let ctx = Context::new();
    let (server, client) = pair(&ctx, "alice", "nosuchservice@localhost", false);
    let client_events = events(&ctx, &client);
    connect(&server, &client);
    let (event, _) = next_of(&client_events, HANDSHAKE_EVENTS);
    assert_eq!(event, monitor::EVENT_HANDSHAKE_FAILED_NO_DETAIL);
}

#[test]
fn mismatched_plaintext_fails() {
    let ctx = Context::new();
    let (server, client) = pair(&ctx, "alice", "zmqsvc@localhost", false);
    client.set_gssapi_plaintext(true).unwrap();
    let server_events = events(&ctx, &server);
    connect(&server, &client);
    let (event, _) = next_of(&server_events, HANDSHAKE_EVENTS);
    assert_ne!(event, monitor::EVENT_HANDSHAKE_SUCCEEDED);
}

#[test]
fn options_as_libzmq() {
    let ctx = Context::new();
    let s = socket(&ctx, SocketType::Dealer);
    assert!(zmq::has("gssapi").unwrap());
    assert!(!s.is_gssapi_server().unwrap());
    assert_eq!(s.get_gssapi_principal_nametype().unwrap(), NT_HOSTBASED);
    assert_eq!(s.set_gssapi_principal_nametype(3), Err(Error::Inval));
    assert_eq!(
        s.set_gssapi_service_principal_nametype(-1),
        Err(Error::Inval)
    );
    assert_eq!(s.set_gssapi_principal(""), Err(Error::Inval));
    assert_eq!(s.set_gssapi_principal("x".repeat(256)), Err(Error::Inval));
    // ZMQ_GSSAPI_SERVER 0 still selects GSSAPI (as a client).
    s.set_gssapi_server(false).unwrap();
    assert_eq!(s.get_mechanism().unwrap(), Mechanism::Gssapi);
    s.set_gssapi_server(true).unwrap();
    assert!(s.is_gssapi_server().unwrap());
    // A service principal makes it a client again.
    s.set_gssapi_service_principal("svc@host").unwrap();
    assert!(!s.is_gssapi_server().unwrap());
    assert_eq!(s.get_gssapi_service_principal().unwrap(), b"svc@host");
    // PLAIN takes over, and GSSAPI_SERVER reads false then.
    s.set_plain_server(true).unwrap();
    assert!(!s.is_gssapi_server().unwrap());
}

/// The two mechanisms driven in memory: the command sequence libzmq
/// produces (INITIATE, INITIATE, an empty command, READY both ways,
/// wrapped) and the MESSAGE layout of traffic.
#[test]
fn mechanism_in_memory() {
    use zmq_mechanisms::{GssapiConfig, Handshake, MechanismConfig, Step};
    use zmtp_codec::{Decoder, FrameFlags, Framing, SocketType as Zmtp};
    krb5_realm::ensure();
    let mut server_cfg = MechanismConfig::new(Zmtp::Dealer);
    server_cfg.as_server = true;
    let client_cfg = MechanismConfig::new(Zmtp::Dealer);
    let server_gss = GssapiConfig {
        principal: "zmqsvc@localhost".into(),
        ..GssapiConfig::default()
    };
    let client_gss = GssapiConfig {
        principal: "alice".into(),
        principal_nametype: zmq_mechanisms::GssapiNameType::UserName,
        service_principal: "zmqsvc@localhost".into(),
        ..GssapiConfig::default()
    };
    let client = Handshake::gssapi(&client_cfg, &client_gss).unwrap();
    let server = Handshake::gssapi(&server_cfg, &server_gss).unwrap();
    let mut sides = [Some(client.start().unwrap()), Some(server.start().unwrap())];
    let mut done: [Option<zmq_mechanisms::Established>; 2] = [None, None];
    let mut log = Vec::new();
    for _round in 0..10 {
        for from in 0..2 {
            let to = 1 - from;
            let mut out = Vec::new();
            match sides[from].as_mut() {
                Some(Step::Continue(h)) => {
                    while let Some(b) = h.poll_command() {
                        out.push(b);
                    }
                }
                Some(Step::Ready(e)) => out.append(&mut e.final_commands),
                _ => {}
            }
            for body in out {
                log.push((from, body.clone()));
                let step = match sides[to].take() {
                    Some(Step::Continue(h)) => h.handle_command(body),
                    other => panic!("side {to} got a command in {other:?}"),
                };
                sides[to] = Some(step.unwrap_or_else(|e| panic!("side {to}: {e}")));
            }
        }
        // A side is done once Ready and its final commands were sent
        // (in the loop above, the round after it became Ready).
        for i in 0..2 {
            if let Some(Step::Ready(e)) = &sides[i]
                && e.final_commands.is_empty()
                && let Some(Step::Ready(e)) = sides[i].take()
            {
                done[i] = Some(e);
            }
        }
        if done.iter().all(Option::is_some) {
            break;
        }
    }
    let names: Vec<(usize, String)> = log
        .iter()
        .map(|(from, b)| {
            let name = b
                .get(1..1 + usize::from(*b.first().unwrap_or(&0)))
                .unwrap_or(b"");
            (*from, String::from_utf8_lossy(name).into_owned())
        })
        .collect();
    assert_eq!(
        names,
        [
            (0, "INITIATE".into()),
            (1, "INITIATE".into()),
            (0, String::new()),
            (1, "MESSAGE".into()),
            (0, "MESSAGE".into()),
        ]
    );
    let [Some(mut client), Some(mut server)] = done else {
        panic!("not established: {names:?}");
    };
    let (client, server) = (
        client.transform.as_mut().expect("wrapping"),
        server.transform.as_mut().expect("wrapping"),
    );
    let mut wire = bytes::BytesMut::new();
    client
        .seal_frame_into(FrameFlags::MORE, b"payload", &mut wire)
        .unwrap();
    let sealed = Decoder::new(Framing::V3)
        .decode(&mut wire)
        .unwrap()
        .unwrap();
    assert_eq!(sealed.flags, FrameFlags::NONE);
    assert!(sealed.body.starts_with(b"\x07MESSAGE"));
    assert!(!sealed.body.windows(7).any(|w| w == b"payload"));
    let opened = server.open_frame(sealed.body).unwrap();
    assert_eq!(&opened.body[..], b"payload");
    assert!(opened.flags.more());
}
