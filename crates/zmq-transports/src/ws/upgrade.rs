//! The HTTP/1.1 upgrade that opens a ZWS connection (RFC 6455 §4 with
//! ZWS 2.0's subprotocols), sans-IO: [`ClientUpgrade`] writes libzmq's
//! request and checks the answer; [`ServerUpgrade`] reads a request,
//! picks a subprotocol and writes the `101` answer.
//!
//! As libzmq: header names up to 1024 bytes and values up to 2048; no
//! `Origin` or `Sec-WebSocket-Version` is required; a refused request is
//! answered by closing the connection. Stricter than libzmq (RFC 6455
//! says a client MUST): the client checks `Sec-WebSocket-Accept`. The
//! whole header block is capped at [`MAX_HEADER_BLOCK`] bytes (libzmq
//! caps each field but not their number).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// The most bytes a request or answer's header block may take.
pub const MAX_HEADER_BLOCK: usize = 16 * 1024;
/// libzmq's `MAX_HEADER_NAME_LENGTH`.
pub const MAX_HEADER_NAME: usize = 1024;
/// libzmq's `MAX_HEADER_VALUE_LENGTH`.
pub const MAX_HEADER_VALUE: usize = 2048;
/// RFC 6455's GUID appended to the key before hashing.
const ACCEPT_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The security mechanism a socket uses, which decides the subprotocols
/// it offers and accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WsMechanism {
    /// `ZMQ_NULL`: offers `ZWS2.0/NULL,ZWS2.0`.
    #[default]
    Null,
    /// `ZMQ_PLAIN`: `ZWS2.0/PLAIN`.
    Plain,
    /// `ZMQ_CURVE`: `ZWS2.0/CURVE`.
    Curve,
    /// A mechanism ZWS has no subprotocol for (GSSAPI): it offers
    /// `ZWS2.0/GSSAPI`, which no server accepts, and accepts nothing
    /// (libzmq asserts).
    Unsupported,
}

/// A ZWS 2.0 subprotocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subprotocol {
    /// `ZWS2.0`: no mechanism; the first message is the routing id.
    Bare,
    /// `ZWS2.0/NULL`.
    Null,
    /// `ZWS2.0/PLAIN`.
    Plain,
    /// `ZWS2.0/CURVE`.
    Curve,
}

impl Subprotocol {
    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bare => "ZWS2.0",
            Self::Null => "ZWS2.0/NULL",
            Self::Plain => "ZWS2.0/PLAIN",
            Self::Curve => "ZWS2.0/CURVE",
        }
    }

    /// The subprotocol `name` is, if `mechanism` speaks it (libzmq's
    /// `select_protocol`).
    pub fn select(mechanism: WsMechanism, name: &str) -> Option<Self> {
        match (mechanism, name) {
            (WsMechanism::Null, "ZWS2.0/NULL") => Some(Self::Null),
            (WsMechanism::Null, "ZWS2.0") => Some(Self::Bare),
            (WsMechanism::Plain, "ZWS2.0/PLAIN") => Some(Self::Plain),
            (WsMechanism::Curve, "ZWS2.0/CURVE") => Some(Self::Curve),
            _ => None,
        }
    }

    /// What a client with `mechanism` offers, as libzmq.
    pub fn offer(mechanism: WsMechanism) -> &'static str {
        match mechanism {
            WsMechanism::Null => "ZWS2.0/NULL,ZWS2.0",
            WsMechanism::Plain => "ZWS2.0/PLAIN",
            WsMechanism::Curve => "ZWS2.0/CURVE",
            WsMechanism::Unsupported => "ZWS2.0/GSSAPI",
        }
    }
}

/// Why an upgrade failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpgradeError {
    /// The header block is longer than [`MAX_HEADER_BLOCK`], or a field
    /// longer than libzmq allows.
    TooLong,
    /// Not an HTTP/1.1 request or answer of the expected form.
    Malformed(&'static str),
    /// A required header is missing or wrong.
    Refused(&'static str),
    /// No offered subprotocol suits the mechanism.
    NoSubprotocol,
}

/// A parsed header block: the start line and the `(name, value)` fields.
type Parsed<'a> = (&'a str, Vec<(&'a str, &'a str)>);
/// What a server's `feed` returns: bytes taken, and once done the chosen
/// subprotocol with the answer to send.
type ServerProgress = (usize, Option<(Subprotocol, Vec<u8>)>);

/// The `Sec-WebSocket-Accept` value for `key`.
pub fn accept_key(key: &str) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(key.as_bytes());
    sha.update(ACCEPT_GUID.as_bytes());
    BASE64.encode(sha.digest().bytes())
}

/// Collects a header block until its blank line.
#[derive(Debug, Default)]
struct HeaderBlock {
    bytes: Vec<u8>,
}

impl HeaderBlock {
    /// Takes bytes up to the end of the block: how many, and whether the
    /// block is complete.
    fn feed(&mut self, input: &[u8]) -> Result<(usize, bool), UpgradeError> {
        for (i, &byte) in input.iter().enumerate() {
            if self.bytes.len() >= MAX_HEADER_BLOCK {
                return Err(UpgradeError::TooLong);
            }
            self.bytes.push(byte);
            if self.bytes.ends_with(b"\r\n\r\n") {
                return Ok((i + 1, true));
            }
        }
        Ok((input.len(), false))
    }

