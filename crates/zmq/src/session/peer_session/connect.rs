//! The connecter's life cycle: connect, connect timeout, reconnect with
//! backoff.

use std::time::Instant;

use zmq_transports::{ConnectProgress, Connecting, Stream};

use super::{Origin, R, Session, Wire};
use crate::monitor;
use crate::options;
use crate::reactor::{HandlerId, Interest};
use crate::session::stream_engine::StreamEngine;
use crate::session::transport_options;

impl Session {
    pub(super) fn start_connecting(&mut self, r: &mut R, id: HandlerId) {
        let Origin::Connecter(connecter) = &self.origin else {
            return;
        };
        let options = transport_options(&self.link.options);
        match connecter.transport.connect(&connecter.address, &options) {
            Ok(connecting) => {
                self.event(monitor::EVENT_CONNECT_DELAYED, libc::EINPROGRESS as u64);
                self.connect_in_progress(r, id, connecting)
            }
            Err(_) => self.schedule_reconnect(r, id),
        }
    }

    pub(super) fn connect_in_progress(
        &mut self,
        r: &mut R,
        id: HandlerId,
        connecting: Box<dyn Connecting>,
    ) {
        self.wire = Wire::Connecting(connecting);
        if !self.register(r, id, Interest::WRITE) {
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
        match connecting.finish() {
            Ok(ConnectProgress::Connected(stream)) => {
                self.cancel_connect_timer(r);
                self.connected(r, id, stream);
            }
            Ok(ConnectProgress::InProgress(connecting)) => {
                self.connect_in_progress(r, id, connecting);
            }
            Err(_) => {
                self.cancel_connect_timer(r);
                self.schedule_reconnect(r, id);
            }
        }
    }

    /// `ZMQ_CONNECT_TIMEOUT` passed with the connect still in progress.
    pub(super) fn connect_timed_out(&mut self, r: &mut R, id: HandlerId) {
        self.connect_timer = None;
        if let Wire::Connecting(_) = self.wire {
            let _ = self.take_wire(r, id);
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
        self.event(monitor::EVENT_CONNECTED, stream.raw_fd() as u64);
        let Some(engine) = StreamEngine::new(stream, &self.link, false, Instant::now()) else {
            // The socket type does not speak ZMTP: nothing will work.
            return;
        };
        self.wire = Wire::Engaged(Box::new(engine));
        if !self.register(r, id, Interest::BOTH) {
            self.engine_failed(r, id);
        }
        self.service(r, id);
    }

    /// Waits `ZMQ_RECONNECT_IVL` (with backoff) before connecting again;
    /// never when reconnection is off or the session closes at once.
    pub(super) fn schedule_reconnect(&mut self, r: &mut R, id: HandlerId) {
        if self.closing == Some(0) || self.reconnect_timer.is_some() {
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
