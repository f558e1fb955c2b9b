//! ZAP reply parsing (parts split at 0xFF bytes) and Z85 / key decoding.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use zmq_mechanisms::{ZapReply, parse_key, z85};

fuzz_target!(|data: &[u8]| {
    let frames: Vec<Bytes> = data
        .split(|&b| b == 0xFF)
        .map(Bytes::copy_from_slice)
        .collect();
    if let Ok(reply) = ZapReply::parse(&frames) {
        let _ = reply.properties();
    }
    if let Ok(decoded) = z85::decode(data) {
        assert_eq!(
            z85::encode(&decoded).ok().as_deref().map(str::as_bytes),
            Some(data)
        );
    }
    let _ = parse_key(data);
});
