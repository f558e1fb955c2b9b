//! `ypipe`: an unbounded lock-free single-producer single-consumer queue.
//!
//! The design follows libzmq's `yqueue_t`/`ypipe_t`:
//!
//! - Items live in chunks of `N` slots linked writer → reader. The reader
//!   hands each chunk it leaves to the writer through [`SPARE_SLOTS`]
//!   `spare` exchange slots (libzmq keeps one), so a queue whose backlog
//!   swings by up to that many chunks between writer and reader (a batch
//!   of a thousand messages written, then read) allocates nothing in
//!   steady state; a chunk left when every slot is taken is freed.
//! - The writer may `write` items marked *incomplete* (the parts of a
//!   multipart message before the last); `flush` publishes everything up to
//!   the end of the last complete item, and `unwrite` takes back incomplete
//!   items not yet published.
//! - One atomic word, `published`, carries either the number of items the
//!   writer has published or `ASLEEP`. A reader that finds nothing new
//!   swaps in `ASLEEP` with a single compare-and-swap; the writer's next
//!   `flush` sees it and returns `false`, telling its caller to wake the
//!   reader, exactly once per sleep. While both sides are busy there is
//!   one CAS per batch of items and no lock or system call at all.
//!
//! Positions are counted in items since the queue was created (`u64`, never
//! wrapping in practice) rather than kept as slot pointers as libzmq does;
//! the protocol is the same.

use std::cell::UnsafeCell;
use std::ptr;

use crate::sync::Arc;
use crate::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use crate::sync::cell::SlotCell;

/// Slots per chunk for queues built with [`channel`] (libzmq's
/// `message_pipe_granularity`).
pub const CHUNK_LEN: usize = 256;

/// Chunks the reader keeps for the writer to reuse (at most; more are
/// freed). Each holds `N` slots: for a pipe of `Msg` (64 B) and
/// [`CHUNK_LEN`] that is 16 KiB, so a queue retains at most 64 KiB
/// beyond its backlog after a burst.
pub const SPARE_SLOTS: usize = 4;

/// Value of `published` while the reader sleeps.
const ASLEEP: u64 = u64::MAX;

/// `N` item slots plus the links between chunks.
struct Chunk<T, const N: usize> {
    slots: [SlotCell<T>; N],
    /// The next chunk towards the writer. Written by the writer before it
    /// publishes any item of that chunk; read by the reader afterwards.
    next: AtomicPtr<Chunk<T, N>>,
    /// The previous chunk, for `unwrite`. Only the writer touches it.
    prev: UnsafeCell<*mut Chunk<T, N>>,
}

impl<T, const N: usize> Chunk<T, N> {
    fn allocate() -> *mut Chunk<T, N> {
        #[cfg(all(test, not(loom)))]
        tests::CHUNKS_ALLOCATED.with(|n| n.set(n.get() + 1));
        #[cfg(not(loom))]
        let slots = [const { SlotCell::empty() }; N];
        #[cfg(loom)]
        let slots = std::array::from_fn(|_| SlotCell::empty());
        Box::into_raw(Box::new(Chunk {
            slots,
            next: AtomicPtr::new(ptr::null_mut()),
            prev: UnsafeCell::new(ptr::null_mut()),
        }))
    }

    /// Frees a chunk without dropping any item in it.
    ///
    /// # Safety
    /// `chunk` came from [`Chunk::allocate`], is not freed yet, and nobody
    /// uses it afterwards.
    unsafe fn free(chunk: *mut Chunk<T, N>) {
        // SAFETY: the caller guarantees a live, uniquely owned allocation made
        // by `Box::into_raw`; slots are `MaybeUninit` so no item is dropped.
        drop(unsafe { Box::from_raw(chunk) });
    }

    /// Slot `pos` of `chunk`.
    ///
    /// # Safety
    /// `chunk` is live, stays live while the reference is used, and
    /// `pos < N`.
    unsafe fn slot<'a>(chunk: *mut Chunk<T, N>, pos: usize) -> &'a SlotCell<T> {
        debug_assert!(pos < N);
        // SAFETY: `chunk` is live (caller); indexing an array place through a
        // raw pointer creates no reference to the chunk, only a shared one to
        // the cell, which both halves may hold (its contents are reached
        // through `SlotCell`'s unsafe accessors).
        unsafe { &(*chunk).slots[pos] }
    }
}

