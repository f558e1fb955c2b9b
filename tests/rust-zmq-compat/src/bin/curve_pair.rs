//! A CURVE-encrypted REQ/REP pair with generated keys, written for the
//! `zmq` crate 0.10.

fn main() {
    assert!(zmq::has("curve").unwrap(), "this build has no CURVE");
    let (major, minor, patch) = zmq::version();
    println!("libzmq API {}.{}.{}", major, minor, patch);

    let server_pair = zmq::CurveKeyPair::new().unwrap();
    let client_pair = zmq::CurveKeyPair::new().unwrap();
    assert_ne!(server_pair.public_key, client_pair.public_key);
    println!(
        "server public key: {}",
        zmq::z85_encode(&server_pair.public_key).unwrap()
    );

    let context = zmq::Context::new();
    let server = context.socket(zmq::REP).unwrap();
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(&server_pair.secret_key).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    assert_eq!(server.get_mechanism().unwrap(), zmq::Mechanism::ZMQ_CURVE);

    let client = context.socket(zmq::REQ).unwrap();
    client.set_curve_serverkey(&server_pair.public_key).unwrap();
    client.set_curve_publickey(&client_pair.public_key).unwrap();
    client.set_curve_secretkey(&client_pair.secret_key).unwrap();
    client.set_rcvtimeo(5000).unwrap();
    server.set_rcvtimeo(5000).unwrap();
    client.set_linger(0).unwrap();
    client.connect(&endpoint).unwrap();

    for n in 0..3 {
        client.send(&format!("secret {}", n), 0).unwrap();
        let request = server.recv_msg(0).unwrap();
        assert_eq!(request.as_str(), Some(format!("secret {}", n).as_str()));
        server.send(&request[..], 0).unwrap();
        let reply = client.recv_bytes(0).unwrap();
        assert_eq!(reply, format!("secret {}", n).into_bytes());
    }

    // A client with the wrong server key gets no reply.
    let wrong = zmq::CurveKeyPair::new().unwrap();
    let stranger = context.socket(zmq::REQ).unwrap();
    stranger.set_curve_serverkey(&wrong.public_key).unwrap();
    stranger
        .set_curve_publickey(&client_pair.public_key)
        .unwrap();
    stranger
        .set_curve_secretkey(&client_pair.secret_key)
        .unwrap();
    stranger.set_rcvtimeo(300).unwrap();
    stranger.set_linger(0).unwrap();
    stranger.connect(&endpoint).unwrap();
    stranger.send("let me in", 0).unwrap();
    match stranger.recv_msg(0) {
        Err(zmq::Error::EAGAIN) => println!("wrong server key: no reply, as expected"),
        other => panic!("expected EAGAIN, got {:?}", other),
    }
    println!("curve_pair: ok");
}
