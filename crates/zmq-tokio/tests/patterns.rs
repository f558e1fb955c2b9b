//! The socket patterns through zmq-tokio, over tcp and inproc, on both
//! runtime flavours.

mod support;

use futures_util::{SinkExt, StreamExt};
use support::{bind_tcp, text, within};
use zmq_tokio::Socket;

async fn req_rep() {
    let ctx = zmq::Context::new();
    let mut rep = Socket::new(&ctx, zmq::REP).expect("rep");
    let mut req = Socket::new(&ctx, zmq::REQ).expect("req");
    let endpoint = bind_tcp(&rep);
    req.connect(&endpoint).expect("connect");
    let server = tokio::spawn(async move {
        for _ in 0..50 {
            let request = within("rep recv", rep.recv()).await.expect("recv");
            let mut reply = b"re:".to_vec();
            reply.extend_from_slice(&request);
            within("rep send", rep.send(reply)).await.expect("send");
        }
    });
    for i in 0..50 {
        within("req send", req.send(format!("q{i}")))
            .await
            .expect("send");
        let reply = within("req recv", req.recv()).await.expect("recv");
        assert_eq!(&reply[..], format!("re:q{i}").as_bytes());
    }
    within("server", server).await.expect("server task");
}
both_runtimes!(req_rep_over_tcp, req_rep());

async fn pub_sub() {
    let ctx = zmq::Context::new();
    // XPUB: the subscription arrives as a message, so publishing starts
    // only once the subscriber is known (no sleeping).
    let mut publisher = Socket::new(&ctx, zmq::XPUB).expect("xpub");
    let mut subscriber = Socket::new(&ctx, zmq::SUB).expect("sub");
    let endpoint = bind_tcp(&publisher);
    subscriber.connect(&endpoint).expect("connect");
    subscriber.set_subscribe(b"news").expect("subscribe");
    let subscription = within("subscription", publisher.recv())
        .await
        .expect("recv");
    assert_eq!(&subscription[..], b"\x01news");
    for i in 0..20 {
        let topic = if i % 2 == 0 { "news" } else { "other" };
        within("publish", publisher.send_multipart([topic, &i.to_string()]))
            .await
            .expect("send");
    }
    for i in (0..20).step_by(2) {
        let parts = within("sub recv", subscriber.recv_multipart())
            .await
            .expect("recv");
        assert_eq!(text(&parts), ["news".to_string(), i.to_string()]);
    }
}
both_runtimes!(pub_sub_over_tcp, pub_sub());

async fn push_pull() {
    let ctx = zmq::Context::new();
    let mut push = Socket::new(&ctx, zmq::PUSH).expect("push");
    let mut pull = Socket::new(&ctx, zmq::PULL).expect("pull");
    // A small high-water mark: the sender waits on the receiver often.
    push.set_sndhwm(10).expect("sndhwm");
    pull.set_rcvhwm(10).expect("rcvhwm");
    let endpoint = bind_tcp(&pull);
    push.connect(&endpoint).expect("connect");
    const COUNT: u32 = 5_000;
    let sender = tokio::spawn(async move {
        for i in 0..COUNT {
            within("push", push.send(i.to_le_bytes().to_vec()))
                .await
                .expect("send");
        }
        push
    });
    for i in 0..COUNT {
        let msg = within("pull", pull.recv()).await.expect("recv");
        assert_eq!(&msg[..], i.to_le_bytes());
    }
    within("sender", sender).await.expect("sender task");
}
both_runtimes!(push_pull_over_tcp_with_a_small_hwm, push_pull());

async fn router_dealer() {
    let ctx = zmq::Context::new();
    let mut router = Socket::new(&ctx, zmq::ROUTER).expect("router");
    let endpoint = bind_tcp(&router);
    let mut dealers = Vec::new();
    for name in ["d1", "d2", "d3"] {
        let dealer = Socket::new(&ctx, zmq::DEALER).expect("dealer");
        dealer.set_identity(name.as_bytes()).expect("identity");
        dealer.connect(&endpoint).expect("connect");
        dealers.push(dealer);
    }
    for dealer in &mut dealers {
        within("dealer send", dealer.send_multipart(["", "hello"]))
            .await
            .expect("send");
    }
    for _ in 0..3 {
        let mut parts = within("router recv", router.recv_multipart())
            .await
            .expect("recv");
        assert_eq!(parts.len(), 3);
        assert_eq!(&parts[2][..], b"hello");
        parts[2] = zmq::Message::from(format!("to {}", String::from_utf8_lossy(&parts[0])));
        within("router send", router.send_multipart(parts))
            .await
            .expect("send");
    }
    for (dealer, name) in dealers.iter_mut().zip(["d1", "d2", "d3"]) {
        let parts = within("dealer recv", dealer.recv_multipart())
            .await
            .expect("recv");
        assert_eq!(text(&parts), ["".to_string(), format!("to {name}")]);
    }
}
both_runtimes!(router_dealer_over_tcp, router_dealer());

