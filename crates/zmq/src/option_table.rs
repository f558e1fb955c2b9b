//! The socket option table: one row per `ZMQ_*` socket option, the single
//! source of its C number, value type and size rules, default, valid
//! range, the socket types that take it, whether it can be set and/or
//! read, the layer it configures, and the typed [`Socket`] accessors that
//! implement it.
//!
//! The C ABI (`zmq_setsockopt` / `zmq_getsockopt` in `zmq-capi`) is a thin
//! byte-level layer over [`set_option`] and [`get_option`]; the option list
//! of `docs/options.md` is [`markdown_table`]. An option is in [`OPTIONS`]
//! or in [`NOT_BUILT`] (EINVAL both ways, as a libzmq built without the
//! feature); every other number is EINVAL too.

use crate::error::{Error, Result};
use crate::options::Mechanism;
use crate::socket::Socket;
use zmq_patterns::SocketType as K;

/// How an option's value travels through `zmq_setsockopt` /
/// `zmq_getsockopt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// `int`: exactly `sizeof(int)` bytes in and out.
    Int,
    /// `int` reported by the socket itself (`ZMQ_RCVMORE`, `ZMQ_FD`, ...):
    /// a larger read buffer is accepted, the rest zeroed.
    SocketInt,
    /// `int` read from the first `sizeof(int)` bytes whatever the size
    /// (libzmq's XSUB reads an `int` so); missing bytes read as zero.
    LooseInt,
    /// `int64_t`: exactly 8 bytes.
    Int64,
    /// `uint64_t`: exactly 8 bytes.
    Uint64,
    /// Bytes (a NULL pointer with size 0 is distinct from an empty value
    /// where libzmq makes it so); read back at least as long, rest zeroed.
    Binary,
    /// A C string: set as bytes, read back with its terminating NUL.
    Text,
    /// A CURVE key: 32 bytes, or 40 Z85 characters (41 with a NUL); read
    /// into a 32-byte (binary) or 41-byte (Z85) buffer only.
    CurveKey,
}

impl ValueType {
    /// The name used in `docs/options.md`.
    pub const fn doc(self) -> &'static str {
        match self {
            ValueType::Int | ValueType::SocketInt => "int",
            ValueType::LooseInt => "int (any size)",
            ValueType::Int64 => "int64",
            ValueType::Uint64 => "uint64",
            ValueType::Binary => "binary",
            ValueType::Text => "text",
            ValueType::CurveKey => "curve key",
        }
    }
}

/// The values an option takes. [`check`] enforces it for `int` and
/// byte values, for the C path and the typed [`Socket`] setters alike;
/// a [`Range::Rule`] is documentation, enforced by the setter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// Any value of the type.
    Any,
    /// An `int` at least this.
    AtLeast(i32),
    /// An `int` in `lo..=hi`.
    Between(i32, i32),
    /// An `int` that must be 0 or 1 (libzmq's strict bool).
    Bool,
    /// An `int` where 0 is off and anything else on (libzmq's relaxed
    /// bool).
    AnyBool,
    /// An `int` where 0 is off, > 0 on, < 0 EINVAL.
    NonNegativeBool,
    /// A length in bytes in `lo..=hi` (a NULL value has length 0).
    Length(usize, usize),
    /// NULL (with size 0; the row's note says what it does), or a length
    /// in `lo..=hi`.
    NullOr(usize, usize),
    /// Checked by the setter; the text says how.
    Rule(&'static str),
}

impl Range {
    /// Whether an `int` value is in range.
    pub fn admits(self, value: i32) -> bool {
        match self {
            Range::AtLeast(min) => value >= min,
            Range::Between(lo, hi) => (lo..=hi).contains(&value),
            Range::Bool => value == 0 || value == 1,
            Range::NonNegativeBool => value >= 0,
            Range::Any
            | Range::AnyBool
            | Range::Length(..)
            | Range::NullOr(..)
            | Range::Rule(_) => true,
        }
    }

    /// Whether a byte value (`None`: NULL with size 0) is in range.
    pub fn admits_bytes(self, value: Option<&[u8]>) -> bool {
        match (self, value) {
            (Range::Length(lo, hi), v) => (lo..=hi).contains(&v.map_or(0, <[u8]>::len)),
            (Range::NullOr(..), None) => true,
            (Range::NullOr(lo, hi), Some(b)) => (lo..=hi).contains(&b.len()),
            _ => true,
        }
    }

    /// An `int` just outside the range on each side, if any (the values
    /// the agreement test of the typed accessors tries).
    pub fn int_outside(self) -> Vec<i32> {
        match self {
            Range::AtLeast(min) => min.checked_sub(1).into_iter().chain([i32::MIN]).collect(),
            Range::Between(lo, hi) => [lo.checked_sub(1), hi.checked_add(1), Some(i32::MIN)]
                .into_iter()
                .flatten()
                .collect(),
            Range::Bool => vec![-1, 2, i32::MAX],
            Range::NonNegativeBool => vec![-1, i32::MIN],
            _ => Vec::new(),
        }
    }

    /// Byte lengths just outside the range, if any.
    pub fn len_outside(self) -> Vec<usize> {
        match self {
            Range::Length(lo, hi) | Range::NullOr(lo, hi) => lo
                .checked_sub(1)
                .into_iter()
                .chain(hi.checked_add(1).filter(|&n| n < 1 << 16))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn doc(self) -> String {
        match self {
            Range::Any => "any".into(),
            Range::AtLeast(min) => format!("≥ {min}"),
            Range::Between(lo, hi) => format!("{lo}..{hi}"),
            Range::Bool => "0, 1".into(),
            Range::AnyBool => "0 off, other on".into(),
            Range::NonNegativeBool => "0 off, > 0 on".into(),
            Range::Length(lo, hi) if hi == usize::MAX => format!("≥ {lo} bytes"),
            Range::Length(lo, hi) => format!("{lo}..{hi} bytes"),
            Range::NullOr(lo, hi) if hi == usize::MAX => format!("NULL, or ≥ {lo} bytes"),
            Range::NullOr(lo, hi) if lo == hi => format!("NULL, or {lo} bytes"),
            Range::NullOr(lo, hi) => format!("NULL, or {lo}..{hi} bytes"),
            Range::Rule(text) => text.into(),
        }
    }
}

/// The part of the library an option configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// The socket itself (queues, timeouts, its own state).
    Socket,
    /// The messaging pattern (`zmq-patterns`).
    Pattern,
    /// The session of each connection (reconnects, notifications).
    Session,
    /// The ZMTP engine of each connection (handshake, heartbeats).
    Engine,
    /// The transports (`zmq-transports`: tcp/ipc sockets, SOCKS).
    Transport,
    /// The security mechanism (`zmq-mechanisms`).
    Mechanism,
    /// Validated and stored; the feature it tunes is not built
    /// (pgm/norm multicast) or our engine does the job its own way.
    Stored,
}

impl Layer {
    const fn doc(self) -> &'static str {
        match self {
            Layer::Socket => "socket",
            Layer::Pattern => "pattern",
            Layer::Session => "session",
            Layer::Engine => "engine",
            Layer::Transport => "transport",
            Layer::Mechanism => "mechanism",
            Layer::Stored => "stored only",
        }
    }
}

/// An option's value as given to `zmq_setsockopt`, decoded by its
/// [`ValueType`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg<'a> {
    /// `int` (checked against the row's [`Range`]).
    Int(i32),
    /// `int64_t`.
    Int64(i64),
    /// `uint64_t`.
    Uint64(u64),
    /// Bytes; `None` for a NULL pointer (with size 0).
    Bytes(Option<&'a [u8]>),
}

impl<'a> Arg<'a> {
    /// The `int`.
    pub fn int(self) -> Result<i32> {
        match self {
            Arg::Int(v) => Ok(v),
            _ => Err(Error::Inval),
        }
    }

    /// The `int` as a bool (non-zero is on; the range did the rest).
    pub fn flag(self) -> Result<bool> {
        self.int().map(|v| v != 0)
    }

    /// The bytes, or `None` for a NULL pointer.
    pub fn raw(self) -> Result<Option<&'a [u8]>> {
        match self {
            Arg::Bytes(b) => Ok(b),
            _ => Err(Error::Inval),
        }
    }

    /// The bytes (a NULL pointer reads as empty).
    pub fn bytes(self) -> Result<&'a [u8]> {
        self.raw().map(Option::unwrap_or_default)
    }

    fn int64(self) -> Result<i64> {
        match self {
            Arg::Int64(v) => Ok(v),
            _ => Err(Error::Inval),
        }
    }

    fn uint64(self) -> Result<u64> {
        match self {
            Arg::Uint64(v) => Ok(v),
            _ => Err(Error::Inval),
        }
    }
}

/// A value read from an option, with its size rule for the caller's
/// buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionValue {
    /// `int`, the buffer must be exactly 4 bytes.
    Int(i32),
    /// `int` reported by the socket: the buffer may be larger; the rest
    /// is zeroed.
    SocketInt(i32),
    /// `int64_t`, exactly 8 bytes.
    Int64(i64),
    /// `uint64_t`, exactly 8 bytes.
    Uint64(u64),
    /// Bytes, the buffer at least as long; the rest is zeroed.
    Binary(Vec<u8>),
    /// Text with its terminating NUL, the buffer at least as long.
    Text(Vec<u8>),
    /// A CURVE key: binary into a 32-byte buffer, Z85 and a NUL into a
    /// 41-byte one; other sizes are EINVAL.
    CurveKey([u8; 32]),
}

