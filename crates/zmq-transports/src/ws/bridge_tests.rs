use super::*;

fn zmtp_frame(flags: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    put_zmtp_header(&mut out, flags, body.len() as u64);
    out.extend_from_slice(body);
    out
}

/// Client → server through both halves, fed `step` bytes at a time.
fn through(protocol: Subprotocol, zmtp: &[u8], step: usize) -> (Vec<u8>, Vec<Control>) {
    let mut out = Outbound::new(Some(MaskSource::new(42)));
    out.set_protocol(protocol);
    assert_eq!(out.drop_greeting(&[0u8; 64]), 64);
    assert!(!out.in_greeting());
    let mut wire = Vec::new();
    for chunk in zmtp.chunks(step) {
        out.feed(chunk, &mut wire);
    }
    let mut decoded = Vec::new();
    let mut inbound = Inbound::new(protocol, true, false, "REP", &mut decoded);
    decoded.clear();
    let mut controls = Vec::new();
    for chunk in wire.chunks(step) {
        inbound.feed(chunk, &mut decoded, &mut controls).unwrap();
    }
    (decoded, controls)
}

#[test]
fn frames_cross_unchanged_whatever_the_chunking() {
    let mut zmtp = zmtp_frame(ZMTP_COMMAND, &ready_command(&[("Socket-Type", b"REQ")]));
    zmtp.extend(zmtp_frame(ZMTP_MORE, b""));
    zmtp.extend(zmtp_frame(0, &vec![7u8; 70_000]));
    zmtp.extend(zmtp_frame(0, &[1u8; 300]));
    for step in [1, 3, 64, 100_000] {
        let (decoded, controls) = through(Subprotocol::Null, &zmtp, step);
        assert_eq!(decoded, zmtp, "step {step}");
        assert!(controls.is_empty());
    }
}

#[test]
fn heartbeats_become_ping_and_pong_frames() {
    let mut out = Outbound::new(None);
    out.drop_greeting(&[0; 64]);
    let mut wire = Vec::new();
    out.feed(&zmtp_frame(ZMTP_COMMAND, b"\x04PING\x00\x0a"), &mut wire);
    out.feed(&zmtp_frame(ZMTP_COMMAND, b"\x04PONG"), &mut wire);
    assert_eq!(wire, [0x89, 0x00, 0x8A, 0x00]);
    // Their pong reaches the engine as a PONG command; a ping is answered.
    let mut zmtp = Vec::new();
    let mut inbound = Inbound::new(Subprotocol::Null, false, false, "REQ", &mut zmtp);
    zmtp.clear();
    let mut controls = Vec::new();
    inbound
        .feed(
            &[0x8A, 0x00, 0x89, 0x02, b'h', b'i'],
            &mut zmtp,
            &mut controls,
        )
        .unwrap();
    // Their ping shows the engine liveness, as a PONG too.
    let pong = zmtp_frame(ZMTP_COMMAND, b"\x04PONG");
    assert_eq!(zmtp, [pong.clone(), pong].concat());
    assert_eq!(controls, [Control::Ping(b"hi".to_vec())]);
}

#[test]
fn a_pong_reaches_a_curve_engine_unboxed() {
    let mut zmtp = Vec::new();
    let mut inbound = Inbound::new(Subprotocol::Curve, false, false, "REQ", &mut zmtp);
    zmtp.clear();
    let mut controls = Vec::new();
    inbound
        .feed(&[0x8A, 0x00], &mut zmtp, &mut controls)
        .unwrap();
    assert_eq!(zmtp, zmtp_frame(ZMTP_COMMAND, b"\x04PONG"));
    assert!(controls.is_empty());
}

#[test]
fn fragments_are_reassembled_with_control_frames_between() {
    let mut zmtp = Vec::new();
    let mut inbound = Inbound::new(Subprotocol::Null, false, false, "REQ", &mut zmtp);
    zmtp.clear();
    let mut controls = Vec::new();
    let wire = [
        0x02, 0x03, ZWS_MORE, b'a', b'b', // binary, not final, flags + "ab"
        0x89, 0x00, // ping between fragments
        0x80, 0x01, b'c', // final continuation
    ];
    inbound.feed(&wire, &mut zmtp, &mut controls).unwrap();
    let pong = zmtp_frame(ZMTP_COMMAND, b"\x04PONG");
    assert_eq!(zmtp, [pong, zmtp_frame(ZMTP_MORE, b"abc")].concat());
    assert_eq!(controls, [Control::Ping(Vec::new())]);
}

