//! CURVE command parsing: HELLO/INITIATE to a server, WELCOME/READY/ERROR
//! to a client, MESSAGE boxes to established traffic.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use zmq_mechanisms::nacl::BoxKey;
use zmq_mechanisms::{CurveClientKeys, CurveTraffic, Handshake, MechanismConfig, SecretKey, Step};
use zmtp_codec::SocketType;

fuzz_target!(|data: &[u8]| {
    let body = Bytes::copy_from_slice(data);
    let server_secret = SecretKey::from_bytes([1; 32]);
    let server_public = server_secret.public_key();
    let server = Handshake::curve_server(&MechanismConfig::new(SocketType::Router), server_secret);
    if let Ok(server) = server {
        let _ = server.handle_command(body.clone());
    }
    let keys = CurveClientKeys {
        public: SecretKey::from_bytes([2; 32]).public_key(),
        secret: SecretKey::from_bytes([2; 32]),
        server: server_public,
    };
    let config = MechanismConfig::new(SocketType::Dealer);
    if let Ok(client) = Handshake::curve_client(&config, keys.clone()) {
        let _ = client.handle_command(body.clone());
    }
    // A server past HELLO gets the input as INITIATE.
    let server_secret = SecretKey::from_bytes([1; 32]);
    if let (Ok(mut client), Ok(server)) = (
        Handshake::curve_client(&config, keys),
        Handshake::curve_server(&MechanismConfig::new(SocketType::Router), server_secret),
    ) {
        if let Some(hello) = client.poll_command() {
            if let Ok(Step::Continue(server)) = server.handle_command(hello) {
                let _ = server.handle_command(body.clone());
            }
        }
    }
    let mut traffic = CurveTraffic::new(BoxKey::from_secret_bytes([3; 32]), true, 1, 0);
    let _ = traffic.open(&body);
});
