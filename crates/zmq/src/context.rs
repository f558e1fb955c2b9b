//! `Context`: owns the I/O threads, the inproc endpoint registry and the
//! bookkeeping that `term` waits on (`zmq_ctx_new`, `zmq_ctx_term`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{Condvar, Mutex, RwLock};
use zmq_patterns::{PipeId, SocketType};
use zmq_transports::{Transport, TransportRegistry};

use crate::error::{Error, Result};
use crate::inproc::InprocRegistry;
use crate::io::{IoCommand, IoThreads};
use crate::io_thread::ThreadScheduling;
use crate::socket::{Socket, SocketMailbox};
use crate::term_on_drop::UserHandles;

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
    /// `term` finished: the I/O threads are stopped.
    termed: bool,
}

pub(crate) struct ContextShared {
    registry: Mutex<Registry>,
    all_closed: Condvar,
    next_id: AtomicU64,
    settings: Mutex<Settings>,
    pub(crate) io: IoThreads,
    pub(crate) inproc: InprocRegistry,
    /// The transports by scheme: the built-ins and what the application
    /// registered ([`Context::register_transport`]).
    pub(crate) transports: RwLock<TransportRegistry>,
    /// Whether dropping the last user-facing handle terms (see
    /// [`Context::set_term_on_drop`]).
    pub(crate) term_on_drop: AtomicBool,
}

#[derive(Clone)]
struct Settings {
    io_threads: usize,
    max_sockets: usize,
    ipv6: bool,
    blocky: bool,
    max_msgsz: i32,
    zero_copy_recv: bool,
    threads: ThreadScheduling,
    /// `ZMQ_THREAD_NAME_PREFIX` as set (any bytes; `threads` holds the
    /// text threads are named with).
    thread_name_prefix: Vec<u8>,
    /// What the first socket found: libzmq starts the context then (its
    /// I/O threads, and the socket slots), and later values of these
    /// options are read back without effect.
    started: Option<Started>,
}

/// The settings a context starts with (at its first socket).
#[derive(Clone)]
struct Started {
    io_threads: usize,
    max_sockets: usize,
    threads: ThreadScheduling,
}

/// `ZMQ_SOCKET_LIMIT`: the largest `ZMQ_MAX_SOCKETS` accepted.
pub const SOCKET_LIMIT: i32 = 65_535;
/// `ZMQ_MSG_T_SIZE`: the size of a C `zmq_msg_t`.
pub const MSG_T_SIZE: i32 = 64;
/// The longest `ZMQ_THREAD_NAME_PREFIX` (Linux thread names are short).
pub const MAX_THREAD_NAME_PREFIX_LEN: usize = 16;

/// A ZeroMQ context: create sockets from it. Cloning shares it.
///
/// As rust-zmq's: when the last clone and the last socket made from it
/// are dropped, the context terms ([`Context::term`]): the drop waits
/// until every socket has sent what it queued (or its `ZMQ_LINGER` ran
/// out), then stops the I/O threads. [`Context::set_term_on_drop`] turns
/// this off (the C ABI does: libzmq never terms implicitly).
#[derive(Clone)]
pub struct Context {
    pub(crate) shared: Arc<ContextShared>,
    /// The user-facing handles' share; `None` in the library's own
    /// references, which neither keep the context from terming nor term.
    handles: Option<Arc<UserHandles>>,
}

impl Context {
    /// A new context with one I/O thread (started on first use).
    pub fn new() -> Context {
        let settings = Settings {
            io_threads: IO_THREADS_DEFAULT,
            max_sockets: MAX_SOCKETS_DEFAULT,
            ipv6: false,
            blocky: true,
            max_msgsz: i32::MAX,
            zero_copy_recv: true,
            threads: ThreadScheduling::default(),
            thread_name_prefix: Vec::new(),
            started: None,
        };
        let shared = Arc::new(ContextShared {
            registry: Mutex::new(Registry {
                sockets: Vec::new(),
                live: 0,
                terminating: false,
                termed: false,
            }),
            all_closed: Condvar::new(),
            next_id: AtomicU64::new(1),
            settings: Mutex::new(settings),
            io: IoThreads::new(),
            inproc: InprocRegistry::default(),
            transports: RwLock::new(builtin_transports()),
            term_on_drop: AtomicBool::new(true),
        });
        Context {
            handles: Some(UserHandles::new(Arc::clone(&shared))),
            shared,
        }
    }

