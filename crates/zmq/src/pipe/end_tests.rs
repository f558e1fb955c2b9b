use super::*;
use parking_lot::Mutex;

/// Collects notifications; the test plays the owner.
#[derive(Default)]
struct Recorder(Mutex<Vec<(PipeId, PipeEvent)>>);

impl PipeEvents for Recorder {
    fn notify(&self, pipe: PipeId, event: PipeEvent) {
        self.0.lock().push((pipe, event));
    }
}

impl Recorder {
    fn take(&self) -> Vec<(PipeId, PipeEvent)> {
        std::mem::take(&mut *self.0.lock())
    }
}

struct Pair {
    a: PipeEnd,
    b: PipeEnd,
    a_events: Arc<Recorder>,
    b_events: Arc<Recorder>,
}

impl Pair {
    fn new(a_in_hwm: usize, b_in_hwm: usize) -> Pair {
        let a_events = Arc::new(Recorder::default());
        let b_events = Arc::new(Recorder::default());
        let (a, b) = pipe_pair(
            PipeEndConfig {
                id: PipeId(1),
                events: a_events.clone(),
                in_hwm: a_in_hwm,
                delay: true,
            },
            PipeEndConfig {
                id: PipeId(2),
                events: b_events.clone(),
                in_hwm: b_in_hwm,
                delay: true,
            },
        );
        Pair {
            a,
            b,
            a_events,
            b_events,
        }
    }

    /// Delivers pending notifications until none is left; returns the
    /// signals each owner got.
    fn pump(&mut self) -> (Vec<PipeSignal>, Vec<PipeSignal>) {
        let (mut to_a, mut to_b) = (Vec::new(), Vec::new());
        for _ in 0..100 {
            let a_events = self.a_events.take();
            let b_events = self.b_events.take();
            if a_events.is_empty() && b_events.is_empty() {
                break;
            }
            for (id, event) in a_events {
                assert_eq!(id, PipeId(1));
                to_a.push(self.a.process(event));
            }
            for (id, event) in b_events {
                assert_eq!(id, PipeId(2));
                to_b.push(self.b.process(event));
            }
        }
        to_a.retain(|s| *s != PipeSignal::Nothing);
        to_b.retain(|s| *s != PipeSignal::Nothing);
        (to_a, to_b)
    }
}

fn msg(text: &str, more: bool) -> Msg {
    let mut m = Msg::from_slice(text.as_bytes());
    m.set_more(more);
    m
}

#[test]
fn lwm_is_half_the_hwm_rounded_up() {
    assert_eq!(compute_lwm(0), 0);
    assert_eq!(compute_lwm(1), 1);
    assert_eq!(compute_lwm(1000), 500);
    assert_eq!(compute_lwm(5), 3);
}

/// libzmq 4.3.5's `pipe_t::compute_lwm` is `(hwm + 1) / 2` for every mark:
/// `max_wm_delta` (1024, config.hpp) is defined but no longer used (older
/// releases used `hwm - max_wm_delta` above `2 * max_wm_delta`).
#[test]
fn lwm_of_large_marks_is_still_half_as_libzmq_4_3_5() {
    assert_eq!(compute_lwm(2048), 1024);
    assert_eq!(compute_lwm(2049), 1025);
    assert_eq!(compute_lwm(10_000), 5000);
    assert_eq!(compute_lwm(1_000_000), 500_000);
    assert_eq!(compute_lwm(i32::MAX as usize), 1 << 30);
}

#[test]
fn a_writer_full_at_a_large_hwm_wakes_after_half_of_it_is_read() {
    const HWM: usize = 5000;
    let mut p = Pair::new(0, HWM);
    for i in 0..HWM {
        p.a.write(msg(&i.to_string(), false)).expect("below hwm");
    }
    assert!(p.a.write(msg("over", false)).is_err(), "full at the hwm");
    p.a.flush();
    p.pump();
    for _ in 0..HWM / 2 - 1 {
        assert!(p.b.read().is_some());
    }
    // libzmq's old formula (hwm - 1024) would wait for 3976 reads.
    assert_eq!(p.pump().0, vec![], "one read short of the lwm (2500)");
    assert!(p.b.read().is_some());
    assert_eq!(p.pump().0, vec![PipeSignal::WriteActivated]);
    for i in 0..HWM / 2 {
        p.a.write(msg(&i.to_string(), false)).expect("room again");
    }
    assert!(p.a.write(msg("over", false)).is_err(), "full again");
}

