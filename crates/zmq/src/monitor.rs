//! Socket monitoring (`zmq_socket_monitor`, `zmq_socket_monitor_versioned`).
//!
//! A monitored socket owns a PAIR (or PUB, PUSH) socket bound to the
//! monitor's inproc endpoint; its I/O-thread objects and the socket itself
//! send one message per event there, never blocking (an event that does not
//! fit under the monitor socket's HWM is dropped, as in libzmq).
//!
//! Version 1 (`zmq_socket_monitor`): two frames, `[u16 event][u32 value]`
//! in host byte order, then the endpoint. Version 2: `[u64 event]`,
//! `[u64 value count]`, each value as a `u64` frame, the local endpoint,
//! the remote endpoint.

use parking_lot::Mutex;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::socket::{DONTWAIT, SNDMORE, Socket};
use zmq_patterns::SocketType;

/// `ZMQ_EVENT_CONNECTED`: value = the connection's descriptor.
pub const EVENT_CONNECTED: u64 = 0x0001;
/// `ZMQ_EVENT_CONNECT_DELAYED`: a connect is in progress.
pub const EVENT_CONNECT_DELAYED: u64 = 0x0002;
/// `ZMQ_EVENT_CONNECT_RETRIED`: value = the reconnect interval in ms.
pub const EVENT_CONNECT_RETRIED: u64 = 0x0004;
/// `ZMQ_EVENT_LISTENING`: value = the listening descriptor.
pub const EVENT_LISTENING: u64 = 0x0008;
/// `ZMQ_EVENT_BIND_FAILED`: value = errno.
pub const EVENT_BIND_FAILED: u64 = 0x0010;
/// `ZMQ_EVENT_ACCEPTED`: value = the accepted descriptor.
pub const EVENT_ACCEPTED: u64 = 0x0020;
/// `ZMQ_EVENT_ACCEPT_FAILED`: value = errno.
pub const EVENT_ACCEPT_FAILED: u64 = 0x0040;
/// `ZMQ_EVENT_CLOSED`: value = the closed descriptor.
pub const EVENT_CLOSED: u64 = 0x0080;
/// `ZMQ_EVENT_CLOSE_FAILED`: value = errno.
pub const EVENT_CLOSE_FAILED: u64 = 0x0100;
/// `ZMQ_EVENT_DISCONNECTED`: value = the descriptor.
pub const EVENT_DISCONNECTED: u64 = 0x0200;
/// `ZMQ_EVENT_MONITOR_STOPPED`: the last event of a monitor.
pub const EVENT_MONITOR_STOPPED: u64 = 0x0400;
/// `ZMQ_EVENT_ALL` (version 1 events).
pub const EVENT_ALL: u64 = 0xFFFF;
/// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`: value = errno.
pub const EVENT_HANDSHAKE_FAILED_NO_DETAIL: u64 = 0x0800;
/// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`: value = 0.
pub const EVENT_HANDSHAKE_SUCCEEDED: u64 = 0x1000;
/// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`: value = a `ZMQ_PROTOCOL_ERROR_*`.
pub const EVENT_HANDSHAKE_FAILED_PROTOCOL: u64 = 0x2000;
/// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`: value = the ZAP status code.
pub const EVENT_HANDSHAKE_FAILED_AUTH: u64 = 0x4000;
/// `ZMQ_EVENT_PIPES_STATS` (version 2): values = queued messages out, in.
pub const EVENT_PIPES_STATS: u64 = 0x10000;
/// `ZMQ_EVENT_ALL_V2`.
pub const EVENT_ALL_V2: u64 = EVENT_ALL | EVENT_PIPES_STATS;

/// A version 1 monitor event, in the shape of the `zmq` crate's
/// `SocketEvent`: `socket.monitor(endpoint, SocketEvent::ALL as i32)`,
/// then [`SocketEvent::from_raw`] on the first frame's `u16`.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum SocketEvent {
    /// `ZMQ_EVENT_CONNECTED`.
    CONNECTED = EVENT_CONNECTED as u16,
    /// `ZMQ_EVENT_CONNECT_DELAYED`.
    CONNECT_DELAYED = EVENT_CONNECT_DELAYED as u16,
    /// `ZMQ_EVENT_CONNECT_RETRIED`.
    CONNECT_RETRIED = EVENT_CONNECT_RETRIED as u16,
    /// `ZMQ_EVENT_LISTENING`.
    LISTENING = EVENT_LISTENING as u16,
    /// `ZMQ_EVENT_BIND_FAILED`.
    BIND_FAILED = EVENT_BIND_FAILED as u16,
    /// `ZMQ_EVENT_ACCEPTED`.
    ACCEPTED = EVENT_ACCEPTED as u16,
    /// `ZMQ_EVENT_ACCEPT_FAILED`.
    ACCEPT_FAILED = EVENT_ACCEPT_FAILED as u16,
    /// `ZMQ_EVENT_CLOSED`.
    CLOSED = EVENT_CLOSED as u16,
    /// `ZMQ_EVENT_CLOSE_FAILED`.
    CLOSE_FAILED = EVENT_CLOSE_FAILED as u16,
    /// `ZMQ_EVENT_DISCONNECTED`.
    DISCONNECTED = EVENT_DISCONNECTED as u16,
    /// `ZMQ_EVENT_MONITOR_STOPPED`.
    MONITOR_STOPPED = EVENT_MONITOR_STOPPED as u16,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`.
    HANDSHAKE_FAILED_NO_DETAIL = EVENT_HANDSHAKE_FAILED_NO_DETAIL as u16,
    /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`.
    HANDSHAKE_SUCCEEDED = EVENT_HANDSHAKE_SUCCEEDED as u16,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`.
    HANDSHAKE_FAILED_PROTOCOL = EVENT_HANDSHAKE_FAILED_PROTOCOL as u16,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`.
    HANDSHAKE_FAILED_AUTH = EVENT_HANDSHAKE_FAILED_AUTH as u16,
    /// `ZMQ_EVENT_ALL`.
    ALL = EVENT_ALL as u16,
}

