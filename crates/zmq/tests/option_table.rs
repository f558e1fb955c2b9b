//! The option table against its two outside copies: the generated table
//! of `docs/options.md`, and the socket option numbers of the reference
//! `zmq.h` (each one built, or listed as not built: EINVAL).
//!
//! `UPDATE_OPTION_DOCS=1 cargo test -p zmq --test option_table`
//! rewrites the generated section of `docs/options.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use zmq::option_table::{self, DOC_BEGIN, DOC_END, NOT_BUILT, OPTIONS};
use zmq::{Context, Error, SocketType};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .expect("workspace root")
}

#[test]
fn docs_options_md_is_the_table() {
    if cfg!(feature = "vmci") || cfg!(feature = "gssapi") || cfg!(feature = "norm") {
        return; // the document shows the default build (no VMCI, GSSAPI, NORM rows)
    }
    let path = workspace_root().join("docs/options.md");
    let doc = std::fs::read_to_string(&path).expect("docs/options.md");
    let start = doc
        .find(DOC_BEGIN)
        .expect("begin marker in docs/options.md");
    let end = doc.find(DOC_END).expect("end marker in docs/options.md") + DOC_END.len();
    let generated = option_table::markdown_table();
    if std::env::var_os("UPDATE_OPTION_DOCS").is_some() {
        let updated = format!("{}{}{}", &doc[..start], generated, &doc[end..]);
        std::fs::write(&path, updated).expect("write docs/options.md");
        return;
    }
    assert!(
        doc[start..end] == generated,
        "docs/options.md is out of date: run UPDATE_OPTION_DOCS=1 cargo test -p zmq --test option_table"
    );
}

/// The numeric `#define ZMQ_<name> <n>` lines of the socket option
/// sections of `zmq.h` (stable, deprecated and draft).
fn socket_option_defines(header: &str) -> BTreeMap<i32, String> {
    let mut out = BTreeMap::new();
    let mut in_options = false;
    for line in header.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("/*") {
            in_options = trimmed.contains("Socket options")
                || trimmed.contains("Deprecated options and aliases");
            continue;
        }
        if !in_options {
            continue;
        }
        let mut words = trimmed.split_whitespace();
        if words.next() != Some("#define") {
            continue;
        }
        let (Some(name), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        if let Ok(number) = value.parse::<i32>() {
            out.insert(number, name.to_owned());
        }
    }
    out
}

#[test]
fn every_zmq_h_socket_option_is_built_or_listed_as_not_built() {
    let header = Path::new("/work/shared/reference/libzmq-include/zmq.h");
    let fallback = workspace_root().join("crates/zmq-capi/include/zmq.h");
    let text = std::fs::read_to_string(header)
        .or_else(|_| std::fs::read_to_string(&fallback))
        .expect("a zmq.h");
    let defines = socket_option_defines(&text);
    assert!(defines.len() > 100, "parsed only {} options", defines.len());
    let ctx = Context::new();
    let socket = ctx.socket(SocketType::Dealer).unwrap();
    for (number, name) in &defines {
        let built = OPTIONS.iter().find(|o| o.number == *number);
        let unbuilt = NOT_BUILT.iter().find(|(_, n, _)| n == number);
        match (built, unbuilt) {
            (Some(spec), None) => assert!(
                spec.name.split(' ').any(|n| n == name),
                "{name} ({number}) is {} in the table",
                spec.name
            ),
            (None, Some((listed, _, _))) => {
                assert_eq!(listed, name);
                // libzmq's behaviour for an option it was built without.
                assert_eq!(
                    option_table::set_option(&socket, *number, Some(&0i32.to_ne_bytes())),
                    Err(Error::Inval),
                    "{name}"
                );
                assert_eq!(
                    option_table::get_option(&socket, *number),
                    Err(Error::Inval),
                    "{name}"
                );
            }
            (Some(_), Some(_)) => panic!("{name} ({number}) is both built and not built"),
            (None, None) => panic!("{name} ({number}) is neither in the table nor in NOT_BUILT"),
        }
    }
    for spec in OPTIONS {
        assert!(
            defines.contains_key(&spec.number),
            "{} ({}) is not a zmq.h socket option",
            spec.name,
            spec.number
        );
    }
}

#[test]
fn numbers_are_unique_and_rows_are_usable() {
    let mut seen = std::collections::HashSet::new();
    for spec in OPTIONS {
        assert!(seen.insert(spec.number), "{} twice", spec.number);
        assert!(spec.set.is_some() || spec.get.is_some(), "{}", spec.name);
        assert!(!spec.rust.is_empty(), "{} has no Rust accessor", spec.name);
    }
    for (_, number, _) in NOT_BUILT {
        assert!(seen.insert(*number), "{number} twice");
    }
}

/// Every socket type this library builds (libzmq's numbers 0..=20).
fn socket_types() -> Vec<SocketType> {
    (0..=20).filter_map(SocketType::from_raw).collect()
}

