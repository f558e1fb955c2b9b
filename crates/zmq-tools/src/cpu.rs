//! CPU time of this process (user + system, every thread, those that
//! have ended included) from `CLOCK_PROCESS_CPUTIME_ID`, the clock
//! `bench/zmq_bench.c` reads, so that each cell can report messages per
//! CPU-second next to its rate.

/// CPU seconds this process has used so far; 0 when the clock fails.
#[allow(unsafe_code)]
pub fn cpu_seconds() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the duration of the
    // call, and CLOCK_PROCESS_CPUTIME_ID is a clock every Linux has.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    if rc != 0 {
        return 0.0;
    }
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
}

/// A stopwatch of CPU time.
#[derive(Clone, Copy, Debug)]
pub struct CpuClock(f64);

impl CpuClock {
    /// Starts counting now.
    pub fn start() -> CpuClock {
        CpuClock(cpu_seconds())
    }

    /// CPU seconds since [`start`](CpuClock::start).
    pub fn elapsed(self) -> f64 {
        (cpu_seconds() - self.0).max(0.0)
    }
}

/// `count` per CPU-second (0 when no CPU time was counted).
pub fn per_cpu_second(count: f64, cpu_s: f64) -> f64 {
    if cpu_s > 0.0 { count / cpu_s } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_counts_work() {
        let clock = CpuClock::start();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert!(x != 1 && clock.elapsed() > 0.0);
        assert_eq!(per_cpu_second(10.0, 0.0), 0.0);
    }
}
