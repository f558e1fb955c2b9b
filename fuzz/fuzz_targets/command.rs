//! Command and metadata parsers on arbitrary bodies: never panic, and a
//! parsed command re-encodes to a body that parses to the same command.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use zmtp_codec::{Command, Metadata, SubscriptionChange};

fuzz_target!(|data: &[u8]| {
    let body = Bytes::copy_from_slice(data);
    if let Ok(command) = Command::parse(body.clone()) {
        let mut out = BytesMut::new();
        command.encode_body(&mut out);
        assert_eq!(out.len(), command.encoded_len());
        let again = Command::parse(out.freeze()).expect("re-encoded command parses");
        assert_eq!(again, command);
        if let Some(change) = SubscriptionChange::from_command(&command) {
            assert_eq!(
                SubscriptionChange::from_message_body(&change.to_message_body()),
                Some(change)
            );
        }
    }
    if let Ok(metadata) = Metadata::parse(body.clone()) {
        let mut out = Vec::new();
        metadata.encode(&mut out);
        assert_eq!(&out[..], data);
    }
    let _ = SubscriptionChange::from_message_body(&body);
});
