//! The C functions of `shim.c` (see there); integers and pointers only.

use std::ffi::c_char;

/// An open PGM socket of the shim (opaque).
#[repr(C)]
pub(super) struct ZrsPgm {
    _opaque: [u8; 0],
}

/// `struct zrs_pgm_options` of shim.c, field for field.
#[repr(C)]
pub(super) struct ZrsPgmOptions {
    pub(super) receiver: i32,
    pub(super) udp_encapsulation: i32,
    pub(super) rate: i32,
    pub(super) recovery_ivl: i32,
    pub(super) multicast_maxtpdu: i32,
    pub(super) multicast_hops: i32,
    pub(super) multicast_loop: i32,
    pub(super) sndbuf: i32,
    pub(super) rcvbuf: i32,
    pub(super) in_batch_size: i32,
    pub(super) gsi_seed: [u32; 2],
}

/// Nothing now (`ZRS_PGM_AGAIN`).
pub(super) const AGAIN: i32 = 0;
/// Data received or sent.
pub(super) const DATA: i32 = 1;
/// Unrecoverable loss.
pub(super) const RESET: i32 = 2;
/// Rate limited.
pub(super) const RATE: i32 = 4;

unsafe extern "C" {
    pub(super) fn zrs_pgm_check_address(
        address: *const c_char,
        port: *mut u16,
        message: *mut c_char,
        message_len: usize,
    ) -> i32;
    pub(super) fn zrs_pgm_open(
        address: *const c_char,
        options: *const ZrsPgmOptions,
        message: *mut c_char,
        message_len: usize,
    ) -> *mut ZrsPgm;
    pub(super) fn zrs_pgm_close(socket: *mut ZrsPgm);
    pub(super) fn zrs_pgm_fds(socket: *mut ZrsPgm, fds: *mut libc::c_int) -> i32;
    pub(super) fn zrs_pgm_max_tsdu(socket: *mut ZrsPgm) -> i32;
    pub(super) fn zrs_pgm_send(socket: *mut ZrsPgm, data: *const libc::c_void, len: usize) -> i32;
    pub(super) fn zrs_pgm_receive(
        socket: *mut ZrsPgm,
        data: *mut *const u8,
        len: *mut usize,
        tsi: *mut u8,
    ) -> i32;
    pub(super) fn zrs_pgm_process_upstream(socket: *mut ZrsPgm) -> i32;
    pub(super) fn zrs_pgm_rx_timeout(socket: *mut ZrsPgm) -> libc::c_long;
    pub(super) fn zrs_pgm_tx_timeout(socket: *mut ZrsPgm) -> libc::c_long;
}