#[test]
fn refuses_what_zws_forbids() {
    let feed = |server: bool, wire: &[u8]| {
        let mut zmtp = Vec::new();
        let mut inbound = Inbound::new(Subprotocol::Null, server, false, "REQ", &mut zmtp);
        inbound.feed(wire, &mut zmtp, &mut Vec::new())
    };
    assert_eq!(
        feed(false, &[0x81, 0x01, b'x']),
        Err(BridgeError::TextFrame)
    );
    assert_eq!(feed(false, &[0x82, 0x00]), Err(BridgeError::EmptyFrame));
    assert_eq!(
        feed(true, &[0x82, 0x01, 0x00]),
        Err(BridgeError::WrongMasking)
    );
    assert_eq!(
        feed(false, &[0x82, 0x81, 1, 2, 3, 4, 0]),
        Err(BridgeError::WrongMasking)
    );
    assert_eq!(
        feed(false, &[0x80, 0x01, 0]),
        Err(BridgeError::BadFragmentation)
    );
    assert_eq!(
        feed(false, &[0x02, 0x02, 0, b'a', 0x82, 0x02, 0, b'b']),
        Err(BridgeError::BadFragmentation)
    );
    let mut huge = vec![0x02, 0x7F];
    huge.extend_from_slice(&(MAX_FRAGMENTED + 1).to_be_bytes());
    assert_eq!(feed(false, &huge), Err(BridgeError::TooLarge));
}

#[test]
fn bare_protocol_maps_routing_ids_to_ready() {
    let mut out = Outbound::new(None);
    out.set_protocol(Subprotocol::Bare);
    out.drop_greeting(&[0; 64]);
    let mut wire = Vec::new();
    let ready = ready_command(&[("Socket-Type", b"DEALER"), ("Identity", b"me")]);
    out.feed(&zmtp_frame(ZMTP_COMMAND, &ready), &mut wire);
    assert_eq!(wire, [0x82, 0x03, 0x00, b'm', b'e']);
    let mut zmtp = Vec::new();
    let mut inbound = Inbound::new(Subprotocol::Bare, false, false, "ROUTER", &mut zmtp);
    zmtp.clear();
    inbound
        .feed(
            &[0x82, 0x03, 0x00, b'i', b'd', 0x82, 0x02, 0x00, b'x'],
            &mut zmtp,
            &mut Vec::new(),
        )
        .unwrap();
    let mut expected = zmtp_frame(
        ZMTP_COMMAND,
        &ready_command(&[("Socket-Type", b"DEALER"), ("Identity", b"id")]),
    );
    expected.extend(zmtp_frame(0, b"x"));
    assert_eq!(zmtp, expected);
}

#[test]
fn greeting_names_the_mechanism() {
    let g = peer_greeting(Subprotocol::Curve, true);
    assert_eq!((g[10], g[11], &g[12..17], g[32]), (3, 1, &b"CURVE"[..], 0));
    let g = peer_greeting(Subprotocol::Plain, false);
    assert_eq!((g[11], &g[12..17], g[32]), (0, &b"PLAIN"[..], 1));
}

#[test]
fn a_pong_waits_for_the_message_frame_being_written() {
    let mut out = Outbound::new(None);
    out.drop_greeting(&[0; 64]);
    let body = vec![5u8; 300];
    let zmtp = zmtp_frame(0, &body);
    let mut wire = Vec::new();
    // Half the message, then a ping to answer, then the rest.
    out.feed(&zmtp[..100], &mut wire);
    out.put_control(OPCODE_PONG, b"hi", &mut wire);
    assert_eq!(out.deferred_len(), 4);
    out.feed(&zmtp[100..], &mut wire);
    let message_end = 4 + 301;
    assert_eq!(wire.len(), message_end + 4);
    assert_eq!(&wire[..4], &[0x82, 126, 0x01, 0x2d]);
    assert!(wire[5..message_end].iter().all(|&b| b == 5));
    assert_eq!(&wire[message_end..], &[0x8A, 0x02, b'h', b'i']);
    assert_eq!(out.frame_ends, [message_end, message_end + 4]);
    // Between frames it goes out at once.
    out.put_control(OPCODE_PONG, b"", &mut wire);
    assert_eq!(&wire[message_end + 4..], &[0x8A, 0x00]);
    assert_eq!(out.deferred_len(), 0);
}
