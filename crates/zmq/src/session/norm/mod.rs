//! `NormEngine`: a NORM session (NRL's library, [`ffi`]) on an I/O
//! thread, attached to its socket's pipe, as libzmq 4.3.5's
//! `norm_engine_t` with its session. No ZMTP handshake: a PUB or XPUB
//! writes every message to one NORM stream ([`wire`] layout), a SUB or
//! XSUB reads the streams of every sender in the group.
//!
//! ```text
//!  PUB/XPUB:  pipe ──► [sync][v2 frame] per frame, EOM + flush ──► NormStreamWrite
//!  SUB/XSUB:  NORM events ──► per-sender stream: seek 0x00, decode ──► whole
//!             messages ──► pipe   (subscriptions from the pipe are dropped:
//!                                  the SUB filters, as with udp)
//! ```
//!
//! NORM runs its own protocol thread; the engine polls the instance's
//! event descriptor on the reactor and takes events without waiting.
//!
//! Bounds: a received frame is at most `ZMQ_MAXMSGSIZE` (else the stream
//! resynchronises at the next message start); a message is handed to the
//! pipe whole (libzmq hands frames one by one, so a loss mid-message can
//! leave it half there), and while the pipe is full reading stops: NORM
//! keeps at most its receive buffer (`ZMQ_NORM_BUFFER_SIZE`) per sender.
//! Per stream the engine holds one read chunk and one message, of at
//! most 65,536 parts and 64 MiB of unfinished parts (as pgm).

mod ffi;
mod wire;

use std::collections::{HashMap, VecDeque};
use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use zmq_patterns::{Msg, Pipe, PipeId};
use zmq_transports::NormAddress;

pub(crate) use ffi::NormConfig;
pub(crate) use ffi::NormSession as Session;
use ffi::{NodeId, NormEvent, NormSession, StreamId, StreamRead};
use wire::{FrameDecoder, SYNC_FIRST, Step, frame_header};

use super::start_on_first_turn;
use crate::io::IoCommand;
use crate::options::SocketOptions;
use crate::pipe::{PipeEnd, PipeEvent, PipeSignal};
use crate::reactor::{EventHandler, HandlerId, Interest, Reactor, TimerId};

type R = Reactor<IoCommand>;

/// NORM events taken per readable event before other handlers get a turn.
const EVENTS_PER_TURN: usize = 256;
/// Frames written (sender) or read chunks decoded (receiver) per turn.
const WORK_PER_TURN: usize = 256;
/// Bytes read from a stream at a time.
const READ_CHUNK: usize = 16 * 1024;
/// The most frames of one message held while it arrives.
const FRAMES_MAX: usize = 1 << 16;
/// The most body bytes an unfinished multipart message may hold (as
/// pgm's `MAX_PENDING_PARTS_BYTES`): parts are handed over only once the
/// last one arrived, so without it a peer could grow one without bound.
const PARTS_BYTES_MAX: usize = 64 << 20;
/// How long a closing sender waits, at most, for NORM to send what it
/// holds (`ZMQ_LINGER` -1 or longer than this).
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// The session options a NORM session applies.
pub(crate) fn norm_config(options: &SocketOptions) -> NormConfig {
    let net = &options.net;
    NormConfig {
        mode: net.norm_mode,
        unicast_nack: net.norm_unicast_nack,
        buffer_size: net.norm_buffer_size,
        segment_size: net.norm_segment_size,
        block_size: net.norm_block_size,
        num_parity: net.norm_num_parity,
        num_autoparity: net.norm_num_autoparity,
        push: net.norm_push,
        rate: net.rate,
        multicast_hops: net.multicast_hops,
        tos: net.tos,
    }
}

/// Opens the NORM session of a norm:// endpoint (on the socket's thread,
/// so that failures reach bind and connect: libzmq asserts on them).
pub(crate) fn open(
    address: &NormAddress,
    options: &SocketOptions,
    send: bool,
) -> io::Result<NormSession> {
    NormSession::open(address, &norm_config(options), send)
}

/// A frame being written to the send stream.
struct TxFrame {
    header: [u8; 10],
    header_len: usize,
    msg: Msg,
    /// Bytes of header then body written so far.
    written: usize,
}

