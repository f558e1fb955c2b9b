//! `IoThreads`: the context's I/O threads (started on first use) and the
//! reaper thread that finishes closing sockets, plus the commands their
//! handlers take.

use std::time::Duration;

use parking_lot::Mutex;
use zmq_patterns::PipeId;

use crate::error::{Error, Result};
use crate::io_thread::{IoThread, ThreadScheduling};
use crate::pipe::{PipeEvent, PipeEvents};
use crate::reactor::{HandlerId, ReactorHandle};

/// A command addressed to a handler on an I/O thread.
pub(crate) enum IoCommand {
    /// A notification for the handler's pipe end.
    Pipe(PipeId, PipeEvent),
    /// The owning socket closes the object (unbind, disconnect, close):
    /// flush for at most `linger` ms (-1 = forever), then go.
    Close {
        /// `ZMQ_LINGER` at the time of the close.
        linger: i32,
    },
}

impl From<(PipeId, PipeEvent)> for IoCommand {
    fn from((pipe, event): (PipeId, PipeEvent)) -> IoCommand {
        IoCommand::Pipe(pipe, event)
    }
}

/// Pipe notifications for a handler on an I/O thread, delivered through
/// its reactor's mailbox.
pub(crate) struct HandlerEvents {
    pub(crate) reactor: ReactorHandle<IoCommand>,
    pub(crate) handler: HandlerId,
}

impl PipeEvents for HandlerEvents {
    fn notify(&self, pipe: PipeId, event: PipeEvent) {
        self.reactor
            .deliver(self.handler, IoCommand::Pipe(pipe, event));
    }
}

#[derive(Default)]
struct Threads {
    io: Vec<IoThread<IoCommand>>,
    reaper: Option<IoThread<IoCommand>>,
    started: bool,
    /// The process that started the threads.
    pid: u32,
}

impl Threads {
    /// In a child forked after the threads started, they do not exist:
    /// forget them (never join nor wait for them) so that the child
    /// starts its own when it needs them, and closes and terminates
    /// without waiting for threads that will never answer.
    fn forget_if_forked(&mut self) {
        let any = self.started || self.reaper.is_some();
        if !any || self.pid == std::process::id() {
            return;
        }
        for thread in self.io.drain(..) {
            std::mem::forget(thread);
        }
        if let Some(reaper) = self.reaper.take() {
            std::mem::forget(reaper);
        }
        self.started = false;
    }
}

/// The I/O threads of one context.
#[derive(Default)]
pub(crate) struct IoThreads {
    threads: Mutex<Threads>,
}

impl IoThreads {
    pub(crate) fn new() -> IoThreads {
        IoThreads::default()
    }

    /// The least loaded I/O thread allowed by `affinity` (a bitmask, 0 =
    /// any), starting `count` threads on first use.
    pub(crate) fn choose(
        &self,
        count: usize,
        affinity: u64,
        scheduling: &ThreadScheduling,
    ) -> Result<ReactorHandle<IoCommand>> {
        let mut threads = self.threads.lock();
        threads.forget_if_forked();
        if !threads.started {
            threads.pid = std::process::id();
            for index in 0..count {
                let name = format!("ZMQbg/IO/{index}");
                threads
                    .io
                    .push(IoThread::spawn_scheduled(name, scheduling.clone())?);
            }
            // The reaper starts with them (as libzmq's context does), not
            // at the first close: its descriptors must not take the
            // numbers of the connections being closed, which
            // applications still hold as ZMQ_SRCFD.
            if threads.reaper.is_none() {
                threads.reaper = Some(IoThread::spawn_named("ZMQbg/Reaper".into())?);
            }
            threads.started = true;
        }
        threads
            .io
            .iter()
            .enumerate()
            .filter(|(i, _)| affinity == 0 || (*i < 64 && affinity & (1 << i) != 0))
            .min_by_key(|(_, t)| t.load())
            .map(|(_, t)| t.handle().clone())
            .ok_or(Error::MThread)
    }

    /// The reaper thread, which finishes closing sockets.
    pub(crate) fn reaper(&self) -> Result<ReactorHandle<IoCommand>> {
        let mut threads = self.threads.lock();
        threads.forget_if_forked();
        if threads.reaper.is_none() {
            threads.reaper = Some(IoThread::spawn_named("ZMQbg/Reaper".into())?);
            threads.pid = std::process::id();
        }
        match &threads.reaper {
            Some(reaper) => Ok(reaper.handle().clone()),
            None => Err(Error::MThread),
        }
    }

    /// Waits until every handler (lingering sessions, sockets being
    /// reaped) is gone, then stops every thread.
    pub(crate) fn stop(&self) {
        let mut threads = std::mem::take(&mut *self.threads.lock());
        threads.forget_if_forked();
        let all: Vec<&IoThread<IoCommand>> =
            threads.io.iter().chain(threads.reaper.iter()).collect();
        // Handlers remove themselves once they are done lingering.
        while all.iter().any(|t| t.load() > 0) {
            std::thread::sleep(Duration::from_millis(1));
        }
        for thread in threads.io.drain(..) {
            let _ = thread.stop();
        }
        if let Some(reaper) = threads.reaper.take() {
            let _ = reaper.stop();
        }
    }
}
