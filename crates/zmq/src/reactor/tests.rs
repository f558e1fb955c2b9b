use super::*;
use parking_lot::Mutex;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::thread;

const WAIT: Duration = Duration::from_secs(20);

type Log = Arc<Mutex<Vec<String>>>;

/// Reads what arrives on its stream; reacts as told.
struct Probe {
    stream: UnixStream,
    log: Log,
    remove_self_on_read: bool,
    stop_writing: bool,
    victim: Option<HandlerId>,
}

impl Probe {
    fn new(stream: UnixStream, log: &Log) -> Probe {
        stream.set_nonblocking(true).expect("nonblocking");
        Probe {
            stream,
            log: Arc::clone(log),
            remove_self_on_read: false,
            stop_writing: false,
            victim: None,
        }
    }
}

impl EventHandler<String> for Probe {
    fn on_readable(&mut self, reactor: &mut Reactor<String>, id: HandlerId) {
        let mut buf = [0u8; 64];
        let n = self.stream.read(&mut buf).unwrap_or(0);
        self.log
            .lock()
            .push(format!("read {}", String::from_utf8_lossy(&buf[..n])));
        if let Some(victim) = self.victim.take() {
            assert!(reactor.remove_handler(victim));
        }
        if self.remove_self_on_read {
            assert!(reactor.remove_handler(id));
            assert!(!reactor.contains(id));
        }
    }

    fn on_writable(&mut self, reactor: &mut Reactor<String>, id: HandlerId) {
        self.log.lock().push("writable".to_owned());
        if self.stop_writing {
            reactor.set_interest(id, Interest::READ).expect("interest");
        }
    }

    fn on_timer(&mut self, _: &mut Reactor<String>, _: HandlerId, timer: TimerId) {
        self.log.lock().push(format!("timer {}", timer.0));
    }

    fn on_command(&mut self, _: &mut Reactor<String>, _: HandlerId, command: String) {
        self.log.lock().push(format!("command {command}"));
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.log.lock().push("dropped".to_owned());
    }
}

fn add_probe(reactor: &mut Reactor<String>, probe: Probe, interest: Interest) -> HandlerId {
    let raw = probe.stream.as_raw_fd();
    let id = reactor.add_handler(Box::new(probe));
    // SAFETY: the handler owns the stream and never closes it itself; the
    // reactor deregisters it before dropping the handler.
    unsafe { reactor.register_fd(id, BorrowedFd::borrow_raw(raw), interest) }.expect("register");
    id
}

/// Turns the reactor until `done` holds, at most `WAIT`.
fn turn_until(reactor: &mut Reactor<String>, done: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        reactor.run_once(Some(WAIT)).expect("turn");
    }
}

fn log_has(log: &Log, entry: &str) -> bool {
    log.lock().iter().any(|e| e == entry)
}

#[test]
fn readiness_is_delivered() {
    let mut reactor = Reactor::new().expect("reactor");
    let log = Log::default();
    let (ours, mut theirs) = UnixStream::pair().expect("pair");
    add_probe(&mut reactor, Probe::new(ours, &log), Interest::READ);
    theirs.write_all(b"hi").expect("write");
    turn_until(&mut reactor, || log_has(&log, "read hi"));
}

#[test]
fn interest_can_change_at_any_time() {
    let mut reactor = Reactor::new().expect("reactor");
    let log = Log::default();
    let (ours, _theirs) = UnixStream::pair().expect("pair");
    let mut probe = Probe::new(ours, &log);
    probe.stop_writing = true;
    let id = add_probe(&mut reactor, probe, Interest::BOTH);
    turn_until(&mut reactor, || log_has(&log, "writable"));
    assert_eq!(reactor.interest(id), Some(Interest::READ));
    reactor
        .run_once(Some(Duration::from_millis(20)))
        .expect("turn");
    assert_eq!(log.lock().len(), 1, "level-triggered, but interest is off");
    reactor.set_interest(id, Interest::WRITE).expect("interest");
    turn_until(&mut reactor, || log.lock().len() == 2);
}

