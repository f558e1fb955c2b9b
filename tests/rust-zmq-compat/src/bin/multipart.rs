//! Multipart messages between DEALER and ROUTER, non-blocking receives
//! and errno-named errors, written for the `zmq` crate 0.10.

fn main() {
    let context = zmq::Context::new();
    let router = context.socket(zmq::ROUTER).unwrap();
    router.bind("inproc://multipart").unwrap();
    let dealer = context.socket(zmq::DEALER).unwrap();
    dealer.set_identity(b"dealer-1").unwrap();
    dealer.connect("inproc://multipart").unwrap();

    // Nothing to read yet.
    match router.recv_multipart(zmq::DONTWAIT) {
        Err(zmq::Error::EAGAIN) => {}
        other => panic!("expected EAGAIN, got {:?}", other),
    }

    // Parts from a slice of &str, a Vec<Vec<u8>>, a Vec<&[u8]>, Messages.
    dealer.send_multipart(&["a", "b"], 0).unwrap();
    dealer
        .send_multipart(vec![b"x".to_vec(), b"yz".to_vec()], 0)
        .unwrap();
    let parts: Vec<&[u8]> = vec![b"one", b"two", b"three"];
    dealer.send_multipart(parts, 0).unwrap();
    dealer
        .send_multipart(
            vec![zmq::Message::from("m1"), zmq::Message::from(&b"m2"[..])],
            0,
        )
        .unwrap();
    // And part by part with SNDMORE.
    dealer.send("first", zmq::SNDMORE).unwrap();
    dealer.send(vec![0u8, 1, 2].into_boxed_slice(), 0).unwrap();

    router.set_rcvtimeo(5000).unwrap();
    let expected: [&[&[u8]]; 5] = [
        &[b"a", b"b"],
        &[b"x", b"yz"],
        &[b"one", b"two", b"three"],
        &[b"m1", b"m2"],
        &[b"first", &[0, 1, 2]],
    ];
    for want in expected.iter() {
        let message = router.recv_multipart(0).unwrap();
        assert_eq!(message[0], b"dealer-1");
        assert_eq!(&message[1..], *want);
        // Echo it back with the identity frame first.
        router.send_multipart(&message, 0).unwrap();
    }

    dealer.set_rcvtimeo(5000).unwrap();
    for want in expected.iter() {
        let mut parts = Vec::new();
        loop {
            let mut msg = zmq::Message::new();
            dealer.recv(&mut msg, 0).unwrap();
            parts.push(msg.to_vec());
            if !msg.get_more() {
                break;
            }
        }
        assert_eq!(parts.len(), want.len());
        for (got, want) in parts.iter().zip(want.iter()) {
            assert_eq!(&got[..], *want);
        }
    }

    // A string that is not UTF-8 comes back as its bytes.
    dealer.send(&[0xffu8, 0xfe][..], 0).unwrap();
    let message = router.recv_multipart(0).unwrap();
    router.send_multipart(message, 0).unwrap();
    match dealer.recv_string(0).unwrap() {
        Ok(text) => panic!("not UTF-8, yet got {:?}", text),
        Err(bytes) => assert_eq!(bytes, vec![0xff, 0xfe]),
    }

    // Errors are errno-named and print as zmq_strerror does.
    let err = context.socket(zmq::REQ).unwrap().bind("bogus://nowhere");
    assert_eq!(err, Err(zmq::Error::EPROTONOSUPPORT));
    let err = zmq::Error::ETERM;
    println!("{} (errno {})", err, err.to_raw());
    assert_eq!(err.message(), "Context was terminated");

    // Option setters that take text.
    let plain = context.socket(zmq::DEALER).unwrap();
    plain.set_plain_username(Some("admin")).unwrap();
    plain.set_plain_password(Some("secret")).unwrap();
    assert_eq!(plain.get_mechanism().unwrap(), zmq::Mechanism::ZMQ_PLAIN);
    let xpub = context.socket(zmq::XPUB).unwrap();
    xpub.set_xpub_welcome_msg(Some("welcome")).unwrap();
    println!("multipart: ok");
}
