//! The control channel: `GO <name>` lines on stdin, read in the background.

use std::collections::HashSet;
use std::io::BufRead;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Longest control line kept; longer lines are ignored.
const MAX_LINE: usize = 4096;

#[derive(Default)]
struct Released {
    names: HashSet<String>,
}

/// Names released by `GO` lines so far; a `GO` may come before its wait.
#[derive(Clone, Default)]
pub struct Control {
    shared: Arc<(Mutex<Released>, Condvar)>,
}

impl Control {
    /// A control channel fed by a thread reading stdin until it closes.
    pub fn from_stdin() -> Control {
        let control = Control::default();
        let feeder = control.clone();
        // The thread ends at EOF; if stdin never closes it dies with the process.
        let spawned = std::thread::Builder::new()
            .name("control".into())
            .spawn(move || feeder.feed(std::io::stdin().lock()));
        if spawned.is_err() {
            eprintln!("zmq-peer: cannot start the stdin reader; GO lines are ignored");
        }
        control
    }

    /// Reads lines from `input` until EOF or an error, releasing names.
    pub fn feed(&self, mut input: impl BufRead) {
        let mut line = Vec::new();
        loop {
            line.clear();
            match std::io::Read::take(&mut input, MAX_LINE as u64).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line.last() != Some(&b'\n') && line.len() >= MAX_LINE {
                // Overlong line: drop the rest of it.
                let mut rest = Vec::new();
                loop {
                    rest.clear();
                    match std::io::Read::take(&mut input, MAX_LINE as u64)
                        .read_until(b'\n', &mut rest)
                    {
                        Ok(0) | Err(_) => return,
                        Ok(_) if rest.last() == Some(&b'\n') => break,
                        Ok(_) => {}
                    }
                }
                continue;
            }
            if let Ok(text) = std::str::from_utf8(&line) {
                let mut words = text.split_whitespace();
                if let (Some("GO"), Some(name), None) = (words.next(), words.next(), words.next()) {
                    self.release(name);
                }
            }
        }
    }

    /// Releases `name`, waking its waiters.
    pub fn release(&self, name: &str) {
        let (lock, cond) = &*self.shared;
        self.lock(lock).names.insert(name.to_owned());
        cond.notify_all();
    }

    /// Whether `GO name` has arrived.
    pub fn is_released(&self, name: &str) -> bool {
        self.lock(&self.shared.0).names.contains(name)
    }

    /// Waits up to `timeout` for `GO name`; whether it arrived.
    pub fn wait(&self, name: &str, timeout: Duration) -> bool {
        let (lock, cond) = &*self.shared;
        let deadline = Instant::now().checked_add(timeout);
        let mut released = self.lock(lock);
        while !released.names.contains(name) {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return false;
            }
            released = match cond.wait_timeout(released, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }

    fn lock<'a>(&self, lock: &'a Mutex<Released>) -> MutexGuard<'a, Released> {
        lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_lines_release_names() {
        let control = Control::default();
        control.feed(&b"hello\nGO done\nGO  two extra\nGO restarted\n"[..]);
        assert!(control.is_released("done"));
        assert!(control.is_released("restarted"));
        assert!(!control.is_released("two"));
        assert!(control.wait("done", Duration::ZERO));
        assert!(!control.wait("other", Duration::from_millis(1)));
    }

    #[test]
    fn overlong_lines_are_skipped() {
        let control = Control::default();
        let mut input = vec![b'x'; MAX_LINE * 3];
        input.extend_from_slice(b" GO bad\nGO good\n");
        control.feed(&input[..]);
        assert!(control.is_released("good"));
        assert!(!control.is_released("bad"));
    }

    #[test]
    fn wait_wakes_on_release_from_another_thread() {
        let control = Control::default();
        let releaser = control.clone();
        let t = std::thread::spawn(move || releaser.release("go"));
        assert!(control.wait("go", Duration::from_secs(10)));
        t.join().unwrap();
    }
}
