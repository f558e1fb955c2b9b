//! libzmq's perf tools read numbers with `atoi`; we read them strictly
//! and say which argument is wrong.

use std::process::ExitCode;

use crate::ToolError;
use crate::report::{LatencyReport, ThroughputReport};

/// What a perf tool prints when it succeeds (some print nothing, as
/// libzmq's).
pub trait Outcome {
    /// Prints the figures.
    fn print(&self);
}

impl Outcome for () {
    fn print(&self) {}
}

impl Outcome for ThroughputReport {
    fn print(&self) {
        print!("{self}");
    }
}

impl Outcome for LatencyReport {
    fn print(&self) {
        print!("{self}");
    }
}

/// The `main` of the tools taking `<endpoint> <message-size> <count>`:
/// reads the arguments (exit 1 with `usage` when they are not three),
/// runs `run(endpoint, size, count)` and prints its outcome, or the error
/// with exit code 255, as libzmq's tools.
pub fn endpoint_tool<R: Outcome>(
    usage: &str,
    count_name: &str,
    run: impl FnOnce(&str, usize, usize) -> Result<R, ToolError>,
) -> ExitCode {
    let [endpoint, size, count] = match positional::<3>(usage) {
        Ok(args) => args,
        Err(usage) => {
            println!("{usage}");
            return ExitCode::from(1);
        }
    };
    let parsed = number("message size", &size)
        .and_then(|size| positive(count_name, &count).map(|count| (size, count)));
    match parsed
        .map_err(ToolError::Other)
        .and_then(|(size, count)| run(&endpoint, size, count))
    {
        Ok(outcome) => {
            outcome.print();
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("{error}");
            ExitCode::from(255)
        }
    }
}

/// The positional arguments after the program name, exactly `N` of them,
/// or the usage line.
pub fn positional<const N: usize>(usage: &str) -> Result<[String; N], String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    <[String; N]>::try_from(args).map_err(|_| usage.to_string())
}

/// A non-negative count or size argument.
pub fn number(name: &str, text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| format!("invalid {name}: {text:?}"))
}

/// A count that must be at least one (message or roundtrip counts).
pub fn positive(name: &str, text: &str) -> Result<usize, String> {
    match number(name, text)? {
        0 => Err(format!("invalid {name}: must be at least 1")),
        n => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_strictly() {
        assert_eq!(number("size", "64"), Ok(64));
        assert!(number("size", "-1").is_err());
        assert!(number("size", "12x").is_err());
        assert!(positive("count", "0").is_err());
        assert_eq!(positive("count", "10"), Ok(10));
    }
}
