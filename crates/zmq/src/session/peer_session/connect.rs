//! The connecter's life cycle: connect, connect timeout, reconnect with
//! backoff.

use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use zmq_transports::{ConnectProgress, Connecting, Stream};

use super::{Life, Origin, R, Session, Wire};
use crate::monitor;
use crate::options;
use crate::reactor::{HandlerId, Interest};
use crate::session::stream_engine::StreamEngine;
use crate::session::transport_options_for;

impl Session {
    pub(super) fn start_connecting(&mut self, r: &mut R, id: HandlerId) {
        let Origin::Connecter(connecter) = &self.origin else {
            return;
        };
        let options = transport_options_for(&self.link.options, self.link.kind);
        let connecting = match connecter.transport.connect(&connecter.address, &options) {
            Ok(connecting) => connecting,
            Err(err) => return self.connect_failed(r, id, err.errno(), None),
        };
        if connecting.started_in_progress() {
            // As libzmq: CONNECT_DELAYED when connect(2) said EINPROGRESS.
            self.event(monitor::EVENT_CONNECT_DELAYED, libc::EINPROGRESS as u64);
            return self.connect_in_progress(r, id, connecting);
        }
        // Completed at once (an ipc connect).
        let fd = connecting.as_fd().as_raw_fd();
        match connecting.finish() {
            Ok(ConnectProgress::Connected(stream)) => self.connected(r, id, stream),
            Ok(ConnectProgress::InProgress(connecting)) => {
                self.connect_in_progress(r, id, connecting)
            }
            Err(err) => self.connect_failed(r, id, err.errno(), Some(fd)),
        }
    }

    pub(super) fn connect_in_progress(
        &mut self,
        r: &mut R,
        id: HandlerId,
        connecting: Box<dyn Connecting>,
    ) {
        // A SOCKS connect waits for the proxy's answer (readable); a plain
        // connect for the connection (writable).
        let interest = if connecting.wants_readable() {
            Interest::READ
        } else {
            Interest::WRITE
        };
        self.wire = Wire::Connecting(connecting);
        if !self.register(r, id, interest) {
            let _ = self.take_wire(r, id);
            self.schedule_reconnect(r, id);
            return;
        }
        if self.connect_timer.is_none()
            && let Some(limit) = options::timeout(self.link.options.connect_timeout)
            && !limit.is_zero()
        {
            self.connect_timer = Some(r.add_timer(id, limit));
        }
    }

    /// The connect's descriptor is writable: see how it went.
    pub(super) fn finish_connect(&mut self, r: &mut R, id: HandlerId) {
        let Wire::Connecting(connecting) = self.take_wire(r, id) else {
            return;
        };
        let fd = connecting.as_fd().as_raw_fd();
        match connecting.finish() {
            Ok(ConnectProgress::Connected(stream)) => {
                self.cancel_connect_timer(r);
                self.connected(r, id, stream);
            }
            Ok(ConnectProgress::InProgress(connecting)) => {
                self.connect_in_progress(r, id, connecting);
            }
            Err(err) => {
                self.cancel_connect_timer(r);
                self.connect_failed(r, id, err.errno(), Some(fd));
            }
        }
    }

    /// A connect failed with `errno`: its descriptor (if one was made) is
    /// closed, then the connecter retries, or, when `ZMQ_RECONNECT_STOP`
    /// says so for a refusal, ends (libzmq's connecter reports
    /// `EVENT_CLOSED` either way).
    fn connect_failed(&mut self, r: &mut R, id: HandlerId, errno: i32, fd: Option<RawFd>) {
        let closed = fd.map_or(u64::MAX, |fd| fd as u64);
        if errno == libc::ECONNREFUSED && self.link.options.reconnect_stop.stops_on_refusal() {
            self.event(monitor::EVENT_CLOSED, closed);
            self.give_up();
            self.check_done(r, id);
            return;
        }
        if fd.is_some() {
            self.event(monitor::EVENT_CLOSED, closed);
        }
        self.schedule_reconnect(r, id);
    }

    /// `ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED`: a connecter whose connection
    /// ended before its handshake completed stops (libzmq turns the
    /// failure into a protocol error).
    pub(super) fn stops_on_failed_handshake(&self) -> bool {
        matches!(self.origin, Origin::Connecter(_))
            && self
                .link
                .options
                .reconnect_stop
                .wants(options::RECONNECT_STOP_HANDSHAKE_FAILED)
    }

    /// `ZMQ_CONNECT_TIMEOUT` passed with the connect still in progress.
    pub(super) fn connect_timed_out(&mut self, r: &mut R, id: HandlerId) {
        self.connect_timer = None;
        if let Wire::Connecting(connecting) = &self.wire {
            let fd = connecting.as_fd().as_raw_fd() as u64;
            let _ = self.take_wire(r, id);
            self.event(monitor::EVENT_CLOSED, fd);
            self.schedule_reconnect(r, id);
        }
    }

    pub(super) fn cancel_connect_timer(&mut self, r: &mut R) {
        if let Some(timer) = self.connect_timer.take() {
            r.cancel_timer(timer);
        }
    }

    /// A connect succeeded: start the ZMTP connection over the stream.
    pub(super) fn connected(&mut self, r: &mut R, id: HandlerId, stream: Box<dyn Stream>) {
        if let Origin::Connecter(connecter) = &mut self.origin {
            connecter.backoff.reset();
        }
        self.other_end = std::sync::Arc::from(stream.local_endpoint());
        self.event(monitor::EVENT_CONNECTED, stream.raw_fd() as u64);
        let Some(engine) = StreamEngine::new(stream, &self.link, false, Instant::now()) else {
            // The socket type does not speak ZMTP: nothing will work.
            return;
        };
        self.wire = Wire::engaged(engine);
        if !self.register(r, id, Interest::BOTH) {
            self.engine_failed(r, id);
        }
        self.service(r, id);
    }

    /// Waits `ZMQ_RECONNECT_IVL` (with backoff) before connecting again;
    /// never when reconnection is off or the session closes at once.
    pub(super) fn schedule_reconnect(&mut self, r: &mut R, id: HandlerId) {
        if self.life == Life::Done || self.reconnect_timer.is_some() {
            return;
        }
        let Origin::Connecter(connecter) = &mut self.origin else {
            return;
        };
        if let Some(delay) = connecter.backoff.next_delay() {
            self.reconnect_timer = Some(r.add_timer(id, delay));
            let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            self.event(monitor::EVENT_CONNECT_RETRIED, ms);
        }
    }
}
