//! The steps of a script (PROTOCOL.md, "Steps"), run against one socket.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::control::Control;
use crate::frames::{Matcher, Variables, describe_all, message_bytes, pattern, size_field};
use crate::outcome::{PeerError, PeerResult, spec_error};
use crate::script::timeout_field;

/// Bytes of a sequence number at the start of a sequence body.
pub const SEQ_HEADER_LEN: usize = 8;
/// Default of `recv_none`'s `ms`.
const RECV_NONE_DEFAULT_MS: i32 = 500;
/// Default of `send_until`'s `interval_ms`.
const SEND_UNTIL_INTERVAL_MS: u64 = 10;
/// Most events `record_events` keeps before giving up.
const MAX_RECORDED_EVENTS: usize = 256;
/// Pause between retries of an unroutable send.
const UNROUTABLE_RETRY: Duration = Duration::from_millis(10);

/// Runs steps against a socket, keeping captured variables.
pub struct Runner<'a> {
    socket: &'a zmq::Socket,
    /// Reader of the socket's disconnect events (for `wait_disconnect`).
    monitor: Option<&'a zmq::Socket>,
    control: &'a Control,
    timeout_ms: i32,
    variables: Variables,
    /// Where status lines go (stdout in the program).
    emit: &'a dyn Fn(&str),
}

