//! `ListenerHandler`: a bound listener on an I/O thread. It accepts every
//! pending connection when readable and starts an accepted [`Session`] for
//! each, on the same reactor; closing it stops accepting, closes the
//! descriptor (and unlinks an ipc socket file) and closes those sessions.
//!
//! ```text
//!  start ──► Listening ──Close──► sessions closed, removed
//!               │ a handler panics
//!               ▼
//!            Failed (descriptor closed, ZMQ_EVENT_CLOSED) ──Close──► sessions closed, removed
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use zmq_transports::{Listener, Stream};

use super::peer_session::Session;
use super::stream_engine::StreamEngine;
use super::{SocketLink, start_on_first_turn};
use crate::io::IoCommand;
use crate::monitor;
use crate::reactor::{EventHandler, HandlerId, Interest, Reactor, TimerId};

/// Connections accepted per readable event before other handlers run.
const ACCEPTS_PER_TURN: usize = 64;
/// Pause after an accept failed for lack of resources (EMFILE, ENFILE,
/// ENOBUFS, ENOMEM), so the loop does not spin on a readable listener.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

type R = Reactor<IoCommand>;

/// A listener and the sessions it accepted.
pub(super) struct ListenerHandler {
    link: SocketLink,
    /// The bound listener; `None` once it failed (a handler panicked).
    listener: Option<Box<dyn Listener>>,
    endpoint: Arc<str>,
    /// Accepted sessions (some may have ended; pruned as it grows).
    sessions: Vec<HandlerId>,
    /// Prune `sessions` when it reaches this length.
    prune_at: usize,
    backoff_timer: Option<TimerId>,
    started: bool,
    closed: bool,
}

impl ListenerHandler {
    pub(super) fn new(
        link: SocketLink,
        listener: Box<dyn Listener>,
        endpoint: Arc<str>,
    ) -> ListenerHandler {
        ListenerHandler {
            link,
            listener: Some(listener),
            endpoint,
            sessions: Vec::new(),
            prune_at: 16,
            backoff_timer: None,
            started: false,
            closed: false,
        }
    }

    /// Adds a listener to `reactor`; it starts on the reactor's next turn.
    pub(super) fn add(reactor: &mut R, listener: ListenerHandler) -> HandlerId {
        let id = reactor.add_handler(Box::new(listener));
        start_on_first_turn(reactor, id);
        id
    }

    /// Starts polling the listener (`ZMQ_EVENT_LISTENING`).
    fn start(&mut self, r: &mut R, id: HandlerId) {
        self.started = true;
        let Some(listener) = &self.listener else {
            return;
        };
        // SAFETY: the descriptor belongs to `self.listener`, owned by this
        // handler and only dropped by `stop_listening`, which deregisters
        // it first; removing the handler deregisters it before the handler
        // (and so the listener) is dropped.
        let registered = unsafe { r.register_fd(id, listener.as_fd(), Interest::READ) };
        if registered.is_err() {
            self.close(r, id, 0);
        }
    }

    fn accept_pending(&mut self, r: &mut R, id: HandlerId) {
        for _ in 0..ACCEPTS_PER_TURN {
            let Some(listener) = &mut self.listener else {
                return;
            };
            match listener.accept() {
                Ok(Some(stream)) => self.accepted(r, stream),
                Ok(None) => return,
                Err(error) if out_of_resources(error.errno()) => {
                    self.event(monitor::EVENT_ACCEPT_FAILED, error.errno() as u64);
                    self.accept_failed_for_resources(r, id);
                    return;
                }
                // The connection went away before it was accepted, or an
                // ipc filter refused the peer: next one.
                Err(error) => self.event(monitor::EVENT_ACCEPT_FAILED, error.errno() as u64),
            }
        }
    }

