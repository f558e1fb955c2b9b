//! `UdpEngine`: a udp socket on an I/O thread, attached to its socket's
//! pipe (libzmq's `udp_engine_t` with its session). No ZMTP: no greeting,
//! no handshake; one datagram per message.
//!
//! ```text
//!  RADIO (connect): pipe ──► [group length][group][body] ──► sendto(target)
//!  DISH  (bind):    recvfrom ──► message with its group ──► pipe
//!                   (JOIN/LEAVE from the pipe are dropped: the DISH filters)
//!  DGRAM (bind):    recvfrom ──► ["ip:port\0" MORE][body] ──► pipe
//!                   pipe ──► ["ip:port" MORE][body] ──► sendto(ip:port)
//! ```
//!
//! Bounds: a datagram is at most [`MAX_DATAGRAM`] bytes (longer ones are
//! dropped, received or to send); what a sender can make us hold is the
//! pipe's high-water mark: when the pipe is full, reading stops (the
//! kernel's buffer drops what comes next) until the socket reads. A send
//! that would block keeps one datagram and waits for writability.

use std::io;
use std::net::SocketAddr;
use std::os::fd::AsFd;

use zmq_patterns::{Msg, Pipe, PipeId, msg::GROUP_MAX_LENGTH};
use zmq_transports::udp::{MAX_DATAGRAM, format_peer, parse_peer};
use zmq_transports::{UdpRole, UdpSocket};

use super::start_on_first_turn;
use crate::io::IoCommand;
use crate::pipe::{PipeEnd, PipeEvent, PipeSignal};
use crate::reactor::{EventHandler, HandlerId, Interest, Reactor, TimerId};

type R = Reactor<IoCommand>;

/// Datagrams read per readable event before other handlers get a turn.
const READS_PER_TURN: usize = 64;
/// Datagrams sent per event before other handlers get a turn.
const WRITES_PER_TURN: usize = 64;

/// A udp socket and the pipe to its ZeroMQ socket.
pub(super) struct UdpEngine {
    socket: UdpSocket,
    role: UdpRole,
    pipe: Option<PipeEnd>,
    /// Receive buffer: one byte more than the largest datagram, so that a
    /// longer one shows (and is dropped).
    buf: Box<[u8]>,
    /// The datagram being sent (reused from message to message).
    out: Vec<u8>,
    /// `out` holds a datagram not sent yet (it would have blocked), for
    /// this destination (`None`: the socket's target).
    pending: Option<Option<SocketAddr>>,
    /// DGRAM: the address part read from the pipe, waiting for its body
    /// (`None` inside: it did not parse, the body is dropped).
    dgram_to: Option<Option<SocketAddr>>,
    /// The pipe was full: no reading until the socket reads.
    in_blocked: bool,
    /// Sending stopped at its per-turn limit with messages left: come
    /// back when the socket is writable.
    out_more: bool,
    interest: Interest,
    registered: bool,
    started: bool,
    done: bool,
    linger_timer: Option<TimerId>,
}

impl UdpEngine {
    pub(super) fn new(socket: UdpSocket, role: UdpRole, pipe: PipeEnd) -> UdpEngine {
        UdpEngine {
            socket,
            role,
            pipe: Some(pipe),
            buf: vec![0u8; MAX_DATAGRAM + 1].into_boxed_slice(),
            out: Vec::with_capacity(MAX_DATAGRAM),
            pending: None,
            dgram_to: None,
            in_blocked: false,
            out_more: false,
            interest: Interest::NONE,
            registered: false,
            started: false,
            done: false,
            linger_timer: None,
        }
    }

    /// Adds the engine to `reactor`; it starts on the reactor's next turn.
    pub(super) fn add(reactor: &mut R, engine: UdpEngine) -> HandlerId {
        let id = reactor.add_handler(Box::new(engine));
        start_on_first_turn(reactor, id);
        id
    }

    fn receives(&self) -> bool {
        self.role != UdpRole::Send
    }

    fn start(&mut self, r: &mut R, id: HandlerId) {
        self.started = true;
        // SAFETY: the descriptor belongs to `self.socket`, which this
        // handler owns for its whole life; removing the handler
        // deregisters it before the handler (and the socket) is dropped.
        let registered = unsafe { r.register_fd(id, self.socket.as_fd(), Interest::NONE) };
        self.registered = registered.is_ok();
        self.service(r, id);
    }