/// What the engine keeps of one remote sender's stream.
struct RxStream {
    sender: NodeId,
    /// At a message start (after a 0x00 `sync`), decoding.
    in_sync: bool,
    /// NORM said there is data; cleared when a read finds none.
    readable: bool,
    decoder: FrameDecoder,
    /// Frames of the message arriving.
    frames: Vec<Msg>,
    /// Their body bytes (at most [`PARTS_BYTES_MAX`]).
    frames_bytes: usize,
    /// A whole message the pipe had no room for.
    ready: Option<Vec<Msg>>,
    /// Bytes read, not decoded yet: `chunk[pos..len]`.
    chunk: Box<[u8]>,
    pos: usize,
    len: usize,
}

impl RxStream {
    /// Nothing left to hand over: no unread NORM data, no decoded bytes
    /// waiting and no message held back by a full pipe.
    fn drained(&self) -> bool {
        !self.readable && self.ready.is_none() && self.pos >= self.len
    }

    fn new(sender: NodeId, max: i64) -> RxStream {
        RxStream {
            sender,
            in_sync: false,
            readable: true,
            decoder: FrameDecoder::new(max),
            frames: Vec::new(),
            frames_bytes: 0,
            ready: None,
            chunk: vec![0u8; READ_CHUNK].into_boxed_slice(),
            pos: 0,
            len: 0,
        }
    }

    /// Data was lost or a frame refused: drop the message arriving and
    /// seek the next message start.
    fn resync(&mut self) {
        self.in_sync = false;
        self.frames.clear();
        self.frames_bytes = 0;
        self.pos = 0;
        self.len = 0;
    }
}

/// A NORM session and the pipe to its ZeroMQ socket.
pub(crate) struct NormEngine {
    norm: NormSession,
    sender: bool,
    pipe: Option<PipeEnd>,
    max_msg_size: i64,
    // ---- sending
    tx: Option<TxFrame>,
    /// The next frame starts a message (`sync` 0x00).
    tx_first: bool,
    /// NORM's send stream has room.
    tx_ready: bool,
    /// The per-turn limit stopped sending with messages left.
    tx_more: bool,
    /// Bytes written that NORM has not reported sent (queue empty).
    tx_unsent: bool,
    // ---- receiving
    streams: HashMap<StreamId, RxStream>,
    /// Streams in the order they have work (round robin).
    order: VecDeque<StreamId>,
    /// The pipe was full: reading waits until the socket reads.
    in_blocked: bool,
    // ---- life cycle
    registered: bool,
    started: bool,
    done: bool,
    /// Closing: sending what is left, then waiting for NORM to send it.
    closing: bool,
    close_timer: Option<TimerId>,
    /// A turn was cut at its limit: come back on a zero timer.
    resume_timer: Option<TimerId>,
}

impl NormEngine {
    pub(crate) fn new(norm: NormSession, sender: bool, pipe: PipeEnd, max_msg_size: i64) -> Self {
        NormEngine {
            norm,
            sender,
            pipe: Some(pipe),
            max_msg_size,
            tx: None,
            tx_first: true,
            tx_ready: sender,
            tx_more: false,
            tx_unsent: false,
            streams: HashMap::new(),
            order: VecDeque::new(),
            in_blocked: false,
            registered: false,
            started: false,
            done: false,
            closing: false,
            close_timer: None,
            resume_timer: None,
        }
    }

    /// Adds the engine to `reactor`; it starts on the reactor's next turn.
    pub(crate) fn add(reactor: &mut R, engine: NormEngine) -> HandlerId {
        let id = reactor.add_handler(Box::new(engine));
        start_on_first_turn(reactor, id);
        id
    }

    fn start(&mut self, r: &mut R, id: HandlerId) {
        self.started = true;
        // SAFETY: the descriptor belongs to the NORM instance `self.norm`
        // owns for the handler's whole life; removing the handler
        // deregisters it before the handler (and the instance) is dropped.
        let fd = unsafe { BorrowedFd::borrow_raw(self.norm.descriptor()) };
        // SAFETY: see above: the descriptor outlives its registration.
        let registered = unsafe { r.register_fd(id, fd, Interest::READ) };
        self.registered = registered.is_ok();
        self.service(r, id);
    }

    fn service(&mut self, r: &mut R, id: HandlerId) {
        if self.done {
            return;
        }
        self.take_events();
        if self.sender {
            self.send();
        } else {
            self.drop_outbound();
            self.receive();
        }
        if self.closing {
            self.check_closed(r, id);
            return;
        }
        let more =
            self.tx_more || (!self.in_blocked && self.order.iter().any(|s| self.has_work(*s)));
        if more && self.resume_timer.is_none() {
            self.resume_timer = Some(r.add_timer(id, Duration::ZERO));
        }
    }

