//! Part 8 socket and context options end to end: defaults, round trips,
//! EINVAL cases, and the options that act: `ZMQ_TOS` on the connection's
//! descriptor, `ZMQ_TCP_ACCEPT_FILTER`, `ZMQ_SOCKS_PROXY` through a SOCKS5
//! server written here, `ZMQ_METADATA` read with `Message::gets`, and
//! `ZMQ_USE_FD`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::thread;

use zmq::{Context, Error, POLLIN, Socket, SocketType, poll};

const RECV_LIMIT_MS: i32 = 5000;

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let socket = ctx.socket(kind).expect("socket");
    socket.set_rcvtimeo(RECV_LIMIT_MS).expect("rcvtimeo");
    socket.set_linger(0).expect("linger");
    socket
}

fn bind_tcp(socket: &Socket) -> String {
    socket.bind("tcp://127.0.0.1:*").expect("bind");
    socket
        .get_last_endpoint()
        .expect("endpoint")
        .expect("utf-8")
}

fn readable_within(socket: &Socket, ms: i64) -> bool {
    let mut items = [socket.as_poll_item(POLLIN)];
    poll(&mut items, ms).expect("poll") == 1
}

#[test]
fn defaults_match_the_manual() {
    let ctx = Context::new();
    let s = socket(&ctx, SocketType::Dealer);
    assert_eq!(s.get_tos(), Ok(0));
    assert_eq!(s.get_priority(), Ok(0));
    assert_eq!(s.get_tcp_maxrt(), Ok(0));
    assert_eq!(s.get_bindtodevice().as_deref(), Ok(""));
    assert_eq!(s.get_socks_proxy().as_deref(), Ok(""));
    assert_eq!(s.get_use_fd(), Ok(-1));
    assert_eq!(s.get_rate(), Ok(100));
    assert_eq!(s.get_recovery_ivl(), Ok(10_000));
    assert_eq!(s.get_multicast_hops(), Ok(1));
    assert_eq!(s.get_multicast_maxtpdu(), Ok(1500));
    assert_eq!(s.get_multicast_loop(), Ok(true));
    assert_eq!(s.get_in_batch_size(), Ok(8192));
    assert_eq!(s.get_out_batch_size(), Ok(8192));
    assert_eq!(s.get_busy_poll(), Ok(0));
    let vmci_default = if cfg!(feature = "vmci") {
        Ok(-1)
    } else {
        Err(zmq::Error::Inval)
    };
    assert_eq!(s.get_vmci_connect_timeout(), vmci_default);
    assert_eq!(s.get_reconnect_stop(), Ok(0));
    assert_eq!(s.get_ipv4only(), Ok(true));
    assert_eq!(s.get_thread_safe(), Ok(false));
}

