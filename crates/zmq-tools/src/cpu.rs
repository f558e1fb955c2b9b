//! CPU time of this process (user + system, every thread) from
//! `/proc/self/stat`, the same source `bench/zmq_bench.c` reads, so that
//! each cell can report messages per CPU-second next to its rate.

/// Clock ticks per second of `/proc/self/stat` (`USER_HZ`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds this process has used so far; 0 off Linux.
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| parse_stat(&stat))
        .unwrap_or(0.0)
}

/// `utime + stime` of a `/proc/<pid>/stat` line, in seconds. The command
/// name may hold spaces, so fields are counted after its closing `)`.
fn parse_stat(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / TICKS_PER_SECOND)
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
    fn stat_lines_parse() {
        let stat = "42 (a b) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0";
        assert_eq!(parse_stat(stat), Some(3.0));
        assert!(parse_stat("nonsense").is_none());
        assert!(cpu_seconds() >= 0.0);
    }
}
