//! Frame decoder on arbitrary bytes in arbitrary chunks: never panics,
//! yields the same frames however the input is split, and the frames
//! re-encode to a stream that decodes to the same frames.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use zmtp_codec::frame::encode_frame;
use zmtp_codec::{Decoder, Frame, Framing};

fn decode(
    framing: Framing,
    max: i64,
    limit: usize,
    input: &[u8],
    chunk: usize,
) -> (Vec<Frame>, bool) {
    let mut decoder = Decoder::new(framing)
        .with_max_message_size(max)
        .with_in_place_limit(limit);
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(_) => return (frames, true),
            }
        }
    }
    (frames, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    let framing = match seed % 3 {
        0 => Framing::V1,
        1 => Framing::V2,
        _ => Framing::V3,
    };
    let max = if seed & 0x04 != 0 { 200 } else { -1 };
    let limit = if seed & 0x08 != 0 { 16 } else { 65536 };
    let chunk = usize::from(seed >> 4) + 1;

    let (whole, whole_failed) = decode(framing, max, limit, input, input.len());
    let (chunked, chunked_failed) = decode(framing, max, limit, input, chunk);
    assert_eq!(whole, chunked);
    assert_eq!(whole_failed, chunked_failed);

    let mut wire = BytesMut::new();
    for frame in &whole {
        encode_frame(framing, frame.flags, &frame.body, &mut wire);
    }
    let (again, failed) = decode(framing, -1, limit, &wire, chunk);
    assert!(!failed);
    assert_eq!(again, whole);
});
