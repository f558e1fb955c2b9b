//! STREAM sockets (raw TCP), `ZMQ_ROUTER_RAW` and `ZMQ_ROUTER_NOTIFY`,
//! end to end over real connections.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

use zmq::{Context, Error, SNDMORE, Socket, SocketType};

fn timeouts(socket: &Socket) {
    socket.set_rcvtimeo(10_000).unwrap();
    socket.set_sndtimeo(10_000).unwrap();
}

fn bound(ctx: &Context, kind: SocketType) -> (Socket, String) {
    let socket = ctx.socket(kind).unwrap();
    timeouts(&socket);
    socket.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = socket.get_last_endpoint().unwrap().unwrap();
    (socket, endpoint)
}

fn tcp_address(endpoint: &str) -> &str {
    endpoint.trim_start_matches("tcp://")
}

fn std_client(endpoint: &str) -> TcpStream {
    let client = TcpStream::connect(tcp_address(endpoint)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client
}

/// Receives one `[routing id][data]` message.
fn recv_pair(socket: &Socket) -> (Vec<u8>, Vec<u8>) {
    let parts = socket.recv_multipart(0).unwrap();
    assert_eq!(parts.len(), 2, "{parts:?}");
    (parts[0].clone(), parts[1].clone())
}

/// Receives data from `id` until `len` bytes came (TCP may split them).
fn recv_data(socket: &Socket, id: &[u8], len: usize) -> Vec<u8> {
    let mut data = Vec::new();
    while data.len() < len {
        let (from, chunk) = recv_pair(socket);
        assert_eq!(from, id);
        assert!(!chunk.is_empty(), "unexpected notification");
        data.extend_from_slice(&chunk);
    }
    data
}

fn send_pair(socket: &Socket, id: &[u8], data: &[u8]) {
    socket.send(id, SNDMORE).unwrap();
    socket.send(data, 0).unwrap();
}

fn read_exact(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf).unwrap();
    buf
}

#[test]
fn stream_server_answers_a_plain_tcp_client() {
    let ctx = Context::new();
    let (server, endpoint) = bound(&ctx, SocketType::Stream);
    let mut client = std_client(&endpoint);

    // Connect notification: a generated 5-byte id and no data.
    let (id, empty) = recv_pair(&server);
    assert!(empty.is_empty());
    assert_eq!(id.len(), 5);
    assert_eq!(id[0], 0);

    let request = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n";
    client.write_all(request).unwrap();
    assert_eq!(recv_data(&server, &id, request.len()), request);

    let response = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    send_pair(&server, &id, response);
    // A zero-length data part closes the connection after the response.
    send_pair(&server, &id, b"");
    let mut got = Vec::new();
    client.read_to_end(&mut got).unwrap();
    assert_eq!(got, response);

    // The peer is gone: the pipe's termination completed before the
    // connection was closed, so the next send finds no such peer.
    assert_eq!(server.send(&id[..], SNDMORE), Err(Error::HostUnreach));
    drop(server);
    ctx.term().unwrap();
}

#[test]
fn stream_notifies_disconnect_and_can_be_quiet() {
    let ctx = Context::new();
    let (server, endpoint) = bound(&ctx, SocketType::Stream);
    let client = std_client(&endpoint);
    let (id, empty) = recv_pair(&server);
    assert!(empty.is_empty());
    client.shutdown(Shutdown::Both).unwrap();
    drop(client);
    assert_eq!(recv_pair(&server), (id, Vec::new()));

    let quiet = ctx.socket(SocketType::Stream).unwrap();
    timeouts(&quiet);
    quiet.set_stream_notify(false).unwrap();
    quiet.bind("tcp://127.0.0.1:*").unwrap();
    let quiet_endpoint = quiet.get_last_endpoint().unwrap().unwrap();
    let mut client = std_client(&quiet_endpoint);
    client.write_all(b"data").unwrap();
    let (_, data) = recv_pair(&quiet);
    assert!(!data.is_empty(), "no connect notification expected");
    assert_eq!(
        ctx.socket(SocketType::Router)
            .unwrap()
            .set_stream_notify(true),
        Err(Error::Inval)
    );
    drop((server, quiet));
    ctx.term().unwrap();
}

#[test]
fn stream_client_talks_to_a_plain_tcp_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let ctx = Context::new();
    let client = ctx.socket(SocketType::Stream).unwrap();
    timeouts(&client);
    client.set_connect_routing_id(b"server").unwrap();
    client.connect(&format!("tcp://{address}")).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();

    assert_eq!(recv_pair(&client), (b"server".to_vec(), Vec::new()));
    send_pair(&client, b"server", b"ping");
    assert_eq!(read_exact(&mut peer, 4), b"ping");
    peer.write_all(b"pong").unwrap();
    assert_eq!(recv_data(&client, b"server", 4), b"pong");
    drop(peer);
    assert_eq!(recv_pair(&client), (b"server".to_vec(), Vec::new()));
    drop(client);
    ctx.term().unwrap();
}