#[test]
fn timers_fire_in_order_and_can_be_cancelled() {
    let mut reactor = Reactor::new().expect("reactor");
    let log = Log::default();
    let (ours, _theirs) = UnixStream::pair().expect("pair");
    let id = add_probe(&mut reactor, Probe::new(ours, &log), Interest::NONE);
    let late = reactor.add_timer(id, Duration::from_millis(30));
    let early = reactor.add_timer(id, Duration::from_millis(5));
    let cancelled = reactor.add_timer(id, Duration::from_millis(15));
    assert!(reactor.cancel_timer(cancelled));
    turn_until(&mut reactor, || log.lock().len() == 2);
    assert_eq!(
        *log.lock(),
        vec![format!("timer {}", early.0), format!("timer {}", late.0)]
    );
}

#[test]
fn commands_wake_the_reactor() {
    let mut reactor = Reactor::new().expect("reactor");
    let log = Log::default();
    let (ours, _theirs) = UnixStream::pair().expect("pair");
    let id = add_probe(&mut reactor, Probe::new(ours, &log), Interest::NONE);
    let handle = reactor.handle();
    let ran = Log::default();
    let ran_in_task = Arc::clone(&ran);
    let sender = thread::spawn(move || {
        handle.deliver(id, "hello".to_owned());
        handle.run(move |_| ran_in_task.lock().push("task".to_owned()));
    });
    let started = Instant::now();
    turn_until(&mut reactor, || log_has(&ran, "task"));
    assert!(started.elapsed() < WAIT);
    assert!(log_has(&log, "command hello"));
    sender.join().expect("sender");
    reactor.handle().stop();
    reactor.run().expect("run until stop");
    assert!(reactor.is_stopped());
}

#[test]
fn a_handler_can_remove_itself_and_others() {
    let mut reactor = Reactor::new().expect("reactor");
    let log = Log::default();
    let other_log = Log::default();
    let (a, mut a_peer) = UnixStream::pair().expect("pair");
    let (b, mut b_peer) = UnixStream::pair().expect("pair");
    let victim = add_probe(&mut reactor, Probe::new(b, &other_log), Interest::READ);
    let mut probe = Probe::new(a, &log);
    probe.remove_self_on_read = true;
    probe.victim = Some(victim);
    let id = add_probe(&mut reactor, probe, Interest::READ);
    // Both readable in the same turn: whichever runs first, the reactor
    // must survive, and the victim must not run after its removal.
    b_peer.write_all(b"b").expect("write");
    a_peer.write_all(b"a").expect("write");
    turn_until(&mut reactor, || log_has(&log, "dropped"));
    assert!(!reactor.contains(id));
    assert!(!reactor.contains(victim));
    assert!(log_has(&other_log, "dropped"));
    assert!(!reactor.remove_handler(id), "stale id");
    // Slots get reused, stale ids stay stale.
    let (c, _c_peer) = UnixStream::pair().expect("pair");
    let fresh = add_probe(&mut reactor, Probe::new(c, &log), Interest::NONE);
    assert!(reactor.contains(fresh));
    assert!(!reactor.contains(id) && !reactor.contains(victim));
    assert_eq!(reactor.handle().load(), 1);
}

#[test]
fn io_thread_runs_tasks_and_stops() {
    let io = crate::io_thread::IoThread::<String>::spawn(3).expect("spawn");
    let (tx, rx) = std::sync::mpsc::channel();
    io.run(move |_| {
        let name = thread::current().name().map(str::to_owned);
        tx.send(name).expect("test alive");
    });
    let name = rx.recv_timeout(WAIT).expect("task ran");
    assert_eq!(name.as_deref(), Some("ZMQbg/IO/3"));
    io.stop().expect("clean stop");
}

