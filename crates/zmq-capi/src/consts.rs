//! The `zmq.h` numbers this crate needs, by name.

#![allow(missing_docs)]

use std::ffi::c_int;

// Context options.
pub const ZMQ_IO_THREADS: c_int = 1;
pub const ZMQ_MAX_SOCKETS: c_int = 2;
pub const ZMQ_SOCKET_LIMIT: c_int = 3;
pub const ZMQ_THREAD_PRIORITY: c_int = 3;
pub const ZMQ_THREAD_SCHED_POLICY: c_int = 4;
pub const ZMQ_MAX_MSGSZ: c_int = 5;
pub const ZMQ_MSG_T_SIZE: c_int = 6;

// Socket options.
pub const ZMQ_FD: c_int = 14;
pub const ZMQ_IPV6: c_int = 42;
pub const ZMQ_BLOCKY: c_int = 70;

// Message properties.
pub const ZMQ_MORE: c_int = 1;
pub const ZMQ_SRCFD: c_int = 2;
pub const ZMQ_SHARED: c_int = 3;

pub const ZMQ_SNDMORE: c_int = 2;

/// The longest RADIO/DISH group (`ZMQ_GROUP_MAX_LENGTH`).
pub const ZMQ_GROUP_MAX_LENGTH: usize = 255;

// Security mechanisms.

// Poll events.
