//! The XSalsa20 stream cipher of `crypto_secretbox`, several Salsa20
//! blocks at a time, fused with the Poly1305 pass over the ciphertext.
//!
//! The state is held word-major, one lane per block: every round step is
//! a lane-wise add, xor or rotate, the same code for every backend
//! (the `salsa20_lanes!` macro). The widest backend the CPU runs is
//! detected once per process:
//!
//! ```text
//!  x86_64, AVX2 + AVX-512F ─► lanes_avx512  16 blocks (1024 bytes) per call
//!  x86_64, AVX2            ─► lanes_avx2     8 blocks (512 bytes)
//!  x86_64 otherwise        ─► lanes_sse2     4 blocks (256 bytes), baseline
//!  other targets           ─► lanes_portable 4 blocks, [u32; 4] lanes
//! ```
//! Each box then uses the narrowest of these (up to the detected one)
//! whose first group holds the Poly1305 key and the whole message: a call
//! costs about the same on every backend (measured 177-190 ns), so small
//! boxes save only the wiping of a larger buffer.
//!
//! Each backend's 16 state words are separate locals so that they stay
//! in registers; the result is transposed to blocks with unpack and
//! shuffle instructions and kept as little-endian 64-bit words (no
//! pointer loads or stores: LLVM merges the word extracts into vector
//! stores).
//!
//! ```text
//!  subkey = HSalsa20(key, nonce[0..16])
//!  stream = Salsa20(subkey, nonce[16..24]), blocks 0, 1, 2, ...
//!  stream[0..32]  = the Poly1305 key of the box
//!  stream[32..]   = xored with the message
//! ```
//! Sealing and opening walk the message once, one group of blocks at a
//! time: sealing xors then authenticates each chunk, opening
//! authenticates then xors (and re-xors the whole body if the tag turns
//! out wrong, so a failed open leaves the body as it was).

/// The Salsa20 quarter round on four words of every lane.
macro_rules! quarter {
    ($a:ident, $b:ident, $c:ident, $d:ident) => {
        $b = $b.xor_rotl::<7, 25>($a.add($d));
        $c = $c.xor_rotl::<9, 23>($b.add($a));
        $d = $d.xor_rotl::<13, 19>($c.add($b));
        $a = $a.xor_rotl::<18, 14>($d.add($c));
    };
}

/// Salsa20/20 on `$count` lanes of type `$lanes` (a type with `splat`,
/// `from_words`, `add` and `xor_rotl`): blocks `counter .. counter +
/// $count` of `input`, as the 16 output words of every lane. Expanded
/// inside each backend's `blocks` so that it compiles with that
/// backend's target features.
macro_rules! salsa20_lanes {
    ($lanes:ident, $count:expr, $input:expr, $counter:expr) => {{
        let input: &[u32; 16] = $input;
        let counter: u64 = $counter;
        let mut low = [0u32; $count];
        let mut high = [0u32; $count];
        for (lane, (l, h)) in low.iter_mut().zip(high.iter_mut()).enumerate() {
            let block = counter.wrapping_add(lane as u64);
            *l = block as u32;
            *h = (block >> 32) as u32;
        }
        let start: [$lanes; 16] = [
            $lanes::splat(input[0]),
            $lanes::splat(input[1]),
            $lanes::splat(input[2]),
            $lanes::splat(input[3]),
            $lanes::splat(input[4]),
            $lanes::splat(input[5]),
            $lanes::splat(input[6]),
            $lanes::splat(input[7]),
            $lanes::from_words(low),
            $lanes::from_words(high),
            $lanes::splat(input[10]),
            $lanes::splat(input[11]),
            $lanes::splat(input[12]),
            $lanes::splat(input[13]),
            $lanes::splat(input[14]),
            $lanes::splat(input[15]),
        ];
        let [
            mut x0,
            mut x1,
            mut x2,
            mut x3,
            mut x4,
            mut x5,
            mut x6,
            mut x7,
            mut x8,
            mut x9,
            mut x10,
            mut x11,
            mut x12,
            mut x13,
            mut x14,
            mut x15,
        ] = start;
        for _ in 0..10 {
            // Columns, then rows.
            quarter!(x0, x4, x8, x12);
            quarter!(x5, x9, x13, x1);
            quarter!(x10, x14, x2, x6);
            quarter!(x15, x3, x7, x11);
            quarter!(x0, x1, x2, x3);
            quarter!(x5, x6, x7, x4);
            quarter!(x10, x11, x8, x9);
            quarter!(x15, x12, x13, x14);
        }
        let mut x = [
            x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15,
        ];
        for (word, first) in x.iter_mut().zip(start) {
            *word = word.add(first);
        }
        x
    }};
}

