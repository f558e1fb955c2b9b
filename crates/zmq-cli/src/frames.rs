//! Stdin lines to frames, and frames to output lines.

/// Splits a line (without its newline) into frames at `separator`; the
/// whole line is one frame without one.
pub fn split(line: &str, separator: Option<&str>) -> Vec<Vec<u8>> {
    match separator {
        Some(sep) if !sep.is_empty() => line.split(sep).map(|f| f.as_bytes().to_vec()).collect(),
        _ => vec![line.as_bytes().to_vec()],
    }
}

/// One output line for a message: frames as text (invalid UTF-8 replaced)
/// or lowercase hex, joined by `separator` (a tab by default).
pub fn format(parts: &[Vec<u8>], separator: Option<&str>, hex: bool) -> String {
    let joiner = separator.filter(|s| !s.is_empty()).unwrap_or("\t");
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(joiner);
        }
        if hex {
            for byte in part {
                out.push_str(&format!("{byte:02x}"));
            }
        } else {
            out.push_str(&String::from_utf8_lossy(part));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_at_the_separator() {
        assert_eq!(split("a|b||c", Some("|")), [&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(split("a|b", None), [b"a|b"]);
        assert_eq!(split("", None), [b""]);
    }

    #[test]
    fn frames_join_as_text_or_hex() {
        let parts = vec![b"ab".to_vec(), vec![0, 255]];
        assert_eq!(format(&parts, None, true), "6162\t00ff");
        assert_eq!(format(&parts[..1], Some("|"), false), "ab");
        assert_eq!(
            format(&[b"x".to_vec(), b"y".to_vec()], Some(" | "), false),
            "x | y"
        );
    }
}