#[test]
fn round_trips() {
    let ctx = Context::new();
    let s = socket(&ctx, SocketType::Dealer);
    s.set_tos(0x28).unwrap();
    assert_eq!(s.get_tos(), Ok(0x28));
    s.set_priority(4).unwrap();
    assert_eq!(s.get_priority(), Ok(4));
    s.set_tcp_maxrt(1500).unwrap();
    assert_eq!(s.get_tcp_maxrt(), Ok(1500));
    s.set_bindtodevice("lo").unwrap();
    assert_eq!(s.get_bindtodevice().as_deref(), Ok("lo"));
    s.set_bindtodevice("").unwrap();
    s.set_socks_proxy(Some("127.0.0.1:1080")).unwrap();
    s.set_socks_username(Some("user")).unwrap();
    s.set_socks_password(Some("pass")).unwrap();
    assert_eq!(s.get_socks_proxy().as_deref(), Ok("127.0.0.1:1080"));
    assert_eq!(s.get_socks_username().as_deref(), Ok("user"));
    assert_eq!(s.get_socks_password().as_deref(), Ok("pass"));
    s.set_socks_proxy(None).unwrap();
    assert_eq!(s.get_socks_proxy().as_deref(), Ok(""));
    s.set_rate(500).unwrap();
    s.set_recovery_ivl(0).unwrap();
    s.set_multicast_hops(8).unwrap();
    s.set_multicast_maxtpdu(9000).unwrap();
    s.set_multicast_loop(false).unwrap();
    assert_eq!((s.get_rate(), s.get_multicast_hops()), (Ok(500), Ok(8)));
    assert_eq!(s.get_multicast_loop(), Ok(false));
    s.set_in_batch_size(1024).unwrap();
    s.set_out_batch_size(2048).unwrap();
    assert_eq!(
        (s.get_in_batch_size(), s.get_out_batch_size()),
        (Ok(1024), Ok(2048))
    );
    // Without the vmci feature: EINVAL both ways, as a libzmq built
    // without it (vm_transports.rs tests the feature).
    if !cfg!(feature = "vmci") {
        assert_eq!(s.set_vmci_buffer_size(1 << 20), Err(zmq::Error::Inval));
        assert_eq!(s.get_vmci_buffer_size(), Err(zmq::Error::Inval));
    }
    s.set_ipv4only(false).unwrap();
    assert_eq!((s.get_ipv6(), s.get_ipv4only()), (Ok(true), Ok(false)));
    s.set_ipc_filter_uid(Some(0)).unwrap();
    s.set_ipc_filter_gid(Some(0)).unwrap();
    s.set_ipc_filter_pid(Some(1)).unwrap();
    assert_eq!(s.get_ipc_filter_uids(), Ok(vec![0]));
    s.set_ipc_filter_uid(None).unwrap();
    assert_eq!(s.get_ipc_filter_uids(), Ok(vec![]));
    s.set_tcp_accept_filter(Some(b"10.0.0.0/8")).unwrap();
    assert_eq!(s.get_tcp_accept_filters().map(|f| f.len()), Ok(1));
    s.set_tcp_accept_filter(None).unwrap();
    assert_eq!(s.get_tcp_accept_filters().map(|f| f.len()), Ok(0));
    s.set_metadata(b"X-one:1").unwrap();
    s.set_metadata(b"X-one:2").unwrap();
    assert_eq!(s.get_metadata().map(|m| m.len()), Ok(1));
    // Thread-safe types report it (when this build has them).
    if let Ok(client) = ctx.socket(SocketType::Client) {
        assert_eq!(client.get_thread_safe(), Ok(true));
    }
}

#[test]
fn invalid_values_are_einval() {
    let ctx = Context::new();
    let s = socket(&ctx, SocketType::Dealer);
    assert_eq!(s.set_tos(-1), Err(Error::Inval));
    assert_eq!(s.set_priority(-1), Err(Error::Inval));
    assert_eq!(s.set_tcp_maxrt(-1), Err(Error::Inval));
    assert_eq!(s.set_rate(0), Err(Error::Inval));
    assert_eq!(s.set_recovery_ivl(-1), Err(Error::Inval));
    assert_eq!(s.set_multicast_hops(0), Err(Error::Inval));
    assert_eq!(s.set_multicast_maxtpdu(0), Err(Error::Inval));
    assert_eq!(s.set_in_batch_size(0), Err(Error::Inval));
    assert_eq!(s.set_out_batch_size(-5), Err(Error::Inval));
    assert_eq!(s.set_bindtodevice(&"x".repeat(17)), Err(Error::Inval));
    assert_eq!(
        s.set_tcp_accept_filter(Some(b"not-an-ip")),
        Err(Error::Inval)
    );
    assert_eq!(
        s.set_tcp_accept_filter(Some(b"10.0.0.0/40")),
        Err(Error::Inval)
    );
    assert_eq!(s.set_metadata(b"color:blue"), Err(Error::Inval));
    assert_eq!(s.set_metadata(b"X-color:"), Err(Error::Inval));
    assert_eq!(
        s.set_socks_username(Some(&"u".repeat(256))),
        Err(Error::Inval)
    );
    // Not built, as libzmq without GSSAPI (unless the `gssapi` feature is
    // on: tests/gssapi.rs) / NORM. (The WSS options act: tests/ws.rs.)
    if !cfg!(feature = "gssapi") {
        assert_eq!(s.set_gssapi_server(true), Err(Error::Inval));
        assert_eq!(s.set_gssapi_principal("svc"), Err(Error::Inval));
        assert_eq!(s.get_gssapi_plaintext(), Err(Error::Inval));
        assert!(!zmq::has("gssapi").unwrap());
    }
    assert_eq!(s.set_wss_hostname("example.org"), Ok(()));
    if !cfg!(feature = "norm") {
        assert_eq!(s.set_norm_mode(1), Err(Error::Inval));
        assert_eq!(s.get_norm_push(), Err(Error::Inval));
        assert!(!zmq::has("norm").unwrap());
    }
    // Draft session options: stored for every type, as libzmq (they act
    // in tests/session_options.rs).
    assert_eq!(s.set_reconnect_stop(3), Ok(()));
    assert_eq!(s.get_reconnect_stop(), Ok(3));
    assert_eq!(s.set_hello_msg(None), Ok(()));
    assert_eq!(s.set_hello_msg(Some(b"hi")), Ok(()));
    assert_eq!(s.set_disconnect_msg(Some(b"bye")), Ok(()));
    assert_eq!(s.set_hiccup_msg(Some(b"oops")), Ok(()));
}

