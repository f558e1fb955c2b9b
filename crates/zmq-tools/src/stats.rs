//! Latency figures from per-roundtrip samples. One-way latency is half a
//! roundtrip, as in libzmq's perf tools; percentiles use the nearest rank
//! `sorted[(n - 1) * p / 100]`, the same rule as `bench/zmq_bench.c`.

/// Mean, median and 99th percentile of one-way latency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatencySummary {
    /// Samples summarised.
    pub samples: usize,
    /// Mean one-way latency in microseconds.
    pub mean_us: f64,
    /// Median one-way latency in microseconds.
    pub p50_us: f64,
    /// 99th percentile of one-way latency in microseconds.
    pub p99_us: f64,
}

impl LatencySummary {
    /// Summarises roundtrip times in nanoseconds (sorts them in place).
    /// `None` when there are none.
    pub fn from_roundtrips_ns(roundtrips: &mut [u64]) -> Option<LatencySummary> {
        if roundtrips.is_empty() {
            return None;
        }
        roundtrips.sort_unstable();
        let n = roundtrips.len();
        let total: u128 = roundtrips.iter().map(|&ns| u128::from(ns)).sum();
        let half_us = |ns: f64| ns / 2.0 / 1000.0;
        let rank = |p: usize| {
            let index = (n - 1) * p / 100;
            roundtrips.get(index).copied().unwrap_or(0) as f64
        };
        Some(LatencySummary {
            samples: n,
            mean_us: half_us(total as f64 / n as f64),
            p50_us: half_us(rank(50)),
            p99_us: half_us(rank(99)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut samples: Vec<u64> = (1..=100).map(|i| i * 2000).collect();
        samples.reverse();
        let summary = LatencySummary::from_roundtrips_ns(&mut samples).unwrap();
        assert_eq!(summary.samples, 100);
        assert_eq!(summary.p50_us, 50.0);
        assert_eq!(summary.p99_us, 99.0);
        assert!((summary.mean_us - 50.5).abs() < 1e-9);
        assert!(LatencySummary::from_roundtrips_ns(&mut []).is_none());
    }
}

/// The nearest-rank percentile `sorted[(n - 1) * per_mille / 1000]` of
/// sorted nanosecond samples, in microseconds (0 when there are none).
pub fn per_mille_us(sorted: &[u64], per_mille: usize) -> f64 {
    let index = sorted.len().saturating_sub(1) * per_mille / 1000;
    sorted.get(index).copied().unwrap_or(0) as f64 / 1000.0
}

#[cfg(test)]
mod per_mille_tests {
    #[test]
    fn per_mille_uses_nearest_rank() {
        let samples: Vec<u64> = (1..=1000).map(|i| i * 1000).collect();
        assert_eq!(super::per_mille_us(&samples, 999), 999.0);
        assert_eq!(super::per_mille_us(&samples, 500), 500.0);
        assert_eq!(super::per_mille_us(&[], 990), 0.0);
    }
}