impl OptionValue {
    /// Writes the value into the caller's buffer by libzmq's rules and
    /// returns the size written; EINVAL when the buffer has the wrong
    /// size.
    pub fn write(&self, out: &mut [u8]) -> Result<usize> {
        fn exact(bytes: &[u8], out: &mut [u8]) -> Result<usize> {
            if out.len() != bytes.len() {
                return Err(Error::Inval);
            }
            out.copy_from_slice(bytes);
            Ok(bytes.len())
        }
        fn at_least(bytes: &[u8], out: &mut [u8]) -> Result<usize> {
            let (head, rest) = out.split_at_mut_checked(bytes.len()).ok_or(Error::Inval)?;
            head.copy_from_slice(bytes);
            rest.fill(0);
            Ok(bytes.len())
        }
        match self {
            OptionValue::Int(v) => exact(&v.to_ne_bytes(), out),
            OptionValue::Int64(v) => exact(&v.to_ne_bytes(), out),
            OptionValue::Uint64(v) => exact(&v.to_ne_bytes(), out),
            OptionValue::SocketInt(v) => at_least(&v.to_ne_bytes(), out),
            OptionValue::Binary(bytes) => at_least(bytes, out),
            OptionValue::Text(text) => {
                let mut with_nul = Vec::with_capacity(text.len() + 1);
                with_nul.extend_from_slice(text);
                with_nul.push(0);
                at_least(&with_nul, out)
            }
            OptionValue::CurveKey(key) => match out.len() {
                32 => exact(key, out),
                41 => {
                    let text = zmq_mechanisms::z85::encode(key).map_err(|_| Error::Inval)?;
                    let mut with_nul = text.into_bytes();
                    with_nul.push(0);
                    exact(&with_nul, out)
                }
                _ => Err(Error::Inval),
            },
        }
    }
}

/// Sets an option from its decoded value.
pub type Setter = fn(&Socket, Arg<'_>) -> Result<()>;
/// Reads an option.
pub type Getter = fn(&Socket) -> Result<OptionValue>;

/// Socket types (empty: every type).
pub type Sockets = &'static [K];

/// Every socket type.
pub const ALL: Sockets = &[];

/// One socket option.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    /// `ZMQ_` name (aliases after a space).
    pub name: &'static str,
    /// The `zmq.h` number.
    pub number: i32,
    /// C value type and size rules.
    pub ty: ValueType,
    /// libzmq's default, as documented.
    pub default: &'static str,
    /// Valid values.
    pub range: Range,
    /// What the value is, beyond its range (documentation only).
    pub note: &'static str,
    /// Socket types that accept `zmq_setsockopt` (others: EINVAL).
    pub set_on: Sockets,
    /// Socket types that accept `zmq_getsockopt` (others: EINVAL).
    pub get_on: Sockets,
    /// The layer the option configures.
    pub layer: Layer,
    /// The typed Rust accessors (`Socket::`).
    pub rust: &'static str,
    /// The setter; `None` for read-only options.
    pub set: Option<Setter>,
    /// The getter; `None` for write-only options.
    pub get: Option<Getter>,
}

impl OptionSpec {
    const fn new(name: &'static str, number: i32, ty: ValueType) -> OptionSpec {
        OptionSpec {
            name,
            number,
            ty,
            default: "—",
            range: Range::Any,
            note: "",
            set_on: ALL,
            get_on: ALL,
            layer: Layer::Socket,
            rust: "",
            set: None,
            get: None,
        }
    }
    const fn default(mut self, default: &'static str) -> Self {
        self.default = default;
        self
    }
    const fn range(mut self, range: Range) -> Self {
        self.range = range;
        self
    }
    const fn note(mut self, note: &'static str) -> Self {
        self.note = note;
        self
    }
    const fn layer(mut self, layer: Layer) -> Self {
        self.layer = layer;
        self
    }
    const fn rust(mut self, rust: &'static str) -> Self {
        self.rust = rust;
        self
    }
    const fn on(mut self, sockets: Sockets) -> Self {
        self.set_on = sockets;
        self.get_on = sockets;
        self
    }
    const fn set_on(mut self, sockets: Sockets) -> Self {
        self.set_on = sockets;
        self
    }
    const fn set(mut self, set: Setter) -> Self {
        self.set = Some(set);
        self
    }
    const fn get(mut self, get: Getter) -> Self {
        self.get = Some(get);
        self
    }

    /// "set", "get" or "set/get".
    pub fn access(&self) -> &'static str {
        match (self.set.is_some(), self.get.is_some()) {
            (true, true) => "set/get",
            (true, false) => "set",
            (false, true) => "get",
            (false, false) => "—",
        }
    }
}

const fn int(name: &'static str, number: i32) -> OptionSpec {
    OptionSpec::new(name, number, ValueType::Int)
}

const fn bytes(name: &'static str, number: i32) -> OptionSpec {
    OptionSpec::new(name, number, ValueType::Binary)
}

const fn text(name: &'static str, number: i32) -> OptionSpec {
    OptionSpec::new(name, number, ValueType::Text)
}

fn flag(on: bool) -> OptionValue {
    OptionValue::Int(i32::from(on))
}

fn text_value(text: impl Into<Vec<u8>>) -> OptionValue {
    OptionValue::Text(text.into())
}

fn curve_key(key: Vec<u8>) -> Result<OptionValue> {
    let key: [u8; 32] = key.try_into().map_err(|_| Error::Inval)?;
    Ok(OptionValue::CurveKey(key))
}

/// An IPC filter value: NULL with size 0 clears, otherwise exactly 4
/// bytes.
fn id_arg(arg: Arg<'_>) -> Result<Option<u32>> {
    match arg.raw()? {
        None => Ok(None),
        Some(b) => Ok(Some(u32::from_ne_bytes(
            b.try_into().map_err(|_| Error::Inval)?,
        ))),
    }
}

/// Strict bools of the table (0 or 1).
const BOOL: Range = Range::Bool;
const XPUB: Sockets = &[K::XPub, K::Pub];

