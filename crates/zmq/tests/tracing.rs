//! The `tracing` feature: session spans and events, captured by a
//! subscriber layer (`cargo test -p zmq --features tracing --test tracing`).
#![cfg(feature = "tracing")]

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;
use zmq::{Context as ZmqContext, SocketType};

type Fields = BTreeMap<String, String>;

/// One captured event: its target, its fields (`message` too) and its
/// span's fields.
#[derive(Clone, Debug)]
struct Captured {
    target: String,
    fields: Fields,
    span: Fields,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

struct Capture;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut Collect(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(&mut Collect(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut Collect(&mut fields));
        let span = ctx
            .event_span(event)
            .and_then(|s| s.extensions().get::<Fields>().cloned())
            .unwrap_or_default();
        events().lock().unwrap().push(Captured {
            target: event.metadata().target().to_owned(),
            fields,
            span,
        });
    }
}

fn events() -> &'static Mutex<Vec<Captured>> {
    static EVENTS: OnceLock<Mutex<Vec<Captured>>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        tracing_subscriber::registry().with(Capture).init();
        Mutex::new(Vec::new())
    })
}

/// Waits (bounded) for an event that `matches`.
fn wait_for(what: &str, matches: impl Fn(&Captured) -> bool) -> Captured {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = events().lock().unwrap().iter().find(|e| matches(e)) {
            return found.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {what} event: {:#?}",
            events().lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A ZMTP 3.0 NULL greeting and a READY command as `socket_type`.
fn raw_null_handshake(socket_type: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 0];
    let mut mechanism = [0u8; 20];
    mechanism[..4].copy_from_slice(b"NULL");
    bytes.extend_from_slice(&mechanism);
    bytes.extend_from_slice(&[0; 32]);
    let mut body = vec![5];
    body.extend_from_slice(b"READY");
    body.push(11);
    body.extend_from_slice(b"Socket-Type");
    body.extend_from_slice(&(socket_type.len() as u32).to_be_bytes());
    body.extend_from_slice(socket_type);
    bytes.extend_from_slice(&[0x04, body.len() as u8]);
    bytes.extend_from_slice(&body);
    bytes
}

fn message(e: &Captured) -> &str {
    e.fields.get("message").map_or("", String::as_str)
}

#[test]
fn sessions_report_through_tracing() {
    events();
    let ctx = ZmqContext::new();

    // A reconnect: nothing listens on the port (a listener closed at once).
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let lonely = ctx.socket(SocketType::Dealer).unwrap();
    lonely.set_linger(0).unwrap();
    lonely.set_reconnect_ivl(10).unwrap();
    let lonely_endpoint = format!("tcp://127.0.0.1:{port}");
    lonely.connect(&lonely_endpoint).unwrap();
    let retried = wait_for("reconnecting", |e| {
        message(e) == "reconnecting" && e.span.get("endpoint") == Some(&lonely_endpoint)
    });
    assert_eq!(retried.target, "zmq::session");
    assert_eq!(
        retried.span.get("mechanism").map(String::as_str),
        Some("NULL")
    );

    // A handshake failure: a PLAIN server, a NULL client.
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.set_linger(0).unwrap();
    server.set_plain_server(true).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let server_endpoint = server.get_last_endpoint().unwrap().unwrap();
    let client = ctx.socket(SocketType::Req).unwrap();
    client.set_linger(0).unwrap();
    client.connect(&server_endpoint).unwrap();
    let failed = wait_for("handshake failed", |e| {
        message(e).starts_with("handshake failed")
            && e.span.get("mechanism").map(String::as_str) == Some("PLAIN")
    });
    assert_eq!(
        failed.span.get("accepted").map(String::as_str),
        Some("true")
    );
    assert_eq!(failed.span.get("endpoint"), Some(&server_endpoint));
    assert!(
        failed
            .span
            .get("peer")
            .is_some_and(|p| p.starts_with("tcp://127.0.0.1:"))
    );

    // A protocol error after the handshake: a raw ZMTP peer sends a frame
    // with reserved flag bits set.
    let puller = ctx.socket(SocketType::Pull).unwrap();
    puller.set_linger(0).unwrap();
    puller.bind("tcp://127.0.0.1:*").unwrap();
    let pull_endpoint = puller.get_last_endpoint().unwrap().unwrap();
    let mut raw = std::net::TcpStream::connect(pull_endpoint.trim_start_matches("tcp://")).unwrap();
    raw.write_all(&raw_null_handshake(b"PUSH")).unwrap();
    let mut theirs = [0u8; 64];
    raw.read_exact(&mut theirs).unwrap();
    raw.write_all(&[0x08, 1, b'x']).unwrap();
    let protocol = wait_for("protocol error", |e| {
        message(e) == "protocol error" && e.span.get("endpoint") == Some(&pull_endpoint)
    });
    assert!(protocol.fields.contains_key("error"));

    // Drops at the high-water mark: a PUB whose subscriber does not read.
    let publisher = ctx.socket(SocketType::Pub).unwrap();
    publisher.set_sndhwm(1).unwrap();
    publisher.bind("inproc://tracing-hwm").unwrap();
    let subscriber = ctx.socket(SocketType::Sub).unwrap();
    subscriber.set_rcvhwm(1).unwrap();
    subscriber.set_subscribe(b"").unwrap();
    subscriber.connect("inproc://tracing-hwm").unwrap();
    for _ in 0..100 {
        publisher.send("x", 0).unwrap();
    }
    let dropped = wait_for("hwm drop", |e| e.target == "zmq::hwm");
    assert_eq!(dropped.fields.get("len").map(String::as_str), Some("1"));

    drop((lonely, server, client, puller, publisher, subscriber));
    ctx.term().unwrap();
}
