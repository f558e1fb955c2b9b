//! `HandlerSlots`: the reactor's handlers, indexed by slot, with
//! generations so that stale ids and stale events are recognised.

use std::os::fd::RawFd;

use super::handler::{EventHandler, HandlerId, Interest};

/// One handler's place.
pub struct Slot<C> {
    generation: u32,
    live: bool,
    /// `None` while the handler runs (taken out) or after removal.
    handler: Option<Box<dyn EventHandler<C>>>,
    /// The registered descriptor, if any.
    pub fd: Option<RawFd>,
    /// Its current interest.
    pub interest: Interest,
}

/// The handlers of one reactor.
pub struct HandlerSlots<C> {
    slots: Vec<Slot<C>>,
    /// Slots free for reuse.
    free: Vec<u32>,
    /// Slots removed during this turn: reused only from the next turn, so
    /// readiness already collected for them reaches nobody.
    removed: Vec<u32>,
    live: usize,
}

impl<C> HandlerSlots<C> {
    /// No handler.
    pub fn new() -> HandlerSlots<C> {
        HandlerSlots {
            slots: Vec::new(),
            free: Vec::new(),
            removed: Vec::new(),
            live: 0,
        }
    }

    /// Number of live handlers.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether there is no live handler.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Stores a handler and returns its id.
    pub fn insert(&mut self, handler: Box<dyn EventHandler<C>>) -> HandlerId {
        self.live += 1;
        if let Some(index) = self.free.pop()
            && let Some(slot) = self.slots.get_mut(index as usize)
        {
            slot.live = true;
            slot.handler = Some(handler);
            slot.fd = None;
            slot.interest = Interest::NONE;
            return HandlerId {
                index,
                generation: slot.generation,
            };
        }
        // Slot indexes are poller keys; u32 keeps ids small. Four billion
        // handlers do not fit in memory anyway.
        let index = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push(Slot {
            generation: 0,
            live: true,
            handler: Some(handler),
            fd: None,
            interest: Interest::NONE,
        });
        HandlerId {
            index,
            generation: 0,
        }
    }

    /// The live slot of `id`.
    pub fn live(&self, id: HandlerId) -> Option<&Slot<C>> {
        self.slots
            .get(id.index as usize)
            .filter(|slot| slot.live && slot.generation == id.generation)
    }

    /// The live slot of `id`, mutably.
    pub fn live_mut(&mut self, id: HandlerId) -> Option<&mut Slot<C>> {
        self.slots
            .get_mut(id.index as usize)
            .filter(|slot| slot.live && slot.generation == id.generation)
    }

    /// The id of the live handler at `index` (a poller key).
    pub fn id_at(&self, index: usize) -> Option<HandlerId> {
        let slot = self.slots.get(index).filter(|slot| slot.live)?;
        Some(HandlerId {
            index: u32::try_from(index).ok()?,
            generation: slot.generation,
        })
    }

    /// Takes the handler out to run it; `None` if gone or already running.
    pub fn take(&mut self, id: HandlerId) -> Option<Box<dyn EventHandler<C>>> {
        self.live_mut(id)?.handler.take()
    }

    /// Returns a handler after it ran; drops it if it was removed meanwhile.
    pub fn put_back(&mut self, id: HandlerId, handler: Box<dyn EventHandler<C>>) {
        if let Some(slot) = self.live_mut(id) {
            slot.handler = Some(handler);
        }
    }

    /// Marks `id` removed and gives its handler back (`None` while it runs;
    /// `put_back` then drops it).
    pub fn remove(&mut self, id: HandlerId) -> Option<Box<dyn EventHandler<C>>> {
        let slot = self.live_mut(id)?;
        slot.live = false;
        slot.generation = slot.generation.wrapping_add(1);
        slot.fd = None;
        slot.interest = Interest::NONE;
        let handler = slot.handler.take();
        self.live -= 1;
        self.removed.push(id.index);
        handler
    }

    /// Makes the slots removed during this turn reusable.
    pub fn release_removed(&mut self) {
        self.free.append(&mut self.removed);
    }

    /// Descriptors still registered.
    pub fn registered_fds(&self) -> impl Iterator<Item = RawFd> + '_ {
        self.slots
            .iter()
            .filter(|slot| slot.live)
            .filter_map(|slot| slot.fd)
    }
}

impl<C> Default for HandlerSlots<C> {
    fn default() -> Self {
        HandlerSlots::new()
    }
}
