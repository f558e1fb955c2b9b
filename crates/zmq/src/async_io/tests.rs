use std::os::fd::{BorrowedFd, RawFd};
use std::time::{Duration, Instant};

use super::*;
use crate::{Context as ZmqContext, PULL, PUSH};

/// Blocks in poll(2) for up to five seconds: enough for a test's
/// executor, which polls one future on its own thread.
struct Blocking(RawFd);

impl ReadyFd for Blocking {
    fn poll_readable(
        &mut self,
        _cx: &mut Context<'_>,
        attempt: &mut dyn FnMut() -> bool,
    ) -> Poll<io::Result<()>> {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            // SAFETY: the socket, which owns the descriptor, outlives
            // this call.
            let fd = unsafe { BorrowedFd::borrow_raw(self.0) };
            let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
            poll(&mut fds, PollTimeout::from(100u16))?;
            if attempt() {
                return Poll::Ready(Ok(()));
            }
            if Instant::now() > deadline {
                return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
            }
        }
    }
}

/// Never ready: a future polled through it stays pending.
struct Never;

impl ReadyFd for Never {
    fn poll_readable(
        &mut self,
        _cx: &mut Context<'_>,
        _attempt: &mut dyn FnMut() -> bool,
    ) -> Poll<io::Result<()>> {
        Poll::Pending
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn poll_once<F: std::future::Future>(future: F) -> Poll<F::Output> {
    let mut future = std::pin::pin!(future);
    future
        .as_mut()
        .poll(&mut Context::from_waker(std::task::Waker::noop()))
}

fn pair(ctx: &ZmqContext, name: &str) -> (Socket, Socket) {
    let push = ctx.socket(PUSH).expect("push");
    let pull = ctx.socket(PULL).expect("pull");
    let endpoint = format!("inproc://async-{name}");
    pull.bind(&endpoint).expect("bind");
    push.connect(&endpoint).expect("connect");
    (push, pull)
}

fn blocking(socket: Socket) -> AsyncSocket<Blocking> {
    let fd = socket.get_fd().expect("fd");
    AsyncSocket::new(socket, Blocking(fd))
}

#[test]
fn sends_and_receives_parts_and_messages() {
    let ctx = ZmqContext::new();
    let (push, pull) = pair(&ctx, "parts");
    let (mut push, mut pull) = (blocking(push), blocking(pull));
    block_on(push.send("one")).expect("send");
    block_on(push.send_multipart(["a", "b", "c"])).expect("send");
    block_on(push.send_multipart(Vec::<Message>::new())).expect("nothing");
    assert_eq!(&block_on(pull.recv()).expect("recv")[..], b"one");
    let parts = block_on(pull.recv_multipart()).expect("recv");
    let parts: Vec<&[u8]> = parts.iter().map(|p| &p[..]).collect();
    assert_eq!(parts, [b"a", b"b", b"c"]);
}

#[test]
fn a_dropped_receive_loses_nothing() {
    let ctx = ZmqContext::new();
    let (push, pull) = pair(&ctx, "dropped-recv");
    let mut pull = AsyncSocket::new(pull, Never);
    assert!(poll_once(pull.recv()).is_pending());
    assert!(poll_once(pull.recv_multipart()).is_pending());
    push.send_multipart(["x", "y"], 0).expect("send");
    // One part through a single-part receive, then the rest.
    let Poll::Ready(Ok(first)) = poll_once(pull.recv()) else {
        panic!("the first part waits");
    };
    assert!(first.get_more());
    let Poll::Ready(Ok(rest)) = poll_once(pull.recv_multipart()) else {
        panic!("the last part waits");
    };
    assert_eq!(rest.len(), 1);
    assert_eq!(&rest[0][..], b"y");
}

#[test]
fn a_send_that_cannot_go_sends_nothing() {
    let ctx = ZmqContext::new();
    let push = ctx.socket(PUSH).expect("push");
    // No peer: PUSH cannot send.
    let mut push = AsyncSocket::new(push, Never);
    assert!(poll_once(push.send_multipart(["a", "b"])).is_pending());
    assert!(push.outbox.is_empty());
    // A peer arrives; a new message goes whole, the dropped one never.
    let pull = ctx.socket(PULL).expect("pull");
    pull.bind("inproc://async-nothing").expect("bind");
    push.connect("inproc://async-nothing").expect("connect");
    let Poll::Ready(Ok(())) = poll_once(push.send_multipart(["c", "d"])) else {
        panic!("a peer takes it");
    };
    assert_eq!(pull.recv_multipart(0).expect("recv"), [b"c", b"d"]);
    assert_eq!(pull.recv_msg(crate::DONTWAIT).err(), Some(Error::Again));
}