/// The `zmq.h` numbers of the options in [`OPTIONS`].
#[allow(missing_docs)]
pub mod num {
    pub const ZMQ_AFFINITY: i32 = 4;
    pub const ZMQ_ROUTING_ID: i32 = 5;
    pub const ZMQ_SUBSCRIBE: i32 = 6;
    pub const ZMQ_UNSUBSCRIBE: i32 = 7;
    pub const ZMQ_RATE: i32 = 8;
    pub const ZMQ_RECOVERY_IVL: i32 = 9;
    pub const ZMQ_SNDBUF: i32 = 11;
    pub const ZMQ_RCVBUF: i32 = 12;
    pub const ZMQ_RCVMORE: i32 = 13;
    pub const ZMQ_FD: i32 = 14;
    pub const ZMQ_EVENTS: i32 = 15;
    pub const ZMQ_TYPE: i32 = 16;
    pub const ZMQ_LINGER: i32 = 17;
    pub const ZMQ_RECONNECT_IVL: i32 = 18;
    pub const ZMQ_BACKLOG: i32 = 19;
    pub const ZMQ_RECONNECT_IVL_MAX: i32 = 21;
    pub const ZMQ_MAXMSGSIZE: i32 = 22;
    pub const ZMQ_SNDHWM: i32 = 23;
    pub const ZMQ_RCVHWM: i32 = 24;
    pub const ZMQ_MULTICAST_HOPS: i32 = 25;
    pub const ZMQ_RCVTIMEO: i32 = 27;
    pub const ZMQ_SNDTIMEO: i32 = 28;
    pub const ZMQ_IPV4ONLY: i32 = 31;
    pub const ZMQ_LAST_ENDPOINT: i32 = 32;
    pub const ZMQ_ROUTER_MANDATORY: i32 = 33;
    pub const ZMQ_TCP_KEEPALIVE: i32 = 34;
    pub const ZMQ_TCP_KEEPALIVE_CNT: i32 = 35;
    pub const ZMQ_TCP_KEEPALIVE_IDLE: i32 = 36;
    pub const ZMQ_TCP_KEEPALIVE_INTVL: i32 = 37;
    pub const ZMQ_TCP_ACCEPT_FILTER: i32 = 38;
    pub const ZMQ_IMMEDIATE: i32 = 39;
    pub const ZMQ_XPUB_VERBOSE: i32 = 40;
    pub const ZMQ_ROUTER_RAW: i32 = 41;
    pub const ZMQ_IPV6: i32 = 42;
    pub const ZMQ_MECHANISM: i32 = 43;
    pub const ZMQ_PLAIN_SERVER: i32 = 44;
    pub const ZMQ_PLAIN_USERNAME: i32 = 45;
    pub const ZMQ_PLAIN_PASSWORD: i32 = 46;
    pub const ZMQ_CURVE_SERVER: i32 = 47;
    pub const ZMQ_CURVE_PUBLICKEY: i32 = 48;
    pub const ZMQ_CURVE_SECRETKEY: i32 = 49;
    pub const ZMQ_CURVE_SERVERKEY: i32 = 50;
    pub const ZMQ_PROBE_ROUTER: i32 = 51;
    pub const ZMQ_REQ_CORRELATE: i32 = 52;
    pub const ZMQ_REQ_RELAXED: i32 = 53;
    pub const ZMQ_CONFLATE: i32 = 54;
    pub const ZMQ_ZAP_DOMAIN: i32 = 55;
    pub const ZMQ_ROUTER_HANDOVER: i32 = 56;
    pub const ZMQ_TOS: i32 = 57;
    pub const ZMQ_IPC_FILTER_PID: i32 = 58;
    pub const ZMQ_IPC_FILTER_UID: i32 = 59;
    pub const ZMQ_IPC_FILTER_GID: i32 = 60;
    pub const ZMQ_CONNECT_ROUTING_ID: i32 = 61;
    pub const ZMQ_GSSAPI_SERVER: i32 = 62;
    pub const ZMQ_GSSAPI_PRINCIPAL: i32 = 63;
    pub const ZMQ_GSSAPI_SERVICE_PRINCIPAL: i32 = 64;
    pub const ZMQ_GSSAPI_PLAINTEXT: i32 = 65;
    pub const ZMQ_HANDSHAKE_IVL: i32 = 66;
    pub const ZMQ_SOCKS_PROXY: i32 = 68;
    pub const ZMQ_XPUB_NODROP: i32 = 69;
    pub const ZMQ_XPUB_MANUAL: i32 = 71;
    pub const ZMQ_XPUB_WELCOME_MSG: i32 = 72;
    pub const ZMQ_STREAM_NOTIFY: i32 = 73;
    pub const ZMQ_INVERT_MATCHING: i32 = 74;
    pub const ZMQ_HEARTBEAT_IVL: i32 = 75;
    pub const ZMQ_HEARTBEAT_TTL: i32 = 76;
    pub const ZMQ_HEARTBEAT_TIMEOUT: i32 = 77;
    pub const ZMQ_XPUB_VERBOSER: i32 = 78;
    pub const ZMQ_CONNECT_TIMEOUT: i32 = 79;
    pub const ZMQ_TCP_MAXRT: i32 = 80;
    pub const ZMQ_THREAD_SAFE: i32 = 81;
    pub const ZMQ_MULTICAST_MAXTPDU: i32 = 84;
    pub const ZMQ_VMCI_BUFFER_SIZE: i32 = 85;
    pub const ZMQ_VMCI_BUFFER_MIN_SIZE: i32 = 86;
    pub const ZMQ_VMCI_BUFFER_MAX_SIZE: i32 = 87;
    pub const ZMQ_VMCI_CONNECT_TIMEOUT: i32 = 88;
    pub const ZMQ_USE_FD: i32 = 89;
    pub const ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: i32 = 90;
    pub const ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: i32 = 91;
    pub const ZMQ_BINDTODEVICE: i32 = 92;
    pub const ZMQ_ZAP_ENFORCE_DOMAIN: i32 = 93;
    pub const ZMQ_LOOPBACK_FASTPATH: i32 = 94;
    pub const ZMQ_METADATA: i32 = 95;
    pub const ZMQ_MULTICAST_LOOP: i32 = 96;
    pub const ZMQ_ROUTER_NOTIFY: i32 = 97;
    pub const ZMQ_XPUB_MANUAL_LAST_VALUE: i32 = 98;
    pub const ZMQ_SOCKS_USERNAME: i32 = 99;
    pub const ZMQ_SOCKS_PASSWORD: i32 = 100;
    pub const ZMQ_IN_BATCH_SIZE: i32 = 101;
    pub const ZMQ_OUT_BATCH_SIZE: i32 = 102;
    pub const ZMQ_WSS_KEY_PEM: i32 = 103;
    pub const ZMQ_WSS_CERT_PEM: i32 = 104;
    pub const ZMQ_WSS_TRUST_PEM: i32 = 105;
    pub const ZMQ_WSS_HOSTNAME: i32 = 106;
    pub const ZMQ_WSS_TRUST_SYSTEM: i32 = 107;
    pub const ZMQ_ONLY_FIRST_SUBSCRIBE: i32 = 108;
    pub const ZMQ_RECONNECT_STOP: i32 = 109;
    pub const ZMQ_HELLO_MSG: i32 = 110;
    pub const ZMQ_DISCONNECT_MSG: i32 = 111;
    pub const ZMQ_PRIORITY: i32 = 112;
    pub const ZMQ_BUSY_POLL: i32 = 113;
    pub const ZMQ_HICCUP_MSG: i32 = 114;
    pub const ZMQ_XSUB_VERBOSE_UNSUBSCRIBE: i32 = 115;
    pub const ZMQ_TOPICS_COUNT: i32 = 116;
    pub const ZMQ_NORM_MODE: i32 = 117;
    pub const ZMQ_NORM_UNICAST_NACK: i32 = 118;
    pub const ZMQ_NORM_BUFFER_SIZE: i32 = 119;
    pub const ZMQ_NORM_SEGMENT_SIZE: i32 = 120;
    pub const ZMQ_NORM_BLOCK_SIZE: i32 = 121;
    pub const ZMQ_NORM_NUM_PARITY: i32 = 122;
    pub const ZMQ_NORM_NUM_AUTOPARITY: i32 = 123;
    pub const ZMQ_NORM_PUSH: i32 = 124;
}

