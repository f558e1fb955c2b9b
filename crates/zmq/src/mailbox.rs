//! `Mailbox<T>`: a multi-producer command queue with a wake-up descriptor.
//!
//! Any thread may `send`; one owner receives. The [`Signaler`] is raised only
//! when a command lands in an empty queue, and cleared (under the queue's
//! lock) when the owner finds the queue empty or takes a whole batch, so:
//! the descriptor is readable whenever a command waits, a burst of sends
//! costs one system call, and a busy owner makes none per command.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use zmq_patterns::PipeId;

use crate::pipe::{PipeEvent, PipeEvents};
use crate::signaler::Signaler;
use crate::sync::Mutex;
use crate::sync::atomic::{AtomicBool, Ordering};

/// A command queue for one owner.
#[derive(Debug)]
pub struct Mailbox<T> {
    queue: Mutex<VecDeque<T>>,
    /// Set (under the lock) while the queue holds commands, so that an
    /// owner can look for work without taking the lock on its hot path.
    pending: AtomicBool,
    signaler: Signaler,
}

impl<T> Mailbox<T> {
    /// A new empty mailbox.
    pub fn new() -> io::Result<Mailbox<T>> {
        Ok(Mailbox {
            queue: Mutex::new(VecDeque::new()),
            pending: AtomicBool::new(false),
            signaler: Signaler::new()?,
        })
    }

    /// Queues a command; never blocks beyond the queue's short lock.
    pub fn send(&self, command: T) {
        let was_empty = {
            let mut queue = self.queue.lock();
            let was_empty = queue.is_empty();
            queue.push_back(command);
            self.pending.store(true, Ordering::Release);
            was_empty
        };
        if was_empty {
            // An eventfd write fails only on a broken descriptor, which no
            // caller can repair; the owner then sees the command on its next
            // `try_recv` anyway.
            let _ = self.signaler.send();
        }
    }

    /// The next command, if any. Finding the queue empty clears the
    /// descriptor's readiness.
    pub fn try_recv(&self) -> Option<T> {
        let mut queue = self.queue.lock();
        let command = queue.pop_front();
        if queue.is_empty() {
            self.pending.store(false, Ordering::Release);
        }
        if command.is_none() {
            let _ = self.signaler.recv();
        }
        command
    }

    /// Moves every queued command into `batch` (one lock for all) and clears
    /// the descriptor's readiness. Returns how many were moved.
    pub fn recv_batch(&self, batch: &mut VecDeque<T>) -> usize {
        let mut queue = self.queue.lock();
        let count = queue.len();
        batch.append(&mut queue);
        self.pending.store(false, Ordering::Release);
        let _ = self.signaler.recv();
        count
    }

    /// The next command, waiting up to `timeout` (`None`: no limit). A
    /// signal delivered to the waiting thread ends the wait with an
    /// `Interrupted` error.
    pub fn recv_timeout(&self, timeout: Option<Duration>) -> io::Result<Option<T>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if let Some(command) = self.try_recv() {
                return Ok(Some(command));
            }
            let left = match deadline {
                None => None,
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Ok(None);
                    }
                    Some(deadline - now)
                }
            };
            self.signaler.wait(left)?;
        }
    }

    /// Whether no command waits. Lock-free: a command sent by another
    /// thread is seen once its `send` has returned.
    pub fn is_empty(&self) -> bool {
        !self.pending.load(Ordering::Acquire)
    }
}

impl<T> AsFd for Mailbox<T> {
    /// The wake-up descriptor: readable while commands may wait (`ZMQ_FD`).
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.signaler.as_fd()
    }
}

/// A mailbox can take pipe notifications for its owner directly.
impl<T> PipeEvents for Mailbox<T>
where
    T: From<(PipeId, PipeEvent)> + Send,
{
    fn notify(&self, pipe: PipeId, event: PipeEvent) {
        self.send(T::from((pipe, event)));
    }
}

#[cfg(all(test, loom))]
#[path = "mailbox_loom.rs"]
mod loom_tests;

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    const WAIT: Duration = Duration::from_secs(20);

    fn readable<T>(mailbox: &Mailbox<T>) -> bool {
        mailbox.signaler.wait(Some(Duration::ZERO)).expect("poll")
    }

    #[test]
    fn descriptor_follows_the_queue() {
        let mailbox = Mailbox::new().expect("mailbox");
        assert!(!readable(&mailbox));
        mailbox.send(1);
        mailbox.send(2);
        assert!(readable(&mailbox));
        assert_eq!(mailbox.try_recv(), Some(1));
        assert!(readable(&mailbox), "still one command");
        assert_eq!(mailbox.try_recv(), Some(2));
        assert_eq!(mailbox.try_recv(), None);
        assert!(!readable(&mailbox), "cleared once found empty");
        mailbox.send(3);
        assert!(readable(&mailbox), "raised again");
    }

    #[test]
    fn batch_takes_everything_and_clears() {
        let mailbox = Mailbox::new().expect("mailbox");
        for i in 0..5 {
            mailbox.send(i);
        }
        let mut batch = VecDeque::new();
        assert_eq!(mailbox.recv_batch(&mut batch), 5);
        assert_eq!(batch, [0, 1, 2, 3, 4]);
        assert!(!readable(&mailbox));
        assert!(mailbox.is_empty());
    }

    #[test]
    fn many_producers_one_consumer() {
        let mailbox = Arc::new(Mailbox::new().expect("mailbox"));
        let producers: Vec<_> = (0..4u64)
            .map(|p| {
                let mailbox = Arc::clone(&mailbox);
                thread::spawn(move || {
                    for i in 0..10_000u64 {
                        mailbox.send(p * 1_000_000 + i);
                    }
                })
            })
            .collect();
        let mut next = [0u64; 4];
        let mut received = 0;
        while received < 40_000 {
            let value = mailbox
                .recv_timeout(Some(WAIT))
                .expect("poll")
                .expect("command within the timeout");
            let (p, i) = ((value / 1_000_000) as usize, value % 1_000_000);
            assert_eq!(next[p], i, "per-producer order");
            next[p] += 1;
            received += 1;
        }
        for p in producers {
            p.join().expect("producer");
        }
    }

    #[test]
    fn recv_timeout_gives_up() {
        let mailbox: Mailbox<u8> = Mailbox::new().expect("mailbox");
        let started = Instant::now();
        assert_eq!(
            mailbox
                .recv_timeout(Some(Duration::from_millis(10)))
                .expect("poll"),
            None
        );
        assert!(started.elapsed() >= Duration::from_millis(10));
    }
}
