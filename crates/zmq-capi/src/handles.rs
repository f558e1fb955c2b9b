//! Context and socket handles: the `void *` the C side holds is a boxed
//! [`ContextHandle`] or [`SocketHandle`]. Every live handle is in a
//! registry, so a NULL, foreign or closed pointer is refused (EFAULT for
//! contexts, ENOTSOCK for sockets) instead of being dereferenced.
//!
//! Sockets of the thread-safe types (CLIENT, SERVER, RADIO, DISH,
//! SCATTER, GATHER, PEER, CHANNEL) are held as a [`ThreadSafeSocket`],
//! which any number of threads may use at once, as in libzmq; the other
//! types as a plain [`Socket`], used by one thread at a time (libzmq's
//! rule for them) and reached without a lock.

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::LazyLock;

use parking_lot::RwLock;
use zmq::{Context, Error, Message, Socket, ThreadSafeSocket};

/// Tag of a live context (as libzmq's `ctx_t::check_tag`).
const CONTEXT_TAG: u32 = 0xabad_cafe;
/// Tag of a live socket (as libzmq's `socket_base_t::check_tag`).
const SOCKET_TAG: u32 = 0xbadd_ecaf;
/// Written over the tag when a handle is freed.
const DEAD_TAG: u32 = 0xdead_beef;

/// What a registered address is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum HandleKind {
    Context,
    Socket,
}

/// Addresses of the live handles.
static LIVE: LazyLock<RwLock<HashMap<usize, HandleKind>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

/// What a context pointer points to. `repr(C)` with the tag first, as
/// libzmq's objects: bindings read a handle's first int to tell it from
/// a raw descriptor, and the tag is negative as an `int`.
#[repr(C)]
pub(crate) struct ContextHandle {
    tag: u32,
    /// The context.
    pub(crate) ctx: Context,
}

/// What a socket pointer points to; `repr(C)`, tag first (see
/// [`ContextHandle`]).
#[repr(C)]
pub(crate) struct SocketHandle {
    tag: u32,
    /// The socket.
    pub(crate) socket: AnySocket,
}

/// A C socket: thread-safe or not, by type.
pub(crate) enum AnySocket {
    /// A socket of a type that is not thread-safe.
    Plain(Socket),
    /// A socket of a thread-safe type.
    ThreadSafe(ThreadSafeSocket),
}

impl AnySocket {
    /// Runs `f` on the socket; a thread-safe one is locked meanwhile, so
    /// `f` must not block (options, endpoints, groups).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Socket) -> R) -> R {
        match self {
            AnySocket::Plain(socket) => f(socket),
            AnySocket::ThreadSafe(socket) => socket.with(f),
        }
    }

    /// Whether the socket is of a thread-safe type.
    pub(crate) fn is_thread_safe(&self) -> bool {
        matches!(self, AnySocket::ThreadSafe(_))
    }

    /// Sends one part, waiting per `flags` and `ZMQ_SNDTIMEO`.
    #[inline]
    pub(crate) fn send_msg(&self, msg: Message, flags: i32) -> Result<(), Error> {
        match self {
            AnySocket::Plain(socket) => socket.send_msg(msg, flags),
            AnySocket::ThreadSafe(socket) => socket.send_msg(msg, flags),
        }
    }

    /// Receives one part, waiting per `flags` and `ZMQ_RCVTIMEO`.
    #[inline]
    pub(crate) fn recv_msg(&self, flags: i32) -> Result<Message, Error> {
        match self {
            AnySocket::Plain(socket) => socket.recv_msg(flags),
            AnySocket::ThreadSafe(socket) => socket.recv_msg(flags),
        }
    }

    fn close(self) {
        match self {
            AnySocket::Plain(socket) => socket.close(),
            AnySocket::ThreadSafe(socket) => socket.close(),
        }
    }
}

/// Boxes `ctx` and registers it; the pointer is what `zmq_ctx_new` returns.
pub(crate) fn new_context(ctx: Context) -> *mut c_void {
    // libzmq never terms a context implicitly: closing the last socket of
    // a context the program never terms must not block.
    ctx.set_term_on_drop(false);
    let raw = Box::into_raw(Box::new(ContextHandle {
        tag: CONTEXT_TAG,
        ctx,
    }));
    LIVE.write().insert(raw as usize, HandleKind::Context);
    raw.cast()
}

/// Boxes `socket` (behind a lock when its type is thread-safe) and
/// registers it; the pointer is what `zmq_socket` returns.
pub(crate) fn new_socket(socket: Socket) -> Result<*mut c_void, Error> {
    let socket = if socket.get_socket_type()?.is_thread_safe() {
        AnySocket::ThreadSafe(ThreadSafeSocket::from_socket(socket)?)
    } else {
        AnySocket::Plain(socket)
    };
    let raw = Box::into_raw(Box::new(SocketHandle {
        tag: SOCKET_TAG,
        socket,
    }));
    LIVE.write().insert(raw as usize, HandleKind::Socket);
    Ok(raw.cast())
}

