//! `cargo xtask bench`: the same workloads on our library and on libzmq,
//! alternating ours and libzmq's run by run, with the median of each side
//! and their ratio per cell.
//!
//! Our side is `crates/zmq-tools` (`zmq-bench` and the perf tools); the
//! libzmq side is `bench/*.c`, built with `cc -lzmq` by `bench/build.sh`.
//! Both print the same figures, measured the same way. The full run
//! writes `docs/benchmarks.md` and `docs/benchmarks/throughput.svg`.

/// The CURVE throughput cell (ours against `bench/curve_thr.c`).
mod curve;
/// The machine description written with the results.
mod machine;
/// Running one program with a time limit and reading its figures.
mod runner;
/// The scale cells (router peers, fan-out, latency under load, sizes).
mod scale;
/// The SVG plot of throughput against message size.
mod svg;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use runner::Figures;

/// Usage of `cargo xtask bench`.
pub const USAGE: &str = "\
  bench [--quick] [--cells thr,thr2,lat,fanout,mem,interop,curve] [--reps N] [--write]
        build crates/zmq-tools and bench/*.c (libzmq), run every cell on both
        alternately, print the table with ratios; the full run (no --quick,
        no --cells, or --write) writes docs/benchmarks.md and an SVG plot.
        Scale cells (not in the default run): --cells scale, or any of
        scale-router,scale-fanout,load-lat,sizes; with --write they replace
        the scale section of docs/benchmarks.md";

const TRANSPORTS: [&str; 3] = ["tcp", "ipc", "inproc"];
const THR_SIZES: [usize; 4] = [1, 64, 1024, 65536];
const LAT_SIZES: [usize; 3] = [1, 1024, 65536];
const GROUPS: [&str; 7] = ["thr", "thr2", "lat", "fanout", "mem", "interop", "curve"];
/// No single run may take longer than this.
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// Nor a two-process throughput run (each takes a few seconds).
const PAIR_LIMIT: Duration = Duration::from_secs(20);

struct Options {
    quick: bool,
    groups: Vec<String>,
    reps: usize,
    write: bool,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        quick: false,
        groups: GROUPS.iter().map(|g| g.to_string()).collect(),
        reps: 0,
        write: true,
    };
    let mut subset = false;
    let mut forced_write = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--write" => forced_write = true,
            "--cells" => {
                let list = args.next().ok_or("--cells needs a list")?;
                options.groups = list
                    .split(',')
                    .map(str::trim)
                    .flat_map(|g| match g {
                        "scale" => scale::GROUPS.to_vec(),
                        one => vec![one],
                    })
                    .map(str::to_string)
                    .collect();
                let known = |g: &String| {
                    GROUPS.contains(&g.as_str()) || scale::GROUPS.contains(&g.as_str())
                };
                if let Some(bad) = options.groups.iter().find(|g| !known(g)) {
                    return Err(format!(
                        "unknown cell group `{bad}` (known: {},scale,{})",
                        GROUPS.join(","),
                        scale::GROUPS.join(",")
                    ));
                }
                subset = true;
            }
            "--reps" => {
                let n = args.next().ok_or("--reps needs a number")?;
                options.reps = n.parse().map_err(|_| format!("bad --reps {n}"))?;
            }
            other => return Err(format!("unknown bench option `{other}`")),
        }
    }
    if options.reps == 0 {
        options.reps = if options.quick { 1 } else { 5 };
    }
    options.write = forced_write || !(options.quick || subset);
    Ok(options)
}

/// Where the two sides' programs are.
struct Programs {
    ours: PathBuf,
    libzmq: PathBuf,
}

impl Programs {
    fn ours(&self, name: &str) -> PathBuf {
        self.ours.join(name)
    }
    fn libzmq(&self, name: &str) -> PathBuf {
        self.libzmq.join(name)
    }
}

fn build(root: &Path) -> Result<Programs, String> {
    eprintln!("bench: building crates/zmq-tools (release)");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "-p", "zmq-tools"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err("building zmq-tools failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        root.join(target)
    };
    let libzmq = target.join("bench-libzmq");
    eprintln!("bench: building bench/*.c against libzmq");
    let status = Command::new("sh")
        .arg(root.join("bench/build.sh"))
        .arg(&libzmq)
        .status()
        .map_err(|e| format!("sh bench/build.sh: {e}"))?;
    if !status.success() {
        return Err("building bench/*.c failed (is libzmq3-dev installed?)".into());
    }
    Ok(Programs {
        ours: target.join("release"),
        libzmq,
    })
}

/// The median of each figure over the runs that succeeded.
fn medians(runs: &[Figures]) -> Figures {
    let mut out = Figures::new();
    if let Some(first) = runs.first() {
        for key in first.keys() {
            let mut values: Vec<f64> = runs.iter().filter_map(|r| r.get(key).copied()).collect();
            values.sort_by(f64::total_cmp);
            if let Some(m) = values.get(values.len() / 2) {
                out.insert(key.clone(), *m);
            }
        }
    }
    out
}

/// Both sides' medians of one cell; a side is `Err` when every run of it
/// failed.
struct Pair {
    ours: Result<Figures, String>,
    libzmq: Result<Figures, String>,
}

impl Pair {
    fn get(&self, ours: bool, key: &str) -> Option<f64> {
        let side = if ours { &self.ours } else { &self.libzmq };
        side.as_ref().ok()?.get(key).copied()
    }
}

/// Runs ours, libzmq, ours, libzmq... `reps` times each; a side that
/// fails once is not run again in this cell.
fn alternate(
    reps: usize,
    mut ours: impl FnMut() -> Result<Figures, String>,
    mut libzmq: impl FnMut() -> Result<Figures, String>,
) -> Pair {
    let (mut a, mut b, mut a_err, mut b_err) = (Vec::new(), Vec::new(), None, None);
    for _ in 0..reps {
        if a_err.is_none() {
            match ours() {
                Ok(f) => a.push(f),
                Err(e) => a_err = Some(e),
            }
        }
        if b_err.is_none() {
            match libzmq() {
                Ok(f) => b.push(f),
                Err(e) => b_err = Some(e),
            }
        }
    }
    let side = |runs: Vec<Figures>, err: Option<String>| {
        if runs.is_empty() {
            Err(err.unwrap_or_else(|| "no runs".into()))
        } else {
            Ok(medians(&runs))
        }
    };
    Pair {
        ours: side(a, a_err),
        libzmq: side(b, b_err),
    }
}

fn strings(items: &[&dyn std::fmt::Display]) -> Vec<String> {
    items.iter().map(|i| i.to_string()).collect()
}

/// A figure for the table, or `failed`.
fn cell(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) => format!("{v:.decimals$}"),
        None => "failed".into(),
    }
}

/// `better ÷ worse` oriented so that above 1 means ours is better.
fn ratio(ours: Option<f64>, libzmq: Option<f64>, higher_is_better: bool) -> String {
    match (ours, libzmq) {
        (Some(o), Some(l)) if o > 0.0 && l > 0.0 => {
            let r = if higher_is_better { o / l } else { l / o };
            format!("{r:.2}")
        }
        _ => "-".into(),
    }
}

/// One table of the report.
struct Table {
    title: String,
    note: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(title: &str, note: &str, header: &[&str]) -> Table {
        Table {
            title: title.into(),
            note: note.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn markdown(&self) -> String {
        let mut out = format!("### {}\n\n", self.title);
        if !self.note.is_empty() {
            let _ = writeln!(out, "{}\n", self.note);
        }
        let _ = writeln!(out, "| {} |", self.header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(self.header.len()));
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        out
    }
}

/// A fresh endpoint for a two-process run.
fn two_process_endpoint(transport: &str, n: usize) -> Result<String, String> {
    match transport {
        "tcp" => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            Ok(format!("tcp://127.0.0.1:{port}"))
        }
        _ => Ok(format!(
            "ipc://{}/xtask-bench-{}-{n}.ipc",
            std::env::temp_dir().display(),
            std::process::id()
        )),
    }
}

fn thr_count(size: usize, quick: bool) -> usize {
    let full = match size {
        0..=64 => 1_000_000,
        65..=4096 => 300_000,
        _ => 20_000,
    };
    if quick { full / 5 } else { full }
}

fn lat_count(size: usize, quick: bool) -> usize {
    let full = if size >= 65536 { 5_000 } else { 20_000 };
    if quick { full / 5 } else { full }
}

fn progress(step: &str, pair: &Pair, key: &str, started: Instant) {
    eprintln!(
        "  {step:<34} ours {:>12}  libzmq {:>12}   ({:.0} s)",
        cell(pair.get(true, key), 1),
        cell(pair.get(false, key), 1),
        started.elapsed().as_secs_f64()
    );
    for (side, result) in [("ours", &pair.ours), ("libzmq", &pair.libzmq)] {
        if let Err(e) = result {
            eprintln!("    {side} failed: {e}");
        }
    }
}

/// Runs the benchmark.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    let programs = build(root)?;
    let started = Instant::now();
    let quick = options.quick;
    let reps = options.reps;
    let wants = |g: &str| options.groups.iter().any(|x| x == g);
    let ours_bench = programs.ours("zmq-bench");
    let libzmq_bench = programs.libzmq("zmq_bench");
    let harness = |program: &Path, args: Vec<String>, fds: bool| {
        runner::harness(program, &args, RUN_LIMIT, fds)
    };
    let mut tables = Vec::new();
    let mut plot_series: Vec<svg::Series> = Vec::new();
    let mut peak_rss: Option<Pair> = None;

    if wants("thr") {
        eprintln!("bench: PUSH -> PULL throughput, one process");
        let mut table = Table::new(
            "Throughput, PUSH → PULL, one process (msg/s)",
            "Ratio: ours ÷ libzmq (above 1: ours is faster).",
            &[
                "transport",
                "size [B]",
                "ours msg/s",
                "libzmq msg/s",
                "ratio",
                "ours Mb/s",
                "libzmq Mb/s",
            ],
        );
        for (t, transport) in TRANSPORTS.iter().enumerate() {
            let colour = ["#1f77b4", "#2ca02c", "#d62728"][t];
            let mut ours_points = Vec::new();
            let mut libzmq_points = Vec::new();
            for size in THR_SIZES {
                let args = strings(&[&"thr", transport, &size, &thr_count(size, quick)]);
                let pair = alternate(
                    reps,
                    || harness(&ours_bench, args.clone(), false),
                    || harness(&libzmq_bench, args.clone(), false),
                );
                progress(
                    &format!("thr {transport} {size} B"),
                    &pair,
                    "msgs_per_s",
                    started,
                );
                let (o, l) = (pair.get(true, "msgs_per_s"), pair.get(false, "msgs_per_s"));
                let (om, lm) = (pair.get(true, "mb_per_s"), pair.get(false, "mb_per_s"));
                if let Some(v) = om {
                    ours_points.push((size as f64, v));
                }
                if let Some(v) = lm {
                    libzmq_points.push((size as f64, v));
                }
                table.rows.push(vec![
                    transport.to_string(),
                    size.to_string(),
                    cell(o, 0),
                    cell(l, 0),
                    ratio(o, l, true),
                    cell(om, 1),
                    cell(lm, 1),
                ]);
                if *transport == "tcp" && size == 65536 {
                    peak_rss = Some(pair);
                }
            }
            plot_series.push(svg::Series {
                label: format!("ours {transport}"),
                colour,
                dashed: false,
                points: ours_points,
            });
            plot_series.push(svg::Series {
                label: format!("libzmq {transport}"),
                colour,
                dashed: true,
                points: libzmq_points,
            });
        }
        tables.push(table);
    }

    if wants("thr2") {
        eprintln!("bench: PUSH -> PULL throughput, two processes (local_thr | remote_thr)");
        let mut table = Table::new(
            "Throughput, PUSH → PULL, two processes: local_thr ← remote_thr (msg/s)",
            "Each side's own local_thr and remote_thr. Ratio: ours ÷ libzmq.",
            &[
                "transport",
                "size [B]",
                "ours msg/s",
                "libzmq msg/s",
                "ratio",
            ],
        );
        let mut n = 0;
        for transport in ["tcp", "ipc"] {
            for size in THR_SIZES {
                let count = thr_count(size, quick);
                let counter = std::cell::Cell::new(0usize);
                let measure = |local: PathBuf, remote: PathBuf| {
                    counter.set(counter.get() + 1);
                    let endpoint = two_process_endpoint(transport, n + counter.get())?;
                    let rate = runner::two_process_throughput(
                        &local, &remote, &endpoint, size, count, PAIR_LIMIT,
                    )?;
                    Ok(Figures::from([("msgs_per_s".to_string(), rate)]))
                };
                let pair = alternate(
                    reps,
                    || measure(programs.ours("local_thr"), programs.ours("remote_thr")),
                    || measure(programs.libzmq("local_thr"), programs.libzmq("remote_thr")),
                );
                n += counter.get();
                progress(
                    &format!("thr2 {transport} {size} B"),
                    &pair,
                    "msgs_per_s",
                    started,
                );
                let (o, l) = (pair.get(true, "msgs_per_s"), pair.get(false, "msgs_per_s"));
                table.rows.push(vec![
                    transport.to_string(),
                    size.to_string(),
                    cell(o, 0),
                    cell(l, 0),
                    ratio(o, l, true),
                ]);
            }
        }
        tables.push(table);
    }

    if wants("interop") {
        eprintln!("bench: interop of the perf tools over tcp");
        let mut table = Table::new(
            "Interop of the perf tools over tcp (64 B)",
            "Our local_thr receiving from libzmq's remote_thr, and the reverse.",
            &["receiver ← sender", "msg/s", "status"],
        );
        let count = thr_count(64, true);
        let directions = [
            (
                "ours local_thr ← libzmq remote_thr",
                programs.ours("local_thr"),
                programs.libzmq("remote_thr"),
            ),
            (
                "libzmq local_thr ← ours remote_thr",
                programs.libzmq("local_thr"),
                programs.ours("remote_thr"),
            ),
        ];
        for (n, (label, local, remote)) in directions.into_iter().enumerate() {
            let outcome = two_process_endpoint("tcp", n).and_then(|e| {
                runner::two_process_throughput(&local, &remote, &e, 64, count, PAIR_LIMIT)
            });
            eprintln!("  {label}: {outcome:?}");
            table.rows.push(match outcome {
                Ok(rate) => vec![label.into(), format!("{rate:.0}"), "ok".into()],
                Err(e) => vec![
                    label.into(),
                    "-".into(),
                    format!("failed: {}", e.replace('|', "/")),
                ],
            });
        }
        tables.push(table);
    }

    if wants("lat") {
        eprintln!("bench: REQ <-> REP latency, one process, every roundtrip timed");
        let mut table = Table::new(
            "Latency, REQ ↔ REP, one process (µs, one way = half a roundtrip)",
            "Every roundtrip timed on both sides after 100 untimed ones; p50/p99 by nearest rank. Ratio: libzmq ÷ ours (above 1: ours is faster).",
            &[
                "transport",
                "size [B]",
                "ours mean",
                "libzmq mean",
                "ratio",
                "ours p50",
                "libzmq p50",
                "ratio",
                "ours p99",
                "libzmq p99",
                "ratio",
            ],
        );
        for transport in TRANSPORTS {
            for size in LAT_SIZES {
                let args = strings(&[&"lat", &transport, &size, &lat_count(size, quick)]);
                let pair = alternate(
                    reps,
                    || harness(&ours_bench, args.clone(), false),
                    || harness(&libzmq_bench, args.clone(), false),
                );
                progress(
                    &format!("lat {transport} {size} B (p50)"),
                    &pair,
                    "p50_us",
                    started,
                );
                let mut row = vec![transport.to_string(), size.to_string()];
                for key in ["mean_us", "p50_us", "p99_us"] {
                    let (o, l) = (pair.get(true, key), pair.get(false, key));
                    row.extend([cell(o, 2), cell(l, 2), ratio(o, l, false)]);
                }
                table.rows.push(row);
            }
        }
        tables.push(table);
    }

    if wants("fanout") {
        eprintln!("bench: PUB -> SUB fan-out over tcp");
        let mut table = Table::new(
            "PUB → SUB fan-out over tcp, 64 B",
            "The publisher sends as fast as it can; PUB drops at the high-water mark (1000). Delivered: messages received by all subscribers together per second. Ratio: ours ÷ libzmq.",
            &[
                "subscribers",
                "ours delivered/s",
                "libzmq delivered/s",
                "ratio",
                "ours loss",
                "libzmq loss",
            ],
        );
        // Long enough that start-up (subscribers waking, the first
        // batches) does not decide the figure: 200 000 gave 1.2-4.3 M/s
        // run to run.
        let count = if quick { 200_000 } else { 1_000_000 };
        for subscribers in [1usize, 4] {
            let args = strings(&[&"fanout", &subscribers, &64, &count]);
            let pair = alternate(
                reps,
                || harness(&ours_bench, args.clone(), false),
                || harness(&libzmq_bench, args.clone(), false),
            );
            progress(
                &format!("fanout {subscribers} subscribers"),
                &pair,
                "delivered_per_s",
                started,
            );
            let (o, l) = (
                pair.get(true, "delivered_per_s"),
                pair.get(false, "delivered_per_s"),
            );
            let percent = |v: Option<f64>| {
                v.map(|x| format!("{:.1} %", x * 100.0))
                    .unwrap_or_else(|| "failed".into())
            };
            table.rows.push(vec![
                subscribers.to_string(),
                cell(o, 0),
                cell(l, 0),
                ratio(o, l, true),
                percent(pair.get(true, "loss")),
                percent(pair.get(false, "loss")),
            ]);
        }
        tables.push(table);
    }

    if wants("curve") {
        tables.push(curve::run(&programs, reps, quick, started));
    }

    let mut scale_tables = Vec::new();
    let mut scale_plot = Vec::new();
    let scale = scale::Scale::new(&programs, reps, quick, started);
    if wants("scale-router") {
        scale_tables.push(scale::router(&scale));
    }
    if wants("scale-fanout") {
        scale_tables.push(scale::fanout(&scale));
    }
    if wants("load-lat") {
        scale_tables.push(scale::load_latency(&scale));
    }
    if wants("sizes") {
        let (table, plot) = scale::sizes(&scale);
        scale_tables.push(table);
        scale_plot = plot;
    }

    if wants("mem") || peak_rss.is_some() {
        let mut table = Table::new(
            "Memory",
            "Ratio: libzmq ÷ ours (above 1: ours uses less).",
            &["measure", "ours", "libzmq", "ratio"],
        );
        if wants("mem") {
            // Three descriptors per connection on libzmq's side (two
            // sockets' streams and the DEALER's eventfd), plus margin.
            let limit = machine::hard_fd_limit().unwrap_or(1024);
            let wanted = if quick { 1_000 } else { 10_000 };
            let n = wanted.min(limit.saturating_sub(256) / 3).max(1);
            eprintln!("bench: bytes per idle tcp connection ({n} connections, fd limit {limit})");
            let args = strings(&[&"conns", &n]);
            let pair = alternate(
                1,
                || harness(&ours_bench, args.clone(), true),
                || harness(&libzmq_bench, args.clone(), true),
            );
            progress("idle connections", &pair, "bytes_per_connection", started);
            let (o, l) = (
                pair.get(true, "bytes_per_connection"),
                pair.get(false, "bytes_per_connection"),
            );
            table.rows.push(vec![
                format!(
                    "RSS per idle tcp connection, both ends in one process ({n} connections) [B]"
                ),
                cell(o, 0),
                cell(l, 0),
                ratio(o, l, false),
            ]);
            let (o, l) = (
                pair.get(true, "idle_cpu_ms_per_s"),
                pair.get(false, "idle_cpu_ms_per_s"),
            );
            table.rows.push(vec![
                format!("CPU while those {n} connections sit idle [ms per s]"),
                cell(o, 2),
                cell(l, 2),
                ratio(o, l, false),
            ]);
        }
        if let Some(pair) = &peak_rss {
            let mib = |v: Option<f64>| v.map(|b| b / 1_048_576.0);
            let (o, l) = (
                mib(pair.get(true, "peak_rss_bytes")),
                mib(pair.get(false, "peak_rss_bytes")),
            );
            table.rows.push(vec![
                "peak RSS of the tcp 65536 B throughput run [MiB]".into(),
                cell(o, 1),
                cell(l, 1),
                ratio(o, l, false),
            ]);
        }
        tables.push(table);
    }

    let version = runner::harness(&libzmq_bench, &["version".to_string()], RUN_LIMIT, false)
        .ok()
        .and_then(|f| f.get("version").copied());
    let libzmq_version = version_text(&libzmq_bench).or(version.map(|v| v.to_string()));
    let markdown = |tables: &[Table]| {
        let mut body = String::new();
        for table in tables {
            body.push_str(&table.markdown());
            body.push('\n');
        }
        body
    };
    let (body, scale_body) = (markdown(&tables), markdown(&scale_tables));
    println!("\n{body}{scale_body}");
    eprintln!("bench: done in {:.0} s", started.elapsed().as_secs_f64());
    if options.write && !tables.is_empty() {
        write_docs(root, &options, &body, libzmq_version, &plot_series)?;
    }
    if options.write && !scale_tables.is_empty() {
        scale::write(root, &scale_body, &scale_plot)?;
    }
    Ok(())
}

/// libzmq's version as `zmq_bench version` prints it (`x.y.z`).
fn version_text(program: &Path) -> Option<String> {
    let output = Command::new(program).arg("version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("result version="))
        .map(str::to_string)
}

/// Where the hand-written part of `docs/benchmarks.md` starts: a rewrite
/// keeps everything from this line on (sections measured by other means,
/// such as the CURVE build comparison).
const KEPT_MARKER: &str = "<!-- Below: hand-written, kept by `cargo xtask bench`. -->";

/// The part of an existing `docs/benchmarks.md` that a rewrite keeps
/// (empty when it has no marker).
fn kept_part(old: &str) -> &str {
    old.find(KEPT_MARKER).map_or("", |at| &old[at..])
}

fn write_docs(
    root: &Path,
    options: &Options,
    body: &str,
    libzmq_version: Option<String>,
    series: &[svg::Series],
) -> Result<(), String> {
    let mut doc = String::from("# Benchmarks: our ZeroMQ against libzmq\n\n");
    doc.push_str(
        "Written by `cargo xtask bench`. Every cell runs the same workload on our \
         library (`crates/zmq-tools`) and on libzmq (`bench/*.c`, built with \
         `cc -lzmq`), alternating ours and libzmq's run by run; each figure is the \
         median of its side's runs. The machine is shared and small, so single \
         figures are noisy: read the ratios, and rerun before drawing conclusions \
         from a difference under ~20 %.\n\n",
    );
    let _ = writeln!(doc, "## Machine\n");
    for line in machine::describe() {
        let _ = writeln!(doc, "{line}");
    }
    let _ = writeln!(
        doc,
        "- libzmq: {} (the control build of `tests/conformance/build_libzmq.sh` when built, else the system's)\n- runs per cell and side: {}{}\n",
        libzmq_version.unwrap_or_else(|| "?".into()),
        options.reps,
        if options.quick {
            " (--quick counts)"
        } else {
            ""
        }
    );
    let _ = writeln!(doc, "## Results\n");
    if !series.is_empty() {
        let _ = writeln!(
            doc,
            "![throughput against message size](benchmarks/throughput.svg)\n"
        );
    }
    doc.push_str(body);
    doc.push_str(
        "## Method\n\n\
         - Throughput, one process: PULL bound, PUSH connected from a second thread, \
         default high-water marks; the clock starts at the first message received, \
         as libzmq's `local_thr`. Both senders send a constant payload their \
         cheapest way: bodies up to ~32 B copied inline, larger ones sharing one \
         buffer (ours: `Bytes`; libzmq: `zmq_msg_init_data` with a no-op free). \
         In the two-process cells libzmq's `remote_thr` allocates each message \
         with `zmq_msg_init_size`, as libzmq's own tool does.\n\
         - A `failed` cell is a run that failed or timed out (see the log).\n\
         - Throughput, two processes: each side's own `local_thr` and `remote_thr` \
         (same command lines and output as libzmq's perf tools).\n\
         - Latency: REP echoing on a second thread, REQ timing each roundtrip with \
         a monotonic clock; one-way latency is half a roundtrip.\n\
         - CURVE: PUSH → PULL over tcp in one process as the throughput cells, \
         with CURVE keys generated per run (PULL the server); ours is \
         `zmq-bench curve`, libzmq's `bench/curve_thr.c`.\n\
         - Fan-out: see `crates/zmq-tools/src/fanout.rs`; loss is the share of \
         messages PUB dropped at the high-water mark.\n\
         - Memory: resident set growth (`VmRSS`) divided by the number of idle \
         ROUTER ← DEALER connections, both ends in one process; the number is \
         bounded by the descriptor limit (raised to the hard limit). Peak RSS is \
         `VmHWM` at the end of the run. CPU while idle: the process's CPU time \
         (`CLOCK_PROCESS_CPUTIME_ID`) over the 3 s after those connections are made, \
         with no heartbeats (the default).\n",
    );
    let path = root.join("docs/benchmarks.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let kept = kept_part(&old);
    if !kept.is_empty() {
        doc.push('\n');
        doc.push_str(kept);
    }
    std::fs::write(&path, doc).map_err(|e| format!("docs/benchmarks.md: {e}"))?;
    if !series.is_empty() {
        let dir = root.join("docs/benchmarks");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let svg = svg::plot(
            "PUSH → PULL throughput, one process (solid: ours, dashed: libzmq)",
            series,
        );
        std::fs::write(dir.join("throughput.svg"), svg)
            .map_err(|e| format!("throughput.svg: {e}"))?;
    }
    eprintln!("bench: wrote docs/benchmarks.md and docs/benchmarks/throughput.svg");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hand_written_part_is_kept() {
        let old = format!(
            "# old\n\n## Method\n\n- x\n\n{}\n\n## Extra\n",
            super::KEPT_MARKER
        );
        assert!(super::kept_part(&old).starts_with(super::KEPT_MARKER));
        assert!(super::kept_part(&old).ends_with("## Extra\n"));
        assert_eq!(super::kept_part("# old\n## Method\n"), "");
    }

    use super::*;

    #[test]
    fn options_parse() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse_options(&args(&["--quick"])).unwrap();
        assert!(o.quick && !o.write && o.reps == 1);
        let o = parse_options(&[]).unwrap();
        assert!(o.write && o.reps == 5 && o.groups.len() == GROUPS.len());
        let o = parse_options(&args(&["--cells", "lat,mem"])).unwrap();
        assert_eq!(o.groups, vec!["lat", "mem"]);
        assert!(!o.write);
        assert!(parse_options(&args(&["--cells", "nope"])).is_err());
        let o = parse_options(&args(&["--cells", "scale,lat"])).unwrap();
        assert_eq!(o.groups.len(), scale::GROUPS.len() + 1);
        assert!(parse_options(&args(&["--bogus"])).is_err());
    }

    #[test]
    fn medians_and_ratios() {
        let runs: Vec<Figures> = [3.0, 1.0, 2.0]
            .iter()
            .map(|v| Figures::from([("x".to_string(), *v)]))
            .collect();
        assert_eq!(medians(&runs).get("x"), Some(&2.0));
        assert_eq!(ratio(Some(2.0), Some(1.0), true), "2.00");
        assert_eq!(ratio(Some(2.0), Some(1.0), false), "0.50");
        assert_eq!(ratio(None, Some(1.0), true), "-");
    }
}
