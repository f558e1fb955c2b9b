//! `ThreadSafeSocket` with several threads waiting at once: idle waiters
//! sleep (they do not wake each other in turn), and pollers ([`zmq::poll`],
//! [`zmq::Poller`]) see a message although another thread took the
//! commands that announced it.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, Error, POLLIN, PollItem, Poller, SocketType, ThreadSafeSocket};

/// CPU time of the calling thread.
fn thread_cpu_time() -> Duration {
    // SAFETY: `clock_gettime` writes one `timespec` into the value we pass.
    let ts = unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        assert_eq!(
            libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts),
            0
        );
        ts
    };
    Duration::from_secs(ts.tv_sec as u64) + Duration::from_nanos(ts.tv_nsec as u64)
}

fn socket(ctx: &Context, kind: SocketType) -> Arc<ThreadSafeSocket> {
    let socket = ThreadSafeSocket::new(ctx, kind).unwrap();
    socket.with(|s| s.set_linger(0)).unwrap();
    Arc::new(socket)
}

/// Three threads blocked in `recv` and one in a poller on an idle socket
/// for 400 ms: each costs a small part of that in CPU time (waiters that
/// woke each other in turn cost 100 ms and more each).
#[test]
fn idle_waiters_sleep() {
    const WAIT: i32 = 400;
    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Server);
    server.with(|s| s.set_rcvtimeo(WAIT)).unwrap();
    server.bind("inproc://idle-waiters").unwrap();
    let mut threads: Vec<_> = (0..3)
        .map(|_| {
            let server = Arc::clone(&server);
            thread::spawn(move || {
                let before = thread_cpu_time();
                assert_eq!(server.recv_msg(0).map(|_| ()), Err(Error::Again));
                thread_cpu_time() - before
            })
        })
        .collect();
    let polled = Arc::clone(&server);
    threads.push(thread::spawn(move || {
        let before = thread_cpu_time();
        let mut poller = Poller::new();
        poller.add_thread_safe(&polled, (), POLLIN).unwrap();
        assert_eq!(poller.wait(i64::from(WAIT)).err(), Some(Error::Again));
        thread_cpu_time() - before
    }));
    for thread in threads {
        let spent = thread.join().unwrap();
        assert!(spent < Duration::from_millis(40), "{spent:?}");
    }
}

/// A poller waits on a SERVER; two messages arrive and another thread
/// takes the first one (and with it the command that announced both): the
/// poller still reports the second.
#[test]
fn pollers_see_messages_behind_commands_taken_by_other_threads() {
    for use_poller in [true, false] {
        let ctx = Context::new();
        let server = socket(&ctx, SocketType::Server);
        let endpoint = format!("inproc://behind-{use_poller}");
        server.bind(&endpoint).unwrap();
        let client = ctx.socket(SocketType::Client).unwrap();
        client.connect(&endpoint).unwrap();
        let polled = Arc::clone(&server);
        let waiter = thread::spawn(move || {
            let started = Instant::now();
            let ready = if use_poller {
                let mut poller = Poller::new();
                poller.add_thread_safe(&polled, 7, POLLIN).unwrap();
                let event = poller.wait(10_000).unwrap();
                assert_eq!((event.user_data, event.events), (7, POLLIN.bits()));
                true
            } else {
                let mut items = [PollItem::from_thread_safe(&polled, POLLIN)];
                zmq::poll(&mut items, 10_000).unwrap() == 1 && items[0].is_readable()
            };
            (ready, started.elapsed())
        });
        thread::sleep(Duration::from_millis(20));
        client.send("one", 0).unwrap();
        client.send("two", 0).unwrap();
        let first = loop {
            match server.recv_msg(zmq::DONTWAIT) {
                Ok(msg) => break msg,
                Err(Error::Again) => thread::yield_now(),
                Err(err) => panic!("{err:?}"),
            }
        };
        assert_eq!(&first[..], b"one");
        let (ready, waited) = waiter.join().unwrap();
        assert!(ready);
        assert!(waited < Duration::from_secs(5), "{waited:?}");
        assert_eq!(&server.recv_msg(zmq::DONTWAIT).unwrap()[..], b"two");
    }
}

/// Registrations of thread-safe sockets: duplicates and unknown ones are
/// EINVAL, as for other sockets.
#[test]
fn poller_registrations_of_thread_safe_sockets() {
    let ctx = Context::new();
    let a = socket(&ctx, SocketType::Client);
    let b = socket(&ctx, SocketType::Client);
    let mut poller = Poller::new();
    poller.add_thread_safe(&a, 1, POLLIN).unwrap();
    assert_eq!(poller.add_thread_safe(&a, 2, POLLIN), Err(Error::Inval));
    assert_eq!(poller.modify_thread_safe(&b, POLLIN), Err(Error::Inval));
    assert_eq!(poller.remove_thread_safe(&b), Err(Error::Inval));
    poller.modify_thread_safe(&a, 0).unwrap();
    assert_eq!(poller.wait(0).err(), Some(Error::Again));
    assert_eq!(poller.remove_thread_safe(&a), Ok(1));
    assert!(poller.is_empty());
}

/// A poller has a descriptor of its own while a thread-safe socket is
/// registered; it polls readable once a message arrives.
#[test]
fn poller_fd_with_thread_safe_sockets() {
    use std::os::fd::BorrowedFd;

    let ctx = Context::new();
    let server = socket(&ctx, SocketType::Server);
    server.bind("inproc://poller-fd").unwrap();
    let client = ctx.socket(SocketType::Client).unwrap();
    client.connect("inproc://poller-fd").unwrap();
    let mut poller = Poller::new();
    assert_eq!(poller.fd(), Err(Error::Inval));
    poller.add_thread_safe(&server, (), POLLIN).unwrap();
    let fd = poller.fd().unwrap();
    assert_eq!(poller.wait(0).err(), Some(Error::Again));
    // SAFETY: the poller keeps its descriptor open until it is dropped.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    let mut items = [PollItem::from_fd(borrowed, POLLIN)];
    assert_eq!(zmq::poll(&mut items, 0), Ok(0));
    client.send("hello", 0).unwrap();
    assert_eq!(zmq::poll(&mut items, 5000), Ok(1));
    assert_eq!(poller.wait(0).unwrap().events, POLLIN);
    assert_eq!(&server.recv_msg(zmq::DONTWAIT).unwrap()[..], b"hello");
    poller.remove_thread_safe(&server).unwrap();
    assert_eq!(poller.fd(), Err(Error::Inval));
}
