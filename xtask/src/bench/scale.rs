//! The scale cells, each a curve: ROUTER against 1 … N DEALER peers
//! (`scale-router`), PUB fan-out to 1 … 1000 SUBs over tcp and ipc with
//! and without topic filtering (`scale-fanout`), REQ ↔ REP latency while a
//! stream loads the same I/O thread (`load-lat`) and a message size sweep
//! with a plain TCP baseline (`sizes`). Every cell reports CPU next to
//! its rate or latency. Not part of the default run (too slow); ask for
//! them with `--cells scale` or by name. With `--write` their tables
//! replace the scale section of `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Pair, Programs, RUN_LIMIT, Table, alternate, cell, machine, progress, ratio, runner};
use super::{medians, strings, svg};

/// The scale groups, in run order.
pub(super) const GROUPS: [&str; 4] = ["scale-router", "scale-fanout", "load-lat", "sizes"];

/// Where the generated scale section of `docs/benchmarks.md` begins and
/// ends; a rewrite replaces what lies between.
const BEGIN: &str = "<!-- scale: begin (written by `cargo xtask bench --cells scale --write`) -->";
const END: &str = "<!-- scale: end -->";

/// What every scale cell needs.
pub(super) struct Scale {
    pub ours: PathBuf,
    pub libzmq: PathBuf,
    pub reps: usize,
    pub quick: bool,
    pub started: Instant,
}

impl Scale {
    pub(super) fn new(programs: &Programs, reps: usize, quick: bool, started: Instant) -> Scale {
        Scale {
            ours: programs.ours("zmq-bench"),
            libzmq: programs.libzmq("zmq_bench"),
            reps,
            quick,
            started,
        }
    }

    /// Both sides of one `zmq-bench` command line, alternating.
    fn pair(&self, args: &[String], fds: bool) -> Pair {
        alternate(
            self.reps,
            || runner::harness(&self.ours, args, RUN_LIMIT, fds),
            || runner::harness(&self.libzmq, args, RUN_LIMIT, fds),
        )
    }
}

/// `a / b / c` of three figures of one side.
fn triple(pair: &Pair, ours: bool, keys: [&str; 3]) -> String {
    keys.map(|k| cell(pair.get(ours, k), 0)).join(" / ")
}

/// Figures of one side with a decimal count chosen by size.
fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.abs() >= 100.0 => format!("{x:.0}"),
        Some(x) if x.abs() >= 1.0 => format!("{x:.2}"),
        Some(x) => format!("{x:.3}"),
        None => "failed".into(),
    }
}

/// The peer counts of the ROUTER curve: up to 10 000, as far as the
/// descriptor limit allows (libzmq needs three per peer in one process).
fn peer_counts(quick: bool) -> Vec<usize> {
    if quick {
        return vec![1, 10, 100];
    }
    let limit = machine::hard_fd_limit().unwrap_or(1024);
    let top = 10_000usize.min(limit.saturating_sub(256) / 3);
    let mut counts: Vec<usize> = [1, 10, 100, 1_000]
        .into_iter()
        .filter(|n| *n < top)
        .collect();
    counts.push(top);
    counts
}

const RTT: [&str; 3] = ["rtt_p50_us", "rtt_p99_us", "rtt_p999_us"];

/// `scale-router`: one ROUTER, N DEALERs over tcp, one request in flight
/// per peer.
pub(super) fn router(s: &Scale) -> Table {
    eprintln!("bench: ROUTER with many DEALER peers over tcp");
    let mut table = Table::new(
        "Scale: ROUTER ↔ N DEALERs over tcp, 64 B, one request in flight per peer",
        "Roundtrips per second (all peers), roundtrip p50 / p99 / p99.9 (µs, not halved), \
         resident memory at the end, CPU seconds per million roundtrips. \
         Ratios: above 1 means ours is better.",
        &[
            "peers",
            "ours rt/s",
            "libzmq rt/s",
            "ratio",
            "ours p50/p99/p99.9",
            "libzmq p50/p99/p99.9",
            "p99 ratio",
            "ours RSS [MiB]",
            "libzmq RSS [MiB]",
            "ours CPU s/M rt",
            "libzmq CPU s/M rt",
            "CPU ratio",
        ],
    );
    let total = if s.quick { 5_000 } else { 50_000 };
    for peers in peer_counts(s.quick) {
        let rounds = (total / peers).max(10);
        let pair = s.pair(&strings(&[&"router", &peers, &64, &rounds]), true);
        progress(
            &format!("router {peers} peers"),
            &pair,
            "rt_per_s",
            s.started,
        );
        let get = |ours: bool, k: &str| pair.get(ours, k);
        let mib = |ours: bool| get(ours, "rss_bytes").map(|b| b / 1_048_576.0);
        table.rows.push(vec![
            peers.to_string(),
            cell(get(true, "rt_per_s"), 0),
            cell(get(false, "rt_per_s"), 0),
            ratio(get(true, "rt_per_s"), get(false, "rt_per_s"), true),
            triple(&pair, true, RTT),
            triple(&pair, false, RTT),
            ratio(get(true, "rtt_p99_us"), get(false, "rtt_p99_us"), false),
            cell(mib(true), 1),
            cell(mib(false), 1),
            num(get(true, "cpu_s_per_m")),
            num(get(false, "cpu_s_per_m")),
            ratio(get(true, "cpu_s_per_m"), get(false, "cpu_s_per_m"), false),
        ]);
    }
    table
}

