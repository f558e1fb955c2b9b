//! Runs two ZMTP 3.1 greeting exchanges against each other in memory, then
//! encodes a READY command and a few frames and decodes them back, printing
//! every step. `cargo run --example codec_demo -p zmtp-codec`

use bytes::{Bytes, BytesMut};
use zmtp_codec::{
    Command, Decoder, Encoder, FrameFlags, GreetingConfig, GreetingExchange, Metadata, SocketType,
};

fn hex(bytes: &[u8]) -> String {
    let shown: Vec<String> = bytes.iter().take(24).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > 24 { " …" } else { "" };
    format!("{}{more} ({} bytes)", shown.join(" "), bytes.len())
}

fn main() -> Result<(), zmtp_codec::Error> {
    let mut dealer = GreetingExchange::new(GreetingConfig::new(SocketType::Dealer));
    let mut router = GreetingExchange::new(GreetingConfig::new(SocketType::Router));

    // Shuttle bytes both ways until both sides know their peer.
    while !(dealer.is_done() && router.is_done()) {
        let to_router = dealer.poll_transmit();
        let to_dealer = router.poll_transmit();
        if !to_router.is_empty() {
            println!("DEALER -> ROUTER greeting bytes: {}", hex(&to_router));
            router.receive(&to_router)?;
        }
        if !to_dealer.is_empty() {
            println!("ROUTER -> DEALER greeting bytes: {}", hex(&to_dealer));
            dealer.receive(&to_dealer)?;
        }
    }
    let peer = dealer.peer().map(|p| p.version);
    println!("negotiated version: {peer:?}");
    let framing = peer.map(|v| v.framing()).unwrap_or(zmtp_codec::Framing::V3);

    // A READY command and a multipart message, encoded into one buffer.
    let mut wire = BytesMut::new();
    let mut props = Metadata::new();
    props.push("Socket-Type", Bytes::from_static(b"DEALER"))?;
    props.push("Identity", Bytes::new())?;
    Command::Ready(props).encode_frame(&mut wire);
    let encoder = Encoder::new(framing);
    encoder.encode(FrameFlags::MORE, b"", &mut wire);
    encoder.encode(FrameFlags::NONE, b"Hello", &mut wire);
    encoder.encode(FrameFlags::NONE, &vec![0xAB; 300], &mut wire);
    println!("encoded frames: {}", hex(&wire));

    let mut decoder = Decoder::new(framing).with_max_message_size(1 << 20);
    while let Some(frame) = decoder.decode(&mut wire)? {
        if frame.flags.command() {
            println!("decoded command: {:?}", Command::parse(frame.body)?);
        } else {
            println!(
                "decoded frame: more={} body={}",
                frame.flags.more(),
                hex(&frame.body)
            );
        }
    }
    Ok(())
}
