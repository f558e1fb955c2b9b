//! [`WsStream`]: a ZMTP byte stream over a WebSocket (over tcp, or over
//! TLS for wss). The engine reads and writes ZMTP; this stream runs the
//! HTTP upgrade, then the [`bridge`](super::bridge) both ways.
//!
//! Writes: encoded bytes the socket did not take stay in `out`, and the
//! input they came from is reported written only once `out` is empty
//! (the engine's queue then keeps those bytes at its front and calls
//! again when the socket is writable, so nothing is left behind unseen).

use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;

use super::WsOptions;
use super::bridge::{Control, Inbound, MaskSource, Outbound};
use super::frame::{OPCODE_CLOSE, OPCODE_PONG};
use super::tls::TlsPipe;
use super::upgrade::{ClientUpgrade, ServerUpgrade, UpgradeError};
use crate::transport::Stream;

/// Raw bytes read per call.
const READ_CHUNK: usize = 64 * 1024;
/// ZMTP bytes encoded per write call.
const WRITE_CHUNK: usize = 64 * 1024;
/// No pong is queued while this many bytes wait for the socket: a peer
/// that pings without reading cannot make us hold more (RFC 6455 lets an
/// endpoint answer only the latest of several pings).
const MAX_UNSENT_FOR_PONG: usize = 64 * 1024;

/// A refusal by the WebSocket layer (upgrade or framing), carried in an
/// `io::Error` of kind `InvalidData`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsProtocolError {
    /// Whether the HTTP upgrade itself failed (no subprotocol yet).
    pub during_upgrade: bool,
    /// What went wrong.
    pub detail: String,
}

impl std::fmt::Display for WsProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "websocket: {}", self.detail)
    }
}

impl std::error::Error for WsProtocolError {}

fn refused(during_upgrade: bool, detail: impl std::fmt::Debug) -> io::Error {
    io::Error::new(
        ErrorKind::InvalidData,
        WsProtocolError {
            during_upgrade,
            detail: format!("{detail:?}"),
        },
    )
}

#[derive(Debug)]
enum Upgrade {
    Client(ClientUpgrade),
    Server(ServerUpgrade),
    Done,
}

/// A ZMTP stream over ws or wss.
#[derive(Debug)]
pub struct WsStream {
    sock: Box<dyn Stream>,
    tls: Option<TlsPipe>,
    local: String,
    peer: String,
    upgrade: Upgrade,
    inbound: Option<Inbound>,
    outbound: Outbound,
    options: WsOptions,
    ws_server: bool,
    /// Encoded bytes for the socket, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    /// Decoded ZMTP bytes for the engine, from `zmtp_pos`.
    zmtp: Vec<u8>,
    zmtp_pos: usize,
    /// Input bytes encoded into `out` but not yet reported written.
    held: usize,
    /// A close frame came and was echoed: end of stream after `zmtp`.
    closing: bool,
    scratch: Vec<u8>,
}

fn rename(endpoint: &str, scheme: &str) -> String {
    match endpoint.strip_prefix("tcp://") {
        Some(rest) => format!("{scheme}://{rest}"),
        None => endpoint.to_owned(),
    }
}

impl WsStream {
    fn new(
        sock: Box<dyn Stream>,
        tls: Option<TlsPipe>,
        options: &WsOptions,
        ws_server: bool,
    ) -> Self {
        let scheme = if tls.is_some() { "wss" } else { "ws" };
        let masks = (!ws_server).then(|| {
            let mut seed = [0u8; 8];
            super::tls::fill_random(&mut seed);
            MaskSource::new(u64::from_le_bytes(seed))
        });
        Self {
            local: rename(sock.local_endpoint(), scheme),
            peer: rename(sock.peer_endpoint(), scheme),
            sock,
            tls,
            upgrade: Upgrade::Done,
            inbound: None,
            outbound: Outbound::new(masks),
            options: options.clone(),
            ws_server,
            out: Vec::new(),
            out_pos: 0,
            zmtp: Vec::new(),
            zmtp_pos: 0,
            held: 0,
            closing: false,
            scratch: vec![0; READ_CHUNK],
        }
    }

    /// The connecting side: sends libzmq's upgrade request for `path` on
    /// `host`.
    pub fn client(
        sock: Box<dyn Stream>,
        tls: Option<TlsPipe>,
        options: &WsOptions,
        host: &str,
        path: &str,
    ) -> Self {
        let mut stream = Self::new(sock, tls, options, false);
        let mut nonce = [0u8; 16];
        super::tls::fill_random(&mut nonce);
        let (upgrade, request) = ClientUpgrade::new(options.mechanism, host, path, nonce);
        stream.upgrade = Upgrade::Client(upgrade);
        stream.out = request;
        let _ = stream.flush_out();
        stream
    }

    /// The accepting side: waits for an upgrade request.
    pub fn server(sock: Box<dyn Stream>, tls: Option<TlsPipe>, options: &WsOptions) -> Self {
        let mut stream = Self::new(sock, tls, options, true);
        stream.upgrade = Upgrade::Server(ServerUpgrade::new(options.mechanism));
        stream
    }

