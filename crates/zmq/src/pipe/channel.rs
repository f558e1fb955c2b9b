//! The queue under each direction of a pipe: a lock-free [`ypipe`] queue,
//! or for `ZMQ_CONFLATE` a single slot that keeps only the newest message
//! (libzmq's `ypipe_conflate` over a double buffer).
//!
//! Connection metadata travels as an item of its own, written once per
//! connection before its first message: the reading side keeps it and
//! attaches it to each message it hands out that has none. So the reference
//! count of the metadata is touched by the reading thread only, not once
//! per message by both threads (a cache line bouncing between cores).

use std::sync::Arc;

use parking_lot::Mutex;
use zmq_patterns::{Metadata, Msg};

use super::ypipe::{self, Reader, Writer};

/// What travels through a pipe: message parts, then one delimiter.
pub(super) enum PipeItem {
    Msg(Msg),
    Delimiter,
    /// The metadata of the messages that follow (a new connection).
    Metadata(Arc<Metadata>),
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
    /// The metadata of the connection writing.
    metadata: Option<Arc<Metadata>>,
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
    /// The queue, and the metadata of the messages read from it now.
    Queue(Reader<PipeItem>, Option<Arc<Metadata>>),
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
        (Outbound::Queue(writer), Inbound::Queue(reader, None))
    }
}

impl Inbound {
    /// Takes the next item; `None` when empty (the reader is then asleep
    /// until a flush wakes it).
    ///
    /// Metadata items are taken in passing; a message without metadata
    /// gets the latest.
    pub(super) fn read(&mut self) -> Option<PipeItem> {
        match self {
            Inbound::Queue(reader, metadata) => loop {
                match reader.read()? {
                    PipeItem::Metadata(newer) => *metadata = Some(newer),
                    PipeItem::Msg(msg) => return Some(PipeItem::Msg(with_metadata(msg, metadata))),
                    delimiter => return Some(delimiter),
                }
            },
            Inbound::Slot(slot) => {
                let mut state = slot.state.lock();
                let item = state.item.take();
                if item.is_none() {
                    state.reader_asleep = true;
                }
                match item {
                    Some(PipeItem::Msg(msg)) => {
                        Some(PipeItem::Msg(with_metadata(msg, &state.metadata)))
                    }
                    other => other,
                }
            }
        }
    }

    /// What comes next, if anything (an empty answer puts the reader to
    /// sleep as `read` does).
    pub(super) fn peek(&mut self) -> Option<Next> {
        let kind = |item: &PipeItem| match item {
            PipeItem::Msg(_) | PipeItem::Metadata(_) => Next::Msg,
            PipeItem::Delimiter => Next::Delimiter,
        };
        match self {
            Inbound::Queue(reader, metadata) => loop {
                match reader.peek()? {
                    PipeItem::Metadata(_) => {
                        if let Some(PipeItem::Metadata(newer)) = reader.read() {
                            *metadata = Some(newer);
                        }
                    }
                    item => return Some(kind(item)),
                }
            },
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

    /// Writes the metadata of the messages that follow (visible with the
    /// next flush). Call it between messages, never inside a multipart
    /// one.
    pub(super) fn write_metadata(&mut self, metadata: Arc<Metadata>) {
        match self {
            Outbound::Queue(writer) => {
                // Inside a message it goes out with the message's end.
                let incomplete = writer.has_incomplete();
                writer.write(PipeItem::Metadata(metadata), incomplete);
            }
            // A slot keeps one item: the metadata has its own place.
            Outbound::Slot(slot, _) => slot.state.lock().metadata = Some(metadata),
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

/// `msg`, with `metadata` attached unless it has its own.
fn with_metadata(mut msg: Msg, metadata: &Option<Arc<Metadata>>) -> Msg {
    if msg.metadata().is_none() && metadata.is_some() {
        msg.set_metadata(metadata.clone());
    }
    msg
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
            PipeItem::Delimiter | PipeItem::Metadata(_) => None,
        }
    }

    fn metadata_of(item: Option<PipeItem>) -> Option<Vec<u8>> {
        match item? {
            PipeItem::Msg(m) => m.metadata()?.get("Peer").map(|v| v.to_vec()),
            _ => None,
        }
    }

    fn peer(name: &'static [u8]) -> Arc<Metadata> {
        let mut metadata = Metadata::new();
        metadata.insert("Peer", bytes::Bytes::from_static(name));
        Arc::new(metadata)
    }

    #[test]
    fn metadata_items_attach_to_the_messages_after_them() {
        for conflate in [false, true] {
            let (mut out, mut inb) = channel(conflate);
            out.write(msg(b"before"), false);
            out.flush();
            assert_eq!(metadata_of(inb.read()), None, "conflate {conflate}");
            out.write_metadata(peer(b"a"));
            out.write(msg(b"1"), false);
            out.flush();
            assert!(matches!(inb.peek(), Some(Next::Msg)));
            assert_eq!(metadata_of(inb.read()), Some(b"a".to_vec()));
            // A message with metadata of its own keeps it.
            let mut own = Msg::from_slice(b"own");
            own.set_metadata(Some(peer(b"own")));
            out.write(PipeItem::Msg(own), false);
            out.flush();
            assert_eq!(metadata_of(inb.read()), Some(b"own".to_vec()));
            // A newer connection's metadata replaces the old.
            out.write_metadata(peer(b"b"));
            out.write(msg(b"2"), false);
            out.flush();
            assert_eq!(metadata_of(inb.read()), Some(b"b".to_vec()));
        }
    }

    #[test]
    fn metadata_inside_a_multipart_message_waits_for_its_end() {
        let (mut out, mut inb) = channel(false);
        out.write(msg(b"part"), true);
        out.write_metadata(peer(b"a"));
        out.flush();
        assert!(inb.peek().is_none(), "nothing complete yet");
        assert!(out.unwrite().is_some(), "the metadata is incomplete too");
        assert!(out.unwrite().is_some());
        out.write(msg(b"whole"), false);
        out.flush();
        assert_eq!(data(inb.read()), Some(b"whole".to_vec()));
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
