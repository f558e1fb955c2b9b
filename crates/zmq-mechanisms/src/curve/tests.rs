//! In-memory CURVE handshakes and their failure paths.

use bytes::Bytes;
use zmtp_codec::{FrameFlags, Mechanism, ProtocolErrorCode, SocketType};

use crate::config::MechanismConfig;
use crate::curve::CurveClientKeys;
use crate::error::MechanismError;
use crate::handshake::{Established, Handshake, Step, error_command_body};
use crate::keys::{SecretKey, parse_key};
use crate::transform::TrafficTransform;
use crate::zap::ZapReply;

// libzmq's test_security_curve key pairs.
const SERVER_PUBLIC: &str = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const SERVER_SECRET: &str = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
const CLIENT_PUBLIC: &str = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const CLIENT_SECRET: &str = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

fn key(z85: &str) -> [u8; 32] {
    parse_key(z85.as_bytes()).unwrap()
}

fn client_keys(server: [u8; 32]) -> CurveClientKeys {
    CurveClientKeys {
        public: key(CLIENT_PUBLIC),
        secret: SecretKey::from_bytes(key(CLIENT_SECRET)),
        server,
    }
}

fn client() -> Handshake {
    Handshake::curve_client(
        &MechanismConfig::new(SocketType::Dealer),
        client_keys(key(SERVER_PUBLIC)),
    )
    .unwrap()
}

fn server(handler: bool) -> Handshake {
    let mut c = MechanismConfig::new(SocketType::Router);
    c.as_server = true;
    c.zap.handler_available = handler;
    Handshake::curve_server(&c, SecretKey::from_bytes(key(SERVER_SECRET))).unwrap()
}

fn one(h: &mut Handshake) -> Bytes {
    let c = h.poll_command().expect("a command");
    assert!(h.poll_command().is_none());
    c
}

fn cont(step: Result<Step, MechanismError>) -> Handshake {
    match step {
        Ok(Step::Continue(h)) => h,
        other => panic!("expected Continue: {other:?}"),
    }
}

fn ready(step: Result<Step, MechanismError>) -> Established {
    match step {
        Ok(Step::Ready(e)) => e,
        other => panic!("expected Ready: {other:?}"),
    }
}

/// Runs HELLO, WELCOME, INITIATE; returns the client waiting for READY,
/// the server's step after INITIATE.
fn until_initiate(mut c: Handshake, s: Handshake) -> (Handshake, Result<Step, MechanismError>) {
    let hello = one(&mut c);
    assert_eq!(hello.len(), 200);
    let mut s = cont(s.handle_command(hello));
    let welcome = one(&mut s);
    assert_eq!(welcome.len(), 168);
    let mut c = cont(c.handle_command(welcome));
    let initiate = one(&mut c);
    assert!(initiate.len() >= 257);
    (c, s.handle_command(initiate))
}

fn curve(t: Option<Box<dyn TrafficTransform>>) -> Box<dyn TrafficTransform> {
    t.expect("CURVE traffic")
}

/// A frame sealed by `from`, opened by `to`.
fn through(
    from: &mut dyn TrafficTransform,
    to: &mut dyn TrafficTransform,
    flags: FrameFlags,
    data: &[u8],
) -> zmtp_codec::Frame {
    let mut wire = bytes::BytesMut::new();
    from.seal_frame_into(flags, data, &mut wire).unwrap();
    let mut decoder = zmtp_codec::Decoder::new(zmtp_codec::Framing::V3);
    let frame = decoder.decode(&mut wire).unwrap().unwrap();
    to.open_frame(frame.body).unwrap()
}

#[test]
fn full_handshake_without_zap_and_traffic() {
    let (c, s_step) = until_initiate(client(), server(false));
    let s = ready(s_step);
    assert_eq!(s.final_commands.len(), 1);
    let c = ready(c.handle_command(s.final_commands[0].clone()));
    assert_eq!(
        s.peer_properties.get("Socket-Type").unwrap(),
        &b"DEALER"[..]
    );
    assert_eq!(
        c.peer_properties.get("Socket-Type").unwrap(),
        &b"ROUTER"[..]
    );
    let (mut ct, mut st) = (curve(c.transform), curve(s.transform));
    for i in 0..5u8 {
        let frame = through(
            &mut *ct,
            &mut *st,
            FrameFlags::new(i % 2 == 0, false),
            &[i; 100],
        );
        assert_eq!(frame.flags.more(), i % 2 == 0);
        assert_eq!(&frame.body[..], &[i; 100]);
        let frame = through(&mut *st, &mut *ct, FrameFlags::NONE, &[i]);
        assert_eq!(&frame.body[..], &[i]);
    }
}