impl SocketEvent {
    /// The event's number (`ZMQ_EVENT_*`).
    pub fn to_raw(self) -> u16 {
        self as u16
    }

    /// The event for a number; panics on a number that is no version 1
    /// event, as the `zmq` crate's does ([`SocketEvent::try_from_raw`]
    /// does not).
    pub fn from_raw(raw: u16) -> SocketEvent {
        SocketEvent::try_from_raw(raw).unwrap_or_else(|| panic!("unknown socket event: {raw:#x}"))
    }

    /// The event for a number, `None` for an unknown one.
    pub fn try_from_raw(raw: u16) -> Option<SocketEvent> {
        const ALL: [SocketEvent; 16] = [
            SocketEvent::CONNECTED,
            SocketEvent::CONNECT_DELAYED,
            SocketEvent::CONNECT_RETRIED,
            SocketEvent::LISTENING,
            SocketEvent::BIND_FAILED,
            SocketEvent::ACCEPTED,
            SocketEvent::ACCEPT_FAILED,
            SocketEvent::CLOSED,
            SocketEvent::CLOSE_FAILED,
            SocketEvent::DISCONNECTED,
            SocketEvent::MONITOR_STOPPED,
            SocketEvent::HANDSHAKE_FAILED_NO_DETAIL,
            SocketEvent::HANDSHAKE_SUCCEEDED,
            SocketEvent::HANDSHAKE_FAILED_PROTOCOL,
            SocketEvent::HANDSHAKE_FAILED_AUTH,
            SocketEvent::ALL,
        ];
        ALL.into_iter().find(|event| event.to_raw() == raw)
    }
}

/// One event, as the monitored socket reports it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Event<'a> {
    pub(crate) id: u64,
    pub(crate) value: u64,
    /// The local endpoint (a bound endpoint, or the local address of a
    /// connection).
    pub(crate) local: &'a str,
    /// The remote endpoint (a connect endpoint).
    pub(crate) remote: &'a str,
    /// About a bound endpoint (version 1 names the local endpoint) or a
    /// connect (version 1 names the remote one).
    pub(crate) bound: bool,
}

struct ActiveMonitor {
    socket: Socket,
    events: u64,
    /// 1 or 2 send events in their format; libzmq accepts any other
    /// version too, and then sends nothing (src/socket_base.cpp
    /// monitor_event switches on 1 and 2 only).
    version: i32,
}

/// Where a socket's events go, shared with its I/O-thread objects.
#[derive(Default)]
pub(crate) struct MonitorSlot {
    active: Mutex<Option<ActiveMonitor>>,
}

impl MonitorSlot {
    /// Starts monitoring into a new socket of `kind` bound to `endpoint`
    /// (replacing and stopping a previous monitor), or stops (`None`).
    pub(crate) fn start(
        &self,
        ctx: &Context,
        endpoint: Option<&str>,
        events: u64,
        version: i32,
        kind: SocketType,
    ) -> Result<()> {
        let next = match endpoint {
            Some(endpoint) => {
                if !endpoint.starts_with("inproc://") {
                    return Err(Error::ProtoNoSupport);
                }
                if !matches!(kind, SocketType::Pair | SocketType::Pub | SocketType::Push) {
                    return Err(Error::Inval);
                }
                // Version 1 frames carry 16-bit event ids.
                if version == 1 && events >> 16 != 0 {
                    return Err(Error::Inval);
                }
                let socket = ctx.socket(kind)?;
                socket.set_linger(0)?;
                socket.bind(endpoint)?;
                Some(ActiveMonitor {
                    socket,
                    events,
                    version,
                })
            }
            None => None,
        };
        let previous = std::mem::replace(&mut *self.active.lock(), next);
        if let Some(previous) = previous {
            stopped(&previous);
        }
        Ok(())
    }

    /// Stops monitoring (the socket closes): sends `MONITOR_STOPPED`.
    pub(crate) fn stop(&self) {
        if let Some(previous) = self.active.lock().take() {
            stopped(&previous);
        }
    }

    /// Whether a monitor is running and takes `event`.
    pub(crate) fn wants(&self, event: u64) -> bool {
        self.active
            .lock()
            .as_ref()
            .is_some_and(|monitor| monitor.events & event != 0)
    }

