//! What lives on a reactor: event handlers, their ids and their interest.

use super::Reactor;

/// Names a handler registered with one reactor. Stale ids (of a removed
/// handler) are recognised and ignored, even when the slot is reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HandlerId {
    pub(super) index: u32,
    pub(super) generation: u32,
}

/// Names a timer of one reactor; never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(pub(super) u64);

/// Which readiness of its descriptor a handler wants to hear about.
///
/// The reactor polls level-triggered, as libzmq does: a handler that keeps
/// write interest on a writable socket is called on every turn, so it turns
/// write interest off when it has nothing to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Interest {
    /// Call `on_readable` when the descriptor is readable (or hung up).
    pub readable: bool,
    /// Call `on_writable` when the descriptor is writable.
    pub writable: bool,
}

impl Interest {
    /// Neither.
    pub const NONE: Interest = Interest {
        readable: false,
        writable: false,
    };
    /// Readable only.
    pub const READ: Interest = Interest {
        readable: true,
        writable: false,
    };
    /// Writable only.
    pub const WRITE: Interest = Interest {
        readable: false,
        writable: true,
    };
    /// Both.
    pub const BOTH: Interest = Interest {
        readable: true,
        writable: true,
    };
}

/// An object living on a reactor's thread: a listener, a connecter, an
/// engine, a session. Every callback gets the reactor (to change interest,
/// set timers, add or remove handlers, itself included) and its own id.
///
/// `C` is the type of command other threads address to handlers.
pub trait EventHandler<C> {
    /// The registered descriptor is readable, or hung up or in error.
    fn on_readable(&mut self, reactor: &mut Reactor<C>, id: HandlerId) {
        let _ = (reactor, id);
    }

    /// The registered descriptor is writable.
    fn on_writable(&mut self, reactor: &mut Reactor<C>, id: HandlerId) {
        let _ = (reactor, id);
    }

    /// A timer set with [`Reactor::add_timer`] expired.
    fn on_timer(&mut self, reactor: &mut Reactor<C>, id: HandlerId, timer: TimerId) {
        let _ = (reactor, id, timer);
    }

    /// One of this handler's callbacks panicked. Return `true` after
    /// bringing the handler to a state it can go on from (for a session:
    /// its connection closed as after a failure), `false` to have the
    /// reactor remove and drop it (the default). A panic here removes it.
    fn on_panicked(&mut self, reactor: &mut Reactor<C>, id: HandlerId) -> bool {
        let _ = (reactor, id);
        false
    }

    /// A command sent with [`ReactorHandle::deliver`](super::ReactorHandle::deliver).
    fn on_command(&mut self, reactor: &mut Reactor<C>, id: HandlerId, command: C) {
        let _ = (reactor, id, command);
    }
}
