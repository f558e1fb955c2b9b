//! `ThreadSafeSocket`: a socket of a thread-safe (draft) type — CLIENT,
//! SERVER, RADIO, DISH, SCATTER, GATHER, PEER, CHANNEL — that many threads
//! may use at once (`Send + Sync`), as libzmq allows for these types.
//!
//! The [`Socket`] sits behind a mutex. Every call takes the lock for one
//! non-blocking attempt. A call that has to wait releases the lock while
//! it waits, so that other threads can send and receive meanwhile:
//!
//! - one waiting thread at a time polls the socket's command descriptor
//!   (readable while commands wait: a pipe became readable or writable, a
//!   new peer, context shutdown) together with a wake-up descriptor of
//!   the wrapper;
//! - the other waiting threads sleep on a condition variable;
//! - after an attempt that may have changed something (it succeeded,
//!   failed otherwise than with EAGAIN, or applied commands from the
//!   mailbox) the caller bumps a generation counter and wakes them all,
//!   and wakes the polling thread too (the attempt may have applied the
//!   very commands it was waiting for). An attempt that found nothing and
//!   applied nothing wakes no one, so that idle waiters do not wake each
//!   other in turn.
//!
//! Every waiter then retries its own attempt, until it succeeds, fails
//! otherwise, or its deadline (`ZMQ_SNDTIMEO` / `ZMQ_RCVTIMEO`) passes.
//!
//! Pollers ([`crate::poll()`], [`crate::Poller`]) watch the socket's
//! command descriptor too; since another thread's call may take the
//! commands out of the mailbox before the poller sees them, each poller
//! also registers a signaler of its own (`ThreadSafeSocket::watch`),
//! raised after every attempt that may have changed something.

use std::os::fd::AsFd;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use parking_lot::{Condvar, Mutex, MutexGuard};
use zmq_patterns::SocketType;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::poll::PollEvents;
use crate::signaler::Signaler;
use crate::socket::{DONTWAIT, Readiness, Socket, SocketMailbox};

struct Shared {
    socket: Socket,
    /// Bumped after every attempt: waiters retry when it moved.
    generation: u64,
    /// A thread is polling the command descriptor.
    polling: bool,
    /// Signalers of the pollers watching the socket (dead ones are
    /// dropped when found).
    watchers: Vec<Weak<Signaler>>,
}

/// A socket of a thread-safe type, usable from many threads at once.
pub struct ThreadSafeSocket {
    shared: Mutex<Shared>,
    changed: Condvar,
    /// Wakes the thread polling the command descriptor.
    wake: Signaler,
    mailbox: Arc<SocketMailbox>,
}

impl ThreadSafeSocket {
    /// A new socket of `kind` in `ctx`; ENOTSUP for the types that are not
    /// thread-safe.
    pub fn new(ctx: &Context, kind: SocketType) -> Result<ThreadSafeSocket> {
        ThreadSafeSocket::from_socket(ctx.socket(kind)?)
    }

    /// Wraps `socket`; ENOTSUP for the types that are not thread-safe.
    pub fn from_socket(socket: Socket) -> Result<ThreadSafeSocket> {
        if !socket.get_socket_type()?.is_thread_safe() {
            return Err(Error::NotSup);
        }
        Ok(ThreadSafeSocket {
            mailbox: socket.mailbox(),
            shared: Mutex::new(Shared {
                socket,
                generation: 0,
                polling: false,
                watchers: Vec::new(),
            }),
            changed: Condvar::new(),
            wake: Signaler::new()?,
        })
    }

    /// Runs `f` on the socket under the lock: binding, connecting,
    /// options, joining groups. `f` must not block (it holds the lock).
    pub fn with<R>(&self, f: impl FnOnce(&Socket) -> R) -> R {
        let mut shared = self.shared.lock();
        let result = f(&shared.socket);
        self.attempted(&mut shared, true);
        result
    }

    /// The socket type (`ZMQ_TYPE`).
    pub fn get_socket_type(&self) -> Result<SocketType> {
        self.shared.lock().socket.get_socket_type()
    }

    /// `ZMQ_EVENTS`: whether a message can be received or sent now.
    pub fn get_events(&self) -> Result<PollEvents> {
        Ok(self.get_events_for(None)?.into())
    }

