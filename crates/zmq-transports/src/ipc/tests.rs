//! Tests of the ipc transport: file paths, `*`, abstract names, stale
//! files, filters.

use std::fs;
use std::io::Read;
use std::sync::atomic::{AtomicU32, Ordering};

use nix::poll::PollFlags;

use super::*;
use crate::error::TransportErrorKind;
use crate::test_support::{
    TempDir, accept_one, finish_connect, read_exact, unique_temp_dir, wait_for, write_all,
};

fn options() -> TransportOptions {
    TransportOptions::default()
}

fn socket_path(directory: &TempDir) -> String {
    directory.path().join("sock").display().to_string()
}

fn abstract_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("@zmqt-{}-{n}", std::process::id())
}

/// Connects to `address`, accepts on `listener` and checks a round trip.
fn round_trip(listener: &mut dyn Listener, address: &str) -> TransportResult<Box<dyn Stream>> {
    let connecting = IpcTransport.connect(address, &options())?;
    let mut server = accept_one(listener)?;
    let mut client = finish_connect(connecting)?;
    write_all(client.as_mut(), b"ping")?;
    assert_eq!(read_exact(server.as_mut(), 4)?, b"ping");
    write_all(server.as_mut(), b"pong")?;
    assert_eq!(read_exact(client.as_mut(), 4)?, b"pong");
    assert_eq!(client.local_endpoint(), "ipc://");
    assert_eq!(client.peer_endpoint(), server.local_endpoint());
    Ok(server)
}

#[test]
fn file_path_bind_connect_exchange() -> TransportResult<()> {
    let directory = unique_temp_dir("ipc")?;
    let path = socket_path(&directory);
    let mut listener = IpcTransport.bind(&path, &options())?;
    assert_eq!(listener.endpoint(), format!("ipc://{path}"));
    let server = round_trip(listener.as_mut(), &path)?;
    let expected = format!(
        ":{}:{}:{}",
        nix::unistd::getuid(),
        nix::unistd::getgid(),
        std::process::id()
    );
    assert_eq!(server.peer_address(), expected);
    assert_eq!(server.local_endpoint(), format!("ipc://{path}"));
    // The connecting end is unnamed (libzmq shows `ipc://`).
    assert_eq!(server.peer_endpoint(), "ipc://");
    drop(listener);
    assert!(
        !fs::exists(&path)?,
        "the socket file is removed with the listener"
    );
    Ok(())
}

#[test]
fn wildcard_binds_a_unique_temporary_path() -> TransportResult<()> {
    let mut first = IpcTransport.bind("*", &options())?;
    let second = IpcTransport.bind("*", &options())?;
    assert_ne!(first.endpoint(), second.endpoint());
    let path = first
        .endpoint()
        .strip_prefix("ipc://")
        .unwrap_or_default()
        .to_owned();
    assert!(path.ends_with("/socket"), "{path}");
    let directory = std::path::Path::new(&path)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let directory_name = directory
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    assert!(directory_name.starts_with("tmp") && directory_name.len() == 9);
    round_trip(first.as_mut(), &path)?;
    drop(first);
    assert!(
        !directory.exists(),
        "the temporary directory is removed too"
    );
    Ok(())
}

#[test]
fn abstract_names_bind_connect_and_conflict() -> TransportResult<()> {
    let name = abstract_name();
    let mut listener = IpcTransport.bind(&name, &options())?;
    assert_eq!(listener.endpoint(), format!("ipc://{name}"));
    round_trip(listener.as_mut(), &name)?;
    let second = IpcTransport.bind(&name, &options());
    assert_eq!(
        second.err().map(|e| e.kind()),
        Some(TransportErrorKind::AddressInUse)
    );
    Ok(())
}

#[test]
fn stale_socket_file_is_replaced() -> TransportResult<()> {
    let directory = unique_temp_dir("ipc")?;
    let path = socket_path(&directory);
    {
        let stale = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
        stale.bind(&socket2::SockAddr::unix(&path)?)?;
    }
    assert!(fs::exists(&path)?);
    let mut listener = IpcTransport.bind(&path, &options())?;
    round_trip(listener.as_mut(), &path).map(drop)
}

#[test]
fn live_listener_is_address_in_use_and_keeps_working() -> TransportResult<()> {
    let directory = unique_temp_dir("ipc")?;
    let path = socket_path(&directory);
    let mut first = IpcTransport.bind(&path, &options())?;
    let second = IpcTransport.bind(&path, &options());
    assert_eq!(second.err().map(|e| e.errno()), Some(libc::EADDRINUSE));
    // The probe connection of the failed bind shows up; skip it.
    let probe = accept_one(first.as_mut())?;
    drop(probe);
    round_trip(first.as_mut(), &path).map(drop)
}

#[test]
fn connect_errors() -> TransportResult<()> {
    let directory = unique_temp_dir("ipc")?;
    let path = socket_path(&directory);
    let missing = IpcTransport.connect(&path, &options());
    assert_eq!(missing.err().map(|e| e.errno()), Some(libc::ENOENT));
    {
        let stale = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
        stale.bind(&socket2::SockAddr::unix(&path)?)?;
    }
    let refused = IpcTransport
        .connect(&path, &options())
        .and_then(finish_connect);
    assert_eq!(
        refused.err().map(|e| e.kind()),
        Some(TransportErrorKind::ConnectionRefused)
    );
    assert!(IpcTransport.check_connect_address("*").is_err());
    Ok(())
}

#[test]
fn long_paths_are_name_too_long() {
    let long = format!("/tmp/{}", "x".repeat(120));
    let bound = IpcTransport.bind(&long, &options());
    assert_eq!(bound.err().map(|e| e.errno()), Some(libc::ENAMETOOLONG));
    let connected = IpcTransport.connect(&long, &options());
    assert_eq!(connected.err().map(|e| e.errno()), Some(libc::ENAMETOOLONG));
}

#[test]
fn missing_directory_fails_bind() -> TransportResult<()> {
    let directory = unique_temp_dir("ipc")?;
    let path = directory
        .path()
        .join("no/such/dir/sock")
        .display()
        .to_string();
    let bound = IpcTransport.bind(&path, &options());
    assert_eq!(bound.err().map(|e| e.errno()), Some(libc::ENOENT));
    Ok(())
}

#[test]
fn filtered_peers_are_closed_unaccepted() -> TransportResult<()> {
    let name = abstract_name();
    let other_uid = nix::unistd::getuid().as_raw().wrapping_add(4242);
    let filtered = TransportOptions {
        ipc_filter_uids: vec![other_uid],
        ..TransportOptions::default()
    };
    let mut listener = IpcTransport.bind(&name, &filtered)?;
    let mut client = finish_connect(IpcTransport.connect(&name, &options())?)?;
    assert!(wait_for(listener.as_fd(), PollFlags::POLLIN));
    assert!(listener.accept()?.is_none(), "the filtered peer is refused");
    assert!(wait_for(client.as_fd(), PollFlags::POLLIN));
    let mut buf = [0u8; 4];
    match client.read(&mut buf) {
        Ok(0) => {}
        Err(error) if error.raw_os_error() == Some(libc::ECONNRESET) => {}
        other => panic!("expected the connection to be closed, got {other:?}"),
    }
    Ok(())
}
