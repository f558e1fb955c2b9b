//! Frame descriptors and message matchers (PROTOCOL.md, "Frame descriptors").

use std::collections::HashMap;

use serde_json::Value;

use crate::outcome::{PeerError, PeerResult, spec_error};

/// Pattern bytes repeat with this period: byte `i` is `(seed + i) mod 251`.
pub const PATTERN_MODULUS: usize = 251;
/// Largest frame a descriptor may ask for (the matrix uses 16 MiB).
pub const MAX_FRAME_SIZE: usize = 256 << 20;

/// Frames captured by `capture` matchers, by name.
pub type Variables = HashMap<String, Vec<u8>>;

/// `size` bytes of the pattern starting at `seed`.
pub fn pattern(size: usize, seed: u64) -> Vec<u8> {
    // The remainder is below 251, so the cast is lossless.
    let start = (seed % PATTERN_MODULUS as u64) as usize;
    let period: Vec<u8> = (0..PATTERN_MODULUS)
        .map(|i| ((start + i) % PATTERN_MODULUS) as u8)
        .collect();
    period.iter().copied().cycle().take(size).collect()
}

/// A JSON number as a non-negative size, bounded by [`MAX_FRAME_SIZE`].
pub fn size_field(value: Option<&Value>, what: &str) -> PeerResult<usize> {
    let Some(size) = value.and_then(Value::as_u64) else {
        return spec_error(format!("{what} must be a non-negative integer"));
    };
    match usize::try_from(size) {
        Ok(size) if size <= MAX_FRAME_SIZE => Ok(size),
        _ => spec_error(format!("{what} {size} exceeds {MAX_FRAME_SIZE}")),
    }
}

/// The bytes a frame descriptor stands for.
pub fn frame_bytes(desc: &Value, variables: &Variables) -> PeerResult<Vec<u8>> {
    let Some(object) = desc.as_object().filter(|o| !o.is_empty()) else {
        return spec_error(format!(
            "frame descriptor must be a non-empty object: {desc}"
        ));
    };
    if let Some(hex) = object.get("hex") {
        return match hex.as_str() {
            Some(text) => decode_hex(text),
            None => spec_error("hex must be a string"),
        };
    }
    if let Some(text) = object.get("text") {
        return match text.as_str() {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => spec_error("text must be a string"),
        };
    }
    if object.contains_key("size") {
        let size = size_field(object.get("size"), "size")?;
        let seed = match object.get("seed") {
            None => 0,
            Some(seed) => match seed.as_u64() {
                Some(seed) => seed,
                None => return spec_error("seed must be a non-negative integer"),
            },
        };
        return Ok(pattern(size, seed));
    }
    if let Some(name) = object.get("var") {
        let Some(name) = name.as_str() else {
            return spec_error("var must be a string");
        };
        return match variables.get(name) {
            Some(bytes) => Ok(bytes.clone()),
            None => Err(PeerError::Fail(format!(
                "variable {name:?} was never captured"
            ))),
        };
    }
    spec_error(format!("unknown frame descriptor {desc}"))
}

/// A list of frame descriptors as bytes.
pub fn message_bytes(descs: Option<&Value>, variables: &Variables) -> PeerResult<Vec<Vec<u8>>> {
    match descs {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(|d| frame_bytes(d, variables)).collect(),
        Some(_) => spec_error("frames must be a list of frame descriptors"),
    }
}

fn decode_hex(text: &str) -> PeerResult<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return spec_error(format!("odd-length hex {text:?}"));
    }
    digits
        .chunks_exact(2)
        .map(|pair| match (hex_digit(pair[0]), hex_digit(pair[1])) {
            (Some(high), Some(low)) => Ok(high << 4 | low),
            _ => spec_error(format!("bad hex {text:?}")),
        })
        .collect()
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A frame for failure messages: length and the first bytes in hex.
pub fn describe(data: &[u8]) -> String {
    let hex: String = data.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let more = if data.len() > 16 { "..." } else { "" };
    format!("{} bytes [{hex}{more}]", data.len())
}

/// Up to six frames for failure messages.
pub fn describe_all(frames: &[Vec<u8>]) -> String {
    let shown: Vec<String> = frames.iter().take(6).map(|f| describe(f)).collect();
    shown.join(", ")
}

/// What one frame of an `expect` list accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FrameMatch {
    Exact(Vec<u8>),
    Any,
    Capture(String),
    Var(String),
}

/// A compiled `expect` (or `skip`) list: one multipart message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    frames: Vec<FrameMatch>,
}

impl Matcher {
    /// Compiles a JSON list of frame descriptors and match-any forms.
    pub fn new(descs: Option<&Value>, variables: &Variables) -> PeerResult<Matcher> {
        let items = match descs {
            None => return Ok(Matcher { frames: Vec::new() }),
            Some(Value::Array(items)) => items,
            Some(_) => return spec_error("expect must be a list of frame descriptors"),
        };
        let mut frames = Vec::with_capacity(items.len());
        for desc in items {
            let entry = if let Some(name) = desc.get("capture") {
                match name.as_str() {
                    Some(name) => FrameMatch::Capture(name.to_owned()),
                    None => return spec_error("capture must be a string"),
                }
            } else if desc.get("any").and_then(Value::as_bool) == Some(true) {
                FrameMatch::Any
            } else if let Some(name) = desc.get("var") {
                match name.as_str() {
                    Some(name) => FrameMatch::Var(name.to_owned()),
                    None => return spec_error("var must be a string"),
                }
            } else {
                FrameMatch::Exact(frame_bytes(desc, variables)?)
            };
            frames.push(entry);
        }
        Ok(Matcher { frames })
    }

