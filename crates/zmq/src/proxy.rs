//! `proxy` and `proxy_steerable`: forward whole messages between two
//! sockets in the caller's thread (`zmq_proxy`, `zmq_proxy_steerable`).
//!
//! The loop reads `ZMQ_EVENTS` of both sockets and forwards a burst of up
//! to `PROXY_BURST` messages in each direction whose source is readable
//! and whose destination can take a message; it stops a burst as soon as
//! the destination reaches its high-water mark, so a slow consumer pushes
//! back on the producer instead of being flooded. When nothing can move,
//! it sleeps in [`crate::poll()`] on exactly the events that would let
//! something move (never on a readable source whose destination is full),
//! plus the control socket.

use crate::error::{Error, Result};
use crate::message::Message;
use crate::poll::{POLLIN, POLLOUT, POLLPRI, PollItem, poll};
use crate::socket::{DONTWAIT, Readiness, SNDMORE, Socket};
use zmq_patterns::SocketType;

/// The most messages forwarded in one direction before the proxy looks
/// at the other direction and the control socket again (libzmq's
/// `proxy_burst_size`).
pub const PROXY_BURST: usize = 1000;

/// What one side of the proxy moved: messages are counted part by part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SocketTraffic {
    /// Message parts received on this socket.
    pub msgs_in: u64,
    /// Bytes received on this socket.
    pub bytes_in: u64,
    /// Message parts sent on this socket.
    pub msgs_out: u64,
    /// Bytes sent on this socket.
    pub bytes_out: u64,
}

/// The counters a steerable proxy reports for `STATISTICS`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProxyStatistics {
    /// The frontend socket's traffic.
    pub frontend: SocketTraffic,
    /// The backend socket's traffic.
    pub backend: SocketTraffic,
}

impl ProxyStatistics {
    /// The eight values in the order of the `STATISTICS` reply: frontend
    /// messages in, bytes in, messages out, bytes out, then the same for
    /// the backend.
    pub fn values(&self) -> [u64; 8] {
        let (f, b) = (&self.frontend, &self.backend);
        [
            f.msgs_in,
            f.bytes_in,
            f.msgs_out,
            f.bytes_out,
            b.msgs_in,
            b.bytes_in,
            b.msgs_out,
            b.bytes_out,
        ]
    }

    /// Reads a `STATISTICS` reply: eight parts of 8 bytes, each a `u64` in
    /// the host's byte order (libzmq copies the integers as they are).
    /// `None` when the reply has another shape.
    pub fn from_reply<P: AsRef<[u8]>>(parts: &[P]) -> Option<ProxyStatistics> {
        if parts.len() != 8 {
            return None;
        }
        let mut values = [0u64; 8];
        for (value, part) in values.iter_mut().zip(parts) {
            *value = u64::from_ne_bytes(part.as_ref().try_into().ok()?);
        }
        let [a, b, c, d, e, f, g, h] = values;
        Some(ProxyStatistics {
            frontend: SocketTraffic {
                msgs_in: a,
                bytes_in: b,
                msgs_out: c,
                bytes_out: d,
            },
            backend: SocketTraffic {
                msgs_in: e,
                bytes_in: f,
                msgs_out: g,
                bytes_out: h,
            },
        })
    }
}

/// A command on the control socket of [`proxy_steerable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyCommand {
    /// `PAUSE`: stop forwarding.
    Pause,
    /// `RESUME`: forward again.
    Resume,
    /// `TERMINATE`: return `Ok(())`.
    Terminate,
    /// `STATISTICS`: reply with the eight counters.
    Statistics,
}

impl ProxyCommand {
    /// The command a control message holds (exact, case-sensitive text);
    /// `None` for anything else, which the proxy ignores.
    pub fn parse(message: &[u8]) -> Option<ProxyCommand> {
        match message {
            b"PAUSE" => Some(ProxyCommand::Pause),
            b"RESUME" => Some(ProxyCommand::Resume),
            b"TERMINATE" => Some(ProxyCommand::Terminate),
            b"STATISTICS" => Some(ProxyCommand::Statistics),
            _ => None,
        }
    }

    /// The text to send on a control socket.
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            ProxyCommand::Pause => b"PAUSE",
            ProxyCommand::Resume => b"RESUME",
            ProxyCommand::Terminate => b"TERMINATE",
            ProxyCommand::Statistics => b"STATISTICS",
        }
    }
}

