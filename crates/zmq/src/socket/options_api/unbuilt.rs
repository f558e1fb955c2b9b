//! Options of features this library does not build, and of draft
//! features it does not act on yet. Per libzmq:
//! - multicast options (`ZMQ_RATE`, `ZMQ_RECOVERY_IVL`,
//!   `ZMQ_MULTICAST_MAXTPDU`) are validated and stored; the pgm/epgm
//!   transports (the `pgm` feature) read them at connect, as libzmq's
//!   `pgm_socket_t`; without it (and norm, never built) binding or
//!   connecting there is EPROTONOSUPPORT, so storing changes nothing;
//!   `ZMQ_MULTICAST_HOPS` and `ZMQ_MULTICAST_LOOP` also apply to udp
//!   RADIO sockets (the udp engine sets them on multicast groups);
//! - `ZMQ_IN_BATCH_SIZE` / `ZMQ_OUT_BATCH_SIZE` are stored: our engine
//!   sizes its own reads and writes;
//! - VMCI: `vmci.rs`, with the `vmci` feature; GSSAPI: `gssapi.rs`,
//!   with the `gssapi` feature; NORM: `norm.rs`, with the `norm`
//!   feature; WSS: `wss.rs`.

use super::super::Socket;
use crate::error::Result;
use crate::option_table::{Arg, num};

int_options! {
    /// `ZMQ_RATE` (kbit/s, > 0): pgm/epgm rate limit (`pgm` feature).
    net.rate: set_rate / get_rate = ZMQ_RATE;
    /// `ZMQ_RECOVERY_IVL` (ms, >= 0): pgm/epgm repair window.
    net.recovery_ivl: set_recovery_ivl / get_recovery_ivl = ZMQ_RECOVERY_IVL;
    /// `ZMQ_MULTICAST_HOPS` (> 0): multicast TTL of udp RADIO and pgm.
    net.multicast_hops: set_multicast_hops / get_multicast_hops = ZMQ_MULTICAST_HOPS;
    /// `ZMQ_MULTICAST_MAXTPDU` (bytes, > 0): pgm/epgm packet size.
    net.multicast_maxtpdu: set_multicast_maxtpdu / get_multicast_maxtpdu = ZMQ_MULTICAST_MAXTPDU;
    /// `ZMQ_IN_BATCH_SIZE` (bytes, > 0): stored; our engine sizes reads.
    net.in_batch_size: set_in_batch_size / get_in_batch_size = ZMQ_IN_BATCH_SIZE;
    /// `ZMQ_OUT_BATCH_SIZE` (bytes, > 0): stored; our engine sizes writes.
    net.out_batch_size: set_out_batch_size / get_out_batch_size = ZMQ_OUT_BATCH_SIZE;
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