    // ---- NORM events ----------------------------------------------------------

    fn take_events(&mut self) {
        for _ in 0..EVENTS_PER_TURN {
            let Some(event) = self.norm.next_event() else {
                return;
            };
            match event {
                NormEvent::TxVacancy => self.tx_ready = true,
                NormEvent::TxEmpty => {
                    self.tx_ready = true;
                    self.tx_unsent = false;
                }
                NormEvent::RxData(stream, sender) => {
                    let max = self.max_msg_size;
                    let state = self
                        .streams
                        .entry(stream)
                        .or_insert_with(|| RxStream::new(sender, max));
                    state.readable = true;
                    if !self.order.contains(&stream) {
                        self.order.push_back(stream);
                    }
                }
                NormEvent::RxCompleted(stream) => {
                    // libzmq ignores this event. A stream whose messages
                    // are all in the pipe goes now; one still holding data
                    // the pipe had no room for stays until it is read (or
                    // its sender goes inactive), so nothing accepted is lost.
                    if self.streams.get(&stream).is_some_and(RxStream::drained) {
                        self.forget(stream);
                    }
                }
                NormEvent::RxAborted(stream) => self.forget(stream),
                NormEvent::SenderInactive(node) => {
                    let gone: Vec<StreamId> = self
                        .streams
                        .iter()
                        .filter(|(_, s)| s.sender == node)
                        .map(|(id, _)| *id)
                        .collect();
                    for stream in gone {
                        self.forget(stream);
                    }
                    self.norm.delete_event_sender();
                }
                NormEvent::TxFlushed | NormEvent::Other => {}
            }
        }
    }

    fn forget(&mut self, stream: StreamId) {
        self.streams.remove(&stream);
        self.order.retain(|s| *s != stream);
        self.norm.release(stream);
    }

    // ---- sending ------------------------------------------------------------------

    fn tx_idle(&self) -> bool {
        self.tx.is_none()
    }

    /// Writes what the pipe holds to the NORM stream while it has room.
    fn send(&mut self) {
        self.tx_more = false;
        for _ in 0..WORK_PER_TURN {
            if !self.tx_ready {
                return;
            }
            if self.tx.is_none() {
                let Some(pipe) = &mut self.pipe else {
                    return;
                };
                let Some(msg) = pipe.read() else {
                    return;
                };
                let (header, header_len) = frame_header(self.tx_first, &msg);
                self.tx = Some(TxFrame {
                    header,
                    header_len,
                    msg,
                    written: 0,
                });
            }
            let Some(frame) = &mut self.tx else {
                return;
            };
            while frame.written < frame.header_len + frame.msg.len() {
                let rest = if frame.written < frame.header_len {
                    &frame.header[frame.written..frame.header_len]
                } else {
                    &frame.msg.data()[frame.written - frame.header_len..]
                };
                let n = self.norm.write(rest);
                frame.written += n;
                self.tx_unsent |= n > 0;
                if n < rest.len() {
                    // Full: NORM_TX_QUEUE_VACANCY resumes.
                    self.tx_ready = false;
                    return;
                }
            }
            self.tx_first = !frame.msg.more();
            self.tx = None;
            self.norm.flush_message();
        }
        self.tx_more = true;
    }

    // ---- receiving ----------------------------------------------------------------

    /// A SUB's subscriptions reach the engine: nothing to do with them.
    fn drop_outbound(&mut self) {
        if let Some(pipe) = &mut self.pipe {
            while pipe.read().is_some() {}
        }
    }

    fn has_work(&self, stream: StreamId) -> bool {
        self.streams
            .get(&stream)
            .is_some_and(|s| s.readable || s.ready.is_some() || s.pos < s.len)
    }

    /// Reads and decodes the streams with data, round robin, and hands
    /// whole messages to the pipe while it has room.
    fn receive(&mut self) {
        let mut budget = WORK_PER_TURN;
        while budget > 0 && !self.in_blocked {
            let Some(stream) = self.order.pop_front() else {
                return;
            };
            let worked = self.service_stream(stream, &mut budget);
            // An idle stream waits for NORM_RX_OBJECT_UPDATED to put it
            // back in line.
            if self.has_work(stream) {
                self.order.push_back(stream);
            }
            if !worked && self.order.iter().all(|s| !self.has_work(*s)) {
                return;
            }
        }
    }

