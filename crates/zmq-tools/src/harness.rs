//! The `zmq-bench` sub-commands that `cargo xtask bench` runs, one
//! workload per process. Each prints one line, `result key=value ...`,
//! with the same keys as `bench/zmq_bench.c` prints for libzmq:
//!
//! ```text
//! thr <tcp|ipc|inproc> <size> <count>   msgs_per_s mb_per_s peak_rss_bytes cpu_s
//!                                       msgs_per_cpu_s
//! lat <tcp|ipc|inproc> <size> <count>   mean_us p50_us p99_us
//! fanout <subscribers> <size> <count> [<tcp|ipc> <topics>]
//!                                       delivered_per_s loss cpu_s msgs_per_cpu_s
//! conns <n>                             connections bytes_per_connection
//!                                       idle_cpu_ms_per_s
//! curve <size> <count>                  msgs_per_s mb_per_s
//! router <peers> <size> <rounds>        rt_per_s rtt_p50_us rtt_p99_us rtt_p999_us
//!                                       rss_bytes cpu_s cpu_s_per_m msgs_per_cpu_s
//! loadlat <streams> <size> <count>      rtt_p50_us rtt_p99_us rtt_p999_us
//!                                       stream_per_s cpu_s msgs_per_cpu_s
//! raw <size> <count>                    msgs_per_s mb_per_s cpu_s msgs_per_cpu_s
//! ```
//!
//! `raw` is plain TCP sockets (the baseline of the size sweep; ours only).
//!
//! `curve` is PUSH → PULL over tcp with CURVE; its libzmq side is
//! `bench/curve_thr.c`.

use crate::args::{number, positive};
use crate::connections::idle_connections;
use crate::cpu::{CpuClock, per_cpu_second};
use crate::curve::curve_push_pull;
use crate::endpoint::Transport;
use crate::error::ToolError;
use crate::fanout::{FanoutSetup, pub_sub_fanout_with};
use crate::latency::req_rep_in_process;
use crate::memory::peak_resident_bytes;
use crate::throughput::push_pull_in_process;

/// The usage text of the sub-commands.
pub const USAGE: &str = "\
usage: zmq-bench bench [--quick]
       zmq-bench thr <tcp|ipc|inproc> <message-size> <message-count>
       zmq-bench lat <tcp|ipc|inproc> <message-size> <roundtrip-count>
       zmq-bench fanout <subscribers> <message-size> <message-count> [<tcp|ipc> <topics>]
       zmq-bench conns <connections>
       zmq-bench curve <message-size> <message-count>
       zmq-bench router <peers> <message-size> <rounds>
       zmq-bench loadlat <streams> <message-size> <roundtrip-count>
       zmq-bench raw <message-size> <message-count>
";

fn arg(args: &[String], index: usize) -> Result<&str, ToolError> {
    args.get(index)
        .map(String::as_str)
        .ok_or_else(|| ToolError::Other(USAGE.to_string()))
}

fn bad(message: String) -> ToolError {
    ToolError::Other(message)
}

