//! The calls of NRL's NORM library (`normApi.h`, Debian's libnorm 1.5.9)
//! the norm engine makes, and [`NormSession`], which owns a NORM instance
//! and its one session and keeps every handle it hands out valid.
//!
//! Every `unsafe` block of the norm transport is here. The declarations
//! are written out from the header (no bindgen, no libclang at build
//! time); the library is linked by `#[link(name = "norm")]`.
//!
//! Handles: the instance and session live as long as the [`NormSession`].
//! A received stream's handle is kept valid by `NormObjectRetain` from
//! the moment the engine first sees it ([`NormSession::adopt`]) until it
//! lets it go ([`NormSession::release`]) or the session drops; calls on a
//! stream not adopted do nothing. A sender node's handle is only used
//! while its event is the current one ([`NormSession::delete_event_sender`]).

use std::collections::HashSet;
use std::ffi::{CString, c_char, c_int, c_uint, c_void};
use std::io;
use std::os::fd::RawFd;

use zmq_transports::NormAddress;

type Handle = *const c_void;

/// `NormEvent` (four words: an `enum` and three handles).
#[repr(C)]
struct RawEvent {
    kind: c_int,
    session: Handle,
    sender: Handle,
    object: Handle,
}

// `NormEventType` values (normApi.h; checked against the header by
// tests/norm/ci.sh's consts.cc).
const NORM_TX_QUEUE_VACANCY: c_int = 1;
const NORM_TX_QUEUE_EMPTY: c_int = 2;
const NORM_TX_FLUSH_COMPLETED: c_int = 3;
const NORM_REMOTE_SENDER_INACTIVE: c_int = 14;
const NORM_RX_OBJECT_NEW: c_int = 17;
const NORM_RX_OBJECT_UPDATED: c_int = 19;
const NORM_RX_OBJECT_COMPLETED: c_int = 20;
const NORM_RX_OBJECT_ABORTED: c_int = 21;
/// `NORM_OBJECT_STREAM` of `NormObjectType`.
const NORM_OBJECT_STREAM: c_int = 3;
/// `NORM_FLUSH_ACTIVE` of `NormFlushMode`.
const NORM_FLUSH_ACTIVE: c_int = 2;
/// `NORM_SYNC_STREAM` of `NormSyncPolicy`.
const NORM_SYNC_STREAM: c_int = 1;
/// `NORM_NODE_ANY`: NORM derives the node id from a host address.
const NORM_NODE_ANY: u32 = 0xffff_ffff;

#[link(name = "norm")]
unsafe extern "C" {
    fn NormCreateInstance(priority_boost: bool) -> Handle;
    fn NormDestroyInstance(instance: Handle);
    fn NormStopInstance(instance: Handle);
    fn NormGetNextEvent(instance: Handle, event: *mut RawEvent, wait: bool) -> bool;
    fn NormGetDescriptor(instance: Handle) -> c_int;
    fn NormCreateSession(instance: Handle, address: *const c_char, port: u16, id: u32) -> Handle;
    fn NormDestroySession(session: Handle);
    fn NormIsUnicastAddress(address: *const c_char) -> bool;
    fn NormSetTTL(session: Handle, ttl: u8) -> bool;
    fn NormSetTOS(session: Handle, tos: u8) -> bool;
    fn NormSetRxPortReuse(
        session: Handle,
        enable: bool,
        bind_address: *const c_char,
        sender_address: *const c_char,
        sender_port: u16,
    );
    fn NormSetLoopback(session: Handle, on: bool) -> bool;
    fn NormSetMulticastInterface(session: Handle, name: *const c_char) -> bool;
    fn NormSetDefaultUnicastNack(session: Handle, on: bool);
    fn NormSetDefaultSyncPolicy(session: Handle, policy: c_int);
    fn NormStartReceiver(session: Handle, buffer: u32) -> bool;
    fn NormStopReceiver(session: Handle);
    fn NormGetRandomSessionId() -> u16;
    fn NormStartSender(
        session: Handle,
        instance_id: u16,
        buffer: u32,
        segment: u16,
        block: u16,
        parity: u16,
        fec_id: u8,
    ) -> bool;
    fn NormStopSender(session: Handle);
    fn NormSetTxRate(session: Handle, bits_per_second: f64);
    fn NormSetCongestionControl(session: Handle, on: bool, adjust_rate: bool);
    fn NormSetEcnSupport(session: Handle, ecn: bool, ignore_loss: bool, tolerate_loss: bool);
    fn NormSetAutoParity(session: Handle, parity: u8);
    fn NormStreamOpen(
        session: Handle,
        buffer: u32,
        info: *const c_char,
        info_len: c_uint,
    ) -> Handle;
    fn NormStreamSetPushEnable(stream: Handle, on: bool);
    fn NormStreamWrite(stream: Handle, buffer: *const c_char, len: c_uint) -> c_uint;
    fn NormStreamFlush(stream: Handle, eom: bool, mode: c_int);
    fn NormStreamRead(stream: Handle, buffer: *mut c_char, len: *mut c_uint) -> bool;
    fn NormStreamSeekMsgStart(stream: Handle) -> bool;
    fn NormObjectGetType(object: Handle) -> c_int;
    fn NormObjectRetain(object: Handle);
    fn NormObjectRelease(object: Handle);
    fn NormNodeDelete(node: Handle);
}

