//! ZeroMQ in Rust: context, sockets, messages, options.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod error;

pub use error::{Error, Result};
