//! The socket options of part 8 (network, transport, metadata, and the
//! options of features not built) in `zmq_setsockopt` /
//! `zmq_getsockopt`. `docs/options.md` has the table.

use std::ffi::c_int;
use std::os::fd::{BorrowedFd, OwnedFd};

use zmq::{Error, Socket};

use super::{OptionValue, int_arg, u64_arg};
use crate::consts::*;

// Draft option numbers `consts.rs` does not list (zmq.h).
const ZMQ_NORM_FIRST: c_int = 117;
const ZMQ_NORM_LAST: c_int = 124;

/// An `int` as a bool, libzmq's relaxed rule: any non-zero is on.
fn relaxed_flag(value: &[u8]) -> Result<bool, Error> {
    Ok(int_arg(value)? != 0)
}

/// A C string option: the bytes up to an optional trailing NUL, as
/// UTF-8 (empty: none).
fn text_arg(value: &[u8]) -> Result<&str, Error> {
    let value = value.strip_suffix(b"\0").unwrap_or(value);
    std::str::from_utf8(value).map_err(|_| Error::Inval)
}

/// `Some(id)` for a 4-byte id, `None` (clear) for an empty value.
fn id_arg(value: &[u8]) -> Result<Option<u32>, Error> {
    match value.len() {
        0 => Ok(None),
        _ => Ok(Some(u32::from_ne_bytes(
            value.try_into().map_err(|_| Error::Inval)?,
        ))),
    }
}

/// `ZMQ_USE_FD`: -1 clears; otherwise the socket's own duplicate of the
/// descriptor (the caller keeps theirs).
fn use_fd_arg(value: &[u8]) -> Result<Option<OwnedFd>, Error> {
    match int_arg(value)? {
        -1 => Ok(None),
        fd if fd < -1 => Err(Error::Inval),
        fd => {
            // SAFETY: fcntl(F_GETFD) only reads the descriptor table.
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
                return Err(Error::Inval);
            }
            // SAFETY: `fd` is open (checked just above) and only borrowed
            // for the `dup` below.
            let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
            borrowed
                .try_clone_to_owned()
                .map(Some)
                .map_err(|_| Error::Inval)
        }
    }
}

/// `zmq_setsockopt` for the options of this part; `None` when `option`
/// is not one of them.
pub(super) fn set(socket: &Socket, option: c_int, value: &[u8]) -> Option<Result<(), Error>> {
    let int = || int_arg(value);
    Some(match option {
        ZMQ_TOS => int().and_then(|v| socket.set_tos(v)),
        ZMQ_PRIORITY => int().and_then(|v| socket.set_priority(v)),
        ZMQ_TCP_MAXRT => int().and_then(|v| socket.set_tcp_maxrt(v)),
        ZMQ_BUSY_POLL => int().and_then(|v| socket.set_busy_poll(v)),
        ZMQ_BINDTODEVICE => text_arg(value).and_then(|v| socket.set_bindtodevice(v)),
        ZMQ_TCP_ACCEPT_FILTER => match value.len() {
            0 => socket.set_tcp_accept_filter(None),
            1..255 => socket.set_tcp_accept_filter(Some(value)),
            _ => Err(Error::Inval),
        },
        ZMQ_IPC_FILTER_UID => id_arg(value).and_then(|v| socket.set_ipc_filter_uid(v)),
        ZMQ_IPC_FILTER_GID => id_arg(value).and_then(|v| socket.set_ipc_filter_gid(v)),
        ZMQ_IPC_FILTER_PID => {
            id_arg(value).and_then(|v| socket.set_ipc_filter_pid(v.map(|pid| pid as i32)))
        }
        ZMQ_SOCKS_PROXY => text_arg(value).and_then(|v| socket.set_socks_proxy(Some(v))),
        ZMQ_SOCKS_USERNAME => text_arg(value).and_then(|v| socket.set_socks_username(Some(v))),
        ZMQ_SOCKS_PASSWORD => text_arg(value).and_then(|v| socket.set_socks_password(Some(v))),
        ZMQ_METADATA => socket.set_metadata(value),
        ZMQ_USE_FD => use_fd_arg(value).and_then(|fd| socket.set_use_fd(fd)),
        ZMQ_LOOPBACK_FASTPATH => relaxed_flag(value).and_then(|v| socket.set_loopback_fastpath(v)),
        ZMQ_RATE => int().and_then(|v| socket.set_rate(v)),
        ZMQ_RECOVERY_IVL => int().and_then(|v| socket.set_recovery_ivl(v)),
        ZMQ_MULTICAST_HOPS => int().and_then(|v| socket.set_multicast_hops(v)),
        ZMQ_MULTICAST_MAXTPDU => int().and_then(|v| socket.set_multicast_maxtpdu(v)),
        ZMQ_MULTICAST_LOOP => relaxed_flag(value).and_then(|v| socket.set_multicast_loop(v)),
        ZMQ_IN_BATCH_SIZE => int().and_then(|v| socket.set_in_batch_size(v)),
        ZMQ_OUT_BATCH_SIZE => int().and_then(|v| socket.set_out_batch_size(v)),
        ZMQ_VMCI_BUFFER_SIZE => u64_arg(value).and_then(|v| socket.set_vmci_buffer_size(v)),
        ZMQ_VMCI_BUFFER_MIN_SIZE => u64_arg(value).and_then(|v| socket.set_vmci_buffer_min_size(v)),
        ZMQ_VMCI_BUFFER_MAX_SIZE => u64_arg(value).and_then(|v| socket.set_vmci_buffer_max_size(v)),
        ZMQ_VMCI_CONNECT_TIMEOUT => int().and_then(|v| socket.set_vmci_connect_timeout(v)),
        ZMQ_RECONNECT_STOP => int().and_then(|v| socket.set_reconnect_stop(v)),
        ZMQ_HELLO_MSG => socket.set_hello_msg(Some(value)),
        ZMQ_DISCONNECT_MSG => socket.set_disconnect_msg(Some(value)),
        ZMQ_HICCUP_MSG => socket.set_hiccup_msg(Some(value)),
        // Not built, as a libzmq without GSSAPI, WSS or NORM: EINVAL.
        ZMQ_GSSAPI_SERVER
        | ZMQ_GSSAPI_PRINCIPAL
        | ZMQ_GSSAPI_SERVICE_PRINCIPAL
        | ZMQ_GSSAPI_PLAINTEXT
        | ZMQ_GSSAPI_PRINCIPAL_NAMETYPE
        | ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE
        | ZMQ_WSS_KEY_PEM
        | ZMQ_WSS_CERT_PEM
        | ZMQ_WSS_TRUST_PEM
        | ZMQ_WSS_HOSTNAME
        | ZMQ_WSS_TRUST_SYSTEM => Err(Error::Inval),
        ZMQ_NORM_FIRST..=ZMQ_NORM_LAST => Err(Error::Inval),
        _ => return None,
    })
}