    fn service(&mut self, r: &mut R, id: HandlerId) {
        if self.done {
            return;
        }
        self.send_outbound();
        self.receive_inbound();
        self.update_interest(r, id);
    }

    fn update_interest(&mut self, r: &mut R, id: HandlerId) {
        if !self.registered {
            return;
        }
        let wanted = Interest {
            readable: self.receives() && !self.in_blocked && self.pipe.is_some(),
            writable: self.pending.is_some() || self.out_more,
        };
        if wanted != self.interest && r.set_interest(id, wanted).is_ok() {
            self.interest = wanted;
        }
    }

    // ---- receiving -------------------------------------------------------

    /// Reads datagrams into the pipe while it has room.
    fn receive_inbound(&mut self) {
        if !self.receives() {
            return;
        }
        let mut wrote = false;
        for _ in 0..READS_PER_TURN {
            let Some(pipe) = &mut self.pipe else {
                break;
            };
            if !pipe.check_write() {
                self.in_blocked = true;
                break;
            }
            let (n, from) = match self.socket.recv_from(&mut self.buf) {
                Ok(received) => received,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                // ICMP errors from an earlier send (ECONNREFUSED) and the
                // like: nothing to deliver, go on.
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => continue,
            };
            if n > MAX_DATAGRAM {
                continue;
            }
            let datagram = &self.buf[..n];
            match self.role {
                UdpRole::Raw => {
                    let mut address = Msg::from_vec(format_peer(from));
                    address.set_more(true);
                    if pipe.write(address).is_err() {
                        self.in_blocked = true;
                        break;
                    }
                    if let Err(_body) = pipe.write(Msg::from_slice(datagram)) {
                        // Cannot happen after check_write: the address part
                        // went in, so the body must follow.
                        pipe.rollback();
                        self.in_blocked = true;
                        break;
                    }
                    wrote = true;
                }
                _ => {
                    let Some(msg) = group_message(datagram) else {
                        continue;
                    };
                    if pipe.write(msg).is_err() {
                        self.in_blocked = true;
                        break;
                    }
                    wrote = true;
                }
            }
        }
        if wrote && let Some(pipe) = &mut self.pipe {
            pipe.flush();
        }
    }

    // ---- sending -----------------------------------------------------------

    /// Sends what the pipe holds, a datagram per message.
    fn send_outbound(&mut self) {
        self.out_more = false;
        if !self.flush_pending() {
            return;
        }
        for _ in 0..WRITES_PER_TURN {
            let Some(pipe) = &mut self.pipe else {
                return;
            };
            let Some(msg) = pipe.read() else {
                return;
            };
            let to = match self.role {
                // DISH: JOIN and LEAVE go nowhere (the DISH filters).
                UdpRole::Receive => continue,
                UdpRole::Send => {
                    if !group_datagram(&msg, &mut self.out) {
                        continue;
                    }
                    None
                }
                UdpRole::Raw => {
                    if msg.more() {
                        self.dgram_to = Some(parse_peer(msg.data()));
                        continue;
                    }
                    match self.dgram_to.take() {
                        Some(Some(to)) if msg.len() <= MAX_DATAGRAM => {
                            self.out.clear();
                            self.out.extend_from_slice(msg.data());
                            Some(to)
                        }
                        _ => continue,
                    }
                }
            };
            self.pending = Some(to);
            if !self.flush_pending() {
                return;
            }
        }
        self.out_more = true;
    }

    /// Sends the pending datagram; `false` while it would block.
    fn flush_pending(&mut self) -> bool {
        let Some(to) = self.pending else {
            return true;
        };
        let sent = match to {
            Some(to) => self.socket.send_to(&self.out, to),
            None => self.socket.send(&self.out),
        };
        match sent {
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => false,
            // Sent, or failed for good (unreachable, refused): udp gives
            // no delivery guarantee, the datagram is gone either way.
            _ => {
                self.pending = None;
                true
            }
        }
    }

    // ---- pipe and life cycle ------------------------------------------------