/// The AVX2 core, 8 lanes.
#[cfg(target_arch = "x86_64")]
mod lanes_avx2;
/// The AVX-512 core, 16 lanes.
#[cfg(target_arch = "x86_64")]
mod lanes_avx512;
/// The portable core, 4 lanes of `[u32; 4]`.
#[cfg(any(test, feature = "fuzzing", not(target_arch = "x86_64")))]
mod lanes_portable;
/// The SSE2 core, 4 lanes.
#[cfg(target_arch = "x86_64")]
mod lanes_sse2;

use std::sync::OnceLock;

use salsa20::cipher::consts::U10;
use salsa20::cipher::generic_array::GenericArray;
use zeroize::Zeroize;

use crate::nacl::poly1305::{BLOCK_LEN, Poly1305, TAG_LEN};

/// The longest group of blocks a backend computes per call, in bytes.
const MAX_GROUP_LEN: usize = 1024;
/// The same in keystream words: the keystream is kept as little-endian
/// 64-bit words, which are wiped eight times faster than bytes (the
/// volatile writes of `zeroize` go one element at a time).
const MAX_GROUP_WORDS: usize = MAX_GROUP_LEN / 8;
/// Keystream words before the message: the Poly1305 key.
const POLY_KEY_WORDS: usize = POLY_KEY_LEN / 8;
/// Keystream bytes before the message: the Poly1305 key.
const POLY_KEY_LEN: usize = 32;

/// Every backend's group is whole 64-byte blocks, fits the group buffers
/// and holds the Poly1305 key and some message: checked at compile time,
/// so [`Backend::blocks`] always writes and [`BoxStream::run`] always
/// advances (their fallbacks for the contrary are never taken).
const fn group_len_fits(len: usize) -> bool {
    len.is_multiple_of(64) && len > POLY_KEY_LEN && len <= MAX_GROUP_LEN
}
#[cfg(target_arch = "x86_64")]
const _: () = assert!(
    group_len_fits(lanes_sse2::GROUP_LEN)
        && group_len_fits(lanes_avx2::GROUP_LEN)
        && group_len_fits(lanes_avx512::GROUP_LEN)
);
#[cfg(any(test, feature = "fuzzing", not(target_arch = "x86_64")))]
const _: () = assert!(group_len_fits(lanes_portable::GROUP_LEN));

/// Which Salsa20 core computes the keystream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// 16 lanes in AVX-512 registers (detected at run time).
    #[cfg(target_arch = "x86_64")]
    Avx512,
    /// 8 lanes in AVX2 registers (detected at run time).
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// 4 lanes in SSE2 registers.
    #[cfg(target_arch = "x86_64")]
    Sse2,
    /// 4 lanes in plain arrays.
    #[cfg(any(test, feature = "fuzzing", not(target_arch = "x86_64")))]
    Portable,
}

