//! `ZMQ_FD` / `ZMQ_EVENTS` (edge triggered, libzmq's contract) and the
//! level-triggered readiness descriptor (`Socket::readiness_fd(true)`),
//! over tcp and inproc.

use std::os::fd::{BorrowedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};

use zmq::{Context, DONTWAIT, Socket, SocketType};

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Bound waits: a test that would hang fails instead.
const WAIT_MS: i32 = 5000;

/// Whether `fd` polls readable within `timeout_ms`.
fn poll_readable(fd: RawFd, timeout_ms: i32) -> bool {
    // SAFETY: `fd` belongs to a socket that outlives this call.
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    let mut fds = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLIN)];
    let timeout = nix::poll::PollTimeout::try_from(timeout_ms).expect("timeout");
    nix::poll::poll(&mut fds, timeout).expect("poll") > 0
}

/// A connected PUSH → PULL pair over `transport` ("tcp" or "inproc").
fn pair(ctx: &Context, transport: &str) -> (Socket, Socket) {
    let pull = ctx.socket(SocketType::Pull).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    let endpoint = match transport {
        "tcp" => {
            pull.bind("tcp://127.0.0.1:*").unwrap();
            pull.get_last_endpoint().unwrap().unwrap()
        }
        _ => {
            let name = format!(
                "inproc://readiness-{}",
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            pull.bind(&name).unwrap();
            name
        }
    };
    push.connect(&endpoint).unwrap();
    (push, pull)
}

/// libzmq's documented loop: drain while `ZMQ_EVENTS` says `POLLIN`, and
/// only then poll `ZMQ_FD`. Returns the messages received, stopping after
/// `count` (a poll that times out fails the test).
fn edge_loop(pull: &Socket, count: usize) -> Vec<Vec<u8>> {
    let fd = pull.get_fd().unwrap();
    let mut received = Vec::new();
    while received.len() < count {
        while pull.get_events().unwrap().contains(zmq::POLLIN) {
            received.push(pull.recv_bytes(DONTWAIT).unwrap());
        }
        if received.len() < count {
            assert!(
                poll_readable(fd, WAIT_MS),
                "ZMQ_FD must signal before more messages can be received"
            );
        }
    }
    received
}

fn edge_triggered_contract(transport: &str) {
    let ctx = Context::new();
    let (push, pull) = pair(&ctx, transport);
    // Messages queued before the reader starts polling.
    for i in 0..50u32 {
        push.send(&i.to_be_bytes()[..], 0).unwrap();
    }
    let first = edge_loop(&pull, 50);
    assert_eq!(first.len(), 50);
    for (i, body) in first.iter().enumerate() {
        assert_eq!(body.as_slice(), &(i as u32).to_be_bytes());
    }
    // A reader that stops while messages remain: the descriptor may be
    // quiet, ZMQ_EVENTS is not, and the loop above still gets them all.
    for i in 0..10u32 {
        push.send(&i.to_be_bytes()[..], 0).unwrap();
    }
    let fd = pull.get_fd().unwrap();
    assert!(poll_readable(fd, WAIT_MS));
    while !pull.get_events().unwrap().contains(zmq::POLLIN) {
        assert!(poll_readable(fd, WAIT_MS));
    }
    pull.recv_bytes(0).unwrap();
    let rest = edge_loop(&pull, 9);
    assert_eq!(rest.len(), 9);
    // Messages sent while the reader waits in poll wake it.
    let sender = std::thread::spawn(move || {
        for i in 0..20u32 {
            push.send(&i.to_be_bytes()[..], 0).unwrap();
        }
        push
    });
    let late = edge_loop(&pull, 20);
    assert_eq!(late.len(), 20);
    drop(sender.join().unwrap());
}

#[test]
fn zmq_fd_edge_triggered_loop_over_tcp() {
    edge_triggered_contract("tcp");
}

#[test]
fn zmq_fd_edge_triggered_loop_over_inproc() {
    edge_triggered_contract("inproc");
}

fn level_triggered(transport: &str) {
    let ctx = Context::new();
    let (push, pull) = pair(&ctx, transport);
    let fd = pull.readiness_fd(true).unwrap();
    assert_ne!(fd, pull.get_fd().unwrap());
    assert_eq!(pull.readiness_fd(false).unwrap(), pull.get_fd().unwrap());
    for i in 0..5u32 {
        push.send(&i.to_be_bytes()[..], 0).unwrap();
    }
    // "poll, receive one" never stalls: readable while a message remains.
    let mut received = 0;
    while received < 5 {
        assert!(poll_readable(fd, WAIT_MS), "readable while messages remain");
        match pull.recv_bytes(DONTWAIT) {
            Ok(body) => {
                assert_eq!(body.as_slice(), &(received as u32).to_be_bytes());
                received += 1;
                if received < 5 {
                    // Without another command, still readable at once.
                    assert!(poll_readable(fd, 0));
                }
            }
            // A command that brought no message yet.
            Err(zmq::Error::Again) => {}
            Err(err) => panic!("recv: {err}"),
        }
    }
    // Nothing left: after a failed receive the descriptor is quiet.
    assert!(matches!(pull.recv_bytes(DONTWAIT), Err(zmq::Error::Again)));
    assert!(!poll_readable(fd, 0), "quiet when nothing can be received");
    // A later message makes it readable again.
    push.send("late", 0).unwrap();
    loop {
        assert!(poll_readable(fd, WAIT_MS));
        if let Ok(body) = pull.recv_bytes(DONTWAIT) {
            assert_eq!(body, b"late");
            break;
        }
    }
}

#[test]
fn level_triggered_readiness_over_tcp() {
    level_triggered("tcp");
}

#[test]
fn level_triggered_readiness_over_inproc() {
    level_triggered("inproc");
}

/// libzmq's test_poller:test_poll_fd: `ZMQ_FD` of a socket that just
/// connected polls readable although no message came (a new pipe may
/// change `ZMQ_EVENTS`; libzmq's socket sends itself a command), so an
/// edge-triggered poller started after the connect looks at the socket.
#[test]
fn zmq_fd_readable_after_a_connect_without_messages() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = push.get_last_endpoint().unwrap().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.connect(&endpoint).unwrap();
    let fd = pull.get_fd().unwrap();
    assert!(poll_readable(fd, WAIT_MS), "ZMQ_FD readable after connect");
    assert!(!pull.get_events().unwrap().contains(zmq::POLLIN));

    // The same for an inproc connect, bound or not yet.
    for name in ["fd-bound", "fd-unbound"] {
        let endpoint = format!("inproc://{name}");
        let bound = ctx.socket(SocketType::Push).unwrap();
        if name == "fd-bound" {
            bound.bind(&endpoint).unwrap();
        }
        let pull = ctx.socket(SocketType::Pull).unwrap();
        pull.connect(&endpoint).unwrap();
        let fd = pull.get_fd().unwrap();
        assert!(poll_readable(fd, WAIT_MS), "{name}");
        assert!(!pull.get_events().unwrap().contains(zmq::POLLIN));
    }
}
