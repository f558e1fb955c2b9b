//! The futures [`AsyncSocket`]'s methods return.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{AsyncSocket, ReadyFd};
use crate::error::Result;
use crate::message::Message;

/// Receives one message part ([`AsyncSocket::recv`]). Dropping it loses
/// nothing.
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct RecvFuture<'a, R> {
    socket: &'a mut AsyncSocket<R>,
}

impl<'a, R: ReadyFd> RecvFuture<'a, R> {
    pub(super) fn new(socket: &'a mut AsyncSocket<R>) -> Self {
        RecvFuture { socket }
    }
}

impl<R: ReadyFd> Future for RecvFuture<'_, R> {
    type Output = Result<Message>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().socket.poll_recv(cx)
    }
}

/// Receives every part of one message ([`AsyncSocket::recv_multipart`]).
/// Dropping it loses nothing: parts already taken wait in the socket.
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct RecvMultipartFuture<'a, R> {
    socket: &'a mut AsyncSocket<R>,
}

impl<'a, R: ReadyFd> RecvMultipartFuture<'a, R> {
    pub(super) fn new(socket: &'a mut AsyncSocket<R>) -> Self {
        RecvMultipartFuture { socket }
    }
}

impl<R: ReadyFd> Future for RecvMultipartFuture<'_, R> {
    type Output = Result<Vec<Message>>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().socket.poll_recv_multipart(cx)
    }
}

/// Sends one part ([`AsyncSocket::send`]). Dropped before it completes,
/// it sent nothing.
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct SendFuture<'a, R> {
    inner: SendMultipartFuture<'a, R>,
}

impl<'a, R: ReadyFd> SendFuture<'a, R> {
    pub(super) fn new(socket: &'a mut AsyncSocket<R>, msg: Message) -> Self {
        SendFuture {
            inner: SendMultipartFuture::new(socket, VecDeque::from([msg])),
        }
    }
}

impl<R: ReadyFd> Future for SendFuture<'_, R> {
    type Output = Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.get_mut().inner).poll(cx)
    }
}

/// Sends one multipart message ([`AsyncSocket::send_multipart`]): the
/// parts wait here until the socket takes the first, then all go.
/// Dropped before it completes, it sent every part or none.
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct SendMultipartFuture<'a, R> {
    socket: &'a mut AsyncSocket<R>,
    parts: VecDeque<Message>,
    /// Whether the socket took the first part.
    committed: bool,
}

impl<'a, R: ReadyFd> SendMultipartFuture<'a, R> {
    pub(super) fn new(socket: &'a mut AsyncSocket<R>, parts: VecDeque<Message>) -> Self {
        SendMultipartFuture {
            socket,
            parts,
            committed: false,
        }
    }
}

impl<R: ReadyFd> Future for SendMultipartFuture<'_, R> {
    type Output = Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.committed {
            // The first part went on an earlier poll: only the rest of
            // the message, which the socket holds, is left to hand over.
            return this.socket.poll_flush_outbox(cx);
        }
        let polled = this.socket.poll_send_parts(cx, &mut this.parts);
        if this.parts.is_empty() {
            this.committed = true;
        }
        polled
    }
}
