//! DGRAM (draft, udp only): one peer, the socket's udp engine; every
//! message has two parts, the address (`"ip:port"`) with MORE, then the
//! body. As libzmq's `dgram_t`: a first part without MORE or a second part
//! with MORE is EINVAL; further pipes are refused; a send before the
//! socket is bound is dropped.

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// A DGRAM socket's state.
#[derive(Debug)]
pub struct Dgram<P> {
    pipe: Option<P>,
    refused: PipeMap<P>,
    /// The address part went out; the body comes next.
    more_out: bool,
}

impl<P: Pipe> Dgram<P> {
    /// A DGRAM socket without its udp engine yet.
    pub fn new() -> Dgram<P> {
        Dgram {
            pipe: None,
            refused: PipeMap::default(),
            more_out: false,
        }
    }
}

impl<P: Pipe> Default for Dgram<P> {
    fn default() -> Dgram<P> {
        Dgram::new()
    }
}

impl<P: Pipe> Pattern<P> for Dgram<P> {
    fn attach(&mut self, mut pipe: P, _locally_initiated: bool) {
        if self.pipe.is_none() {
            self.pipe = Some(pipe);
        } else {
            pipe.terminate();
            self.refused.insert(pipe.id(), pipe);
        }
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        match self.pipe.as_mut() {
            Some(pipe) if pipe.id() == id => Some(pipe),
            _ => self.refused.get_mut(&id),
        }
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        if self.pipe.as_ref().is_some_and(|p| p.id() == id) {
            self.more_out = false;
            return self.pipe.take();
        }
        self.refused.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        // Address first (with MORE), then the body (without).
        if msg.more() == self.more_out {
            return Err(SendError::new(PatternError::Invalid, msg));
        }
        let Some(pipe) = self.pipe.as_mut() else {
            // Not bound: nowhere to send, dropped as libzmq does.
            self.more_out = msg.more();
            return Ok(());
        };
        let more = msg.more();
        pipe.write(msg)
            .map_err(|msg| SendError::new(PatternError::Again, msg))?;
        if !more {
            pipe.flush();
        }
        self.more_out = more;
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        self.pipe
            .as_mut()
            .and_then(|pipe| pipe.read())
            .ok_or(PatternError::Again)
    }

    fn has_in(&mut self) -> bool {
        self.pipe.as_mut().is_some_and(|pipe| pipe.check_read())
    }

    fn has_out(&mut self) -> bool {
        self.pipe.as_mut().is_some_and(|pipe| pipe.check_write())
    }

    fn read_activated(&mut self, _id: PipeId) {}

    fn write_activated(&mut self, _id: PipeId) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::MemHub;

    fn part(data: &[u8], more: bool) -> Msg {
        let mut msg = Msg::from_slice(data);
        msg.set_more(more);
        msg
    }

    #[test]
    fn two_parts_address_then_body() {
        let mut hub = MemHub::new();
        let mut dgram = Dgram::new();
        let (pipe, peer) = hub.pipe(10);
        dgram.attach(pipe, false);
        let error = dgram.send(part(b"no more", false)).err().map(|e| e.kind);
        assert_eq!(error, Some(PatternError::Invalid));
        dgram.send(part(b"127.0.0.1:5555", true)).unwrap();
        let error = dgram.send(part(b"more again", true)).err().map(|e| e.kind);
        assert_eq!(error, Some(PatternError::Invalid));
        dgram.send(part(b"body", false)).unwrap();
        assert_eq!(
            peer.recv(),
            Some(vec![b"127.0.0.1:5555".to_vec(), b"body".to_vec()])
        );
        peer.send(&[b"10.0.0.1:9", b"hello"]);
        hub.deliver(&mut dgram);
        assert!(dgram.has_in());
        assert_eq!(dgram.recv().map(|m| m.more()), Ok(true));
        assert_eq!(
            dgram.recv().map(|m| m.data().to_vec()),
            Ok(b"hello".to_vec())
        );
        assert_eq!(dgram.recv().err(), Some(PatternError::Again));
    }

    #[test]
    fn one_pipe_only() {
        let mut hub = MemHub::new();
        let mut dgram = Dgram::new();
        let (first, _a) = hub.pipe(10);
        let (second, b) = hub.pipe(10);
        dgram.attach(first, false);
        dgram.attach(second, false);
        assert!(b.is_terminated());
    }

    #[test]
    fn unbound_sends_are_dropped() {
        let mut dgram: Dgram<crate::mem::MemPipe> = Dgram::new();
        dgram.send(part(b"127.0.0.1:5555", true)).unwrap();
        dgram.send(part(b"body", false)).unwrap();
        assert!(!dgram.has_out());
    }
}
