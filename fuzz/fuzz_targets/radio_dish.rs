//! RADIO/DISH reassembly over decoded ZMTP 3.x frames: never panics, and
//! every reassembled message re-encodes and reads back the same.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use zmtp_codec::radio_dish::GroupMessageReader;
use zmtp_codec::{Decoder, Framing};

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::new(Framing::V3);
    let mut reader = GroupMessageReader::new();
    let mut buf = BytesMut::from(data);
    while let Ok(Some(frame)) = decoder.decode(&mut buf) {
        match reader.push(frame) {
            Ok(Some(message)) => {
                let mut wire = BytesMut::new();
                message.encode(&mut wire).expect("a read group fits");
                let mut d = Decoder::new(Framing::V3);
                let mut r = GroupMessageReader::new();
                let first = d.decode(&mut wire).unwrap().unwrap();
                assert_eq!(r.push(first).unwrap(), None);
                let second = d.decode(&mut wire).unwrap().unwrap();
                assert_eq!(r.push(second).unwrap(), Some(message));
            }
            Ok(None) => {}
            Err(_) => break,
        }
    }
});
