//! The synchronisation primitives of the lock-free parts ([`ypipe`],
//! [`Mailbox`], [`Signaler`]): the standard ones (and `parking_lot`'s
//! mutex) in every build, loom's when built with `--cfg loom`, so that the
//! loom models (`loom_tests` beside each module) check every interleaving
//! of the real code. Run them with
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p zmq --lib loom`.
//!
//! [`ypipe`]: crate::pipe::ypipe
//! [`Mailbox`]: crate::mailbox::Mailbox
//! [`Signaler`]: crate::signaler::Signaler

#[cfg(loom)]
pub(crate) use loom::sync::{Arc, atomic};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, atomic};

#[cfg(not(loom))]
pub(crate) use parking_lot::Mutex;

/// loom's mutex with `parking_lot`'s interface (`lock` gives the guard).
#[cfg(loom)]
pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

#[cfg(loom)]
impl<T> std::fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mutex")
    }
}

#[cfg(loom)]
impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Mutex<T> {
        Mutex(loom::sync::Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
        self.0.lock().expect("a model thread panicked")
    }
}

/// A slot of a [`ypipe`](crate::pipe::ypipe) chunk: a plain `UnsafeCell`,
/// or loom's, which checks that the writer's and the reader's accesses
/// are ordered by the queue's atomics.
pub(crate) mod cell {
    use std::mem::MaybeUninit;

    #[cfg(not(loom))]
    pub(crate) struct SlotCell<T>(std::cell::UnsafeCell<MaybeUninit<T>>);

    #[cfg(loom)]
    pub(crate) struct SlotCell<T>(loom::cell::UnsafeCell<MaybeUninit<T>>);

    #[cfg(not(loom))]
    impl<T> SlotCell<T> {
        pub(crate) const fn empty() -> SlotCell<T> {
            SlotCell(std::cell::UnsafeCell::new(MaybeUninit::uninit()))
        }

        /// Stores `value`, overwriting without dropping.
        ///
        /// # Safety
        /// Nobody else accesses the slot meanwhile.
        pub(crate) unsafe fn write(&self, value: T) {
            // SAFETY: exclusive access (caller).
            unsafe { (*self.0.get()).write(value) };
        }

        /// Moves the value out; the slot counts as empty afterwards.
        ///
        /// # Safety
        /// The slot holds a value, and nobody else accesses it meanwhile.
        pub(crate) unsafe fn take(&self) -> T {
            // SAFETY: initialised and exclusive (caller).
            unsafe { (*self.0.get()).assume_init_read() }
        }

        /// The value, left in place.
        ///
        /// # Safety
        /// The slot holds a value that nobody changes while the reference
        /// lives.
        pub(crate) unsafe fn get(&self) -> &T {
            // SAFETY: initialised and not written meanwhile (caller).
            unsafe { (*self.0.get()).assume_init_ref() }
        }

        /// Drops the value in place.
        ///
        /// # Safety
        /// As for [`SlotCell::take`].
        pub(crate) unsafe fn drop_value(&self) {
            // SAFETY: initialised and exclusive (caller).
            unsafe { (*self.0.get()).assume_init_drop() };
        }
    }

    #[cfg(loom)]
    impl<T> SlotCell<T> {
        pub(crate) fn empty() -> SlotCell<T> {
            SlotCell(loom::cell::UnsafeCell::new(MaybeUninit::uninit()))
        }

        /// # Safety
        /// As the standard build's.
        pub(crate) unsafe fn write(&self, value: T) {
            // SAFETY: exclusive access (caller); loom checks it.
            self.0.with_mut(|slot| unsafe { (*slot).write(value) });
        }

        /// # Safety
        /// As the standard build's.
        pub(crate) unsafe fn take(&self) -> T {
            // loom counts a move out as a write (the slot becomes free).
            // SAFETY: initialised and exclusive (caller); loom checks it.
            self.0
                .with_mut(|slot| unsafe { (*slot).assume_init_read() })
        }

        /// # Safety
        /// As the standard build's.
        pub(crate) unsafe fn get(&self) -> &T {
            // SAFETY: initialised and not written while borrowed (caller);
            // loom checks the access itself.
            self.0.with(|slot| unsafe { (*slot).assume_init_ref() })
        }

        /// # Safety
        /// As the standard build's.
        pub(crate) unsafe fn drop_value(&self) {
            // SAFETY: initialised and exclusive (caller); loom checks it.
            self.0
                .with_mut(|slot| unsafe { (*slot).assume_init_drop() });
        }
    }
}
