//! Loom models of the ypipe: every interleaving (up to the preemption
//! bound, `LOOM_MAX_PREEMPTIONS`, 3 unless set) of a writer thread's
//! write / flush and a reader thread's read / check_read / peek.
//!
//! Checked in each: no lost wake-up (a reader that went to sleep blocks
//! until the writer's flush reports it asleep and wakes it: a missed one
//! is a deadlock loom reports), no spurious one (wake-ups = sleeps), every
//! item read exactly once in FIFO order, the slot accesses ordered by the
//! queue's atomics (loom's `UnsafeCell` under `SlotCell`), and every item
//! left in the queue dropped once when both halves are gone.

use super::*;
use loom::sync::{Condvar, Mutex};
use loom::thread;

fn check(model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    builder.check(model);
}

/// The reader's wake-up: what a pipe's `ActivateRead` command is.
#[derive(Default)]
struct Wake {
    tokens: Mutex<usize>,
    cv: Condvar,
}

impl Wake {
    fn give(&self) {
        *self.tokens.lock().unwrap() += 1;
        self.cv.notify_one();
    }

    fn take(&self) {
        let mut tokens = self.tokens.lock().unwrap();
        while *tokens == 0 {
            tokens = self.cv.wait(tokens).unwrap();
        }
        *tokens -= 1;
    }

    fn left(&self) -> usize {
        *self.tokens.lock().unwrap()
    }
}

/// Counts drops, to prove no item is lost or dropped twice.
struct Item {
    value: u32,
    drops: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Drop for Item {
    fn drop(&mut self) {
        self.drops
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The writer thread: `batches` of items (each batch one flush); an item
/// marked `true` is incomplete (more parts follow). Returns how many
/// flushes asked for a wake-up.
fn write_batches<const N: usize>(
    mut writer: Writer<Item, N>,
    batches: &[&[bool]],
    drops: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    wake: &Wake,
) -> usize {
    let mut value = 0;
    let mut wakes = 0;
    for batch in batches {
        for &incomplete in *batch {
            let drops = std::sync::Arc::clone(drops);
            writer.write(Item { value, drops }, incomplete);
            value += 1;
        }
        if !writer.flush() {
            wakes += 1;
            wake.give();
        }
    }
    wakes
}

/// Reads `total` items in order, sleeping when the queue is empty (with
/// `peek` first when `peeking`). Returns how many times it slept.
fn read_all<const N: usize>(
    reader: &mut Reader<Item, N>,
    total: u32,
    wake: &Wake,
    peeking: bool,
) -> usize {
    let mut next = 0;
    let mut sleeps = 0;
    while next < total {
        if peeking {
            match reader.peek() {
                Some(item) => assert_eq!(item.value, next, "peek: FIFO"),
                None => {
                    sleeps += 1;
                    wake.take();
                    continue;
                }
            }
        }
        match reader.read() {
            Some(item) => {
                assert_eq!(item.value, next, "FIFO, no loss, no duplicate");
                next += 1;
            }
            None => {
                assert!(!peeking, "a peeked item is still there");
                sleeps += 1;
                wake.take();
            }
        }
    }
    sleeps
}

fn writer_and_reader<const N: usize>(batches: &'static [&'static [bool]], peeking: bool) {
    check(move || {
        let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let wake = Arc::new(Wake::default());
        let (writer, mut reader) = channel_with_chunk::<Item, N>();
        let total = batches.iter().map(|b| b.len()).sum::<usize>() as u32;
        let writer_thread = {
            let wake = Arc::clone(&wake);
            let drops = std::sync::Arc::clone(&drops);
            thread::spawn(move || write_batches(writer, batches, &drops, &wake))
        };
        let sleeps = read_all(&mut reader, total, &wake, peeking);
        let wakes = writer_thread.join().unwrap();
        assert_eq!(wakes, sleeps, "one wake-up per sleep, none spurious");
        assert_eq!(wake.left(), 0);
        assert!(!reader.check_read(), "nothing past the last item");
        drop(reader);
        assert_eq!(
            drops.load(std::sync::atomic::Ordering::Relaxed),
            total as usize,
            "each item dropped once"
        );
    });
}

#[test]
fn loom_ypipe_one_item_per_flush() {
    writer_and_reader::<8>(&[&[false], &[false], &[false], &[false]], false);
}

#[test]
fn loom_ypipe_across_chunks_with_the_spare_exchange() {
    // One slot per chunk: every item crosses a chunk boundary, and the
    // reader hands each chunk back while the writer takes spares.
    writer_and_reader::<1>(&[&[false], &[false, false], &[false]], false);
}

#[test]
fn loom_ypipe_multipart_batches_and_peek() {
    // A two-part message flushed at once, a single item, then a
    // three-part message across a chunk boundary; with peek.
    writer_and_reader::<2>(&[&[true, false], &[false], &[true, true, false]], true);
}

/// A flush with only incomplete items publishes nothing: the reader must
/// not see them (and sleeps), then sees all once the last part comes.
#[test]
fn loom_ypipe_incomplete_items_stay_unpublished() {
    check(|| {
        let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let wake = Arc::new(Wake::default());
        let (mut writer, mut reader) = channel_with_chunk::<Item, 2>();
        let writer_thread = {
            let wake = Arc::clone(&wake);
            let drops = std::sync::Arc::clone(&drops);
            thread::spawn(move || {
                let item = |value| Item {
                    value,
                    drops: std::sync::Arc::clone(&drops),
                };
                writer.write(item(0), true);
                assert!(writer.flush(), "nothing complete: nothing to wake for");
                writer.write(item(1), false);
                let mut wakes = 0;
                if !writer.flush() {
                    wakes += 1;
                    wake.give();
                }
                wakes
            })
        };
        let sleeps = read_all(&mut reader, 2, &wake, false);
        assert_eq!(writer_thread.join().unwrap(), sleeps);
        drop(reader);
        assert_eq!(drops.load(std::sync::atomic::Ordering::Relaxed), 2);
    });
}

/// Both halves dropped with items in flight (the reader takes one, on
/// its own thread): every item is dropped exactly once, whichever half
/// goes last.
#[test]
fn loom_ypipe_drop_with_items_in_flight() {
    check(|| {
        let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (mut writer, mut reader) = channel_with_chunk::<Item, 1>();
        let reader_thread = thread::spawn(move || {
            let got = reader.read().map(|item| item.value);
            assert!(matches!(got, None | Some(0)), "FIFO");
        });
        for value in 0..2 {
            let drops = std::sync::Arc::clone(&drops);
            writer.write(Item { value, drops }, false);
            writer.flush();
        }
        drop(writer);
        reader_thread.join().unwrap();
        assert_eq!(drops.load(std::sync::atomic::Ordering::Relaxed), 2);
    });
}