/// What libzmq's `ZMQ_NORM_*`, `ZMQ_RATE`, `ZMQ_MULTICAST_HOPS` and
/// `ZMQ_TOS` give a NORM session.
#[derive(Clone, Debug)]
pub(crate) struct NormConfig {
    pub(crate) mode: i32,
    pub(crate) unicast_nack: bool,
    /// KiB.
    pub(crate) buffer_size: i32,
    pub(crate) segment_size: i32,
    pub(crate) block_size: i32,
    pub(crate) num_parity: i32,
    pub(crate) num_autoparity: i32,
    pub(crate) push: bool,
    /// kbit/s.
    pub(crate) rate: i32,
    pub(crate) multicast_hops: i32,
    pub(crate) tos: i32,
}

/// `ZMQ_NORM_FIXED` .. `ZMQ_NORM_CCE_ECNONLY`.
const ZMQ_NORM_FIXED: i32 = 0;
const ZMQ_NORM_CC: i32 = 1;
const ZMQ_NORM_CCL: i32 = 2;
const ZMQ_NORM_CCE: i32 = 3;
const ZMQ_NORM_CCE_ECNONLY: i32 = 4;

impl NormConfig {
    /// The ToS byte libzmq sets: the ECN-capable bit forced on in the
    /// ECN modes, and "congestion experienced" (both bits) cut to one.
    fn tos(&self) -> u8 {
        let ecn = matches!(self.mode, ZMQ_NORM_CCE | ZMQ_NORM_CCE_ECNONLY);
        let tos = match self.tos % 4 {
            0 if ecn => self.tos + 1,
            3 if ecn => self.tos - 1,
            _ => self.tos,
        };
        tos as u8
    }

    /// The parity count libzmq starts the sender with (at least the
    /// auto parity) and the block size (more than that parity).
    fn fec(&self) -> (u16, u16) {
        let parity = self.num_parity.max(self.num_autoparity) as u8;
        let block = if self.block_size > i32::from(parity) {
            self.block_size as u8
        } else {
            parity.wrapping_add(1)
        };
        (u16::from(block), u16::from(parity))
    }

    /// `ZMQ_NORM_BUFFER_SIZE` in bytes, as libzmq's `unsigned long`
    /// product cut to NORM's 32 bits.
    fn buffer_bytes(&self) -> u32 {
        (self.buffer_size as u64).wrapping_mul(1024) as u32
    }
}

/// One event of the instance's queue, as the engine needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NormEvent {
    /// The send stream has room again.
    TxVacancy,
    /// The send stream's data has all gone out once (room too).
    TxEmpty,
    /// A flush this sender asked for is complete.
    TxFlushed,
    /// New data (or a new stream) from a remote sender: the stream, the
    /// sender node.
    RxData(StreamId, NodeId),
    /// The stream is complete: what is left can be read, then release.
    RxCompleted(StreamId),
    /// The stream is gone (aborted by NORM).
    RxAborted(StreamId),
    /// The sender went quiet; its state can be dropped
    /// ([`NormSession::delete_event_sender`]).
    SenderInactive(NodeId),
    /// An event the engine ignores.
    Other,
}

/// A received stream, by its handle's address (a key, not a pointer the
/// engine can use: every call goes through [`NormSession`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct StreamId(usize);

/// A remote sender node, by its handle's address (a key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NodeId(usize);

#[cfg(test)]
impl NodeId {
    /// A node id for tests that need no NORM instance.
    pub(crate) fn for_tests() -> NodeId {
        NodeId(1)
    }
}

/// A read from a received stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamRead {
    /// This many bytes (0: nothing more for now).
    Data(usize),
    /// Data was lost (a late join, an unrepaired gap): seek the next
    /// message start.
    Broken,
}

