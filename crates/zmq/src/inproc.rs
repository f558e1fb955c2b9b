//! inproc: sockets of one context joined by a pipe pair, with no I/O
//! thread and no copy on the data path.
//!
//! A bound name maps to the binding socket's mailbox and settings. A
//! connect to a bound name makes the pipe pair at once: the connecting
//! socket attaches its end, and the other end is sent to the binder. A
//! connect before the bind also makes the pair and attaches its end (so
//! sends queue at once, as in libzmq); the other end waits here for the
//! bind. As in libzmq the high-water mark of each direction is the sum of
//! the sender's SNDHWM and the receiver's RCVHWM (0 on either side:
//! unlimited), and routing ids travel in band.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use zmq_patterns::{Msg, MsgFlags, Pipe, SocketType};

use crate::pipe::{PipeEnd, PipeEndConfig, PipeEvent, PipeEvents, pipe_pair, pipe_pair_with};
use crate::pipe_target::PipeTarget;
use crate::socket::{SocketCommand, SocketMailbox};

/// What a binder or connecter contributes to a new pipe pair.
#[derive(Clone)]
pub(crate) struct InprocPeer {
    pub(crate) socket_id: u64,
    pub(crate) kind: SocketType,
    pub(crate) mailbox: Arc<SocketMailbox>,
    pub(crate) sndhwm: i32,
    pub(crate) rcvhwm: i32,
    pub(crate) routing_id: bytes::Bytes,
    /// The socket's effective `ZMQ_CONFLATE` (only the connecter's
    /// counts, as in libzmq).
    pub(crate) conflate: bool,
    /// `ZMQ_HELLO_MSG`, when set and the socket type sends one.
    pub(crate) hello_msg: Option<bytes::Bytes>,
    /// `ZMQ_DISCONNECT_MSG`, when set and the socket type receives one.
    pub(crate) disconnect_msg: Option<bytes::Bytes>,
}

struct PendingConnect {
    connecter: InprocPeer,
    /// The connecter's own end's id.
    connecter_pipe: zmq_patterns::PipeId,
    /// The binder's future end, with its notifications parked.
    bind_end: PipeEnd,
    bind_target: Arc<PipeTarget>,
    /// Where the binder's disconnect message goes for the connecter's end.
    disconnect_msg: Arc<OnceLock<bytes::Bytes>>,
}

#[derive(Default)]
struct State {
    bound: HashMap<String, InprocPeer>,
    pending: HashMap<String, Vec<PendingConnect>>,
    /// The context terminates: connects no longer wait for a bind.
    terminating: bool,
}

/// The inproc name a ZAP handler binds (`inproc://zeromq.zap.01`).
pub(crate) const ZAP_HANDLER_NAME: &str = "zeromq.zap.01";

/// The context's inproc names.
#[derive(Default)]
pub(crate) struct InprocRegistry {
    state: Mutex<State>,
}

/// HWM of one direction: the sender's SNDHWM plus the receiver's RCVHWM,
/// unlimited (0) if either is.
fn sum_hwm(sndhwm: i32, rcvhwm: i32) -> usize {
    if sndhwm <= 0 || rcvhwm <= 0 {
        0
    } else {
        (sndhwm as usize).saturating_add(rcvhwm as usize)
    }
}

/// A high-water mark option as a pipe limit (0 and below: unlimited).
fn own_hwm(value: i32) -> usize {
    usize::try_from(value).unwrap_or(0)
}

fn routing_id_msg(routing_id: &bytes::Bytes) -> Msg {
    let mut msg = Msg::from_slice(routing_id);
    msg.set_flags(MsgFlags::ROUTING_ID);
    msg
}

/// Writes `hello` (a `ZMQ_HELLO_MSG`) into `end` and flushes.
fn send_hello(end: &mut PipeEnd, hello: &Option<bytes::Bytes>) {
    if let Some(hello) = hello {
        let _ = end.write(Msg::from_bytes(hello.clone()));
        end.flush();
    }
}

/// A disconnect-message cell holding `msg`, if any.
fn disconnect_cell(msg: &Option<bytes::Bytes>) -> Arc<OnceLock<bytes::Bytes>> {
    let cell = OnceLock::new();
    if let Some(msg) = msg {
        let _ = cell.set(msg.clone());
    }
    Arc::new(cell)
}

/// The result of a connect.
pub(crate) struct Connected {
    /// The connecter's end, to attach now.
    pub(crate) end: PipeEnd,
}