#[test]
fn two_stream_sockets_talk_to_each_other() {
    let ctx = Context::new();
    let (server, endpoint) = bound(&ctx, SocketType::Stream);
    let client = ctx.socket(SocketType::Stream).unwrap();
    timeouts(&client);
    client.set_connect_routing_id(b"srv").unwrap();
    client.connect(&endpoint).unwrap();

    assert_eq!(recv_pair(&client), (b"srv".to_vec(), Vec::new()));
    let (client_id, empty) = recv_pair(&server);
    assert!(empty.is_empty());

    send_pair(&client, b"srv", b"hello server");
    assert_eq!(recv_data(&server, &client_id, 12), b"hello server");
    send_pair(&server, &client_id, b"hello client");
    assert_eq!(recv_data(&client, b"srv", 12), b"hello client");

    // The server closes; the client sees a disconnect notification.
    send_pair(&server, &client_id, b"");
    assert_eq!(recv_pair(&client), (b"srv".to_vec(), Vec::new()));
    drop((server, client));
    ctx.term().unwrap();
}

#[test]
fn stream_to_unknown_peer_is_host_unreachable() {
    let ctx = Context::new();
    let (server, _) = bound(&ctx, SocketType::Stream);
    assert_eq!(
        server.send(&b"nobody"[..], SNDMORE),
        Err(Error::HostUnreach)
    );
    drop(server);
    ctx.term().unwrap();
}

#[test]
fn raw_router_speaks_plain_tcp() {
    let ctx = Context::new();
    let router = ctx.socket(SocketType::Router).unwrap();
    timeouts(&router);
    router.set_router_raw(true).unwrap();
    router.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = router.get_last_endpoint().unwrap().unwrap();
    let mut client = std_client(&endpoint);
    let (id, empty) = recv_pair(&router);
    assert!(empty.is_empty());
    client.write_all(b"abc").unwrap();
    assert_eq!(recv_data(&router, &id, 3), b"abc");
    send_pair(&router, &id, b"xyz");
    assert_eq!(read_exact(&mut client, 3), b"xyz");
    send_pair(&router, &id, b"");
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    drop(router);
    ctx.term().unwrap();
}

fn router_notify_round(ctx: &Context, endpoint_of: impl Fn(&Socket) -> String, notifies: bool) {
    let router = ctx.socket(SocketType::Router).unwrap();
    timeouts(&router);
    router.set_router_notify(3).unwrap();
    assert_eq!(router.get_router_notify(), Ok(3));
    let endpoint = endpoint_of(&router);
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    timeouts(&dealer);
    dealer.set_routing_id(b"D").unwrap();
    dealer.connect(&endpoint).unwrap();
    if notifies {
        assert_eq!(
            router.recv_multipart(0).unwrap(),
            vec![b"D".to_vec(), Vec::new()]
        );
    }
    dealer.send(&b"hi"[..], 0).unwrap();
    assert_eq!(
        router.recv_multipart(0).unwrap(),
        vec![b"D".to_vec(), b"hi".to_vec()]
    );
    dealer.set_linger(0).unwrap();
    drop(dealer);
    if notifies {
        assert_eq!(
            router.recv_multipart(0).unwrap(),
            vec![b"D".to_vec(), Vec::new()]
        );
    } else {
        router.set_rcvtimeo(100).unwrap();
        assert_eq!(router.recv_multipart(0), Err(Error::Again));
    }
}

#[test]
fn router_notify_over_tcp() {
    let ctx = Context::new();
    router_notify_round(
        &ctx,
        |router| {
            router.bind("tcp://127.0.0.1:*").unwrap();
            router.get_last_endpoint().unwrap().unwrap()
        },
        true,
    );
    ctx.term().unwrap();
}

#[test]
fn router_notify_is_silent_over_inproc() {
    // libzmq: the option only applies to stream transports (tcp, ipc).
    let ctx = Context::new();
    router_notify_round(
        &ctx,
        |router| {
            router.bind("inproc://router-notify").unwrap();
            "inproc://router-notify".to_owned()
        },
        false,
    );
    ctx.term().unwrap();
}

#[test]
fn router_notify_rejects_bad_values_and_other_types() {
    let ctx = Context::new();
    let router = ctx.socket(SocketType::Router).unwrap();
    assert_eq!(router.set_router_notify(4), Err(Error::Inval));
    assert_eq!(router.set_router_notify(-1), Err(Error::Inval));
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    assert_eq!(dealer.set_router_notify(1), Err(Error::Inval));
    assert_eq!(dealer.set_router_raw(true), Err(Error::Inval));
    drop((router, dealer));
    ctx.term().unwrap();
}
