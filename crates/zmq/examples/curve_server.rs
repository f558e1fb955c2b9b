//! A CURVE server with client authentication: the server knows its own
//! key pair; the crate's `Authenticator` (a ZAP handler) admits only the
//! client public keys it was given. An allowed client gets its answer; a
//! client with another key pair never completes the handshake.
//!
//! `cargo run --example curve_server -p zmq`

use zmq::auth::Authenticator;
use zmq::{Context, POLLIN, Socket, SocketType};

pub fn main() -> Result<(), zmq::Error> {
    let ctx = Context::new();
    // Keys in Z85 text, as `zmq keygen` prints them.
    let (server_public, server_secret) = zmq::curve_keypair().map_err(|_| zmq::Error::Inval)?;
    let (client_public, client_secret) = zmq::curve_keypair().map_err(|_| zmq::Error::Inval)?;

    // The ZAP handler runs on its own thread until dropped.
    let auth = Authenticator::start(&ctx)?;
    auth.configure_curve([&client_public]);

    let server = ctx.socket(SocketType::Rep)?;
    server.set_curve_server(true)?;
    server.set_curve_secretkey(server_secret.as_bytes())?;
    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.get_last_endpoint()?.unwrap_or_default();

    // Each client knows the server's public key and has its own pair.
    let client = |public: &str, secret: &str| -> Result<Socket, zmq::Error> {
        let socket = ctx.socket(SocketType::Req)?;
        socket.set_linger(0)?;
        socket.set_curve_serverkey(server_public.as_bytes())?;
        socket.set_curve_publickey(public.as_bytes())?;
        socket.set_curve_secretkey(secret.as_bytes())?;
        socket.connect(&endpoint)?;
        Ok(socket)
    };

    let (stranger_public, stranger_secret) = zmq::curve_keypair().map_err(|_| zmq::Error::Inval)?;
    let stranger = client(&stranger_public, &stranger_secret)?;
    stranger.send("let me in", 0)?;

    let allowed = client(&client_public, &client_secret)?;
    allowed.send("hello, securely", 0)?;
    let request = server.recv_string(0)?.unwrap_or_default();
    println!("server: received {request:?} over CURVE");
    server.send("welcome", 0)?;
    println!(
        "allowed client: {:?}",
        allowed.recv_string(0)?.unwrap_or_default()
    );

    // The stranger's request never reaches the server.
    let refused = stranger.poll(POLLIN, 300)? == 0 && server.poll(POLLIN, 0)? == 0;
    println!("stranger: {}", if refused { "refused" } else { "ANSWERED" });
    assert!(refused, "a client with an unknown key got through");

    drop((stranger, allowed, server));
    auth.stop();
    ctx.term()
}
