//! `PipeTarget`: pipe notifications for an owner that is not known yet.
//!
//! A pipe pair is made before the owner of one of its ends exists or is
//! known: the far end of an inproc connect made before the bind, or the end
//! a session on an I/O thread will hold. Notifications for that end are
//! queued here until the owner's [`PipeEvents`] is set, then forwarded.

use std::sync::Arc;

use parking_lot::Mutex;
use zmq_patterns::PipeId;

use crate::pipe::{PipeEvent, PipeEvents};

#[derive(Default)]
struct TargetState {
    owner: Option<Arc<dyn PipeEvents>>,
    queued: Vec<(PipeId, PipeEvent)>,
}

/// Forwards pipe notifications to an owner set later.
#[derive(Default)]
pub struct PipeTarget {
    state: Mutex<TargetState>,
}

impl PipeTarget {
    /// A target with no owner yet.
    pub fn new() -> Arc<PipeTarget> {
        Arc::new(PipeTarget::default())
    }

    /// Sets the owner and hands it every notification queued so far.
    pub fn set_owner(&self, owner: Arc<dyn PipeEvents>) {
        let queued = {
            let mut state = self.state.lock();
            state.owner = Some(Arc::clone(&owner));
            std::mem::take(&mut state.queued)
        };
        for (pipe, event) in queued {
            owner.notify(pipe, event);
        }
    }
}

impl PipeTarget {
    /// Drops the queued notifications that `unwanted` picks (before the
    /// owner is set).
    pub fn discard_queued(&self, unwanted: impl Fn(&PipeEvent) -> bool) {
        self.state
            .lock()
            .queued
            .retain(|(_, event)| !unwanted(event));
    }
}

impl PipeEvents for PipeTarget {
    fn notify(&self, pipe: PipeId, event: PipeEvent) {
        let owner = {
            let mut state = self.state.lock();
            match &state.owner {
                Some(owner) => Arc::clone(owner),
                None => {
                    state.queued.push((pipe, event));
                    return;
                }
            }
        };
        owner.notify(pipe, event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Record(Mutex<Vec<(PipeId, PipeEvent)>>);

    impl PipeEvents for Record {
        fn notify(&self, pipe: PipeId, event: PipeEvent) {
            self.0.lock().push((pipe, event));
        }
    }

    #[test]
    fn queues_until_owner_then_forwards() {
        let target = PipeTarget::new();
        target.notify(PipeId(1), PipeEvent::ActivateRead);
        let record = Arc::new(Record::default());
        target.set_owner(record.clone());
        target.notify(PipeId(1), PipeEvent::Term);
        assert_eq!(
            *record.0.lock(),
            vec![
                (PipeId(1), PipeEvent::ActivateRead),
                (PipeId(1), PipeEvent::Term)
            ]
        );
    }
}
