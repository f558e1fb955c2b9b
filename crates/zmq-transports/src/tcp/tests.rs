//! Tests of the tcp transport over loopback.

use std::io::{IoSlice, Write};

use super::*;
use crate::error::TransportErrorKind;
use crate::test_support::{accept_one, finish_connect, read_exact, wait_for, write_all};
use crate::transport::ConnectProgress;

fn options() -> TransportOptions {
    TransportOptions::default()
}

fn ipv6_options() -> TransportOptions {
    TransportOptions {
        ipv6: true,
        ..TransportOptions::default()
    }
}

fn port_of(endpoint: &str) -> u16 {
    endpoint
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .unwrap_or(0)
}

/// Connects to `listener`, accepts, and returns (client, server) streams.
fn connected_pair(
    listener: &mut dyn Listener,
    connect_to: &str,
    options: &TransportOptions,
) -> TransportResult<(Box<dyn Stream>, Box<dyn Stream>)> {
    let connecting = TcpTransport.connect(connect_to, options)?;
    let server = accept_one(listener)?;
    let client = finish_connect(connecting)?;
    Ok((client, server))
}

fn exchange(client: &mut dyn Stream, server: &mut dyn Stream) -> TransportResult<()> {
    write_all(client, b"hello")?;
    assert_eq!(read_exact(server, 5)?, b"hello");
    write_all(server, b"world!")?;
    assert_eq!(read_exact(client, 6)?, b"world!");
    Ok(())
}

#[test]
fn bind_port_zero_reports_the_actual_port() -> TransportResult<()> {
    for (address, prefix) in [
        ("127.0.0.1:0", "tcp://127.0.0.1:"),
        ("127.0.0.1:*", "tcp://127.0.0.1:"),
        ("*:*", "tcp://0.0.0.0:"),
        ("lo:0", "tcp://127.0.0.1:"),
    ] {
        let listener = TcpTransport.bind(address, &options())?;
        let endpoint = listener.endpoint();
        assert!(endpoint.starts_with(prefix), "{address} -> {endpoint}");
        assert_ne!(port_of(endpoint), 0, "{endpoint}");
    }
    Ok(())
}

#[test]
fn ipv4_connect_accept_exchange() -> TransportResult<()> {
    let mut listener = TcpTransport.bind("127.0.0.1:*", &options())?;
    let endpoint = listener.endpoint().to_owned();
    let address = endpoint.trim_start_matches("tcp://").to_owned();
    let (mut client, mut server) = connected_pair(listener.as_mut(), &address, &options())?;
    exchange(client.as_mut(), server.as_mut())?;
    assert_eq!(server.peer_address(), "127.0.0.1");
    assert_eq!(client.peer_address(), "127.0.0.1");
    assert_eq!(server.local_endpoint(), endpoint);
    assert!(client.local_endpoint().starts_with("tcp://127.0.0.1:"));
    assert_ne!(port_of(client.local_endpoint()), 0);
    // Each end names the other as the other names itself.
    assert_eq!(client.peer_endpoint(), endpoint);
    assert_eq!(server.peer_endpoint(), client.local_endpoint());
    assert!(listener.accept()?.is_none(), "nothing else pending");
    Ok(())
}

#[test]
fn connect_by_host_name() -> TransportResult<()> {
    let mut listener = TcpTransport.bind("127.0.0.1:*", &options())?;
    let port = port_of(listener.endpoint());
    let (mut client, mut server) =
        connected_pair(listener.as_mut(), &format!("localhost:{port}"), &options())?;
    exchange(client.as_mut(), server.as_mut())
}