impl InprocRegistry {
    /// Binds `name` for `binder`; `Err(())` if it is taken. Returns the
    /// pipes of connects that were waiting for this name, to attach.
    #[allow(clippy::result_unit_err)]
    pub(crate) fn bind(&self, name: &str, binder: InprocPeer) -> Result<Vec<PipeEnd>, ()> {
        let mut state = self.state.lock();
        if state.bound.contains_key(name) {
            return Err(());
        }
        state.bound.insert(name.to_owned(), binder.clone());
        let pending = state.pending.remove(name).unwrap_or_default();
        drop(state);
        let mut ends = Vec::with_capacity(pending.len());
        for mut p in pending {
            let connecter = &p.connecter;
            // The connecter queued its routing id first (unless its pipe
            // conflates, where a later message would replace it); drop it
            // if the binder does not want it.
            if !binder.kind.wants_routing_id() && !connecter.conflate {
                let _ = p.bind_end.read();
            }
            // The marks of both ends, now that both sockets are known
            // (libzmq's `connect_inproc_sockets`); the connecter's end
            // learns them through its mailbox.
            if !connecter.conflate {
                p.bind_end
                    .set_hwms_boost(connecter.sndhwm, connecter.rcvhwm);
                p.bind_end.set_hwms(binder.rcvhwm, binder.sndhwm);
                p.bind_end.send_hwms_to_peer(
                    connecter.rcvhwm,
                    connecter.sndhwm,
                    Some((binder.sndhwm, binder.rcvhwm)),
                );
            }
            if let Some(msg) = &binder.disconnect_msg {
                let _ = p.disconnect_msg.set(msg.clone());
            }
            if connecter.kind.wants_routing_id() {
                let _ = p.bind_end.write(routing_id_msg(&binder.routing_id));
                p.bind_end.flush();
            }
            send_hello(&mut p.bind_end, &binder.hello_msg);
            // Marks the connecter changed before the bind were parked for
            // this end; the bind's marks (set above) win, as in libzmq.
            p.bind_target
                .discard_queued(|event| matches!(event, PipeEvent::Hwms { .. }));
            let owner: Arc<dyn PipeEvents> = binder.mailbox.clone();
            p.bind_target.set_owner(owner);
            ends.push(p.bind_end);
        }
        Ok(ends)
    }

    /// Whether `name` is bound now.
    pub(crate) fn is_bound(&self, name: &str) -> bool {
        self.state.lock().bound.contains_key(name)
    }

    /// Connects an I/O-thread object (a session asking ZAP) to the socket
    /// bound at `name`: returns its end of a new pipe pair (with no HWM, as
    /// libzmq's ZAP pipe), or `None` when nothing is bound there. The
    /// binder gets the other end, preceded by an empty routing id when it
    /// wants one (a ROUTER handler).
    pub(crate) fn connect_object(
        &self,
        name: &str,
        events: Arc<dyn PipeEvents>,
        ids: (zmq_patterns::PipeId, zmq_patterns::PipeId),
    ) -> Option<PipeEnd> {
        let binder = self.state.lock().bound.get(name).cloned()?;
        let (mut end, bind_end) = pipe_pair(
            PipeEndConfig {
                id: ids.0,
                events,
                in_hwm: 0,
                delay: false,
            },
            PipeEndConfig {
                id: ids.1,
                events: binder.mailbox.clone(),
                in_hwm: 0,
                delay: true,
            },
        );
        if binder.kind.wants_routing_id() {
            let _ = end.write(routing_id_msg(&bytes::Bytes::new()));
            end.flush();
        }
        binder.mailbox.send(SocketCommand::Attach {
            pipe: bind_end,
            endpoint: Arc::from(format!("inproc://{name}")),
            locally_initiated: false,
            connect_routing_id: None,
        });
        Some(end)
    }

    /// Removes the names bound by `socket_id` (close), or one name (unbind,
    /// `only`). Returns whether anything was removed.
    pub(crate) fn unbind(&self, socket_id: u64, only: Option<&str>) -> bool {
        let mut state = self.state.lock();
        let before = state.bound.len();
        state
            .bound
            .retain(|name, peer| !(peer.socket_id == socket_id && only.is_none_or(|n| n == name)));
        before != state.bound.len()
    }

