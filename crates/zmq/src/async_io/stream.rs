//! `Stream` and `Sink` for [`AsyncSocket`] (the `async` feature): whole
//! multipart messages in and out.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_sink::Sink;

use super::{AsyncSocket, ReadyFd};
use crate::error::{Error, Result};
use crate::message::Message;

/// Each item is one whole message. The stream ends when the context
/// terminates (`ETERM`); other errors are items.
impl<R: ReadyFd + Unpin> Stream for AsyncSocket<R> {
    type Item = Result<Vec<Message>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.get_mut().poll_recv_multipart(cx) {
            Poll::Ready(Err(Error::Term)) => Poll::Ready(None),
            Poll::Ready(result) => Poll::Ready(Some(result)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Each item is one whole message (an empty one sends nothing). The sink
/// holds one message at a time: `poll_ready` is ready once the socket took
/// the previous one, all parts or none (see the module's cancellation
/// notes).
impl<R: ReadyFd + Unpin> Sink<Vec<Message>> for AsyncSocket<R> {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_send_staged(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: Vec<Message>) -> Result<()> {
        let this = self.get_mut();
        if !this.staged.is_empty() {
            // `poll_ready` was not called, or not until ready.
            return Err(Error::Again);
        }
        this.staged.extend(item);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_send_staged(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_send_staged(cx)
    }
}

impl<R: ReadyFd> AsyncSocket<R> {
    /// Hands the socket the message the sink holds, and the rest of any
    /// committed message.
    fn poll_send_staged(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let mut staged = std::mem::take(&mut self.staged);
        let polled = self.poll_send_parts(cx, &mut staged);
        self.staged = staged;
        polled
    }
}