/// Every socket option built here, by number.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec::new("ZMQ_AFFINITY", num::ZMQ_AFFINITY, ValueType::Uint64)
        .default("0")
        .rust("set_affinity/get_affinity")
        .set(|s, v| s.set_affinity(v.uint64()?))
        .get(|s| Ok(OptionValue::Uint64(s.get_affinity()?))),
    bytes("ZMQ_ROUTING_ID ZMQ_IDENTITY", num::ZMQ_ROUTING_ID)
        .default("empty")
        .range(Range::Length(1, 255))
        .layer(Layer::Engine)
        .rust("set_routing_id/get_identity")
        .set(|s, v| s.set_identity(v.bytes()?))
        .get(|s| Ok(OptionValue::Binary(s.get_identity()?))),
    bytes("ZMQ_SUBSCRIBE", num::ZMQ_SUBSCRIBE)
        .set_on(&[K::Sub, K::XPub, K::Pub])
        .range(Range::Rule(
            "any prefix; XPUB/PUB only with ZMQ_XPUB_MANUAL",
        ))
        .layer(Layer::Pattern)
        .rust("set_subscribe")
        .set(|s, v| s.set_subscribe(v.bytes()?)),
    bytes("ZMQ_UNSUBSCRIBE", num::ZMQ_UNSUBSCRIBE)
        .set_on(&[K::Sub, K::XPub, K::Pub])
        .range(Range::Rule(
            "any prefix; XPUB/PUB only with ZMQ_XPUB_MANUAL",
        ))
        .layer(Layer::Pattern)
        .rust("set_unsubscribe")
        .set(|s, v| s.set_unsubscribe(v.bytes()?)),
    int("ZMQ_RATE", num::ZMQ_RATE)
        .default("100")
        .range(Range::AtLeast(1))
        .note("pgm/epgm (`pgm` feature), as libzmq's pgm_socket; stored without it")
        .layer(Layer::Stored)
        .rust("set_rate/get_rate")
        .set(|s, v| s.set_rate(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_rate()?))),
    int("ZMQ_RECOVERY_IVL", num::ZMQ_RECOVERY_IVL)
        .default("10000")
        .range(Range::AtLeast(0))
        .note("pgm/epgm (`pgm` feature), as libzmq's pgm_socket; stored without it")
        .layer(Layer::Stored)
        .rust("set_recovery_ivl/get_recovery_ivl")
        .set(|s, v| s.set_recovery_ivl(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_recovery_ivl()?))),
    int("ZMQ_SNDBUF", num::ZMQ_SNDBUF)
        .default("-1")
        .range(Range::AtLeast(-1))
        .layer(Layer::Transport)
        .rust("set_sndbuf/get_sndbuf")
        .set(|s, v| s.set_sndbuf(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_sndbuf()?))),
    int("ZMQ_RCVBUF", num::ZMQ_RCVBUF)
        .default("-1")
        .range(Range::AtLeast(-1))
        .layer(Layer::Transport)
        .rust("set_rcvbuf/get_rcvbuf")
        .set(|s, v| s.set_rcvbuf(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_rcvbuf()?))),
    OptionSpec::new("ZMQ_RCVMORE", num::ZMQ_RCVMORE, ValueType::SocketInt)
        .default("0")
        .rust("get_rcvmore")
        .get(|s| Ok(OptionValue::SocketInt(i32::from(s.get_rcvmore()?)))),
    OptionSpec::new("ZMQ_FD", num::ZMQ_FD, ValueType::SocketInt)
        .range(Range::Rule("EINVAL on thread-safe types"))
        .rust("get_fd")
        .get(|s| {
            if s.get_thread_safe()? {
                return Err(Error::Inval);
            }
            Ok(OptionValue::SocketInt(s.get_fd()?))
        }),
    OptionSpec::new("ZMQ_EVENTS", num::ZMQ_EVENTS, ValueType::SocketInt)
        .rust("get_events")
        .get(|s| Ok(OptionValue::SocketInt(i32::from(s.get_events()?.bits())))),
    int("ZMQ_TYPE", num::ZMQ_TYPE)
        .rust("get_socket_type")
        .get(|s| Ok(OptionValue::Int(s.get_socket_type()?.to_raw()))),
    int("ZMQ_LINGER", num::ZMQ_LINGER)
        .default("-1")
        .range(Range::AtLeast(-1))
        .rust("set_linger/get_linger")
        .set(|s, v| s.set_linger(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_linger()?))),
    int("ZMQ_RECONNECT_IVL", num::ZMQ_RECONNECT_IVL)
        .default("100")
        .range(Range::AtLeast(-1))
        .layer(Layer::Session)
        .rust("set_reconnect_ivl/get_reconnect_ivl")
        .set(|s, v| s.set_reconnect_ivl(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_reconnect_ivl()?))),
    int("ZMQ_BACKLOG", num::ZMQ_BACKLOG)
        .default("100")
        .range(Range::AtLeast(0))
        .layer(Layer::Transport)
        .rust("set_backlog/get_backlog")
        .set(|s, v| s.set_backlog(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_backlog()?))),
    int("ZMQ_RECONNECT_IVL_MAX", num::ZMQ_RECONNECT_IVL_MAX)
        .default("0")
        .range(Range::AtLeast(0))
        .layer(Layer::Session)
        .rust("set_reconnect_ivl_max/get_reconnect_ivl_max")
        .set(|s, v| s.set_reconnect_ivl_max(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_reconnect_ivl_max()?))),
    OptionSpec::new("ZMQ_MAXMSGSIZE", num::ZMQ_MAXMSGSIZE, ValueType::Int64)
        .default("-1")
        .range(Range::Rule("any; negative: unlimited"))
        .layer(Layer::Engine)
        .rust("set_maxmsgsize/get_maxmsgsize")
        .set(|s, v| s.set_maxmsgsize(v.int64()?))
        .get(|s| Ok(OptionValue::Int64(s.get_maxmsgsize()?))),
    int("ZMQ_SNDHWM", num::ZMQ_SNDHWM)
        .default("1000")
        .range(Range::AtLeast(0))
        .rust("set_sndhwm/get_sndhwm")
        .set(|s, v| s.set_sndhwm(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_sndhwm()?))),
    int("ZMQ_RCVHWM", num::ZMQ_RCVHWM)
        .default("1000")
        .range(Range::AtLeast(0))
        .rust("set_rcvhwm/get_rcvhwm")
        .set(|s, v| s.set_rcvhwm(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_rcvhwm()?))),
    int("ZMQ_MULTICAST_HOPS", num::ZMQ_MULTICAST_HOPS)
        .default("1")
        .range(Range::AtLeast(1))
        .note("TTL / hop limit of udp multicast (RADIO) and pgm/epgm (`pgm` feature); no norm")
        .layer(Layer::Transport)
        .rust("set_multicast_hops/get_multicast_hops")
        .set(|s, v| s.set_multicast_hops(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_multicast_hops()?))),
    int("ZMQ_RCVTIMEO", num::ZMQ_RCVTIMEO)
        .default("-1")
        .range(Range::AtLeast(-1))
        .rust("set_rcvtimeo/get_rcvtimeo")
        .set(|s, v| s.set_rcvtimeo(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_rcvtimeo()?))),
    int("ZMQ_SNDTIMEO", num::ZMQ_SNDTIMEO)
        .default("-1")
        .range(Range::AtLeast(-1))
        .rust("set_sndtimeo/get_sndtimeo")
        .set(|s, v| s.set_sndtimeo(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_sndtimeo()?))),
    int("ZMQ_IPV4ONLY", num::ZMQ_IPV4ONLY)
        .default("1")
        .range(BOOL)
        .layer(Layer::Transport)
        .rust("set_ipv4only/get_ipv4only")
        .set(|s, v| s.set_ipv4only(v.flag()?))
        .get(|s| Ok(flag(s.get_ipv4only()?))),
    text("ZMQ_LAST_ENDPOINT", num::ZMQ_LAST_ENDPOINT)
        .default("\"\"")
        .rust("get_last_endpoint")
        .get(|s| {
            Ok(text_value(match s.get_last_endpoint()? {
                Ok(text) => text.into_bytes(),
                Err(bytes) => bytes,
            }))
        }),
    int(
        "ZMQ_ROUTER_MANDATORY ZMQ_FAIL_UNROUTABLE",
        num::ZMQ_ROUTER_MANDATORY,
    )
    .default("0")
    .range(Range::NonNegativeBool)
    .set_on(&[K::Router, K::Rep])
    .layer(Layer::Pattern)
    .rust("set_router_mandatory")
    .set(|s, v| s.set_router_mandatory(v.flag()?)),
    int("ZMQ_TCP_KEEPALIVE", num::ZMQ_TCP_KEEPALIVE)
        .default("-1")
        .range(Range::Between(-1, 1))
        .layer(Layer::Transport)
        .rust("set_tcp_keepalive/get_tcp_keepalive")
        .set(|s, v| s.set_tcp_keepalive(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_tcp_keepalive()?))),
    int("ZMQ_TCP_KEEPALIVE_CNT", num::ZMQ_TCP_KEEPALIVE_CNT)
        .default("-1")
        .range(Range::AtLeast(-1))
        .layer(Layer::Transport)
        .rust("set_tcp_keepalive_cnt/get_tcp_keepalive_cnt")
        .set(|s, v| s.set_tcp_keepalive_cnt(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_tcp_keepalive_cnt()?))),
    int("ZMQ_TCP_KEEPALIVE_IDLE", num::ZMQ_TCP_KEEPALIVE_IDLE)
        .default("-1")
        .range(Range::AtLeast(-1))
        .layer(Layer::Transport)
        .rust("set_tcp_keepalive_idle/get_tcp_keepalive_idle")
        .set(|s, v| s.set_tcp_keepalive_idle(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_tcp_keepalive_idle()?))),
    int("ZMQ_TCP_KEEPALIVE_INTVL", num::ZMQ_TCP_KEEPALIVE_INTVL)
        .default("-1")
        .range(Range::AtLeast(-1))
        .layer(Layer::Transport)
        .rust("set_tcp_keepalive_intvl/get_tcp_keepalive_intvl")
        .set(|s, v| s.set_tcp_keepalive_intvl(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_tcp_keepalive_intvl()?))),
    text("ZMQ_TCP_ACCEPT_FILTER", num::ZMQ_TCP_ACCEPT_FILTER)
        .default("none")
        .range(Range::NullOr(1, 255))
        .note("`address[/bits]`, IPv6 only with ZMQ_IPV6; NULL clears the list")
        .layer(Layer::Transport)
        .rust("set_tcp_accept_filter/get_tcp_accept_filters")
        .set(|s, v| s.set_tcp_accept_filter(v.raw()?)),
    int(
        "ZMQ_IMMEDIATE ZMQ_DELAY_ATTACH_ON_CONNECT",
        num::ZMQ_IMMEDIATE,
    )
    .default("0")
    .range(BOOL)
    .rust("set_immediate/get_immediate")
    .set(|s, v| s.set_immediate(v.flag()?))
    .get(|s| Ok(flag(s.get_immediate()?))),
    int("ZMQ_XPUB_VERBOSE", num::ZMQ_XPUB_VERBOSE)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(XPUB)
        .layer(Layer::Pattern)
        .rust("set_xpub_verbose")
        .set(|s, v| s.set_xpub_verbose(v.flag()?)),
    int("ZMQ_ROUTER_RAW", num::ZMQ_ROUTER_RAW)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(&[K::Router, K::Rep])
        .layer(Layer::Pattern)
        .rust("set_router_raw")
        .set(|s, v| s.set_router_raw(v.flag()?)),
    int("ZMQ_IPV6", num::ZMQ_IPV6)
        .default("0 (context)")
        .range(BOOL)
        .layer(Layer::Transport)
        .rust("set_ipv6/get_ipv6")
        .set(|s, v| s.set_ipv6(v.flag()?))
        .get(|s| Ok(flag(s.get_ipv6()?))),
    int("ZMQ_MECHANISM", num::ZMQ_MECHANISM)
        .default("ZMQ_NULL")
        .layer(Layer::Mechanism)
        .rust("get_mechanism")
        .get(|s| {
            Ok(OptionValue::Int(match s.get_mechanism()? {
                Mechanism::Null => 0,
                Mechanism::Plain => 1,
                Mechanism::Curve => 2,
                Mechanism::Gssapi => 3,
            }))
        }),
    int("ZMQ_PLAIN_SERVER", num::ZMQ_PLAIN_SERVER)
        .default("0")
        .range(BOOL)
        .layer(Layer::Mechanism)
        .rust("set_plain_server/is_plain_server")
        .set(|s, v| s.set_plain_server(v.flag()?))
        .get(|s| Ok(flag(s.is_plain_server()?))),
    text("ZMQ_PLAIN_USERNAME", num::ZMQ_PLAIN_USERNAME)
        .default("\"\"")
        .range(Range::NullOr(1, 255))
        .note("NULL: back to ZMQ_NULL")
        .layer(Layer::Mechanism)
        .rust("set_plain_username/get_plain_username")
        .set(|s, v| s.set_plain_username(v.raw()?))
        .get(|s| Ok(text_value(s.get_plain_username()?))),
    text("ZMQ_PLAIN_PASSWORD", num::ZMQ_PLAIN_PASSWORD)
        .default("\"\"")
        .range(Range::NullOr(1, 255))
        .note("NULL: back to ZMQ_NULL")
        .layer(Layer::Mechanism)
        .rust("set_plain_password/get_plain_password")
        .set(|s, v| s.set_plain_password(v.raw()?))
        .get(|s| Ok(text_value(s.get_plain_password()?))),
    int("ZMQ_CURVE_SERVER", num::ZMQ_CURVE_SERVER)
        .default("0")
        .range(BOOL)
        .layer(Layer::Mechanism)
        .rust("set_curve_server/is_curve_server")
        .set(|s, v| s.set_curve_server(v.flag()?))
        .get(|s| Ok(flag(s.is_curve_server()?))),
    OptionSpec::new(
        "ZMQ_CURVE_PUBLICKEY",
        num::ZMQ_CURVE_PUBLICKEY,
        ValueType::CurveKey,
    )
    .default("zeros")
    .range(Range::Rule("32 bytes, or 40 Z85 (41 with NUL)"))
    .layer(Layer::Mechanism)
    .rust("set_curve_publickey/get_curve_publickey")
    .set(|s, v| s.set_curve_publickey(v.bytes()?))
    .get(|s| curve_key(s.get_curve_publickey()?)),
    OptionSpec::new(
        "ZMQ_CURVE_SECRETKEY",
        num::ZMQ_CURVE_SECRETKEY,
        ValueType::CurveKey,
    )
    .default("zeros")
    .range(Range::Rule("32 bytes, or 40 Z85 (41 with NUL)"))
    .layer(Layer::Mechanism)
    .rust("set_curve_secretkey/get_curve_secretkey")
    .set(|s, v| s.set_curve_secretkey(v.bytes()?))
    .get(|s| curve_key(s.get_curve_secretkey()?)),
    OptionSpec::new(
        "ZMQ_CURVE_SERVERKEY",
        num::ZMQ_CURVE_SERVERKEY,
        ValueType::CurveKey,
    )
    .default("zeros")
    .range(Range::Rule("32 bytes, or 40 Z85 (41 with NUL)"))
    .layer(Layer::Mechanism)
    .rust("set_curve_serverkey/get_curve_serverkey")
    .set(|s, v| s.set_curve_serverkey(v.bytes()?))
    .get(|s| curve_key(s.get_curve_serverkey()?)),
    int("ZMQ_PROBE_ROUTER", num::ZMQ_PROBE_ROUTER)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(&[K::Router, K::Rep, K::Dealer, K::Req])
        .layer(Layer::Pattern)
        .rust("set_probe_router")
        .set(|s, v| s.set_probe_router(v.flag()?)),
    int("ZMQ_REQ_CORRELATE", num::ZMQ_REQ_CORRELATE)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(&[K::Req])
        .layer(Layer::Pattern)
        .rust("set_req_correlate")
        .set(|s, v| s.set_req_correlate(v.flag()?)),
    int("ZMQ_REQ_RELAXED", num::ZMQ_REQ_RELAXED)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(&[K::Req])
        .layer(Layer::Pattern)
        .rust("set_req_relaxed")
        .set(|s, v| s.set_req_relaxed(v.flag()?)),
    int("ZMQ_CONFLATE", num::ZMQ_CONFLATE)
        .default("0")
        .range(BOOL)
        .layer(Layer::Pattern)
        .rust("set_conflate/get_conflate")
        .set(|s, v| s.set_conflate(v.flag()?))
        .get(|s| Ok(flag(s.get_conflate()?))),
    text("ZMQ_ZAP_DOMAIN", num::ZMQ_ZAP_DOMAIN)
        .default("\"\"")
        .range(Range::Length(1, 255))
        .layer(Layer::Mechanism)
        .rust("set_zap_domain/get_zap_domain")
        .set(|s, v| s.set_zap_domain(v.bytes()?))
        .get(|s| Ok(text_value(s.get_zap_domain()?))),
    int("ZMQ_ROUTER_HANDOVER", num::ZMQ_ROUTER_HANDOVER)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(&[K::Router, K::Rep])
        .layer(Layer::Pattern)
        .rust("set_router_handover")
        .set(|s, v| s.set_router_handover(v.flag()?)),
    int("ZMQ_TOS", num::ZMQ_TOS)
        .default("0")
        .range(Range::AtLeast(0))
        .layer(Layer::Transport)
        .rust("set_tos/get_tos")
        .set(|s, v| s.set_tos(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_tos()?))),
    // As libzmq: the pid filter exists where `SO_PEERCRED` gives a pid,
    // the uid and gid filters also where `LOCAL_PEERCRED` gives the
    // credentials; elsewhere all three are EINVAL (`ipc_peer_filter.rs`).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    bytes("ZMQ_IPC_FILTER_PID", num::ZMQ_IPC_FILTER_PID)
        .default("none")
        .range(Range::NullOr(4, 4))
        .note("a `pid_t`; NULL clears the list")
        .layer(Layer::Transport)
        .rust("set_ipc_filter_pid/get_ipc_filter_pids")
        .set(|s, v| s.set_ipc_filter_pid(id_arg(v)?.map(|pid| pid as i32))),
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))]
    bytes("ZMQ_IPC_FILTER_UID", num::ZMQ_IPC_FILTER_UID)
        .default("none")
        .range(Range::NullOr(4, 4))
        .note("a `uid_t`; NULL clears the list")
        .layer(Layer::Transport)
        .rust("set_ipc_filter_uid/get_ipc_filter_uids")
        .set(|s, v| s.set_ipc_filter_uid(id_arg(v)?)),
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))]
    bytes("ZMQ_IPC_FILTER_GID", num::ZMQ_IPC_FILTER_GID)
        .default("none")
        .range(Range::NullOr(4, 4))
        .note("a `gid_t`; NULL clears the list")
        .layer(Layer::Transport)
        .rust("set_ipc_filter_gid/get_ipc_filter_gids")
        .set(|s, v| s.set_ipc_filter_gid(id_arg(v)?)),
    #[cfg(feature = "gssapi")]
    int("ZMQ_GSSAPI_SERVER", num::ZMQ_GSSAPI_SERVER)
        .default("0")
        .range(BOOL)
        .note("selects ZMQ_GSSAPI, even with 0")
        .layer(Layer::Mechanism)
        .rust("set_gssapi_server/is_gssapi_server")
        .set(|s, v| s.set_gssapi_server(v.flag()?))
        .get(|s| Ok(flag(s.is_gssapi_server()?))),
    #[cfg(feature = "gssapi")]
    text("ZMQ_GSSAPI_PRINCIPAL", num::ZMQ_GSSAPI_PRINCIPAL)
        .default("\"\"")
        .range(Range::Length(1, 255))
        .note("selects ZMQ_GSSAPI")
        .layer(Layer::Mechanism)
        .rust("set_gssapi_principal/get_gssapi_principal")
        .set(|s, v| s.set_gssapi_principal(v.bytes()?))
        .get(|s| Ok(text_value(s.get_gssapi_principal()?))),
    #[cfg(feature = "gssapi")]
    text(
        "ZMQ_GSSAPI_SERVICE_PRINCIPAL",
        num::ZMQ_GSSAPI_SERVICE_PRINCIPAL,
    )
    .default("\"\"")
    .range(Range::Length(1, 255))
    .note("selects ZMQ_GSSAPI as client")
    .layer(Layer::Mechanism)
    .rust("set_gssapi_service_principal/get_gssapi_service_principal")
    .set(|s, v| s.set_gssapi_service_principal(v.bytes()?))
    .get(|s| Ok(text_value(s.get_gssapi_service_principal()?))),
    #[cfg(feature = "gssapi")]
    int("ZMQ_GSSAPI_PLAINTEXT", num::ZMQ_GSSAPI_PLAINTEXT)
        .default("0")
        .range(BOOL)
        .layer(Layer::Mechanism)
        .rust("set_gssapi_plaintext/is_gssapi_plaintext")
        .set(|s, v| s.set_gssapi_plaintext(v.flag()?))
        .get(|s| Ok(flag(s.is_gssapi_plaintext()?))),
    bytes(
        "ZMQ_CONNECT_ROUTING_ID ZMQ_CONNECT_RID",
        num::ZMQ_CONNECT_ROUTING_ID,
    )
    .range(Range::Length(1, usize::MAX))
    .note("any bytes, as libzmq")
    .set_on(&[K::Router, K::Rep, K::Stream])
    .layer(Layer::Pattern)
    .rust("set_connect_routing_id")
    .set(|s, v| s.set_connect_routing_id(v.bytes()?)),
    int("ZMQ_HANDSHAKE_IVL", num::ZMQ_HANDSHAKE_IVL)
        .default("30000")
        .range(Range::AtLeast(0))
        .layer(Layer::Engine)
        .rust("set_handshake_ivl/get_handshake_ivl")
        .set(|s, v| s.set_handshake_ivl(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_handshake_ivl()?))),
    text("ZMQ_SOCKS_PROXY", num::ZMQ_SOCKS_PROXY)
        .default("\"\"")
        .range(Range::NullOr(1, usize::MAX))
        .note("`host:port`, any bytes; NULL clears")
        .layer(Layer::Transport)
        .rust("set_socks_proxy/get_socks_proxy")
        .set(|s, v| s.set_socks_proxy_bytes(v.raw()?))
        .get(|s| Ok(text_value(s.get_socks_proxy_bytes()?))),
    int("ZMQ_XPUB_NODROP", num::ZMQ_XPUB_NODROP)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(&[K::XPub, K::Pub, K::Radio])
        .layer(Layer::Pattern)
        .rust("set_xpub_nodrop")
        .set(|s, v| s.set_xpub_nodrop(v.flag()?)),
    int("ZMQ_XPUB_MANUAL", num::ZMQ_XPUB_MANUAL)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(XPUB)
        .layer(Layer::Pattern)
        .rust("set_xpub_manual")
        .set(|s, v| s.set_xpub_manual(v.flag()?)),
    bytes("ZMQ_XPUB_WELCOME_MSG", num::ZMQ_XPUB_WELCOME_MSG)
        .default("none")
        .range(Range::Rule("any; empty clears"))
        .set_on(XPUB)
        .layer(Layer::Pattern)
        .rust("set_xpub_welcome_msg")
        .set(|s, v| {
            let b = v.bytes()?;
            s.set_xpub_welcome_msg((!b.is_empty()).then_some(b))
        }),
    int("ZMQ_STREAM_NOTIFY", num::ZMQ_STREAM_NOTIFY)
        .default("1")
        .range(BOOL)
        .set_on(&[K::Stream])
        .layer(Layer::Session)
        .rust("set_stream_notify")
        .set(|s, v| s.set_stream_notify(v.flag()?)),
    int("ZMQ_INVERT_MATCHING", num::ZMQ_INVERT_MATCHING)
        .default("0")
        .range(Range::AnyBool)
        .layer(Layer::Pattern)
        .rust("set_invert_matching/get_invert_matching")
        .set(|s, v| s.set_invert_matching(v.flag()?))
        .get(|s| Ok(flag(s.get_invert_matching()?))),
    int("ZMQ_HEARTBEAT_IVL", num::ZMQ_HEARTBEAT_IVL)
        .default("0")
        .range(Range::AtLeast(0))
        .layer(Layer::Engine)
        .rust("set_heartbeat_ivl/get_heartbeat_ivl")
        .set(|s, v| s.set_heartbeat_ivl(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_heartbeat_ivl()?))),
    int("ZMQ_HEARTBEAT_TTL", num::ZMQ_HEARTBEAT_TTL)
        .default("0")
        .range(Range::Between(-99, 6_553_599))
        .layer(Layer::Engine)
        .rust("set_heartbeat_ttl/get_heartbeat_ttl")
        .set(|s, v| s.set_heartbeat_ttl(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_heartbeat_ttl()?))),
    int("ZMQ_HEARTBEAT_TIMEOUT", num::ZMQ_HEARTBEAT_TIMEOUT)
        .default("-1")
        .range(Range::AtLeast(0))
        .layer(Layer::Engine)
        .rust("set_heartbeat_timeout/get_heartbeat_timeout")
        .set(|s, v| s.set_heartbeat_timeout(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_heartbeat_timeout()?))),
    int("ZMQ_XPUB_VERBOSER", num::ZMQ_XPUB_VERBOSER)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(XPUB)
        .layer(Layer::Pattern)
        .rust("set_xpub_verboser")
        .set(|s, v| s.set_xpub_verboser(v.flag()?)),
    int("ZMQ_CONNECT_TIMEOUT", num::ZMQ_CONNECT_TIMEOUT)
        .default("0")
        .range(Range::AtLeast(0))
        .layer(Layer::Transport)
        .rust("set_connect_timeout/get_connect_timeout")
        .set(|s, v| s.set_connect_timeout(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_connect_timeout()?))),
    int("ZMQ_TCP_MAXRT", num::ZMQ_TCP_MAXRT)
        .default("0")
        .range(Range::AtLeast(0))
        .layer(Layer::Transport)
        .rust("set_tcp_maxrt/get_tcp_maxrt")
        .set(|s, v| s.set_tcp_maxrt(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_tcp_maxrt()?))),
    OptionSpec::new(
        "ZMQ_THREAD_SAFE",
        num::ZMQ_THREAD_SAFE,
        ValueType::SocketInt,
    )
    .default("1 for the draft types but DGRAM")
    .rust("get_thread_safe")
    .get(|s| Ok(OptionValue::SocketInt(i32::from(s.get_thread_safe()?)))),
    int("ZMQ_MULTICAST_MAXTPDU", num::ZMQ_MULTICAST_MAXTPDU)
        .default("1500")
        .range(Range::AtLeast(1))
        .note("pgm/epgm (`pgm` feature), as libzmq's pgm_socket; stored without it")
        .layer(Layer::Stored)
        .rust("set_multicast_maxtpdu/get_multicast_maxtpdu")
        .set(|s, v| s.set_multicast_maxtpdu(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_multicast_maxtpdu()?))),
    #[cfg(feature = "vmci")]
    OptionSpec::new(
        "ZMQ_VMCI_BUFFER_SIZE",
        num::ZMQ_VMCI_BUFFER_SIZE,
        ValueType::Uint64,
    )
    .default("0")
    .note("vmci feature; set only, as libzmq")
    .layer(Layer::Transport)
    .rust("set_vmci_buffer_size/get_vmci_buffer_size")
    .set(|s, v| s.set_vmci_buffer_size(v.uint64()?)),
    #[cfg(feature = "vmci")]
    OptionSpec::new(
        "ZMQ_VMCI_BUFFER_MIN_SIZE",
        num::ZMQ_VMCI_BUFFER_MIN_SIZE,
        ValueType::Uint64,
    )
    .default("0")
    .note("vmci feature; set only, as libzmq")
    .layer(Layer::Transport)
    .rust("set_vmci_buffer_min_size/get_vmci_buffer_min_size")
    .set(|s, v| s.set_vmci_buffer_min_size(v.uint64()?)),
    #[cfg(feature = "vmci")]
    OptionSpec::new(
        "ZMQ_VMCI_BUFFER_MAX_SIZE",
        num::ZMQ_VMCI_BUFFER_MAX_SIZE,
        ValueType::Uint64,
    )
    .default("0")
    .note("vmci feature; set only, as libzmq")
    .layer(Layer::Transport)
    .rust("set_vmci_buffer_max_size/get_vmci_buffer_max_size")
    .set(|s, v| s.set_vmci_buffer_max_size(v.uint64()?)),
    #[cfg(feature = "vmci")]
    int("ZMQ_VMCI_CONNECT_TIMEOUT", num::ZMQ_VMCI_CONNECT_TIMEOUT)
        .default("-1")
        .note("vmci feature; set only, as libzmq")
        .layer(Layer::Transport)
        .rust("set_vmci_connect_timeout/get_vmci_connect_timeout")
        .set(|s, v| s.set_vmci_connect_timeout(v.int()?)),
    int("ZMQ_USE_FD", num::ZMQ_USE_FD)
        .default("-1")
        .range(Range::AtLeast(-1))
        .layer(Layer::Transport)
        .rust("set_use_fd_number/set_use_fd/get_use_fd")
        .set(|s, v| s.set_use_fd_number(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_use_fd()?))),
    text("ZMQ_BINDTODEVICE", num::ZMQ_BINDTODEVICE)
        .default("\"\"")
        .range(Range::NullOr(1, crate::options::MAX_DEVICE_NAME_LEN))
        .note("an interface name, any bytes; NULL clears")
        .layer(Layer::Transport)
        .rust("set_bindtodevice/get_bindtodevice")
        .set(|s, v| s.set_bindtodevice_bytes(v.raw()?))
        .get(|s| Ok(text_value(s.get_bindtodevice_bytes()?))),
    #[cfg(feature = "gssapi")]
    OptionSpec::new(
        "ZMQ_GSSAPI_PRINCIPAL_NAMETYPE",
        num::ZMQ_GSSAPI_PRINCIPAL_NAMETYPE,
        ValueType::Int,
    )
    .default("ZMQ_GSSAPI_NT_HOSTBASED")
    .range(Range::Between(0, 2))
    .note("ZMQ_GSSAPI_NT_*")
    .layer(Layer::Mechanism)
    .rust("set_gssapi_principal_nametype/get_gssapi_principal_nametype")
    .set(|s, v| s.set_gssapi_principal_nametype(v.int()?))
    .get(|s| Ok(OptionValue::Int(s.get_gssapi_principal_nametype()?))),
    #[cfg(feature = "gssapi")]
    OptionSpec::new(
        "ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE",
        num::ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE,
        ValueType::Int,
    )
    .default("ZMQ_GSSAPI_NT_HOSTBASED")
    .range(Range::Between(0, 2))
    .note("ZMQ_GSSAPI_NT_*")
    .layer(Layer::Mechanism)
    .rust("set_gssapi_service_principal_nametype/get_gssapi_service_principal_nametype")
    .set(|s, v| s.set_gssapi_service_principal_nametype(v.int()?))
    .get(|s| Ok(OptionValue::Int(s.get_gssapi_service_principal_nametype()?))),
    int("ZMQ_ZAP_ENFORCE_DOMAIN", num::ZMQ_ZAP_ENFORCE_DOMAIN)
        .default("0")
        .range(Range::AnyBool)
        .layer(Layer::Mechanism)
        .rust("set_zap_enforce_domain/get_zap_enforce_domain")
        .set(|s, v| s.set_zap_enforce_domain(v.flag()?))
        .get(|s| Ok(flag(s.get_zap_enforce_domain()?))),
    int("ZMQ_LOOPBACK_FASTPATH", num::ZMQ_LOOPBACK_FASTPATH)
        .default("0")
        .range(Range::AnyBool)
        .layer(Layer::Stored)
        .rust("set_loopback_fastpath/get_loopback_fastpath")
        .set(|s, v| s.set_loopback_fastpath(v.flag()?))
        .get(|s| Ok(flag(s.get_loopback_fastpath()?))),
    bytes("ZMQ_METADATA", num::ZMQ_METADATA)
        .default("none")
        .range(Range::Rule("`X-name:value`, not 4 bytes long"))
        .layer(Layer::Engine)
        .rust("set_metadata/get_metadata")
        .set(|s, v| match v.bytes()? {
            b if b.is_empty() || b.len() == 4 => Err(Error::Inval),
            b => s.set_metadata(b),
        }),
    int("ZMQ_MULTICAST_LOOP", num::ZMQ_MULTICAST_LOOP)
        .default("1")
        .range(Range::AnyBool)
        .note("udp multicast (RADIO) looped back to this host; pgm/epgm keep loopback off, as libzmq; no norm")
        .layer(Layer::Transport)
        .rust("set_multicast_loop/get_multicast_loop")
        .set(|s, v| s.set_multicast_loop(v.flag()?))
        .get(|s| Ok(flag(s.get_multicast_loop()?))),
    int("ZMQ_ROUTER_NOTIFY", num::ZMQ_ROUTER_NOTIFY)
        .default("0")
        .range(Range::Between(0, 3))
        .set_on(&[K::Router, K::Rep])
        .layer(Layer::Session)
        .rust("set_router_notify/get_router_notify")
        .set(|s, v| s.set_router_notify(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_router_notify()?))),
    int(
        "ZMQ_XPUB_MANUAL_LAST_VALUE",
        num::ZMQ_XPUB_MANUAL_LAST_VALUE,
    )
    .default("0")
    .range(Range::NonNegativeBool)
    .set_on(XPUB)
    .layer(Layer::Pattern)
    .rust("set_xpub_manual_last_value")
    .set(|s, v| s.set_xpub_manual_last_value(v.flag()?)),
    text("ZMQ_SOCKS_USERNAME", num::ZMQ_SOCKS_USERNAME)
        .default("\"\"")
        .range(Range::Length(0, 255))
        .layer(Layer::Transport)
        .rust("set_socks_username/get_socks_username")
        .set(|s, v| s.set_socks_username_bytes(v.raw()?))
        .get(|s| Ok(text_value(s.get_socks_username_bytes()?))),
    text("ZMQ_SOCKS_PASSWORD", num::ZMQ_SOCKS_PASSWORD)
        .default("\"\"")
        .range(Range::Length(0, 255))
        .layer(Layer::Transport)
        .rust("set_socks_password/get_socks_password")
        .set(|s, v| s.set_socks_password_bytes(v.raw()?))
        .get(|s| Ok(text_value(s.get_socks_password_bytes()?))),
    // The wss options are write-only in libzmq 4.3.5 (getsockopt: EINVAL).
    bytes("ZMQ_WSS_KEY_PEM", num::ZMQ_WSS_KEY_PEM)
        .range(Range::Any)
        .layer(Layer::Transport)
        .rust("set_wss_key_pem")
        .set(|s, v| s.set_wss_key_pem(v.raw()?.unwrap_or_default())),
    bytes("ZMQ_WSS_CERT_PEM", num::ZMQ_WSS_CERT_PEM)
        .range(Range::Any)
        .layer(Layer::Transport)
        .rust("set_wss_cert_pem")
        .set(|s, v| s.set_wss_cert_pem(v.raw()?.unwrap_or_default())),
    bytes("ZMQ_WSS_TRUST_PEM", num::ZMQ_WSS_TRUST_PEM)
        .range(Range::Any)
        .layer(Layer::Transport)
        .rust("set_wss_trust_pem")
        .set(|s, v| s.set_wss_trust_pem(v.raw()?.unwrap_or_default())),
    text("ZMQ_WSS_HOSTNAME", num::ZMQ_WSS_HOSTNAME)
        .range(Range::Any)
        .layer(Layer::Transport)
        .rust("set_wss_hostname")
        .set(|s, v| s.set_wss_hostname_bytes(v.raw()?.unwrap_or_default())),
    int("ZMQ_WSS_TRUST_SYSTEM", num::ZMQ_WSS_TRUST_SYSTEM)
        .default("0")
        .range(BOOL)
        .layer(Layer::Transport)
        .rust("set_wss_trust_system")
        .set(|s, v| s.set_wss_trust_system(v.flag()?)),
    int("ZMQ_IN_BATCH_SIZE", num::ZMQ_IN_BATCH_SIZE)
        .default("8192")
        .range(Range::AtLeast(1))
        .layer(Layer::Stored)
        .rust("set_in_batch_size/get_in_batch_size")
        .set(|s, v| s.set_in_batch_size(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_in_batch_size()?))),
    int("ZMQ_OUT_BATCH_SIZE", num::ZMQ_OUT_BATCH_SIZE)
        .default("8192")
        .range(Range::AtLeast(1))
        .layer(Layer::Stored)
        .rust("set_out_batch_size/get_out_batch_size")
        .set(|s, v| s.set_out_batch_size(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_out_batch_size()?))),
    int("ZMQ_ONLY_FIRST_SUBSCRIBE", num::ZMQ_ONLY_FIRST_SUBSCRIBE)
        .default("0")
        .range(Range::NonNegativeBool)
        .set_on(&[K::XPub, K::Pub, K::XSub])
        .layer(Layer::Pattern)
        .rust("set_only_first_subscribe")
        .set(|s, v| s.set_only_first_subscribe(v.flag()?)),
    int("ZMQ_RECONNECT_STOP", num::ZMQ_RECONNECT_STOP)
        .default("0")
        .range(Range::Rule("ZMQ_RECONNECT_STOP_* flags; any int stored"))
        .layer(Layer::Session)
        .rust("set_reconnect_stop/get_reconnect_stop")
        .set(|s, v| s.set_reconnect_stop(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_reconnect_stop()?))),
    bytes("ZMQ_HELLO_MSG", num::ZMQ_HELLO_MSG)
        .default("none")
        .range(Range::Rule("any; empty clears"))
        .layer(Layer::Session)
        .rust("set_hello_msg")
        .set(|s, v| s.set_hello_msg(Some(v.bytes()?))),
    bytes("ZMQ_DISCONNECT_MSG", num::ZMQ_DISCONNECT_MSG)
        .default("none")
        .range(Range::Rule("any; empty clears"))
        .layer(Layer::Session)
        .rust("set_disconnect_msg")
        .set(|s, v| s.set_disconnect_msg(Some(v.bytes()?))),
    int("ZMQ_PRIORITY", num::ZMQ_PRIORITY)
        .default("0")
        .range(Range::AtLeast(0))
        .layer(Layer::Transport)
        .rust("set_priority/get_priority")
        .set(|s, v| s.set_priority(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_priority()?))),
    int("ZMQ_BUSY_POLL", num::ZMQ_BUSY_POLL)
        .default("0")
        .layer(Layer::Transport)
        .range(Range::Rule(
            "any int; not readable from C (libzmq 4.3.5: EINVAL)",
        ))
        .rust("set_busy_poll/get_busy_poll")
        .set(|s, v| s.set_busy_poll(v.int()?)),
    bytes("ZMQ_HICCUP_MSG", num::ZMQ_HICCUP_MSG)
        .default("none")
        .range(Range::Rule("any; empty clears"))
        .layer(Layer::Session)
        .rust("set_hiccup_msg")
        .set(|s, v| s.set_hiccup_msg(Some(v.bytes()?))),
    OptionSpec::new(
        "ZMQ_XSUB_VERBOSE_UNSUBSCRIBE",
        num::ZMQ_XSUB_VERBOSE_UNSUBSCRIBE,
        ValueType::LooseInt,
    )
    .default("0")
    .range(Range::AnyBool)
    .set_on(&[K::XSub])
    .layer(Layer::Pattern)
    .rust("set_xsub_verbose_unsubscribe")
    .set(|s, v| s.set_xsub_verbose_unsubscribe(v.flag()?)),
    OptionSpec::new(
        "ZMQ_TOPICS_COUNT",
        num::ZMQ_TOPICS_COUNT,
        ValueType::SocketInt,
    )
    .default("0")
    .on(&[K::Pub, K::XPub, K::Sub, K::XSub])
    .layer(Layer::Pattern)
    .rust("get_topics_count")
    .get(|s| Ok(OptionValue::SocketInt(s.get_topics_count()?))),
    #[cfg(feature = "norm")]
    int("ZMQ_NORM_MODE", num::ZMQ_NORM_MODE)
        .default("1 (ZMQ_NORM_CC)")
        .range(Range::Between(0, 4))
        .note("norm feature; ZMQ_NORM_FIXED uses ZMQ_RATE")
        .layer(Layer::Transport)
        .rust("set_norm_mode/get_norm_mode")
        .set(|s, v| s.set_norm_mode(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_norm_mode()?))),
    #[cfg(feature = "norm")]
    int("ZMQ_NORM_UNICAST_NACK", num::ZMQ_NORM_UNICAST_NACK)
        .default("0")
        .range(BOOL)
        .note("norm feature")
        .layer(Layer::Transport)
        .rust("set_norm_unicast_nack/get_norm_unicast_nack")
        .set(|s, v| s.set_norm_unicast_nack(v.flag()?))
        .get(|s| Ok(flag(s.get_norm_unicast_nack()?))),
    #[cfg(feature = "norm")]
    int("ZMQ_NORM_BUFFER_SIZE", num::ZMQ_NORM_BUFFER_SIZE)
        .default("2048")
        .range(Range::AtLeast(1))
        .note("norm feature; KiB")
        .layer(Layer::Transport)
        .rust("set_norm_buffer_size/get_norm_buffer_size")
        .set(|s, v| s.set_norm_buffer_size(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_norm_buffer_size()?))),
    #[cfg(feature = "norm")]
    int("ZMQ_NORM_SEGMENT_SIZE", num::ZMQ_NORM_SEGMENT_SIZE)
        .default("1400")
        .range(Range::AtLeast(1))
        .note("norm feature; bytes")
        .layer(Layer::Transport)
        .rust("set_norm_segment_size/get_norm_segment_size")
        .set(|s, v| s.set_norm_segment_size(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_norm_segment_size()?))),
    #[cfg(feature = "norm")]
    int("ZMQ_NORM_BLOCK_SIZE", num::ZMQ_NORM_BLOCK_SIZE)
        .default("16")
        .range(Range::Between(1, 255))
        .note("norm feature")
        .layer(Layer::Transport)
        .rust("set_norm_block_size/get_norm_block_size")
        .set(|s, v| s.set_norm_block_size(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_norm_block_size()?))),
    #[cfg(feature = "norm")]
    int("ZMQ_NORM_NUM_PARITY", num::ZMQ_NORM_NUM_PARITY)
        .default("4")
        .range(Range::Between(0, 254))
        .note("norm feature")
        .layer(Layer::Transport)
        .rust("set_norm_num_parity/get_norm_num_parity")
        .set(|s, v| s.set_norm_num_parity(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_norm_num_parity()?))),
    #[cfg(feature = "norm")]
    int("ZMQ_NORM_NUM_AUTOPARITY", num::ZMQ_NORM_NUM_AUTOPARITY)
        .default("0")
        .range(Range::Between(0, 254))
        .note("norm feature")
        .layer(Layer::Transport)
        .rust("set_norm_num_autoparity/get_norm_num_autoparity")
        .set(|s, v| s.set_norm_num_autoparity(v.int()?))
        .get(|s| Ok(OptionValue::Int(s.get_norm_num_autoparity()?))),
    #[cfg(feature = "norm")]
    int("ZMQ_NORM_PUSH", num::ZMQ_NORM_PUSH)
        .default("0")
        .range(BOOL)
        .note("norm feature")
        .layer(Layer::Transport)
        .rust("set_norm_push/get_norm_push")
        .set(|s, v| s.set_norm_push(v.flag()?))
        .get(|s| Ok(flag(s.get_norm_push()?))),
];

