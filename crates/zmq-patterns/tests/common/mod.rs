//! Helpers shared by the pattern tests.
#![allow(dead_code)]

use zmq_patterns::mem::MemPipe;
use zmq_patterns::{Msg, Pattern, PatternError};

/// Sends a whole message, one part per slice; stops at the first refusal.
pub fn send<Q: Pattern<MemPipe>>(pattern: &mut Q, parts: &[&[u8]]) -> Result<(), PatternError> {
    for (i, part) in parts.iter().enumerate() {
        let mut msg = Msg::from_slice(part);
        msg.set_more(i + 1 < parts.len());
        pattern.send(msg).map_err(|e| e.kind)?;
    }
    Ok(())
}

/// Receives a whole message as byte vectors.
pub fn recv<Q: Pattern<MemPipe>>(pattern: &mut Q) -> Result<Vec<Vec<u8>>, PatternError> {
    let mut parts = Vec::new();
    loop {
        let msg = pattern.recv()?;
        parts.push(msg.data().to_vec());
        if !msg.more() {
            return Ok(parts);
        }
    }
}

/// `parts` as owned byte vectors, for comparisons.
pub fn owned(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}
