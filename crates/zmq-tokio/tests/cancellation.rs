//! Dropped futures lose nothing: receives keep every message, sends go
//! whole or not at all; on both runtime flavours.

mod support;

use std::time::Duration;

use support::{bind_tcp, text, within};
use zmq_tokio::Socket;

async fn recv_after_a_timeout() {
    let ctx = zmq::Context::new();
    let mut pull = Socket::new(&ctx, zmq::PULL).expect("pull");
    let mut push = Socket::new(&ctx, zmq::PUSH).expect("push");
    let endpoint = bind_tcp(&pull);
    push.connect(&endpoint).expect("connect");
    // Nothing sent yet: the receive times out and is dropped mid-wait.
    let early = tokio::time::timeout(Duration::from_millis(20), pull.recv()).await;
    assert!(early.is_err(), "nothing was sent");
    within("send", push.send_multipart(["a", "b"]))
        .await
        .expect("send");
    let parts = within("recv", pull.recv_multipart()).await.expect("recv");
    assert_eq!(text(&parts), ["a", "b"]);
}
both_runtimes!(
    a_receive_dropped_mid_wait_loses_nothing,
    recv_after_a_timeout()
);

async fn recv_cancelled_at_every_poll() {
    let ctx = zmq::Context::new();
    let mut pull = Socket::new(&ctx, zmq::PULL).expect("pull");
    let mut push = Socket::new(&ctx, zmq::PUSH).expect("push");
    let endpoint = bind_tcp(&pull);
    push.connect(&endpoint).expect("connect");
    const COUNT: usize = 2_000;
    let sender = tokio::spawn(async move {
        for i in 0..COUNT {
            let parts: Vec<String> = (0..=i % 4).map(|p| format!("{i}.{p}")).collect();
            within("send", push.send_multipart(parts))
                .await
                .expect("send");
        }
        push
    });
    let mut received = 0;
    let mut cancelled = 0u64;
    within("every message", async {
        while received < COUNT {
            // Whichever way a part first receives, a pending receive is
            // dropped at once: its poll ran, its future is gone.
            let got = tokio::select! {
                biased;
                parts = pull.recv_multipart() => Some(parts.expect("recv")),
                _ = std::future::ready(()) => None,
            };
            match got {
                Some(parts) => {
                    let want: Vec<String> = (0..=received % 4)
                        .map(|p| format!("{received}.{p}"))
                        .collect();
                    assert_eq!(text(&parts), want);
                    received += 1;
                }
                None => {
                    cancelled += 1;
                    // Give the sender and the reactor a turn.
                    tokio::time::sleep(Duration::from_micros(100)).await;
                }
            }
        }
    })
    .await;
    assert!(cancelled > 0, "some receives were dropped pending");
    within("sender", sender).await.expect("sender task");
}
both_runtimes!(
    receives_dropped_at_every_poll_lose_nothing,
    recv_cancelled_at_every_poll()
);

async fn select_with_timeouts() {
    let ctx = zmq::Context::new();
    let mut rep = Socket::new(&ctx, zmq::REP).expect("rep");
    let mut req = Socket::new(&ctx, zmq::REQ).expect("req");
    let endpoint = bind_tcp(&rep);
    req.connect(&endpoint).expect("connect");
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let request = within("rep recv", rep.recv()).await.expect("recv");
        // The reply waits for the client to have timed out once.
        within("release", released).await.expect("released");
        within("rep send", rep.send(request)).await.expect("send");
    });
    within("req send", req.send("ping")).await.expect("send");
    let mut release = Some(release);
    let mut timeouts = 0;
    let reply = within("reply", async {
        loop {
            tokio::select! {
                reply = req.recv() => break reply.expect("recv"),
                _ = tokio::time::sleep(Duration::from_millis(5)) => {
                    timeouts += 1;
                    if let Some(release) = release.take() {
                        release.send(()).expect("server waits");
                    }
                }
            }
        }
    })
    .await;
    assert_eq!(&reply[..], b"ping");
    assert!(timeouts >= 1);
    within("server", server).await.expect("server task");
}
both_runtimes!(select_with_timeouts_keeps_the_reply, select_with_timeouts());

async fn send_dropped_when_full() {
    let ctx = zmq::Context::new();
    let mut push = Socket::new(&ctx, zmq::PUSH).expect("push");
    let pull = Socket::new(&ctx, zmq::PULL).expect("pull");
    push.set_sndhwm(2).expect("sndhwm");
    pull.set_rcvhwm(2).expect("rcvhwm");
    pull.bind("inproc://send-dropped").expect("bind");
    push.connect("inproc://send-dropped").expect("connect");
    // Send three-part messages until one cannot go; that one is dropped
    // while it waits.
    let mut accepted = 0usize;
    loop {
        let parts = [format!("{accepted}"), "middle".into(), "end".into()];
        let sent =
            tokio::time::timeout(Duration::from_millis(20), push.send_multipart(parts)).await;
        match sent {
            Ok(result) => {
                result.expect("send");
                accepted += 1;
                assert!(accepted < 1_000, "the high-water mark holds");
            }
            Err(_) => break,
        }
    }
    assert!(accepted >= 2);
    // Every accepted message arrives whole, and nothing of the dropped one.
    let mut pull = pull;
    for i in 0..accepted {
        let parts = within("recv", pull.recv_multipart()).await.expect("recv");
        assert_eq!(text(&parts), [i.to_string(), "middle".into(), "end".into()]);
    }
    assert_eq!(
        pull.get_ref().recv_msg(zmq::DONTWAIT).err(),
        Some(zmq::Error::Again)
    );
    // The socket goes on: the next message goes whole.
    within("send", push.send_multipart(["next", "one"]))
        .await
        .expect("send");
    let parts = within("recv", pull.recv_multipart()).await.expect("recv");
    assert_eq!(text(&parts), ["next", "one"]);
}
both_runtimes!(
    a_send_dropped_while_full_sends_nothing,
    send_dropped_when_full()
);
