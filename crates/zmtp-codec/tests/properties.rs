//! Property tests: round trips, chunking independence, no panics.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use zmtp_codec::command::MechanismCommand;
use zmtp_codec::frame::encode_frame;
use zmtp_codec::greeting::encode_greeting;
use zmtp_codec::{
    Command, Decoder, Frame, FrameFlags, Framing, GreetingConfig, GreetingExchange, Mechanism,
    Metadata, SocketType,
};

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![Just(Framing::V1), Just(Framing::V2), Just(Framing::V3)]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::collection::vec(any::<u8>(), 250..300),
        proptest::collection::vec(any::<u8>(), 0..3000),
    ]
}

fn frames(framing: Framing) -> impl Strategy<Value = Vec<Frame>> {
    let command_allowed = framing == Framing::V3;
    proptest::collection::vec(
        (any::<bool>(), any::<bool>(), body()).prop_map(move |(more, command, body)| {
            let command = command && command_allowed;
            Frame::new(FrameFlags::new(more && !command, command), body)
        }),
        0..12,
    )
}

/// Splits `wire` at the given cut points and decodes it chunk by chunk.
fn decode_chunked(decoder: &mut Decoder, wire: &[u8], cuts: &[usize]) -> Vec<Frame> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
    points.push(0);
    points.push(wire.len());
    points.sort_unstable();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for pair in points.windows(2) {
        buf.extend_from_slice(&wire[pair[0]..pair[1]]);
        while let Some(frame) = decoder.decode(&mut buf).unwrap() {
            out.push(frame);
        }
    }
    assert!(buf.is_empty());
    out
}

fn metadata() -> impl Strategy<Value = Metadata> {
    proptest::collection::vec(
        (
            "[A-Za-z0-9._+-]{1,20}",
            proptest::collection::vec(any::<u8>(), 0..50),
        ),
        0..5,
    )
    .prop_map(|props| {
        let mut m = Metadata::new();
        for (name, value) in props {
            m.push(name, value).unwrap();
        }
        m
    })
}

fn bytes_up_to(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..=max).prop_map(Bytes::from)
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        metadata().prop_map(Command::Ready),
        bytes_up_to(255).prop_map(|reason| Command::Error { reason }),
        bytes_up_to(300).prop_map(Command::Subscribe),
        bytes_up_to(300).prop_map(Command::Cancel),
        (any::<u16>(), bytes_up_to(16)).prop_map(|(ttl_deciseconds, context)| Command::Ping {
            ttl_deciseconds,
            context
        }),
        bytes_up_to(16).prop_map(|context| Command::Pong { context }),
        bytes_up_to(255).prop_map(Command::Join),
        bytes_up_to(255).prop_map(Command::Leave),
        bytes_up_to(300).prop_map(|data| Command::Mechanism {
            kind: MechanismCommand::Hello,
            data
        }),
        ("[a-z]{1,12}", bytes_up_to(30)).prop_map(|(name, data)| Command::Unknown {
            name: Bytes::from(name),
            data
        }),
    ]
}

proptest! {
    #[test]
    fn frames_round_trip_any_chunking(
        (framing, frames) in framing().prop_flat_map(|f| (Just(f), frames(f))),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
        in_place_limit in prop_oneof![Just(0usize), Just(100), Just(65536)],
    ) {
        let mut wire = BytesMut::new();
        for f in &frames {
            encode_frame(framing, f.flags, &f.body, &mut wire);
        }
        let mut decoder = Decoder::new(framing).with_in_place_limit(in_place_limit);
        let decoded = decode_chunked(&mut decoder, &wire, &cuts);
        prop_assert_eq!(decoded, frames);
    }

    #[test]
    fn commands_round_trip(cmd in command()) {
        let mut wire = BytesMut::new();
        cmd.encode_frame(&mut wire);
        let frame = Decoder::new(Framing::V3).decode(&mut wire).unwrap().unwrap();
        prop_assert!(frame.flags.command());
        prop_assert_eq!(frame.body.len(), cmd.encoded_len());
        // Unknown names are lower case, so they never collide with known ones.
        prop_assert_eq!(Command::parse(frame.body).unwrap(), cmd);
    }

    #[test]
    fn greeting_exchange_any_chunking(
        minor in 0u8..3,
        extra in proptest::collection::vec(any::<u8>(), 0..20),
        cuts in proptest::collection::vec(1usize..70, 0..10),
    ) {
        let mut input = encode_greeting(5, minor, Mechanism::NULL, false).to_vec();
        input.extend_from_slice(&extra);
        let mut whole = GreetingExchange::new(GreetingConfig::new(SocketType::Dealer));
        let consumed = whole.receive(&input).unwrap();
        prop_assert_eq!(consumed, 64);
        let mut chunked = GreetingExchange::new(GreetingConfig::new(SocketType::Dealer));
        let mut sent = chunked.poll_transmit().to_vec();
        let mut pos = 0;
        let mut total = 0;
        let mut cut_iter = cuts.iter().cycle();
        while pos < input.len() && !chunked.is_done() {
            let len = cut_iter.next().copied().unwrap_or(input.len()).min(input.len() - pos);
            total += chunked.receive(&input[pos..pos + len]).unwrap();
            sent.extend_from_slice(&chunked.poll_transmit());
            pos += len;
        }
        prop_assert_eq!(total, 64);
        prop_assert_eq!(whole.peer(), chunked.peer());
        prop_assert_eq!(sent.len(), 64);
    }

    #[test]
    fn random_bytes_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        framing in framing(),
        max in prop_oneof![Just(-1i64), 0i64..500],
    ) {
        let mut ex = GreetingExchange::new(GreetingConfig::new(SocketType::Sub));
        let _ = ex.receive(&data);
        let _ = Command::parse(Bytes::copy_from_slice(&data));
        let _ = Metadata::parse(Bytes::copy_from_slice(&data));
        let _ = zmtp_codec::Greeting::new_checked(&data[..]);
        let mut decoder = Decoder::new(framing).with_max_message_size(max).with_in_place_limit(64);
        let mut buf = BytesMut::from(&data[..]);
        for _ in 0..1000 {
            match decoder.decode(&mut buf) {
                Ok(Some(_)) => {}
                _ => break,
            }
        }
    }
}
