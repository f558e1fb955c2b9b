//! End-to-end publish-subscribe over tcp, ipc and inproc.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use zmq::{Context, Socket, SocketType};

static NEXT: AtomicU32 = AtomicU32::new(0);

fn endpoints() -> Vec<String> {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    vec![
        "tcp://127.0.0.1:*".to_owned(),
        format!(
            "ipc://{}/zmq-rs-pubsub-{}-{n}.sock",
            std::env::temp_dir().display(),
            std::process::id()
        ),
        format!("inproc://pubsub-{n}"),
    ]
}

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s.set_linger(0).unwrap();
    s
}

/// Publishes `probe` until `sub` receives it (subscriptions travel
/// asynchronously: the slow-joiner problem), bounded in time.
fn wait_subscribed(publisher: &Socket, sub: &Socket, probe: &str) {
    sub.set_rcvtimeo(20).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        publisher.send(probe, 0).unwrap();
        if let Ok(msg) = sub.recv_bytes(0) {
            assert_eq!(msg, probe.as_bytes());
            break;
        }
        assert!(Instant::now() < deadline, "subscription never arrived");
    }
    // Drain further probes.
    while sub.recv_bytes(zmq::DONTWAIT).is_ok() {}
    sub.set_rcvtimeo(5000).unwrap();
}

#[test]
fn prefix_filtering_every_transport() {
    for endpoint in endpoints() {
        let ctx = Context::new();
        let publisher = socket(&ctx, SocketType::Pub);
        publisher.bind(&endpoint).unwrap();
        let endpoint = publisher.get_last_endpoint().unwrap().unwrap();
        let sub = socket(&ctx, SocketType::Sub);
        sub.set_subscribe(b"weather.").unwrap();
        sub.set_subscribe(b"probe").unwrap();
        sub.connect(&endpoint).unwrap();
        wait_subscribed(&publisher, &sub, "probe");
        publisher.send("sports.football 1-0", 0).unwrap();
        publisher.send("weather.paris sunny", 0).unwrap();
        assert_eq!(
            sub.recv_bytes(0).unwrap(),
            b"weather.paris sunny",
            "{endpoint}"
        );
        sub.set_unsubscribe(b"weather.").unwrap();
        // After the unsubscription reaches the publisher, nothing more.
        let deadline = Instant::now() + Duration::from_secs(10);
        sub.set_rcvtimeo(20).unwrap();
        loop {
            publisher.send("weather.rome rain", 0).unwrap();
            if sub.recv_bytes(0).is_err() {
                break;
            }
            assert!(Instant::now() < deadline, "unsubscribe never applied");
        }
    }
}

#[test]
fn many_subscribers_get_every_message() {
    for endpoint in endpoints() {
        let ctx = Context::new();
        let publisher = socket(&ctx, SocketType::Pub);
        publisher.bind(&endpoint).unwrap();
        let endpoint = publisher.get_last_endpoint().unwrap().unwrap();
        let subs: Vec<Socket> = (0..3)
            .map(|_| {
                let s = socket(&ctx, SocketType::Sub);
                s.set_subscribe(b"").unwrap();
                s.connect(&endpoint).unwrap();
                s
            })
            .collect();
        for s in &subs {
            wait_subscribed(&publisher, s, "probe");
        }
        for i in 0..100u32 {
            publisher
                .send_multipart([&i.to_be_bytes()[..], b"body"], 0)
                .unwrap();
        }
        for s in &subs {
            let mut got = 0u32;
            while got < 100 {
                let parts = s.recv_multipart(0).unwrap();
                if parts[0] == b"probe" {
                    continue;
                }
                assert_eq!(parts, vec![got.to_be_bytes().to_vec(), b"body".to_vec()]);
                got += 1;
            }
        }
    }
}

#[test]
fn xpub_sees_subscriptions_and_xsub_sends_them() {
    for endpoint in endpoints() {
        let ctx = Context::new();
        let xpub = socket(&ctx, SocketType::XPub);
        xpub.bind(&endpoint).unwrap();
        let endpoint = xpub.get_last_endpoint().unwrap().unwrap();
        let xsub = socket(&ctx, SocketType::XSub);
        xsub.connect(&endpoint).unwrap();
        xsub.send(b"\x01news".as_slice(), 0).unwrap();
        assert_eq!(xpub.recv_bytes(0).unwrap(), b"\x01news", "{endpoint}");
        xpub.send("news flash", 0).unwrap();
        xpub.send("other", 0).unwrap();
        assert_eq!(xsub.recv_bytes(0).unwrap(), b"news flash");
        xsub.send(b"\x00news".as_slice(), 0).unwrap();
        assert_eq!(xpub.recv_bytes(0).unwrap(), b"\x00news");
    }
}

#[test]
fn subscriptions_are_resent_after_reconnect() {
    let ctx = Context::new();
    let publisher = socket(&ctx, SocketType::Pub);
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = publisher.get_last_endpoint().unwrap().unwrap();
    let sub = socket(&ctx, SocketType::Sub);
    sub.set_reconnect_ivl(10).unwrap();
    sub.set_subscribe(b"a").unwrap();
    sub.connect(&endpoint).unwrap();
    wait_subscribed(&publisher, &sub, "a-probe");
    drop(publisher);
    let publisher = socket(&ctx, SocketType::Pub);
    publisher.bind(&endpoint).unwrap();
    wait_subscribed(&publisher, &sub, "a-again");
}

#[test]
fn topics_count() {
    let ctx = Context::new();
    let sub = socket(&ctx, SocketType::Sub);
    sub.set_subscribe(b"x").unwrap();
    sub.set_subscribe(b"y").unwrap();
    sub.set_subscribe(b"y").unwrap();
    assert_eq!(sub.get_topics_count().unwrap(), 2);
    sub.set_unsubscribe(b"y").unwrap();
    assert_eq!(sub.get_topics_count().unwrap(), 2);
    sub.set_unsubscribe(b"y").unwrap();
    assert_eq!(sub.get_topics_count().unwrap(), 1);
}