async fn multipart_stream_and_sink() {
    let ctx = zmq::Context::new();
    let mut pull = Socket::new(&ctx, zmq::PULL).expect("pull");
    let mut push = Socket::new(&ctx, zmq::PUSH).expect("push");
    pull.bind("inproc://stream-sink").expect("bind");
    push.connect("inproc://stream-sink").expect("connect");
    let messages: Vec<Vec<zmq::Message>> = (0..100)
        .map(|i| {
            (0..=i % 5)
                .map(|p| zmq::Message::from(format!("{i}.{p}")))
                .collect()
        })
        .collect();
    let expected: Vec<Vec<String>> = messages.iter().map(|m| text(m)).collect();
    let sender = tokio::spawn(async move {
        let mut items = futures_util::stream::iter(messages.into_iter().map(Ok));
        within("sink", push.send_all(&mut items))
            .await
            .expect("send_all");
        push
    });
    let got: Vec<Vec<String>> = within("stream", (&mut pull).take(100).collect::<Vec<_>>())
        .await
        .into_iter()
        .map(|m| text(&m.expect("message")))
        .collect();
    assert_eq!(got, expected);
    within("sender", sender).await.expect("sender task");
}
both_runtimes!(
    multipart_through_stream_and_sink,
    multipart_stream_and_sink()
);

async fn many_sockets() {
    let ctx = zmq::Context::new();
    let mut tasks = Vec::new();
    for n in 0..64 {
        let ctx = ctx.clone();
        tasks.push(tokio::spawn(async move {
            let mut rep = Socket::new(&ctx, zmq::REP).expect("rep");
            let mut req = Socket::new(&ctx, zmq::REQ).expect("req");
            let endpoint = if n % 2 == 0 {
                bind_tcp(&rep)
            } else {
                let endpoint = format!("inproc://many-{n}");
                rep.bind(&endpoint).expect("bind");
                endpoint
            };
            req.connect(&endpoint).expect("connect");
            for i in 0..20 {
                within("req", req.send(format!("{n}/{i}")))
                    .await
                    .expect("send");
                let got = within("rep", rep.recv()).await.expect("recv");
                within("rep", rep.send(got)).await.expect("send");
                let back = within("req", req.recv()).await.expect("recv");
                assert_eq!(&back[..], format!("{n}/{i}").as_bytes());
            }
        }));
    }
    for task in tasks {
        within("task", task).await.expect("task");
    }
}
both_runtimes!(many_concurrent_sockets, many_sockets());

async fn stream_ends_on_shutdown() {
    let ctx = zmq::Context::new();
    let mut pull = Socket::new(&ctx, zmq::PULL).expect("pull");
    pull.bind("inproc://stream-ends").expect("bind");
    let receiver = tokio::spawn(async move {
        // Waits on ZMQ_FD: the context's stop command must wake it.
        let first = pull.next().await;
        (first.is_none(), pull)
    });
    // The receiver may or may not be waiting yet: either way it sees
    // ETERM.
    tokio::task::yield_now().await;
    ctx.shutdown();
    let (ended, pull) = within("stream end", receiver).await.expect("task");
    assert!(ended, "the stream ends when the context shuts down");
    let mut pull = pull;
    let err = within("recv", pull.recv()).await.err();
    assert_eq!(err, Some(zmq::Error::Term));
}
both_runtimes!(
    a_stream_ends_when_the_context_shuts_down,
    stream_ends_on_shutdown()
);

async fn router_mandatory_errors() {
    let ctx = zmq::Context::new();
    let mut router = Socket::new(&ctx, zmq::ROUTER).expect("router");
    router.set_router_mandatory(true).expect("mandatory");
    router.bind("inproc://mandatory").expect("bind");
    // An unknown peer: the error comes back at once, nothing waits.
    let err = within("send", router.send_multipart(["nobody", "hi"]))
        .await
        .err();
    assert_eq!(err, Some(zmq::Error::HostUnreach));
    // The socket is not left mid-message: a known peer gets the next one.
    let mut dealer = Socket::new(&ctx, zmq::DEALER).expect("dealer");
    dealer.set_identity(b"known").expect("identity");
    dealer.connect("inproc://mandatory").expect("connect");
    within("hello", dealer.send("hello")).await.expect("send");
    let hello = within("router recv", router.recv_multipart())
        .await
        .expect("recv");
    assert_eq!(text(&hello), ["known", "hello"]);
    within("reply", router.send_multipart(["known", "back"]))
        .await
        .expect("send");
    let back = within("dealer recv", dealer.recv_multipart())
        .await
        .expect("recv");
    assert_eq!(text(&back), ["back"]);
}
both_runtimes!(router_mandatory_errors_come_back, router_mandatory_errors());