    fn pipe_event(&mut self, r: &mut R, id: HandlerId, pipe_id: PipeId, event: PipeEvent) {
        let Some(pipe) = &mut self.pipe else {
            return;
        };
        if pipe.id() != pipe_id {
            return;
        }
        match pipe.process(event) {
            PipeSignal::Terminated => {
                self.pipe = None;
                self.finish(r, id);
                return;
            }
            PipeSignal::WriteActivated => self.in_blocked = false,
            _ => {}
        }
        self.service(r, id);
    }

    /// The socket closes the engine (unbind, disconnect, close): send what
    /// the pipe holds now (a RADIO's last messages) unless `linger` is 0,
    /// then go.
    fn close(&mut self, r: &mut R, id: HandlerId, linger: i32) {
        if linger != 0 && self.role != UdpRole::Receive {
            // Everything the pipe holds (at most its high-water mark),
            // unless the socket buffer fills.
            self.send_outbound();
            while self.out_more {
                self.send_outbound();
            }
        }
        self.finish(r, id);
    }

    fn finish(&mut self, r: &mut R, id: HandlerId) {
        if self.done {
            return;
        }
        self.done = true;
        if let Some(timer) = self.linger_timer.take() {
            r.cancel_timer(timer);
        }
        if let Some(pipe) = &mut self.pipe {
            pipe.terminate();
        }
        r.remove_handler(id);
    }
}

impl EventHandler<IoCommand> for UdpEngine {
    fn on_readable(&mut self, r: &mut R, id: HandlerId) {
        self.service(r, id);
    }

    fn on_writable(&mut self, r: &mut R, id: HandlerId) {
        self.service(r, id);
    }

    fn on_timer(&mut self, r: &mut R, id: HandlerId, _timer: TimerId) {
        if !self.started && !self.done {
            self.start(r, id);
        }
    }

    fn on_command(&mut self, r: &mut R, id: HandlerId, command: IoCommand) {
        match command {
            IoCommand::Pipe(pipe, event) => self.pipe_event(r, id, pipe, event),
            IoCommand::Close { linger } => self.close(r, id, linger),
        }
    }
}

/// Writes a RADIO message into `out` as libzmq's udp engine lays it out:
/// the group's length (one byte), the group, the body. `false` (nothing
/// to send) when it exceeds the datagram limit.
fn group_datagram(msg: &Msg, out: &mut Vec<u8>) -> bool {
    let group = msg.group().unwrap_or_default();
    let size = 1 + group.len() + msg.len();
    let Ok(length) = u8::try_from(group.len()) else {
        return false;
    };
    if group.len() > GROUP_MAX_LENGTH || size > MAX_DATAGRAM {
        return false;
    }
    out.clear();
    out.push(length);
    out.extend_from_slice(group);
    out.extend_from_slice(msg.data());
    true
}

/// The message a DISH receives from a datagram; `None` (dropped, as
/// libzmq does) when the group length runs past its end.
fn group_message(datagram: &[u8]) -> Option<Msg> {
    let (&length, rest) = datagram.split_first()?;
    let length = usize::from(length);
    if rest.len() < length {
        return None;
    }
    let (group, body) = rest.split_at(length);
    let mut msg = Msg::from_slice(body);
    msg.set_group(group).ok()?;
    Some(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_layout_round_trips() {
        let mut msg = Msg::from_slice(b"Friends");
        msg.set_group(b"TV").unwrap();
        let mut datagram = Vec::new();
        assert!(group_datagram(&msg, &mut datagram));
        assert_eq!(datagram, b"\x02TVFriends");
        let back = group_message(&datagram).unwrap();
        assert_eq!(back.group(), Some(&b"TV"[..]));
        assert_eq!(back.data(), b"Friends");
        assert!(!back.more());
        assert!(group_datagram(&Msg::from_slice(b"x"), &mut datagram));
        assert_eq!(datagram, b"\x00x");
    }

    #[test]
    fn bad_and_oversized_datagrams_are_dropped() {
        assert!(group_message(b"").is_none());
        assert!(group_message(b"\x05TV").is_none());
        assert!(group_message(b"\x00").is_some_and(|m| m.is_empty()));
        let mut out = Vec::new();
        let big = Msg::from_vec(vec![0u8; MAX_DATAGRAM]);
        assert!(!group_datagram(&big, &mut out));
        let fits = Msg::from_vec(vec![0u8; MAX_DATAGRAM - 1]);
        assert!(group_datagram(&fits, &mut out));
        assert_eq!(out.len(), MAX_DATAGRAM);
    }
}