    /// A new connection (`ZMQ_EVENT_ACCEPTED`): its session runs on.
    fn accepted(&mut self, r: &mut R, stream: Box<dyn Stream>) {
        #[cfg(test)]
        if self.endpoint.contains(TEST_PANIC_ENDPOINT) && !self.sessions.is_empty() {
            panic!("test hook: a listener handler panics");
        }
        self.link.event(
            monitor::EVENT_ACCEPTED,
            stream.raw_fd() as u64,
            &self.endpoint,
            stream.peer_endpoint(),
            true,
        );
        let Some(engine) = StreamEngine::new(stream, &self.link, true, Instant::now()) else {
            return;
        };
        let session = Session::accepted(self.link.clone(), Arc::clone(&self.endpoint), engine);
        if self.sessions.len() >= self.prune_at {
            self.sessions.retain(|&session| r.contains(session));
            self.prune_at = (self.sessions.len() * 2).max(16);
        }
        self.sessions.push(Session::add(r, session));
    }

    /// `ZMQ_EVENT_ACCEPT_FAILED` for lack of descriptors or memory: stop
    /// polling for a while.
    fn accept_failed_for_resources(&mut self, r: &mut R, id: HandlerId) {
        if r.set_interest(id, Interest::NONE).is_ok() {
            self.backoff_timer = Some(r.add_timer(id, ACCEPT_BACKOFF));
        }
    }

    /// Stops accepting: the descriptor is deregistered and closed
    /// (`ZMQ_EVENT_CLOSED`, once).
    fn stop_listening(&mut self, r: &mut R, id: HandlerId) {
        if let Some(timer) = self.backoff_timer.take() {
            r.cancel_timer(timer);
        }
        let Some(listener) = self.listener.take() else {
            return;
        };
        let _ = r.deregister_fd(id);
        self.event(monitor::EVENT_CLOSED, listener.raw_fd() as u64);
        drop(listener);
    }

    /// Stops accepting (`ZMQ_EVENT_CLOSED`) and closes every accepted
    /// session with `linger`.
    fn close(&mut self, r: &mut R, id: HandlerId, linger: i32) {
        self.closed = true;
        self.stop_listening(r, id);
        let handle = r.handle();
        for session in self.sessions.drain(..) {
            handle.deliver(session, IoCommand::Close { linger });
        }
        r.remove_handler(id);
    }
}

impl EventHandler<IoCommand> for ListenerHandler {
    fn on_readable(&mut self, r: &mut R, id: HandlerId) {
        if !self.closed {
            self.accept_pending(r, id);
        }
    }

    fn on_timer(&mut self, r: &mut R, id: HandlerId, timer: TimerId) {
        if self.closed {
            return;
        }
        if !self.started {
            self.start(r, id);
        } else if self.backoff_timer == Some(timer) {
            self.backoff_timer = None;
            if r.set_interest(id, Interest::READ).is_err() {
                self.close(r, id, 0);
            }
        }
    }

    fn on_command(&mut self, r: &mut R, id: HandlerId, command: IoCommand) {
        if self.closed {
            return;
        }
        if let IoCommand::Close { linger } = command {
            self.close(r, id, linger);
        }
    }

    fn on_panicked(&mut self, r: &mut R, id: HandlerId) -> bool {
        // The endpoint stops accepting as a listener that closes does in
        // libzmq (`ZMQ_EVENT_CLOSED` with its descriptor). The handler
        // stays, without descriptor, so that unbind or close still closes
        // the sessions it accepted; those go on meanwhile.
        if self.closed {
            return false;
        }
        self.stop_listening(r, id);
        true
    }
}

/// Unit tests only: a listener whose endpoint contains this text panics
/// in its I/O-thread handler on its second accept.
#[cfg(test)]
pub(crate) const TEST_PANIC_ENDPOINT: &str = "zmq-rs-test-panicking-listener";

/// Whether an accept errno means "no resources now, try later".
fn out_of_resources(errno: i32) -> bool {
    matches!(
        errno,
        libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM
    )
}

impl ListenerHandler {
    /// Reports a monitor event about the bound endpoint.
    fn event(&self, event: u64, value: u64) {
        self.link.event(event, value, &self.endpoint, "", true);
    }
}