/// Forwards messages between `frontend` and `backend` in both directions,
/// whole multipart messages at a time (`zmq_proxy` without a capture
/// socket). Runs until the context is terminated, and then fails with
/// ETERM (it never returns `Ok`), or until a socket operation fails.
pub fn proxy(frontend: &Socket, backend: &Socket) -> Result<()> {
    proxy_steerable_opt(frontend, backend, None, None)
}

/// [`proxy`] that also copies every part to `capture` (`zmq_proxy` with
/// a capture socket).
pub fn proxy_with_capture(frontend: &Socket, backend: &Socket, capture: &Socket) -> Result<()> {
    proxy_steerable_opt(frontend, backend, Some(capture), None)
}

/// [`proxy`] steered by commands on `control` (rust-zmq's form; see
/// [`proxy_steerable_opt`]). rust-zmq takes `&mut Socket`s: those
/// arguments work here unchanged.
pub fn proxy_steerable(frontend: &Socket, backend: &Socket, control: &Socket) -> Result<()> {
    proxy_steerable_opt(frontend, backend, None, Some(control))
}

/// [`proxy_steerable`] that also copies every part to `capture`
/// (rust-zmq's form).
pub fn proxy_steerable_with_capture(
    frontend: &Socket,
    backend: &Socket,
    capture: &Socket,
    control: &Socket,
) -> Result<()> {
    proxy_steerable_opt(frontend, backend, Some(capture), Some(control))
}

/// `zmq_proxy_steerable` with its optional capture and control sockets:
/// [`proxy`] steered by commands received on `control` (a REP or PAIR
/// socket; see [`ProxyCommand`]): returns `Ok(())` after `TERMINATE`. A
/// REP control socket gets an empty reply to every command but
/// `STATISTICS`, which is answered with eight 8-byte parts (see
/// [`ProxyStatistics::from_reply`]); other control sockets get only the
/// `STATISTICS` reply. Unknown commands are ignored.
///
/// `frontend` and `backend` may be the same socket (a ROUTER or DEALER
/// looped onto itself).
pub fn proxy_steerable_opt(
    frontend: &Socket,
    backend: &Socket,
    capture: Option<&Socket>,
    control: Option<&Socket>,
) -> Result<()> {
    let same = std::ptr::eq(frontend, backend);
    let mut stats = ProxyStatistics::default();
    let mut paused = false;
    loop {
        if let Some(control) = control {
            while control.readiness()?.readable {
                match handle_control(control, &stats)? {
                    Some(ProxyCommand::Terminate) => return Ok(()),
                    Some(ProxyCommand::Pause) => paused = true,
                    Some(ProxyCommand::Resume) => paused = false,
                    Some(ProxyCommand::Statistics) | None => {}
                }
            }
        }
        let front = frontend.readiness()?;
        let back = if same { front } else { backend.readiness()? };
        if !paused {
            let mut moved = false;
            if front.readable && (same || back.writable) {
                let (recv, send) = (&mut stats.frontend, &mut stats.backend);
                forward(frontend, backend, capture, same, recv, send)?;
                moved = true;
            }
            if !same && back.readable && front.writable {
                let (recv, send) = (&mut stats.backend, &mut stats.frontend);
                forward(backend, frontend, capture, false, recv, send)?;
                moved = true;
            }
            if moved {
                continue;
            }
        }
        wait_for_work(frontend, backend, same, front, back, paused, control)?;
    }
}

/// Sleeps until something the proxy can act on happens: a source becomes
/// readable while its destination can take a message, a full destination
/// drains, or a control command arrives. ETERM when the context ends.
fn wait_for_work(
    frontend: &Socket,
    backend: &Socket,
    same: bool,
    front: Readiness,
    back: Readiness,
    paused: bool,
    control: Option<&Socket>,
) -> Result<()> {
    // POLLPRI is never reported for a socket: asking for it keeps the
    // socket's mailbox watched, so that context termination (or any state
    // change) still ends the wait when no real event is wanted.
    let mut front_events = POLLPRI;
    let mut back_events = POLLPRI;
    if !paused {
        if same {
            front_events |= POLLIN;
        } else {
            if back.writable {
                front_events |= POLLIN;
            } else {
                back_events |= POLLOUT;
            }
            if front.writable {
                back_events |= POLLIN;
            } else {
                front_events |= POLLOUT;
            }
        }
    }
    let mut items = [PollItem::nothing(); 3];
    let mut count = 0;
    for item in [
        Some(frontend.as_poll_item(front_events)),
        (!same).then(|| backend.as_poll_item(back_events)),
        control.map(|control| control.as_poll_item(POLLIN)),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(slot) = items.get_mut(count) {
            *slot = item;
            count += 1;
        }
    }
    let used = items.get_mut(..count).ok_or(Error::Inval)?;
    poll(used, -1)?;
    Ok(())
}

