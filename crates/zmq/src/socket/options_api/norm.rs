//! The `ZMQ_NORM_*` options of the norm:// transport. Built with the
//! `norm` feature (libzmq's `WITH_NORM`) they take the values libzmq
//! 4.3.5 takes (ranges in the option table) and apply to norm endpoints
//! bound or connected afterwards; without the feature both directions
//! are EINVAL, as in a libzmq built without NORM.

use super::super::Socket;
#[cfg(not(feature = "norm"))]
use crate::error::Error;
use crate::error::Result;
#[cfg(feature = "norm")]
use crate::option_table::{Arg, num};

macro_rules! norm_options {
    ($( $(#[$doc:meta])* $field:ident: $set:ident / $get:ident -> $ty:ty = $number:ident; )*) => {
        impl Socket {
            $(
                $(#[$doc])*
                pub fn $set(&self, value: $ty) -> Result<()> {
                    #[cfg(feature = "norm")]
                    {
                        self.check_option(num::$number, Arg::Int(i32::from(value)))?;
                        self.state.borrow_mut().core.options.net.$field = value;
                        Ok(())
                    }
                    #[cfg(not(feature = "norm"))]
                    {
                        let _ = value;
                        Err(Error::Inval)
                    }
                }

                $(#[$doc])*
                pub fn $get(&self) -> Result<$ty> {
                    #[cfg(feature = "norm")]
                    {
                        Ok(self.state.borrow().core.options.net.$field)
                    }
                    #[cfg(not(feature = "norm"))]
                    {
                        Err(Error::Inval)
                    }
                }
            )*
        }
    };
}

norm_options! {
    /// `ZMQ_NORM_MODE`: 0 `ZMQ_NORM_FIXED` (`ZMQ_RATE`), 1 `ZMQ_NORM_CC`
    /// (default), 2 `ZMQ_NORM_CCL`, 3 `ZMQ_NORM_CCE`, 4
    /// `ZMQ_NORM_CCE_ECNONLY`. EINVAL without the `norm` feature.
    norm_mode: set_norm_mode / get_norm_mode -> i32 = ZMQ_NORM_MODE;
    /// `ZMQ_NORM_UNICAST_NACK` (default off). EINVAL without the feature.
    norm_unicast_nack: set_norm_unicast_nack / get_norm_unicast_nack -> bool = ZMQ_NORM_UNICAST_NACK;
    /// `ZMQ_NORM_BUFFER_SIZE` in KiB (> 0, default 2048). EINVAL without
    /// the feature.
    norm_buffer_size: set_norm_buffer_size / get_norm_buffer_size -> i32 = ZMQ_NORM_BUFFER_SIZE;
    /// `ZMQ_NORM_SEGMENT_SIZE` in bytes (> 0, default 1400). EINVAL
    /// without the feature.
    norm_segment_size: set_norm_segment_size / get_norm_segment_size -> i32 = ZMQ_NORM_SEGMENT_SIZE;
    /// `ZMQ_NORM_BLOCK_SIZE` (1..255, default 16). EINVAL without the
    /// feature.
    norm_block_size: set_norm_block_size / get_norm_block_size -> i32 = ZMQ_NORM_BLOCK_SIZE;
    /// `ZMQ_NORM_NUM_PARITY` (0..254, default 4). EINVAL without the
    /// feature.
    norm_num_parity: set_norm_num_parity / get_norm_num_parity -> i32 = ZMQ_NORM_NUM_PARITY;
    /// `ZMQ_NORM_NUM_AUTOPARITY` (0..254, default 0). EINVAL without the
    /// feature.
    norm_num_autoparity: set_norm_num_autoparity / get_norm_num_autoparity -> i32 = ZMQ_NORM_NUM_AUTOPARITY;
    /// `ZMQ_NORM_PUSH` (default off). EINVAL without the feature.
    norm_push: set_norm_push / get_norm_push -> bool = ZMQ_NORM_PUSH;
}
