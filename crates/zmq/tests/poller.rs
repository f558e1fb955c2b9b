//! `zmq::Poller` end to end: sockets and descriptors, user data,
//! wait / wait_all, modify, remove, timeouts, termination.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use zmq::{Context, Error, POLLIN, POLLOUT, Poller, PollerEvent, Socket, SocketType};

/// A connected PAIR over inproc.
fn pair(ctx: &Context, name: &str) -> (Socket, Socket) {
    let a = ctx.socket(SocketType::Pair).expect("socket");
    let b = ctx.socket(SocketType::Pair).expect("socket");
    let endpoint = format!("inproc://{name}");
    a.bind(&endpoint).expect("bind");
    b.connect(&endpoint).expect("connect");
    (a, b)
}

#[test]
fn wait_reports_the_ready_socket_with_its_user_data() {
    let ctx = Context::new();
    let (a, b) = pair(&ctx, "poller-wait");
    let mut poller = Poller::new();
    poller.add(&a, "a", POLLIN).expect("add a");
    poller.add(&b, "b", POLLIN).expect("add b");
    assert_eq!(poller.len(), 2);
    assert_eq!(poller.wait(0).err(), Some(Error::Again));

    b.send("hello", 0).expect("send");
    let event = poller.wait(5000).expect("wait");
    assert_eq!(event.user_data, "a");
    assert_eq!(event.events, POLLIN);
    assert!(event.socket.is_some_and(|s| std::ptr::eq(s, &a)));
    assert_eq!(event.fd, None);
    assert_eq!(a.recv_string(0).expect("recv"), Ok("hello".into()));
    assert_eq!(poller.wait(0).err(), Some(Error::Again));
}

#[test]
fn wait_all_reports_every_ready_registration_up_to_the_slice() {
    let ctx = Context::new();
    let (a, b) = pair(&ctx, "poller-wait-all");
    let (reader, mut writer) = std::io::pipe().expect("pipe");
    let mut poller = Poller::new();
    poller.add(&a, 1usize, POLLIN).expect("add");
    poller.add(&b, 2usize, POLLIN).expect("add");
    poller
        .add_fd(reader.as_fd(), 3usize, POLLIN)
        .expect("add fd");

    a.send("to b", 0).expect("send");
    b.send("to a", 0).expect("send");
    writer.write_all(b"x").expect("write");

    // Both messages travel through inproc pipes: wait until both are in.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut events = vec![PollerEvent::<usize>::default(); 3];
    let mut count = 0;
    while count < 3 && Instant::now() < deadline {
        count = poller.wait_all(&mut events, 5000).expect("wait_all");
    }
    assert_eq!(count, 3);
    let mut seen: Vec<(usize, i16)> = events.iter().map(|e| (e.user_data, e.events)).collect();
    seen.sort();
    let want = POLLIN.bits();
    assert_eq!(seen, vec![(1, want), (2, want), (3, want)]);
    assert_eq!(events[2].fd, Some(reader.as_raw_fd()));

    // A shorter slice takes the first ready ones only.
    let mut one = vec![PollerEvent::<usize>::default(); 1];
    assert_eq!(poller.wait_all(&mut one, 0), Ok(1));
}

#[test]
fn modify_switches_events_and_remove_forgets() {
    let ctx = Context::new();
    let (a, b) = pair(&ctx, "poller-modify");
    let mut poller = Poller::new();
    poller.add(&a, 'a', 0).expect("add");
    // Disabled: nothing to watch, so an endless wait is refused.
    assert_eq!(poller.wait(-1).err(), Some(Error::Fault));
    poller.modify(&a, POLLOUT).expect("modify");
    let event = poller.wait(5000).expect("writable");
    assert_eq!(event.events, POLLOUT);

    poller.modify(&a, POLLIN | POLLOUT).expect("modify");
    b.send("x", 0).expect("send");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut events = 0;
    while events != POLLIN | POLLOUT && Instant::now() < deadline {
        events = poller.wait(5000).expect("wait").events;
    }
    assert_eq!(events, POLLIN | POLLOUT);

    assert_eq!(poller.remove(&a), Ok('a'));
    assert_eq!(poller.remove(&a), Err(Error::Inval));
    assert_eq!(poller.modify(&a, POLLIN), Err(Error::Inval));
    assert!(poller.is_empty());
    assert_eq!(poller.wait(0).err(), Some(Error::Again));
}

#[test]
fn finite_timeout_expires_with_eagain() {
    let ctx = Context::new();
    let (a, _b) = pair(&ctx, "poller-timeout");
    let mut poller = Poller::new();
    poller.add(&a, (), POLLIN).expect("add");
    let start = Instant::now();
    assert_eq!(poller.wait(40).err(), Some(Error::Again));
    assert!(start.elapsed() >= Duration::from_millis(40));
    let mut events = vec![PollerEvent::<()>::default(); 1];
    assert_eq!(poller.wait_all(&mut events, 10), Err(Error::Again));
}

#[test]
fn blocked_wait_ends_with_eterm_on_shutdown() {
    let ctx = Context::new();
    let (a, _b) = pair(&ctx, "poller-term");
    let stopper = ctx.clone();
    let waiter = std::thread::spawn(move || {
        let mut poller = Poller::new();
        poller.add(&a, (), POLLIN).expect("add");
        poller.wait(10_000).map(|_| ()).err()
    });
    // Shutdown is sticky: whenever the waiter polls, it sees ETERM.
    stopper.shutdown();
    assert_eq!(waiter.join().expect("waiter"), Some(Error::Term));
}

#[test]
fn unknown_event_bits_are_einval() {
    let ctx = Context::new();
    let socket = ctx.socket(SocketType::Pull).unwrap();
    let mut poller: Poller<'_, ()> = Poller::new();
    assert_eq!(poller.add(&socket, (), 0x40i16), Err(Error::Inval));
    poller.add(&socket, (), POLLIN | POLLOUT).unwrap();
    assert_eq!(poller.modify(&socket, 0x100i16), Err(Error::Inval));
    poller.modify(&socket, POLLIN).unwrap();
}