/// Moves up to [`PROXY_BURST`] whole messages from `from` to `to` (and
/// each part to `capture`), counting them; stops early when `from` has
/// nothing more or `to` reaches its high-water mark.
fn forward(
    from: &Socket,
    to: &Socket,
    capture: Option<&Socket>,
    same: bool,
    received: &mut SocketTraffic,
    sent: &mut SocketTraffic,
) -> Result<()> {
    for _ in 0..PROXY_BURST {
        let mut first = true;
        loop {
            // The parts of a message arrive together: only the first can
            // be missing.
            let flags = if first { DONTWAIT } else { 0 };
            let part = match from.recv_msg(flags) {
                Ok(part) => part,
                Err(Error::Again) if first => return Ok(()),
                Err(err) => return Err(err),
            };
            first = false;
            let more = from.get_rcvmore()?;
            let size = u64::try_from(part.len()).unwrap_or(u64::MAX);
            received.msgs_in = received.msgs_in.saturating_add(1);
            received.bytes_in = received.bytes_in.saturating_add(size);
            let send_flags = if more { SNDMORE } else { 0 };
            if let Some(capture) = capture {
                capture.send_msg(part.clone(), send_flags)?;
            }
            to.send_msg(part, send_flags)?;
            sent.msgs_out = sent.msgs_out.saturating_add(1);
            sent.bytes_out = sent.bytes_out.saturating_add(size);
            if !more {
                break;
            }
        }
        if !same && !to.readiness()?.writable {
            return Ok(());
        }
    }
    Ok(())
}

/// Takes one command from `control` and carries out its reply. Returns
/// the command (`None`: none waiting, or not a command).
fn handle_control(control: &Socket, stats: &ProxyStatistics) -> Result<Option<ProxyCommand>> {
    let message = match control.recv_msg(DONTWAIT) {
        Ok(message) => message,
        Err(Error::Again) => return Ok(None),
        Err(err) => return Err(err),
    };
    let command = ProxyCommand::parse(&message);
    if command == Some(ProxyCommand::Statistics) {
        let values = stats.values();
        let last = values.len().saturating_sub(1);
        for (index, value) in values.iter().enumerate() {
            let flags = if index < last { SNDMORE } else { 0 };
            control.send_msg(Message::from_slice(&value.to_ne_bytes()), flags)?;
        }
    } else if control.get_socket_type()? == SocketType::Rep {
        control.send_msg(Message::new(), 0)?;
    }
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_exact_text() {
        for command in [
            ProxyCommand::Pause,
            ProxyCommand::Resume,
            ProxyCommand::Terminate,
            ProxyCommand::Statistics,
        ] {
            assert_eq!(ProxyCommand::parse(command.as_bytes()), Some(command));
        }
        assert_eq!(ProxyCommand::parse(b"pause"), None);
        assert_eq!(ProxyCommand::parse(b"PAUSE\0"), None);
        assert_eq!(ProxyCommand::parse(b""), None);
    }

    #[test]
    fn statistics_round_trip_through_reply_frames() {
        let stats = ProxyStatistics {
            frontend: SocketTraffic {
                msgs_in: 1,
                bytes_in: 2,
                msgs_out: 3,
                bytes_out: 4,
            },
            backend: SocketTraffic {
                msgs_in: 5,
                bytes_in: 6,
                msgs_out: 7,
                bytes_out: u64::MAX,
            },
        };
        let frames: Vec<[u8; 8]> = stats.values().iter().map(|v| v.to_ne_bytes()).collect();
        assert_eq!(ProxyStatistics::from_reply(&frames), Some(stats));
        assert_eq!(ProxyStatistics::from_reply(&frames[..7]), None);
        let short: Vec<&[u8]> = vec![b"1234567"; 8];
        assert_eq!(ProxyStatistics::from_reply(&short), None);
    }
}