    /// Writes what `out` holds: `Ok(true)` once it (and TLS's own
    /// buffer) is empty.
    fn flush_out(&mut self) -> io::Result<bool> {
        while self.out_pos < self.out.len() {
            let written = match &mut self.tls {
                Some(tls) => {
                    // One write per frame: rustls cuts records there.
                    let ends = &self.outbound.frame_ends;
                    let end = ends
                        .iter()
                        .copied()
                        .find(|&end| end > self.out_pos)
                        .unwrap_or(self.out.len());
                    tls.write(&mut *self.sock, &self.out[self.out_pos..end])
                }
                None => self.sock.write(&self.out[self.out_pos..]),
            };
            match written {
                Ok(0) => return Ok(false),
                Ok(n) => self.out_pos += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        self.out.clear();
        self.out_pos = 0;
        self.outbound.frame_ends.clear();
        match &mut self.tls {
            Some(tls) => tls.flush(&mut *self.sock),
            None => Ok(true),
        }
    }

    fn read_raw(&mut self) -> io::Result<usize> {
        match &mut self.tls {
            Some(tls) => tls.read(&mut *self.sock, &mut self.scratch),
            None => self.sock.read(&mut self.scratch),
        }
    }

    /// Handles `n` raw bytes from `scratch`.
    fn process(&mut self, n: usize) -> io::Result<()> {
        let mut input = &self.scratch[..n];
        if self.zmtp_pos == self.zmtp.len() {
            self.zmtp.clear();
            self.zmtp_pos = 0;
        }
        let chosen = match &mut self.upgrade {
            Upgrade::Done => None,
            Upgrade::Client(client) => {
                let (used, chosen) = client.feed(input).map_err(|e| refused(true, e))?;
                input = &input[used..];
                chosen
            }
            Upgrade::Server(server) => {
                let (used, done) = server
                    .feed(input)
                    .map_err(|e: UpgradeError| refused(true, e))?;
                input = &input[used..];
                done.map(|(chosen, answer)| {
                    self.out.extend_from_slice(&answer);
                    chosen
                })
            }
        };
        if let Some(chosen) = chosen {
            self.upgrade = Upgrade::Done;
            self.outbound.set_protocol(chosen);
            self.inbound = Some(Inbound::new(
                chosen,
                self.ws_server,
                self.options.mechanism_server,
                &self.options.socket_type,
                &mut self.zmtp,
            ));
        }
        let Some(inbound) = &mut self.inbound else {
            return Ok(());
        };
        let mut controls = Vec::new();
        let fed = inbound.feed(input, &mut self.zmtp, &mut controls);
        for control in controls {
            match control {
                Control::Ping(payload) => {
                    let unsent = self.out.len() - self.out_pos + self.outbound.deferred_len();
                    if unsent < MAX_UNSENT_FOR_PONG {
                        self.outbound
                            .put_control(OPCODE_PONG, &payload, &mut self.out);
                    }
                }
                Control::Close(payload) => {
                    if !self.closing {
                        self.outbound
                            .put_control(OPCODE_CLOSE, &payload, &mut self.out);
                    }
                    self.closing = true;
                }
            }
        }
        fed.map_err(|e| refused(false, e))
    }
}

impl Read for WsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let _ = self.flush_out();
            if self.zmtp_pos < self.zmtp.len() {
                let n = buf.len().min(self.zmtp.len() - self.zmtp_pos);
                buf[..n].copy_from_slice(&self.zmtp[self.zmtp_pos..self.zmtp_pos + n]);
                self.zmtp_pos += n;
                return Ok(n);
            }
            if self.closing {
                return Ok(0);
            }
            let n = self.read_raw()?;
            if n == 0 {
                return Ok(0);
            }
            self.process(n)?;
        }
    }
}

impl Write for WsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.flush_out()? {
            return Err(ErrorKind::WouldBlock.into());
        }
        if self.held > 0 {
            let n = self.held.min(buf.len());
            self.held -= n;
            return Ok(n);
        }
        if self.outbound.in_greeting() {
            return Ok(self.outbound.drop_greeting(buf));
        }
        if !matches!(self.upgrade, Upgrade::Done) || self.closing {
            return Err(ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(WRITE_CHUNK);
        self.outbound.feed(&buf[..n], &mut self.out);
        if self.flush_out()? {
            Ok(n)
        } else {
            self.held = n;
            Err(ErrorKind::WouldBlock.into())
        }
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(buf) => self.write(buf),
            None => Ok(0),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsFd for WsStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

impl Stream for WsStream {
    fn peer_address(&self) -> &str {
        self.sock.peer_address()
    }

    fn local_endpoint(&self) -> &str {
        &self.local
    }

    fn peer_endpoint(&self) -> &str {
        &self.peer
    }

    fn has_buffered_input(&self) -> bool {
        self.zmtp_pos < self.zmtp.len() || self.tls.as_ref().is_some_and(TlsPipe::has_plaintext)
    }
}

/// A TLS pipe for a new connection.
pub fn tls_client(
    config: &Arc<rustls::ClientConfig>,
    name: rustls::pki_types::ServerName<'static>,
) -> io::Result<TlsPipe> {
    let conn = rustls::ClientConnection::new(Arc::clone(config), name).map_err(io::Error::other)?;
    Ok(TlsPipe::new(conn.into()))
}

/// A TLS pipe for an accepted connection.
pub fn tls_server(config: &Arc<rustls::ServerConfig>) -> io::Result<TlsPipe> {
    let conn = rustls::ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
    Ok(TlsPipe::new(conn.into()))
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
