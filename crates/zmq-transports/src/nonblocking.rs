//! Stream sockets made and accepted already non-blocking and
//! close-on-exec: `SOCK_NONBLOCK | SOCK_CLOEXEC` flags to `socket` and
//! `accept4` where the system has them, the plain calls and then the flags
//! (by `fcntl`) where it does not (macOS, iOS), as libzmq's `open_socket`
//! and `accept` paths.

pub(crate) use flags::{accept_nonblocking, stream_socket};

/// The systems with `SOCK_NONBLOCK`/`SOCK_CLOEXEC` and `accept4`.
#[cfg(any(
    target_os = "android",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "illumos",
    target_os = "linux",
    target_os = "netbsd",
    target_os = "openbsd",
))]
mod flags {
    use std::io;

    use socket2::{Domain, Protocol, SockAddr, Socket, Type};

    /// A new stream socket of `domain`, non-blocking and close-on-exec.
    pub(crate) fn stream_socket(domain: Domain, protocol: Option<Protocol>) -> io::Result<Socket> {
        Socket::new(domain, Type::STREAM.nonblocking().cloexec(), protocol)
    }

    /// Accepts one connection, non-blocking and close-on-exec.
    pub(crate) fn accept_nonblocking(listener: &Socket) -> io::Result<(Socket, SockAddr)> {
        listener.accept4(libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK)
    }
}

/// The others (macOS, iOS): the plain calls, then the flags.
#[cfg(not(any(
    target_os = "android",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "illumos",
    target_os = "linux",
    target_os = "netbsd",
    target_os = "openbsd",
)))]
mod flags {
    use std::io;

    use socket2::{Domain, Protocol, SockAddr, Socket, Type};

    /// A new stream socket of `domain`, non-blocking and close-on-exec
    /// (socket2 sets `FD_CLOEXEC`, and `SO_NOSIGPIPE` on Apple systems).
    pub(crate) fn stream_socket(domain: Domain, protocol: Option<Protocol>) -> io::Result<Socket> {
        let socket = Socket::new(domain, Type::STREAM, protocol)?;
        socket.set_nonblocking(true)?;
        Ok(socket)
    }

    /// Accepts one connection, non-blocking and close-on-exec (socket2's
    /// `accept` sets `FD_CLOEXEC` where `accept4` is missing; the window
    /// before it is the one libzmq has there too).
    pub(crate) fn accept_nonblocking(listener: &Socket) -> io::Result<(Socket, SockAddr)> {
        let (socket, peer) = listener.accept()?;
        socket.set_nonblocking(true)?;
        Ok((socket, peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Socket, Type};
    use std::io;

    #[test]
    fn new_sockets_are_nonblocking_and_cloexec() -> io::Result<()> {
        let socket = stream_socket(Domain::UNIX, None)?;
        assert!(socket.nonblocking()?);
        let flags = nix::fcntl::fcntl(&socket, nix::fcntl::FcntlArg::F_GETFD)?;
        assert!(flags & libc::FD_CLOEXEC != 0);
        Ok(())
    }

    #[test]
    fn accepted_sockets_are_nonblocking_and_cloexec() -> io::Result<()> {
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        listener.bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )?;
        listener.listen(1)?;
        let address = listener.local_addr()?;
        let _client = std::net::TcpStream::connect(address.as_socket().unwrap())?;
        let (accepted, peer) = accept_nonblocking(&listener)?;
        assert!(peer.as_socket().is_some());
        assert!(accepted.nonblocking()?);
        let flags = nix::fcntl::fcntl(&accepted, nix::fcntl::FcntlArg::F_GETFD)?;
        assert!(flags & libc::FD_CLOEXEC != 0);
        Ok(())
    }
}
