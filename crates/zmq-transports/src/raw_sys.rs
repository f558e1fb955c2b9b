//! The few system calls `socket2` does not wrap: socket addresses of
//! families it does not know (AF_TIPC, VMware's VMCI family) as raw
//! bytes, and the ioctls of VMware's vsock device. The only unsafe code
//! of this crate.
#![allow(unsafe_code)]

use std::fs::OpenOptions;
use std::mem;
use std::os::fd::AsRawFd;

use socket2::SockAddr;

/// The devices VMware's VMCI sockets answer on (`vmci_sockets.h`).
const VMCI_DEVICES: [&str; 2] = ["/dev/vsock", "/vmfs/devices/char/vsock/vsock"];
/// `VMCI_SOCKETS_GET_AF_VALUE` (Linux).
const VMCI_SOCKETS_GET_AF_VALUE: libc::c_ulong = 1976;
/// `VMCI_SOCKETS_GET_LOCAL_CID` (Linux; the kernel's
/// `IOCTL_VM_SOCKETS_GET_LOCAL_CID` has the same number).
const VMCI_SOCKETS_GET_LOCAL_CID: libc::c_ulong = 1977;

/// A socket address from its raw bytes (family first, native layout).
/// `None` when it does not fit a `sockaddr_storage`.
pub(crate) fn sockaddr_from_bytes(bytes: &[u8]) -> Option<SockAddr> {
    if bytes.len() < mem::size_of::<libc::sa_family_t>()
        || bytes.len() > mem::size_of::<libc::sockaddr_storage>()
    {
        return None;
    }
    let len = libc::socklen_t::try_from(bytes.len()).ok()?;
    // SAFETY: `try_init` hands a zeroed `sockaddr_storage` and its length;
    // we write `bytes.len()` bytes into it, which fits (checked above),
    // and report that length. Every byte pattern is a valid sockaddr.
    let ((), address) = unsafe {
        SockAddr::try_init(|storage, length| {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), storage.cast::<u8>(), bytes.len());
            *length = len;
            Ok(())
        })
    }
    .ok()?;
    Some(address)
}

/// The raw bytes of a socket address.
pub(crate) fn sockaddr_bytes(address: &SockAddr) -> Vec<u8> {
    let len = usize::try_from(address.len())
        .unwrap_or(0)
        .min(mem::size_of::<libc::sockaddr_storage>());
    // SAFETY: `as_ptr` points at the address's `sockaddr_storage`, which
    // has at least `len` initialised bytes (`len` is capped at its size)
    // and lives as long as the borrow of `address`.
    let bytes = unsafe { std::slice::from_raw_parts(address.as_ptr().cast::<u8>(), len) };
    bytes.to_vec()
}

/// Asks VMware's vsock device an `unsigned int` (`vmci_sockets.h`):
/// `None` when there is no device or it does not know the request.
fn vmci_ioctl(request: libc::c_ulong) -> Option<u32> {
    let device = VMCI_DEVICES
        .iter()
        .find_map(|path| OpenOptions::new().read(true).write(true).open(path).ok())?;
    let mut value: libc::c_uint = 0;
    // SAFETY: both requests write one `unsigned int` through the pointer,
    // which points at `value`; the descriptor is open for the call.
    let rc = unsafe {
        libc::ioctl(
            device.as_raw_fd(),
            request as _,
            std::ptr::from_mut(&mut value),
        )
    };
    (rc >= 0).then_some(value)
}

/// The VMCI sockets address family (`VMCISock_GetAFValueFd`): only
/// VMware's own vsock driver answers it; the upstream Linux driver does
/// not (ENOTTY), and libzmq then has no VMCI family.
pub(crate) fn vmci_family() -> Option<i32> {
    vmci_ioctl(VMCI_SOCKETS_GET_AF_VALUE)
        .and_then(|family| i32::try_from(family).ok())
        .filter(|family| *family >= 0)
}

/// The local VMCI context id (`VMCISock_GetLocalCID`), `u32::MAX`
/// (`VMADDR_CID_ANY`) when unknown.
pub(crate) fn vmci_local_cid() -> u32 {
    vmci_ioctl(VMCI_SOCKETS_GET_LOCAL_CID).unwrap_or(u32::MAX)
}

/// `setsockopt(2)` of a plain value (an integer or a `timeval`) at a
/// level socket2 does not know (the VMCI family's own options).
pub(crate) fn set_raw_option<T: Copy>(
    socket: &impl AsRawFd,
    level: i32,
    name: i32,
    value: T,
) -> std::io::Result<()> {
    let len = libc::socklen_t::try_from(mem::size_of::<T>())
        .map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: the pointer and length describe `value`, a plain `Copy`
    // value on our stack that outlives the call; the kernel only reads it.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            name,
            std::ptr::from_ref(&value).cast(),
            len,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_addresses_round_trip() {
        let vsock = SockAddr::vsock(3, 5555);
        let bytes = sockaddr_bytes(&vsock);
        let back = sockaddr_from_bytes(&bytes);
        assert_eq!(back.and_then(|a| a.as_vsock_address()), Some((3, 5555)));
        assert!(sockaddr_from_bytes(&[]).is_none());
        assert!(sockaddr_from_bytes(&[0; 1024]).is_none());
    }
}
