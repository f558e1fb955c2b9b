//! The `zmq-bench` sub-commands that `cargo xtask bench` runs, one
//! workload per process. Each prints one line, `result key=value ...`,
//! with the same keys as `bench/zmq_bench.c` prints for libzmq:
//!
//! ```text
//! thr <tcp|ipc|inproc> <size> <count>   msgs_per_s mb_per_s peak_rss_bytes
//! lat <tcp|ipc|inproc> <size> <count>   mean_us p50_us p99_us
//! fanout <subscribers> <size> <count>   delivered_per_s loss
//! conns <n>                             connections bytes_per_connection
//! curve <size> <count>                  msgs_per_s mb_per_s
//! ```
//!
//! `curve` is PUSH → PULL over tcp with CURVE; its libzmq side is
//! `bench/curve_thr.c`.

use crate::args::{number, positive};
use crate::connections::idle_connections;
use crate::curve::curve_push_pull;
use crate::endpoint::Transport;
use crate::error::ToolError;
use crate::fanout::pub_sub_fanout;
use crate::latency::req_rep_in_process;
use crate::memory::peak_resident_bytes;
use crate::throughput::push_pull_in_process;

/// The usage text of the sub-commands.
pub const USAGE: &str = "\
usage: zmq-bench bench [--quick]
       zmq-bench thr <tcp|ipc|inproc> <message-size> <message-count>
       zmq-bench lat <tcp|ipc|inproc> <message-size> <roundtrip-count>
       zmq-bench fanout <subscribers> <message-size> <message-count>
       zmq-bench conns <connections>
       zmq-bench curve <message-size> <message-count>
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
            let report = push_pull_in_process(transport, size, count)?;
            Ok(format!(
                "result msgs_per_s={} mb_per_s={:.3} peak_rss_bytes={}",
                report.msgs_per_sec,
                report.megabits,
                peak_resident_bytes().unwrap_or(0)
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
            let report = pub_sub_fanout(subscribers, size, count)?;
            Ok(format!(
                "result delivered_per_s={:.0} loss={:.4}",
                report.delivered_per_sec, report.loss
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
        "conns" => {
            let n = positive("connections", arg(args, 1)?).map_err(bad)?;
            let memory = idle_connections(n)?;
            Ok(format!(
                "result connections={} bytes_per_connection={:.0}",
                memory.connections, memory.bytes_per_connection
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