/// Socket option numbers of `zmq.h` that are not built: set and get are
/// EINVAL, as in a libzmq built without the feature. (name, number, why)
pub const NOT_BUILT: &[(&str, i32, &str)] = &[
    #[cfg(not(feature = "gssapi"))]
    ("ZMQ_GSSAPI_SERVER", 62, "no GSSAPI"),
    #[cfg(not(feature = "gssapi"))]
    ("ZMQ_GSSAPI_PRINCIPAL", 63, "no GSSAPI"),
    #[cfg(not(feature = "gssapi"))]
    ("ZMQ_GSSAPI_SERVICE_PRINCIPAL", 64, "no GSSAPI"),
    #[cfg(not(feature = "gssapi"))]
    ("ZMQ_GSSAPI_PLAINTEXT", 65, "no GSSAPI"),
    ("ZMQ_BLOCKY", 70, "a context option, not a socket option"),
    #[cfg(not(feature = "vmci"))]
    (
        "ZMQ_VMCI_BUFFER_SIZE",
        85,
        "vmci feature not enabled (libzmq: WITH_VMCI)",
    ),
    #[cfg(not(feature = "vmci"))]
    (
        "ZMQ_VMCI_BUFFER_MIN_SIZE",
        86,
        "vmci feature not enabled (libzmq: WITH_VMCI)",
    ),
    #[cfg(not(feature = "vmci"))]
    (
        "ZMQ_VMCI_BUFFER_MAX_SIZE",
        87,
        "vmci feature not enabled (libzmq: WITH_VMCI)",
    ),
    #[cfg(not(feature = "vmci"))]
    (
        "ZMQ_VMCI_CONNECT_TIMEOUT",
        88,
        "vmci feature not enabled (libzmq: WITH_VMCI)",
    ),
    #[cfg(not(feature = "gssapi"))]
    ("ZMQ_GSSAPI_PRINCIPAL_NAMETYPE", 90, "no GSSAPI"),
    #[cfg(not(feature = "gssapi"))]
    ("ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE", 91, "no GSSAPI"),
    #[cfg(not(feature = "norm"))]
    ("ZMQ_NORM_MODE", 117, "norm feature not enabled (libzmq: WITH_NORM)"),
    #[cfg(not(feature = "norm"))]
    ("ZMQ_NORM_UNICAST_NACK", 118, "norm feature not enabled (libzmq: WITH_NORM)"),
    #[cfg(not(feature = "norm"))]
    ("ZMQ_NORM_BUFFER_SIZE", 119, "norm feature not enabled (libzmq: WITH_NORM)"),
    #[cfg(not(feature = "norm"))]
    ("ZMQ_NORM_SEGMENT_SIZE", 120, "norm feature not enabled (libzmq: WITH_NORM)"),
    #[cfg(not(feature = "norm"))]
    ("ZMQ_NORM_BLOCK_SIZE", 121, "norm feature not enabled (libzmq: WITH_NORM)"),
    #[cfg(not(feature = "norm"))]
    ("ZMQ_NORM_NUM_PARITY", 122, "norm feature not enabled (libzmq: WITH_NORM)"),
    #[cfg(not(feature = "norm"))]
    ("ZMQ_NORM_NUM_AUTOPARITY", 123, "norm feature not enabled (libzmq: WITH_NORM)"),
    #[cfg(not(feature = "norm"))]
    ("ZMQ_NORM_PUSH", 124, "norm feature not enabled (libzmq: WITH_NORM)"),
];