    /// [`ThreadSafeSocket::get_events`] for the poller whose signaler is
    /// `checker`: the change this check may make is not signalled to it
    /// (it sees the result).
    pub(crate) fn get_events_for(&self, checker: Option<&Arc<Signaler>>) -> Result<Readiness> {
        let mut shared = self.shared.lock();
        let before = shared.socket.commands_applied();
        let result = shared.socket.readiness();
        let changed = result.is_err() || shared.socket.commands_applied() != before;
        self.attempted_except(&mut shared, changed, checker);
        result
    }

    /// Closes the socket (`zmq_close`), as [`Socket::close`].
    pub fn close(self) {
        self.shared.into_inner().socket.close();
    }

    /// The socket's command descriptor: readable while commands wait.
    pub(crate) fn mailbox(&self) -> &Arc<SocketMailbox> {
        &self.mailbox
    }

    /// Raises `signaler` after every call (from any thread) that may have
    /// changed the socket's state, until the signaler is dropped or
    /// [`ThreadSafeSocket::unwatch`]ed: a poller's wake-up.
    pub(crate) fn watch(&self, signaler: &Arc<Signaler>) {
        let mut shared = self.shared.lock();
        shared.watchers.retain(|w| w.strong_count() > 0);
        shared.watchers.push(Arc::downgrade(signaler));
    }

    /// Stops raising `signaler`.
    pub(crate) fn unwatch(&self, signaler: &Arc<Signaler>) {
        let target = Arc::downgrade(signaler);
        self.shared
            .lock()
            .watchers
            .retain(|w| w.strong_count() > 0 && !w.ptr_eq(&target));
    }

