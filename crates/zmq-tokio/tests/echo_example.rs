//! The echo example (examples/echo.rs) serves REQ and DEALER clients.

mod support;

#[allow(dead_code)]
#[path = "../examples/echo.rs"]
mod echo;

use support::{bind_tcp, text, within};
use zmq_tokio::Socket;

async fn echo_serves_clients() {
    let ctx = zmq::Context::new();
    let server = Socket::new(&ctx, zmq::ROUTER).expect("router");
    let endpoint = bind_tcp(&server);
    const CLIENTS: usize = 8;
    const EACH: usize = 25;
    let served = tokio::spawn(echo::serve(server, Some(CLIENTS * EACH)));
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let ctx = ctx.clone();
        let endpoint = endpoint.clone();
        clients.push(tokio::spawn(async move {
            let kind = if n % 2 == 0 { zmq::REQ } else { zmq::DEALER };
            let mut client = Socket::new(&ctx, kind).expect("client");
            client.connect(&endpoint).expect("connect");
            for i in 0..EACH {
                let body = format!("client {n} says {i}");
                if n % 2 == 0 {
                    within("req send", client.send(body.as_str()))
                        .await
                        .expect("send");
                    let reply = within("req recv", client.recv_multipart())
                        .await
                        .expect("recv");
                    assert_eq!(text(&reply), [body]);
                } else {
                    within(
                        "dealer send",
                        client.send_multipart(["", "two", body.as_str()]),
                    )
                    .await
                    .expect("send");
                    let reply = within("dealer recv", client.recv_multipart())
                        .await
                        .expect("recv");
                    assert_eq!(text(&reply), ["".to_string(), "two".into(), body]);
                }
            }
        }));
    }
    for client in clients {
        within("client", client).await.expect("client task");
    }
    let echoed = within("server", served).await.expect("server task");
    assert_eq!(echoed.expect("serve"), CLIENTS * EACH);
}
both_runtimes!(
    the_echo_example_serves_req_and_dealer_clients,
    echo_serves_clients()
);
