//! The ws transport's inbound path on arbitrary bytes in arbitrary
//! chunks: the server's HTTP upgrade, then ZWS frames into ZMTP bytes.
//! Never panics; the result does not depend on how the input is split;
//! the output stays within a fixed factor of the input (nothing a peer
//! sends makes us hold more than it sent, plus one reassembled message).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zmq_transports::ws::bridge::{Control, Inbound};
use zmq_transports::ws::upgrade::{ServerUpgrade, WsMechanism};

/// (ZMTP bytes, controls, failed) for `input` fed `chunk` bytes at a time.
fn run(mechanism: WsMechanism, masked: bool, input: &[u8], chunk: usize) -> (Vec<u8>, Vec<Control>, bool) {
    let mut upgrade = Some(ServerUpgrade::new(mechanism));
    let mut inbound: Option<Inbound> = None;
    let mut zmtp = Vec::new();
    let mut controls = Vec::new();
    for mut piece in input.chunks(chunk.max(1)) {
        if let Some(server) = &mut upgrade {
            match server.feed(piece) {
                Ok((used, done)) => {
                    piece = &piece[used..];
                    if let Some((protocol, answer)) = done {
                        assert!(answer.len() < 4096);
                        upgrade = None;
                        inbound = Some(Inbound::new(protocol, masked, false, "DEALER", &mut zmtp));
                    }
                }
                Err(_) => return (zmtp, controls, true),
            }
        }
        if let Some(bridge) = &mut inbound {
            if bridge.feed(piece, &mut zmtp, &mut controls).is_err() {
                return (zmtp, controls, true);
            }
        }
    }
    (zmtp, controls, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let mechanism = match seed % 3 {
        0 => WsMechanism::Null,
        1 => WsMechanism::Plain,
        _ => WsMechanism::Curve,
    };
    let masked = seed & 0x80 != 0;
    // Most inputs start with a valid request so the framing is reached.
    let mut input = Vec::new();
    if seed & 0x40 != 0 {
        input.extend_from_slice(
            b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a\r\n\
              Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0/PLAIN,ZWS2.0/CURVE,ZWS2.0\r\n\r\n",
        );
    }
    input.extend_from_slice(rest);
    let chunk = usize::from(seed & 0x3F) + 1;
    let whole = run(mechanism, masked, &input, input.len().max(1));
    let split = run(mechanism, masked, &input, chunk);
    assert_eq!(whole, split, "chunking changed the result");
    // ZMTP out: at most the greeting, plus per WS frame (>= 2 bytes) a ZMTP
    // header of at most 9 bytes or an injected 7-byte PONG, plus a
    // synthesised READY (bare subprotocol, bounded).
    assert!(whole.0.len() <= 64 + 600 + input.len() * 5);
});
