//! Tests of the SPSC queue. The `small_` ones are sized for miri:
//! `cargo +nightly miri test -p zmq ypipe`.

use super::*;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Long enough for any honest wait in these tests.
const WAIT: Duration = Duration::from_secs(20);

#[test]
fn small_items_are_read_in_order_across_chunks() {
    let (mut w, mut r) = channel_with_chunk::<u32, 4>();
    for i in 0..10 {
        w.write(i, false);
    }
    assert!(w.flush(), "reader never slept");
    let got: Vec<u32> = std::iter::from_fn(|| r.read()).collect();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    assert!(r.read().is_none());
}

#[test]
fn small_unflushed_items_are_invisible() {
    let (mut w, mut r) = channel_with_chunk::<u32, 4>();
    w.write(1, false);
    assert!(r.read().is_none());
    assert!(
        !w.flush(),
        "the reader slept, so the flush must ask for a wake-up"
    );
    assert_eq!(r.read(), Some(1));
}

#[test]
fn small_incomplete_items_stay_invisible_until_complete() {
    let (mut w, mut r) = channel_with_chunk::<u32, 4>();
    w.write(1, true);
    w.write(2, true);
    assert!(w.flush());
    assert!(!r.check_read());
    w.write(3, false);
    assert!(!w.flush());
    assert_eq!(r.read(), Some(1));
    assert_eq!(r.read(), Some(2));
    assert_eq!(r.read(), Some(3));
}

#[test]
fn small_unwrite_takes_back_incomplete_items_across_chunks() {
    let (mut w, mut r) = channel_with_chunk::<String, 2>();
    w.write("a".to_owned(), false);
    for i in 0..5 {
        w.write(format!("part{i}"), true);
    }
    for i in (0..5).rev() {
        assert_eq!(w.unwrite(), Some(format!("part{i}")));
    }
    assert_eq!(w.unwrite(), None, "complete items cannot be taken back");
    w.write("b".to_owned(), false);
    w.flush();
    assert_eq!(r.read().as_deref(), Some("a"));
    assert_eq!(r.read().as_deref(), Some("b"));
    assert!(r.read().is_none());
}

#[test]
fn small_flush_asks_for_a_wake_up_exactly_once_per_sleep() {
    let (mut w, mut r) = channel_with_chunk::<u32, 4>();
    w.write(1, false);
    assert!(w.flush(), "reader awake");
    assert!(r.check_read());
    assert_eq!(r.read(), Some(1));
    assert!(r.read().is_none(), "now asleep");
    assert!(r.read().is_none(), "still asleep");
    w.write(2, false);
    assert!(!w.flush(), "wake-up needed");
    w.write(3, false);
    assert!(w.flush(), "no second wake-up for the same sleep");
    assert_eq!(r.read(), Some(2));
    assert_eq!(r.read(), Some(3));
    assert!(w.flush(), "nothing to flush");
}

#[test]
fn small_chunks_are_recycled_through_the_spare_slot() {
    let (mut w, mut r) = channel_with_chunk::<u32, 2>();
    for round in 0..20 {
        w.write(round, false);
        w.write(round + 100, false);
        w.flush();
        assert_eq!(r.read(), Some(round));
        assert_eq!(r.read(), Some(round + 100));
    }
    // With one chunk being written and one spare, steady state holds at most
    // two chunks besides the one in use; miri reports any leak or double free.
    assert!(!w.shared.spare[0].load(Ordering::Relaxed).is_null());
}

thread_local! {
    /// Chunks allocated by this thread's queues.
    pub(super) static CHUNKS_ALLOCATED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[test]
fn bursts_of_several_chunks_reuse_the_spares() {
    let (mut w, mut r) = channel_with_chunk::<u32, 4>();
    let burst = |w: &mut Writer<u32, 4>, r: &mut Reader<u32, 4>| {
        for i in 0..(4 * SPARE_SLOTS as u32) {
            w.write(i, false);
        }
        w.flush();
        for i in 0..(4 * SPARE_SLOTS as u32) {
            assert_eq!(r.read(), Some(i));
        }
    };
    burst(&mut w, &mut r);
    burst(&mut w, &mut r);
    let before = CHUNKS_ALLOCATED.with(std::cell::Cell::get);
    for _ in 0..10 {
        burst(&mut w, &mut r);
    }
    assert_eq!(CHUNKS_ALLOCATED.with(std::cell::Cell::get), before);
    // A burst longer than the spares can hold frees what does not fit.
    for i in 0..(4 * 3 * SPARE_SLOTS as u32) {
        w.write(i, false);
    }
    w.flush();
    while r.read().is_some() {}
    let kept = w.shared.spare.iter();
    assert!(kept.filter(|s| !s.load(Ordering::Relaxed).is_null()).count() == SPARE_SLOTS);
}

#[test]
fn small_items_left_in_the_queue_are_dropped_once() {
    let marker = Arc::new(());
    let (mut w, mut r) = channel_with_chunk::<Arc<()>, 3>();
    for _ in 0..7 {
        w.write(Arc::clone(&marker), false);
    }
    w.write(Arc::clone(&marker), true);
    w.flush();
    drop(r.read());
    drop(r.read());
    drop(r.read());
    drop(r.read());
    assert_eq!(Arc::strong_count(&marker), 5);
    drop(w);
    drop(r);
    assert_eq!(Arc::strong_count(&marker), 1);
}

#[test]
fn small_peek_leaves_the_item() {
    let (mut w, mut r) = channel_with_chunk::<u32, 1>();
    w.write(7, false);
    w.write(8, false);
    w.flush();
    assert_eq!(r.peek(), Some(&7));
    assert_eq!(r.read(), Some(7));
    assert_eq!(r.peek(), Some(&8));
    assert_eq!(r.read(), Some(8));
    assert_eq!(r.peek(), None);
}

/// Runs a writer and a reader thread over `count` items; the reader waits
/// for a wake-up token whenever it finds the queue empty, and the writer
/// sends one token per `flush` that returns `false`. A lost wake-up hangs
/// the reader (caught by the timeout); an extra one is left over at the end.
fn two_threads(count: u32, batch: u32) {
    let (mut w, mut r) = channel_with_chunk::<u32, 8>();
    let (wake_tx, wake_rx) = mpsc::channel::<()>();
    let writer = thread::spawn(move || {
        let mut wakes = 0u32;
        for i in 0..count {
            w.write(i, false);
            if i % batch == batch - 1 && !w.flush() {
                wakes += 1;
                wake_tx.send(()).expect("reader alive");
            }
        }
        if !w.flush() {
            wakes += 1;
            wake_tx.send(()).expect("reader alive");
        }
        (wakes, wake_tx)
    });
    let mut expected = 0;
    let mut sleeps = 0u32;
    while expected < count {
        match r.read() {
            Some(item) => {
                assert_eq!(item, expected);
                expected += 1;
            }
            None => {
                sleeps += 1;
                wake_rx.recv_timeout(WAIT).expect("wake-up lost");
            }
        }
    }
    let (wakes, _tx) = writer.join().expect("writer");
    assert_eq!(wakes, sleeps, "one wake-up per sleep");
    assert!(wake_rx.try_recv().is_err(), "no stray wake-up");
}

#[test]
fn small_two_threads_keep_order_and_wake_exactly_once() {
    two_threads(200, 3);
}

#[test]
#[cfg_attr(miri, ignore)]
fn million_items_keep_order_across_two_threads() {
    two_threads(1_000_000, 1);
    two_threads(1_000_000, 64);
}
