//! `Reactor`: the event loop of one I/O thread.
//!
//! It waits in a [`PollSet`] (level-triggered, as in libzmq: epoll on
//! Linux, `polling` elsewhere, see [`backend`]) for the descriptors of its
//! handlers, the next timer (millisecond timeout of the
//! wait itself), and its command [`Mailbox`], whose wake-up descriptor is
//! polled like any other. A turn costs one wait (`epoll_wait`); interest changes
//! reach the kernel only when they change. With nothing to do it polls
//! without blocking for a few microseconds while events keep coming close
//! together ([`crate::spin`]), then sleeps until one of these fires.
//!
//! Handlers are taken out of their slot while they run, so a callback gets
//! `&mut Reactor` and may add or remove any handler, itself included; a
//! handler removed during its own callback is dropped when it returns, and
//! events already collected for a removed handler are discarded.

pub mod backend;
#[cfg(zmq_epoll)]
pub mod epoll;
pub mod handler;
#[cfg(not(zmq_epoll))]
pub mod portable;
pub mod slots;
pub mod timers;

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use backend::{Backend, PollSet, Ready};
pub use handler::{EventHandler, HandlerId, Interest, TimerId};
use slots::HandlerSlots;
use timers::TimerQueue;

use crate::mailbox::Mailbox;
use crate::spin::{self, SpinPolicy};

/// Poller key of the command mailbox. Handler keys are slot indexes
/// (`u32`), and polling reserves `usize::MAX`.
const MAILBOX_KEY: usize = usize::MAX - 1;

/// Code to run on the reactor's thread.
pub type ReactorTask<C> = Box<dyn FnOnce(&mut Reactor<C>) + Send>;

/// A command sent to a reactor from any thread.
pub enum ReactorCommand<C> {
    /// Run a closure on the reactor's thread.
    Run(ReactorTask<C>),
    /// Hand a command to a handler (`on_command`); dropped if it is gone.
    Deliver(HandlerId, C),
    /// Leave `run` after this batch of commands.
    Stop,
}

/// A cheap, cloneable, thread-safe way to send commands to a reactor.
pub struct ReactorHandle<C> {
    mailbox: Arc<Mailbox<ReactorCommand<C>>>,
    load: Arc<AtomicUsize>,
}

impl<C> Clone for ReactorHandle<C> {
    fn clone(&self) -> Self {
        ReactorHandle {
            mailbox: Arc::clone(&self.mailbox),
            load: Arc::clone(&self.load),
        }
    }
}

impl<C> ReactorHandle<C> {
    /// Queues a command (never blocks).
    pub fn send(&self, command: ReactorCommand<C>) {
        self.mailbox.send(command);
    }

    /// Runs `task` on the reactor's thread.
    pub fn run(&self, task: impl FnOnce(&mut Reactor<C>) + Send + 'static) {
        self.send(ReactorCommand::Run(Box::new(task)));
    }

    /// Hands `command` to the handler `id` on the reactor's thread.
    pub fn deliver(&self, id: HandlerId, command: C) {
        self.send(ReactorCommand::Deliver(id, command));
    }

    /// Asks the reactor to leave `run`.
    pub fn stop(&self) {
        self.send(ReactorCommand::Stop);
    }

    /// Handlers registered with the reactor (to pick the least loaded
    /// I/O thread, as libzmq's `get_load`).
    pub fn load(&self) -> usize {
        self.load.load(Ordering::Relaxed)
    }
}

/// An event loop: descriptors, timers and commands, each dispatched to its
/// handler. `C` is the type of command addressed to handlers.
pub struct Reactor<C> {
    poller: PollSet,
    /// Readiness collected by the last wait.
    ready: Vec<Ready>,
    handlers: HandlerSlots<C>,
    timers: TimerQueue,
    mailbox: Arc<Mailbox<ReactorCommand<C>>>,
    commands: VecDeque<ReactorCommand<C>>,
    load: Arc<AtomicUsize>,
    stopped: bool,
    spin: SpinPolicy,
}

impl<C> Reactor<C> {
    /// A reactor with no handler.
    pub fn new() -> io::Result<Reactor<C>> {
        let poller = PollSet::new()?;
        let mailbox = Arc::new(Mailbox::new()?);
        // The mailbox (and so its descriptor) lives as long as the reactor,
        // which deletes the registration in `drop`.
        poller.add(mailbox.as_fd().as_raw_fd(), MAILBOX_KEY, Interest::READ)?;
        Ok(Reactor {
            poller,
            ready: Vec::new(),
            handlers: HandlerSlots::new(),
            timers: TimerQueue::new(),
            mailbox,
            commands: VecDeque::new(),
            load: Arc::new(AtomicUsize::new(0)),
            stopped: false,
            spin: SpinPolicy::new(spin::configured_max()),
        })
    }

