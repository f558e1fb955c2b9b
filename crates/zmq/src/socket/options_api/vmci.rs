//! The `ZMQ_VMCI_*` options of the vmci transport. Built with the `vmci`
//! feature (libzmq's `WITH_VMCI`) they are set as libzmq sets them (any
//! `uint64_t` size, any `int` timeout) and apply to vmci connections
//! made or accepted afterwards; libzmq 4.3.5 cannot read them back from
//! C (EINVAL), the typed getters here give the stored value. Without the
//! feature, both directions are EINVAL, as in a libzmq built without it.

use super::super::Socket;
#[cfg(not(feature = "vmci"))]
use crate::error::Error;
use crate::error::Result;

macro_rules! vmci_options {
    ($( $(#[$doc:meta])* $field:ident: $set:ident / $get:ident -> $ty:ty; )*) => {
        impl Socket {
            $(
                $(#[$doc])*
                pub fn $set(&self, value: $ty) -> Result<()> {
                    #[cfg(feature = "vmci")]
                    {
                        self.state.borrow_mut().core.options.net.$field = value;
                        Ok(())
                    }
                    #[cfg(not(feature = "vmci"))]
                    {
                        let _ = value;
                        Err(Error::Inval)
                    }
                }

                $(#[$doc])*
                pub fn $get(&self) -> Result<$ty> {
                    #[cfg(feature = "vmci")]
                    {
                        Ok(self.state.borrow().core.options.net.$field)
                    }
                    #[cfg(not(feature = "vmci"))]
                    {
                        Err(Error::Inval)
                    }
                }
            )*
        }
    };
}

vmci_options! {
    /// `ZMQ_VMCI_BUFFER_SIZE` (bytes; 0 = the family's default): the
    /// buffer of vmci streams. EINVAL without the `vmci` feature.
    vmci_buffer_size: set_vmci_buffer_size / get_vmci_buffer_size -> u64;
    /// `ZMQ_VMCI_BUFFER_MIN_SIZE` (bytes; 0 = default). EINVAL without
    /// the `vmci` feature.
    vmci_buffer_min_size: set_vmci_buffer_min_size / get_vmci_buffer_min_size -> u64;
    /// `ZMQ_VMCI_BUFFER_MAX_SIZE` (bytes; 0 = default). EINVAL without
    /// the `vmci` feature.
    vmci_buffer_max_size: set_vmci_buffer_max_size / get_vmci_buffer_max_size -> u64;
    /// `ZMQ_VMCI_CONNECT_TIMEOUT` (ms; ≤ 0 = default, -1 initially).
    /// EINVAL without the `vmci` feature.
    vmci_connect_timeout: set_vmci_connect_timeout / get_vmci_connect_timeout -> i32;
}