#[test]
fn zap_gets_client_key_and_adds_user_id() {
    let (c, s_step) = until_initiate(client(), server(true));
    let Ok(Step::NeedZap { handshake, request }) = s_step else {
        panic!("no ZAP")
    };
    assert_eq!(request.mechanism, Mechanism::CURVE);
    assert_eq!(
        request.credentials,
        vec![Bytes::copy_from_slice(&key(CLIENT_PUBLIC))]
    );
    let mut reply = ZapReply::with_status(200);
    reply.user_id = Bytes::from_static(b"client-1");
    let s = ready(handshake.handle_zap_reply(reply));
    assert_eq!(s.peer_properties.get("User-Id").unwrap(), &b"client-1"[..]);
    ready(c.handle_command(s.final_commands[0].clone()));
}

#[test]
fn zap_refusal_sends_error_to_client() {
    let (c, s_step) = until_initiate(client(), server(true));
    let Ok(Step::NeedZap { handshake, .. }) = s_step else {
        panic!("no ZAP")
    };
    let err = handshake
        .handle_zap_reply(ZapReply::with_status(400))
        .unwrap_err();
    let reason = err.error_reason_to_send().unwrap();
    let client_err = c.handle_command(error_command_body(&reason)).unwrap_err();
    assert_eq!(client_err.auth_status(), Some(400));
}

#[test]
fn unknown_server_key_fails_hello_box() {
    let other = SecretKey::generate().unwrap().public_key();
    let mut c = Handshake::curve_client(
        &MechanismConfig::new(SocketType::Dealer),
        client_keys(other),
    )
    .unwrap();
    let err = server(false).handle_command(one(&mut c)).unwrap_err();
    assert!(matches!(err, MechanismError::Cryptographic { .. }));
    assert_eq!(
        err.protocol_error_code(),
        Some(ProtocolErrorCode::ZmtpCryptographic)
    );
}

#[test]
fn malformed_hello_and_initiate() {
    let mut c = client();
    let hello = one(&mut c);
    let short = hello.slice(..199);
    assert_eq!(
        server(false).handle_command(short).unwrap_err(),
        MechanismError::MalformedHello
    );
    let mut v2 = hello.to_vec();
    v2[6] = 2;
    assert_eq!(
        server(false).handle_command(Bytes::from(v2)).unwrap_err(),
        MechanismError::MalformedHello
    );
    let mut tampered = hello.to_vec();
    tampered[150] ^= 1;
    assert!(matches!(
        server(false).handle_command(Bytes::from(tampered)),
        Err(MechanismError::Cryptographic { .. })
    ));
    assert_eq!(
        server(false)
            .handle_command(Bytes::from_static(b"\x08INITIATEx"))
            .unwrap_err(),
        MechanismError::UnexpectedCommand
    );
    // A forged cookie.
    let mut s = cont(server(false).handle_command(hello));
    let welcome = one(&mut s);
    let mut c = cont(c.handle_command(welcome));
    let mut initiate = one(&mut c).to_vec();
    let s2_err = {
        let mut bad = initiate.clone();
        bad[30] ^= 1;
        cont(server(false).handle_command(one(&mut client())))
            .handle_command(Bytes::from(bad))
            .unwrap_err()
    };
    assert!(matches!(s2_err, MechanismError::Cryptographic { .. }));
    initiate.truncate(256);
    assert_eq!(
        s.handle_command(Bytes::from(initiate)).unwrap_err(),
        MechanismError::MalformedInitiate
    );
}

#[test]
fn client_checks_welcome_and_ready() {
    let mut c = client();
    let _ = one(&mut c);
    assert_eq!(
        client()
            .handle_command(Bytes::from_static(b"\x07WELCOMEshort"))
            .unwrap_err(),
        MechanismError::MalformedWelcome
    );
    let mut bogus = b"\x07WELCOME".to_vec();
    bogus.resize(168, 7);
    assert!(matches!(
        c.handle_command(Bytes::from(bogus)),
        Err(MechanismError::Cryptographic { .. })
    ));
    let (c, s_step) = until_initiate(client(), server(false));
    let s = ready(s_step);
    let mut r = s.final_commands[0].to_vec();
    let last = r.len() - 1;
    r[last] ^= 1;
    assert!(matches!(
        c.handle_command(Bytes::from(r)),
        Err(MechanismError::Cryptographic { .. })
    ));
    let err = client()
        .handle_command(error_command_body(b"500"))
        .unwrap_err();
    assert_eq!(err.auth_status(), Some(500));
}
