//! Shared by the zmq-tokio tests: bounded waits, endpoints, both runtime
//! flavours.

#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

/// The bound on any one wait in these tests.
pub const LIMIT: Duration = Duration::from_secs(20);

/// `future`'s output, or a failed test after [`LIMIT`].
pub async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(LIMIT, future).await {
        Ok(out) => out,
        Err(_) => panic!("{what}: no result within {LIMIT:?}"),
    }
}

/// Binds `socket` to a fresh tcp port on loopback; returns the endpoint.
pub fn bind_tcp(socket: &zmq::Socket) -> String {
    socket.bind("tcp://127.0.0.1:*").expect("bind");
    socket
        .get_last_endpoint()
        .expect("endpoint")
        .expect("utf-8 endpoint")
}

/// One part's bytes.
pub fn text(parts: &[zmq::Message]) -> Vec<String> {
    parts
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// Runs `$body` (an async block) as two tests: on tokio's current-thread
/// runtime and on its multi-thread runtime.
#[macro_export]
macro_rules! both_runtimes {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "current_thread")]
            async fn current_thread() {
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                $body.await
            }
        }
    };
}
