//! The `curve` cell: PUSH → PULL over tcp with CURVE, ours (`zmq-bench
//! curve`) against libzmq (`bench/curve_thr.c`), alternating run by run.

use std::time::Instant;

use super::{Programs, RUN_LIMIT, Table, alternate, cell, progress, ratio, runner, strings};

/// Message sizes of the cell.
const SIZES: [usize; 3] = [64, 1024, 65536];

/// Messages per run: a few seconds of CURVE traffic on either side.
fn count(size: usize, quick: bool) -> usize {
    let full = match size {
        0..=64 => 500_000,
        65..=4096 => 200_000,
        _ => 20_000,
    };
    if quick { full / 5 } else { full }
}

/// Runs the cell and returns its table.
pub(super) fn run(programs: &Programs, reps: usize, quick: bool, started: Instant) -> Table {
    eprintln!("bench: PUSH -> PULL throughput over tcp with CURVE");
    let mut table = Table::new(
        "CURVE throughput, PUSH → PULL over tcp, one process (msg/s)",
        "PULL has the CURVE server keys, PUSH the client keys; libzmq's side is \
         `bench/curve_thr.c` (libzmq with libsodium). Ratio: ours ÷ libzmq.",
        &[
            "size [B]",
            "ours msg/s",
            "libzmq msg/s",
            "ratio",
            "ours Mb/s",
            "libzmq Mb/s",
        ],
    );
    let ours = programs.ours("zmq-bench");
    let libzmq = programs.libzmq("curve_thr");
    for size in SIZES {
        let n = count(size, quick);
        let ours_args = strings(&[&"curve", &size, &n]);
        let libzmq_args = strings(&[&size, &n]);
        let pair = alternate(
            reps,
            || runner::harness(&ours, &ours_args, RUN_LIMIT, false),
            || runner::harness(&libzmq, &libzmq_args, RUN_LIMIT, false),
        );
        progress(&format!("curve tcp {size} B"), &pair, "msgs_per_s", started);
        let (o, l) = (pair.get(true, "msgs_per_s"), pair.get(false, "msgs_per_s"));
        let (om, lm) = (pair.get(true, "mb_per_s"), pair.get(false, "mb_per_s"));
        table.rows.push(vec![
            size.to_string(),
            cell(o, 0),
            cell(l, 0),
            ratio(o, l, true),
            cell(om, 1),
            cell(lm, 1),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_shrink_for_quick_runs() {
        assert_eq!(count(64, false), 500_000);
        assert_eq!(count(65536, true), 4_000);
    }
}