impl Backend {
    /// The fastest backend this CPU runs, detected once per process.
    #[cfg_attr(feature = "rustcrypto-curve", allow(dead_code))]
    fn detected() -> Backend {
        static DETECTED: OnceLock<Backend> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    // `for_box` may narrow `Avx512` to `Avx2`: AVX2 first.
                    if std::arch::is_x86_feature_detected!("avx512f") {
                        return Backend::Avx512;
                    }
                    return Backend::Avx2;
                }
                Backend::Sse2
            }
            #[cfg(not(target_arch = "x86_64"))]
            Backend::Portable
        })
    }

    /// The backend for a box of `message_len` bytes: the narrowest one
    /// (up to `self`) whose first group holds the Poly1305 key and the
    /// whole message. Every backend takes about as long per call, so a
    /// narrower one costs less only in buffer and wiping.
    fn for_box(self, message_len: usize) -> Backend {
        #[cfg(target_arch = "x86_64")]
        {
            let needed = POLY_KEY_LEN.saturating_add(message_len);
            match self {
                Backend::Avx512 | Backend::Avx2 if needed <= lanes_sse2::GROUP_LEN => Backend::Sse2,
                Backend::Avx512 if needed <= lanes_avx2::GROUP_LEN => Backend::Avx2,
                other => other,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = message_len;
            self
        }
    }

    /// Keystream bytes per [`Backend::blocks`] call (a multiple of 64,
    /// at most [`MAX_GROUP_LEN`]).
    fn group_len(self) -> usize {
        match self {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => lanes_avx512::GROUP_LEN,
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => lanes_avx2::GROUP_LEN,
            #[cfg(target_arch = "x86_64")]
            Backend::Sse2 => lanes_sse2::GROUP_LEN,
            #[cfg(any(test, feature = "fuzzing", not(target_arch = "x86_64")))]
            Backend::Portable => lanes_portable::GROUP_LEN,
        }
    }

    /// Salsa20/20 blocks `counter ..` of `input` into the first
    /// [`Backend::group_len`] bytes of `out` (little-endian words).
    /// Returns whether it wrote them: always (checked at compile time,
    /// `group_len_fits`); callers treat `false` as a broken invariant.
    #[inline]
    #[must_use]
    fn blocks(self, input: &[u32; 16], counter: u64, out: &mut [u64; MAX_GROUP_WORDS]) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => {
                if let Some(out) = out.first_chunk_mut::<{ lanes_avx512::GROUP_LEN / 8 }>() {
                    #[allow(unsafe_code)]
                    // SAFETY: `Avx512` is only chosen after
                    // `is_x86_feature_detected!("avx512f")` returned true
                    // (`Backend::detected`; the tests check the same
                    // before using it; `for_box` never widens), so this
                    // CPU runs AVX-512F code.
                    unsafe {
                        lanes_avx512::blocks(input, counter, out);
                    }
                    return true;
                }
                false
            }
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => {
                if let Some(out) = out.first_chunk_mut::<{ lanes_avx2::GROUP_LEN / 8 }>() {
                    #[allow(unsafe_code)]
                    // SAFETY: `Avx2` is only chosen after
                    // `is_x86_feature_detected!("avx2")` returned true:
                    // `Backend::detected` returns `Avx2` or `Avx512` only
                    // then, `for_box` only narrows those, and the tests
                    // check the same before using either. So this CPU
                    // runs AVX2 code.
                    unsafe {
                        lanes_avx2::blocks(input, counter, out);
                    }
                    return true;
                }
                false
            }
            #[cfg(target_arch = "x86_64")]
            Backend::Sse2 => {
                if let Some(out) = out.first_chunk_mut::<{ lanes_sse2::GROUP_LEN / 8 }>() {
                    #[allow(unsafe_code)]
                    // SAFETY: `lanes_sse2::blocks` needs SSE2 only, which
                    // every x86_64 CPU has (it is part of the target's
                    // baseline, like the registers it uses).
                    unsafe {
                        lanes_sse2::blocks(input, counter, out);
                    }
                    return true;
                }
                false
            }
            #[cfg(any(test, feature = "fuzzing", not(target_arch = "x86_64")))]
            Backend::Portable => {
                if let Some(out) = out.first_chunk_mut::<{ lanes_portable::GROUP_LEN / 8 }>() {
                    lanes_portable::blocks(input, counter, out);
                    return true;
                }
                false
            }
        }
    }
}

/// The keystream of one box: the Salsa20 input words and the first group
/// of blocks (which starts with the Poly1305 key).
pub(crate) struct BoxStream {
    backend: Backend,
    input: [u32; 16],
    first: [u64; MAX_GROUP_WORDS],
}

/// Whether the authenticator reads a chunk before or after the xor.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Encrypt, then authenticate the ciphertext.
    Seal,
    /// Authenticate the ciphertext, then decrypt.
    Open,
}

impl BoxStream {
    /// The stream for `key` and the 24-byte `nonce`.
    #[cfg_attr(feature = "rustcrypto-curve", allow(dead_code))]
    pub(crate) fn new(key: &[u8; 32], nonce: &[u8; 24]) -> BoxStream {
        BoxStream::with_backend(Backend::detected(), key, nonce)
    }

