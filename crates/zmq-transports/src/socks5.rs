//! A SOCKS5 client for tcp connects (`ZMQ_SOCKS_PROXY`): RFC 1928
//! greeting and CONNECT (IPv4, IPv6 or a domain name, which the proxy
//! resolves), with RFC 1929 user name / password authentication when
//! `ZMQ_SOCKS_USERNAME` is set.
//!
//! ```text
//!  connecting ──writable──► greeting ──► method ──(0x02)──► auth ──► auth reply
//!                                          │(0x00)                      │ ok
//!                                          └──────────► CONNECT ◄───────┘
//!                                                          │
//!                                                       reply ok ──► stream
//! ```
//! Every step is non-blocking: [`Connecting::finish`] advances as far as
//! the socket allows and hands itself back while the proxy has not
//! answered yet.

use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::os::fd::{AsFd, BorrowedFd};

use socket2::Socket;

use crate::error::{TransportError, TransportErrorKind, TransportResult};
use crate::socket_stream::SocketStream;
use crate::tcp_address::{TcpHost, TcpHostPort};
use crate::transport::{ConnectProgress, Connecting};

const VERSION: u8 = 5;
const METHOD_NONE: u8 = 0x00;
const METHOD_USER_PASSWORD: u8 = 0x02;
const METHOD_REFUSED: u8 = 0xff;
const AUTH_VERSION: u8 = 1;
const CMD_CONNECT: u8 = 1;
const ATYP_IPV4: u8 = 1;
const ATYP_DOMAIN: u8 = 3;
const ATYP_IPV6: u8 = 4;
/// The longest user name, password or domain name SOCKS5 can carry.
pub const MAX_FIELD_LEN: usize = 255;

/// The proxy to use and how to log in (`ZMQ_SOCKS_PROXY`,
/// `ZMQ_SOCKS_USERNAME`, `ZMQ_SOCKS_PASSWORD`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SocksProxy {
    /// The proxy as `host:port`.
    pub address: String,
    /// User name; empty selects "no authentication".
    pub username: String,
    /// Password (with a user name only).
    pub password: String,
}

/// Where the SOCKS handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The tcp connect to the proxy is in progress.
    Connecting,
    /// Waiting for the chosen method (2 bytes).
    Method,
    /// Waiting for the user name / password verdict (2 bytes).
    AuthReply,
    /// Waiting for the CONNECT reply header (5 bytes).
    ReplyHead,
    /// Waiting for the rest of the CONNECT reply (`n` bytes).
    ReplyTail(usize),
}

/// A tcp connect through a SOCKS5 proxy, in progress.
#[derive(Debug)]
pub struct SocksConnect {
    socket: Socket,
    proxy: SocksProxy,
    target: TcpHostPort,
    step: Step,
    /// Bytes still to send.
    outgoing: Vec<u8>,
    /// Bytes received towards the current step.
    incoming: Vec<u8>,
}

impl SocksConnect {
    /// Wraps a socket whose connect to the proxy was started; the
    /// handshake will ask the proxy for `target`.
    pub(crate) fn new(
        socket: Socket,
        proxy: SocksProxy,
        target: TcpHostPort,
    ) -> TransportResult<Self> {
        if proxy.username.len() > MAX_FIELD_LEN || proxy.password.len() > MAX_FIELD_LEN {
            return Err(TransportError::invalid(
                "SOCKS credentials longer than 255 bytes",
            ));
        }
        if let TcpHost::Name(name) = &target.host
            && (name.is_empty() || name.len() > MAX_FIELD_LEN)
        {
            return Err(TransportError::invalid(
                "SOCKS domain name longer than 255 bytes",
            ));
        }
        Ok(Self {
            socket,
            proxy,
            target,
            step: Step::Connecting,
            outgoing: Vec::new(),
            incoming: Vec::new(),
        })
    }

    fn greeting(&self) -> Vec<u8> {
        if self.proxy.username.is_empty() {
            vec![VERSION, 1, METHOD_NONE]
        } else {
            vec![VERSION, 2, METHOD_NONE, METHOD_USER_PASSWORD]
        }
    }

    fn auth_request(&self) -> Vec<u8> {
        let (user, password) = (
            self.proxy.username.as_bytes(),
            self.proxy.password.as_bytes(),
        );
        let mut request = Vec::with_capacity(3 + user.len() + password.len());
        request.push(AUTH_VERSION);
        request.push(field_len(user));
        request.extend_from_slice(user);
        request.push(field_len(password));
        request.extend_from_slice(password);
        request
    }

