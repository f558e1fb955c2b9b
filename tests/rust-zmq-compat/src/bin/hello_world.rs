//! Hello World: a REP server and a REQ client (the zguide's hwserver and
//! hwclient), written for the `zmq` crate 0.10.

use std::thread;

/// Any `zmq::Sendable` goes out as one part.
fn send_reply<T: zmq::Sendable>(socket: &zmq::Socket, data: T) -> zmq::Result<()> {
    socket.send(data, 0)
}

fn server(context: zmq::Context, endpoint_tx: std::sync::mpsc::Sender<String>, requests: usize) {
    let responder = context.socket(zmq::REP).unwrap();
    responder.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = responder.get_last_endpoint().unwrap().unwrap();
    endpoint_tx.send(endpoint).unwrap();

    let mut msg = zmq::Message::new();
    for _ in 0..requests {
        responder.recv(&mut msg, 0).unwrap();
        println!("Received {}", msg.as_str().unwrap());
        send_reply(&responder, "World").unwrap();
    }
}

fn main() {
    let context = zmq::Context::new();
    let (endpoint_tx, endpoint_rx) = std::sync::mpsc::channel();
    let server_context = context.clone();
    let server = thread::spawn(move || server(server_context, endpoint_tx, 10));
    let endpoint = endpoint_rx.recv().unwrap();

    println!("Connecting to hello world server...");
    let requester = context.socket(zmq::REQ).unwrap();
    requester.set_rcvtimeo(5000).unwrap();
    requester.set_linger(0).unwrap();
    assert!(requester.connect(&endpoint).is_ok());
    assert_eq!(requester.get_socket_type().unwrap(), zmq::REQ);
    assert_eq!(zmq::SocketType::REQ, zmq::REQ);

    let mut msg = zmq::Message::new();
    for request_nbr in 0..10 {
        println!("Sending Hello {}...", request_nbr);
        requester.send("Hello", 0).unwrap();

        match requester.recv(&mut msg, 0) {
            Ok(()) => println!("Received World {}: {}", msg.as_str().unwrap(), request_nbr),
            Err(zmq::Error::EAGAIN) => panic!("no reply within 5 s"),
            Err(e) => panic!("recv: {}", e),
        }
        assert_eq!(&msg[..], b"World");
    }
    server.join().unwrap();
    println!("hello_world: ok");
}
