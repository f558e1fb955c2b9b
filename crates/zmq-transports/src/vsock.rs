//! The vsock and vmci transports: stream sockets between virtual
//! machines and their host, addressed `cid:port` ([`VsockAddress`]).
//!
//! - `vsock://` ([`VsockTransport`], libzmq master's form) uses Linux's
//!   `AF_VSOCK`; `@` names the host (cid 2).
//! - `vmci://` ([`VmciTransport`], libzmq 4.3.5) uses the address family
//!   VMware's VMCI device reports (`/dev/vsock`, ioctl
//!   `VMCI_SOCKETS_GET_AF_VALUE`); `@` names the local context. The
//!   upstream Linux vsock driver does not answer that ioctl: libzmq then
//!   has no family and `socket(-1, ..)` fails, so bind fails with
//!   `EAFNOSUPPORT` and connects retry, as here. The `ZMQ_VMCI_*` buffer
//!   sizes and connect timeout apply to vmci sockets only.
//!
//! Both give plain byte streams ([`SocketStream`]) to the same engine as
//! tcp and ipc. Like libzmq, the `Peer-Address` metadata is empty (it is
//! an IP or ipc credential only).

use std::io;
use std::os::fd::{AsFd, BorrowedFd};

use socket2::{Domain, SockAddr, Socket};

use crate::error::{TransportError, TransportResult};
use crate::options::TransportOptions;
use crate::pending_connect::{PendingConnect, StreamFlavor};
use crate::raw_sys::{
    set_raw_option, sockaddr_bytes, sockaddr_from_bytes, vmci_family, vmci_local_cid,
};
use crate::socket_stream::SocketStream;
use crate::tcp::is_transient_accept_error;
use crate::transport::{Connecting, Listener, Stream, Transport};
use crate::vsock_address::VsockAddress;

/// How many aborted or interrupted accepts one `accept` call skips.
const ACCEPT_RETRIES: usize = 64;
/// `SO_VM_SOCKETS_BUFFER_SIZE`, `_MIN_SIZE`, `_MAX_SIZE` (`u64`) and
/// `SO_VM_SOCKETS_CONNECT_TIMEOUT` (`timeval`), at the family's level.
const SO_BUFFER_SIZE: i32 = 0;
const SO_BUFFER_MIN_SIZE: i32 = 1;
const SO_BUFFER_MAX_SIZE: i32 = 2;
const SO_CONNECT_TIMEOUT: i32 = 6;

/// `AF_VSOCK` where the system has it (Linux, Android, Apple systems)...
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
pub(crate) const AF_VSOCK: i32 = libc::AF_VSOCK;
/// ...and a family socket(2) refuses (`EAFNOSUPPORT`) elsewhere.
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
pub(crate) const AF_VSOCK: i32 = -1;

/// Which of the two `cid:port` transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VmKind {
    /// `vsock://` over `AF_VSOCK`.
    Vsock,
    /// `vmci://` over VMware's VMCI family.
    Vmci,
}

impl VmKind {
    fn scheme(self) -> &'static str {
        match self {
            VmKind::Vsock => "vsock",
            VmKind::Vmci => "vmci",
        }
    }

    /// The address family; for vmci `-1` without VMware's device, as
    /// libzmq's `get_vmci_socket_family` (socket(2) refuses it).
    fn family(self) -> i32 {
        match self {
            VmKind::Vsock => AF_VSOCK,
            VmKind::Vmci => vmci_family().unwrap_or(-1),
        }
    }

    fn parse(self, address: &str) -> TransportResult<VsockAddress> {
        match self {
            VmKind::Vsock => VsockAddress::parse(address),
            VmKind::Vmci => VsockAddress::parse_with(address, || Ok(vmci_local_cid())),
        }
    }

    fn endpoint(self, address: &VsockAddress) -> String {
        format!("{}://{address}", self.scheme())
    }
}

/// The `vsock://` transport (`AF_VSOCK`).
#[derive(Debug, Default, Clone, Copy)]
pub struct VsockTransport;

/// The `vmci://` transport (VMware VMCI sockets).
#[derive(Debug, Default, Clone, Copy)]
pub struct VmciTransport;

impl Transport for VsockTransport {
    fn scheme(&self) -> &str {
        "vsock"
    }

    fn check_connect_address(&self, address: &str) -> TransportResult<()> {
        VmKind::Vsock.parse(address).map(drop)
    }

