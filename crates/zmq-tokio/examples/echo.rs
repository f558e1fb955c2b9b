//! An echo server on tokio: a ROUTER socket that sends every message back
//! to the peer it came from.
//!
//! ```sh
//! cargo run -p zmq-tokio --example echo -- tcp://127.0.0.1:5555
//! ```
//!
//! Any DEALER or REQ client gets back what it sends. Each request is
//! answered in its own task: a slow client holds up no one.

use zmq_tokio::Socket;

/// Echoes messages on `socket` (a ROUTER) until `limit` messages were
/// echoed (`None`: for ever) or the context terminates.
pub async fn serve(mut socket: Socket, limit: Option<usize>) -> zmq::Result<usize> {
    let mut echoed = 0;
    while limit.is_none_or(|limit| echoed < limit) {
        // [peer routing id, (empty delimiter for REQ peers), body...]:
        // sent back as is, it goes to the same peer.
        let message = match socket.recv_multipart().await {
            Ok(message) => message,
            Err(zmq::Error::Term) => break,
            Err(err) => return Err(err),
        };
        socket.send_multipart(message).await?;
        echoed += 1;
    }
    Ok(echoed)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tcp://127.0.0.1:5555".into());
    let ctx = zmq::Context::new();
    let socket = Socket::new(&ctx, zmq::ROUTER)?;
    socket.bind(&endpoint)?;
    println!(
        "echo server on {}",
        socket.get_last_endpoint()?.unwrap_or(endpoint)
    );
    serve(socket, None).await?;
    Ok(())
}