    /// A handle for sending commands from other threads.
    pub fn handle(&self) -> ReactorHandle<C> {
        ReactorHandle {
            mailbox: Arc::clone(&self.mailbox),
            load: Arc::clone(&self.load),
        }
    }

    /// Adds a handler (with no descriptor yet).
    pub fn add_handler(&mut self, handler: Box<dyn EventHandler<C>>) -> HandlerId {
        let id = self.handlers.insert(handler);
        self.load.store(self.handlers.len(), Ordering::Relaxed);
        id
    }

    /// Polls `fd` for the handler `id` with `interest` (one descriptor per
    /// handler).
    ///
    /// # Safety
    /// `fd` must stay open until the handler is removed or
    /// [`Reactor::deregister_fd`] is called (a closed number reused by
    /// another descriptor would be polled for this handler).
    pub unsafe fn register_fd(
        &mut self,
        id: HandlerId,
        fd: BorrowedFd<'_>,
        interest: Interest,
    ) -> io::Result<()> {
        let slot = self.handlers.live_mut(id).ok_or_else(gone)?;
        if slot.fd.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "handler already has a descriptor",
            ));
        }
        let raw = fd.as_raw_fd();
        // The caller keeps `fd` open until it is deleted here.
        self.poller.add(raw, key_of(id), interest)?;
        slot.fd = Some(raw);
        slot.interest = interest;
        Ok(())
    }

    /// Changes which readiness of its descriptor the handler hears about.
    pub fn set_interest(&mut self, id: HandlerId, interest: Interest) -> io::Result<()> {
        let slot = self.handlers.live_mut(id).ok_or_else(gone)?;
        let raw = slot.fd.ok_or_else(gone)?;
        if slot.interest != interest {
            // `raw` is registered, so by `register_fd`'s contract it is
            // still open.
            self.poller.modify(raw, key_of(id), interest)?;
            slot.interest = interest;
        }
        Ok(())
    }

    /// The handler's current interest.
    pub fn interest(&self, id: HandlerId) -> Option<Interest> {
        self.handlers.live(id).map(|slot| slot.interest)
    }

    /// Stops polling the handler's descriptor (it may be closed afterwards).
    pub fn deregister_fd(&mut self, id: HandlerId) -> io::Result<()> {
        let slot = self.handlers.live_mut(id).ok_or_else(gone)?;
        if let Some(raw) = slot.fd.take() {
            // Registered, hence still open (`register_fd` contract).
            self.poller.delete(raw)?;
        }
        Ok(())
    }

    /// Removes a handler (and its descriptor registration). A handler
    /// removing itself is dropped when its callback returns. Its pending
    /// timers and commands are dropped. Returns `false` for a stale id.
    pub fn remove_handler(&mut self, id: HandlerId) -> bool {
        if self.handlers.live(id).is_none() {
            return false;
        }
        // Cannot fail: the handler is live.
        let _ = self.deregister_fd(id);
        let handler = self.handlers.remove(id);
        self.load.store(self.handlers.len(), Ordering::Relaxed);
        drop(handler);
        true
    }

    /// Whether `id` names a live handler.
    pub fn contains(&self, id: HandlerId) -> bool {
        self.handlers.live(id).is_some()
    }

    /// Calls the handler's `on_timer` once `after` has passed.
    pub fn add_timer(&mut self, id: HandlerId, after: Duration) -> TimerId {
        let deadline = Instant::now().checked_add(after).unwrap_or_else(far_future);
        self.timers.add(deadline, id)
    }

    /// Cancels a timer; `false` when it already fired or was cancelled.
    pub fn cancel_timer(&mut self, timer: TimerId) -> bool {
        self.timers.cancel(timer)
    }

    /// Whether a `Stop` command was processed.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Runs until a `Stop` command.
    pub fn run(&mut self) -> io::Result<()> {
        while !self.stopped {
            self.run_once(None)?;
        }
        Ok(())
    }

    /// One turn: fires due timers, waits up to `timeout` (`None`: until
    /// something happens) or the next timer, then dispatches what is ready.
    pub fn run_once(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.fire_timers();
        let until_timer = self
            .timers
            .next_deadline()
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        let wait = match (timeout, until_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut ready = std::mem::take(&mut self.ready);
        ready.clear();
        self.wait(&mut ready, wait)?;
        for &Ready {
            key,
            readable,
            writable,
        } in &ready
        {
            if key == MAILBOX_KEY {
                self.process_commands();
            } else {
                self.dispatch_ready(key, readable, writable);
            }
        }
        self.ready = ready;
        self.fire_timers();
        self.handlers.release_removed();
        Ok(())
    }

    /// Waits for readiness: spins first (non-blocking polls for up to
    /// the spin budget) when the policy says so, then blocks for what is
    /// left of `wait`.
    fn wait(&mut self, ready: &mut Vec<Ready>, wait: Option<Duration>) -> io::Result<()> {
        if wait == Some(Duration::ZERO) {
            return self.poller.wait(ready, wait);
        }
        let started = Instant::now();
        if let Some(budget) = self.spin.budget() {
            let budget = wait.map_or(budget, |w| w.min(budget));
            loop {
                self.poller.wait(ready, Some(Duration::ZERO))?;
                if !ready.is_empty() {
                    return Ok(());
                }
                if started.elapsed() >= budget {
                    break;
                }
                // Lets a thread queued on this core (the application
                // thread about to reply, on a busy machine) run.
                let yielded = Instant::now();
                std::thread::yield_now();
                if yielded.elapsed() >= spin::CONTENDED_YIELD {
                    // Others wanted this core for a while: the machine
                    // is busy, and spinning takes CPU they need.
                    break;
                }
            }
            self.spin.spin_failed();
            let left = wait.map(|w| w.saturating_sub(started.elapsed()));
            return self.poller.wait(ready, left);
        }
        self.poller.wait(ready, wait)?;
        if self.spin.wants_timing() {
            self.spin.blocked(started, !ready.is_empty());
        }
        Ok(())
    }

    fn dispatch_ready(&mut self, index: usize, readable: bool, writable: bool) {
        let Some(id) = self.handlers.id_at(index) else {
            return;
        };
        if readable && self.interest(id).is_some_and(|i| i.readable) {
            self.dispatch(id, |h, r| h.on_readable(r, id));
        }
        if writable && self.interest(id).is_some_and(|i| i.writable) {
            self.dispatch(id, |h, r| h.on_writable(r, id));
        }
    }

    /// Runs `call` with the handler taken out of its slot. A panic in it
    /// touches that handler only: it gets [`EventHandler::on_panicked`]
    /// (to close what the panic interrupted) and is removed unless that
    /// says it can go on; the thread and every other handler go on.
    fn dispatch(
        &mut self,
        id: HandlerId,
        call: impl FnOnce(&mut dyn EventHandler<C>, &mut Reactor<C>),
    ) {
        let Some(mut handler) = self.handlers.take(id) else {
            return;
        };
        let ran = panic::catch_unwind(AssertUnwindSafe(|| call(&mut *handler, self)));
        if ran.is_err() {
            let keep = panic::catch_unwind(AssertUnwindSafe(|| handler.on_panicked(self, id)))
                .unwrap_or(false);
            if !keep {
                self.remove_handler(id);
                // Dropping it could panic as well.
                let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(handler)));
                return;
            }
        }
        // Dropped here if the handler was removed meanwhile.
        self.handlers.put_back(id, handler);
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        let before = self.timers.next_id();
        while let Some((timer, id)) = self.timers.pop_expired(now, before) {
            self.dispatch(id, |h, r| h.on_timer(r, id, timer));
        }
    }

    fn process_commands(&mut self) {
        let mut commands = std::mem::take(&mut self.commands);
        self.mailbox.recv_batch(&mut commands);
        while let Some(command) = commands.pop_front() {
            match command {
                ReactorCommand::Run(task) => task(self),
                ReactorCommand::Deliver(id, command) => {
                    self.dispatch(id, |h, r| h.on_command(r, id, command));
                }
                ReactorCommand::Stop => self.stopped = true,
            }
        }
        self.commands = commands;
    }
}

impl<C> Drop for Reactor<C> {
    fn drop(&mut self) {
        for raw in self.handlers.registered_fds() {
            // Registered, hence still open (`register_fd` contract);
            // handlers (owning the descriptors) are dropped after this.
            let _ = self.poller.delete(raw);
        }
        let _ = self.poller.delete(self.mailbox.as_fd().as_raw_fd());
    }
}

/// The poll key of a handler: its slot index.
fn key_of(id: HandlerId) -> usize {
    // Slot indexes are `u32`; `usize` is at least that wide on every
    // target the crate builds for.
    id.index as usize
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "no such handler or descriptor")
}

/// A deadline no timer reaches (for absurdly long delays).
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

#[cfg(test)]
mod tests;