    /// Services one stream until it has nothing more, the pipe is full or
    /// the budget is spent; whether anything was done.
    fn service_stream(&mut self, id: StreamId, budget: &mut usize) -> bool {
        let Some(stream) = self.streams.get_mut(&id) else {
            return false;
        };
        let mut worked = false;
        while *budget > 0 {
            if let Some(msg) = stream.ready.take() {
                match push_message(self.pipe.as_mut(), msg) {
                    Ok(()) => worked = true,
                    Err(msg) => {
                        stream.ready = (!msg.is_empty()).then_some(msg);
                        self.in_blocked = true;
                        return worked;
                    }
                }
            }
            if stream.pos < stream.len {
                *budget -= 1;
                worked = true;
                decode_chunk(stream);
                continue;
            }
            if !stream.readable {
                return worked;
            }
            if !stream.in_sync {
                if !self.norm.seek_message_start(id) {
                    stream.readable = false;
                    return worked;
                }
                let mut sync = [0u8; 1];
                match self.norm.read(id, &mut sync) {
                    StreamRead::Broken => continue,
                    StreamRead::Data(0) => {
                        stream.readable = false;
                        return worked;
                    }
                    StreamRead::Data(_) => {
                        if sync[0] == SYNC_FIRST {
                            stream.in_sync = true;
                            stream.decoder.reset();
                        }
                    }
                }
                continue;
            }
            match self.norm.read(id, &mut stream.chunk) {
                StreamRead::Broken => stream.resync(),
                StreamRead::Data(0) => {
                    stream.readable = false;
                    return worked;
                }
                StreamRead::Data(n) => {
                    stream.pos = 0;
                    stream.len = n;
                }
            }
        }
        worked
    }

    // ---- pipe and life cycle ------------------------------------------------

    fn pipe_event(&mut self, r: &mut R, id: HandlerId, pipe_id: PipeId, event: PipeEvent) {
        let Some(pipe) = &mut self.pipe else {
            return;
        };
        if pipe.id() != pipe_id {
            return;
        }
        match pipe.process(event) {
            PipeSignal::Terminated => {
                self.pipe = None;
                if !self.sender {
                    self.finish(r, id);
                } else if !self.closing {
                    // The socket went: send what NORM holds before going.
                    self.begin_close(r, id, -1);
                } else {
                    self.service(r, id);
                }
                return;
            }
            PipeSignal::WriteActivated => self.in_blocked = false,
            _ => {}
        }
        self.service(r, id);
    }

    /// Unbind, disconnect or close: a sender writes what the pipe holds
    /// and waits (at most `linger` ms, and [`CLOSE_GRACE`]) until NORM has
    /// sent it once; a receiver, or `linger` 0, goes at once (libzmq's
    /// engine goes at once in every case, dropping what NORM held).
    fn close(&mut self, r: &mut R, id: HandlerId, linger: i32) {
        if linger == 0 || !self.sender {
            self.finish(r, id);
        } else if !self.closing {
            self.begin_close(r, id, linger);
        }
    }

    fn begin_close(&mut self, r: &mut R, id: HandlerId, linger: i32) {
        self.closing = true;
        let grace = u64::try_from(linger)
            .map(Duration::from_millis)
            .unwrap_or(CLOSE_GRACE)
            .min(CLOSE_GRACE);
        self.close_timer = Some(r.add_timer(id, grace));
        self.service(r, id);
    }

    fn check_closed(&mut self, r: &mut R, id: HandlerId) {
        let pipe_empty = self.pipe.as_mut().is_none_or(|p| !p.check_read());
        if !self.tx_unsent && pipe_empty && self.tx_idle() {
            self.finish(r, id);
        } else if self.tx_more && self.resume_timer.is_none() {
            self.resume_timer = Some(r.add_timer(id, Duration::ZERO));
        }
    }

    fn finish(&mut self, r: &mut R, id: HandlerId) {
        if self.done {
            return;
        }
        self.done = true;
        for timer in [self.close_timer.take(), self.resume_timer.take()]
            .into_iter()
            .flatten()
        {
            r.cancel_timer(timer);
        }
        if let Some(pipe) = &mut self.pipe {
            pipe.terminate();
        }
        r.remove_handler(id);
    }
}

