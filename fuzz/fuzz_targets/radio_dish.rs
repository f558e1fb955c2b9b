//! RADIO/DISH over ZMTP 3.x frames, through the sessions' own wire
//! handling (`zmq_patterns::wire_form`, `group_frames`): decoded frames go
//! into a DISH's reassembly as the connection hands them over; it never
//! panics, every message it yields is single-part with a group of at most
//! 255 bytes, and a RADIO sends it back as frames that reassemble to the
//! same message.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use zmq_patterns::msg::GROUP_MAX_LENGTH;
use zmq_patterns::wire_form::WireForm;
use zmq_patterns::{Msg, MsgFlags, SocketType};
use zmtp_codec::frame::encode_frame;
use zmtp_codec::{Decoder, Frame, FrameFlags, Framing};

/// A decoded frame as the connection hands it to the session.
fn to_msg(frame: Frame) -> Msg {
    let mut msg = Msg::from_bytes(frame.body);
    if frame.flags.command() {
        msg.set_flags(MsgFlags::COMMAND);
    } else {
        msg.set_more(frame.flags.more());
    }
    msg
}

/// What the DISH's pipe gets from `wire`.
fn received(wire: &mut BytesMut, dish: &mut WireForm) -> Vec<Msg> {
    let mut decoder = Decoder::new(Framing::V3);
    let mut out = Vec::new();
    while let Ok(Some(frame)) = decoder.decode(wire) {
        out.extend(dish.receive(to_msg(frame)));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let mut dish = WireForm::new(SocketType::Dish);
    let mut buf = BytesMut::from(data);
    for message in received(&mut buf, &mut dish) {
        if message.is_command() {
            continue;
        }
        assert!(!message.more(), "a DISH message is single-part");
        let group = message.group().unwrap_or_default().to_vec();
        assert!(group.len() <= GROUP_MAX_LENGTH);
        // A RADIO sends it back; a fresh DISH reads the same message.
        let mut radio = WireForm::new(SocketType::Radio);
        let mut wire = BytesMut::new();
        assert!(radio.send(message.clone(), |part| {
            let flags = FrameFlags::new(part.more(), false);
            encode_frame(Framing::V3, flags, part.data(), &mut wire);
            Ok(())
        }));
        let again = received(&mut wire, &mut WireForm::new(SocketType::Dish));
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].group().unwrap_or_default(), &group[..]);
        assert_eq!(again[0].data(), message.data());
    }
});
