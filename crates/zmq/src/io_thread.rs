//! `IoThread`: a [`Reactor`] running on its own thread, named like
//! libzmq's background threads (`ZMQbg/IO/0`, `ZMQbg/IO/1`, ...).

use std::io;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

pub use self::scheduling::ThreadScheduling;
use crate::reactor::{Reactor, ReactorHandle};

/// Context thread options applied to I/O threads as they start.
mod scheduling;

/// An I/O thread. Dropping it stops the reactor and joins the thread.
pub struct IoThread<C: Send + 'static> {
    handle: ReactorHandle<C>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl<C: Send + 'static> IoThread<C> {
    /// Starts I/O thread number `index`. Fails if the reactor cannot be
    /// created (descriptor limits) or the thread cannot be spawned.
    pub fn spawn(index: usize) -> io::Result<IoThread<C>> {
        IoThread::spawn_named(format!("ZMQbg/IO/{index}"))
    }

    /// Starts a reactor thread with the given name (`ZMQbg/Reaper`).
    pub fn spawn_named(name: String) -> io::Result<IoThread<C>> {
        IoThread::spawn_scheduled(name, ThreadScheduling::default())
    }

    /// Starts a reactor thread named `prefix/name` (just `name` without a
    /// prefix), applying `scheduling` on the thread before it runs.
    pub fn spawn_scheduled(name: String, scheduling: ThreadScheduling) -> io::Result<IoThread<C>> {
        let name = match scheduling.name_prefix.as_str() {
            "" => name,
            prefix => format!("{prefix}/{name}"),
        };
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let thread = thread::Builder::new().name(name).spawn(move || {
            block_signals();
            crate::term_on_drop::mark_background_thread();
            scheduling.apply_to_current_thread();
            let mut reactor = match Reactor::<C>::new() {
                Ok(reactor) => reactor,
                Err(err) => {
                    let _ = ready_tx.send(Err(err));
                    return Ok(());
                }
            };
            let _ = ready_tx.send(Ok(reactor.handle()));
            reactor.run()
        })?;
        let handle = match ready_rx.recv() {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("I/O thread died while starting")),
        };
        match handle {
            Ok(handle) => Ok(IoThread {
                handle,
                thread: Some(thread),
            }),
            Err(err) => {
                let _ = thread.join();
                Err(err)
            }
        }
    }

    /// A handle for sending commands to the thread's reactor.
    pub fn handle(&self) -> &ReactorHandle<C> {
        &self.handle
    }

    /// Runs `task` on the I/O thread.
    pub fn run(&self, task: impl FnOnce(&mut Reactor<C>) + Send + 'static) {
        self.handle.run(task);
    }

    /// Handlers on this thread (to pick the least loaded one).
    pub fn load(&self) -> usize {
        self.handle.load()
    }

    /// Stops the reactor (after the commands already queued), drops its
    /// handlers and joins the thread; reports how the loop ended.
    pub fn stop(mut self) -> io::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> io::Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        self.handle.stop();
        if thread.thread().id() == thread::current().id() {
            // Dropped by one of its own handlers (the last reference to the
            // context went away on this thread): it stops after this turn
            // and cannot join itself.
            return Ok(());
        }
        match thread.join() {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("I/O thread panicked")),
        }
    }
}

impl<C: Send + 'static> Drop for IoThread<C> {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Blocks every signal on the calling (background) thread, as libzmq's
/// threads do: the process's signals then go to application threads,
/// where they interrupt blocking calls (EINTR) and run their handlers,
/// instead of landing on a thread of ours that would swallow them.
pub(crate) fn block_signals() {
    // SAFETY: `set` is a local sigset_t initialised by sigfillset before
    // use; pthread_sigmask only changes the calling thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}
