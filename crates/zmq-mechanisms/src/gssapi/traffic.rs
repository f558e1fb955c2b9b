//! GSSAPI traffic: each frame `gss_wrap`ped into a `MESSAGE` command, as
//! libzmq's `encode_message` / `decode_message` lay it out.

use bytes::{BufMut, Bytes, BytesMut};
use zmtp_codec::{Frame, FrameFlags, FrameHeader, Framing};

use super::ffi::{Context, GssError};
use super::sized_field;
use crate::error::MechanismError;
use crate::peer::check_command_structure;
use crate::transform::TrafficTransform;

const MESSAGE: &[u8] = b"\x07MESSAGE";
const FLAG_MORE: u8 = 0x01;
const FLAG_COMMAND: u8 = 0x02;

/// The established context of a connection that wraps its frames.
pub struct GssapiTraffic {
    context: Context,
}

impl core::fmt::Debug for GssapiTraffic {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("GssapiTraffic")
    }
}

pub(crate) fn gss_failure(e: GssError) -> MechanismError {
    MechanismError::Gssapi {
        call: e.call,
        major: e.major,
        minor: e.minor,
        message: e.to_string(),
    }
}

impl GssapiTraffic {
    pub(crate) fn new(context: Context) -> GssapiTraffic {
        GssapiTraffic { context }
    }

    pub(crate) fn into_context(self) -> Context {
        self.context
    }

    /// A `MESSAGE` command body wrapping a frame with `flags` and `body`.
    pub fn seal(&mut self, flags: FrameFlags, body: &[u8]) -> Result<Bytes, MechanismError> {
        self.wrap(flags, body, |wrapped| {
            let mut out = BytesMut::with_capacity(message_len(wrapped));
            put_message(&mut out, wrapped);
            out.freeze()
        })
    }

    /// Wraps the flags byte and `body`; `take` gets the token.
    fn wrap<R>(
        &mut self,
        flags: FrameFlags,
        body: &[u8],
        take: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, MechanismError> {
        let mut plain = Vec::with_capacity(1 + body.len());
        let mut bits = 0;
        if flags.more() {
            bits |= FLAG_MORE;
        }
        if flags.command() {
            bits |= FLAG_COMMAND;
        }
        plain.push(bits);
        plain.extend_from_slice(body);
        self.context.wrap(&plain, take).map_err(gss_failure)
    }

    /// The flags and body a `MESSAGE` command body wraps.
    pub fn open(&mut self, body: &Bytes) -> Result<(FrameFlags, Bytes), MechanismError> {
        check_command_structure(body)?;
        if !body.starts_with(MESSAGE) {
            return Err(MechanismError::UnexpectedCommand);
        }
        let wrapped = sized_field(
            body.slice(MESSAGE.len()..),
            MechanismError::MalformedMessage,
        )?;
        let opened = self
            .context
            .unwrap(&wrapped, |plain| {
                plain.split_first().map(|(&bits, rest)| {
                    let flags = FrameFlags::new(bits & FLAG_MORE != 0, bits & FLAG_COMMAND != 0);
                    (flags, Bytes::copy_from_slice(rest))
                })
            })
            .map_err(|_| MechanismError::Cryptographic {
                what: "GSSAPI MESSAGE",
            })?;
        opened.ok_or(MechanismError::MalformedMessage)
    }
}

impl TrafficTransform for GssapiTraffic {
    /// The `MESSAGE` goes out as a frame without flags (libzmq's encoder
    /// sees a fresh message), written straight from the wrapped token.
    fn seal_frame_into(
        &mut self,
        flags: FrameFlags,
        body: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), MechanismError> {
        self.wrap(flags, body, |wrapped| {
            let len = message_len(wrapped);
            let header = FrameHeader::new(FrameFlags::NONE, len).encode(Framing::V3);
            out.reserve(header.as_slice().len() + len);
            out.put_slice(header.as_slice());
            put_message(out, wrapped);
        })
    }

    /// [`GssapiTraffic::open`] of a received frame's body.
    fn open_frame(&mut self, body: Bytes) -> Result<Frame, MechanismError> {
        let (flags, data) = self.open(&body)?;
        Ok(Frame::new(flags, data))
    }
}

/// Bytes of the `MESSAGE` command body holding `wrapped`.
fn message_len(wrapped: &[u8]) -> usize {
    MESSAGE.len() + 4 + wrapped.len()
}

/// Appends the `MESSAGE` command body holding `wrapped`.
fn put_message(out: &mut BytesMut, wrapped: &[u8]) {
    out.put_slice(MESSAGE);
    super::put_len(out, wrapped.len());
    out.put_slice(wrapped);
}
