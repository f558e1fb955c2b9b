//! Endpoints for runs inside one process: tcp on a kernel-chosen port,
//! ipc and inproc on names unique to this process and run.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::ToolError;

/// A transport a workload runs over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// `tcp://127.0.0.1`.
    Tcp,
    /// `ipc://` in the temporary directory.
    Ipc,
    /// `inproc://`.
    Inproc,
}

/// How long an in-process run waits for any one message before giving
/// up (milliseconds), so that a failing peer cannot hang a benchmark.
pub const RUN_TIMEOUT_MS: i32 = 10_000;

static NEXT_NAME: AtomicU64 = AtomicU64::new(0);

impl Transport {
    /// Every transport, in table order.
    pub const ALL: [Transport; 3] = [Transport::Tcp, Transport::Ipc, Transport::Inproc];

    /// Parses `tcp`, `ipc` or `inproc`.
    pub fn parse(text: &str) -> Result<Transport, ToolError> {
        match text {
            "tcp" => Ok(Transport::Tcp),
            "ipc" => Ok(Transport::Ipc),
            "inproc" => Ok(Transport::Inproc),
            other => Err(ToolError::Other(format!("unknown transport {other:?}"))),
        }
    }

    /// The scheme name.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Ipc => "ipc",
            Transport::Inproc => "inproc",
        }
    }

    /// An address to bind to; for tcp the port is chosen by the kernel,
    /// so read the bound endpoint back with [`bound_endpoint`].
    pub fn bind_address(self) -> String {
        let n = NEXT_NAME.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        match self {
            Transport::Tcp => "tcp://127.0.0.1:*".to_string(),
            Transport::Ipc => {
                let dir = std::env::temp_dir();
                format!("ipc://{}/zmq-tools-{pid}-{n}.ipc", dir.display())
            }
            Transport::Inproc => format!("inproc://zmq-tools-{pid}-{n}"),
        }
    }
}

/// Binds `socket` on a fresh address of `transport` and returns the
/// endpoint peers connect to.
pub fn bind_fresh(socket: &zmq::Socket, transport: Transport) -> Result<String, ToolError> {
    let address = transport.bind_address();
    socket.bind(&address).map_err(ToolError::zmq("zmq_bind"))?;
    bound_endpoint(socket)
}

/// `ZMQ_LAST_ENDPOINT` of a bound socket.
pub fn bound_endpoint(socket: &zmq::Socket) -> Result<String, ToolError> {
    match socket.get_last_endpoint() {
        Ok(Ok(endpoint)) if !endpoint.is_empty() => Ok(endpoint),
        Ok(_) => Err(ToolError::Other("no last endpoint".to_string())),
        Err(error) => Err(ToolError::Zmq {
            call: "zmq_getsockopt",
            error,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_unique() {
        assert_ne!(Transport::Ipc.bind_address(), Transport::Ipc.bind_address());
        assert_ne!(
            Transport::Inproc.bind_address(),
            Transport::Inproc.bind_address()
        );
        assert!(Transport::parse("udp").is_err());
        for t in Transport::ALL {
            assert_eq!(Transport::parse(t.name()).ok(), Some(t));
        }
    }
}
