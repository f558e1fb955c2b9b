//! Zero heap allocations per message in steady state, counted with a
//! counting global allocator, for every body size up to 1 KiB over
//! inproc, tcp and ipc.
//!
//! Each case warms a PUSH → PULL connection up with the very pattern it
//! then measures (so pipe chunks, read buffers and queues have reached
//! their working size), then counts the allocations made by every thread
//! (the sending and receiving application thread, which is this one, and
//! the I/O threads) while `ROUNDS` batches of `BATCH` messages go through.
//! The count must be 0. Each count is taken up to three times and the
//! smallest judged, so that a one-off growth of some queue while the
//! machine is busy does not fail the test; the sizes printed with each
//! count tell what allocated. Set `ALLOC_COUNT_BACKTRACE=1` to print where
//! each counted allocation came from.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bytes::Bytes;
use zmq::{Context, Message, SocketType};

/// Counts allocations (and reallocations) while `COUNTING` is set.
struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static BACKTRACES: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
/// Counted allocations by size: bucket `i` holds sizes in `[2^i, 2^(i+1))`.
static BY_SIZE: [AtomicUsize; 32] = [const { AtomicUsize::new(0) }; 32];
/// Where the counted allocations came from (with `ALLOC_COUNT_BACKTRACE`).
static ORIGINS: Mutex<Vec<String>> = Mutex::new(Vec::new());

thread_local! {
    /// Set while this thread records a backtrace (which allocates).
    static RECORDING: Cell<bool> = const { Cell::new(false) };
}

fn count(size: usize) {
    if BACKTRACES.load(Ordering::Relaxed) && RECORDING.with(Cell::get) {
        return;
    }
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    let bucket = (usize::BITS - size.max(1).leading_zeros() - 1) as usize;
    if let Some(slot) = BY_SIZE.get(bucket) {
        slot.fetch_add(1, Ordering::Relaxed);
    }
    if BACKTRACES.load(Ordering::Relaxed) {
        RECORDING.with(|r| r.set(true));
        let trace = std::backtrace::Backtrace::force_capture();
        let origin = format!("{size} B on {:?}:\n{trace}", std::thread::current().name());
        ORIGINS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(origin);
        RECORDING.with(|r| r.set(false));
    }
}
/// One counted section at a time (the test harness runs tests in parallel).
static SERIAL: Mutex<()> = Mutex::new(());

// SAFETY: forwards every call to the system allocator unchanged; counting
// is a relaxed atomic increment that allocates nothing (recording a
// backtrace, only on request, allocates through this allocator with the
// thread's `RECORDING` flag set, so it does not recurse).
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            count(layout.size());
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            count(new_size);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations made by every thread while `body` runs: the smallest of up
/// to three counts (`body` runs again while the count is above 0). An
/// allocation per message shows in every count, a one-off (a queue
/// growing once while the machine is busy) only in one. Each count is
/// printed with its sizes.
fn count_allocations(mut body: impl FnMut()) -> usize {
    BACKTRACES.store(
        std::env::var_os("ALLOC_COUNT_BACKTRACE").is_some(),
        Ordering::SeqCst,
    );
    let mut least = usize::MAX;
    for _ in 0..3 {
        ALLOCATIONS.store(0, Ordering::SeqCst);
        for slot in &BY_SIZE {
            slot.store(0, Ordering::SeqCst);
        }
        COUNTING.store(true, Ordering::SeqCst);
        body();
        COUNTING.store(false, Ordering::SeqCst);
        let sizes: Vec<String> = BY_SIZE
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let n = n.load(Ordering::SeqCst);
                (n > 0).then(|| format!("{n} of {}..{} B", 1u64 << i, (1u64 << (i + 1)) - 1))
            })
            .collect();
        let total = ALLOCATIONS.load(Ordering::SeqCst);
        eprintln!("  counted {total}: {}", sizes.join(", "));
        for origin in ORIGINS.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            eprintln!("{origin}");
        }
        least = least.min(total);
        if least == 0 {
            break;
        }
    }
    least
}

/// Body sizes measured: empty, inline (up to 38 B), just above inline,
/// and shared bodies up to 1 KiB.
const SIZES: [usize; 10] = [0, 1, 33, 38, 39, 64, 100, 256, 512, 1024];
const BATCH: usize = 500;
const ROUNDS: usize = 20;
/// Rounds run before counting, so that every buffer and queue reaches its
/// working size: where a batch starts in a pipe chunk (256 messages)
/// cycles over 64 rounds of 500, and the number of chunks a batch spans,
/// with it.
const WARM_UP_ROUNDS: usize = 64;

/// Sends `BATCH` messages sharing one body and receives them into one
/// reused `Message`, `rounds` times.
fn ping_batches(push: &zmq::Socket, pull: &zmq::Socket, payload: &Bytes, rounds: usize) {
    let size = payload.len();
    let mut msg = Message::new();
    for _ in 0..rounds {
        for _ in 0..BATCH {
            push.send_msg(Message::from(payload.clone()), 0).unwrap();
        }
        for _ in 0..BATCH {
            pull.recv(&mut msg, 0).unwrap();
            assert_eq!(msg.len(), size);
        }
    }
}

/// Allocations counted while `BATCH * ROUNDS` messages of each size go
/// from PUSH to PULL over `transport`, after a warm-up; one line per size.
fn allocations_per_size(transport: &str) -> Vec<(usize, usize)> {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut counts = Vec::new();
    for size in SIZES {
        let ctx = Context::new();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        let endpoint = match transport {
            "inproc" => format!("inproc://alloc-count-{size}"),
            "ipc" => format!(
                "ipc://{}/zmq-rs-alloc-count-{}-{size}.sock",
                std::env::temp_dir().display(),
                std::process::id()
            ),
            _ => "tcp://127.0.0.1:0".to_string(),
        };
        pull.bind(&endpoint).unwrap();
        let endpoint = pull.get_last_endpoint().unwrap().unwrap();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.connect(&endpoint).unwrap();
        for s in [&push, &pull] {
            s.set_rcvtimeo(10_000).unwrap();
            s.set_sndtimeo(10_000).unwrap();
            s.set_linger(0).unwrap();
        }
        let payload = Bytes::from(vec![7u8; size]);
        ping_batches(&push, &pull, &payload, WARM_UP_ROUNDS);
        eprintln!("{transport} {size} B:");
        let allocations = count_allocations(|| ping_batches(&push, &pull, &payload, ROUNDS));
        counts.push((size, allocations));
    }
    let messages = BATCH * ROUNDS;
    for (size, allocations) in &counts {
        eprintln!("{transport} {size} B: {allocations} allocations for {messages} messages");
    }
    counts
}

fn assert_none(transport: &str) {
    let counts = allocations_per_size(transport);
    let allocating: Vec<_> = counts.iter().filter(|(_, n)| *n > 0).collect();
    assert!(
        allocating.is_empty(),
        "{transport}: allocations (size, count) per {} messages: {allocating:?}",
        BATCH * ROUNDS
    );
}

#[test]
fn inproc_push_pull_allocates_nothing_per_message() {
    assert_none("inproc");
}

#[test]
fn tcp_push_pull_allocates_nothing_per_message() {
    assert_none("tcp");
}

#[test]
fn ipc_push_pull_allocates_nothing_per_message() {
    assert_none("ipc");
}
