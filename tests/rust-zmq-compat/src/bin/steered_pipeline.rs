//! A pipeline through a steerable proxy with a capture socket, messages
//! written in place, Z85 errors matched by type, and a sender that returns
//! without terminating its context (its drop delivers what it queued),
//! written for the `zmq` crate 0.10.

use std::thread;

const JOBS: usize = 500;

fn z85() {
    let key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    let decoded = zmq::z85_decode(key).unwrap();
    assert_eq!(decoded.len(), 32);
    assert_eq!(zmq::z85_encode(&decoded).unwrap(), key);
    match zmq::z85_decode("/AB8") {
        Err(zmq::DecodeError::BadLength) => {}
        other => panic!("expected a bad length: {:?}", other),
    }
    match zmq::z85_decode("/AB\u{0}8") {
        Err(zmq::DecodeError::NulError(_)) => {}
        other => panic!("expected a NUL error: {:?}", other),
    }
    match zmq::z85_encode(b"\x01\x01\x01\x01\x01") {
        Err(zmq::EncodeError::BadLength) => {}
        other => panic!("expected a bad length: {:?}", other),
    }
}

/// Sends the jobs and returns: no `term`, no `destroy`.
fn fire_and_forget(endpoint: &str) {
    let context = zmq::Context::new();
    let sender = context.socket(zmq::PUSH).unwrap();
    sender.connect(endpoint).unwrap();
    for n in 0..JOBS {
        let mut msg = zmq::Message::with_size(8);
        msg.copy_from_slice(&(n as u64).to_be_bytes());
        sender.send(msg, 0).unwrap();
    }
}

fn main() {
    z85();

    let context = zmq::Context::new();
    let mut frontend = context.socket(zmq::PULL).unwrap();
    frontend.bind("tcp://127.0.0.1:*").unwrap();
    let front_endpoint = frontend.get_last_endpoint().unwrap().unwrap();
    let mut backend = context.socket(zmq::PUSH).unwrap();
    backend.bind("inproc://steered-backend").unwrap();
    let mut capture = context.socket(zmq::PUSH).unwrap();
    capture.bind("inproc://steered-capture").unwrap();
    let mut control = context.socket(zmq::REP).unwrap();
    control.bind("inproc://steered-control").unwrap();

    let receiver = context.socket(zmq::PULL).unwrap();
    receiver.connect("inproc://steered-backend").unwrap();
    let tap = context.socket(zmq::PULL).unwrap();
    tap.connect("inproc://steered-capture").unwrap();
    let steer = context.socket(zmq::REQ).unwrap();
    steer.connect("inproc://steered-control").unwrap();

    let proxy = thread::spawn(move || {
        zmq::proxy_steerable_with_capture(&mut frontend, &mut backend, &mut capture, &mut control)
    });

    // A sender in a context of its own, which it drops on return.
    thread::spawn(move || fire_and_forget(&front_endpoint))
        .join()
        .unwrap();

    receiver.set_rcvtimeo(10_000).unwrap();
    tap.set_rcvtimeo(10_000).unwrap();
    for n in 0..JOBS {
        let mut msg = receiver.recv_msg(0).unwrap();
        assert_eq!(&msg[..], &(n as u64).to_be_bytes()[..]);
        // Written in place: a received message is ours to change.
        msg[0] = 0xff;
        assert_eq!(msg[0], 0xff);
        let copy = tap.recv_bytes(0).unwrap();
        assert_eq!(copy, (n as u64).to_be_bytes());
    }

    steer.send("TERMINATE", 0).unwrap();
    steer.recv_msg(0).unwrap();
    proxy.join().unwrap().unwrap();

    // The plain steerable proxy, with a PAIR control socket.
    let mut front = context.socket(zmq::ROUTER).unwrap();
    front.bind("inproc://plain-front").unwrap();
    let mut back = context.socket(zmq::DEALER).unwrap();
    back.bind("inproc://plain-back").unwrap();
    let mut control = context.socket(zmq::PAIR).unwrap();
    control.bind("inproc://plain-control").unwrap();
    let steer = context.socket(zmq::PAIR).unwrap();
    steer.connect("inproc://plain-control").unwrap();
    let proxy = thread::spawn(move || zmq::proxy_steerable(&mut front, &mut back, &mut control));
    steer.send("TERMINATE", 0).unwrap();
    proxy.join().unwrap().unwrap();

    println!("steered_pipeline: ok");
}
