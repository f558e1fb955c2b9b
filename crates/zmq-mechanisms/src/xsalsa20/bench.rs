//! `cargo test -p zmq-mechanisms --release -- --ignored --nocapture
//! primitive_throughput`: the Salsa20 backends, Poly1305 by chunk size and
//! seal + open of 64 B, 1 KiB and 64 KiB boxes on every backend.

use std::hint::black_box;
use std::time::Instant;

use super::*;

const LEN: usize = 64 * 1024;
const ROUNDS: usize = 4000;

fn report(what: &str, run: impl FnMut()) {
    report_sized(what, LEN, run);
}

/// Runs `run` (over `size` bytes each) for about 256 MB in all.
fn report_sized(what: &str, size: usize, mut run: impl FnMut()) {
    run();
    let rounds = ROUNDS * LEN / size;
    let start = Instant::now();
    for _ in 0..rounds {
        run();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{what:<34} {:>8.0} MB/s {:>10.0} /s",
        (size * rounds) as f64 / secs / 1e6,
        rounds as f64 / secs
    );
}

#[test]
#[ignore = "micro-benchmark"]
fn primitive_throughput() {
    let input = BoxStream::with_backend(Backend::Portable, &[3; 32], &[4; 24]).input;
    for backend in backends() {
        report(&format!("salsa20 keystream {backend:?}"), || {
            let mut group = [0u64; MAX_GROUP_WORDS];
            let step = backend.group_len();
            for i in 0..LEN / step {
                assert!(backend.blocks(&input, (i * step / 64) as u64, &mut group));
                black_box(&group);
            }
        });
    }
    let data = vec![0x5au8; LEN];
    let key = [7u8; 32];
    for (name, hint) in [("scalar", 0), ("vector", usize::MAX)] {
        for size in [64, 256, 512, 1024, LEN] {
            report_sized(&format!("poly1305 {name} {size} B"), size, || {
                let mut poly = Poly1305::new(&key, hint);
                for c in black_box(&data[..size]).chunks(MAX_GROUP_LEN) {
                    poly.blocks(c);
                }
                black_box(poly.finish(&[]));
            });
        }
    }
    for size in [64usize, 1024, LEN] {
        for backend in backends() {
            let mut body = vec![0x5au8; size];
            let nonce = [1; 24];
            report_sized(&format!("seal+open {size} B {backend:?}"), size, || {
                let mut stream = BoxStream::with_backend(backend, &key, &nonce);
                let tag = stream.seal(black_box(&mut body)).unwrap();
                let mut stream = BoxStream::with_backend(backend, &key, &nonce);
                black_box(stream.open(black_box(&mut body), &tag));
            });
        }
    }
}