    /// Connects `connecter` to `name` (bound or not yet). `endpoint` is the
    /// full endpoint text, for disconnect.
    pub(crate) fn connect(
        &self,
        name: &str,
        endpoint: &Arc<str>,
        connecter: InprocPeer,
        ids: (zmq_patterns::PipeId, zmq_patterns::PipeId),
    ) -> Connected {
        let mut state = self.state.lock();
        let binder = state.bound.get(name).cloned();
        let connecter_events: Arc<dyn PipeEvents> = connecter.mailbox.clone();
        match binder {
            Some(binder) => {
                drop(state);
                let (mut end, mut bind_end) = pipe_pair_with(
                    PipeEndConfig {
                        id: ids.0,
                        events: connecter_events,
                        in_hwm: sum_hwm(binder.sndhwm, connecter.rcvhwm),
                        delay: true,
                    },
                    PipeEndConfig {
                        id: ids.1,
                        events: binder.mailbox.clone(),
                        in_hwm: sum_hwm(connecter.sndhwm, binder.rcvhwm),
                        delay: true,
                    },
                    // Only the connecter's ZMQ_CONFLATE counts, as in
                    // libzmq (socket_base_t::connect: `conflates[2] =
                    // {conflate, conflate}` of the connecting socket).
                    connecter.conflate,
                );
                if !connecter.conflate {
                    end.set_hwms_boost(binder.sndhwm, binder.rcvhwm);
                    bind_end.set_hwms_boost(connecter.sndhwm, connecter.rcvhwm);
                }
                if binder.kind.wants_routing_id() {
                    let _ = end.write(routing_id_msg(&connecter.routing_id));
                    end.flush();
                }
                if connecter.kind.wants_routing_id() {
                    let _ = bind_end.write(routing_id_msg(&binder.routing_id));
                    bind_end.flush();
                }
                send_hello(&mut end, &connecter.hello_msg);
                send_hello(&mut bind_end, &binder.hello_msg);
                if binder.disconnect_msg.is_some() {
                    end.set_disconnect_msg(disconnect_cell(&binder.disconnect_msg));
                }
                binder.mailbox.send(SocketCommand::Attach {
                    pipe: bind_end,
                    endpoint: Arc::clone(endpoint),
                    locally_initiated: false,
                    connect_routing_id: None,
                });
                Connected { end }
            }
            None => {
                let bind_target = PipeTarget::new();
                let (mut end, bind_end) = pipe_pair_with(
                    PipeEndConfig {
                        id: ids.0,
                        events: connecter_events,
                        // Until the bind: the connecter's marks alone.
                        in_hwm: own_hwm(connecter.rcvhwm),
                        delay: true,
                    },
                    PipeEndConfig {
                        id: ids.1,
                        events: bind_target.clone(),
                        in_hwm: own_hwm(connecter.sndhwm),
                        delay: true,
                    },
                    connecter.conflate,
                );
                if !connecter.conflate {
                    let _ = end.write(routing_id_msg(&connecter.routing_id));
                    end.flush();
                }
                send_hello(&mut end, &connecter.hello_msg);
                let disconnect_msg = disconnect_cell(&None);
                end.set_disconnect_msg(Arc::clone(&disconnect_msg));
                let pending = PendingConnect {
                    connecter,
                    connecter_pipe: ids.0,
                    bind_end,
                    bind_target,
                    disconnect_msg,
                };
                if state.terminating {
                    // Nothing will bind now: the pipe closes at once.
                    drop(state);
                    drop(pending);
                } else {
                    state
                        .pending
                        .entry(name.to_owned())
                        .or_default()
                        .push(pending);
                }
                Connected { end }
            }
        }
    }

    /// The context terminates: drops every connect still waiting for a
    /// bind (their connecters see the pipes close) and makes later
    /// connects to unbound names close at once.
    pub(crate) fn terminate(&self) {
        let pending = {
            let mut state = self.state.lock();
            state.terminating = true;
            std::mem::take(&mut state.pending)
        };
        drop(pending);
    }

    /// Drops connects of `socket_id` still waiting for a bind (the
    /// connecting socket closes) and returns the ids of the connecter's
    /// ends, whose peers are gone without a termination handshake.
    pub(crate) fn forget_pending(&self, socket_id: u64) -> Vec<zmq_patterns::PipeId> {
        let mut state = self.state.lock();
        let mut forgotten = Vec::new();
        for list in state.pending.values_mut() {
            list.retain(|p| {
                let mine = p.connecter.socket_id == socket_id;
                if mine {
                    forgotten.push(p.connecter_pipe);
                }
                !mine
            });
        }
        state.pending.retain(|_, list| !list.is_empty());
        forgotten
    }
}