#[test]
fn io_thread_stops_on_drop_with_handlers_left() {
    let log = Log::default();
    let io = crate::io_thread::IoThread::<String>::spawn(0).expect("spawn");
    let (ours, _theirs) = UnixStream::pair().expect("pair");
    let probe_log = Arc::clone(&log);
    let (tx, rx) = std::sync::mpsc::channel();
    io.run(move |reactor| {
        let id = reactor.add_handler(Box::new(Probe::new(ours, &probe_log)));
        tx.send(id).expect("test alive");
    });
    rx.recv_timeout(WAIT).expect("added");
    assert_eq!(io.load(), 1);
    drop(io);
    assert!(log_has(&log, "dropped"));
}

/// Panics when it reads `!`, otherwise logs like a probe.
struct Panicky {
    probe: Probe,
    keep_after_panic: bool,
}

impl EventHandler<String> for Panicky {
    fn on_readable(&mut self, reactor: &mut Reactor<String>, id: HandlerId) {
        let mut buf = [0u8; 1];
        let n = self.probe.stream.read(&mut buf).unwrap_or(0);
        if buf[..n] == *b"!" {
            panic!("test: handler panics");
        }
        self.probe.log.lock().push("read".to_owned());
        let _ = (reactor, id);
    }

    fn on_panicked(&mut self, _: &mut Reactor<String>, _: HandlerId) -> bool {
        self.probe.log.lock().push("panicked".to_owned());
        self.keep_after_panic
    }
}

#[test]
fn a_panicking_handler_is_removed_and_the_others_go_on() {
    let mut reactor = Reactor::new().expect("reactor");
    let log = Log::default();
    let other_log = Log::default();
    let (a, mut a_peer) = UnixStream::pair().expect("pair");
    let (b, mut b_peer) = UnixStream::pair().expect("pair");
    let raw = a.as_raw_fd();
    let panicky = Panicky {
        probe: Probe::new(a, &log),
        keep_after_panic: false,
    };
    let id = reactor.add_handler(Box::new(panicky));
    // SAFETY: the handler owns the stream; removal deregisters it first.
    unsafe { reactor.register_fd(id, BorrowedFd::borrow_raw(raw), Interest::READ) }
        .expect("register");
    let other = add_probe(&mut reactor, Probe::new(b, &other_log), Interest::READ);
    a_peer.write_all(b"!").expect("write");
    b_peer.write_all(b"x").expect("write");
    turn_until(&mut reactor, || log_has(&log, "dropped"));
    assert!(log_has(&log, "panicked"));
    assert!(!reactor.contains(id));
    turn_until(&mut reactor, || log_has(&other_log, "read x"));
    b_peer.write_all(b"y").expect("write");
    turn_until(&mut reactor, || log_has(&other_log, "read y"));
    assert!(reactor.contains(other));
    // The panicking handler's stream was closed with it.
    let mut buf = [0u8; 1];
    assert_eq!(a_peer.read(&mut buf).expect("eof"), 0);
}

#[test]
fn a_handler_that_recovers_from_a_panic_stays() {
    let mut reactor = Reactor::new().expect("reactor");
    let log = Log::default();
    let (a, mut a_peer) = UnixStream::pair().expect("pair");
    let raw = a.as_raw_fd();
    let panicky = Panicky {
        probe: Probe::new(a, &log),
        keep_after_panic: true,
    };
    let id = reactor.add_handler(Box::new(panicky));
    // SAFETY: as above.
    unsafe { reactor.register_fd(id, BorrowedFd::borrow_raw(raw), Interest::READ) }
        .expect("register");
    a_peer.write_all(b"!").expect("write");
    turn_until(&mut reactor, || log_has(&log, "panicked"));
    assert!(reactor.contains(id));
    a_peer.write_all(b"z").expect("write");
    turn_until(&mut reactor, || log_has(&log, "read"));
}