/// Runs one sub-command (`args` without the program name) and returns
/// its `result` line.
pub fn run(args: &[String]) -> Result<String, ToolError> {
    match arg(args, 0)? {
        "thr" => {
            let transport = Transport::parse(arg(args, 1)?)?;
            let size = number("message size", arg(args, 2)?).map_err(bad)?;
            let count = positive("message count", arg(args, 3)?).map_err(bad)?;
            let cpu = CpuClock::start();
            let report = push_pull_in_process(transport, size, count)?;
            let cpu_s = cpu.elapsed();
            Ok(format!(
                "result msgs_per_s={} mb_per_s={:.3} peak_rss_bytes={} cpu_s={:.2} \
                 msgs_per_cpu_s={:.0}",
                report.msgs_per_sec,
                report.megabits,
                peak_resident_bytes().unwrap_or(0),
                cpu_s,
                per_cpu_second(count as f64, cpu_s)
            ))
        }
        "lat" => {
            let transport = Transport::parse(arg(args, 1)?)?;
            let size = number("message size", arg(args, 2)?).map_err(bad)?;
            let count = positive("roundtrip count", arg(args, 3)?).map_err(bad)?;
            let summary = req_rep_in_process(transport, size, count)?;
            Ok(format!(
                "result mean_us={:.3} p50_us={:.3} p99_us={:.3}",
                summary.mean_us, summary.p50_us, summary.p99_us
            ))
        }
        "fanout" => {
            let subscribers = positive("subscribers", arg(args, 1)?).map_err(bad)?;
            let size = positive("message size", arg(args, 2)?).map_err(bad)?;
            let count = positive("message count", arg(args, 3)?).map_err(bad)?;
            let mut setup = FanoutSetup::default();
            if args.len() > 4 {
                setup.transport = Transport::parse(arg(args, 4)?)?;
                setup.topics = number("topics", arg(args, 5)?).map_err(bad)?;
            }
            let report = pub_sub_fanout_with(setup, subscribers, size, count)?;
            Ok(format!(
                "result delivered_per_s={:.0} loss={:.4} cpu_s={:.2} msgs_per_cpu_s={:.0}",
                report.delivered_per_sec,
                report.loss,
                report.cpu_s,
                per_cpu_second(report.delivered as f64, report.cpu_s)
            ))
        }
        "curve" => {
            let size = number("message size", arg(args, 1)?).map_err(bad)?;
            let count = positive("message count", arg(args, 2)?).map_err(bad)?;
            let report = curve_push_pull(size, count)?;
            Ok(format!(
                "result msgs_per_s={} mb_per_s={:.3}",
                report.msgs_per_sec, report.megabits
            ))
        }
        "router" => {
            let peers = positive("peers", arg(args, 1)?).map_err(bad)?;
            let size = number("message size", arg(args, 2)?).map_err(bad)?;
            let rounds = positive("rounds", arg(args, 3)?).map_err(bad)?;
            let report = crate::router_scale::router_dealers(peers, size, rounds)?;
            Ok(crate::router_scale::result_line(&report))
        }
        "loadlat" => {
            let streams = number("streams", arg(args, 1)?).map_err(bad)?;
            let size = number("message size", arg(args, 2)?).map_err(bad)?;
            let count = positive("roundtrip count", arg(args, 3)?).map_err(bad)?;
            let report = crate::load_latency::latency_under_load(streams, size, count)?;
            Ok(crate::load_latency::result_line(&report))
        }
        "raw" => {
            let size = positive("message size", arg(args, 1)?).map_err(bad)?;
            let count = positive("message count", arg(args, 2)?).map_err(bad)?;
            let r = crate::raw_tcp::raw_tcp_stream(size, count)?;
            Ok(format!(
                "result msgs_per_s={:.0} mb_per_s={:.3} cpu_s={:.2} msgs_per_cpu_s={:.0}",
                r.msgs_per_sec,
                r.megabits,
                r.cpu_s,
                per_cpu_second(count as f64, r.cpu_s)
            ))
        }
        "conns" => {
            let n = positive("connections", arg(args, 1)?).map_err(bad)?;
            let memory = idle_connections(n)?;
            Ok(format!(
                "result connections={} bytes_per_connection={:.0} idle_cpu_ms_per_s={:.3}",
                memory.connections, memory.bytes_per_connection, memory.idle_cpu_ms_per_s
            ))
        }
        _ => Err(ToolError::Other(USAGE.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn result_lines_carry_the_documented_keys() {
        let line = run(&strings(&["thr", "inproc", "64", "1000"])).unwrap();
        assert!(line.starts_with("result msgs_per_s="), "{line}");
        assert!(line.contains("peak_rss_bytes="));
        let line = run(&strings(&["lat", "inproc", "1", "100"])).unwrap();
        assert!(line.contains("p99_us="), "{line}");
        let line = run(&strings(&["curve", "64", "100"])).unwrap();
        assert!(line.starts_with("result msgs_per_s="), "{line}");
        let line = run(&strings(&["router", "3", "8", "10"])).unwrap();
        assert!(
            line.contains("rtt_p999_us=") && line.contains("cpu_s_per_m="),
            "{line}"
        );
        let line = run(&strings(&["loadlat", "1", "8", "100"])).unwrap();
        assert!(line.contains("stream_per_s="), "{line}");
        let line = run(&strings(&["raw", "64", "100"])).unwrap();
        assert!(line.contains("msgs_per_cpu_s="), "{line}");
        let line = run(&strings(&["fanout", "2", "8", "100", "ipc", "10"])).unwrap();
        assert!(line.contains("msgs_per_cpu_s="), "{line}");
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(run(&strings(&["thr", "udp", "1", "1"])).is_err());
        assert!(run(&strings(&["thr", "tcp", "x", "1"])).is_err());
        assert!(run(&strings(&["lat", "tcp", "1", "0"])).is_err());
        assert!(run(&strings(&["curve", "64"])).is_err());
        assert!(run(&strings(&["nope"])).is_err());
        assert!(run(&[]).is_err());
    }
}