    /// The start line and the header fields.
    fn parse(&self) -> Result<Parsed<'_>, UpgradeError> {
        let text = std::str::from_utf8(&self.bytes[..self.bytes.len() - 4])
            .map_err(|_| UpgradeError::Malformed("not UTF-8"))?;
        let mut lines = text.split("\r\n");
        let start = lines.next().unwrap_or_default();
        let mut fields = Vec::new();
        for line in lines {
            if line.contains(['\r', '\n']) {
                return Err(UpgradeError::Malformed("bare CR or LF"));
            }
            let (name, value) = line
                .split_once(':')
                .ok_or(UpgradeError::Malformed("header without ':'"))?;
            let value = value.trim_matches([' ', '\t']);
            if name.is_empty() || name.len() > MAX_HEADER_NAME || value.len() > MAX_HEADER_VALUE {
                return Err(UpgradeError::TooLong);
            }
            fields.push((name, value));
        }
        Ok((start, fields))
    }
}

/// Whether a comma-separated header value holds `token`.
fn has_token(value: &str, token: &str) -> bool {
    value
        .split(',')
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// The client side: the request to send, then the answer to check.
#[derive(Debug)]
pub struct ClientUpgrade {
    mechanism: WsMechanism,
    expected_accept: String,
    block: HeaderBlock,
}

impl ClientUpgrade {
    /// Starts an upgrade for `path` on `host` with a 16-byte `nonce`;
    /// returns it and the request bytes to send (libzmq's request).
    pub fn new(mechanism: WsMechanism, host: &str, path: &str, nonce: [u8; 16]) -> (Self, Vec<u8>) {
        let key = BASE64.encode(nonce);
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n\
             Sec-WebSocket-Protocol: {}\r\nSec-WebSocket-Version: 13\r\n\r\n",
            Subprotocol::offer(mechanism)
        );
        let upgrade = Self {
            mechanism,
            expected_accept: accept_key(&key),
            block: HeaderBlock::default(),
        };
        (upgrade, request.into_bytes())
    }

    /// Feeds answer bytes: how many were taken, and the chosen
    /// subprotocol once the answer is complete and accepted.
    pub fn feed(&mut self, input: &[u8]) -> Result<(usize, Option<Subprotocol>), UpgradeError> {
        let (used, done) = self.block.feed(input)?;
        if !done {
            return Ok((used, None));
        }
        let (status, fields) = self.block.parse()?;
        let mut parts = status.split(' ').filter(|p| !p.is_empty());
        if parts.next() != Some("HTTP/1.1") || parts.next() != Some("101") {
            return Err(UpgradeError::Refused("status is not HTTP/1.1 101"));
        }
        let (mut upgrade, mut connection, mut accept, mut protocol) = (false, false, false, None);
        for (name, value) in fields {
            if name.eq_ignore_ascii_case("upgrade") {
                upgrade = value.eq_ignore_ascii_case("websocket");
            } else if name.eq_ignore_ascii_case("connection") {
                connection = has_token(value, "upgrade");
            } else if name.eq_ignore_ascii_case("sec-websocket-accept") {
                accept = value == self.expected_accept;
            } else if name.eq_ignore_ascii_case("sec-websocket-protocol") {
                if protocol.is_some() {
                    return Err(UpgradeError::Refused("two subprotocols"));
                }
                protocol = Some(
                    Subprotocol::select(self.mechanism, value)
                        .ok_or(UpgradeError::NoSubprotocol)?,
                );
            }
        }
        if !upgrade || !connection {
            return Err(UpgradeError::Refused(
                "no Upgrade: websocket / Connection: Upgrade",
            ));
        }
        if !accept {
            return Err(UpgradeError::Refused(
                "wrong or missing Sec-WebSocket-Accept",
            ));
        }
        protocol
            .map(|p| (used, Some(p)))
            .ok_or(UpgradeError::NoSubprotocol)
    }
}

/// The server side: reads the request, answers it.
#[derive(Debug)]
pub struct ServerUpgrade {
    mechanism: WsMechanism,
    block: HeaderBlock,
}

impl ServerUpgrade {
    /// Waits for a request, to be served with `mechanism`.
    pub fn new(mechanism: WsMechanism) -> Self {
        Self {
            mechanism,
            block: HeaderBlock::default(),
        }
    }

