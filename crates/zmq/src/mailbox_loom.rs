//! Loom models of the mailbox and its signaler (the eventfd modelled as a
//! counter, see `signaler.rs`): every interleaving (up to
//! `LOOM_MAX_PREEMPTIONS`, 3 unless set) of senders' `send` and the
//! owner's `try_recv` / `recv_batch` / blocking `recv_timeout`.
//!
//! Checked: no lost wake-up (an owner blocked on the descriptor while a
//! command waits is a deadlock loom reports), every command received once
//! and in each sender's order, and, whenever the threads stop, the
//! descriptor raised if a command waits (`ZMQ_FD` never misses one) and
//! `is_empty` telling the truth.

use super::*;
use loom::sync::Arc;
use loom::thread;

fn check(model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    builder.check(model);
}

fn sender(mailbox: &Arc<Mailbox<u32>>, commands: &'static [u32]) -> thread::JoinHandle<()> {
    let mailbox = Arc::clone(mailbox);
    thread::spawn(move || {
        for &command in commands {
            mailbox.send(command);
        }
    })
}

/// Whether the descriptor is readable now (the model's poll).
fn raised(mailbox: &Mailbox<u32>) -> bool {
    mailbox.signaler.wait(Some(Duration::ZERO)).expect("model")
}

/// The readiness invariant once every thread stopped.
fn assert_descriptor_follows_the_queue(mailbox: &Mailbox<u32>) {
    let waiting = !mailbox.queue.lock().is_empty();
    assert_eq!(mailbox.is_empty(), !waiting, "is_empty tells the truth");
    if waiting {
        assert!(raised(mailbox), "a command waits: the descriptor is raised");
    }
}

/// Two senders, the owner blocking on the descriptor until it has every
/// command.
#[test]
fn loom_mailbox_blocking_owner_gets_every_command_in_order() {
    check(|| {
        let mailbox = Arc::new(Mailbox::new().expect("model"));
        let senders = [sender(&mailbox, &[10, 11]), sender(&mailbox, &[20])];
        let mut next = [10, 20];
        for _ in 0..3 {
            let command = mailbox
                .recv_timeout(None)
                .expect("model")
                .expect("no timeout");
            let from = (command / 10 - 1) as usize;
            assert_eq!(command, next[from], "each sender's order, once each");
            next[from] += 1;
        }
        for s in senders {
            s.join().unwrap();
        }
        assert_eq!(mailbox.try_recv(), None);
        assert_descriptor_follows_the_queue(&mailbox);
    });
}

/// The owner polls without blocking (`try_recv`, `recv_batch`) while a
/// sender sends; whatever it took, the descriptor covers what is left.
#[test]
fn loom_mailbox_descriptor_raised_while_a_command_waits() {
    check(|| {
        let mailbox = Arc::new(Mailbox::new().expect("model"));
        let s = sender(&mailbox, &[1, 2]);
        let mut got = Vec::new();
        got.extend(mailbox.try_recv());
        let mut batch = VecDeque::new();
        mailbox.recv_batch(&mut batch);
        got.extend(batch);
        got.extend(mailbox.try_recv());
        s.join().unwrap();
        assert_descriptor_follows_the_queue(&mailbox);
        while let Some(command) = mailbox.try_recv() {
            got.push(command);
        }
        assert_eq!(got, [1, 2], "FIFO, none lost, none twice");
        assert!(!raised(&mailbox), "found empty: cleared");
    });
}