/// Decodes the stream's read chunk until a message completes or the
/// chunk is used up.
fn decode_chunk(stream: &mut RxStream) {
    while stream.pos < stream.len && stream.ready.is_none() && stream.in_sync {
        let (used, step) = stream.decoder.decode(&stream.chunk[stream.pos..stream.len]);
        stream.pos += used;
        match step {
            Step::NeedMore => {}
            Step::TooLarge => stream.resync(),
            Step::Frame(frame) => {
                if frame.command {
                    // Commands have no place in a PUB's stream; libzmq's
                    // session drops them too.
                    continue;
                }
                stream.frames_bytes += frame.body.len();
                if stream.frames.len() >= FRAMES_MAX || stream.frames_bytes > PARTS_BYTES_MAX {
                    stream.resync();
                    continue;
                }
                let mut msg = Msg::from_vec(frame.body);
                msg.set_more(frame.more);
                stream.frames.push(msg);
                if !frame.more {
                    stream.frames_bytes = 0;
                    stream.ready = Some(std::mem::take(&mut stream.frames));
                }
            }
        }
    }
    if !stream.in_sync {
        // A resync dropped the rest of the chunk.
        stream.pos = 0;
        stream.len = 0;
    }
}

/// Writes a whole message to the pipe; gives it back when there is no
/// room.
fn push_message(pipe: Option<&mut PipeEnd>, frames: Vec<Msg>) -> Result<(), Vec<Msg>> {
    let Some(pipe) = pipe else {
        // No pipe: nowhere to deliver; drop.
        return Ok(());
    };
    if !pipe.check_write() {
        return Err(frames);
    }
    for frame in frames {
        if pipe.write(frame).is_err() {
            // Cannot happen after check_write for a message's frames; if
            // it does, take back what went in (the message is lost, as
            // any message NORM could not repair) and wait for room.
            pipe.rollback();
            return Err(Vec::new());
        }
    }
    pipe.flush();
    Ok(())
}

impl EventHandler<IoCommand> for NormEngine {
    fn on_readable(&mut self, r: &mut R, id: HandlerId) {
        self.service(r, id);
    }

    fn on_writable(&mut self, r: &mut R, id: HandlerId) {
        self.service(r, id);
    }

    fn on_timer(&mut self, r: &mut R, id: HandlerId, timer: TimerId) {
        if !self.started && !self.done {
            self.start(r, id);
            return;
        }
        if self.close_timer == Some(timer) {
            self.close_timer = None;
            self.finish(r, id);
            return;
        }
        if self.resume_timer == Some(timer) {
            self.resume_timer = None;
        }
        self.service(r, id);
    }

    fn on_command(&mut self, r: &mut R, id: HandlerId, command: IoCommand) {
        match command {
            IoCommand::Pipe(pipe, event) => self.pipe_event(r, id, pipe, event),
            IoCommand::Close { linger } => self.close(r, id, linger),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One frame of `len` bytes in the stream's wire layout.
    fn frame(first: bool, len: usize, more: bool) -> Vec<u8> {
        let mut msg = Msg::from_vec(vec![7u8; len]);
        msg.set_more(more);
        let (header, n) = wire::frame_header(first, &msg);
        let mut bytes = header[..n].to_vec();
        bytes.extend_from_slice(msg.data());
        bytes
    }

    #[test]
    fn an_endless_multipart_message_is_dropped_at_its_byte_bound() {
        let mut stream = RxStream::new(NodeId::for_tests(), -1);
        stream.in_sync = true;
        let part = READ_CHUNK / 2 - 16;
        let mut held_most = 0;
        let mut first = true;
        for _ in 0..(PARTS_BYTES_MAX / part + 4) {
            let mut bytes = frame(first, part, true);
            if first {
                // The engine reads a message's first sync byte itself.
                bytes.remove(0);
            }
            first = false;
            stream.chunk[..bytes.len()].copy_from_slice(&bytes);
            stream.pos = 0;
            stream.len = bytes.len();
            decode_chunk(&mut stream);
            held_most = held_most.max(stream.frames_bytes);
            if !stream.in_sync {
                break;
            }
        }
        assert!(
            !stream.in_sync,
            "the message was dropped and the stream resyncs"
        );
        assert!(stream.frames.is_empty() && stream.ready.is_none());
        assert!(held_most <= PARTS_BYTES_MAX);
    }
}
