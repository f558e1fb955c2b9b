//! A blocking send or receive interrupted by a signal returns
//! `Error::Intr` (libzmq's EINTR), with or without a timeout, so that the
//! application's handler can act (Ctrl-C in a Python `recv()`, SIGALRM
//! timeouts). The signal is sent to the blocked thread itself
//! (`pthread_kill`), so the test harness's other threads are not involved.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use zmq::{Context, Error, SocketType};

static HANDLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_signal: libc::c_int) {
    HANDLED.store(true, Ordering::SeqCst);
}

/// Installs the SIGUSR1 handler without SA_RESTART.
fn install_handler() {
    // SAFETY: a zeroed sigaction with a valid handler and an empty mask.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
}

/// Runs `blocking` on a new thread, sends it SIGUSR1 after 100 ms and
/// returns what `blocking` returned and how long it took.
fn interrupted<T: Send + 'static>(blocking: impl FnOnce() -> T + Send + 'static) -> (T, Duration) {
    install_handler();
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        // SAFETY: pthread_self has no preconditions.
        tx.send(unsafe { libc::pthread_self() }).unwrap();
        let start = Instant::now();
        let result = blocking();
        (result, start.elapsed())
    });
    let target = rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: the thread is alive until it has been joined below.
    assert_eq!(unsafe { libc::pthread_kill(target, libc::SIGUSR1) }, 0);
    thread.join().unwrap()
}

#[test]
fn blocking_calls_return_intr_when_a_signal_arrives() {
    let ctx = Context::new();

    // A receive with no timeout, on a socket with I/O threads running.
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    HANDLED.store(false, Ordering::SeqCst);
    let ((result, pull), _) = interrupted(move || (pull.recv_bytes(0), pull));
    assert_eq!(result, Err(Error::Intr));
    assert!(HANDLED.load(Ordering::SeqCst));

    // With a long timeout: interrupted long before it.
    pull.set_rcvtimeo(10_000).unwrap();
    let ((result, pull), took) = interrupted(move || (pull.recv_bytes(0), pull));
    assert_eq!(result, Err(Error::Intr));
    assert!(took < Duration::from_secs(5), "{took:?}");

    // A thread-safe socket (CLIENT) is not interrupted (libzmq's waits on
    // a condition variable): it waits out its timeout.
    let client = zmq::ThreadSafeSocket::new(&ctx, SocketType::Client).unwrap();
    client.with(|s| s.set_rcvtimeo(500)).unwrap();
    let ((result, client), took) = interrupted(move || (client.recv_msg(0), client));
    assert_eq!(result.err(), Some(Error::Again));
    assert!(took >= Duration::from_millis(400), "{took:?}");
    drop(client);

    // A PUSH without peers blocks on send.
    let push = ctx.socket(SocketType::Push).unwrap();
    let ((result, push), _) = interrupted(move || (push.send("x", 0), push));
    assert_eq!(result, Err(Error::Intr));

    // Both still work afterwards.
    let endpoint = pull.get_last_endpoint().unwrap().unwrap();
    push.connect(&endpoint).unwrap();
    push.send("after", 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"after");
    push.set_linger(0).unwrap();
}
