//! vsock, vmci and tipc through the socket API: what this machine can
//! run. Its kernel has `AF_VSOCK` but no loopback transport (a socket
//! cannot reach itself) and no TIPC (`socket()` is EAFNOSUPPORT), so
//! these tests cover binding, addressing, options and the error paths;
//! where the kernel offers more, the TIPC test also bounces messages.
//! docs/status.md lists what could not be run here.

use nix::sys::socket::{AddressFamily, SockFlag, SockType, socket};
use zmq::monitor;
use zmq::{Context, Error, SocketType};

fn kernel_has(family: AddressFamily) -> bool {
    socket(family, SockType::Stream, SockFlag::SOCK_CLOEXEC, None).is_ok()
}

fn has_vsock() -> bool {
    kernel_has(AddressFamily::Vsock)
}

fn has_tipc() -> bool {
    kernel_has(AddressFamily::Tipc)
}

#[test]
fn capabilities_are_the_build_not_the_kernel() {
    assert_eq!(zmq::has("tipc"), Some(true));
    assert_eq!(zmq::has("vsock"), Some(true));
    assert_eq!(zmq::has("ipc"), Some(true));
    assert_eq!(zmq::has("vmci"), Some(cfg!(feature = "vmci")));
    assert_eq!(zmq::has("pgm"), Some(cfg!(feature = "pgm")));
    assert_eq!(zmq::has("norm"), Some(cfg!(feature = "norm")));
}

#[test]
fn vsock_addresses_are_checked_at_bind_and_connect() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Pair).unwrap();
    for bad in [
        "vsock://",
        "vsock://12",
        "vsock://x:1",
        "vsock://1:",
        "vsock://-2:1",
    ] {
        let bound = s.bind(bad).err();
        assert!(matches!(bound, Some(Error::Inval)), "bind {bad}: {bound:?}");
        let connected = s.connect(bad).err();
        assert!(
            matches!(connected, Some(Error::Inval)),
            "connect {bad}: {connected:?}"
        );
    }
}

#[test]
fn vsock_binds_any_cid_and_connects_in_the_background() {
    if !has_vsock() {
        return;
    }
    let ctx = Context::new();
    let rep = ctx.socket(SocketType::Rep).unwrap();
    rep.set_linger(0).unwrap();
    rep.bind("vsock://*:*").unwrap();
    let endpoint = rep.get_last_endpoint().unwrap().unwrap();
    let port: u32 = endpoint
        .strip_prefix("vsock://*:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("last endpoint {endpoint}"));
    // The port is taken while bound, free after unbind.
    let other = ctx.socket(SocketType::Rep).unwrap();
    other.set_linger(0).unwrap();
    assert_eq!(
        other.bind(&format!("vsock://*:{port}")),
        Err(Error::AddrInUse)
    );
    rep.unbind(&endpoint).unwrap();
    // A connect returns at once and retries in the background: here the
    // kernel cannot reach cid 1, and the monitor shows the retries.
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set_linger(0).unwrap();
    req.set_reconnect_ivl(10).unwrap();
    req.monitor("inproc://vsock-events", monitor::EVENT_ALL as i32)
        .unwrap();
    let events = ctx.socket(SocketType::Pair).unwrap();
    events.set_rcvtimeo(10_000).unwrap();
    events.connect("inproc://vsock-events").unwrap();
    let target = format!("vsock://1:{port}");
    req.connect(&target).unwrap();
    loop {
        let parts = events
            .recv_multipart(0)
            .expect("an event before the timeout");
        let (event, _, address) = monitor::parse_event_v1(&parts).expect("v1 event");
        assert_ne!(u64::from(event), monitor::EVENT_CONNECTED, "{address}");
        if u64::from(event) == monitor::EVENT_CONNECT_RETRIED {
            assert_eq!(address, target);
            break;
        }
    }
}

#[test]
fn tipc_addresses_and_the_missing_kernel() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Rep).unwrap();
    s.set_linger(0).unwrap();
    // As libzmq's test_address_tipc: a fixed port identity cannot be
    // bound, a random one cannot be connected to.
    assert_eq!(s.bind("tipc://<1.2.3:123123>"), Err(Error::Inval));
    assert_eq!(s.connect("tipc://<*>"), Err(Error::Inval));
    for bad in [
        "tipc://x",
        "tipc://{63,0,0}",
        "tipc://{5560,2,1}",
        "tipc://{5560,0}@1.2",
    ] {
        assert_eq!(s.bind(bad), Err(Error::Inval), "{bad}");
        assert_eq!(s.connect(bad), Err(Error::Inval), "{bad}");
    }
    if has_tipc() {
        let req = ctx.socket(SocketType::Req).unwrap();
        s.bind("tipc://{5560,0,0}").unwrap();
        req.connect("tipc://{5560,0}@0.0.0").unwrap();
        req.set_rcvtimeo(5000).unwrap();
        s.set_rcvtimeo(5000).unwrap();
        req.send("ping", 0).unwrap();
        assert_eq!(s.recv_bytes(0).unwrap(), b"ping");
        s.send("pong", 0).unwrap();
        assert_eq!(req.recv_bytes(0).unwrap(), b"pong");
    } else {
        // No TIPC in the kernel: bind fails as socket(AF_TIPC) does;
        // connect succeeds and retries in the background, as libzmq.
        assert_eq!(s.bind("tipc://{5560,0,0}"), Err(Error::AfNoSupport));
        assert_eq!(s.bind("tipc://<*>"), Err(Error::AfNoSupport));
        s.connect("tipc://{5560,0}@0.0.0").unwrap();
        s.connect("tipc://<1.2.3:4>").unwrap();
    }
}

#[cfg(not(feature = "vmci"))]
#[test]
fn vmci_is_not_built_by_default() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Pair).unwrap();
    assert_eq!(s.bind("vmci://*:*"), Err(Error::ProtoNoSupport));
    assert_eq!(s.connect("vmci://1:1"), Err(Error::ProtoNoSupport));
    assert_eq!(s.set_vmci_buffer_size(1 << 20), Err(Error::Inval));
    assert_eq!(s.get_vmci_connect_timeout(), Err(Error::Inval));
}

#[cfg(feature = "vmci")]
#[test]
fn vmci_without_vmware_device() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Pair).unwrap();
    s.set_linger(0).unwrap();
    assert_eq!(s.get_vmci_buffer_size(), Ok(0));
    assert_eq!(s.get_vmci_connect_timeout(), Ok(-1));
    s.set_vmci_buffer_size(1 << 20).unwrap();
    s.set_vmci_buffer_min_size(1 << 10).unwrap();
    s.set_vmci_buffer_max_size(1 << 22).unwrap();
    s.set_vmci_connect_timeout(250).unwrap();
    assert_eq!(s.get_vmci_buffer_size(), Ok(1 << 20));
    assert_eq!(s.get_vmci_connect_timeout(), Ok(250));
    assert_eq!(s.bind("vmci://1:"), Err(Error::Inval));
    assert_eq!(s.connect("vmci://x:1"), Err(Error::Inval));
    if std::path::Path::new("/dev/vsock").exists() {
        // The upstream driver answers the local cid but not VMware's
        // family: libzmq then opens socket(-1, ..), EAFNOSUPPORT.
        assert_eq!(s.bind("vmci://*:*"), Err(Error::AfNoSupport));
        s.connect("vmci://2:5555").unwrap();
    }
}
