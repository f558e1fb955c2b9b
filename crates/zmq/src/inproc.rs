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
use std::sync::Arc;

use parking_lot::Mutex;
use zmq_patterns::{Msg, MsgFlags, Pipe, SocketKind};

use crate::pipe::{PipeEnd, PipeEndConfig, PipeEvents, pipe_pair, pipe_pair_with};
use crate::pipe_target::PipeTarget;
use crate::socket::{SocketCommand, SocketMailbox};

/// What a binder or connecter contributes to a new pipe pair.
#[derive(Clone)]
pub(crate) struct InprocPeer {
    pub(crate) socket_id: u64,
    pub(crate) kind: SocketKind,
    pub(crate) mailbox: Arc<SocketMailbox>,
    pub(crate) sndhwm: i32,
    pub(crate) rcvhwm: i32,
    pub(crate) routing_id: bytes::Bytes,
    /// The socket's effective `ZMQ_CONFLATE` (the connecter's decides).
    pub(crate) conflate: bool,
}

struct PendingConnect {
    connecter: InprocPeer,
    /// The connecter's own end's id.
    connecter_pipe: zmq_patterns::PipeId,
    /// The binder's future end, with its notifications parked.
    bind_end: PipeEnd,
    bind_target: Arc<PipeTarget>,
}

#[derive(Default)]
struct State {
    bound: HashMap<String, InprocPeer>,
    pending: HashMap<String, Vec<PendingConnect>>,
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

fn routing_id_msg(routing_id: &bytes::Bytes) -> Msg {
    let mut msg = Msg::from_slice(routing_id);
    msg.set_flags(MsgFlags::ROUTING_ID);
    msg
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
            // The connecter queued its routing id first (unless its pipe
            // conflates, where a later message would replace it); drop it
            // if the binder does not want it, and send ours if it wants one.
            if !binder.kind.wants_routing_id() && !p.connecter.conflate {
                let _ = p.bind_end.read();
            }
            if p.connecter.kind.wants_routing_id() {
                let _ = p.bind_end.write(routing_id_msg(&binder.routing_id));
                p.bind_end.flush();
            }
            if !p.connecter.conflate {
                p.bind_end.set_hwms(
                    sum_hwm(p.connecter.sndhwm, binder.rcvhwm),
                    sum_hwm(binder.sndhwm, p.connecter.rcvhwm),
                );
            }
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
                    connecter.conflate || binder.conflate,
                );
                if binder.kind.wants_routing_id() {
                    let _ = end.write(routing_id_msg(&connecter.routing_id));
                    end.flush();
                }
                if connecter.kind.wants_routing_id() {
                    let _ = bind_end.write(routing_id_msg(&binder.routing_id));
                    bind_end.flush();
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
                        // Unknown until the bind: the connecter's side alone.
                        in_hwm: sum_hwm(connecter.rcvhwm, connecter.rcvhwm),
                        delay: true,
                    },
                    PipeEndConfig {
                        id: ids.1,
                        events: bind_target.clone(),
                        in_hwm: sum_hwm(connecter.sndhwm, connecter.sndhwm),
                        delay: true,
                    },
                    connecter.conflate,
                );
                if !connecter.conflate {
                    let _ = end.write(routing_id_msg(&connecter.routing_id));
                    end.flush();
                }
                state
                    .pending
                    .entry(name.to_owned())
                    .or_default()
                    .push(PendingConnect {
                        connecter,
                        connecter_pipe: ids.0,
                        bind_end,
                        bind_target,
                    });
                Connected { end }
            }
        }
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
