//! ZeroMQ socket-type semantics over abstract pipes.
//!
//! No I/O here: each socket type is a value that is handed pipes and
//! messages and decides where messages go, so that every routing rule of
//! RFC 28, 29, 30 and 31 can be tested in memory.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod msg;
pub mod pipe;

pub use msg::{Metadata, Msg, MsgFlags};
pub use pipe::{Pipe, PipeId};