/// `zmq_getsockopt` for the options of this part; `None` when `option`
/// is not one of them.
pub(super) fn get(socket: &Socket, option: c_int) -> Option<Result<OptionValue, Error>> {
    use OptionValue::{Int, SocketInt, Text, Uint64};
    let flag = |on: bool| Int(i32::from(on));
    Some(match option {
        ZMQ_TOS => socket.get_tos().map(Int),
        ZMQ_PRIORITY => socket.get_priority().map(Int),
        ZMQ_TCP_MAXRT => socket.get_tcp_maxrt().map(Int),
        ZMQ_BUSY_POLL => socket.get_busy_poll().map(Int),
        ZMQ_BINDTODEVICE => socket.get_bindtodevice().map(Text),
        ZMQ_SOCKS_PROXY => socket.get_socks_proxy().map(Text),
        ZMQ_SOCKS_USERNAME => socket.get_socks_username().map(Text),
        ZMQ_SOCKS_PASSWORD => socket.get_socks_password().map(Text),
        ZMQ_USE_FD => socket.get_use_fd().map(Int),
        ZMQ_LOOPBACK_FASTPATH => socket.get_loopback_fastpath().map(flag),
        ZMQ_RATE => socket.get_rate().map(Int),
        ZMQ_RECOVERY_IVL => socket.get_recovery_ivl().map(Int),
        ZMQ_MULTICAST_HOPS => socket.get_multicast_hops().map(Int),
        ZMQ_MULTICAST_MAXTPDU => socket.get_multicast_maxtpdu().map(Int),
        ZMQ_MULTICAST_LOOP => socket.get_multicast_loop().map(flag),
        ZMQ_IN_BATCH_SIZE => socket.get_in_batch_size().map(Int),
        ZMQ_OUT_BATCH_SIZE => socket.get_out_batch_size().map(Int),
        ZMQ_VMCI_BUFFER_SIZE => socket.get_vmci_buffer_size().map(Uint64),
        ZMQ_VMCI_BUFFER_MIN_SIZE => socket.get_vmci_buffer_min_size().map(Uint64),
        ZMQ_VMCI_BUFFER_MAX_SIZE => socket.get_vmci_buffer_max_size().map(Uint64),
        ZMQ_VMCI_CONNECT_TIMEOUT => socket.get_vmci_connect_timeout().map(Int),
        ZMQ_RECONNECT_STOP => socket.get_reconnect_stop().map(Int),
        ZMQ_THREAD_SAFE => socket.get_thread_safe().map(|on| SocketInt(i32::from(on))),
        // Write-only in libzmq, or not built: EINVAL.
        ZMQ_TCP_ACCEPT_FILTER
        | ZMQ_IPC_FILTER_UID
        | ZMQ_IPC_FILTER_GID
        | ZMQ_IPC_FILTER_PID
        | ZMQ_METADATA
        | ZMQ_HELLO_MSG
        | ZMQ_DISCONNECT_MSG
        | ZMQ_HICCUP_MSG
        | ZMQ_GSSAPI_SERVER
        | ZMQ_GSSAPI_PRINCIPAL
        | ZMQ_GSSAPI_SERVICE_PRINCIPAL
        | ZMQ_GSSAPI_PLAINTEXT
        | ZMQ_GSSAPI_PRINCIPAL_NAMETYPE
        | ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE
        | ZMQ_WSS_KEY_PEM
        | ZMQ_WSS_CERT_PEM
        | ZMQ_WSS_TRUST_PEM
        | ZMQ_WSS_HOSTNAME
        | ZMQ_WSS_TRUST_SYSTEM => Err(Error::Inval),
        ZMQ_NORM_FIRST..=ZMQ_NORM_LAST => Err(Error::Inval),
        _ => return None,
    })
}