    /// Feeds request bytes: how many were taken, and once the request is
    /// complete and accepted, the chosen subprotocol with the answer to
    /// send.
    pub fn feed(&mut self, input: &[u8]) -> Result<ServerProgress, UpgradeError> {
        if self.block.bytes.is_empty() && input.first().is_some_and(|&b| b != b'G') {
            return Err(UpgradeError::Malformed("not a GET request"));
        }
        let (used, done) = self.block.feed(input)?;
        if !done {
            return Ok((used, None));
        }
        let (request, fields) = self.block.parse()?;
        let parts: Vec<&str> = request.split(' ').filter(|p| !p.is_empty()).collect();
        if parts.len() != 3 || parts[0] != "GET" || parts[2] != "HTTP/1.1" {
            return Err(UpgradeError::Malformed(
                "request line is not GET <path> HTTP/1.1",
            ));
        }
        let (mut upgrade, mut connection, mut key, mut protocol) = (false, false, None, None);
        for (name, value) in fields {
            if name.eq_ignore_ascii_case("upgrade") {
                upgrade = value.eq_ignore_ascii_case("websocket");
            } else if name.eq_ignore_ascii_case("connection") {
                connection = has_token(value, "upgrade");
            } else if name.eq_ignore_ascii_case("sec-websocket-key") {
                key = Some(value);
            } else if name.eq_ignore_ascii_case("sec-websocket-protocol") && protocol.is_none() {
                // Several headers or a list: the first one we speak wins.
                protocol = value
                    .split(',')
                    .find_map(|p| Subprotocol::select(self.mechanism, p.trim()));
            }
        }
        if !upgrade || !connection {
            return Err(UpgradeError::Refused(
                "no Upgrade: websocket / Connection: Upgrade",
            ));
        }
        let key = key
            .filter(|k| !k.is_empty())
            .ok_or(UpgradeError::Refused("no Sec-WebSocket-Key"))?;
        let protocol = protocol.ok_or(UpgradeError::NoSubprotocol)?;
        let answer = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\
             Sec-WebSocket-Protocol: {}\r\n\r\n",
            accept_key(key),
            protocol.name()
        );
        Ok((used, Some((protocol, answer.into_bytes()))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_key_matches_rfc_6455_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    fn handshake(client: WsMechanism, server: WsMechanism) -> Result<Subprotocol, UpgradeError> {
        let (mut c, request) = ClientUpgrade::new(client, "example.com", "/zmq", [7; 16]);
        let mut s = ServerUpgrade::new(server);
        // Byte by byte: a request split anywhere is the same.
        let mut answer = None;
        for byte in &request {
            let (used, done) = s.feed(std::slice::from_ref(byte))?;
            assert_eq!(used, 1);
            if let Some(done) = done {
                answer = Some(done);
            }
        }
        let (chosen, answer) = answer.expect("complete");
        let (used, got) = c.feed(&answer)?;
        assert_eq!(used, answer.len());
        assert_eq!(got, Some(chosen));
        Ok(chosen)
    }

    #[test]
    fn each_mechanism_agrees_with_itself_only() {
        assert_eq!(
            handshake(WsMechanism::Null, WsMechanism::Null),
            Ok(Subprotocol::Null)
        );
        assert_eq!(
            handshake(WsMechanism::Plain, WsMechanism::Plain),
            Ok(Subprotocol::Plain)
        );
        assert_eq!(
            handshake(WsMechanism::Curve, WsMechanism::Curve),
            Ok(Subprotocol::Curve)
        );
        assert_eq!(
            handshake(WsMechanism::Null, WsMechanism::Curve),
            Err(UpgradeError::NoSubprotocol)
        );
    }

    #[test]
    fn server_takes_the_first_protocol_it_speaks_and_stops_at_the_blank_line() {
        let request = b"GET / HTTP/1.1\r\nupgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n\
            Sec-WebSocket-Key: abc\r\nSec-WebSocket-Protocol: chat, ZWS2.0 , ZWS2.0/NULL\r\n\r\nREST";
        let (used, done) = ServerUpgrade::new(WsMechanism::Null).feed(request).unwrap();
        assert_eq!(used, request.len() - 4);
        let (protocol, answer) = done.unwrap();
        assert_eq!(protocol, Subprotocol::Bare);
        let text = String::from_utf8(answer).unwrap();
        assert!(text.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
        assert!(text.contains("Sec-WebSocket-Protocol: ZWS2.0\r\n"));
    }

    #[test]
    fn refusals() {
        let feed = |r: &[u8]| ServerUpgrade::new(WsMechanism::Null).feed(r).map(|_| ());
        assert!(feed(b"POST / HTTP/1.1\r\n\r\n").is_err());
        assert!(feed(b"GET / HTTP/1.0\r\n\r\n").is_err());
        let no_key = b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
            Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n";
        assert_eq!(
            feed(no_key),
            Err(UpgradeError::Refused("no Sec-WebSocket-Key"))
        );
        let long_value = format!(
            "GET / HTTP/1.1\r\nX: {}\r\n\r\n",
            "v".repeat(MAX_HEADER_VALUE + 1)
        );
        assert_eq!(feed(long_value.as_bytes()), Err(UpgradeError::TooLong));
        let endless = vec![b'G'; MAX_HEADER_BLOCK + 1];
        assert_eq!(feed(&endless), Err(UpgradeError::TooLong));
    }

    #[test]
    fn client_checks_the_accept_key() {
        let (mut c, _) = ClientUpgrade::new(WsMechanism::Null, "h", "/", [1; 16]);
        let answer =
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
            Sec-WebSocket-Accept: wrong\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n";
        assert!(matches!(c.feed(answer), Err(UpgradeError::Refused(_))));
    }
}