impl<'a> Runner<'a> {
    /// A runner with `timeout_ms` as the default bound of waiting steps.
    pub fn new(
        socket: &'a zmq::Socket,
        monitor: Option<&'a zmq::Socket>,
        control: &'a Control,
        timeout_ms: i32,
        emit: &'a dyn Fn(&str),
    ) -> Runner<'a> {
        Runner {
            socket,
            monitor,
            control,
            timeout_ms,
            variables: Variables::new(),
            emit,
        }
    }

    /// Runs every step in order; a failure names the step index and op.
    pub fn run(&mut self, steps: &[Value]) -> PeerResult<()> {
        for (index, step) in steps.iter().enumerate() {
            let op = step.get("op").and_then(Value::as_str).unwrap_or("?");
            self.step(op, step)
                .map_err(|e| e.within(&format!("step {index} ({op})")))?;
        }
        Ok(())
    }

    fn step(&mut self, op: &str, step: &Value) -> PeerResult<()> {
        match op {
            "send" => self.op_send(step),
            "recv" => self.op_recv(step),
            "recv_none" => self.op_recv_none(step),
            "echo" => self.op_echo(step),
            "send_seq" => self.op_send_seq(step),
            "recv_seq" => self.op_recv_seq(step),
            "send_until" => self.op_send_until(step),
            "signal" => {
                (self.emit)(&format!("SIGNAL {}", str_field(step, "name")?));
                Ok(())
            }
            "await" => self.op_await(step),
            "idle" => {
                let ms = timeout_field(step.get("ms"))?.unwrap_or(0);
                std::thread::sleep(millis(ms));
                Ok(())
            }
            "wait_disconnect" => self.op_wait_disconnect(step),
            "wait_event" => self.op_wait_event(step),
            "record_events" => self.op_record_events(step),
            other => Err(PeerError::Unsupported(format!("op {other}"))),
        }
    }

    fn step_timeout(&self, step: &Value) -> PeerResult<i32> {
        Ok(timeout_field(step.get("timeout_ms"))?.unwrap_or(self.timeout_ms))
    }

    // ------------------------------------------------------------ primitives

    /// Sends one multipart message within `timeout_ms`. `Ok(false)`: timed
    /// out with `allow_eagain`.
    fn send_frames(
        &self,
        frames: &[zmq::Message],
        timeout_ms: i32,
        allow_eagain: bool,
        retry_unroutable: bool,
    ) -> PeerResult<bool> {
        self.socket.set_sndtimeo(timeout_ms)?;
        let deadline = Instant::now().checked_add(millis(timeout_ms));
        loop {
            match self.socket.send_multipart(frames.iter().cloned(), 0) {
                Ok(()) => return Ok(true),
                Err(zmq::Error::Again) if allow_eagain => return Ok(false),
                Err(zmq::Error::Again) => {
                    return fail(format!("send timed out after {timeout_ms} ms"));
                }
                Err(zmq::Error::HostUnreach) if retry_unroutable => {
                    if deadline.is_none_or(|d| Instant::now() >= d) {
                        return fail(format!("peer still unroutable after {timeout_ms} ms"));
                    }
                    std::thread::sleep(UNROUTABLE_RETRY);
                }
                Err(e) => return fail(format!("send failed: {e} (errno {})", e.errno())),
            }
        }
    }

    fn recv_frames(&self, timeout_ms: i32, what: &str) -> PeerResult<Vec<Vec<u8>>> {
        self.socket.set_rcvtimeo(timeout_ms)?;
        match self.socket.recv_multipart(0) {
            Ok(frames) => Ok(frames),
            Err(zmq::Error::Again) => {
                fail(format!("{what}: nothing received within {timeout_ms} ms"))
            }
            Err(e) => fail(format!("{what}: recv failed: {e} (errno {})", e.errno())),
        }
    }

    fn recv_skipping(
        &self,
        timeout_ms: i32,
        what: &str,
        skips: &[Matcher],
    ) -> PeerResult<Vec<Vec<u8>>> {
        let start = Instant::now();
        loop {
            let spent = i32::try_from(start.elapsed().as_millis()).unwrap_or(i32::MAX);
            let left = timeout_ms.saturating_sub(spent).max(1);
            let frames = self.recv_frames(left, what)?;
            if !skips.iter().any(|m| m.matches(&frames, &self.variables)) {
                return Ok(frames);
            }
        }
    }

    // ------------------------------------------------------------ ops

    fn op_send(&mut self, step: &Value) -> PeerResult<()> {
        let frames = messages(message_bytes(step.get("frames"), &self.variables)?);
        self.send_frames(
            &frames,
            self.step_timeout(step)?,
            bool_field(step, "allow_eagain"),
            bool_field(step, "retry_unroutable"),
        )?;
        Ok(())
    }

    fn op_recv(&mut self, step: &Value) -> PeerResult<()> {
        let matcher = Matcher::new(step.get("expect"), &self.variables)?;
        let skips = Matcher::list(step.get("skip"), &self.variables)?;
        let frames = self.recv_skipping(self.step_timeout(step)?, "recv", &skips)?;
        if let Some(reason) = matcher.mismatch(&frames, &self.variables) {
            return fail(format!("recv: {reason}"));
        }
        matcher.capture(&frames, &mut self.variables);
        Ok(())
    }

    fn op_recv_none(&mut self, step: &Value) -> PeerResult<()> {
        let ms = timeout_field(step.get("ms"))?.unwrap_or(RECV_NONE_DEFAULT_MS);
        self.socket.set_rcvtimeo(ms)?;
        match self.socket.recv_multipart(0) {
            Err(zmq::Error::Again) => Ok(()),
            Err(e) => fail(format!("recv_none: recv failed: {e}")),
            Ok(frames) => fail(format!(
                "recv_none: got a message ({})",
                describe_all(&frames)
            )),
        }
    }

    fn op_echo(&mut self, step: &Value) -> PeerResult<()> {
        let timeout = self.step_timeout(step)?;
        for _ in 0..count_field(step, "count", 1)? {
            let frames = messages(self.recv_frames(timeout, "echo")?);
            self.send_frames(&frames, timeout, false, false)?;
        }
        Ok(())
    }

    fn op_send_seq(&mut self, step: &Value) -> PeerResult<()> {
        let count = count_field(step, "count", 0)?;
        let size = seq_size(step)?;
        let head = messages(message_bytes(step.get("head"), &self.variables)?);
        let filler = pattern(size, 0);
        let filler = filler.get(SEQ_HEADER_LEN..).unwrap_or_default();
        let timeout = self.step_timeout(step)?;
        self.socket.set_sndtimeo(timeout)?;
        for seq in 0..count {
            let mut body = Vec::with_capacity(size);
            body.extend_from_slice(&seq.to_be_bytes());
            body.extend_from_slice(filler);
            let parts = head.iter().cloned().chain([zmq::Message::from(body)]);
            match self.socket.send_multipart(parts, 0) {
                Ok(()) => {}
                Err(zmq::Error::Again) => {
                    return fail(format!("send_seq: send {seq} timed out after {timeout} ms"));
                }
                Err(e) => return fail(format!("send_seq: send {seq} failed: {e}")),
            }
        }
        Ok(())
    }

    fn op_recv_seq(&mut self, step: &Value) -> PeerResult<()> {
        let count = count_field(step, "count", 0)?;
        let size = seq_size(step)?;
        let head = Matcher::new(step.get("head"), &self.variables)?;
        let skips = Matcher::list(step.get("skip"), &self.variables)?;
        let filler = pattern(size, 0);
        let filler = filler.get(SEQ_HEADER_LEN..).unwrap_or_default();
        let timeout = self.step_timeout(step)?;
        self.socket.set_rcvtimeo(timeout)?;
        let mut seq: u64 = 0;
        while seq < count {
            let frames = match self.socket.recv_multipart(0) {
                Ok(frames) => frames,
                Err(zmq::Error::Again) => {
                    return fail(format!(
                        "recv_seq: stalled after {seq} of {count} messages ({timeout} ms)"
                    ));
                }
                Err(e) => return fail(format!("recv_seq: recv failed after {seq}: {e}")),
            };
            if !skips.is_empty() && skips.iter().any(|m| m.matches(&frames, &self.variables)) {
                continue;
            }
            let Some((body, head_frames)) = frames.split_last() else {
                return fail(format!("recv_seq: message {seq} has no frames"));
            };
            if head_frames.len() != head.len() {
                return fail(format!(
                    "recv_seq: message {seq} has {} frames, expected {}",
                    frames.len(),
                    head.len() + 1
                ));
            }
            if !head.is_empty()
                && let Some(reason) = head.mismatch(head_frames, &self.variables)
            {
                return fail(format!("recv_seq: message {seq} head: {reason}"));
            }
            if body.len() != size {
                return fail(format!(
                    "recv_seq: message {seq} is {} bytes, expected {size}",
                    body.len()
                ));
            }
            let (number, rest) = body.split_at(SEQ_HEADER_LEN);
            let mut be = [0u8; SEQ_HEADER_LEN];
            be.copy_from_slice(number);
            let got = u64::from_be_bytes(be);
            if got != seq {
                return fail(format!("recv_seq: expected sequence {seq}, got {got}"));
            }
            if rest != filler {
                return fail(format!("recv_seq: message {seq} body corrupted"));
            }
            seq += 1;
        }
        Ok(())
    }

    fn op_send_until(&mut self, step: &Value) -> PeerResult<()> {
        let frames = messages(message_bytes(step.get("frames"), &self.variables)?);
        let name = str_field(step, "signal")?;
        let interval = match step.get("interval_ms") {
            None => SEND_UNTIL_INTERVAL_MS,
            Some(v) => match v.as_u64() {
                Some(ms) => ms.min(60_000),
                None => return spec_error("interval_ms must be a non-negative integer"),
            },
        };
        let timeout = self.step_timeout(step)?;
        let deadline = Instant::now().checked_add(millis(timeout));
        while !self.control.is_released(name) {
            if deadline.is_none_or(|d| Instant::now() >= d) {
                return fail(format!("send_until: no GO {name} within {timeout} ms"));
            }
            self.send_frames(&frames, timeout, true, false)?;
            self.control.wait(name, Duration::from_millis(interval));
        }
        Ok(())
    }

    fn op_wait_disconnect(&mut self, step: &Value) -> PeerResult<()> {
        let timeout = self.step_timeout(step)?;
        self.wait_event(
            "wait_disconnect",
            zmq::monitor::EVENT_DISCONNECTED,
            None,
            timeout,
        )
    }

    fn op_wait_event(&mut self, step: &Value) -> PeerResult<()> {
        let name = str_field(step, "event")?;
        let Some(event) = event_named(name) else {
            return Err(PeerError::Unsupported(format!("event {name}")));
        };
        let value = match step.get("value") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64().map(u32::try_from) {
                Some(Ok(value)) => Some(value),
                _ => return spec_error(format!("event value must be a u32, not {v}")),
            },
        };
        let timeout = self.step_timeout(step)?;
        self.wait_event("wait_event", event, value, timeout)
    }

    /// Reads monitor events until `event` (with `value`, if given) arrives.
    fn wait_event(
        &self,
        what: &str,
        event: u64,
        value: Option<u32>,
        timeout: i32,
    ) -> PeerResult<()> {
        let Some(monitor) = self.monitor else {
            return fail(format!("{what}: the socket is not monitored"));
        };
        let start = Instant::now();
        let mut seen = Vec::new();
        loop {
            let spent = i32::try_from(start.elapsed().as_millis()).unwrap_or(i32::MAX);
            let left = timeout.saturating_sub(spent);
            if left <= 0 {
                return fail(format!(
                    "{what}: no event {event:#x} (value {value:?}) within {timeout} ms; \
                     saw {seen:x?}"
                ));
            }
            monitor.set_rcvtimeo(left)?;
            let parts = match monitor.recv_multipart(0) {
                Ok(parts) => parts,
                Err(zmq::Error::Again) => continue,
                Err(e) => return fail(format!("{what}: monitor recv failed: {e}")),
            };
            if let Some((got, got_value, _)) = zmq::monitor::parse_event_v1(&parts) {
                if u64::from(got) == event && value.is_none_or(|v| v == got_value) {
                    return Ok(());
                }
                if seen.len() < 16 {
                    seen.push((got, got_value));
                }
            }
        }
    }

    /// Prints `EVENTS [[event, value, endpoint], ...]`: every monitor event
    /// so far, up to and including the first `until` event.
    fn op_record_events(&mut self, step: &Value) -> PeerResult<()> {
        let name = str_field(step, "until")?;
        let Some(until) = event_named(name) else {
            return Err(PeerError::Unsupported(format!("event {name}")));
        };
        let Some(monitor) = self.monitor else {
            return fail("record_events: the socket is not monitored".into());
        };
        let timeout = self.step_timeout(step)?;
        let start = Instant::now();
        let mut seen = Vec::new();
        loop {
            let spent = i32::try_from(start.elapsed().as_millis()).unwrap_or(i32::MAX);
            let left = timeout.saturating_sub(spent);
            if left <= 0 || seen.len() >= MAX_RECORDED_EVENTS {
                return fail(format!(
                    "record_events: no {name} within {timeout} ms; saw {}",
                    Value::from(seen)
                ));
            }
            monitor.set_rcvtimeo(left)?;
            let parts = match monitor.recv_multipart(0) {
                Ok(parts) => parts,
                Err(zmq::Error::Again) => continue,
                Err(e) => return fail(format!("record_events: monitor recv failed: {e}")),
            };
            let Some((event, value, endpoint)) = zmq::monitor::parse_event_v1(&parts) else {
                return fail(format!("record_events: malformed event {parts:x?}"));
            };
            seen.push(serde_json::json!([event, value, endpoint]));
            if u64::from(event) == until {
                (self.emit)(&format!("EVENTS {}", Value::from(seen)));
                return Ok(());
            }
        }
    }

    fn op_await(&mut self, step: &Value) -> PeerResult<()> {
        let name = str_field(step, "name")?;
        let timeout = self.step_timeout(step)?;
        if self.control.wait(name, millis(timeout)) {
            Ok(())
        } else {
            fail(format!("await: no GO {name} within {timeout} ms"))
        }
    }
}

