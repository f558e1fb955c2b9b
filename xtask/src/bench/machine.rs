//! The description of the machine a benchmark ran on.

use std::process::Command;

fn first_line_of(command: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(command).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().next().map(|l| l.trim().to_string())
}

fn proc_field(file: &str, field: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == field).then(|| value.trim().to_string())
    })
}

/// Markdown lines: CPUs, CPU model, memory, kernel, date.
pub fn describe() -> Vec<String> {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get().to_string())
        .unwrap_or_else(|_| "?".into());
    let model = proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "?".into());
    let memory = proc_field("/proc/meminfo", "MemTotal").unwrap_or_else(|| "?".into());
    let kernel = first_line_of("uname", &["-sr"]).unwrap_or_else(|| "?".into());
    let date = first_line_of("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(|| "?".into());
    vec![
        format!("- CPUs (nproc): {cpus}"),
        format!("- CPU model: {model}"),
        format!("- memory: {memory}"),
        format!("- kernel: {kernel}"),
        format!("- date: {date}"),
    ]
}

/// The hard limit on open descriptors, as the shell reports it.
pub fn hard_fd_limit() -> Option<usize> {
    first_line_of("sh", &["-c", "ulimit -Hn"])?.parse().ok()
}