/// `scale-fanout`: PUB to 1 … 1000 SUBs over tcp and ipc, subscribed to
/// everything or to 10 000 topics each.
pub(super) fn fanout(s: &Scale) -> Table {
    eprintln!("bench: PUB -> SUB fan-out at scale");
    let mut table = Table::new(
        "Scale: PUB → N SUBs, 64 B, with and without topic filtering",
        "Topics 0: every SUB subscribes to everything; otherwise each subscribes to that \
         many 6-byte topics and every message matches one of them. Delivered: messages \
         received by all SUBs together per second; loss: dropped by PUB at the high-water \
         mark (1000); msgs/CPU-s: delivered messages per CPU-second of the whole process. \
         Ratios: ours ÷ libzmq.",
        &[
            "transport",
            "topics",
            "SUBs",
            "ours delivered/s",
            "libzmq delivered/s",
            "ratio",
            "ours loss",
            "libzmq loss",
            "ours msgs/CPU-s",
            "libzmq msgs/CPU-s",
            "ratio",
        ],
    );
    let (subs, topics, per_sub): (&[usize], usize, usize) = if s.quick {
        (&[1, 10], 1_000, 40_000)
    } else {
        (&[1, 10, 100, 1_000], 10_000, 400_000)
    };
    for transport in ["tcp", "ipc"] {
        for topic_count in [0, topics] {
            for &n in subs {
                // Ten million subscriptions (1000 SUBs × 10 000 topics)
                // take longer to set up than a run may last.
                if topic_count > 0 && n > 100 {
                    continue;
                }
                let count = (per_sub * 10 / n.max(10)).max(5_000);
                let args = strings(&[&"fanout", &n, &64, &count, &transport, &topic_count]);
                let pair = s.pair(&args, true);
                progress(
                    &format!("fanout {transport} {topic_count} topics {n} SUBs"),
                    &pair,
                    "delivered_per_s",
                    s.started,
                );
                let get = |ours: bool, k: &str| pair.get(ours, k);
                let percent = |v: Option<f64>| {
                    v.map(|x| format!("{:.1} %", x * 100.0))
                        .unwrap_or_else(|| "failed".into())
                };
                table.rows.push(vec![
                    transport.to_string(),
                    topic_count.to_string(),
                    n.to_string(),
                    cell(get(true, "delivered_per_s"), 0),
                    cell(get(false, "delivered_per_s"), 0),
                    ratio(
                        get(true, "delivered_per_s"),
                        get(false, "delivered_per_s"),
                        true,
                    ),
                    percent(get(true, "loss")),
                    percent(get(false, "loss")),
                    cell(get(true, "msgs_per_cpu_s"), 0),
                    cell(get(false, "msgs_per_cpu_s"), 0),
                    ratio(
                        get(true, "msgs_per_cpu_s"),
                        get(false, "msgs_per_cpu_s"),
                        true,
                    ),
                ]);
            }
        }
    }
    table
}

