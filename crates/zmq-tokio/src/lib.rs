//! Async ZeroMQ sockets on tokio.
//!
//! [`Socket`] wraps a [`zmq::Socket`] and watches its `ZMQ_FD` with
//! tokio's [`AsyncFd`], through the executor-agnostic layer
//! [`zmq::async_io`]: `send`, `recv`, their multipart forms, and
//! `Stream`/`Sink` of whole messages. Every future is cancellation-safe:
//! a dropped receive loses no message, a dropped send sent every part or
//! none (details in [`zmq::async_io`]).
//!
//! ```no_run
//! # async fn demo() -> zmq::Result<()> {
//! let ctx = zmq::Context::new();
//! let mut rep = zmq_tokio::Socket::new(&ctx, zmq::REP)?;
//! rep.bind("tcp://127.0.0.1:5555")?;
//! loop {
//!     let request = rep.recv_multipart().await?;
//!     rep.send_multipart(request).await?;
//! }
//! # }
//! ```
//!
//! A socket must be made inside a tokio runtime (its descriptor joins that
//! runtime's reactor). It is `Send`: a task may own it on any runtime
//! flavour; operations take `&mut self`, one at a time, as ZeroMQ
//! sockets are used from one thread at a time.
#![deny(missing_docs)]

use std::io;
use std::ops::{Deref, DerefMut};
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use futures_sink::Sink;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use zmq::async_io::{
    AsyncSocket, ReadyFd, RecvFuture, RecvMultipartFuture, SendFuture, SendMultipartFuture,
};
use zmq::{Message, SocketType};

/// A socket's `ZMQ_FD` as tokio registers it; the socket owns and closes
/// the descriptor.
#[derive(Debug)]
struct MailboxFd(RawFd);

impl AsRawFd for MailboxFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// [`ReadyFd`] on tokio: the socket's `ZMQ_FD` in tokio's reactor.
#[derive(Debug)]
pub struct TokioFd(AsyncFd<MailboxFd>);

impl TokioFd {
    /// Registers `socket`'s `ZMQ_FD` with the current tokio runtime.
    /// Fails outside a runtime. Private: only [`Socket`] makes one, next
    /// to the socket that owns the descriptor.
    fn new(socket: &zmq::Socket) -> io::Result<TokioFd> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(io::Error::other("zmq_tokio: no tokio runtime here"));
        }
        let fd = socket.get_fd().map_err(io::Error::from)?;
        // SAFETY: `fd` is the socket's mailbox eventfd, open as long as
        // the socket and never replaced while it lives. The one `TokioFd`
        // for it lives inside the `AsyncSocket` that owns the socket, and
        // that struct drops it (field order) before the socket.
        let registered =
            unsafe { AsyncFd::register_with_interest(MailboxFd(fd), Interest::READABLE) };
        Ok(TokioFd(registered?))
    }
}

impl ReadyFd for TokioFd {
    fn poll_readable(
        &mut self,
        cx: &mut Context<'_>,
        attempt: &mut dyn FnMut() -> bool,
    ) -> Poll<io::Result<()>> {
        loop {
            let mut guard = ready!(self.0.poll_read_ready(cx))?;
            if attempt() {
                return Poll::Ready(Ok(()));
            }
            // The attempt applied every waiting command, which quiets the
            // descriptor; a later command writes to it again, a new edge.
            // (A command that came in between has already set a newer
            // readiness, which this guard does not clear.)
            guard.clear_ready();
        }
    }
}

/// An async ZeroMQ socket on tokio.
///
/// It dereferences to [`zmq::async_io::AsyncSocket`] (async `send`,
/// `recv`, `send_multipart`, `recv_multipart`), which dereferences to the
/// [`zmq::Socket`] (bind, connect, options).
#[derive(Debug)]
pub struct Socket {
    inner: AsyncSocket<TokioFd>,
}

impl Socket {
    /// A new socket of `kind` in `ctx`, watched by the current runtime.
    pub fn new(ctx: &zmq::Context, kind: SocketType) -> zmq::Result<Socket> {
        Socket::from_socket(ctx.socket(kind)?)
    }

    /// Wraps an existing socket, watched by the current runtime.
    pub fn from_socket(socket: zmq::Socket) -> zmq::Result<Socket> {
        let ready = TokioFd::new(&socket)?;
        Ok(Socket {
            inner: AsyncSocket::new(socket, ready),
        })
    }

    // The async operations again as inherent methods: they take
    // precedence over `SinkExt::send` and `StreamExt` names when those
    // traits are in scope.

    /// Receives one message part ([`AsyncSocket::recv`]).
    pub fn recv(&mut self) -> RecvFuture<'_, TokioFd> {
        self.inner.recv()
    }

    /// Receives every part of one message
    /// ([`AsyncSocket::recv_multipart`]).
    pub fn recv_multipart(&mut self) -> RecvMultipartFuture<'_, TokioFd> {
        self.inner.recv_multipart()
    }

    /// Sends a one-part message ([`AsyncSocket::send`]).
    pub fn send(&mut self, data: impl Into<Message>) -> SendFuture<'_, TokioFd> {
        self.inner.send(data)
    }

    /// Sends one multipart message, all parts or none
    /// ([`AsyncSocket::send_multipart`]).
    pub fn send_multipart<I, T>(&mut self, parts: I) -> SendMultipartFuture<'_, TokioFd>
    where
        I: IntoIterator<Item = T>,
        T: Into<Message>,
    {
        self.inner.send_multipart(parts)
    }
}

impl Deref for Socket {
    type Target = AsyncSocket<TokioFd>;
    fn deref(&self) -> &AsyncSocket<TokioFd> {
        &self.inner
    }
}

impl DerefMut for Socket {
    fn deref_mut(&mut self) -> &mut AsyncSocket<TokioFd> {
        &mut self.inner
    }
}

/// Whole messages in; ends when the context terminates.
impl Stream for Socket {
    type Item = zmq::Result<Vec<Message>>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.get_mut().inner).poll_next(cx)
    }
}

/// Whole messages out, each all or nothing.
impl Sink<Vec<Message>> for Socket {
    type Error = zmq::Error;
    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<zmq::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_ready(cx)
    }
    fn start_send(self: Pin<&mut Self>, item: Vec<Message>) -> zmq::Result<()> {
        Pin::new(&mut self.get_mut().inner).start_send(item)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<zmq::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<zmq::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}