/// One value outside a row's range: the C bytes and the typed argument.
fn outside_values(spec: &option_table::OptionSpec) -> Vec<(Option<Vec<u8>>, String)> {
    use option_table::{Range, ValueType};
    match spec.ty {
        // The typed accessors of 0/1 options take a `bool`: an int out of
        // range cannot reach them (the C path decodes and checks it).
        _ if matches!(spec.range, Range::Bool | Range::NonNegativeBool) => Vec::new(),
        ValueType::Int | ValueType::SocketInt | ValueType::LooseInt => spec
            .range
            .int_outside()
            .into_iter()
            .map(|v| (Some(v.to_ne_bytes().to_vec()), format!("int {v}")))
            .collect(),
        ValueType::Binary | ValueType::Text | ValueType::CurveKey => {
            let mut out: Vec<_> = spec
                .range
                .len_outside()
                .into_iter()
                .map(|n| (Some(vec![b'x'; n]), format!("{n} bytes")))
                .collect();
            if matches!(spec.range, Range::Length(1.., _)) {
                out.push((None, "NULL".into()));
            }
            out
        }
        ValueType::Int64 | ValueType::Uint64 => Vec::new(),
    }
}

fn typed_arg(spec: &option_table::OptionSpec, bytes: Option<&[u8]>) -> option_table::Arg<'static> {
    use option_table::{Arg, ValueType};
    let leaked: Option<&'static [u8]> = bytes.map(|b| &*Box::leak(b.to_vec().into_boxed_slice()));
    match spec.ty {
        ValueType::Int | ValueType::SocketInt | ValueType::LooseInt => {
            Arg::Int(i32::from_ne_bytes(leaked.unwrap().try_into().unwrap()))
        }
        _ => Arg::Bytes(leaked),
    }
}

/// The typed accessors take their validation from the table: for every
/// row with a setter (each row's setter calls the typed `Socket::set_*`
/// accessor), a value outside the row's range, and any value on a socket
/// type the row does not list, is refused by the typed accessor with the
/// error the C path (`set_option`, which checks the row first) gives.
#[test]
fn typed_setters_refuse_what_the_c_path_refuses() {
    let ctx = Context::new();
    let mut tried = 0;
    for kind in socket_types() {
        for spec in OPTIONS {
            let Some(typed) = spec.set else { continue };
            let socket = ctx.socket(kind).unwrap();
            let listed = spec.set_on.is_empty() || spec.set_on.contains(&kind);
            let mut cases = outside_values(spec);
            if !listed {
                // A value in range, on a socket type that does not take it.
                let valid = match spec.ty {
                    option_table::ValueType::Int64 => 0i64.to_ne_bytes().to_vec(),
                    option_table::ValueType::Uint64 => 0u64.to_ne_bytes().to_vec(),
                    option_table::ValueType::Binary | option_table::ValueType::Text => {
                        b"X-a:b".to_vec()
                    }
                    _ => 0i32.to_ne_bytes().to_vec(),
                };
                cases.push((Some(valid), "a valid value, socket type not listed".into()));
            }
            for (bytes, label) in cases {
                let c = option_table::set_option(&socket, spec.number, bytes.as_deref());
                let arg = match spec.ty {
                    option_table::ValueType::Int64 => option_table::Arg::Int64(0),
                    option_table::ValueType::Uint64 => option_table::Arg::Uint64(0),
                    _ => typed_arg(spec, bytes.as_deref()),
                };
                let rust = typed(&socket, arg);
                assert!(
                    c.is_err(),
                    "{} on {}: C path took {label}",
                    spec.name,
                    kind.wire_name()
                );
                assert_eq!(rust, c, "{} on {}: {label}", spec.name, kind.wire_name());
                tried += 1;
            }
        }
    }
    assert!(tried > 1000, "only {tried} attempts");
    println!("{tried} attempts");
}

/// The values just inside a row's range (its bounds).
fn inside_values(spec: &option_table::OptionSpec) -> Vec<Vec<u8>> {
    use option_table::{Range, ValueType};
    match (spec.ty, spec.range) {
        (ValueType::Int | ValueType::LooseInt, Range::AtLeast(min)) => {
            vec![min.to_ne_bytes().to_vec(), i32::MAX.to_ne_bytes().to_vec()]
        }
        (ValueType::Int | ValueType::LooseInt, Range::Between(lo, hi)) => {
            vec![lo.to_ne_bytes().to_vec(), hi.to_ne_bytes().to_vec()]
        }
        (_, Range::Length(lo, hi) | Range::NullOr(lo, hi)) => [lo, hi.min(1000)]
            .into_iter()
            .map(|n| vec![b'x'; n])
            .collect(),
        _ => Vec::new(),
    }
}

/// And the other way: at the bounds of a row's range, on a socket type
/// that takes it, the typed setter does what the C path does (it is not
/// stricter than the table).
#[test]
fn typed_setters_take_what_the_c_path_takes() {
    let mut tried = 0;
    for kind in socket_types() {
        let ctx = Context::new();
        for spec in OPTIONS {
            let Some(typed) = spec.set else { continue };
            if !(spec.set_on.is_empty() || spec.set_on.contains(&kind)) {
                continue;
            }
            for bytes in inside_values(spec) {
                let c =
                    option_table::set_option(&ctx.socket(kind).unwrap(), spec.number, Some(&bytes));
                let rust = typed(&ctx.socket(kind).unwrap(), typed_arg(spec, Some(&bytes)));
                assert_eq!(
                    rust,
                    c,
                    "{} on {}: {} bytes",
                    spec.name,
                    kind.wire_name(),
                    bytes.len()
                );
                tried += 1;
            }
        }
    }
    assert!(tried > 500, "only {tried} attempts");
    println!("{tried} attempts");
}