    fn connect_request(&self) -> Vec<u8> {
        let mut request = vec![VERSION, CMD_CONNECT, 0];
        match &self.target.host {
            TcpHost::Ip {
                ip: IpAddr::V4(v4), ..
            } => {
                request.push(ATYP_IPV4);
                request.extend_from_slice(&v4.octets());
            }
            TcpHost::Ip {
                ip: IpAddr::V6(v6), ..
            } => {
                request.push(ATYP_IPV6);
                request.extend_from_slice(&v6.octets());
            }
            TcpHost::Name(name) => {
                request.push(ATYP_DOMAIN);
                request.push(field_len(name.as_bytes()));
                request.extend_from_slice(name.as_bytes());
            }
            TcpHost::Any => request.extend_from_slice(&[ATYP_IPV4, 0, 0, 0, 0]),
        }
        request.extend_from_slice(&self.target.port.number().to_be_bytes());
        request
    }

    /// Sends what is pending; false when the socket is full.
    fn flush(&mut self) -> io::Result<bool> {
        while !self.outgoing.is_empty() {
            match (&self.socket).write(&self.outgoing) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => drop(self.outgoing.drain(..n.min(self.outgoing.len()))),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Reads until `incoming` holds `want` bytes, never more (what follows
    /// the reply belongs to the peer); false when no more data is there.
    fn fill(&mut self, want: usize) -> io::Result<bool> {
        let mut buffer = [0u8; 64];
        while self.incoming.len() < want {
            let room = want.saturating_sub(self.incoming.len()).min(buffer.len());
            let Some(chunk) = buffer.get_mut(..room) else {
                return Ok(false);
            };
            match (&self.socket).read(chunk) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => self
                    .incoming
                    .extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Takes the `n` received bytes of the finished step.
    fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.incoming)
    }

    /// Advances; `Ok(true)` when the proxy has connected us.
    fn advance(&mut self) -> TransportResult<bool> {
        loop {
            if !self.flush()? {
                return Ok(false);
            }
            let want = match self.step {
                Step::Connecting => {
                    match self.socket.take_error() {
                        Ok(Some(error)) | Err(error) => return Err(error.into()),
                        Ok(None) => {}
                    }
                    match self.socket.peer_addr() {
                        Ok(_) => {}
                        Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => return Ok(false),
                        Err(e) => return Err(e.into()),
                    }
                    self.outgoing = self.greeting();
                    self.step = Step::Method;
                    continue;
                }
                Step::Method | Step::AuthReply => 2,
                Step::ReplyHead => 5,
                Step::ReplyTail(n) => n,
            };
            if !self.fill(want)? {
                return Ok(false);
            }
            let received = self.take();
            match (self.step, received.as_slice()) {
                (Step::Method, [VERSION, METHOD_NONE]) => {
                    self.outgoing = self.connect_request();
                    self.step = Step::ReplyHead;
                }
                (Step::Method, [VERSION, METHOD_USER_PASSWORD])
                    if !self.proxy.username.is_empty() =>
                {
                    self.outgoing = self.auth_request();
                    self.step = Step::AuthReply;
                }
                (Step::Method, [VERSION, METHOD_REFUSED]) => {
                    return Err(refused("the SOCKS proxy accepts none of our methods"));
                }
                (Step::AuthReply, [AUTH_VERSION, 0]) => {
                    self.outgoing = self.connect_request();
                    self.step = Step::ReplyHead;
                }
                (Step::AuthReply, [AUTH_VERSION, _]) => {
                    return Err(refused("the SOCKS proxy refused our credentials"));
                }
                (Step::ReplyHead, [VERSION, 0, 0, atyp, first]) => {
                    // The bound address and port follow; skip them.
                    let rest = match *atyp {
                        ATYP_IPV4 => 4 - 1 + 2,
                        ATYP_IPV6 => 16 - 1 + 2,
                        ATYP_DOMAIN => usize::from(*first) + 2,
                        _ => return Err(protocol("unknown SOCKS address type")),
                    };
                    self.step = Step::ReplyTail(rest);
                }
                (Step::ReplyHead, [VERSION, code, ..]) => {
                    return Err(refused(&format!(
                        "the SOCKS proxy failed the CONNECT: {code}"
                    )));
                }
                (Step::ReplyTail(_), _) => return Ok(true),
                _ => return Err(protocol("malformed SOCKS reply")),
            }
        }
    }
}

fn field_len(field: &[u8]) -> u8 {
    u8::try_from(field.len()).unwrap_or(u8::MAX)
}

fn refused(detail: &str) -> TransportError {
    TransportError::new(TransportErrorKind::ConnectionRefused, detail)
}

fn protocol(detail: &str) -> TransportError {
    TransportError::new(TransportErrorKind::Os(libc::EPROTO), detail)
}

impl AsFd for SocksConnect {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Connecting for SocksConnect {
    fn finish(mut self: Box<Self>) -> TransportResult<ConnectProgress> {
        if self.advance()? {
            return Ok(ConnectProgress::Connected(Box::new(SocketStream::tcp(
                self.socket,
            ))));
        }
        Ok(ConnectProgress::InProgress(self))
    }

    fn wants_readable(&self) -> bool {
        self.outgoing.is_empty() && self.step != Step::Connecting
    }
}

#[cfg(test)]
mod tests;