fn is_live(ptr: *const c_void, kind: HandleKind) -> bool {
    !ptr.is_null() && LIVE.read().get(&(ptr as usize)) == Some(&kind)
}

/// The context behind `ptr`; EFAULT when it is not a live context.
///
/// The reference is valid until the handle is destroyed by
/// [`destroy_context`]; as with libzmq, the C side must not destroy a
/// context while another of its threads still passes it in.
pub(crate) fn context<'a>(ptr: *mut c_void) -> Result<&'a ContextHandle, Error> {
    if !is_live(ptr, HandleKind::Context) {
        return Err(Error::Fault);
    }
    // SAFETY: the registry holds exactly the addresses of boxed
    // `ContextHandle`s that have not been freed; a registered address is
    // therefore a valid, aligned `ContextHandle`.
    let handle = unsafe { &*ptr.cast::<ContextHandle>() };
    if handle.tag != CONTEXT_TAG {
        return Err(Error::Fault);
    }
    Ok(handle)
}

/// The socket behind `ptr`; ENOTSOCK when it is not a live socket.
///
/// A socket of a type that is not thread-safe is used by one thread at a
/// time (libzmq's rule); a thread-safe one by any number (see
/// [`AnySocket`]). The reference is valid until [`destroy_socket`], which
/// the C side must not call while other threads still use the socket.
pub(crate) fn socket<'a>(ptr: *mut c_void) -> Result<&'a SocketHandle, Error> {
    if !is_live(ptr, HandleKind::Socket) {
        return Err(Error::NotSock);
    }
    // SAFETY: the registry holds exactly the addresses of boxed
    // `SocketHandle`s that have not been freed.
    let handle = unsafe { &*ptr.cast::<SocketHandle>() };
    if handle.tag != SOCKET_TAG {
        return Err(Error::NotSock);
    }
    Ok(handle)
}

/// Unregisters and frees the context handle (after `term`).
pub(crate) fn destroy_context(ptr: *mut c_void) -> Result<(), Error> {
    if LIVE.write().remove(&(ptr as usize)) != Some(HandleKind::Context) {
        return Err(Error::Fault);
    }
    // SAFETY: the address was registered as a live boxed `ContextHandle`
    // and has just been removed from the registry, so this is the only
    // place that frees it.
    let mut handle = unsafe { Box::from_raw(ptr.cast::<ContextHandle>()) };
    handle.tag = DEAD_TAG;
    drop(handle);
    Ok(())
}

/// Unregisters and frees the socket handle, closing the socket.
pub(crate) fn destroy_socket(ptr: *mut c_void) -> Result<(), Error> {
    {
        let mut live = LIVE.write();
        if live.get(&(ptr as usize)) != Some(&HandleKind::Socket) {
            return Err(Error::NotSock);
        }
        live.remove(&(ptr as usize));
    }
    // SAFETY: the address was registered as a live boxed `SocketHandle`
    // and has just been removed from the registry, so this is the only
    // place that frees it.
    let mut handle = unsafe { Box::from_raw(ptr.cast::<SocketHandle>()) };
    handle.tag = DEAD_TAG;
    let SocketHandle { socket, .. } = *handle;
    socket.close();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_foreign_pointers_are_refused() {
        assert_eq!(context(std::ptr::null_mut()).err(), Some(Error::Fault));
        let mut not_a_handle = 0u64;
        let foreign = (&raw mut not_a_handle).cast::<c_void>();
        assert_eq!(context(foreign).err(), Some(Error::Fault));
        assert_eq!(socket(foreign).err(), Some(Error::NotSock));
    }

    #[test]
    fn handles_start_with_a_negative_tag() {
        let ctx = new_context(Context::new());
        let sock = new_socket(
            context(ctx)
                .unwrap()
                .ctx
                .socket(zmq::SocketType::Pair)
                .unwrap(),
        )
        .unwrap();
        // SAFETY: both are live handles, at least 4 bytes long.
        let (ctx_word, sock_word) =
            unsafe { (ctx.cast::<i32>().read(), sock.cast::<i32>().read()) };
        assert!(ctx_word < 0 && sock_word < 0);
        destroy_socket(sock).unwrap();
        context(ctx).unwrap().ctx.term().unwrap();
        destroy_context(ctx).unwrap();
    }

    #[test]
    fn destroyed_context_is_stale() {
        let ptr = new_context(Context::new());
        assert!(context(ptr).is_ok());
        assert_eq!(socket(ptr).err(), Some(Error::NotSock));
        destroy_context(ptr).unwrap();
        assert_eq!(context(ptr).err(), Some(Error::Fault));
        assert_eq!(destroy_context(ptr), Err(Error::Fault));
    }
}