#[test]
fn messages_flow_and_the_sleeping_reader_is_activated() {
    let mut p = Pair::new(10, 10);
    assert!(p.b.read().is_none(), "empty: b goes to sleep");
    p.a.write(msg("hello", false)).expect("room");
    assert!(
        p.b.read().is_none(),
        "not flushed yet, and b stays inactive"
    );
    p.a.flush();
    let (_, to_b) = p.pump();
    assert_eq!(to_b, vec![PipeSignal::ReadActivated]);
    assert_eq!(p.b.read().expect("message").data(), b"hello");
    p.a.write(msg("again", false)).expect("room");
    p.a.flush();
    assert_eq!(p.pump().1, vec![], "b is awake: no second activation");
    assert_eq!(p.b.read().expect("message").data(), b"again");
}

#[test]
fn hwm_blocks_at_exactly_hwm_messages_and_lwm_reactivates() {
    let mut p = Pair::new(0, 4);
    for i in 0..4 {
        assert!(p.a.check_hwm());
        p.a.write(msg(&i.to_string(), false)).expect("below hwm");
    }
    assert!(!p.a.check_hwm());
    assert!(p.a.write(msg("5th", false)).is_err(), "full at hwm = 4");
    assert!(!p.a.check_write());
    p.a.flush();
    p.pump();
    assert!(p.b.read().is_some());
    assert_eq!(p.pump().0, vec![], "one read is below the lwm of 2");
    assert!(p.b.read().is_some());
    assert_eq!(p.pump().0, vec![PipeSignal::WriteActivated]);
    assert!(p.a.check_write());
    p.a.write(msg("5th", false)).expect("room again");
    p.a.write(msg("6th", false)).expect("room again");
    assert!(p.a.write(msg("7th", false)).is_err());
}

#[test]
fn a_multipart_message_counts_once_and_stays_invisible_until_complete() {
    let mut p = Pair::new(0, 1);
    p.a.write(msg("a", true)).expect("room");
    p.a.write(msg("b", true)).expect("same message");
    p.a.flush();
    assert!(!p.b.check_read(), "incomplete message invisible");
    p.a.write(msg("c", false)).expect("same message");
    assert!(p.a.write(msg("d", false)).is_err(), "hwm 1 reached");
    p.a.flush();
    assert_eq!(p.pump().1, vec![PipeSignal::ReadActivated]);
    for part in ["a", "b", "c"] {
        assert_eq!(p.b.read().expect("part").data(), part.as_bytes());
    }
}

#[test]
fn rollback_drops_the_unfinished_message() {
    let mut p = Pair::new(0, 0);
    p.a.write(msg("done", false)).expect("room");
    p.a.write(msg("x", true)).expect("room");
    p.a.write(msg("y", true)).expect("room");
    p.a.rollback();
    p.a.write(msg("next", false)).expect("room");
    p.a.flush();
    assert_eq!(p.b.read().expect("m").data(), b"done");
    assert_eq!(p.b.read().expect("m").data(), b"next");
    assert!(p.b.read().is_none());
}

#[test]
fn termination_waits_until_pending_messages_are_read() {
    let mut p = Pair::new(0, 0);
    for i in 0..3 {
        p.a.write(msg(&i.to_string(), false)).expect("room");
    }
    p.a.flush();
    p.a.terminate();
    assert_eq!(p.a.state(), PipeState::TermReqSent1);
    assert!(p.a.write(msg("late", false)).is_err());
    let (to_a, to_b) = p.pump();
    assert!(to_a.is_empty() && to_b.is_empty(), "{to_a:?} {to_b:?}");
    assert_eq!(p.b.state(), PipeState::WaitingForDelimiter);
    for i in 0..3 {
        assert_eq!(
            p.b.read().expect("pending").data(),
            i.to_string().as_bytes()
        );
    }
    assert!(p.b.read().is_none(), "delimiter");
    assert_eq!(p.b.state(), PipeState::TermAckSent);
    let (to_a, to_b) = p.pump();
    assert_eq!(to_a, vec![PipeSignal::Terminated]);
    assert_eq!(to_b, vec![PipeSignal::Terminated]);
    assert!(p.a.is_terminated() && p.b.is_terminated());
}

#[test]
fn termination_of_an_empty_pipe_completes_without_reads() {
    let mut p = Pair::new(0, 0);
    p.b.terminate();
    let (to_a, to_b) = p.pump();
    assert_eq!(to_a, vec![PipeSignal::Terminated]);
    assert_eq!(to_b, vec![PipeSignal::Terminated]);
}

