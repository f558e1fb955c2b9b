//! `PgmEngine`: a pgm/epgm socket on an I/O thread, attached to its
//! ZeroMQ socket's pipe (libzmq's `pgm_sender_t` for PUB/XPUB and
//! `pgm_receiver_t` for SUB/XSUB). No handshake: libpgm's socket is
//! connected when the engine starts.
//!
//! ```text
//!  sender:   pipe ──► ApduWriter ──► pgm_send (rate limited: timer)
//!            NAK/SPMR ──► libpgm (repairs, SPMs; its timers: ours)
//!  receiver: libpgm ──► APDU per TSI ──► PeerStreams ──► pipe
//!            (subscriptions from the pipe are dropped: no forwarding)
//! ```
//!
//! libpgm has up to four descriptors; the engine polls them in an epoll
//! set of its own, whose descriptor is the one the reactor polls. Its
//! timers are libpgm's (`PGM_TIME_REMAIN`, `PGM_RATE_REMAIN`), as libzmq
//! sets them. Bounds: one APDU waits to be sent; a receiver reads no
//! further while the pipe is full (libpgm keeps the data, up to its
//! window), holding the messages of one APDU at most.

use std::collections::VecDeque;
use std::os::fd::AsFd;
use std::time::Duration;

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use zmq_patterns::{Msg, Pipe, PipeId};
use zmq_transports::pgm::{PgmSocket, Received, Sent};

use super::pgm_wire::{ApduWriter, PeerStreams};
use super::start_on_first_turn;
use crate::io::IoCommand;
use crate::options;
use crate::pipe::{PipeEnd, PipeEvent, PipeSignal, PipeState};
use crate::reactor::{EventHandler, HandlerId, Interest, Reactor, TimerId};

type R = Reactor<IoCommand>;

/// APDUs handled per event before other handlers get a turn.
const APDUS_PER_TURN: usize = 256;

/// A pgm socket and the pipe to its ZeroMQ socket.
pub(super) struct PgmEngine {
    socket: PgmSocket,
    /// The engine's own set of libpgm's descriptors.
    poll: Epoll,
    pipe: Option<PipeEnd>,
    // ---- sending
    writer: ApduWriter,
    out: Box<[u8]>,
    /// Bytes of `out` waiting to be sent (0: none).
    out_len: usize,
    /// Polling the send descriptor for writability.
    pollout: bool,
    tx_timer: Option<TimerId>,
    // ---- receiving
    streams: PeerStreams,
    /// Whole messages decoded and not yet in the pipe (the pipe was full).
    backlog: VecDeque<Vec<Msg>>,
    // ---- both
    rx_timer: Option<TimerId>,
    /// The interest set on the send descriptor (sender).
    send_interest: bool,
    registered: bool,
    started: bool,
    closing: bool,
    linger_timer: Option<TimerId>,
    done: bool,
}

impl PgmEngine {
    /// An engine for `socket`; `max_msg_size` is `ZMQ_MAXMSGSIZE` (for
    /// a receiver).
    pub(super) fn new(
        socket: PgmSocket,
        pipe: PipeEnd,
        max_msg_size: i64,
    ) -> std::io::Result<PgmEngine> {
        let poll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        let fds = socket.fds();
        for fd in [Some(fds.receive), fds.repair, Some(fds.pending)]
            .into_iter()
            .flatten()
        {
            let Some(fd) = socket.borrow_fd(fd) else {
                continue;
            };
            poll.add(fd, EpollEvent::new(EpollFlags::EPOLLIN, 0))?;
        }
        if let Some(fd) = fds.send.and_then(|fd| socket.borrow_fd(fd)) {
            poll.add(fd, EpollEvent::new(EpollFlags::empty(), 0))?;
        }
        let out = vec![0u8; socket.max_tsdu()].into_boxed_slice();
        Ok(PgmEngine {
            socket,
            poll,
            pipe: Some(pipe),
            writer: ApduWriter::new(),
            out,
            out_len: 0,
            pollout: true,
            tx_timer: None,
            streams: PeerStreams::new(max_msg_size),
            backlog: VecDeque::new(),
            rx_timer: None,
            send_interest: false,
            registered: false,
            started: false,
            closing: false,
            linger_timer: None,
            done: false,
        })
    }

    /// Adds the engine to `reactor`; it starts on the reactor's next turn.
    pub(super) fn add(reactor: &mut R, engine: PgmEngine) -> HandlerId {
        let id = reactor.add_handler(Box::new(engine));
        start_on_first_turn(reactor, id);
        id
    }

    fn receiver(&self) -> bool {
        self.socket.is_receiver()
    }

