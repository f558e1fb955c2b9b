//! Term on drop, as rust-zmq 0.10: the user-facing handles of a context
//! (its [`Context`] clones and its [`Socket`](crate::Socket)s) share one
//! [`UserHandles`]; when the last of them goes, the context terms (waits
//! for every socket to close and linger, then stops its I/O threads), so a
//! program that sends and returns from `main` still delivers its queue.
//!
//! The library's own references (a socket's core, sessions, the reaper,
//! monitor and ZAP sockets) are internal [`Context`]s without a share:
//! they never keep the context from terming, and they never term it.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::context::{Context, ContextShared};

/// One share per user-facing handle; the last one dropped terms.
pub(crate) struct UserHandles {
    shared: Arc<ContextShared>,
}

impl UserHandles {
    pub(crate) fn new(shared: Arc<ContextShared>) -> Arc<UserHandles> {
        Arc::new(UserHandles { shared })
    }
}

thread_local! {
    /// Set on the context's background threads (I/O threads, reaper).
    static BACKGROUND: Cell<bool> = const { Cell::new(false) };
}

/// Marks the calling thread as one of a context's background threads:
/// a term there would wait for itself.
pub(crate) fn mark_background_thread() {
    BACKGROUND.with(|b| b.set(true));
}

fn on_background_thread() -> bool {
    BACKGROUND.with(|b| b.get())
}

impl Drop for UserHandles {
    fn drop(&mut self) {
        if !self.shared.term_on_drop.load(Ordering::Acquire) {
            return;
        }
        let ctx = Context::internal_of(Arc::clone(&self.shared));
        if ctx.was_termed() {
            return;
        }
        if on_background_thread() {
            // Dropped by a handler on an I/O thread (an application's
            // transport or callback holding the last handle): that thread
            // must go on running for the sockets to finish, so the term
            // runs on a thread of its own. If none can be started, the
            // context only shuts down (blocking calls fail with ETERM).
            let spawned = std::thread::Builder::new()
                .name("ZMQbg/Term".into())
                .spawn({
                    let ctx = ctx.clone();
                    move || {
                        let _ = ctx.term();
                    }
                });
            if spawned.is_err() {
                ctx.shutdown();
            }
            return;
        }
        let _ = ctx.term();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use crate::{Context, SocketType};

    /// Waits (bounded) until `ctx`'s term finished.
    fn wait_termed(ctx: &Context) -> bool {
        for _ in 0..5000 {
            if ctx.was_termed() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }

    #[test]
    fn last_handle_terms() {
        let ctx = Context::new();
        let watch = ctx.internal();
        let socket = ctx.socket(SocketType::Push).unwrap();
        socket.connect("tcp://127.0.0.1:1").unwrap();
        socket.set_linger(0).unwrap();
        drop(ctx);
        assert!(!watch.was_termed(), "a socket still holds the context");
        drop(socket);
        assert!(watch.was_termed());
        assert!(matches!(
            watch.socket(SocketType::Pull),
            Err(crate::Error::Term)
        ));
    }

    #[test]
    fn internal_references_do_not_hold_it() {
        let ctx = Context::new();
        let watch = ctx.internal();
        let socket = ctx.socket(SocketType::Rep).unwrap();
        socket
            .monitor("inproc://monitor.term-on-drop", 0xffff)
            .unwrap();
        let auth = crate::auth::Authenticator::start(&ctx).unwrap();
        drop(socket);
        drop(ctx);
        assert!(!watch.was_termed(), "the authenticator is a user's handle");
        drop(auth);
        assert!(watch.was_termed());
    }

    #[test]
    fn off_does_not_term() {
        let ctx = Context::new();
        ctx.set_term_on_drop(false);
        let watch = ctx.internal();
        drop(ctx.socket(SocketType::Push).unwrap());
        drop(ctx);
        assert!(!watch.was_termed());
        watch.term().unwrap();
    }

    #[test]
    fn dropped_on_an_io_thread_does_not_deadlock() {
        let ctx = Context::new();
        let watch = ctx.internal();
        let socket = ctx.socket(SocketType::Push).unwrap();
        let reactor = watch.choose_io_thread(0).unwrap();
        drop(socket);
        let (done_tx, done_rx) = mpsc::channel();
        // The I/O thread holds the last user-facing handle and drops it.
        reactor.run(move |_| {
            drop(ctx);
            let _ = done_tx.send(());
        });
        done_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("the I/O thread went on");
        assert!(wait_termed(&watch), "the term ran on a thread of its own");
    }
}
