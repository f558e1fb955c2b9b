//! PLAIN command parsing: any command to a client or server at each step.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use zmq_mechanisms::{Handshake, MechanismConfig, Step, ZapReply};
use zmtp_codec::SocketType;

fuzz_target!(|data: &[u8]| {
    let body = Bytes::copy_from_slice(data);
    let mut server_cfg = MechanismConfig::new(SocketType::Router);
    server_cfg.zap.handler_available = true;
    if let Ok(server) = Handshake::plain_server(&server_cfg) {
        if let Ok(Step::NeedZap { handshake, .. }) = server.handle_command(body.clone()) {
            if let Ok(Step::Continue(h)) = handshake.handle_zap_reply(ZapReply::with_status(200)) {
                let _ = h.handle_command(body.clone());
            }
        }
    }
    let client_cfg = MechanismConfig::new(SocketType::Dealer);
    if let Ok(client) = Handshake::plain_client(&client_cfg, b"user", b"pass") {
        if let Ok(Step::Continue(h)) = client.handle_command(body.clone()) {
            let _ = h.handle_command(body);
        } else if let Ok(Step::Continue(h)) = Handshake::plain_client(&client_cfg, b"u", b"p")
            .and_then(|c| c.handle_command(Bytes::from_static(b"\x07WELCOME")))
        {
            let _ = h.handle_command(body);
        }
    }
});