    fn start(&mut self, r: &mut R, id: HandlerId) {
        self.started = true;
        // SAFETY: the epoll descriptor belongs to `self.poll`, which this
        // handler owns for its whole life; removing the handler
        // deregisters it before the handler (and the set) is dropped.
        let registered = unsafe { r.register_fd(id, self.poll.0.as_fd(), Interest::READ) };
        self.registered = registered.is_ok();
        self.service(r, id, true);
    }

    /// Everything there is to do now, in libzmq's order; `upstream`: a
    /// sender also reads what receivers sent and runs libpgm's timers
    /// (on readiness and on its timer, not on every message).
    fn service(&mut self, r: &mut R, id: HandlerId, upstream: bool) {
        if self.done {
            return;
        }
        if self.receiver() {
            self.drop_subscriptions();
            self.receive(r, id);
        } else {
            if upstream {
                self.upstream(r, id);
            }
            self.send(r, id);
        }
        self.update_interest(r, id);
        self.check_done(r, id);
    }

    /// The reactor polls the set while anything in it is wanted: always
    /// (the receive and pending descriptors), except a receiver whose
    /// pipe is full.
    fn update_interest(&mut self, r: &mut R, id: HandlerId) {
        if !self.registered {
            return;
        }
        let wanted = if self.receiver() && !self.backlog.is_empty() {
            Interest::NONE
        } else {
            Interest::READ
        };
        let _ = r.set_interest(id, wanted);
        let send_wanted = !self.receiver() && self.pollout && self.out_len > 0;
        if send_wanted != self.send_interest
            && let Some(fd) = self
                .socket
                .fds()
                .send
                .and_then(|fd| self.socket.borrow_fd(fd))
        {
            let flags = if send_wanted {
                EpollFlags::EPOLLOUT
            } else {
                EpollFlags::empty()
            };
            if self.poll.modify(fd, &mut EpollEvent::new(flags, 0)).is_ok() {
                self.send_interest = send_wanted;
            }
        }
    }

    /// Takes the set's readiness (level-triggered: what is still ready
    /// shows again), so that a later wait reflects new events only.
    fn drain_readiness(&mut self) {
        let mut events = [EpollEvent::empty(); 8];
        let _ = self.poll.wait(&mut events, 0u8);
    }

    fn set_rx_timer(&mut self, r: &mut R, id: HandlerId) {
        if let Some(timer) = self.rx_timer.take() {
            r.cancel_timer(timer);
        }
        if let Some(after) = self.socket.rx_timeout() {
            self.rx_timer = Some(r.add_timer(id, after));
        }
    }

    // ---- sending (libzmq's pgm_sender_t) -----------------------------------

    /// NAKs and SPMRs from receivers, and libpgm's timers.
    fn upstream(&mut self, r: &mut R, id: HandlerId) {
        self.socket.process_upstream();
        self.set_rx_timer(r, id);
    }

    fn send(&mut self, r: &mut R, id: HandlerId) {
        for _ in 0..APDUS_PER_TURN {
            if self.tx_timer.is_some() {
                return;
            }
            if self.out_len == 0 {
                let Some(pipe) = &mut self.pipe else {
                    return;
                };
                self.out_len = self.writer.fill(&mut self.out, || pipe.read());
                if self.out_len == 0 {
                    return;
                }
            }
            match self.socket.send(&self.out[..self.out_len]) {
                Ok(Sent::Done) => self.out_len = 0,
                Ok(Sent::RateLimited) => {
                    // Stop polling for output until libpgm's rate allows.
                    self.pollout = false;
                    let after = self.socket.tx_timeout().unwrap_or(Duration::from_millis(1));
                    self.tx_timer = Some(r.add_timer(id, after));
                    return;
                }
                Ok(Sent::WouldBlock) => {
                    self.pollout = true;
                    return;
                }
                // A send libpgm refuses for good (it cannot happen for an
                // APDU within one packet): the APDU is dropped.
                Err(_) => self.out_len = 0,
            }
        }
        // More to do: come back on the next turn.
        self.pollout = true;
        if self.tx_timer.is_none() {
            self.tx_timer = Some(r.add_timer(id, Duration::ZERO));
        }
    }

    // ---- receiving (libzmq's pgm_receiver_t) ---------------------------------

    /// Subscriptions (and anything else) the socket writes: PGM does not
    /// forward them.
    fn drop_subscriptions(&mut self) {
        if let Some(pipe) = &mut self.pipe {
            while pipe.read().is_some() {}
        }
    }

