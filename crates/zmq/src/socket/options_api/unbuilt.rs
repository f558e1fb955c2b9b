//! Options of features this library does not build, and of draft
//! features it does not act on yet. Per libzmq:
//! - multicast options (`ZMQ_RATE`, `ZMQ_RECOVERY_IVL`,
//!   `ZMQ_MULTICAST_MAXTPDU`) are validated and stored even though the
//!   pgm/epgm/norm transports are absent (binding or connecting to them
//!   is EPROTONOSUPPORT, so storing changes nothing);
//!   `ZMQ_MULTICAST_HOPS` and `ZMQ_MULTICAST_LOOP` also apply to udp
//!   RADIO sockets (the udp engine sets them on multicast groups);
//! - `ZMQ_IN_BATCH_SIZE` / `ZMQ_OUT_BATCH_SIZE` are stored: our engine
//!   sizes its own reads and writes;
//! - NORM options are EINVAL, as in a libzmq built without them (VMCI:
//!   `vmci.rs`, with the `vmci` feature; GSSAPI: `gssapi.rs`, with the
//!   `gssapi` feature; WSS: `wss.rs`).

use super::super::Socket;
use crate::error::{Error, Result};
use crate::option_table::{Arg, num};

int_options! {
    /// `ZMQ_RATE` (kbit/s, > 0): multicast rate; stored (no pgm/norm).
    net.rate: set_rate / get_rate = ZMQ_RATE;
    /// `ZMQ_RECOVERY_IVL` (ms, >= 0): multicast recovery; stored.
    net.recovery_ivl: set_recovery_ivl / get_recovery_ivl = ZMQ_RECOVERY_IVL;
    /// `ZMQ_MULTICAST_HOPS` (> 0): multicast TTL of udp RADIO sockets.
    net.multicast_hops: set_multicast_hops / get_multicast_hops = ZMQ_MULTICAST_HOPS;
    /// `ZMQ_MULTICAST_MAXTPDU` (bytes, > 0): stored.
    net.multicast_maxtpdu: set_multicast_maxtpdu / get_multicast_maxtpdu = ZMQ_MULTICAST_MAXTPDU;
    /// `ZMQ_IN_BATCH_SIZE` (bytes, > 0): stored; our engine sizes reads.
    net.in_batch_size: set_in_batch_size / get_in_batch_size = ZMQ_IN_BATCH_SIZE;
    /// `ZMQ_OUT_BATCH_SIZE` (bytes, > 0): stored; our engine sizes writes.
    net.out_batch_size: set_out_batch_size / get_out_batch_size = ZMQ_OUT_BATCH_SIZE;
}

/// Options of a feature not built: both directions are EINVAL, as in a
/// libzmq built without it.
macro_rules! not_built {
    ($( $(#[$doc:meta])* $set:ident($ty:ty) / $get:ident -> $out:ty; )*) => {
        impl Socket {
            $(
                $(#[$doc])*
                pub fn $set(&self, value: $ty) -> Result<()> {
                    let _ = value;
                    Err(Error::Inval)
                }

                $(#[$doc])*
                pub fn $get(&self) -> Result<$out> {
                    Err(Error::Inval)
                }
            )*
        }
    };
}

not_built! {
    /// `ZMQ_NORM_MODE`: EINVAL (no norm transport).
    set_norm_mode(i32) / get_norm_mode -> i32;
    /// `ZMQ_NORM_UNICAST_NACK`: EINVAL (no norm transport).
    set_norm_unicast_nack(bool) / get_norm_unicast_nack -> bool;
    /// `ZMQ_NORM_BUFFER_SIZE`: EINVAL (no norm transport).
    set_norm_buffer_size(i32) / get_norm_buffer_size -> i32;
    /// `ZMQ_NORM_SEGMENT_SIZE`: EINVAL (no norm transport).
    set_norm_segment_size(i32) / get_norm_segment_size -> i32;
    /// `ZMQ_NORM_BLOCK_SIZE`: EINVAL (no norm transport).
    set_norm_block_size(i32) / get_norm_block_size -> i32;
    /// `ZMQ_NORM_NUM_PARITY`: EINVAL (no norm transport).
    set_norm_num_parity(i32) / get_norm_num_parity -> i32;
    /// `ZMQ_NORM_NUM_AUTOPARITY`: EINVAL (no norm transport).
    set_norm_num_autoparity(i32) / get_norm_num_autoparity -> i32;
    /// `ZMQ_NORM_PUSH`: EINVAL (no norm transport).
    set_norm_push(bool) / get_norm_push -> bool;
}

impl Socket {
    /// `ZMQ_MULTICAST_LOOP`: udp RADIO multicast looped back to this host.
    pub fn set_multicast_loop(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_MULTICAST_LOOP, Arg::Int(i32::from(on)))?;
        self.state.borrow_mut().core.options.net.multicast_loop = on;
        Ok(())
    }

    /// `ZMQ_MULTICAST_LOOP`.
    pub fn get_multicast_loop(&self) -> Result<bool> {
        Ok(self.state.borrow().core.options.net.multicast_loop)
    }
}
