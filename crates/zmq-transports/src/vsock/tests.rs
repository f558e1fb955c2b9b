//! vsock/vmci transport tests. This machine may have `AF_VSOCK` without
//! a loopback transport: binding works (cid `*`), connecting to oneself
//! does not, so the byte path is tested where a peer exists (see
//! docs/status.md) and the socket paths here.

use super::*;

fn has_vsock() -> bool {
    open_socket(super::AF_VSOCK).is_ok()
}

#[test]
fn sockaddr_vm_round_trips() {
    let address = VsockAddress { cid: 3, port: 5555 };
    let raw = vm_sockaddr(super::AF_VSOCK, &address).ok();
    assert_eq!(
        raw.as_ref().and_then(SockAddr::as_vsock_address),
        Some((3, 5555))
    );
    let back = raw.as_ref().and_then(|r| vm_address(r, super::AF_VSOCK));
    assert_eq!(back, Some(address));
    assert!(raw.as_ref().and_then(|r| vm_address(r, 99)).is_none());
    let no_family = vm_sockaddr(-1, &address).err().map(|e| e.errno());
    assert_eq!(no_family, Some(libc::EAFNOSUPPORT));
}

#[test]
fn malformed_addresses_are_einval_before_any_socket() {
    let options = TransportOptions::default();
    for transport in [&VsockTransport as &dyn Transport, &VmciTransport] {
        for bad in ["", "12", "x:1", "1:", "1:99999999999"] {
            let bound = transport.bind(bad, &options).err().map(|e| e.errno());
            assert_eq!(bound, Some(libc::EINVAL), "{} {bad:?}", transport.scheme());
            let checked = transport
                .check_connect_address(bad)
                .err()
                .map(|e| e.errno());
            assert_eq!(
                checked,
                Some(libc::EINVAL),
                "{} {bad:?}",
                transport.scheme()
            );
        }
    }
}

#[test]
fn vsock_binds_any_cid_and_reports_the_chosen_port() {
    if !has_vsock() {
        return;
    }
    let options = TransportOptions::default();
    let listener = VsockTransport.bind("*:*", &options);
    let Ok(mut listener) = listener else {
        panic!("bind vsock://*:*: {:?}", listener.err());
    };
    let endpoint = listener.endpoint().to_owned();
    let port = endpoint.strip_prefix("vsock://*:").map(str::parse::<u32>);
    assert!(matches!(port, Some(Ok(p)) if p != u32::MAX), "{endpoint}");
    assert!(matches!(listener.accept(), Ok(None)));
    // The same port again: EADDRINUSE.
    let again = VsockTransport.bind(&endpoint["vsock://".len()..], &options);
    assert_eq!(again.err().map(|e| e.errno()), Some(libc::EADDRINUSE));
}

#[test]
fn vsock_connect_starts_or_fails_with_the_os_error() {
    if !has_vsock() {
        return;
    }
    let options = TransportOptions::default();
    // cid 1 is the local loopback: with no loopback transport the
    // connect fails (at once or when polled), never panics.
    match VsockTransport.connect("1:1", &options) {
        Ok(connecting) => {
            let fd = connecting.raw_fd();
            assert!(fd >= 0);
        }
        Err(error) => assert_ne!(error.errno(), libc::EINVAL),
    }
}

#[test]
fn vmci_without_vmware_device_is_eafnosupport() {
    if vmci_family().is_some() {
        return; // a VMware guest: the family exists
    }
    let options = TransportOptions::default();
    let bound = VmciTransport.bind("*:*", &options).err().map(|e| e.errno());
    assert_eq!(bound, Some(libc::EAFNOSUPPORT));
    let connected = VmciTransport
        .connect("2:5555", &options)
        .err()
        .map(|e| e.errno());
    assert_eq!(connected, Some(libc::EAFNOSUPPORT));
}
