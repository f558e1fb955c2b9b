//! Perf tools for our ZeroMQ, with libzmq's command lines and output.
//!
//! The binaries `local_thr`, `remote_thr`, `local_lat`, `remote_lat`,
//! `inproc_thr` and `inproc_lat` take the same arguments as libzmq's perf
//! tools and print the same figures in the same words, so that either side
//! of a measurement can be ours or libzmq's. `zmq-bench` runs the
//! workloads of `cargo xtask bench` (one `result key=value ...` line per
//! run, the same as `bench/zmq_bench.c` prints for libzmq) and the quick
//! demo `zmq-bench bench --quick`.
// One unsafe call: the process CPU clock (`cpu`).
#![deny(unsafe_code)]
#![deny(missing_docs)]

/// Command-line arguments read the way libzmq's perf tools read them.
pub mod args;
/// Idle connections: resident memory per connection.
pub mod connections;
/// CPU time of this process, for messages per CPU-second.
pub mod cpu;
/// PUSH to PULL over tcp with CURVE: the `curve` throughput cell.
pub mod curve;
/// Unique endpoints per transport for in-process runs.
pub mod endpoint;
/// Errors of the tools, worded like libzmq's perf tools.
pub mod error;
/// PUB to SUB fan-out: delivered messages per second and loss.
pub mod fanout;
/// The `zmq-bench` sub-commands and their `result` lines.
pub mod harness;
/// REQ to REP roundtrips, timed one by one.
pub mod latency;
/// REQ to REP latency while a PUSH to PULL stream loads the I/O thread.
pub mod load_latency;
/// Resident memory of this process from `/proc/self/status`.
pub mod memory;
/// The quick demo: our throughput and latency over tcp, ipc and inproc.
pub mod quick;
/// Plain TCP streaming, the baseline of the message size sweep.
pub mod raw_tcp;
/// The figures libzmq's perf tools print, computed the same way.
pub mod report;
/// One ROUTER serving many DEALER peers over tcp.
pub mod router_scale;
/// Mean and percentiles of roundtrip samples.
pub mod stats;
/// PUSH to PULL message streams.
pub mod throughput;

pub use endpoint::Transport;
pub use error::ToolError;