/// The descriptor of the first connection `socket` makes, from its
/// monitor's CONNECTED event.
fn connected_fd(ctx: &Context, socket: &Socket, endpoint: &str) -> i32 {
    let name = format!("inproc://monitor-{}", std::process::id());
    socket
        .monitor(&name, zmq::monitor::EVENT_CONNECTED as i32)
        .expect("monitor");
    let watcher = self::socket(ctx, SocketType::Pair);
    watcher.connect(&name).expect("connect monitor");
    socket.connect(endpoint).expect("connect");
    let parts = watcher.recv_multipart(0).expect("event");
    let (event, value, _) = zmq::monitor::parse_event_v1(&parts).expect("event v1");
    assert_eq!(u32::from(event), zmq::monitor::EVENT_CONNECTED as u32);
    value as i32
}

#[test]
fn tos_and_priority_reach_the_connection() {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Pull);
    let endpoint = bind_tcp(&server);
    let client = socket(&ctx, SocketType::Push);
    client.set_tos(0x20).unwrap();
    client.set_priority(5).unwrap();
    let fd = connected_fd(&ctx, &client, &endpoint);
    let read = |level, name| {
        let mut value: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `value` and `len` are valid out-pointers of that size.
        let rc =
            unsafe { libc::getsockopt(fd, level, name, (&raw mut value).cast(), &raw mut len) };
        assert_eq!(rc, 0, "getsockopt");
        value
    };
    assert_eq!(read(libc::IPPROTO_IP, libc::IP_TOS), 0x20);
    // SO_PRIORITY is Linux's (libzmq sets nothing elsewhere).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    assert_eq!(read(libc::SOL_SOCKET, libc::SO_PRIORITY), 5);
    client.send("x", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"x");
}

#[test]
fn accept_filter_refuses_peers_outside_it() {
    let ctx = Context::new();
    let refusing = socket(&ctx, SocketType::Pull);
    refusing.set_tcp_accept_filter(Some(b"10.9.9.9")).unwrap();
    let refused_at = bind_tcp(&refusing);
    let accepting = socket(&ctx, SocketType::Pull);
    accepting.set_tcp_accept_filter(Some(b"10.9.9.9")).unwrap();
    accepting
        .set_tcp_accept_filter(Some(b"127.0.0.0/8"))
        .unwrap();
    let accepted_at = bind_tcp(&accepting);
    let push = socket(&ctx, SocketType::Push);
    push.connect(&accepted_at).unwrap();
    push.send("in", 0).unwrap();
    assert_eq!(accepting.recv_bytes(0).unwrap(), b"in");
    let push = socket(&ctx, SocketType::Push);
    push.set_sndtimeo(0).unwrap();
    push.connect(&refused_at).unwrap();
    let _ = push.send("out", 0);
    assert!(!readable_within(&refusing, 300));
}