/// The monitor event of a `wait_event` step, by libzmq name without
/// `ZMQ_EVENT_`.
fn event_named(name: &str) -> Option<u64> {
    use zmq::monitor as m;
    let event = match name {
        "CONNECTED" => m::EVENT_CONNECTED,
        "CONNECT_DELAYED" => m::EVENT_CONNECT_DELAYED,
        "CONNECT_RETRIED" => m::EVENT_CONNECT_RETRIED,
        "LISTENING" => m::EVENT_LISTENING,
        "BIND_FAILED" => m::EVENT_BIND_FAILED,
        "ACCEPTED" => m::EVENT_ACCEPTED,
        "ACCEPT_FAILED" => m::EVENT_ACCEPT_FAILED,
        "CLOSED" => m::EVENT_CLOSED,
        "CLOSE_FAILED" => m::EVENT_CLOSE_FAILED,
        "DISCONNECTED" => m::EVENT_DISCONNECTED,
        "MONITOR_STOPPED" => m::EVENT_MONITOR_STOPPED,
        "HANDSHAKE_SUCCEEDED" => m::EVENT_HANDSHAKE_SUCCEEDED,
        "HANDSHAKE_FAILED_NO_DETAIL" => m::EVENT_HANDSHAKE_FAILED_NO_DETAIL,
        "HANDSHAKE_FAILED_PROTOCOL" => m::EVENT_HANDSHAKE_FAILED_PROTOCOL,
        "HANDSHAKE_FAILED_AUTH" => m::EVENT_HANDSHAKE_FAILED_AUTH,
        _ => return None,
    };
    Some(event)
}