    /// Reports `ZMQ_EVENT_PIPES_STATS` (version 2 monitors only): messages
    /// queued towards the peer and from it.
    pub(crate) fn emit_pipes_stats(&self, outbound: u64, inbound: u64, local: &str, remote: &str) {
        let guard = self.active.lock();
        if let Some(monitor) = guard.as_ref()
            && monitor.version == 2
            && monitor.events & EVENT_PIPES_STATS != 0
        {
            // Dropped when the monitor is full, as every event.
            let _ = send_v2_values(
                &monitor.socket,
                EVENT_PIPES_STATS,
                &[outbound, inbound],
                local,
                remote,
            );
        }
    }

    /// Reports an event if it is monitored.
    pub(crate) fn emit(&self, event: Event<'_>) {
        let guard = self.active.lock();
        if let Some(monitor) = guard.as_ref()
            && monitor.events & event.id != 0
        {
            send_event(monitor, event);
        }
    }
}

fn stopped(monitor: &ActiveMonitor) {
    if monitor.events & EVENT_MONITOR_STOPPED != 0 {
        send_event(
            monitor,
            Event {
                id: EVENT_MONITOR_STOPPED,
                value: 0,
                local: "",
                remote: "",
                bound: true,
            },
        );
    }
}

fn send_event(monitor: &ActiveMonitor, event: Event<'_>) {
    // Events never block the socket: a full monitor drops them.
    let _ = match monitor.version {
        1 => send_v1(&monitor.socket, event),
        2 => send_v2(&monitor.socket, event),
        // libzmq accepts other versions and sends nothing for them.
        _ => Ok(()),
    };
}

fn send_v1(socket: &Socket, event: Event<'_>) -> Result<()> {
    let mut head = [0u8; 6];
    // Version 1 carries 16-bit ids and 32-bit values, truncated as libzmq.
    head[..2].copy_from_slice(&(event.id as u16).to_ne_bytes());
    head[2..].copy_from_slice(&(event.value as u32).to_ne_bytes());
    socket.send(Message::from_slice(&head), SNDMORE | DONTWAIT)?;
    let endpoint = if event.bound {
        event.local
    } else {
        event.remote
    };
    socket.send(endpoint, DONTWAIT)
}

fn send_v2(socket: &Socket, event: Event<'_>) -> Result<()> {
    send_v2_values(socket, event.id, &[event.value], event.local, event.remote)
}

/// A version-2 event: `[u64 event]`, `[u64 count]`, `count` `[u64]`
/// value frames, the local endpoint, the remote endpoint.
fn send_v2_values(
    socket: &Socket,
    id: u64,
    values: &[u64],
    local: &str,
    remote: &str,
) -> Result<()> {
    socket.send(&id.to_ne_bytes(), SNDMORE | DONTWAIT)?;
    socket.send(&(values.len() as u64).to_ne_bytes(), SNDMORE | DONTWAIT)?;
    for value in values {
        socket.send(&value.to_ne_bytes(), SNDMORE | DONTWAIT)?;
    }
    socket.send(local, SNDMORE | DONTWAIT)?;
    socket.send(remote, DONTWAIT)
}

/// A version-2 event read from a monitor socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventV2 {
    /// The event (`EVENT_*`).
    pub event: u64,
    /// Its values (one for most events; `EVENT_PIPES_STATS` has two).
    pub values: Vec<u64>,
    /// The local endpoint (may be empty).
    pub local: String,
    /// The remote endpoint (may be empty).
    pub remote: String,
}

/// Parses the frames of a version-2 event; `None` if they are not one.
pub fn parse_event_v2(parts: &[Vec<u8>]) -> Option<EventV2> {
    let (event, rest) = parts.split_first()?;
    let (count, rest) = rest.split_first()?;
    let event = u64::from_ne_bytes(event.as_slice().try_into().ok()?);
    let count = usize::try_from(u64::from_ne_bytes(count.as_slice().try_into().ok()?)).ok()?;
    if rest.len() != count.checked_add(2)? {
        return None;
    }
    let (values, endpoints) = rest.split_at(count);
    let values = values
        .iter()
        .map(|v| Some(u64::from_ne_bytes(v.as_slice().try_into().ok()?)))
        .collect::<Option<Vec<u64>>>()?;
    let [local, remote] = endpoints else {
        return None;
    };
    Some(EventV2 {
        event,
        values,
        local: String::from_utf8_lossy(local).into_owned(),
        remote: String::from_utf8_lossy(remote).into_owned(),
    })
}

/// A version-1 event read from a monitor socket: (event, value, endpoint).
pub fn parse_event_v1(parts: &[Vec<u8>]) -> Option<(u16, u32, String)> {
    let [head, endpoint] = parts else {
        return None;
    };
    let head: &[u8; 6] = head.as_slice().try_into().ok()?;
    let event = u16::from_ne_bytes([head[0], head[1]]);
    let value = u32::from_ne_bytes([head[2], head[3], head[4], head[5]]);
    Some((event, value, String::from_utf8_lossy(endpoint).into_owned()))
}