/// `load-lat`: REQ ↔ REP roundtrips without and with a PUSH → PULL stream
/// through the same I/O thread.
pub(super) fn load_latency(s: &Scale) -> Table {
    eprintln!("bench: REQ <-> REP latency under load");
    let mut table = Table::new(
        "Scale: REQ ↔ REP latency while PUSH → PULL saturates the same I/O thread (tcp, 64 B)",
        "One context, one I/O thread. Roundtrip p50 / p99 / p99.9 in µs (not halved); \
         stream: 64 B messages per second received while roundtrips were timed; \
         msgs/CPU-s: roundtrips plus stream messages per CPU-second. \
         Ratios: above 1 means ours is better.",
        &[
            "load",
            "ours p50/p99/p99.9",
            "libzmq p50/p99/p99.9",
            "p99 ratio",
            "p99.9 ratio",
            "ours stream/s",
            "libzmq stream/s",
            "ours msgs/CPU-s",
            "libzmq msgs/CPU-s",
        ],
    );
    let count = if s.quick { 2_000 } else { 10_000 };
    for streams in [0usize, 1] {
        let pair = s.pair(&strings(&[&"loadlat", &streams, &64, &count]), false);
        let label = if streams == 0 {
            "none"
        } else {
            "PUSH → PULL stream"
        };
        progress(
            &format!("loadlat {label} (p99)"),
            &pair,
            "rtt_p99_us",
            s.started,
        );
        let get = |ours: bool, k: &str| pair.get(ours, k);
        table.rows.push(vec![
            label.into(),
            triple(&pair, true, RTT),
            triple(&pair, false, RTT),
            ratio(get(true, "rtt_p99_us"), get(false, "rtt_p99_us"), false),
            ratio(get(true, "rtt_p999_us"), get(false, "rtt_p999_us"), false),
            cell(get(true, "stream_per_s"), 0),
            cell(get(false, "stream_per_s"), 0),
            cell(get(true, "msgs_per_cpu_s"), 0),
            cell(get(false, "msgs_per_cpu_s"), 0),
        ]);
    }
    table
}

/// Message sizes of the sweep.
fn sweep(quick: bool) -> Vec<usize> {
    if quick {
        vec![1, 1024, 65_536, 1 << 20]
    } else {
        vec![1, 64, 1024, 16_384, 65_536, 262_144, 1 << 20, 4 << 20]
    }
}

/// Messages per size: about 1 GiB (quick: 128 MiB), between 200 and a
/// million (quick: 200 000) messages.
fn sweep_count(size: usize, quick: bool) -> usize {
    let (bytes, most) = if quick {
        (128usize << 20, 200_000)
    } else {
        (1 << 30, 1_000_000)
    };
    (bytes / size.max(1)).clamp(200, most)
}

/// `sizes`: PUSH → PULL over tcp from 1 B to 4 MiB, and plain TCP.
pub(super) fn sizes(s: &Scale) -> (Table, Vec<svg::Series>) {
    eprintln!("bench: message size sweep over tcp, with a plain TCP baseline");
    let mut table = Table::new(
        "Scale: message size sweep, PUSH → PULL over tcp, one process",
        "Raw tcp: plain sockets over loopback, one `write` per message of that size, \
         read into a 256 KiB buffer (ours' `zmq-bench raw`). CPU per byte: CPU time of the \
         whole process (both ends) per payload byte. Ratio: ours ÷ libzmq (above 1: ours \
         is faster / cheaper).",
        &[
            "size [B]",
            "ours MB/s",
            "libzmq MB/s",
            "ratio",
            "raw tcp MB/s",
            "ours ns CPU/B",
            "libzmq ns CPU/B",
            "CPU ratio",
            "raw ns CPU/B",
            "ours msgs/CPU-s",
            "libzmq msgs/CPU-s",
        ],
    );
    let mut points: [Vec<(f64, f64)>; 3] = Default::default();
    for size in sweep(s.quick) {
        let count = sweep_count(size, s.quick);
        let pair = s.pair(&strings(&[&"thr", &"tcp", &size, &count]), false);
        progress(
            &format!("sizes tcp {size} B (Mb/s)"),
            &pair,
            "mb_per_s",
            s.started,
        );
        let raw_args = strings(&[&"raw", &size, &count]);
        let raw: Vec<_> = (0..s.reps)
            .filter_map(|_| runner::harness(&s.ours, &raw_args, RUN_LIMIT, false).ok())
            .collect();
        let raw = (!raw.is_empty()).then(|| medians(&raw));
        let raw_get = |k: &str| raw.as_ref().and_then(|f| f.get(k).copied());
        let get = |ours: bool, k: &str| pair.get(ours, k);
        let mbytes = |v: Option<f64>| v.map(|mb| mb / 8.0);
        let ns_per_byte = |v: Option<f64>| v.filter(|x| *x > 0.0).map(|m| 1e9 / (m * size as f64));
        for (i, v) in [
            get(true, "mb_per_s"),
            get(false, "mb_per_s"),
            raw_get("mb_per_s"),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(v) = v {
                points[i].push((size as f64, v));
            }
        }
        let (o, l) = (get(true, "mb_per_s"), get(false, "mb_per_s"));
        let (oc, lc) = (
            ns_per_byte(get(true, "msgs_per_cpu_s")),
            ns_per_byte(get(false, "msgs_per_cpu_s")),
        );
        table.rows.push(vec![
            size.to_string(),
            num(mbytes(o)),
            num(mbytes(l)),
            ratio(o, l, true),
            num(mbytes(raw_get("mb_per_s"))),
            num(oc),
            num(lc),
            ratio(oc, lc, false),
            num(ns_per_byte(raw_get("msgs_per_cpu_s"))),
            cell(get(true, "msgs_per_cpu_s"), 0),
            cell(get(false, "msgs_per_cpu_s"), 0),
        ]);
    }
    let [ours, libzmq, raw] = points;
    let series = vec![
        svg::Series {
            label: "ours tcp".into(),
            colour: "#1f77b4",
            dashed: false,
            points: ours,
        },
        svg::Series {
            label: "libzmq tcp".into(),
            colour: "#1f77b4",
            dashed: true,
            points: libzmq,
        },
        svg::Series {
            label: "raw tcp".into(),
            colour: "#7f7f7f",
            dashed: false,
            points: raw,
        },
    ];
    (table, series)
}