fn fail<T>(reason: String) -> PeerResult<T> {
    Err(PeerError::Fail(reason))
}

fn millis(ms: i32) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

fn messages(frames: Vec<Vec<u8>>) -> Vec<zmq::Message> {
    frames.into_iter().map(zmq::Message::from).collect()
}

fn str_field<'v>(step: &'v Value, name: &str) -> PeerResult<&'v str> {
    match step.get(name).and_then(Value::as_str) {
        Some(value) => Ok(value),
        None => spec_error(format!("{name} must be a string")),
    }
}

fn bool_field(step: &Value, name: &str) -> bool {
    step.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn count_field(step: &Value, name: &str, default: u64) -> PeerResult<u64> {
    match step.get(name) {
        None => Ok(default),
        Some(v) => match v.as_u64() {
            Some(n) => Ok(n),
            None => spec_error(format!("{name} must be a non-negative integer")),
        },
    }
}

fn seq_size(step: &Value) -> PeerResult<usize> {
    let size = size_field(step.get("size"), "size")?;
    if size < SEQ_HEADER_LEN {
        return spec_error(format!("sequence size must be >= {SEQ_HEADER_LEN}"));
    }
    Ok(size)
}

#[cfg(test)]
#[path = "steps_tests.rs"]
mod tests;