/// State shared by the two halves.
struct Shared<T, const N: usize> {
    /// Items published by the writer, or [`ASLEEP`] (libzmq's `_c`).
    published: AtomicU64,
    /// Chunks the reader has left, kept for the writer to reuse (null:
    /// empty slot).
    spare: [AtomicPtr<Chunk<T, N>>; SPARE_SLOTS],
    /// Where the reader stood when it was dropped (chunk, slot, items read).
    reader_head: AtomicPtr<Chunk<T, N>>,
    reader_pos: AtomicUsize,
    reader_count: AtomicU64,
    /// Items written (complete or not) when the writer was dropped.
    writer_count: AtomicU64,
}

impl<T, const N: usize> Drop for Shared<T, N> {
    fn drop(&mut self) {
        // Both halves are gone, and `Arc` orders their last writes before
        // this point, so relaxed loads see them.
        let mut chunk = self.reader_head.load(Ordering::Relaxed);
        let mut pos = self.reader_pos.load(Ordering::Relaxed);
        let remaining = self
            .writer_count
            .load(Ordering::Relaxed)
            .saturating_sub(self.reader_count.load(Ordering::Relaxed));
        for _ in 0..remaining {
            if pos == N {
                // SAFETY: chunks from the reader's head up to the writer's tail
                // are live and linked; an item lies beyond this one.
                chunk = unsafe { (*chunk).next.load(Ordering::Relaxed) };
                pos = 0;
            }
            if chunk.is_null() {
                break;
            }
            // SAFETY: slots between the reader's and the writer's positions
            // hold initialised items nobody else owns any more.
            unsafe { Chunk::slot(chunk, pos).drop_value() };
            pos += 1;
        }
        let mut chunk = self.reader_head.load(Ordering::Relaxed);
        while !chunk.is_null() {
            // SAFETY: as above; each chunk of the chain is freed once.
            let next = unsafe { (*chunk).next.load(Ordering::Relaxed) };
            // SAFETY: the chain is owned by this queue alone now.
            unsafe { Chunk::free(chunk) };
            chunk = next;
        }
        for slot in &self.spare {
            let spare = slot.load(Ordering::Relaxed);
            if !spare.is_null() {
                // SAFETY: a spare chunk is not part of the chain (the reader
                // unlinked it, the writer relinks only after taking it out),
                // and each slot holds a different chunk.
                unsafe { Chunk::free(spare) };
            }
        }
    }
}