/// Replaces the scale section of `docs/benchmarks.md` (or appends it)
/// with `body`, and writes the size sweep plot when there is one.
pub(super) fn write(root: &Path, body: &str, plot: &[svg::Series]) -> Result<(), String> {
    let path = root.join("docs/benchmarks.md");
    let old = std::fs::read_to_string(&path).map_err(|e| format!("docs/benchmarks.md: {e}"))?;
    let mut section = format!("{BEGIN}\n\n## Scale\n\n");
    let _ = writeln!(
        section,
        "Measured by `cargo xtask bench --cells scale`; every figure is the median of its \
         side's runs, ours and libzmq alternating.\n"
    );
    for line in machine::describe() {
        let _ = writeln!(section, "{line}");
    }
    section.push('\n');
    if !plot.is_empty() {
        section.push_str("![throughput against message size](benchmarks/sizes.svg)\n\n");
    }
    section.push_str(body);
    section.push_str(END);
    let doc = replace_section(&old, &section);
    std::fs::write(&path, doc).map_err(|e| format!("docs/benchmarks.md: {e}"))?;
    if !plot.is_empty() {
        let svg = svg::plot(
            "PUSH → PULL over tcp by message size (solid: ours, dashed: libzmq, grey: raw TCP)",
            plot,
        );
        std::fs::write(root.join("docs/benchmarks/sizes.svg"), svg)
            .map_err(|e| format!("sizes.svg: {e}"))?;
    }
    eprintln!("bench: wrote the scale section of docs/benchmarks.md");
    Ok(())
}

/// `old` with the text from [`BEGIN`] to [`END`] replaced by `section`,
/// or with `section` appended.
fn replace_section(old: &str, section: &str) -> String {
    match (old.find(BEGIN), old.find(END)) {
        (Some(a), Some(b)) if a < b => format!("{}{section}{}", &old[..a], &old[b + END.len()..]),
        _ => format!("{}\n{section}\n", old.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_replaced_in_place() {
        let once = replace_section("# doc\n\ntail\n", &format!("{BEGIN}\nA\n{END}"));
        assert!(once.starts_with("# doc") && once.contains("\nA\n"));
        let twice = replace_section(&once, &format!("{BEGIN}\nB\n{END}"));
        assert!(twice.contains("\nB\n") && !twice.contains("\nA\n"));
        assert_eq!(twice.matches(BEGIN).count(), 1);
    }

    #[test]
    fn sweep_counts_stay_bounded() {
        assert_eq!(sweep_count(1, false), 1_000_000);
        assert_eq!(sweep_count(4 << 20, false), 256);
        assert_eq!(sweep_count(4 << 20, true), 200);
        assert!(peer_counts(true).len() == 3);
    }
}
