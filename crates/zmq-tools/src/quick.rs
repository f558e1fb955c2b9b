//! `zmq-bench bench [--quick]`: our throughput (PUSH to PULL) and latency
//! (REQ to REP) over tcp, ipc and inproc in one process, with progress,
//! then a table. `--quick` keeps the whole run well under a minute.

use std::io::Write;
use std::time::Instant;

use crate::endpoint::Transport;
use crate::error::ToolError;
use crate::latency::req_rep_in_process;
use crate::throughput::push_pull_in_process;

/// One measurement of the demo.
enum Step {
    Throughput { size: usize, count: usize },
    Latency { size: usize, roundtrips: usize },
}

fn steps(quick: bool) -> Vec<Step> {
    let scale = if quick { 1 } else { 4 };
    let mut steps = vec![
        Step::Throughput {
            size: 64,
            count: 200_000 * scale,
        },
        Step::Throughput {
            size: 1024,
            count: 100_000 * scale,
        },
        Step::Throughput {
            size: 65536,
            count: 5_000 * scale,
        },
        Step::Latency {
            size: 1,
            roundtrips: 5_000 * scale,
        },
    ];
    if !quick {
        steps.insert(
            0,
            Step::Throughput {
                size: 1,
                count: 800_000,
            },
        );
        steps.push(Step::Latency {
            size: 1024,
            roundtrips: 20_000,
        });
    }
    steps
}

/// Runs the demo, printing progress to stderr and the table to stdout.
pub fn run(quick: bool) -> Result<(), ToolError> {
    let steps = steps(quick);
    let total = steps.len() * Transport::ALL.len();
    let started = Instant::now();
    let mut rows = Vec::new();
    let mut done = 0;
    for transport in Transport::ALL {
        for step in &steps {
            done += 1;
            let label = match step {
                Step::Throughput { size, .. } => format!("throughput {size} B"),
                Step::Latency { size, .. } => format!("latency {size} B"),
            };
            eprint!("[{done:>2}/{total}] {:<6} {label:<20} ", transport.name());
            let _ = std::io::stderr().flush();
            let figure = match *step {
                Step::Throughput { size, count } => {
                    let report = push_pull_in_process(transport, size, count)?;
                    format!(
                        "{:>10} msg/s {:>10.1} Mb/s",
                        report.msgs_per_sec, report.megabits
                    )
                }
                Step::Latency { size, roundtrips } => {
                    let s = req_rep_in_process(transport, size, roundtrips)?;
                    format!(
                        "mean {:>7.2} us  p50 {:>7.2} us  p99 {:>7.2} us",
                        s.mean_us, s.p50_us, s.p99_us
                    )
                }
            };
            eprintln!("done ({:.1} s)", started.elapsed().as_secs_f64());
            rows.push(format!("{:<6} {label:<20} {figure}", transport.name()));
        }
    }
    println!("\nour zmq, one process (latency is half a roundtrip, as libzmq's perf tools):");
    for row in rows {
        println!("  {row}");
    }
    println!("total {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
