//! Running one benchmark program with a time limit and reading its
//! figures: `result key=value ...` lines from the harnesses, libzmq's
//! perf-tool lines from `local_thr`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Figures of one run, by key.
pub type Figures = BTreeMap<String, f64>;

/// Waits for `child` at most `limit`, killing it when the time is up;
/// returns its standard output.
fn finish(mut child: Child, what: &str, limit: Duration) -> Result<String, String> {
    let mut stdout = child.stdout.take();
    let reader = thread::spawn(move || {
        let mut text = String::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_string(&mut text);
        }
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what}: timed out after {} s", limit.as_secs()));
            }
            Err(e) => return Err(format!("{what}: {e}")),
        }
    };
    let text = reader.join().unwrap_or_default();
    if status.success() {
        Ok(text)
    } else {
        Err(format!("{what}: {status}: {}", text.trim()))
    }
}

fn spawn(program: &Path, args: &[String], raise_fd_limit: bool) -> Result<Child, String> {
    let mut command = if raise_fd_limit {
        // The shell raises the soft descriptor limit to the hard one.
        let mut sh = Command::new("sh");
        sh.arg("-c")
            .arg("ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec \"$0\" \"$@\"")
            .arg(program)
            .args(args);
        sh
    } else {
        let mut direct = Command::new(program);
        direct.args(args);
        direct
    };
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", program.display()))
}

/// Runs a harness (`zmq-bench` or `zmq_bench`) and parses its `result`
/// line.
pub fn harness(
    program: &Path,
    args: &[String],
    limit: Duration,
    raise_fd_limit: bool,
) -> Result<Figures, String> {
    let what = format!("{} {}", program.display(), args.join(" "));
    let child = spawn(program, args, raise_fd_limit)?;
    let text = finish(child, &what, limit)?;
    parse_result(&text).ok_or_else(|| format!("{what}: no result line in {text:?}"))
}

/// The figures of the first `result` line of `text`.
pub fn parse_result(text: &str) -> Option<Figures> {
    let line = text.lines().find_map(|l| l.strip_prefix("result "))?;
    let figures: Figures = line
        .split_whitespace()
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            Some((key.to_string(), value.parse().ok()?))
        })
        .collect();
    Some(figures)
}

/// The `mean throughput: N [msg/s]` figure of libzmq's `local_thr`.
pub fn parse_local_thr(text: &str) -> Option<f64> {
    text.lines()
        .filter_map(|l| l.strip_prefix("mean throughput: "))
        .find_map(|rest| rest.strip_suffix(" [msg/s]")?.trim().parse().ok())
}

/// `receiver` (a `local_thr`) bound to `endpoint`, `sender` (a
/// `remote_thr`) connected to it, in two processes: messages per second.
pub fn two_process_throughput(
    receiver: &Path,
    sender: &Path,
    endpoint: &str,
    size: usize,
    count: usize,
    limit: Duration,
) -> Result<f64, String> {
    let args = vec![endpoint.to_string(), size.to_string(), count.to_string()];
    let what = format!(
        "{} | {} {}",
        receiver.display(),
        sender.display(),
        args.join(" ")
    );
    let receiving = spawn(receiver, &args, false)?;
    // The sender reconnects until the receiver has bound.
    let sending = spawn(sender, &args, false)?;
    let received = finish(receiving, &what, limit);
    let sent = finish(sending, &what, limit);
    let text = received?;
    sent?;
    parse_local_thr(&text).ok_or_else(|| format!("{what}: no throughput in {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_parse() {
        let figures = parse_result("noise\nresult a=1.5 b=2 bad c=x\n").unwrap();
        assert_eq!(figures.get("a"), Some(&1.5));
        assert_eq!(figures.get("b"), Some(&2.0));
        assert_eq!(figures.len(), 2);
        assert!(parse_result("nothing").is_none());
    }

    #[test]
    fn local_thr_output_parses() {
        let text = "message size: 64 [B]\nmessage count: 10\n\
                    mean throughput: 1234 [msg/s]\nmean throughput: 0.632 [Mb/s]\n";
        assert_eq!(parse_local_thr(text), Some(1234.0));
    }
}