    /// A reference for the library's own structures (socket cores,
    /// sessions, the reaper): it does not count as a user-facing handle.
    pub(crate) fn internal(&self) -> Context {
        Context::internal_of(Arc::clone(&self.shared))
    }

    pub(crate) fn internal_of(shared: Arc<ContextShared>) -> Context {
        Context {
            shared,
            handles: None,
        }
    }

    /// Whether dropping the last clone of this context and the last of its
    /// sockets runs [`Context::term`] (default true, as rust-zmq). Off, the
    /// context only goes away (its I/O threads stop and unsent messages
    /// are dropped) unless `term` is called, as a libzmq context that is
    /// never termed; the C ABI turns it off.
    pub fn set_term_on_drop(&self, on: bool) {
        self.shared.term_on_drop.store(on, Ordering::Release);
    }

    /// See [`Context::set_term_on_drop`].
    pub fn get_term_on_drop(&self) -> bool {
        self.shared.term_on_drop.load(Ordering::Acquire)
    }

    /// Creates a socket of `kind`.
    pub fn socket(&self, kind: SocketType) -> Result<Socket> {
        let max = self.started().max_sockets;
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
        let socket = Socket::new(self.internal(), self.handles.clone(), kind, id)?;
        let mut registry = self.shared.registry.lock();
        if registry.terminating {
            return Err(Error::Term);
        }
        registry.live += 1;
        registry.sockets.push((id, socket.mailbox()));
        Ok(socket)
    }

    /// Adds a transport of the application's own under its
    /// [`scheme`](Transport::scheme), for every socket of this context:
    /// `bind` and `connect` of `scheme://...` then go through it, with the
    /// same ZMTP engine, security and monitoring as tcp. Returns the
    /// transport it replaces (a built-in one too: `tcp`, `ipc`, ...).
    /// Binds and connects made before keep the transport they found.
    ///
    /// A transport gives non-blocking byte streams behind a file
    /// descriptor; see [`crate::transport`] and `docs/custom-transports.md`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use zmq::transport::{Connecting, Listener, Transport, TransportOptions, TransportResult, TcpTransport};
    ///
    /// /// tcp under another name.
    /// #[derive(Debug)]
    /// struct Renamed;
    ///
    /// impl Transport for Renamed {
    ///     fn scheme(&self) -> &str {
    ///         "mytcp"
    ///     }
    ///     fn bind(&self, address: &str, options: &TransportOptions) -> TransportResult<Box<dyn Listener>> {
    ///         TcpTransport.bind(address, options)
    ///     }
    ///     fn connect(&self, address: &str, options: &TransportOptions) -> TransportResult<Box<dyn Connecting>> {
    ///         TcpTransport.connect(address, options)
    ///     }
    /// }
    ///
    /// let ctx = zmq::Context::new();
    /// assert!(ctx.register_transport(Arc::new(Renamed)).is_none());
    /// let rep = ctx.socket(zmq::SocketType::Rep).unwrap();
    /// rep.bind("mytcp://127.0.0.1:*").unwrap();
    /// // The listener names itself (tcp://...): connect with either scheme.
    /// let port = rep.get_last_endpoint().unwrap().unwrap().rsplit(':').next().unwrap().to_owned();
    /// let req = ctx.socket(zmq::SocketType::Req).unwrap();
    /// req.connect(&format!("mytcp://127.0.0.1:{port}")).unwrap();
    /// req.send("ping", 0).unwrap();
    /// assert_eq!(rep.recv_bytes(0).unwrap(), b"ping");
    /// ```
    pub fn register_transport(&self, transport: Arc<dyn Transport>) -> Option<Arc<dyn Transport>> {
        self.shared.transports.write().register(transport)
    }

    /// The transport serving `scheme`, built in or registered.
    pub fn transport(&self, scheme: &str) -> Option<Arc<dyn Transport>> {
        self.shared.transports.read().get(scheme).ok().cloned()
    }

    /// `ZMQ_IO_THREADS` (>= 0): how many I/O threads to start. After the
    /// first socket, the value is stored (and read back) without effect,
    /// as libzmq (whose context starts with its first socket).
    pub fn set_io_threads(&self, n: i32) -> Result<()> {
        let n = usize::try_from(n).map_err(|_| Error::Inval)?;
        self.shared.settings.lock().io_threads = n;
        Ok(())
    }

    /// `ZMQ_IO_THREADS`.
    pub fn get_io_threads(&self) -> Result<i32> {
        Ok(self.shared.settings.lock().io_threads as i32)
    }

