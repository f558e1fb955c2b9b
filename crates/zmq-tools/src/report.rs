//! The figures libzmq's perf tools print, with the same arithmetic: the
//! stopwatch counts whole microseconds, throughput is truncated to whole
//! messages per second, latency is half the mean roundtrip.

/// What `local_thr` and `inproc_thr` print.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThroughputReport {
    /// Bytes per message.
    pub message_size: usize,
    /// Messages counted.
    pub message_count: usize,
    /// Whole messages per second.
    pub msgs_per_sec: u64,
    /// Megabits per second.
    pub megabits: f64,
}

impl ThroughputReport {
    /// The figures for `count` messages of `size` bytes received in
    /// `elapsed_us` microseconds (0 counts as 1, as libzmq does).
    pub fn new(size: usize, count: usize, elapsed_us: u64) -> ThroughputReport {
        let elapsed = elapsed_us.max(1) as f64;
        let msgs_per_sec = (count as f64 / elapsed * 1_000_000.0) as u64;
        let bits = (msgs_per_sec as f64) * (size as f64) * 8.0;
        ThroughputReport {
            message_size: size,
            message_count: count,
            msgs_per_sec,
            megabits: bits / 1_000_000.0,
        }
    }
}

impl std::fmt::Display for ThroughputReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "message size: {} [B]", self.message_size)?;
        writeln!(f, "message count: {}", self.message_count)?;
        writeln!(f, "mean throughput: {} [msg/s]", self.msgs_per_sec)?;
        writeln!(f, "mean throughput: {:.3} [Mb/s]", self.megabits)
    }
}

/// What `remote_lat` and `inproc_lat` print.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatencyReport {
    /// Bytes per message.
    pub message_size: usize,
    /// Roundtrips timed.
    pub roundtrip_count: usize,
    /// Half the mean roundtrip, in microseconds.
    pub average_latency_us: f64,
}

impl LatencyReport {
    /// The figures for `roundtrips` roundtrips taking `elapsed_us` in all.
    pub fn new(size: usize, roundtrips: usize, elapsed_us: u64) -> LatencyReport {
        let halves = (roundtrips.max(1) * 2) as f64;
        LatencyReport {
            message_size: size,
            roundtrip_count: roundtrips,
            average_latency_us: elapsed_us as f64 / halves,
        }
    }

    /// The first two lines, which `inproc_lat` prints before timing.
    pub fn header(size: usize, roundtrips: usize) -> String {
        format!("message size: {size} [B]\nroundtrip count: {roundtrips}\n")
    }

    /// The last line.
    pub fn footer(&self) -> String {
        format!("average latency: {:.3} [us]\n", self.average_latency_us)
    }
}

impl std::fmt::Display for LatencyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&LatencyReport::header(
            self.message_size,
            self.roundtrip_count,
        ))?;
        f.write_str(&self.footer())
    }
}

/// Whole microseconds of a duration, as `zmq_stopwatch_stop` returns.
pub fn micros(elapsed: std::time::Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_text_matches_libzmq() {
        let report = ThroughputReport::new(64, 1_000_000, 500_000);
        assert_eq!(
            report.to_string(),
            "message size: 64 [B]\nmessage count: 1000000\n\
             mean throughput: 2000000 [msg/s]\nmean throughput: 1024.000 [Mb/s]\n"
        );
        assert_eq!(ThroughputReport::new(1, 3, 0).msgs_per_sec, 3_000_000);
    }

    #[test]
    fn throughput_truncates_before_megabits() {
        // 7 messages in 3 us: 2333333.33 msg/s, truncated, then * 8 bits.
        let report = ThroughputReport::new(1, 7, 3);
        assert_eq!(report.msgs_per_sec, 2_333_333);
        assert!((report.megabits - 18.666_664).abs() < 1e-9);
    }

    #[test]
    fn latency_text_matches_libzmq() {
        let report = LatencyReport::new(1, 10_000, 300_000);
        assert_eq!(
            report.to_string(),
            "message size: 1 [B]\nroundtrip count: 10000\naverage latency: 15.000 [us]\n"
        );
    }
}