/// The row of option `number`.
pub fn find(number: i32) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|spec| spec.number == number)
}

fn accepts(sockets: Sockets, socket: &Socket) -> Result<bool> {
    Ok(sockets.is_empty() || sockets.contains(&socket.get_socket_type()?))
}

/// The validation every setter of option `number` shares, C or typed:
/// the option exists and can be set, the socket type takes it, and an
/// `int` or byte value is in the row's [`Range`]. The typed [`Socket`]
/// setters call this first, so that a range lives in the table only.
pub fn check(socket: &Socket, number: i32, arg: Arg<'_>) -> Result<()> {
    let spec = find(number).ok_or(Error::Inval)?;
    if spec.set.is_none() || !accepts(spec.set_on, socket)? {
        return Err(Error::Inval);
    }
    let admitted = match arg {
        Arg::Int(v) => spec.range.admits(v),
        Arg::Bytes(b) => spec.range.admits_bytes(b),
        Arg::Int64(_) | Arg::Uint64(_) => true,
    };
    if admitted { Ok(()) } else { Err(Error::Inval) }
}

/// `zmq_setsockopt`: sets option `number` from the caller's bytes
/// (`None`: a NULL pointer with size 0), by the row's type and size
/// rules, range and socket types. ETERM once the socket has seen its
/// context's shutdown (libzmq `socket_base_t::setsockopt`).
pub fn set_option(socket: &Socket, number: i32, value: Option<&[u8]>) -> Result<()> {
    if socket.ctx_terminated() {
        return Err(Error::Term);
    }
    let spec = find(number).ok_or(Error::Inval)?;
    let setter = spec.set.ok_or(Error::Inval)?;
    let exact = |n: usize| -> Result<&[u8]> { value.filter(|b| b.len() == n).ok_or(Error::Inval) };
    let arg = match spec.ty {
        ValueType::Int | ValueType::SocketInt => Arg::Int(i32::from_ne_bytes(
            exact(4)?.try_into().map_err(|_| Error::Inval)?,
        )),
        ValueType::LooseInt => {
            let mut int = [0; 4];
            let given = value.ok_or(Error::Inval)?;
            let n = given.len().min(4);
            int[..n].copy_from_slice(&given[..n]);
            Arg::Int(i32::from_ne_bytes(int))
        }
        ValueType::Int64 => Arg::Int64(i64::from_ne_bytes(
            exact(8)?.try_into().map_err(|_| Error::Inval)?,
        )),
        ValueType::Uint64 => Arg::Uint64(u64::from_ne_bytes(
            exact(8)?.try_into().map_err(|_| Error::Inval)?,
        )),
        ValueType::Binary | ValueType::Text | ValueType::CurveKey => Arg::Bytes(value),
    };
    check(socket, number, arg)?;
    setter(socket, arg)
}

