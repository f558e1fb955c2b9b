//! `Context`: owns the I/O threads, the inproc endpoint registry and the
//! bookkeeping that `term` waits on (`zmq_ctx_new`, `zmq_ctx_term`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Condvar, Mutex};
use zmq_patterns::{PipeId, SocketKind};
use zmq_transports::TransportRegistry;

use crate::error::{Error, Result};
use crate::inproc::InprocRegistry;
use crate::io::{IoCommand, IoThreads};
use crate::socket::{Socket, SocketMailbox};

/// `ZMQ_IO_THREADS` default.
pub const IO_THREADS_DEFAULT: usize = 1;
/// `ZMQ_MAX_SOCKETS` default.
pub const MAX_SOCKETS_DEFAULT: usize = 1023;

struct Registry {
    /// Mailboxes of the open sockets, by socket id (to deliver `Stop`).
    sockets: Vec<(u64, Arc<SocketMailbox>)>,
    /// Sockets created and not yet fully closed (reaped).
    live: usize,
    terminating: bool,
}

pub(crate) struct ContextShared {
    registry: Mutex<Registry>,
    all_closed: Condvar,
    next_id: AtomicU64,
    settings: Mutex<Settings>,
    pub(crate) io: IoThreads,
    pub(crate) inproc: InprocRegistry,
    pub(crate) transports: TransportRegistry,
}

#[derive(Clone, Copy)]
struct Settings {
    io_threads: usize,
    max_sockets: usize,
    ipv6: bool,
    blocky: bool,
}

/// A ZeroMQ context: create sockets from it. Cloning shares it; it lives
/// until the last clone and the last socket are gone.
#[derive(Clone)]
pub struct Context {
    pub(crate) shared: Arc<ContextShared>,
}

impl Context {
    /// A new context with one I/O thread (started on first use).
    pub fn new() -> Context {
        let settings = Settings {
            io_threads: IO_THREADS_DEFAULT,
            max_sockets: MAX_SOCKETS_DEFAULT,
            ipv6: false,
            blocky: true,
        };
        Context {
            shared: Arc::new(ContextShared {
                registry: Mutex::new(Registry {
                    sockets: Vec::new(),
                    live: 0,
                    terminating: false,
                }),
                all_closed: Condvar::new(),
                next_id: AtomicU64::new(1),
                settings: Mutex::new(settings),
                io: IoThreads::new(),
                inproc: InprocRegistry::default(),
                transports: TransportRegistry::new(),
            }),
        }
    }

    /// Creates a socket of `kind`.
    pub fn socket(&self, kind: SocketKind) -> Result<Socket> {
        let max = self.shared.settings.lock().max_sockets;
        let id = self.next_id();
        {
            let registry = self.shared.registry.lock();
            if registry.terminating {
                return Err(Error::Term);
            }
            if registry.live >= max {
                return Err(Error::MFile);
            }
        }
        let socket = Socket::new(self.clone(), kind, id)?;
        let mut registry = self.shared.registry.lock();
        if registry.terminating {
            return Err(Error::Term);
        }
        registry.live += 1;
        registry.sockets.push((id, socket.mailbox()));
        Ok(socket)
    }

    /// `ZMQ_IO_THREADS`: how many I/O threads to start; only before the
    /// first one starts.
    pub fn set_io_threads(&self, n: i32) -> Result<()> {
        let n = usize::try_from(n).map_err(|_| Error::Inval)?;
        if self.shared.io.started() {
            return Err(Error::Inval);
        }
        self.shared.settings.lock().io_threads = n;
        Ok(())
    }

    /// `ZMQ_IO_THREADS`.
    pub fn get_io_threads(&self) -> Result<i32> {
        Ok(self.shared.settings.lock().io_threads as i32)
    }

    /// `ZMQ_MAX_SOCKETS`.
    pub fn set_max_sockets(&self, n: i32) -> Result<()> {
        let n = usize::try_from(n).map_err(|_| Error::Inval)?;
        if n < 1 {
            return Err(Error::Inval);
        }
        self.shared.settings.lock().max_sockets = n;
        Ok(())
    }

    /// `ZMQ_MAX_SOCKETS`.
    pub fn get_max_sockets(&self) -> Result<i32> {
        Ok(self.shared.settings.lock().max_sockets as i32)
    }

    /// `ZMQ_IPV6`: the default of new sockets' `ZMQ_IPV6`.
    pub fn set_ipv6(&self, on: bool) -> Result<()> {
        self.shared.settings.lock().ipv6 = on;
        Ok(())
    }

    /// `ZMQ_IPV6`.
    pub fn get_ipv6(&self) -> Result<bool> {
        Ok(self.shared.settings.lock().ipv6)
    }

    /// `ZMQ_BLOCKY`: whether `term` waits for lingering sockets (default
    /// true); false sets the default linger of new sockets to 0.
    pub fn set_blocky(&self, on: bool) -> Result<()> {
        self.shared.settings.lock().blocky = on;
        Ok(())
    }

    /// `ZMQ_BLOCKY`.
    pub fn get_blocky(&self) -> Result<bool> {
        Ok(self.shared.settings.lock().blocky)
    }

    /// `zmq_ctx_shutdown`: every blocking call on the context's sockets,
    /// now or later, fails with ETERM; new sockets cannot be created.
    pub fn shutdown(&self) {
        let mailboxes: Vec<Arc<SocketMailbox>> = {
            let mut registry = self.shared.registry.lock();
            registry.terminating = true;
            registry
                .sockets
                .iter()
                .map(|(_, m)| Arc::clone(m))
                .collect()
        };
        for mailbox in mailboxes {
            mailbox.send(crate::socket::SocketCommand::Stop);
        }
    }

    /// `zmq_ctx_term`: shuts down, then waits until every socket is closed
    /// and has lingered, and stops the I/O threads.
    pub fn term(&self) -> Result<()> {
        self.shutdown();
        let mut registry = self.shared.registry.lock();
        while registry.live > 0 {
            self.shared.all_closed.wait(&mut registry);
        }
        drop(registry);
        self.shared.io.stop();
        Ok(())
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn next_pipe_id(&self) -> PipeId {
        PipeId(self.next_id())
    }

    pub(crate) fn default_ipv6(&self) -> bool {
        self.shared.settings.lock().ipv6
    }

    pub(crate) fn default_linger(&self) -> i32 {
        if self.shared.settings.lock().blocky {
            -1
        } else {
            0
        }
    }

    pub(crate) fn io_thread_count(&self) -> usize {
        self.shared.settings.lock().io_threads
    }

    /// Picks an I/O thread for new work (least loaded), starting the
    /// threads on first use. EMTHREAD when the context has none.
    pub(crate) fn choose_io_thread(
        &self,
        affinity: u64,
    ) -> Result<crate::reactor::ReactorHandle<IoCommand>> {
        self.shared.io.choose(self.io_thread_count(), affinity)
    }

    /// A socket finished closing: forget it and wake `term`.
    pub(crate) fn socket_closed(&self, id: u64) {
        let mut registry = self.shared.registry.lock();
        registry.sockets.retain(|(sid, _)| *sid != id);
        registry.live = registry.live.saturating_sub(1);
        if registry.live == 0 {
            self.shared.all_closed.notify_all();
        }
    }
}

impl Default for Context {
    fn default() -> Context {
        Context::new()
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").finish_non_exhaustive()
    }
}