/// A NORM instance with its session, started as a sender or a receiver
/// the way libzmq's `norm_engine_t::init` starts it.
pub(crate) struct NormSession {
    instance: Handle,
    session: Handle,
    /// The send stream (null when receiving).
    tx_stream: Handle,
    sender: bool,
    receiver: bool,
    /// Received streams retained by [`NormSession::adopt`].
    retained: HashSet<usize>,
    /// The sender node of the last event (valid until the next one).
    event_sender: Handle,
}

// SAFETY: the NORM API serialises every call on an instance under the
// instance's own lock (its protocol thread runs beside the caller), so
// the handles may be used from any one thread at a time; `NormSession`
// is moved to its engine's I/O thread once and used only there.
unsafe impl Send for NormSession {}

/// The calling thread's `errno` as an error, EINVAL where NORM failed
/// without setting one.
fn last_error() -> io::Error {
    match io::Error::last_os_error().raw_os_error() {
        Some(0) | None => io::Error::from_raw_os_error(libc::EINVAL),
        Some(code) => io::Error::from_raw_os_error(code),
    }
}

fn c_text(text: &str) -> io::Result<CString> {
    CString::new(text).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

impl NormSession {
    /// Creates the instance and the session for `address` and starts it
    /// sending (PUB, XPUB) or receiving (SUB, XSUB), with libzmq's
    /// settings: TTL, port reuse, loopback and interface on multicast
    /// sessions; unicast NACKs on unicast sessions or when asked; the
    /// ToS; `NORM_SYNC_STREAM` for receivers; FEC, rate or congestion
    /// control, auto parity and the send stream for senders.
    pub(crate) fn open(address: &NormAddress, config: &NormConfig, send: bool) -> io::Result<Self> {
        let addr = c_text(&address.address)?;
        let interface = address.interface.as_deref().map(c_text).transpose()?;
        // SAFETY: no arguments; the handle is checked.
        let instance = unsafe { NormCreateInstance(false) };
        if instance.is_null() {
            return Err(last_error());
        }
        let mut norm = NormSession {
            instance,
            session: std::ptr::null(),
            tx_stream: std::ptr::null(),
            sender: false,
            receiver: false,
            retained: HashSet::new(),
            event_sender: std::ptr::null(),
        };
        let id = address.node_id.unwrap_or(NORM_NODE_ANY);
        // SAFETY: a live instance and a NUL-terminated address; the
        // handle is checked (on failure `norm` drops the instance).
        norm.session = unsafe { NormCreateSession(instance, addr.as_ptr(), address.port, id) };
        if norm.session.is_null() {
            return Err(last_error());
        }
        let session = norm.session;
        // SAFETY (this block and the calls below): `session` is the live
        // session just created; string arguments are NUL-terminated
        // and outlive the calls.
        unsafe {
            let unicast = NormIsUnicastAddress(addr.as_ptr());
            if !unicast {
                NormSetTTL(session, config.multicast_hops as u8);
                NormSetRxPortReuse(session, true, std::ptr::null(), std::ptr::null(), 0);
                NormSetLoopback(session, true);
                if let Some(name) = &interface {
                    NormSetMulticastInterface(session, name.as_ptr());
                }
            }
            if unicast || config.unicast_nack {
                NormSetDefaultUnicastNack(session, true);
            }
            NormSetTOS(session, config.tos());
        }
        if send {
            norm.start_sender(config)?;
        } else {
            // SAFETY: live session.
            unsafe { NormSetDefaultSyncPolicy(session, NORM_SYNC_STREAM) };
            // SAFETY: live session.
            if !unsafe { NormStartReceiver(session, config.buffer_bytes()) } {
                return Err(last_error());
            }
            norm.receiver = true;
        }
        Ok(norm)
    }

    fn start_sender(&mut self, config: &NormConfig) -> io::Result<()> {
        let session = self.session;
        let (block, parity) = config.fec();
        // SAFETY: no arguments.
        let instance_id = unsafe { NormGetRandomSessionId() };
        let segment = config.segment_size as u16;
        // SAFETY: live session; plain values.
        let started = unsafe {
            NormStartSender(
                session,
                instance_id,
                config.buffer_bytes(),
                segment,
                block,
                parity,
                0,
            )
        };
        if !started {
            return Err(last_error());
        }
        self.sender = true;
        // SAFETY: live session (started as a sender); plain values.
        unsafe {
            if config.mode == ZMQ_NORM_FIXED {
                NormSetTxRate(session, f64::from(config.rate) * 1000.0);
            } else {
                NormSetCongestionControl(session, true, true);
                if config.mode != ZMQ_NORM_CC {
                    NormSetEcnSupport(
                        session,
                        matches!(config.mode, ZMQ_NORM_CCE | ZMQ_NORM_CCE_ECNONLY),
                        config.mode == ZMQ_NORM_CCE_ECNONLY,
                        config.mode == ZMQ_NORM_CCL,
                    );
                }
            }
            if config.num_autoparity > 0 {
                NormSetAutoParity(session, config.num_autoparity as u8);
            }
        }
        // SAFETY: live sender session; no info.
        let stream = unsafe { NormStreamOpen(session, config.buffer_bytes(), std::ptr::null(), 0) };
        if stream.is_null() {
            return Err(last_error());
        }
        self.tx_stream = stream;
        // SAFETY: the stream just opened.
        unsafe { NormStreamSetPushEnable(stream, config.push) };
        Ok(())
    }

    /// The descriptor that is readable while events are queued; valid as
    /// long as `self`.
    pub(crate) fn descriptor(&self) -> RawFd {
        // SAFETY: live instance.
        unsafe { NormGetDescriptor(self.instance) }
    }

    /// The next queued event, without waiting; `None` when there is none.
    pub(crate) fn next_event(&mut self) -> Option<NormEvent> {
        let mut raw = RawEvent {
            kind: 0,
            session: std::ptr::null(),
            sender: std::ptr::null(),
            object: std::ptr::null(),
        };
        self.event_sender = std::ptr::null();
        // SAFETY: live instance; `raw` is a writable `NormEvent`.
        if !unsafe { NormGetNextEvent(self.instance, &mut raw, false) } {
            return None;
        }
        self.event_sender = raw.sender;
        let stream = StreamId(raw.object as usize);
        Some(match raw.kind {
            NORM_TX_QUEUE_VACANCY => NormEvent::TxVacancy,
            NORM_TX_QUEUE_EMPTY => NormEvent::TxEmpty,
            NORM_TX_FLUSH_COMPLETED => NormEvent::TxFlushed,
            NORM_RX_OBJECT_NEW | NORM_RX_OBJECT_UPDATED if !raw.object.is_null() => {
                // SAFETY: the object of the current event is valid until
                // the next call for an event.
                if unsafe { NormObjectGetType(raw.object) } != NORM_OBJECT_STREAM {
                    return Some(NormEvent::Other);
                }
                if !self.retained.contains(&stream.0) {
                    // SAFETY: valid (current event); released in
                    // `release` or on drop.
                    unsafe { NormObjectRetain(raw.object) };
                    self.retained.insert(stream.0);
                }
                NormEvent::RxData(stream, NodeId(raw.sender as usize))
            }
            NORM_RX_OBJECT_COMPLETED => NormEvent::RxCompleted(stream),
            NORM_RX_OBJECT_ABORTED => NormEvent::RxAborted(stream),
            NORM_REMOTE_SENDER_INACTIVE => NormEvent::SenderInactive(NodeId(raw.sender as usize)),
            _ => NormEvent::Other,
        })
    }

    /// Lets a received stream go (it may be freed from now on).
    pub(crate) fn release(&mut self, stream: StreamId) {
        if self.retained.remove(&stream.0) {
            // SAFETY: retained by `next_event`, released once here.
            unsafe { NormObjectRelease(stream.0 as Handle) };
        }
    }

    /// Forgets the sender of the current event (libzmq does so on
    /// `NORM_REMOTE_SENDER_INACTIVE`); release its streams first.
    pub(crate) fn delete_event_sender(&mut self) {
        if !self.event_sender.is_null() {
            // SAFETY: the sender of the current event is valid until the
            // next call for an event; cleared so it is deleted once.
            unsafe { NormNodeDelete(self.event_sender) };
            self.event_sender = std::ptr::null();
        }
    }

    /// Moves to the next message start of `stream` (`false`: none yet).
    pub(crate) fn seek_message_start(&mut self, stream: StreamId) -> bool {
        if !self.retained.contains(&stream.0) {
            return false;
        }
        // SAFETY: a retained stream object.
        unsafe { NormStreamSeekMsgStart(stream.0 as Handle) }
    }

    /// Reads what `stream` has into `buf`.
    pub(crate) fn read(&mut self, stream: StreamId, buf: &mut [u8]) -> StreamRead {
        if !self.retained.contains(&stream.0) {
            return StreamRead::Data(0);
        }
        let mut len = c_uint::try_from(buf.len()).unwrap_or(c_uint::MAX);
        // SAFETY: a retained stream object; `buf` is writable for `len`
        // bytes, and NORM writes at most `len`, reporting the count.
        let ok = unsafe { NormStreamRead(stream.0 as Handle, buf.as_mut_ptr().cast(), &mut len) };
        if ok {
            StreamRead::Data((len as usize).min(buf.len()))
        } else {
            StreamRead::Broken
        }
    }

    /// Writes to the send stream; how many bytes it took (fewer than
    /// given when its buffer is full: wait for [`NormEvent::TxVacancy`]).
    pub(crate) fn write(&mut self, bytes: &[u8]) -> usize {
        if self.tx_stream.is_null() || bytes.is_empty() {
            return 0;
        }
        let len = c_uint::try_from(bytes.len()).unwrap_or(c_uint::MAX);
        // SAFETY: the live send stream; `bytes` is readable for `len`.
        let n = unsafe { NormStreamWrite(self.tx_stream, bytes.as_ptr().cast(), len) };
        (n as usize).min(bytes.len())
    }

    /// Marks the end of a message on the send stream and flushes it
    /// (`NORM_FLUSH_ACTIVE`, as libzmq after every frame).
    pub(crate) fn flush_message(&mut self) {
        if !self.tx_stream.is_null() {
            // SAFETY: the live send stream.
            unsafe { NormStreamFlush(self.tx_stream, true, NORM_FLUSH_ACTIVE) };
        }
    }
}

impl Drop for NormSession {
    fn drop(&mut self) {
        for object in self.retained.drain() {
            // SAFETY: retained by `next_event`, released once; the
            // instance still exists.
            unsafe { NormObjectRelease(object as Handle) };
        }
        // SAFETY: the handles are live (or null, skipped) and each is
        // ended once, in libzmq's order: receiver, sender, session,
        // then the instance (which stops its thread first).
        unsafe {
            if !self.session.is_null() {
                if self.receiver {
                    NormStopReceiver(self.session);
                }
                if self.sender {
                    NormStopSender(self.session);
                }
                NormDestroySession(self.session);
            }
            NormStopInstance(self.instance);
            NormDestroyInstance(self.instance);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(mode: i32, tos: i32) -> NormConfig {
        NormConfig {
            mode,
            unicast_nack: false,
            buffer_size: 2048,
            segment_size: 1400,
            block_size: 16,
            num_parity: 4,
            num_autoparity: 0,
            push: false,
            rate: 100,
            multicast_hops: 1,
            tos,
        }
    }

    #[test]
    fn tos_as_libzmq_sets_it() {
        assert_eq!(config(ZMQ_NORM_CC, 0).tos(), 0);
        assert_eq!(config(ZMQ_NORM_CC, 3).tos(), 3);
        assert_eq!(config(ZMQ_NORM_CCE, 0).tos(), 1);
        assert_eq!(config(ZMQ_NORM_CCE_ECNONLY, 0x13).tos(), 0x12);
        assert_eq!(config(ZMQ_NORM_CCE, 2).tos(), 2);
        assert_eq!(config(ZMQ_NORM_CCL, 4).tos(), 4);
    }

    #[test]
    fn fec_parameters_as_libzmq_fixes_them() {
        assert_eq!(config(ZMQ_NORM_CC, 0).fec(), (16, 4));
        let mut c = config(ZMQ_NORM_CC, 0);
        c.num_autoparity = 8;
        c.block_size = 8;
        assert_eq!(c.fec(), (9, 8));
        c.num_parity = 254;
        c.block_size = 255;
        assert_eq!(c.fec(), (255, 254));
    }

    #[test]
    fn sessions_open_and_close() {
        let address = NormAddress::parse("127.0.0.1:0").unwrap();
        let receiver = NormSession::open(&address, &config(ZMQ_NORM_CC, 0), false);
        let mut receiver = receiver.expect("receiver");
        assert!(receiver.descriptor() >= 0);
        let sender = NormSession::open(&address, &config(ZMQ_NORM_FIXED, 0), true);
        let mut sender = sender.expect("sender");
        assert_eq!(sender.write(b"x"), 1);
        sender.flush_message();
        let _ = receiver.next_event();
        assert_eq!(receiver.write(b"x"), 0);
        let bad = NormAddress::parse("no.such.host.invalid:5000").unwrap();
        assert!(NormSession::open(&bad, &config(ZMQ_NORM_CC, 0), false).is_err());
    }
}