/// Copies one direction until either end closes.
fn pump(mut from: TcpStream, mut to: TcpStream) {
    let mut buffer = [0u8; 4096];
    while let Ok(n @ 1..) = from.read(&mut buffer) {
        if to.write_all(&buffer[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// A SOCKS5 proxy for one connection: requires user name/password when
/// `login` is set, connects where CONNECT says (IPv4 or a domain name)
/// and relays. Returns the target it was asked for.
fn spawn_socks5(
    login: Option<(&'static str, &'static str)>,
) -> (String, thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let handle = thread::spawn(move || {
        let (mut client, _) = listener.accept().unwrap();
        let mut take = |n: usize| {
            let mut b = vec![0u8; n];
            client.read_exact(&mut b).unwrap();
            b
        };
        let head = take(2);
        let methods = take(usize::from(head[1]));
        let _ = methods;
        let mut client = client;
        match login {
            Some((user, pass)) => {
                client.write_all(&[5, 2]).unwrap();
                let mut take = |n: usize| {
                    let mut b = vec![0u8; n];
                    client.read_exact(&mut b).unwrap();
                    b
                };
                let v = take(2);
                let u = take(usize::from(v[1]));
                let l = take(1);
                let p = take(usize::from(l[0]));
                let ok = u == user.as_bytes() && p == pass.as_bytes();
                client.write_all(&[1, u8::from(!ok)]).unwrap();
                assert!(ok, "bad login");
            }
            None => client.write_all(&[5, 0]).unwrap(),
        }
        let mut take = |n: usize| {
            let mut b = vec![0u8; n];
            client.read_exact(&mut b).unwrap();
            b
        };
        let request = take(4);
        let host = match request[3] {
            1 => take(4)
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join("."),
            3 => {
                let len = take(1)[0];
                String::from_utf8(take(usize::from(len))).unwrap()
            }
            other => panic!("address type {other}"),
        };
        let port = u16::from_be_bytes(take(2).try_into().unwrap());
        let target = format!("{host}:{port}");
        let upstream = TcpStream::connect(&target).unwrap();
        client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).unwrap();
        let (c2, u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
        let up = thread::spawn(move || pump(c2, u2));
        pump(upstream, client);
        let _ = up.join();
        target
    });
    (address, handle)
}

#[test]
fn socks5_proxy_with_login_carries_a_domain_name_connection() {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Rep);
    let endpoint = bind_tcp(&server);
    let port = endpoint.rsplit(':').next().unwrap().to_owned();
    let (proxy, proxy_thread) = spawn_socks5(Some(("alice", "s3cret")));
    let client = socket(&ctx, SocketType::Req);
    client.set_socks_proxy(Some(&proxy)).unwrap();
    client.set_socks_username(Some("alice")).unwrap();
    client.set_socks_password(Some("s3cret")).unwrap();
    client.connect(&format!("tcp://localhost:{port}")).unwrap();
    client.send("ping", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"ping");
    server.send("pong", 0).unwrap();
    assert_eq!(client.recv_bytes(0).unwrap(), b"pong");
    drop(client);
    drop(server);
    assert_eq!(proxy_thread.join().unwrap(), format!("localhost:{port}"));
}

#[test]
fn socks5_proxy_without_login_carries_an_ip_connection() {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Pull);
    let endpoint = bind_tcp(&server);
    let (proxy, proxy_thread) = spawn_socks5(None);
    let client = socket(&ctx, SocketType::Push);
    client.set_socks_proxy(Some(&proxy)).unwrap();
    client.connect(&endpoint).unwrap();
    client.send("through", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"through");
    drop(client);
    drop(server);
    let target = proxy_thread.join().unwrap();
    assert!(endpoint.ends_with(&target), "{endpoint} vs {target}");
}

#[test]
fn metadata_reaches_the_peer() {
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Pull);
    server.set_metadata(b"X-side:server").unwrap();
    let endpoint = bind_tcp(&server);
    let client = socket(&ctx, SocketType::Push);
    client.set_metadata(b"X-color:blue").unwrap();
    client.connect(&endpoint).unwrap();
    client.send("m", 0).unwrap();
    let msg = server.recv_msg(0).unwrap();
    assert_eq!(msg.gets("X-color"), Some("blue"));
    assert_eq!(msg.gets("X-side"), None);
}

#[test]
fn use_fd_binds_on_the_applications_socket() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Pull);
    server.set_use_fd(Some(OwnedFd::from(listener))).unwrap();
    assert!(server.get_use_fd().unwrap() >= 0);
    let endpoint = format!("tcp://127.0.0.1:{port}");
    server.bind(&endpoint).unwrap();
    let client = socket(&ctx, SocketType::Push);
    client.connect(&endpoint).unwrap();
    client.send("fd", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"fd");
}