impl<T, const N: usize> Shared<T, N> {
    /// Puts `chunk`, which left the chain and is owned by the caller, into
    /// an empty spare slot, or frees it when every slot is taken.
    fn keep_spare(&self, chunk: *mut Chunk<T, N>) {
        for slot in &self.spare {
            // Release: the chunk's last uses happen before the writer takes
            // it (acquire in `take_spare`).
            if slot
                .compare_exchange(ptr::null_mut(), chunk, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
        // SAFETY: the chunk is unlinked and owned by the caller alone (it
        // made it into no slot).
        unsafe { Chunk::free(chunk) };
    }

    /// A spare chunk, now owned by the caller, if any slot holds one.
    fn take_spare(&self) -> Option<*mut Chunk<T, N>> {
        self.spare.iter().find_map(|slot| {
            if slot.load(Ordering::Relaxed).is_null() {
                return None;
            }
            let chunk = slot.swap(ptr::null_mut(), Ordering::Acquire);
            (!chunk.is_null()).then_some(chunk)
        })
    }
}

/// The writing half of a queue.
pub struct Writer<T, const N: usize = CHUNK_LEN> {
    shared: Arc<Shared<T, N>>,
    /// Chunk holding the next slot to write.
    tail: *mut Chunk<T, N>,
    /// Next slot to write in `tail`, `0..=N` (`N`: a new chunk is needed).
    tail_pos: usize,
    /// Items written, complete or not.
    written: u64,
    /// Items up to the end of the last complete one (libzmq's `_f`).
    complete: u64,
    /// Items published to the reader (libzmq's `_w`).
    flushed: u64,
}

/// The reading half of a queue.
pub struct Reader<T, const N: usize = CHUNK_LEN> {
    shared: Arc<Shared<T, N>>,
    /// Chunk holding the next slot to read.
    head: *mut Chunk<T, N>,
    /// Next slot to read in `head`, `0..=N` (`N`: move to the next chunk).
    head_pos: usize,
    /// Items read.
    read: u64,
    /// Items known to be published (libzmq's `_r`).
    readable: u64,
}

// SAFETY: each half is used by one thread at a time (`&mut self` methods);
// the items it moves are `Send`, and every slot or chunk access between the
// halves is ordered by the `published` / `spare` / `next` atomics.
unsafe impl<T: Send, const N: usize> Send for Writer<T, N> {}
// SAFETY: as for `Writer`.
unsafe impl<T: Send, const N: usize> Send for Reader<T, N> {}

/// A new empty queue with [`CHUNK_LEN`] slots per chunk.
pub fn channel<T>() -> (Writer<T>, Reader<T>) {
    channel_with_chunk::<T, CHUNK_LEN>()
}

/// A new empty queue with `N` slots per chunk (`N > 0`).
pub fn channel_with_chunk<T, const N: usize>() -> (Writer<T, N>, Reader<T, N>) {
    const { assert!(N > 0, "a chunk holds at least one item") };
    let first = Chunk::<T, N>::allocate();
    let shared = Arc::new(Shared {
        published: AtomicU64::new(0),
        spare: std::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
        reader_head: AtomicPtr::new(first),
        reader_pos: AtomicUsize::new(0),
        reader_count: AtomicU64::new(0),
        writer_count: AtomicU64::new(0),
    });
    let writer = Writer {
        shared: Arc::clone(&shared),
        tail: first,
        tail_pos: 0,
        written: 0,
        complete: 0,
        flushed: 0,
    };
    let reader = Reader {
        shared,
        head: first,
        head_pos: 0,
        read: 0,
        readable: 0,
    };
    (writer, reader)
}

impl<T, const N: usize> Writer<T, N> {
    /// Appends an item. An `incomplete` item (and any written after it)
    /// stays unpublished until a complete item is written and flushed.
    pub fn write(&mut self, item: T, incomplete: bool) {
        if self.tail_pos == N {
            self.link_new_chunk();
        }
        // SAFETY: `tail` is live and `tail_pos < N`; the slot is empty (past
        // every written item) and the reader cannot reach it before a flush.
        unsafe { Chunk::slot(self.tail, self.tail_pos).write(item) };
        self.tail_pos += 1;
        self.written += 1;
        if !incomplete {
            self.complete = self.written;
        }
    }

    /// Takes back the last incomplete item; `None` when every written item
    /// is complete.
    pub fn unwrite(&mut self) -> Option<T> {
        if self.written == self.complete {
            return None;
        }
        if self.tail_pos == 0 {
            // SAFETY: only the writer touches `prev`.
            let prev = unsafe { *(*self.tail).prev.get() };
            if prev.is_null() {
                return None;
            }
            // The tail chunk holds nothing: unlink it and keep it as spare.
            // The reader never entered it (it holds no published item).
            // SAFETY: `prev` is live: it holds the unpublished item below.
            unsafe { (*prev).next.store(ptr::null_mut(), Ordering::Relaxed) };
            self.shared.keep_spare(self.tail);
            self.tail = prev;
            self.tail_pos = N;
        }
        self.tail_pos -= 1;
        self.written -= 1;
        // SAFETY: the slot holds an initialised item the reader cannot see
        // (it lies past `complete`); reading it moves it out, and the slot
        // counts as empty again because `written` went down.
        Some(unsafe { Chunk::slot(self.tail, self.tail_pos).take() })
    }

    /// Publishes every complete item written so far. Returns `false` when
    /// the reader was asleep: the caller must then wake it (this happens
    /// once per sleep).
    pub fn flush(&mut self) -> bool {
        if self.flushed == self.complete {
            return true;
        }
        let swapped = self.shared.published.compare_exchange(
            self.flushed,
            self.complete,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        self.flushed = self.complete;
        if swapped.is_ok() {
            return true;
        }
        // The reader is asleep (only it stores ASLEEP, and then it leaves the
        // word alone until we change it).
        self.shared
            .published
            .store(self.complete, Ordering::Release);
        false
    }

    /// Whether items of an unfinished multipart message were written.
    pub fn has_incomplete(&self) -> bool {
        self.written != self.complete
    }

    /// Items written but not yet published (including incomplete ones).
    pub fn unflushed(&self) -> u64 {
        self.written - self.flushed
    }

    fn link_new_chunk(&mut self) {
        let chunk = self.shared.take_spare().unwrap_or_else(Chunk::allocate);
        // SAFETY: `chunk` is fresh or a spare, which the reader gave up
        // (release-acquire through `spare`); nobody else references it.
        unsafe {
            (*chunk).next.store(ptr::null_mut(), Ordering::Relaxed);
            *(*chunk).prev.get() = self.tail;
        }
        // SAFETY: `tail` is live. The reader loads `next` only after it saw
        // an item of the new chunk published, which happens after this store.
        unsafe { (*self.tail).next.store(chunk, Ordering::Release) };
        self.tail = chunk;
        self.tail_pos = 0;
    }
}

impl<T, const N: usize> Reader<T, N> {
    /// Whether an item can be read. Returning `false` puts the reader to
    /// sleep: the writer's next `flush` returns `false`.
    pub fn check_read(&mut self) -> bool {
        if self.read < self.readable {
            return true;
        }
        // A plain load first: when the writer published more, taking it
        // leaves the shared word's cache line unowned by this core, so the
        // writer's next flush does not have to pull it back. Only the
        // writer changes a value other than `ASLEEP`, and `read` never
        // passes what it published.
        let published = self.shared.published.load(Ordering::Acquire);
        if published != ASLEEP && published > self.read {
            self.readable = published;
            return true;
        }
        match self.shared.published.compare_exchange(
            self.read,
            ASLEEP,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            // Nothing new: now asleep.
            Ok(_) => false,
            // Still asleep: the writer has not flushed since.
            Err(ASLEEP) => false,
            Err(published) => {
                self.readable = published;
                published > self.read
            }
        }
    }

    /// Reads the next published item.
    pub fn read(&mut self) -> Option<T> {
        if !self.check_read() {
            return None;
        }
        if self.head_pos == N {
            self.enter_next_chunk();
        }
        // SAFETY: `check_read` proved the item at `read` published, so its
        // slot is initialised and visible (acquire on `published`); moving it
        // out leaves the slot empty, and `read` advances past it.
        let item = unsafe { Chunk::slot(self.head, self.head_pos).take() };
        self.head_pos += 1;
        self.read += 1;
        Some(item)
    }

    /// The next published item, left in the queue.
    pub fn peek(&mut self) -> Option<&T> {
        if !self.check_read() {
            return None;
        }
        if self.head_pos == N {
            self.enter_next_chunk();
        }
        // SAFETY: as in `read`; the item stays in place and the borrow of
        // `self` keeps the reader from moving it out meanwhile.
        Some(unsafe { Chunk::slot(self.head, self.head_pos).get() })
    }

    /// Moves to the next chunk and gives the old one to the writer.
    fn enter_next_chunk(&mut self) {
        // SAFETY: `head` is live; an item past it is published, so the writer
        // stored `next` before publishing (acquire pairs with its release).
        let next = unsafe { (*self.head).next.load(Ordering::Acquire) };
        // Under loom a broken ordering shows here as a panic, not a crash.
        #[cfg(loom)]
        assert!(!next.is_null(), "the next chunk is linked before its items");
        debug_assert!(!next.is_null());
        let old = self.head;
        self.head = next;
        self.head_pos = 0;
        self.shared.keep_spare(old);
    }
}

impl<T, const N: usize> Drop for Writer<T, N> {
    fn drop(&mut self) {
        self.shared
            .writer_count
            .store(self.written, Ordering::Relaxed);
    }
}

impl<T, const N: usize> Drop for Reader<T, N> {
    fn drop(&mut self) {
        self.shared.reader_head.store(self.head, Ordering::Relaxed);
        self.shared
            .reader_pos
            .store(self.head_pos, Ordering::Relaxed);
        self.shared.reader_count.store(self.read, Ordering::Relaxed);
    }
}

#[cfg(all(test, not(loom)))]
#[path = "ypipe_tests.rs"]
mod tests;

#[cfg(all(test, loom))]
#[path = "ypipe_loom.rs"]
mod loom_tests;