#[test]
fn termination_without_delay_drops_pending_messages() {
    let mut p = Pair::new(0, 0);
    p.b.set_delay(false);
    p.a.write(msg("lost", false)).expect("room");
    p.a.flush();
    p.a.terminate();
    let (to_a, to_b) = p.pump();
    assert_eq!(to_a, vec![PipeSignal::Terminated]);
    assert_eq!(to_b, vec![PipeSignal::Terminated]);
}

#[test]
fn both_ends_terminating_at_once_complete() {
    let mut p = Pair::new(0, 0);
    p.a.write(msg("x", false)).expect("room");
    p.a.flush();
    p.a.terminate();
    p.b.terminate();
    let (to_a, to_b) = p.pump();
    assert_eq!(to_a, vec![PipeSignal::Terminated]);
    assert_eq!(to_b, vec![PipeSignal::Terminated]);
}

#[test]
fn delimiter_read_before_term_arrives() {
    let mut p = Pair::new(0, 0);
    p.a.write(msg("x", false)).expect("room");
    p.a.terminate();
    // b reads before its owner processes the Term notification.
    assert_eq!(p.b.read().expect("x").data(), b"x");
    assert!(p.b.read().is_none());
    assert_eq!(p.b.state(), PipeState::DelimiterReceived);
    let (to_a, to_b) = p.pump();
    assert_eq!(to_a, vec![PipeSignal::Terminated]);
    assert_eq!(to_b, vec![PipeSignal::Terminated]);
}

#[test]
fn a_dropped_end_still_terminates_its_peer() {
    let p = Pair::new(0, 0);
    let a_events = p.a_events.clone();
    let (a, mut b) = (p.a, p.b);
    drop(a);
    let mut signals = Vec::new();
    for (_, event) in p.b_events.take() {
        signals.push(b.process(event));
    }
    assert_eq!(signals.last(), Some(&PipeSignal::Terminated));
    drop(b);
    drop(a_events);
}

#[test]
fn pipe_item_is_no_bigger_than_a_message() {
    assert!(size_of::<PipeItem>() <= 64.max(size_of::<Msg>()));
}

#[test]
fn set_hwms_adds_the_boosts_as_libzmq() {
    let mut p = Pair::new(0, 1);
    // A session's pipe (no boost): the owner's marks alone.
    assert!(!p.a.set_hwms(0, 3));
    assert_eq!(p.a.hwm, 3);
    assert_eq!(p.a.lwm, 0);
    // An inproc pipe: plus the peer socket's marks; 0 on either side is
    // unlimited.
    p.a.set_hwms_boost(7, 2);
    p.a.set_hwms(10, 3);
    assert_eq!((p.a.lwm, p.a.hwm), (compute_lwm(17) as u64, 5));
    p.a.set_hwms_boost(0, 2);
    p.a.set_hwms(10, 0);
    assert_eq!((p.a.lwm, p.a.hwm), (0, 0));
}

#[test]
fn hwms_from_the_peer_wake_a_full_writer() {
    let mut p = Pair::new(0, 1);
    p.a.write(msg("1", false)).expect("room");
    assert!(p.a.write(msg("2", false)).is_err(), "full at 1");
    p.a.flush();
    // The peer's owner raises its marks: a's outbound mark follows.
    p.b.send_hwms_to_peer(0, 3, None);
    let (to_a, _) = p.pump();
    assert_eq!(to_a, vec![PipeSignal::WriteActivated]);
    p.a.write(msg("2", false)).expect("room again");
    p.a.write(msg("3", false)).expect("room again");
    assert!(p.a.write(msg("4", false)).is_err(), "full at 3");
}

#[test]
fn the_disconnect_message_goes_once_before_the_delimiter() {
    let mut p = Pair::new(0, 0);
    let cell = Arc::new(OnceLock::new());
    p.a.set_disconnect_msg(Arc::clone(&cell));
    p.a.write(msg("half", true)).expect("room");
    // Filled in later (an inproc bind after the connect).
    cell.set(Bytes::from_static(b"bye")).unwrap();
    p.a.send_disconnect_msg();
    p.a.send_disconnect_msg();
    p.a.terminate();
    p.pump();
    assert_eq!(p.b.read().expect("disconnect message").data(), b"bye");
    assert!(p.b.read().is_none(), "the half message was rolled back");
}