    fn receive(&mut self, r: &mut R, id: HandlerId) {
        if !self.flush_backlog() {
            return;
        }
        if let Some(timer) = self.rx_timer.take() {
            r.cancel_timer(timer);
        }
        for _ in 0..APDUS_PER_TURN {
            let backlog = &mut self.backlog;
            match self.socket.receive() {
                Received::Again => break,
                // Data lost beyond repair: that sender's unfinished
                // message goes, it joins again at a message start.
                Received::Reset(tsi) => self.streams.reset(&tsi),
                Received::Data { tsi, data } => {
                    self.streams
                        .apdu(tsi, data, |parts| backlog.push_back(parts));
                }
            }
            if !self.flush_backlog() {
                // The pipe is full: no more reading until it has room.
                return;
            }
        }
        self.set_rx_timer(r, id);
    }

    /// Writes whole decoded messages into the pipe (and flushes it);
    /// `false` while some are left (the pipe is full).
    fn flush_backlog(&mut self) -> bool {
        let Some(pipe) = &mut self.pipe else {
            self.backlog.clear();
            return true;
        };
        let mut wrote = false;
        while let Some(parts) = self.backlog.front_mut() {
            if !pipe.check_write() {
                if wrote {
                    pipe.flush();
                }
                return false;
            }
            wrote = true;
            let mut whole = true;
            for part in std::mem::take(parts) {
                if pipe.write(part).is_err() {
                    whole = false;
                    break;
                }
            }
            if !whole {
                // The first part went past the check, so this cannot
                // happen; never leave half a message in the pipe.
                pipe.rollback();
            }
            self.backlog.pop_front();
        }
        if wrote {
            pipe.flush();
        }
        true
    }

    // ---- pipe and life cycle ------------------------------------------------

    fn pipe_event(&mut self, r: &mut R, id: HandlerId, pipe_id: PipeId, event: PipeEvent) {
        let Some(pipe) = &mut self.pipe else {
            return;
        };
        if pipe.id() != pipe_id {
            return;
        }
        if pipe.process(event) == PipeSignal::Terminated {
            self.pipe = None;
            self.finish(r, id);
            return;
        }
        self.service(r, id, false);
    }

    /// The socket closes the engine: a sender sends what the pipe holds
    /// for at most `linger` ms (libpgm's rate allowing); a receiver goes.
    fn close(&mut self, r: &mut R, id: HandlerId, linger: i32) {
        if self.closing {
            if linger == 0 {
                self.finish(r, id);
            }
            return;
        }
        self.closing = true;
        if linger == 0 || self.receiver() {
            self.finish(r, id);
            return;
        }
        if let Some(limit) = options::timeout(linger) {
            self.linger_timer = Some(r.add_timer(id, limit));
        }
        if let Some(pipe) = &mut self.pipe {
            // Only the delimiter may be left: take it.
            pipe.check_read();
        }
        self.service(r, id, false);
    }

    fn check_done(&mut self, r: &mut R, id: HandlerId) {
        if !self.closing || self.done {
            return;
        }
        let drained = self.pipe.as_ref().is_none_or(|pipe| {
            !matches!(
                pipe.state(),
                PipeState::Active | PipeState::WaitingForDelimiter
            )
        });
        if drained && self.out_len == 0 {
            self.finish(r, id);
        }
    }

    fn finish(&mut self, r: &mut R, id: HandlerId) {
        if self.done {
            return;
        }
        self.done = true;
        for timer in [
            self.linger_timer.take(),
            self.rx_timer.take(),
            self.tx_timer.take(),
        ]
        .into_iter()
        .flatten()
        {
            r.cancel_timer(timer);
        }
        if let Some(pipe) = &mut self.pipe {
            pipe.terminate();
        }
        r.remove_handler(id);
    }
}

impl EventHandler<IoCommand> for PgmEngine {
    fn on_readable(&mut self, r: &mut R, id: HandlerId) {
        self.drain_readiness();
        self.service(r, id, true);
    }

    fn on_timer(&mut self, r: &mut R, id: HandlerId, timer: TimerId) {
        if !self.started {
            if !self.done {
                self.start(r, id);
            }
            return;
        }
        if self.linger_timer == Some(timer) {
            self.linger_timer = None;
            self.finish(r, id);
            return;
        }
        let mut upstream = false;
        if self.tx_timer == Some(timer) {
            self.tx_timer = None;
            self.pollout = true;
        } else if self.rx_timer == Some(timer) {
            self.rx_timer = None;
            upstream = true;
        }
        self.service(r, id, upstream);
    }

    fn on_command(&mut self, r: &mut R, id: HandlerId, command: IoCommand) {
        match command {
            IoCommand::Pipe(pipe, event) => self.pipe_event(r, id, pipe, event),
            IoCommand::Close { linger } => self.close(r, id, linger),
        }
    }
}