/// Binds `[::1]`, or returns `None` when this host has no IPv6 loopback.
fn bind_ipv6_loopback() -> TransportResult<Option<Box<dyn Listener>>> {
    match TcpTransport.bind("[::1]:*", &ipv6_options()) {
        Ok(listener) => Ok(Some(listener)),
        Err(error)
            if matches!(
                error.errno(),
                libc::EADDRNOTAVAIL | libc::EAFNOSUPPORT | libc::ENODEV
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

#[test]
fn ipv6_connect_accept_exchange() -> TransportResult<()> {
    let Some(mut listener) = bind_ipv6_loopback()? else {
        eprintln!("skipped: no IPv6 loopback");
        return Ok(());
    };
    let endpoint = listener.endpoint().to_owned();
    assert!(endpoint.starts_with("tcp://[::1]:"), "{endpoint}");
    let address = format!("[::1]:{}", port_of(&endpoint));
    let (mut client, mut server) = connected_pair(listener.as_mut(), &address, &ipv6_options())?;
    exchange(client.as_mut(), server.as_mut())?;
    assert_eq!(server.peer_address(), "::1");
    Ok(())
}

#[test]
fn ipv6_wildcard_is_dual_stack() -> TransportResult<()> {
    if bind_ipv6_loopback()?.is_none() {
        eprintln!("skipped: no IPv6 loopback");
        return Ok(());
    }
    let mut listener = TcpTransport.bind("*:*", &ipv6_options())?;
    let endpoint = listener.endpoint().to_owned();
    assert!(endpoint.starts_with("tcp://[::]:"), "{endpoint}");
    let address = format!("127.0.0.1:{}", port_of(&endpoint));
    let (mut client, mut server) = connected_pair(listener.as_mut(), &address, &options())?;
    exchange(client.as_mut(), server.as_mut())?;
    assert_eq!(server.peer_address(), "::ffff:127.0.0.1");
    Ok(())
}

#[test]
fn double_bind_is_address_in_use() -> TransportResult<()> {
    let first = TcpTransport.bind("127.0.0.1:*", &options())?;
    let address = first.endpoint().trim_start_matches("tcp://").to_owned();
    let second = TcpTransport.bind(&address, &options());
    assert_eq!(
        second.err().map(|e| e.kind()),
        Some(TransportErrorKind::AddressInUse)
    );
    Ok(())
}

#[test]
fn connect_to_closed_port_is_refused() -> TransportResult<()> {
    let address = {
        let listener = TcpTransport.bind("127.0.0.1:*", &options())?;
        listener.endpoint().trim_start_matches("tcp://").to_owned()
    };
    let outcome = TcpTransport
        .connect(&address, &options())
        .and_then(finish_connect);
    assert_eq!(
        outcome.err().map(|e| e.kind()),
        Some(TransportErrorKind::ConnectionRefused)
    );
    Ok(())
}

#[test]
fn finish_before_writable_reports_progress_or_result() -> TransportResult<()> {
    let mut listener = TcpTransport.bind("127.0.0.1:*", &options())?;
    let address = listener.endpoint().trim_start_matches("tcp://").to_owned();
    let connecting = TcpTransport.connect(&address, &options())?;
    let stream = match connecting.finish()? {
        ConnectProgress::Connected(stream) => stream,
        ConnectProgress::InProgress(again) => finish_connect(again)?,
    };
    assert!(stream.raw_fd() >= 0);
    accept_one(listener.as_mut()).map(drop)
}

#[test]
fn write_vectored_sends_every_buffer_in_order() -> TransportResult<()> {
    // Small kernel buffers force short writes.
    let small_buffers = TransportOptions {
        sndbuf: 4096,
        rcvbuf: 4096,
        ..TransportOptions::default()
    };
    let mut listener = TcpTransport.bind("127.0.0.1:*", &small_buffers)?;
    let address = listener.endpoint().trim_start_matches("tcp://").to_owned();
    let (mut client, mut server) = connected_pair(listener.as_mut(), &address, &small_buffers)?;

    let small =
        client.write_vectored(&[IoSlice::new(b"ab"), IoSlice::new(b""), IoSlice::new(b"cde")])?;
    assert_eq!(small, 5, "one writev takes all small buffers");
    assert_eq!(read_exact(server.as_mut(), 5)?, b"abcde");

    let parts: Vec<Vec<u8>> = (0..3000u32)
        .map(|i| (0..(i % 97 + 1)).map(|j| (i + j) as u8).collect())
        .collect();
    let expected: Vec<u8> = parts.concat();
    let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
    let mut remaining = &mut slices[..];
    let mut written_total = 0;
    let mut short_writes = 0;
    let mut received = Vec::new();
    while !remaining.is_empty() {
        let offered: usize = remaining.iter().map(|s| s.len()).sum();
        match client.write_vectored(remaining) {
            Ok(written) => {
                short_writes += usize::from(written < offered);
                written_total += written;
                IoSlice::advance_slices(&mut remaining, written);
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                let in_flight = written_total - received.len();
                received.extend(read_exact(server.as_mut(), in_flight.min(1 << 16))?);
            }
            Err(error) => return Err(error.into()),
        }
    }
    let rest = expected.len() - received.len();
    received.extend(read_exact(server.as_mut(), rest)?);
    assert_eq!(received.len(), expected.len());
    assert!(received == expected, "bytes arrive in order");
    assert!(short_writes > 0, "the test exercised short writes");
    Ok(())
}

#[test]
fn connect_from_a_source_address() -> TransportResult<()> {
    let mut listener = TcpTransport.bind("*:*", &options())?;
    let port = port_of(listener.endpoint());
    for source in ["127.0.0.2:*", "127.0.0.2", "127.0.0.2:0"] {
        let address = format!("{source};127.0.0.1:{port}");
        let (client, server) = connected_pair(listener.as_mut(), &address, &options())?;
        assert_eq!(server.peer_address(), "127.0.0.2", "{address}");
        assert!(client.local_endpoint().starts_with("tcp://127.0.0.2:"));
    }
    Ok(())
}

#[test]
fn peer_close_reads_as_end_of_stream() -> TransportResult<()> {
    let mut listener = TcpTransport.bind("127.0.0.1:*", &options())?;
    let address = listener.endpoint().trim_start_matches("tcp://").to_owned();
    let (client, mut server) = connected_pair(listener.as_mut(), &address, &options())?;
    drop(client);
    assert!(wait_for(server.as_fd(), nix::poll::PollFlags::POLLIN));
    let mut buf = [0u8; 8];
    assert_eq!(server.read(&mut buf)?, 0);
    Ok(())
}

#[test]
fn resolution_errors_map_to_libzmq_errnos() {
    let bind = |address: &str| {
        TcpTransport
            .bind(address, &options())
            .err()
            .map(|e| e.errno())
    };
    assert_eq!(bind("nosuchif0:0"), Some(libc::ENODEV));
    assert_eq!(bind("localhost:0"), Some(libc::ENODEV));
    assert_eq!(bind("192.0.2.1:0"), Some(libc::EADDRNOTAVAIL));
    // libzmq reads the port with atoi and a 16-bit cast: 65536 is 0.
    assert_eq!(bind("127.0.0.1:65536"), Some(libc::EINVAL));
    assert_eq!(bind(":5555"), Some(libc::ENODEV));
    assert_eq!(bind("127.0.0.1"), Some(libc::EINVAL));
    let connect = |address: &str| {
        TcpTransport
            .connect(address, &options())
            .err()
            .map(|e| e.errno())
    };
    assert_eq!(connect("no-such-host.invalid:80"), Some(libc::EINVAL));
    assert_eq!(connect("127.0.0.1:0"), Some(libc::EINVAL));
    assert_eq!(connect("*:5555"), Some(libc::EINVAL));
    assert_eq!(connect("[::1]:5555"), Some(libc::EINVAL), "needs ZMQ_IPV6");
    assert!(TcpTransport.check_connect_address("server:5555").is_ok());
    assert!(TcpTransport.check_connect_address("server:*").is_err());
}

#[test]
fn options_are_applied_to_listeners_and_connections() -> TransportResult<()> {
    let tuned = TransportOptions {
        sndbuf: 1 << 16,
        rcvbuf: 1 << 16,
        backlog: 5,
        tcp_keepalive: 1,
        tcp_keepalive_idle: 60,
        tos: 0x08,
        tcp_maxrt: 1000,
        ..TransportOptions::default()
    };
    let mut listener = TcpTransport.bind("127.0.0.1:*", &tuned)?;
    let address = listener.endpoint().trim_start_matches("tcp://").to_owned();
    let (mut client, mut server) = connected_pair(listener.as_mut(), &address, &tuned)?;
    exchange(client.as_mut(), server.as_mut())?;
    let server_fd = server.as_fd();
    let server_socket = socket2::SockRef::from(&server_fd);
    assert!(server_socket.tcp_nodelay()?);
    assert!(server_socket.keepalive()?);
    let client_fd = client.as_fd();
    let client_socket = socket2::SockRef::from(&client_fd);
    assert!(client_socket.tcp_nodelay()?);
    assert_eq!(client_socket.tos_v4()?, 0x08);
    Ok(())
}
