//! Async sockets for any executor: futures for `send`, `recv` and their
//! multipart forms, and (with the `async` feature) `Stream`/`Sink`.
//!
//! # How waiting works
//!
//! A socket's `ZMQ_FD` ([`Socket::get_fd`]) is its command mailbox's
//! eventfd: it becomes readable when a command arrives that may change
//! what the socket can do (a message came in, a full pipe drained). An
//! [`AsyncSocket`] tries each operation without blocking; when it would
//! block, it asks a [`ReadyFd`] — the executor's reactor — to run the
//! attempt again each time that descriptor becomes readable. An attempt
//! that would block again means the socket applied every waiting command
//! (which quiets the descriptor), so the reactor forgets the readiness and
//! waits for the next edge: a command that arrives later writes to the
//! eventfd again. Retrying the operation itself, rather than reading
//! `ZMQ_EVENTS`, also covers sockets whose `ZMQ_EVENTS` says `POLLOUT`
//! while the one peer a message is for is full (ROUTER with
//! `ZMQ_ROUTER_MANDATORY`): they wait for the next command instead of
//! spinning.
//!
//! The level-triggered descriptor ([`Socket::readiness_fd`] with `true`)
//! covers receiving only, so the async layer waits on `ZMQ_FD`, which
//! covers both directions.
//!
//! Why a trait and not a waker thread: an adapter registers the
//! descriptor with the executor's own reactor (tokio's `AsyncFd`,
//! `async-io`'s `Async`), so a wake-up costs no extra thread, no extra
//! context switch and no extra descriptor; the core crate keeps no
//! runtime and no thread of its own. `zmq-tokio` is such an adapter.
//!
//! # Cancellation
//!
//! Every future here may be dropped at any await point:
//!
//! - a dropped receive loses no message: parts are taken from the socket
//!   only inside `poll`, and the parts of a multipart message taken so
//!   far stay in the [`AsyncSocket`] for its next receive;
//! - a dropped send has sent every part or none. Parts wait in the
//!   future until the socket takes the first one; from then on the
//!   message is committed. ZeroMQ sockets take the remaining parts of a
//!   message at once (the high-water mark counts whole messages, and a
//!   peer lost mid-message drops the rest, as libzmq), so the whole
//!   message goes within that one `poll`. Should a later part still be
//!   refused for now, it waits in the [`AsyncSocket`] and goes before
//!   anything else sent on it (on the next send or flush): the message
//!   is never cut, never interleaved.

mod futures;
#[cfg(feature = "async")]
mod stream;

use std::collections::VecDeque;
use std::io;
use std::task::{Context, Poll};

pub use self::futures::{RecvFuture, RecvMultipartFuture, SendFuture, SendMultipartFuture};
use crate::error::{Error, Result};
use crate::message::Message;
use crate::socket::{SNDMORE, Socket};

/// The executor's side: "wake me when this descriptor becomes readable".
///
/// An implementation watches one descriptor, the socket's `ZMQ_FD`
/// ([`Socket::get_fd`]), for readability (edge or level triggered).
pub trait ReadyFd {
    /// Runs `attempt` each time the descriptor may be readable, until it
    /// returns `true` (then `Ready(Ok(()))`).
    ///
    /// When `attempt` returns `false`, the readiness it was called on is
    /// used up: forget it and wait for the descriptor to become readable
    /// again; before returning `Pending`, arrange for `cx`'s waker to be
    /// woken when it does. Spurious calls of `attempt` are harmless. An
    /// error means the descriptor cannot be watched.
    fn poll_readable(
        &mut self,
        cx: &mut Context<'_>,
        attempt: &mut dyn FnMut() -> bool,
    ) -> Poll<io::Result<()>>;
}

impl<R: ReadyFd + ?Sized> ReadyFd for Box<R> {
    fn poll_readable(
        &mut self,
        cx: &mut Context<'_>,
        attempt: &mut dyn FnMut() -> bool,
    ) -> Poll<io::Result<()>> {
        (**self).poll_readable(cx, attempt)
    }
}

/// A [`Socket`] with async operations, waiting through `R`.
///
/// It dereferences to the [`Socket`] for binding, connecting and options.
/// Receive through the async methods only: parts of a message that a
/// dropped future took wait here (see the module's cancellation notes).
pub struct AsyncSocket<R> {
    // Declared first: dropped (deregistered) before the socket closes
    // its descriptor.
    ready: R,
    socket: Socket,
    /// Parts of a message being received, taken by a receive that has not
    /// returned them yet.
    inbox: VecDeque<Message>,
    /// The rest of a committed message the socket has not taken yet.
    outbox: VecDeque<Message>,
    /// What the `Sink` was given and has not handed to the socket yet.
    #[cfg_attr(not(feature = "async"), allow(dead_code))]
    staged: VecDeque<Message>,
}

impl<R: ReadyFd> AsyncSocket<R> {
    /// Wraps `socket`; `ready` watches its `ZMQ_FD` ([`Socket::get_fd`]).
    pub fn new(socket: Socket, ready: R) -> AsyncSocket<R> {
        AsyncSocket {
            ready,
            socket,
            inbox: VecDeque::new(),
            outbox: VecDeque::new(),
            staged: VecDeque::new(),
        }
    }

    /// The socket.
    pub fn get_ref(&self) -> &Socket {
        &self.socket
    }

    /// The reactor's handle.
    pub fn ready_fd(&self) -> &R {
        &self.ready
    }