    fn bind(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Listener>> {
        bind(VmKind::Vsock, address, options)
    }

    fn connect(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>> {
        connect(VmKind::Vsock, address, options)
    }
}

impl Transport for VmciTransport {
    fn scheme(&self) -> &str {
        "vmci"
    }

    fn check_connect_address(&self, address: &str) -> TransportResult<()> {
        VmKind::Vmci.parse(address).map(drop)
    }

    fn bind(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Listener>> {
        bind(VmKind::Vmci, address, options)
    }

    fn connect(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>> {
        connect(VmKind::Vmci, address, options)
    }
}

/// `sockaddr_vm`: family, reserved, port, cid, zero padding (16 bytes).
fn vm_sockaddr(family: i32, address: &VsockAddress) -> TransportResult<SockAddr> {
    let family = u16::try_from(family)
        .map_err(|_| TransportError::from(io::Error::from_raw_os_error(libc::EAFNOSUPPORT)))?;
    let mut bytes = [0u8; 16];
    bytes[0..2].copy_from_slice(&family.to_ne_bytes());
    bytes[4..8].copy_from_slice(&address.port.to_ne_bytes());
    bytes[8..12].copy_from_slice(&address.cid.to_ne_bytes());
    sockaddr_from_bytes(&bytes).ok_or_else(|| TransportError::invalid("bad vsock address"))
}

/// The `cid:port` of a `sockaddr_vm` of `family`.
fn vm_address(address: &SockAddr, family: i32) -> Option<VsockAddress> {
    let bytes = sockaddr_bytes(address);
    let word = |at: usize| Some(u32::from_ne_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let found = u16::from_ne_bytes(bytes.get(0..2)?.try_into().ok()?);
    (i32::from(found) == family).then_some(())?;
    Some(VsockAddress {
        port: word(4)?,
        cid: word(8)?,
    })
}

fn open_socket(family: i32) -> io::Result<Socket> {
    crate::nonblocking::stream_socket(Domain::from(family), None)
}

/// The `ZMQ_VMCI_*` options, as libzmq's `tune_vmci_buffer_size` and
/// `tune_vmci_connect_timeout` set them (0 and -1: leave the default).
/// Best effort: libzmq asserts; a refusal here leaves the default.
fn tune_vmci(socket: &Socket, family: i32, options: &TransportOptions) {
    for (name, size) in [
        (SO_BUFFER_SIZE, options.vmci_buffer_size),
        (SO_BUFFER_MIN_SIZE, options.vmci_buffer_min_size),
        (SO_BUFFER_MAX_SIZE, options.vmci_buffer_max_size),
    ] {
        if size != 0 {
            let _ = set_raw_option(socket, family, name, size);
        }
    }
    if options.vmci_connect_timeout > 0 {
        let millis = i64::from(options.vmci_connect_timeout);
        let timeout = libc::timeval {
            tv_sec: millis / 1000,
            tv_usec: (millis % 1000) * 1000,
        };
        let _ = set_raw_option(socket, family, SO_CONNECT_TIMEOUT, timeout);
    }
}

fn bind(
    kind: VmKind,
    address: &str,
    options: &TransportOptions,
) -> TransportResult<Box<dyn Listener>> {
    let parsed = kind.parse(address)?;
    let family = kind.family();
    let socket = open_socket(family)?;
    let closed = |error: io::Error| {
        TransportError::from(error).with_closed_socket(
            std::os::fd::AsRawFd::as_raw_fd(&socket),
            kind.endpoint(&parsed),
        )
    };
    let target = vm_sockaddr(family, &parsed)?;
    socket.bind(&target).map_err(closed)?;
    socket.listen(options.backlog).map_err(closed)?;
    // ZMQ_LAST_ENDPOINT shows the port the kernel chose for `*`.
    let bound = socket
        .local_addr()
        .ok()
        .and_then(|local| vm_address(&local, family))
        .unwrap_or(parsed);
    Ok(Box::new(VsockListener {
        socket,
        kind,
        family,
        endpoint: kind.endpoint(&bound),
        options: options.clone(),
    }))
}

fn connect(
    kind: VmKind,
    address: &str,
    options: &TransportOptions,
) -> TransportResult<Box<dyn Connecting>> {
    let parsed = kind.parse(address)?;
    let family = kind.family();
    let socket = open_socket(family)?;
    if kind == VmKind::Vmci {
        tune_vmci(&socket, family, options);
    }
    let in_progress = match socket.connect(&vm_sockaddr(family, &parsed)?) {
        Ok(()) => false,
        Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => true,
        Err(error) => return Err(error.into()),
    };
    Ok(Box::new(PendingConnect::new(
        socket,
        StreamFlavor::Vm {
            scheme: kind.scheme(),
            family,
        },
        in_progress,
    )))
}

/// A stream over a connected vsock or vmci socket, its ends named
/// `scheme://cid:port`.
pub(crate) fn vm_stream(socket: Socket, scheme: &str, family: i32) -> SocketStream {
    let name = |address: io::Result<SockAddr>| {
        address
            .ok()
            .and_then(|address| vm_address(&address, family))
            .map(|address| format!("{scheme}://{address}"))
            .unwrap_or_default()
    };
    let local = name(socket.local_addr());
    let peer = name(socket.peer_addr());
    SocketStream::named(socket, String::new(), local, peer)
}

/// A listening vsock or vmci socket.
#[derive(Debug)]
pub struct VsockListener {
    socket: Socket,
    kind: VmKind,
    family: i32,
    endpoint: String,
    options: TransportOptions,
}

impl AsFd for VsockListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Listener for VsockListener {
    fn accept(&mut self) -> TransportResult<Option<Box<dyn Stream>>> {
        for _ in 0..ACCEPT_RETRIES {
            let socket = match crate::nonblocking::accept_nonblocking(&self.socket) {
                Ok((socket, _)) => socket,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(error) if is_transient_accept_error(&error) => continue,
                Err(error) => return Err(error.into()),
            };
            if self.kind == VmKind::Vmci {
                tune_vmci(&socket, self.family, &self.options);
            }
            let stream = vm_stream(socket, self.kind.scheme(), self.family);
            return Ok(Some(Box::new(stream)));
        }
        Ok(None)
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

#[cfg(test)]
mod tests;