    /// `zmq_bind`.
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        self.with(|s| s.bind(endpoint))
    }

    /// `zmq_connect`.
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        self.with(|s| s.connect(endpoint))
    }

    /// `zmq_join` (DISH).
    pub fn join(&self, group: &[u8]) -> Result<()> {
        self.with(|s| s.join(group))
    }

    /// `zmq_leave` (DISH).
    pub fn leave(&self, group: &[u8]) -> Result<()> {
        self.with(|s| s.leave(group))
    }

    /// `zmq_connect_peer` (PEER).
    pub fn connect_peer(&self, endpoint: &str) -> Result<u32> {
        self.with(|s| s.connect_peer(endpoint))
    }

    /// Sends one single-part message; `flags` takes [`DONTWAIT`].
    pub fn send<T: Into<Message>>(&self, data: T, flags: i32) -> Result<()> {
        self.send_msg(data.into(), flags)
    }

    /// Sends one message, waiting per `flags` and `ZMQ_SNDTIMEO`.
    pub fn send_msg(&self, msg: Message, flags: i32) -> Result<()> {
        let mut pending = Some(msg);
        self.retry(
            flags,
            |s| s.get_sndtimeo(),
            |socket| {
                let Some(msg) = pending.take() else {
                    return Err(Error::Fault);
                };
                socket.try_send_msg(msg, flags).map_err(|(err, back)| {
                    pending = Some(back);
                    err
                })
            },
        )
    }

    /// Receives one message, waiting per `flags` and `ZMQ_RCVTIMEO`.
    pub fn recv_msg(&self, flags: i32) -> Result<Message> {
        self.retry(
            flags,
            |s| s.get_rcvtimeo(),
            |socket| socket.recv_msg(flags | DONTWAIT),
        )
    }

    /// Receives one message as bytes.
    pub fn recv_bytes(&self, flags: i32) -> Result<Vec<u8>> {
        Ok(self.recv_msg(flags)?.to_vec())
    }

    /// Attempts `attempt` (non-blocking) until it does not fail with
    /// EAGAIN, or `flags` has [`DONTWAIT`], or the timeout passes.
    fn retry<T>(
        &self,
        flags: i32,
        timeout_of: impl Fn(&Socket) -> Result<i32>,
        mut attempt: impl FnMut(&Socket) -> Result<T>,
    ) -> Result<T> {
        let mut shared = self.shared.lock();
        let mut deadline: Option<Option<Instant>> = None;
        loop {
            let before = shared.socket.commands_applied();
            let result = attempt(&shared.socket);
            let changed =
                !matches!(result, Err(Error::Again)) || shared.socket.commands_applied() != before;
            self.attempted(&mut shared, changed);
            match result {
                Err(Error::Again) if flags & DONTWAIT == 0 => {}
                other => return other,
            }
            let until = match deadline {
                Some(until) => until,
                None => {
                    let timeout_ms = timeout_of(&shared.socket)?;
                    if timeout_ms == 0 {
                        return Err(Error::Again);
                    }
                    let until = u64::try_from(timeout_ms)
                        .ok()
                        .and_then(|ms| Instant::now().checked_add(Duration::from_millis(ms)));
                    *deadline.insert(until)
                }
            };
            let remaining = match until {
                Some(until) => match until.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Err(Error::Again),
                },
                None => None,
            };
            self.wait(&mut shared, remaining)?;
        }
    }

    /// After an attempt that may have `changed` the socket's state: wake
    /// every waiter so that it retries, and every watching poller.
    fn attempted(&self, shared: &mut Shared, changed: bool) {
        self.attempted_except(shared, changed, None);
    }

    /// [`ThreadSafeSocket::attempted`], not raising `checker`.
    fn attempted_except(
        &self,
        shared: &mut Shared,
        changed: bool,
        checker: Option<&Arc<Signaler>>,
    ) {
        if !changed {
            return;
        }
        shared.generation = shared.generation.wrapping_add(1);
        self.changed.notify_all();
        if shared.polling {
            // The poller's descriptor may have been drained by this very
            // attempt; make it look again.
            let _ = self.wake.send();
        }
        if !shared.watchers.is_empty() {
            shared.watchers.retain(|watcher| match watcher.upgrade() {
                Some(signaler) => {
                    if !checker.is_some_and(|checker| Arc::ptr_eq(checker, &signaler)) {
                        let _ = signaler.send();
                    }
                    true
                }
                None => false,
            });
        }
    }

    /// Waits, without the lock, until something may have changed.
    fn wait(&self, shared: &mut MutexGuard<'_, Shared>, remaining: Option<Duration>) -> Result<()> {
        if shared.polling {
            let seen = shared.generation;
            match remaining {
                Some(left) => {
                    let _ = self.changed.wait_while_for(
                        shared,
                        |s| s.generation == seen && s.polling,
                        left,
                    );
                }
                None => self
                    .changed
                    .wait_while(shared, |s| s.generation == seen && s.polling),
            }
            return Ok(());
        }
        shared.polling = true;
        let polled = MutexGuard::unlocked(shared, || self.poll(remaining));
        shared.polling = false;
        let _ = self.wake.recv();
        // Another thread may take over polling.
        self.changed.notify_all();
        polled
    }

    /// Polls the command descriptor and the wake-up descriptor.
    fn poll(&self, remaining: Option<Duration>) -> Result<()> {
        let timeout = match remaining {
            None => PollTimeout::NONE,
            Some(left) => {
                let millis = left.as_nanos().div_ceil(1_000_000);
                PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX)
            }
        };
        let mut fds = [
            PollFd::new(self.mailbox.as_fd(), PollFlags::POLLIN),
            PollFd::new(self.wake.as_fd(), PollFlags::POLLIN),
        ];
        match poll(&mut fds, timeout) {
            // A signal does not end the wait: libzmq's thread-safe sockets
            // wait on a condition variable, which a signal does not
            // interrupt, so their blocking calls never return EINTR.
            Ok(_) | Err(nix::errno::Errno::EINTR) => Ok(()),
            Err(err) => Err(Error::from_errno(err as i32)),
        }
    }
}

impl std::fmt::Debug for ThreadSafeSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadSafeSocket").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn is_send_and_sync() {
        assert_send_sync::<ThreadSafeSocket>();
    }

    #[test]
    fn refuses_types_that_are_not_thread_safe() {
        let ctx = Context::new();
        assert_eq!(
            ThreadSafeSocket::new(&ctx, SocketType::Dealer).map(|_| ()),
            Err(Error::NotSup)
        );
        assert!(ThreadSafeSocket::new(&ctx, SocketType::Client).is_ok());
    }
}