    /// Receives one message part.
    pub fn recv(&mut self) -> RecvFuture<'_, R> {
        RecvFuture::new(self)
    }

    /// Receives every part of one message.
    pub fn recv_multipart(&mut self) -> RecvMultipartFuture<'_, R> {
        RecvMultipartFuture::new(self)
    }

    /// Sends `data` as a one-part message (or the last part of one begun
    /// with the blocking API's `SNDMORE`).
    pub fn send(&mut self, data: impl Into<Message>) -> SendFuture<'_, R> {
        SendFuture::new(self, data.into())
    }

    /// Sends every item of `parts` as one multipart message, all or
    /// nothing (see the module's cancellation notes). No parts: nothing
    /// is sent.
    pub fn send_multipart<I, T>(&mut self, parts: I) -> SendMultipartFuture<'_, R>
    where
        I: IntoIterator<Item = T>,
        T: Into<Message>,
    {
        SendMultipartFuture::new(self, parts.into_iter().map(Into::into).collect())
    }

    /// Polls for one message part.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Message>> {
        if let Some(part) = self.inbox.pop_front() {
            return Poll::Ready(Ok(part));
        }
        self.poll_io(cx, |socket| match socket.recv_msg(crate::DONTWAIT) {
            Err(Error::Again) => None,
            other => Some(other),
        })
    }

    /// Polls for a whole message. Parts taken before a `Pending` stay in
    /// the socket for the next call.
    pub fn poll_recv_multipart(&mut self, cx: &mut Context<'_>) -> Poll<Result<Vec<Message>>> {
        loop {
            if let Some(last) = self.inbox.back()
                && !last.get_more()
            {
                return Poll::Ready(Ok(self.inbox.drain(..).collect()));
            }
            let part = match self.poll_io(cx, |socket| match socket.recv_msg(crate::DONTWAIT) {
                Err(Error::Again) => None,
                other => Some(other),
            }) {
                Poll::Ready(Ok(part)) => part,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            };
            self.inbox.push_back(part);
        }
    }

    /// Polls to send `parts` as one message: `Pending` leaves them all in
    /// `parts` (nothing sent); once the first part went, the others go or
    /// wait in the socket's own queue, and `parts` is empty.
    pub fn poll_send_parts(
        &mut self,
        cx: &mut Context<'_>,
        parts: &mut VecDeque<Message>,
    ) -> Poll<Result<()>> {
        match self.poll_flush_outbox(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        let Some(first) = parts.pop_front() else {
            return Poll::Ready(Ok(()));
        };
        let more = if parts.is_empty() { 0 } else { SNDMORE };
        let mut first = Some(first);
        let sent = self.poll_io(cx, |socket| {
            let part = first.take()?;
            match socket.try_send_msg(part, more) {
                Ok(()) => Some(Ok(())),
                Err((Error::Again, back)) => {
                    first = Some(back);
                    None
                }
                Err((err, _)) => Some(Err(err)),
            }
        });
        match sent {
            Poll::Ready(Ok(())) => {
                self.outbox.append(parts);
                self.poll_flush_outbox(cx)
            }
            Poll::Ready(Err(err)) => {
                parts.clear();
                Poll::Ready(Err(err))
            }
            Poll::Pending => {
                if let Some(part) = first {
                    parts.push_front(part);
                }
                Poll::Pending
            }
        }
    }

    /// Hands the socket the rest of a committed message.
    fn poll_flush_outbox(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        while let Some(part) = self.outbox.pop_front() {
            let more = if self.outbox.is_empty() { 0 } else { SNDMORE };
            let mut part = Some(part);
            let sent = self.poll_io(cx, |socket| {
                let msg = part.take()?;
                match socket.try_send_msg(msg, more) {
                    Ok(()) => Some(Ok(())),
                    Err((Error::Again, back)) => {
                        part = Some(back);
                        None
                    }
                    Err((err, _)) => Some(Err(err)),
                }
            });
            match sent {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(err)) => {
                    // The socket refused the message (closed, terminated):
                    // the rest of it cannot go.
                    self.outbox.clear();
                    return Poll::Ready(Err(err));
                }
                Poll::Pending => {
                    if let Some(msg) = part {
                        self.outbox.push_front(msg);
                    }
                    return Poll::Pending;
                }
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Runs `attempt` now, then on each readiness of the descriptor, until
    /// it gives a result (`None`: it would block).
    fn poll_io<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut attempt: impl FnMut(&Socket) -> Option<Result<T>>,
    ) -> Poll<Result<T>> {
        let socket = &self.socket;
        if let Some(result) = attempt(socket) {
            return Poll::Ready(result);
        }
        let mut outcome = None;
        let mut once = || {
            if outcome.is_none() {
                outcome = attempt(socket);
            }
            outcome.is_some()
        };
        match self.ready.poll_readable(cx, &mut once) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(err)) => Poll::Ready(Err(Error::from(err))),
            // `Ready(Ok)` only once `attempt` gave a result; a reactor
            // breaking that contract gets EAGAIN rather than a panic.
            Poll::Ready(Ok(())) => Poll::Ready(outcome.unwrap_or(Err(Error::Again))),
        }
    }
}

impl<R> std::ops::Deref for AsyncSocket<R> {
    type Target = Socket;
    fn deref(&self) -> &Socket {
        &self.socket
    }
}

impl<R> std::fmt::Debug for AsyncSocket<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncSocket")
            .field("socket", &self.socket)
            .field("inbox", &self.inbox.len())
            .field("outbox", &self.outbox.len())
            .finish()
    }
}

impl<R> Drop for AsyncSocket<R> {
    /// The rest of a committed message gets one more chance to go; what
    /// the socket still refuses is dropped, as a close drops a message it
    /// has only part of.
    fn drop(&mut self) {
        while let Some(part) = self.outbox.pop_front() {
            let more = if self.outbox.is_empty() { 0 } else { SNDMORE };
            if self.socket.try_send_msg(part, more).is_err() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests;