/// `zmq_getsockopt`: the value of option `number` (write it with
/// [`OptionValue::write`]). ETERM once the socket has seen its
/// context's shutdown (libzmq `socket_base_t::getsockopt`).
pub fn get_option(socket: &Socket, number: i32) -> Result<OptionValue> {
    if socket.ctx_terminated() {
        return Err(Error::Term);
    }
    let spec = find(number).ok_or(Error::Inval)?;
    let getter = spec.get.ok_or(Error::Inval)?;
    if !accepts(spec.get_on, socket)? {
        return Err(Error::Inval);
    }
    getter(socket)
}

fn sockets_doc(sockets: Sockets) -> String {
    if sockets.is_empty() {
        return "all".into();
    }
    sockets
        .iter()
        .map(|k| k.wire_name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The start marker of the generated table in `docs/options.md`.
pub const DOC_BEGIN: &str = "<!-- BEGIN socket option table: generated from crates/zmq/src/option_table.rs, do not edit -->";
/// The end marker.
pub const DOC_END: &str = "<!-- END socket option table -->";

/// The socket option table of `docs/options.md`, between [`DOC_BEGIN`]
/// and [`DOC_END`].
pub fn markdown_table() -> String {
    let mut out = String::new();
    out.push_str(DOC_BEGIN);
    out.push_str("\n\n| option | # | type | default | valid | sockets | access | layer | Rust (`Socket::`) |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for spec in OPTIONS {
        let sockets = if spec.set_on == spec.get_on || spec.get.is_none() {
            sockets_doc(spec.set_on)
        } else if spec.set.is_none() {
            sockets_doc(spec.get_on)
        } else {
            format!(
                "set: {}; get: {}",
                sockets_doc(spec.set_on),
                sockets_doc(spec.get_on)
            )
        };
        let rust = spec
            .rust
            .split('/')
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(" / ");
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            match spec.name.split_once(' ') {
                Some((name, alias)) => format!("{name} ({alias})"),
                None => spec.name.to_owned(),
            },
            spec.number,
            spec.ty.doc(),
            spec.default,
            match spec.note {
                "" => spec.range.doc(),
                note => format!("{}; {note}", spec.range.doc()),
            },
            sockets,
            spec.access(),
            spec.layer.doc(),
            rust,
        ));
    }
    out.push_str("\nNot built (set and get are EINVAL, as a libzmq built without them):\n\n");
    out.push_str("| option | # | why |\n|---|---|---|\n");
    for (name, number, why) in NOT_BUILT {
        out.push_str(&format!("| {name} | {number} | {why} |\n"));
    }
    out.push('\n');
    out.push_str(DOC_END);
    out
}