    /// [`BoxStream::new`] on a given backend.
    fn with_backend(backend: Backend, key: &[u8; 32], nonce: &[u8; 24]) -> BoxStream {
        let (head, tail) = nonce.split_at(16);
        let mut subkey = salsa20::hsalsa::<U10>(
            GenericArray::from_slice(key),
            GenericArray::from_slice(head),
        );
        let word = |bytes: &[u8], i: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(bytes.get(4 * i..4 * i + 4).unwrap_or(&[0; 4]));
            u32::from_le_bytes(w)
        };
        let mut input = [0u32; 16];
        // "expand 32-byte k" on the diagonal, key, nonce, block counter.
        input[0] = 0x6170_7865;
        input[5] = 0x3320_646e;
        input[10] = 0x7962_2d32;
        input[15] = 0x6b20_6574;
        for i in 0..4 {
            input[1 + i] = word(&subkey, i);
            input[11 + i] = word(&subkey, 4 + i);
        }
        input[6] = word(tail, 0);
        input[7] = word(tail, 1);
        subkey.as_mut_slice().zeroize();
        BoxStream {
            backend,
            input,
            first: [0; MAX_GROUP_WORDS],
        }
    }

    /// Computes the first group for a `message_len`-byte box, on the
    /// narrowest backend whose first group holds the whole box. `None` on
    /// a broken invariant (the backend wrote nothing), before `data` is
    /// touched.
    fn start(&mut self, message_len: usize) -> Option<()> {
        self.backend = self.backend.for_box(message_len);
        let wrote = self.backend.blocks(&self.input, 0, &mut self.first);
        debug_assert!(wrote, "{:?} wrote no keystream", self.backend);
        wrote.then_some(())
    }

    /// The authenticator of a `message_len`-byte box.
    fn authenticator(&self, message_len: usize) -> Poly1305 {
        let mut key = [0u8; POLY_KEY_LEN];
        for (bytes, word) in key.chunks_exact_mut(8).zip(&self.first) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
        let poly = Poly1305::new(&key, message_len);
        key.zeroize();
        poly
    }

    /// Encrypts `data` in place and returns the tag of the ciphertext.
    /// `None` only on a broken internal invariant (a debug build panics
    /// first): `data` is then not (or not wholly) encrypted and must not
    /// be sent. Never a made-up tag.
    pub(crate) fn seal(&mut self, data: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        self.start(data.len())?;
        let mut poly = self.authenticator(data.len());
        let tail = self.run(data, Some((&mut poly, Direction::Seal)))?;
        Some(poly.finish(tail.as_slice()?))
    }

    /// Decrypts `data` in place if its tag is `mac` (compared in constant
    /// time); otherwise leaves `data` as it was and returns `false`. On a
    /// broken internal invariant (a debug build panics first) it returns
    /// `false` too, `data` then possibly partly decrypted.
    pub(crate) fn open(&mut self, data: &mut [u8], mac: &[u8; TAG_LEN]) -> bool {
        if self.start(data.len()).is_none() {
            return false;
        }
        let mut poly = self.authenticator(data.len());
        let Some(tail) = self.run(data, Some((&mut poly, Direction::Open))) else {
            return false;
        };
        let Some(tail) = tail.as_slice() else {
            return false;
        };
        let tag = poly.finish(tail);
        let difference = tag.iter().zip(mac).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if core::hint::black_box(difference) == 0 {
            return true;
        }
        // Undo the xor (the same keystream again).
        let _ = self.run(data, None);
        false
    }

    /// Xors `data` with the keystream from byte 32 on, one group at a
    /// time, feeding each chunk's ciphertext to the authenticator if any;
    /// returns the last partial authenticator block, for
    /// [`Poly1305::finish`]. `None` on a broken invariant (a debug build
    /// panics): a group that does not fit, a backend that wrote nothing,
    /// a partial block before the end.
    fn run(&self, data: &mut [u8], mut mac: Option<(&mut Poly1305, Direction)>) -> Option<Tail> {
        let group_len = self.backend.group_len();
        let group_words = group_len / 8;
        let blocks_per_group = (group_len / 64) as u64;
        // The first group's keystream after the Poly1305 key; checked
        // before `data` is touched.
        let first = self
            .first
            .get(POLY_KEY_WORDS..group_words)
            .filter(|stream| !stream.is_empty());
        debug_assert!(
            first.is_some(),
            "{:?}: group of {group_len} bytes",
            self.backend
        );
        let first = first?;
        let mut group = [0u64; MAX_GROUP_WORDS];
        let mut wrote_group = false;
        let mut tail = Tail {
            bytes: [0; BLOCK_LEN],
            len: 0,
        };
        let mut broken = false;
        let mut counter = 0u64;
        let open = matches!(mac, Some((_, Direction::Open)));
        let mut rest = data;
        while !rest.is_empty() {
            let stream = if counter == 0 {
                first
            } else {
                wrote_group = true;
                let written = self.backend.blocks(&self.input, counter, &mut group);
                match group.get(..group_words) {
                    Some(stream) if written => stream,
                    _ => {
                        broken = true;
                        break;
                    }
                }
            };
            let take = (8 * stream.len()).min(rest.len());
            let (chunk, next) = core::mem::take(&mut rest).split_at_mut(take);
            rest = next;
            // Every chunk but the last is whole authenticator blocks.
            let whole = chunk.len() - chunk.len() % BLOCK_LEN;
            if whole != chunk.len() && !rest.is_empty() {
                broken = true;
                break;
            }
            let mut authenticate = |chunk: &[u8]| {
                if let Some((poly, _)) = mac.as_mut() {
                    let (blocks, partial) = chunk.split_at(whole);
                    poly.blocks(blocks);
                    match tail.bytes.get_mut(..partial.len()) {
                        Some(dst) => {
                            dst.copy_from_slice(partial);
                            tail.len = partial.len();
                        }
                        None => broken = true,
                    }
                }
            };
            if open {
                authenticate(chunk);
            }
            xor(chunk, stream);
            if !open {
                authenticate(chunk);
            }
            counter = counter.wrapping_add(blocks_per_group);
        }
        // Only if a backend wrote into it (the volatile writes cost about
        // a cycle per byte), and all of it if the written part is unknown.
        if wrote_group {
            match group.get_mut(..group_words) {
                Some(written) => written.zeroize(),
                None => group.zeroize(),
            }
        }
        debug_assert!(!broken, "{:?}: keystream run broke off", self.backend);
        (!broken).then_some(tail)
    }
}

