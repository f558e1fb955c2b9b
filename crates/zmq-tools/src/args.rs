//! libzmq's perf tools read numbers with `atoi`; we read them strictly
//! and say which argument is wrong.

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
