//! A transport of the application's own, through the public `zmq` API
//! only: `xor://` is tcp with every byte XORed with a key (a stand-in
//! for any framing or encryption a transport may add below ZMTP). It is
//! registered on a context and carries REQ/REP and PUB/SUB; a plain tcp
//! reader sees the scrambled greeting, and a plain tcp peer cannot talk
//! to it.

use std::io::{self, IoSlice, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;
use std::time::Duration;

use zmq::transport::{
    ConnectProgress, Connecting, Listener, Stream, TcpTransport, Transport, TransportOptions,
    TransportResult,
};
use zmq::{Context, Error, SocketType};

const KEY: u8 = 0x5a;

fn scramble(bytes: &mut [u8]) {
    for byte in bytes {
        *byte ^= KEY;
    }
}

/// `xor://host:port`: tcp underneath.
#[derive(Debug)]
struct XorTransport;

impl Transport for XorTransport {
    fn scheme(&self) -> &str {
        "xor"
    }

    fn check_connect_address(&self, address: &str) -> TransportResult<()> {
        TcpTransport.check_connect_address(address)
    }

    fn bind(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Listener>> {
        let inner = TcpTransport.bind(address, options)?;
        // Name the listener with our scheme, so that ZMQ_LAST_ENDPOINT
        // can be connected to as it is.
        let endpoint = inner.endpoint().replacen("tcp://", "xor://", 1);
        Ok(Box::new(XorListener { inner, endpoint }))
    }

    fn connect(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>> {
        Ok(Box::new(XorConnecting(
            TcpTransport.connect(address, options)?,
        )))
    }
}

#[derive(Debug)]
struct XorListener {
    inner: Box<dyn Listener>,
    endpoint: String,
}

impl AsFd for XorListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl Listener for XorListener {
    fn accept(&mut self) -> TransportResult<Option<Box<dyn Stream>>> {
        Ok(self.inner.accept()?.map(XorStream::boxed))
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

#[derive(Debug)]
struct XorConnecting(Box<dyn Connecting>);

impl AsFd for XorConnecting {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl Connecting for XorConnecting {
    fn finish(self: Box<Self>) -> TransportResult<ConnectProgress> {
        Ok(match self.0.finish()? {
            ConnectProgress::Connected(stream) => {
                ConnectProgress::Connected(XorStream::boxed(stream))
            }
            ConnectProgress::InProgress(still) => {
                ConnectProgress::InProgress(Box::new(XorConnecting(still)))
            }
        })
    }

    fn wants_readable(&self) -> bool {
        self.0.wants_readable()
    }

    fn started_in_progress(&self) -> bool {
        self.0.started_in_progress()
    }
}

/// The byte stream: reads unscramble, writes scramble. A XOR with a
/// fixed key is per byte, so short writes need no state. It keeps the
/// default `direct_read_fd` (None): the engine must read through us.
#[derive(Debug)]
struct XorStream {
    inner: Box<dyn Stream>,
    local: String,
    peer: String,
}

impl XorStream {
    fn boxed(inner: Box<dyn Stream>) -> Box<dyn Stream> {
        let local = inner.local_endpoint().replacen("tcp://", "xor://", 1);
        let peer = inner.peer_endpoint().replacen("tcp://", "xor://", 1);
        Box::new(XorStream { inner, local, peer })
    }
}

impl Read for XorStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        scramble(&mut buf[..n]);
        Ok(n)
    }
}

impl Write for XorStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut scrambled = buf.to_vec();
        scramble(&mut scrambled);
        self.inner.write(&scrambled)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut scrambled: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
        scramble(&mut scrambled);
        self.inner.write(&scrambled)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl AsFd for XorStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl Stream for XorStream {
    fn peer_address(&self) -> &str {
        self.inner.peer_address()
    }

    fn local_endpoint(&self) -> &str {
        &self.local
    }

    fn peer_endpoint(&self) -> &str {
        &self.peer
    }
}

fn context() -> Context {
    let ctx = Context::new();
    assert!(ctx.register_transport(Arc::new(XorTransport)).is_none());
    ctx
}

fn socket(ctx: &Context, kind: SocketType) -> zmq::Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s.set_linger(0).unwrap();
    s
}

#[test]
fn unknown_until_registered() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Rep).unwrap();
    assert_eq!(s.bind("xor://127.0.0.1:*"), Err(Error::ProtoNoSupport));
    assert!(ctx.transport("xor").is_none());
    assert!(ctx.register_transport(Arc::new(XorTransport)).is_none());
    assert_eq!(
        ctx.transport("xor")
            .map(|t| t.scheme().to_owned())
            .as_deref(),
        Some("xor")
    );
    s.bind("xor://127.0.0.1:*").unwrap();
    // Registering again replaces (and returns) the first.
    assert!(ctx.register_transport(Arc::new(XorTransport)).is_some());
    // The transport's own syntax check runs at connect.
    assert_eq!(s.connect("xor://no-port"), Err(Error::Inval));
}

#[test]
fn req_rep_over_a_user_transport() {
    let ctx = context();
    let rep = socket(&ctx, SocketType::Rep);
    rep.bind("xor://127.0.0.1:*").unwrap();
    let endpoint = rep.get_last_endpoint().unwrap().unwrap();
    assert!(endpoint.starts_with("xor://127.0.0.1:"), "{endpoint}");
    let req = socket(&ctx, SocketType::Req);
    req.connect(&endpoint).unwrap();
    for i in 0..100u32 {
        let body = vec![i as u8; (i as usize) * 37];
        req.send(&body, 0).unwrap();
        assert_eq!(rep.recv_bytes(0).unwrap(), body);
        rep.send(&i.to_le_bytes(), 0).unwrap();
        assert_eq!(req.recv_bytes(0).unwrap(), i.to_le_bytes());
    }
    // Large messages cross in many reads and writes.
    let big = vec![0xa5u8; 1 << 20];
    req.send(&big, 0).unwrap();
    assert_eq!(rep.recv_bytes(0).unwrap(), big);
}

#[test]
fn pub_sub_over_a_user_transport() {
    let ctx = context();
    let publisher = socket(&ctx, SocketType::Pub);
    publisher.bind("xor://127.0.0.1:*").unwrap();
    let endpoint = publisher.get_last_endpoint().unwrap().unwrap();
    let subscriber = socket(&ctx, SocketType::Sub);
    subscriber.set_subscribe(b"news").unwrap();
    subscriber.connect(&endpoint).unwrap();
    // The subscription travels asynchronously: publish until one arrives.
    subscriber.set_rcvtimeo(50).unwrap();
    let mut got = None;
    for _ in 0..200 {
        publisher.send("news: first", 0).unwrap();
        publisher.send("sports: skipped", 0).unwrap();
        if let Ok(message) = subscriber.recv_bytes(0) {
            got = Some(message);
            break;
        }
    }
    assert_eq!(got.as_deref(), Some(&b"news: first"[..]));
    subscriber.set_rcvtimeo(5000).unwrap();
    publisher.send("sports: skipped", 0).unwrap();
    publisher.send("news: second", 0).unwrap();
    // Drain repeats of the first until the second shows the filter held.
    loop {
        let message = subscriber.recv_bytes(0).unwrap();
        assert!(message.starts_with(b"news: "), "{message:?}");
        if message == b"news: second" {
            break;
        }
    }
}

#[test]
fn the_wire_really_is_scrambled() {
    let ctx = context();
    let rep = socket(&ctx, SocketType::Rep);
    rep.bind("xor://127.0.0.1:*").unwrap();
    let endpoint = rep.get_last_endpoint().unwrap().unwrap();
    let address = endpoint.trim_start_matches("xor://").to_owned();
    // A raw tcp reader sees the ZMTP signature (0xff ... 0x7f) XORed.
    let mut raw = std::net::TcpStream::connect(&address).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut signature = [0u8; 10];
    raw.read_exact(&mut signature).unwrap();
    assert_eq!(signature[0], 0xff ^ KEY);
    assert_eq!(signature[9], 0x7f ^ KEY);
    // A plain tcp ZeroMQ peer cannot talk to it.
    let req = socket(&ctx, SocketType::Req);
    req.connect(&format!("tcp://{address}")).unwrap();
    req.send("hello", 0).unwrap();
    rep.set_rcvtimeo(200).unwrap();
    assert_eq!(rep.recv_bytes(0), Err(Error::Again));
}
