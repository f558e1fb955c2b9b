//! Read buffers recycled per I/O thread.
//!
//! A stream engine reads into one `BytesMut` and hands frame bodies on as
//! slices of it, so a buffer stays pinned while any message cut from it
//! is queued in a pipe or held by the application. When the engine needs
//! room and its buffer is still pinned, it used to allocate a fresh one
//! and let the old one be freed by whoever dropped its last message: two
//! allocations (the vector and its shared header) every 64 KiB received.
//! Here the old buffer is kept instead (emptied; its pinned bytes are
//! untouched), and the next time an engine on this I/O thread needs a
//! buffer it takes a kept one whose messages are all gone. In steady state
//! (the same traffic again and again) no read buffer is allocated.
//!
//! Bounds: at most [`KEPT`] buffers per thread, each of the size the
//! engine asked for (64 KiB plus at most one in-place frame); a buffer
//! retired when the thread keeps that many already is simply dropped.
//! Nothing a peer sends decides what is kept.

use std::cell::RefCell;

use bytes::BytesMut;

/// Most retired buffers one thread keeps (1–2 MiB: enough for about a
/// thousand 1 KiB messages in flight between the I/O thread and the
/// application).
const KEPT: usize = 16;

thread_local! {
    /// Buffers this thread's engines gave up, some perhaps still pinned.
    static RETIRED: RefCell<Vec<BytesMut>> = const { RefCell::new(Vec::new()) };
}

/// Makes `buf` hold at least `room` bytes of free capacity after its
/// contents, without allocating when it can: `buf` itself when no message
/// points into it any more, else a retired buffer that is free again (the
/// contents move there and `buf` is retired in its place); a new buffer
/// only when neither exists.
pub(super) fn make_room(buf: &mut BytesMut, room: usize) {
    if buf.try_reclaim(room) {
        return;
    }
    let wanted = buf.len().saturating_add(room);
    let recycled = RETIRED.with(|kept| {
        let mut kept = kept.borrow_mut();
        let free = kept.iter_mut().position(|b| b.try_reclaim(wanted))?;
        Some(kept.swap_remove(free))
    });
    let mut fresh = recycled.unwrap_or_else(|| BytesMut::with_capacity(wanted));
    fresh.extend_from_slice(buf);
    let mut old = std::mem::replace(buf, fresh);
    old.clear();
    RETIRED.with(|kept| {
        let mut kept = kept.borrow_mut();
        if kept.len() < KEPT {
            if kept.capacity() == 0 {
                kept.reserve_exact(KEPT);
            }
            kept.push(old);
        }
    });
}

/// How many retired buffers this thread keeps (tests).
#[cfg(test)]
fn kept() -> usize {
    RETIRED.with(|kept| kept.borrow().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_buffer_is_reused_in_place() {
        let mut buf = BytesMut::with_capacity(100);
        buf.extend_from_slice(b"abc");
        let at = buf.as_ptr();
        let before = kept();
        drop(buf.split_to(2).freeze());
        make_room(&mut buf, 90);
        assert_eq!(&buf[..], b"c");
        assert!(buf.capacity() >= 90);
        assert_eq!(buf.as_ptr(), at.wrapping_add(2), "same allocation");
        assert_eq!(kept(), before);
    }

    #[test]
    fn a_pinned_buffer_is_retired_and_reused_once_free() {
        let before = kept();
        let mut buf = BytesMut::with_capacity(64);
        buf.extend_from_slice(b"frame+partial");
        let first = buf.as_ptr();
        let frame = buf.split_to(6).freeze();
        make_room(&mut buf, 64);
        assert_eq!(&buf[..], b"partial");
        assert_ne!(buf.as_ptr(), first);
        assert_eq!(kept(), before + 1);
        // Still pinned by `frame`: not taken.
        let second = buf.as_ptr();
        let pinned = buf.split_to(7).freeze();
        make_room(&mut buf, 64);
        assert_ne!(buf.as_ptr(), first);
        assert_ne!(buf.as_ptr(), second);
        assert_eq!(&frame[..], b"frame+");
        assert_eq!(&pinned[..], b"partial");
        // Once the message is gone, its buffer comes back.
        drop(frame);
        buf.extend_from_slice(b"tail");
        let _third = buf.split_to(4).freeze();
        make_room(&mut buf, 64);
        assert_eq!(buf.as_ptr(), first);
        assert!(buf.is_empty());
        assert!(buf.capacity() >= 64);
    }

    #[test]
    fn no_more_than_kept_buffers_are_kept() {
        let mut held = Vec::new();
        let mut buf = BytesMut::with_capacity(16);
        for _ in 0..KEPT + 5 {
            buf.extend_from_slice(b"x");
            held.push(buf.split_to(1).freeze());
            make_room(&mut buf, 16);
        }
        assert_eq!(kept(), KEPT);
        assert_eq!(held.len(), KEPT + 5);
    }
}