    /// A list of matchers (the `skip` field: a list of `expect` lists).
    pub fn list(descs: Option<&Value>, variables: &Variables) -> PeerResult<Vec<Matcher>> {
        match descs {
            None => Ok(Vec::new()),
            Some(Value::Array(lists)) => lists
                .iter()
                .map(|l| Matcher::new(Some(l), variables))
                .collect(),
            Some(_) => spec_error("skip must be a list of frame lists"),
        }
    }

    /// How many frames a matching message has.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether this matches only the message with no frames.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// `None` when `frames` match, else why not.
    pub fn mismatch(&self, frames: &[Vec<u8>], variables: &Variables) -> Option<String> {
        if frames.len() != self.frames.len() {
            return Some(format!(
                "expected {} frames, got {} ({})",
                self.frames.len(),
                frames.len(),
                describe_all(frames)
            ));
        }
        for (index, (want, got)) in self.frames.iter().zip(frames).enumerate() {
            let want = match want {
                FrameMatch::Any | FrameMatch::Capture(_) => continue,
                FrameMatch::Exact(bytes) => bytes,
                FrameMatch::Var(name) => match variables.get(name) {
                    Some(bytes) => bytes,
                    None => return Some(format!("variable {name:?} was never captured")),
                },
            };
            if want != got {
                return Some(format!(
                    "frame {index}: expected {}, got {}",
                    describe(want),
                    describe(got)
                ));
            }
        }
        None
    }

    /// Whether `frames` match.
    pub fn matches(&self, frames: &[Vec<u8>], variables: &Variables) -> bool {
        self.mismatch(frames, variables).is_none()
    }

    /// Stores the frames that `capture` matchers name.
    pub fn capture(&self, frames: &[Vec<u8>], variables: &mut Variables) {
        for (want, got) in self.frames.iter().zip(frames) {
            if let FrameMatch::Capture(name) = want {
                variables.insert(name.clone(), got.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pattern_wraps_at_251() {
        let p = pattern(600, 7);
        assert_eq!(p.len(), 600);
        assert_eq!(p[0], 7);
        assert_eq!(p[243], 250);
        assert_eq!(p[244], 0);
        assert_eq!(p[251], 7);
        assert_eq!(pattern(3, 251 + 2), vec![2, 3, 4]);
        assert!(pattern(0, 0).is_empty());
    }

    #[test]
    fn descriptors_decode() {
        let mut vars = Variables::new();
        vars.insert("peer".into(), vec![9, 9]);
        assert_eq!(
            frame_bytes(&json!({"hex": "00ff"}), &vars),
            Ok(vec![0, 255])
        );
        assert_eq!(frame_bytes(&json!({"hex": ""}), &vars), Ok(vec![]));
        assert_eq!(
            frame_bytes(&json!({"text": "ab"}), &vars),
            Ok(b"ab".to_vec())
        );
        assert_eq!(
            frame_bytes(&json!({"size": 3, "seed": 250}), &vars),
            Ok(vec![250, 0, 1])
        );
        assert_eq!(frame_bytes(&json!({"size": 2}), &vars), Ok(vec![0, 1]));
        assert_eq!(frame_bytes(&json!({"var": "peer"}), &vars), Ok(vec![9, 9]));
    }

    #[test]
    fn bad_descriptors_are_errors_not_panics() {
        let vars = Variables::new();
        for bad in [
            json!({"hex": "0"}),
            json!({"hex": "zz"}),
            json!({"hex": 5}),
            json!({}),
            json!("text"),
            json!({"size": -1}),
            json!({"size": 1u64 << 40}),
            json!({"bogus": 1}),
        ] {
            assert!(
                matches!(frame_bytes(&bad, &vars), Err(PeerError::Spec(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            frame_bytes(&json!({"var": "nope"}), &vars),
            Err(PeerError::Fail(_))
        ));
    }

    #[test]
    fn matcher_checks_count_bytes_and_captures() {
        let mut vars = Variables::new();
        let m = Matcher::new(
            Some(&json!([{"capture": "id"}, {"any": true}, {"text": "hi"}])),
            &vars,
        )
        .unwrap();
        let msg = vec![b"ID".to_vec(), b"x".to_vec(), b"hi".to_vec()];
        assert!(m.matches(&msg, &vars));
        m.capture(&msg, &mut vars);
        assert_eq!(vars.get("id"), Some(&b"ID".to_vec()));
        assert!(
            m.mismatch(&msg[..2], &vars)
                .unwrap()
                .contains("expected 3 frames, got 2")
        );
        let wrong = vec![b"ID".to_vec(), b"x".to_vec(), b"ho".to_vec()];
        assert!(m.mismatch(&wrong, &vars).unwrap().starts_with("frame 2"));

        let by_var = Matcher::new(Some(&json!([{"var": "id"}])), &vars).unwrap();
        assert!(by_var.matches(&[b"ID".to_vec()], &vars));
        assert!(!by_var.matches(&[b"XX".to_vec()], &vars));
    }

    #[test]
    fn skip_lists_compile() {
        let vars = Variables::new();
        let skips = Matcher::list(Some(&json!([[{"text": "a"}], []])), &vars).unwrap();
        assert_eq!(skips.len(), 2);
        assert!(skips[1].is_empty());
        assert!(Matcher::list(Some(&json!({"text": "a"})), &vars).is_err());
    }

    #[test]
    fn describe_truncates() {
        assert_eq!(describe(&[1, 2]), "2 bytes [0102]");
        assert!(describe(&[0; 20]).ends_with("...]"));
    }
}
