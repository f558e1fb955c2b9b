//! The queue under each direction of a pipe: a lock-free [`ypipe`] queue,
//! or for `ZMQ_CONFLATE` a single slot that keeps only the newest message
//! (libzmq's `ypipe_conflate` over a double buffer).

use std::sync::Arc;

use parking_lot::Mutex;
use zmq_patterns::Msg;

use super::ypipe::{self, Reader, Writer};

/// What travels through a pipe: message parts, then one delimiter.
pub(super) enum PipeItem {
    Msg(Msg),
    Delimiter,
}

/// What the reader would get next, without taking it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    Msg,
    Delimiter,
}

#[derive(Default)]
struct SlotState {
    item: Option<PipeItem>,
    /// The reader found the slot empty and waits for a wake-up.
    reader_asleep: bool,
}

/// The conflating slot shared by a writer and a reader.
#[derive(Default)]
pub(super) struct Slot {
    state: Mutex<SlotState>,
}

/// The reading side of one direction.
pub(super) enum Inbound {
    Queue(Reader<PipeItem>),
    Slot(Arc<Slot>),
}

/// The writing side of one direction.
pub(super) enum Outbound {
    Queue(Writer<PipeItem>),
    /// The slot, and the item written but not flushed yet.
    Slot(Arc<Slot>, Option<PipeItem>),
}

/// One direction: a queue, or a conflating slot.
pub(super) fn channel(conflate: bool) -> (Outbound, Inbound) {
    if conflate {
        let slot = Arc::new(Slot::default());
        (Outbound::Slot(Arc::clone(&slot), None), Inbound::Slot(slot))
    } else {
        let (writer, reader) = ypipe::channel();
        (Outbound::Queue(writer), Inbound::Queue(reader))
    }
}

impl Inbound {
    /// Takes the next item; `None` when empty (the reader is then asleep
    /// until a flush wakes it).
    pub(super) fn read(&mut self) -> Option<PipeItem> {
        match self {
            Inbound::Queue(reader) => reader.read(),
            Inbound::Slot(slot) => {
                let mut state = slot.state.lock();
                let item = state.item.take();
                if item.is_none() {
                    state.reader_asleep = true;
                }
                item
            }
        }
    }

    /// What comes next, if anything (an empty answer puts the reader to
    /// sleep as `read` does).
    pub(super) fn peek(&mut self) -> Option<Next> {
        let kind = |item: &PipeItem| match item {
            PipeItem::Msg(_) => Next::Msg,
            PipeItem::Delimiter => Next::Delimiter,
        };
        match self {
            Inbound::Queue(reader) => reader.peek().map(kind),
            Inbound::Slot(slot) => {
                let mut state = slot.state.lock();
                let next = state.item.as_ref().map(kind);
                if next.is_none() {
                    state.reader_asleep = true;
                }
                next
            }
        }
    }
}

impl Outbound {
    /// Writes an item, visible to the reader after `flush`. `incomplete`:
    /// more parts of the same message follow. A slot keeps only the newest
    /// item (conflation is defined for single-part messages only).
    pub(super) fn write(&mut self, item: PipeItem, incomplete: bool) {
        match self {
            Outbound::Queue(writer) => writer.write(item, incomplete),
            Outbound::Slot(_, pending) => *pending = Some(item),
        }
    }

    /// Takes back the newest unflushed item.
    pub(super) fn unwrite(&mut self) -> Option<PipeItem> {
        match self {
            Outbound::Queue(writer) => writer.unwrite(),
            Outbound::Slot(_, pending) => pending.take(),
        }
    }

    /// Publishes what was written; `false` when the reader was asleep and
    /// must be woken (exactly once).
    pub(super) fn flush(&mut self) -> bool {
        match self {
            Outbound::Queue(writer) => writer.flush(),
            Outbound::Slot(slot, pending) => {
                let Some(item) = pending.take() else {
                    return true;
                };
                let mut state = slot.state.lock();
                // Nothing replaces a delimiter: the writer is closing.
                if !matches!(state.item, Some(PipeItem::Delimiter)) {
                    state.item = Some(item);
                }
                !std::mem::replace(&mut state.reader_asleep, false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(data: &[u8]) -> PipeItem {
        PipeItem::Msg(Msg::from_slice(data))
    }

    fn data(item: Option<PipeItem>) -> Option<Vec<u8>> {
        match item? {
            PipeItem::Msg(m) => Some(m.data().to_vec()),
            PipeItem::Delimiter => None,
        }
    }

    #[test]
    fn slot_keeps_only_the_newest() {
        let (mut out, mut inb) = channel(true);
        assert!(inb.read().is_none());
        out.write(msg(b"1"), false);
        // The reader was asleep: the first flush asks for a wake-up.
        assert!(!out.flush());
        out.write(msg(b"2"), false);
        assert!(out.flush());
        out.write(msg(b"3"), false);
        assert!(out.flush());
        assert_eq!(data(inb.read()), Some(b"3".to_vec()));
        assert!(inb.read().is_none());
    }

    #[test]
    fn slot_unwrite_and_delimiter() {
        let (mut out, mut inb) = channel(true);
        out.write(msg(b"gone"), false);
        assert!(out.unwrite().is_some());
        assert!(out.flush());
        assert!(inb.peek().is_none());
        out.write(PipeItem::Delimiter, false);
        assert!(!out.flush());
        out.write(msg(b"late"), false);
        out.flush();
        assert!(matches!(inb.peek(), Some(Next::Delimiter)));
    }
}