#[test]
fn context_options() {
    let ctx = Context::new();
    assert_eq!(ctx.get_socket_limit(), Ok(65_535));
    assert_eq!(ctx.get_msg_t_size(), Ok(64));
    assert_eq!(ctx.get_max_msgsz(), Ok(i32::MAX));
    assert_eq!(ctx.get_zero_copy_recv(), Ok(true));
    assert_eq!(ctx.get_thread_priority(), Ok(-1));
    assert_eq!(ctx.get_thread_sched_policy(), Ok(-1));
    assert_eq!(ctx.set_max_sockets(0), Err(Error::Inval));
    // Beyond ZMQ_SOCKET_LIMIT too, as libzmq with epoll.
    ctx.set_max_sockets(65_536).unwrap();
    assert_eq!(ctx.get_max_sockets(), Ok(65_536));
    ctx.set_max_sockets(1023).unwrap();
    assert_eq!(ctx.set_max_msgsz(-1), Err(Error::Inval));
    ctx.set_max_msgsz(1024).unwrap();
    assert_eq!(ctx.get_max_msgsz(), Ok(1024));
    assert_eq!(ctx.set_thread_priority(-2), Err(Error::Inval));
    assert_eq!(ctx.remove_thread_affinity_cpu(0), Err(Error::Inval));
    ctx.add_thread_affinity_cpu(0).unwrap();
    assert_eq!(ctx.get_thread_affinity_cpus(), Ok(vec![0]));
    assert_eq!(ctx.set_thread_name_prefix(""), Err(Error::Inval));
    assert_eq!(
        ctx.set_thread_name_prefix(&"p".repeat(17)),
        Err(Error::Inval)
    );
    // Any bytes, as libzmq; threads are named up to the first zero byte.
    ctx.set_thread_name_prefix_bytes(b"\xffx\0y").unwrap();
    assert_eq!(ctx.get_thread_name_prefix_bytes(), Ok(b"\xffx\0y".to_vec()));
    ctx.set_thread_name_prefix("app").unwrap();
    assert_eq!(ctx.get_thread_name_prefix().as_deref(), Ok("app"));
    // The I/O thread starts with the options applied and still works.
    let pull = socket(&ctx, SocketType::Pull);
    let endpoint = bind_tcp(&pull);
    let push = socket(&ctx, SocketType::Push);
    push.connect(&endpoint).unwrap();
    push.send("t", 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"t");
    let names = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .collect::<Vec<_>>();
    assert!(
        names.iter().any(|n| n.starts_with("app/ZMQbg/IO/0")),
        "{names:?}"
    );
}

/// The connection's metadata travels down the pipe once per connection: a
/// connecter's pipe outlives a reconnection, and the messages of the new
/// connection carry the new peer's properties, not the old one's.
#[test]
fn metadata_follows_a_reconnection() {
    let ctx = Context::new();
    let first = socket(&ctx, SocketType::Push);
    first.set_metadata(b"X-gen:1").unwrap();
    let endpoint = bind_tcp(&first);
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_reconnect_ivl(10).unwrap();
    pull.connect(&endpoint).unwrap();
    first.send("a", 0).unwrap();
    let msg = pull.recv_msg(0).unwrap();
    assert_eq!(msg.gets("X-gen"), Some("1"));
    assert_eq!(msg.gets("Socket-Type"), Some("PUSH"));
    drop(first);
    let second = socket(&ctx, SocketType::Push);
    second.set_metadata(b"X-gen:2").unwrap();
    second.bind(&endpoint).unwrap();
    pull.set_rcvtimeo(50).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let msg = loop {
        match second.send("b", zmq::DONTWAIT) {
            Ok(()) | Err(Error::Again) => {}
            Err(e) => panic!("send: {e:?}"),
        }
        if let Ok(msg) = pull.recv_msg(0) {
            break msg;
        }
        assert!(std::time::Instant::now() < deadline, "no reconnection");
    };
    assert_eq!(msg.gets("X-gen"), Some("2"));
    assert_eq!(msg.gets("Peer-Address"), Some("127.0.0.1"));
}

#[test]
fn timeouts_as_durations_next_to_milliseconds() {
    use std::time::Duration;
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Pull).unwrap();
    assert_eq!(s.get_rcvtimeo_duration(), Ok(None));
    s.set_rcvtimeo_duration(Some(Duration::from_micros(1500)))
        .unwrap();
    assert_eq!(s.get_rcvtimeo(), Ok(2));
    assert_eq!(
        s.get_rcvtimeo_duration(),
        Ok(Some(Duration::from_millis(2)))
    );
    s.set_sndtimeo_duration(Some(Duration::ZERO)).unwrap();
    assert_eq!(s.get_sndtimeo(), Ok(0));
    s.set_linger_duration(None).unwrap();
    assert_eq!(s.get_linger(), Ok(-1));
    assert_eq!(
        s.set_linger_duration(Some(Duration::from_secs(u64::MAX))),
        Err(zmq::Error::Inval)
    );
    assert_eq!(s.get_linger_duration(), Ok(None));
    // Nothing to receive: a bounded wait.
    let mut items = [s.as_poll_item(zmq::POLLIN)];
    assert_eq!(
        zmq::poll_timeout(&mut items, Some(Duration::from_millis(10))),
        Ok(0)
    );
    assert_eq!(s.poll(zmq::POLLIN, 0), Ok(0));
}