    /// `ZMQ_MAX_SOCKETS` (>= 1; libzmq on Linux, with epoll, takes any
    /// such value, beyond [`SOCKET_LIMIT`] too). After the first socket,
    /// stored and read back without effect, as libzmq.
    pub fn set_max_sockets(&self, n: i32) -> Result<()> {
        if n < 1 {
            return Err(Error::Inval);
        }
        let n = usize::try_from(n).map_err(|_| Error::Inval)?;
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

    /// `ZMQ_SOCKET_LIMIT`: the largest `ZMQ_MAX_SOCKETS` accepted.
    pub fn get_socket_limit(&self) -> Result<i32> {
        Ok(SOCKET_LIMIT)
    }

    /// `ZMQ_MSG_T_SIZE`: the size of a C `zmq_msg_t` (64).
    pub fn get_msg_t_size(&self) -> Result<i32> {
        Ok(MSG_T_SIZE)
    }

    /// `ZMQ_MAX_MSGSZ` (>= 0): the largest message the context's C API
    /// handles; stored (message sizes are not limited by `int` here).
    pub fn set_max_msgsz(&self, n: i32) -> Result<()> {
        if n < 0 {
            return Err(Error::Inval);
        }
        self.shared.settings.lock().max_msgsz = n;
        Ok(())
    }

    /// `ZMQ_MAX_MSGSZ` (default `INT_MAX`).
    pub fn get_max_msgsz(&self) -> Result<i32> {
        Ok(self.shared.settings.lock().max_msgsz)
    }

    /// `ZMQ_ZERO_COPY_RECV` (default true): libzmq's switch for receiving
    /// large frames without copying. Stored: our engine always slices
    /// large frames out of its read buffer without copying.
    pub fn set_zero_copy_recv(&self, on: bool) -> Result<()> {
        self.shared.settings.lock().zero_copy_recv = on;
        Ok(())
    }

    /// `ZMQ_ZERO_COPY_RECV`.
    pub fn get_zero_copy_recv(&self) -> Result<bool> {
        Ok(self.shared.settings.lock().zero_copy_recv)
    }

    /// `ZMQ_THREAD_PRIORITY` (>= 0): priority of the I/O threads, when set
    /// before the first socket as libzmq (with `SCHED_FIFO`/`SCHED_RR`; otherwise a nice value,
    /// as libzmq). Best effort: without privileges the OS may refuse.
    pub fn set_thread_priority(&self, priority: i32) -> Result<()> {
        let priority = at_least_zero(priority)?;
        self.update_threads(|t| {
            t.priority = priority;
            Ok(())
        })
    }

    /// `ZMQ_THREAD_PRIORITY` (-1: OS default).
    pub fn get_thread_priority(&self) -> Result<i32> {
        Ok(self.shared.settings.lock().threads.priority)
    }

    /// `ZMQ_THREAD_SCHED_POLICY` (>= 0, a `SCHED_*` value) of the I/O
    /// threads, when set before the first socket as libzmq.
    pub fn set_thread_sched_policy(&self, policy: i32) -> Result<()> {
        let policy = at_least_zero(policy)?;
        self.update_threads(|t| {
            t.policy = policy;
            Ok(())
        })
    }

    /// `ZMQ_THREAD_SCHED_POLICY` (-1: OS default).
    pub fn get_thread_sched_policy(&self) -> Result<i32> {
        Ok(self.shared.settings.lock().threads.policy)
    }

    /// `ZMQ_THREAD_AFFINITY_CPU_ADD`: the I/O threads run on this CPU (and
    /// the others added), when added before the first socket as libzmq.
    pub fn add_thread_affinity_cpu(&self, cpu: i32) -> Result<()> {
        let cpu = usize::try_from(cpu).map_err(|_| Error::Inval)?;
        self.update_threads(|t| {
            t.cpus.insert(cpu);
            Ok(())
        })
    }

    /// `ZMQ_THREAD_AFFINITY_CPU_REMOVE`: EINVAL if `cpu` was not added.
    pub fn remove_thread_affinity_cpu(&self, cpu: i32) -> Result<()> {
        let cpu = usize::try_from(cpu).map_err(|_| Error::Inval)?;
        self.update_threads(|t| match t.cpus.remove(&cpu) {
            true => Ok(()),
            false => Err(Error::Inval),
        })
    }

    /// The CPUs added with `ZMQ_THREAD_AFFINITY_CPU_ADD`.
    pub fn get_thread_affinity_cpus(&self) -> Result<Vec<usize>> {
        Ok(self
            .shared
            .settings
            .lock()
            .threads
            .cpus
            .iter()
            .copied()
            .collect())
    }

    /// `ZMQ_THREAD_NAME_PREFIX` (1 to 16 bytes): the I/O threads are named
    /// `prefix/ZMQbg/IO/n`, when set before the first socket as libzmq.
    pub fn set_thread_name_prefix(&self, prefix: &str) -> Result<()> {
        self.set_thread_name_prefix_bytes(prefix.as_bytes())
    }

    /// `ZMQ_THREAD_NAME_PREFIX` as the C API sets it: any 1 to 16 bytes,
    /// stored as given (libzmq); threads are named with the text before
    /// the first zero byte.
    pub fn set_thread_name_prefix_bytes(&self, prefix: &[u8]) -> Result<()> {
        if prefix.is_empty() || prefix.len() > MAX_THREAD_NAME_PREFIX_LEN {
            return Err(Error::Inval);
        }
        let text = prefix.split(|&b| b == 0).next().unwrap_or_default();
        let mut settings = self.shared.settings.lock();
        settings.threads.name_prefix = String::from_utf8_lossy(text).into_owned();
        settings.thread_name_prefix = prefix.to_vec();
        Ok(())
    }

    /// `ZMQ_THREAD_NAME_PREFIX` (empty: none; bytes that are not UTF-8
    /// read as U+FFFD).
    pub fn get_thread_name_prefix(&self) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.get_thread_name_prefix_bytes()?).into_owned())
    }

    /// `ZMQ_THREAD_NAME_PREFIX` as set.
    pub fn get_thread_name_prefix_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.shared.settings.lock().thread_name_prefix.clone())
    }

    fn update_threads(
        &self,
        change: impl FnOnce(&mut ThreadScheduling) -> Result<()>,
    ) -> Result<()> {
        change(&mut self.shared.settings.lock().threads)
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
        self.term_inner()
    }

    /// [`Context::term`] under the `zmq` crate's name.
    pub fn destroy(&mut self) -> Result<()> {
        self.term()
    }

    fn term_inner(&self) -> Result<()> {
        self.shutdown();
        // Connects still waiting for a bind never get one now; a closed
        // connecter waits for them (as libzmq binds and closes a PAIR on
        // each name).
        self.shared.inproc.terminate();
        let mut registry = self.shared.registry.lock();
        while registry.live > 0 {
            self.shared.all_closed.wait(&mut registry);
        }
        drop(registry);
        self.shared.io.stop();
        self.shared.registry.lock().termed = true;
        Ok(())
    }

    /// Whether a `term` finished.
    pub(crate) fn was_termed(&self) -> bool {
        self.shared.registry.lock().termed
    }

    /// Whether `zmq_ctx_shutdown` or `zmq_ctx_term` was called.
    pub(crate) fn is_terminating(&self) -> bool {
        self.shared.registry.lock().terminating
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

    /// Picks an I/O thread for new work (least loaded), starting the
    /// threads on first use. EMTHREAD when the context has none.
    pub(crate) fn choose_io_thread(
        &self,
        affinity: u64,
    ) -> Result<crate::reactor::ReactorHandle<IoCommand>> {
        let started = self.started();
        self.shared
            .io
            .choose(started.io_threads, affinity, &started.threads)
    }

    /// The settings the context started with, at its first socket (now,
    /// for the first one).
    fn started(&self) -> Started {
        let mut settings = self.shared.settings.lock();
        let Settings {
            io_threads,
            max_sockets,
            threads,
            started,
            ..
        } = &mut *settings;
        started
            .get_or_insert_with(|| Started {
                io_threads: *io_threads,
                max_sockets: *max_sockets,
                threads: threads.clone(),
            })
            .clone()
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

fn at_least_zero(value: i32) -> Result<i32> {
    if value < 0 {
        Err(Error::Inval)
    } else {
        Ok(value)
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

/// The transports every context starts with: tcp, ipc, tipc, vsock, and
/// vmci when built with the `vmci` feature (as libzmq's `WITH_VMCI`).
fn builtin_transports() -> TransportRegistry {
    #[allow(unused_mut)]
    let mut registry = TransportRegistry::new();
    #[cfg(feature = "vmci")]
    registry.register(Arc::new(zmq_transports::VmciTransport));
    registry
}
