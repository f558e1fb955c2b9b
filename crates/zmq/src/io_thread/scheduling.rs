//! [`ThreadScheduling`]: the context options that shape the I/O threads
//! (`ZMQ_THREAD_PRIORITY`, `ZMQ_THREAD_SCHED_POLICY`,
//! `ZMQ_THREAD_AFFINITY_CPU_ADD`/`REMOVE`, `ZMQ_THREAD_NAME_PREFIX`),
//! applied as libzmq does when a thread starts, best effort: the OS may
//! refuse a policy or priority to an unprivileged process, and then the
//! thread runs with its defaults (libzmq ignores `EPERM` too).
//!
//! Policy and priority are POSIX (`pthread_setschedparam`, `nice`).
//! Affinity is applied on Linux and Android (`sched_setaffinity`) and on
//! FreeBSD (`pthread_setaffinity_np` with a `cpuset_t`, as libzmq there);
//! other systems keep the set and run the threads anywhere (macOS has no
//! affinity call; libzmq ignores the option where its configure step finds
//! no `pthread_setaffinity_np`).

use std::collections::BTreeSet;

/// `ZMQ_THREAD_PRIORITY_DFLT` and `ZMQ_THREAD_SCHED_POLICY_DFLT`.
pub const THREAD_DEFAULT: i32 = -1;

/// How to start a context's threads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadScheduling {
    /// `ZMQ_THREAD_PRIORITY` (-1: leave).
    pub priority: i32,
    /// `ZMQ_THREAD_SCHED_POLICY` (`SCHED_*`, -1: leave).
    pub policy: i32,
    /// `ZMQ_THREAD_AFFINITY_CPU_ADD`: the CPUs to run on (empty: any).
    pub cpus: BTreeSet<usize>,
    /// `ZMQ_THREAD_NAME_PREFIX`: thread names become `prefix/ZMQbg/...`.
    pub name_prefix: String,
}

impl Default for ThreadScheduling {
    fn default() -> ThreadScheduling {
        ThreadScheduling {
            priority: THREAD_DEFAULT,
            policy: THREAD_DEFAULT,
            cpus: BTreeSet::new(),
            name_prefix: String::new(),
        }
    }
}

impl ThreadScheduling {
    /// Applies policy, priority and affinity to the calling thread.
    pub fn apply_to_current_thread(&self) {
        self.apply_policy();
        self.apply_affinity();
    }

    fn apply_policy(&self) {
        if self.priority == THREAD_DEFAULT && self.policy == THREAD_DEFAULT {
            return;
        }
        let mut policy: libc::c_int = 0;
        // SAFETY: a zeroed `sched_param` is a valid value (plain integers).
        let mut param: libc::sched_param = unsafe { std::mem::zeroed() };
        // SAFETY: both out-pointers are valid for writes.
        if unsafe { libc::pthread_getschedparam(libc::pthread_self(), &mut policy, &mut param) }
            != 0
        {
            return;
        }
        if self.policy != THREAD_DEFAULT {
            policy = self.policy;
        }
        let realtime = policy == libc::SCHED_FIFO || policy == libc::SCHED_RR;
        if self.priority != THREAD_DEFAULT {
            param.sched_priority = if realtime { self.priority } else { 0 };
        }
        // SAFETY: `param` is initialised; a bad policy gives EINVAL.
        let _ = unsafe { libc::pthread_setschedparam(libc::pthread_self(), policy, &param) };
        if !realtime && self.priority != THREAD_DEFAULT {
            // Other policies have no priority: libzmq uses nice instead.
            // SAFETY: `nice` only changes this thread's nice value.
            let _ = unsafe { libc::nice(-self.priority) };
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    fn apply_affinity(&self) {}

    #[cfg(target_os = "freebsd")]
    fn apply_affinity(&self) {
        if self.cpus.is_empty() {
            return;
        }
        // SAFETY: a zeroed `cpuset_t` is the empty set.
        let mut set: libc::cpuset_t = unsafe { std::mem::zeroed() };
        let capacity = 8 * std::mem::size_of::<libc::cpuset_t>();
        for &cpu in self.cpus.iter().filter(|&&cpu| cpu < capacity) {
            // SAFETY: `cpu` is below the set's capacity (checked above).
            unsafe { libc::CPU_SET(cpu, &mut set) };
        }
        let size = std::mem::size_of::<libc::cpuset_t>();
        // SAFETY: `set` is a valid cpu set of `size` bytes, the thread is
        // the calling one; CPUs that do not exist make it fail: ignored.
        let _ = unsafe { libc::pthread_setaffinity_np(libc::pthread_self(), size, &set) };
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn apply_affinity(&self) {
        if self.cpus.is_empty() {
            return;
        }
        // SAFETY: a zeroed `cpu_set_t` is the empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let capacity = 8 * std::mem::size_of::<libc::cpu_set_t>();
        for &cpu in self.cpus.iter().filter(|&&cpu| cpu < capacity) {
            // SAFETY: `cpu` is below the set's capacity (checked above).
            unsafe { libc::CPU_SET(cpu, &mut set) };
        }
        // SAFETY: `set` is a valid cpu set of the size given; pid 0 is the
        // calling thread. CPUs that do not exist make it fail: ignored.
        let _ = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn affinity_is_applied_to_the_thread() {
        let scheduling = ThreadScheduling {
            cpus: BTreeSet::from([0]),
            ..ThreadScheduling::default()
        };
        let allowed = std::thread::spawn(move || {
            scheduling.apply_to_current_thread();
            // SAFETY: as above; reads this thread's mask.
            let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
            let rc = unsafe {
                libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set)
            };
            assert_eq!(rc, 0);
            (0..64)
                .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
                .collect::<Vec<_>>()
        })
        .join()
        .unwrap();
        assert_eq!(allowed, vec![0]);
    }

    #[test]
    fn defaults_leave_the_thread_alone() {
        ThreadScheduling::default().apply_to_current_thread();
    }
}