/// The last partial authenticator block of a box (ciphertext, under 16
/// bytes, possibly none).
struct Tail {
    bytes: [u8; BLOCK_LEN],
    len: usize,
}

impl Tail {
    /// The partial block; `None` if `len` is out of range (never: `run`
    /// sets it from a slice of `bytes`).
    fn as_slice(&self) -> Option<&[u8]> {
        self.bytes.get(..self.len)
    }
}

impl Drop for BoxStream {
    fn drop(&mut self) {
        self.input.zeroize();
        // The part of the first group a backend wrote, or all of it.
        match self.first.get_mut(..self.backend.group_len() / 8) {
            Some(written) => written.zeroize(),
            None => self.first.zeroize(),
        }
    }
}

/// Xors `data` with the keystream bytes of `stream` (little-endian
/// words, at least `data.len()` bytes of them).
fn xor(data: &mut [u8], stream: &[u64]) {
    let mut whole = data.chunks_exact_mut(8);
    let mut words = stream.iter();
    for (bytes, word) in (&mut whole).zip(&mut words) {
        let mut d = [0u8; 8];
        d.copy_from_slice(bytes);
        bytes.copy_from_slice(&(u64::from_le_bytes(d) ^ word).to_le_bytes());
    }
    if let Some(word) = words.next() {
        for (d, k) in whole.into_remainder().iter_mut().zip(word.to_le_bytes()) {
            *d ^= k;
        }
    }
}

/// Every backend this CPU runs, the portable one first (for the tests
/// and the fuzz targets).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn backends() -> Vec<Backend> {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut all = vec![Backend::Portable];
    #[cfg(target_arch = "x86_64")]
    {
        all.push(Backend::Sse2);
        if std::arch::is_x86_feature_detected!("avx2") {
            all.push(Backend::Avx2);
        }
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("avx512f")
        {
            all.push(Backend::Avx512);
        }
    }
    all
}

/// Our secretbox on one backend, for the fuzz targets: seals `data` in
/// place and returns the tag (`None`: a broken invariant).
#[cfg(feature = "fuzzing")]
pub(crate) fn seal_with(
    backend: Backend,
    key: &[u8; 32],
    nonce: &[u8; 24],
    data: &mut [u8],
) -> Option<[u8; TAG_LEN]> {
    BoxStream::with_backend(backend, key, nonce).seal(data)
}

/// Our secretbox on one backend, for the fuzz targets: opens `data` in
/// place if `mac` verifies.
#[cfg(feature = "fuzzing")]
pub(crate) fn open_with(
    backend: Backend,
    key: &[u8; 32],
    nonce: &[u8; 24],
    data: &mut [u8],
    mac: &[u8; TAG_LEN],
) -> bool {
    BoxStream::with_backend(backend, key, nonce).open(data, mac)
}

/// Throughput of the backends and of Poly1305 (ignored by default).
#[cfg(test)]
mod bench;
/// The backends against each other and the RustCrypto crates.
#[cfg(test)]
mod tests;
