//! The pgm and epgm transports' sockets (RFC 3208, PGM over raw IP and
//! over UDP), through OpenPGM 5.3 (`libpgm`), the library libzmq 4.3.5
//! uses: SPM, NAK/NCF/RDATA repair, rate limiting and the TSI handling
//! are libpgm's, so the wire behaviour is libzmq's by construction.
//!
//! A [`PgmSocket`] is set up as libzmq's `pgm_socket_t` (the same
//! windows, timers and options; `shim.c` does it in C against libpgm's
//! own headers). The engine polls its [`PgmSocket::fds`] and calls back
//! after [`PgmSocket::rx_timeout`] / [`PgmSocket::tx_timeout`].
//!
//! An endpoint is `pgm://network:port` or `epgm://network:port`, the
//! network as libpgm parses it (`iface;group`, e.g.
//! `eth0;239.192.1.1:5555`); `zmq_bind` and `zmq_connect` do the same.

mod ffi;

use std::ffi::CString;
use std::os::fd::{BorrowedFd, RawFd};
use std::ptr::NonNull;
use std::time::Duration;

use crate::error::{TransportError, TransportResult};

/// A PGM session's Transport Session Identifier: the sender's GSI
/// (6 bytes) and data-source port (2 bytes), as libpgm stores it.
pub type Tsi = [u8; 8];

/// The options libzmq's `pgm_socket_t` takes from the ZeroMQ socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgmOptions {
    /// `ZMQ_RATE`, kbit/s (> 0): the ODATA rate limit, and with
    /// `recovery_ivl` the transmit/receive window.
    pub rate: i32,
    /// `ZMQ_RECOVERY_IVL`, ms: how long data stays repairable.
    pub recovery_ivl: i32,
    /// `ZMQ_MULTICAST_MAXTPDU`: the largest packet.
    pub multicast_maxtpdu: i32,
    /// `ZMQ_MULTICAST_HOPS`: the multicast TTL.
    pub multicast_hops: i32,
    /// `ZMQ_SNDBUF` (< 0: the system's).
    pub sndbuf: i32,
    /// `ZMQ_RCVBUF` (< 0: the system's).
    pub rcvbuf: i32,
    /// `ZMQ_IN_BATCH_SIZE`: how many bytes of APDUs one read takes.
    pub in_batch_size: i32,
}

/// What a receive gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// An APDU from the sender `tsi` (valid until the next call).
    Data {
        /// The sender.
        tsi: Tsi,
        /// The APDU.
        data: &'a [u8],
    },
    /// Data from `tsi` was lost beyond repair (libpgm's session reset).
    Reset(Tsi),
    /// Nothing more now: poll the descriptors (and the timer, if any).
    Again,
}

/// What a send gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The APDU went (whole).
    Done,
    /// Nothing sent: the rate limit; try after [`PgmSocket::tx_timeout`].
    RateLimited,
    /// Nothing sent: the socket buffer is full; wait until writable.
    WouldBlock,
}

/// The descriptors to poll (libzmq's `get_sender_fds` /
/// `get_receiver_fds`); they belong to the [`PgmSocket`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgmFds {
    /// Writable when a blocked send may go on (sender only).
    pub send: Option<RawFd>,
    /// Readable on an incoming packet (data, or NAKs and SPMRs at a sender).
    pub receive: RawFd,
    /// Readable when repairs wait to be sent (sender only).
    pub repair: Option<RawFd>,
    /// Readable when libpgm has state to drive (timers, queued data).
    pub pending: RawFd,
}

/// A connected PGM socket, sending (PUB, XPUB) or receiving (SUB, XSUB).
pub struct PgmSocket {
    raw: NonNull<ffi::ZrsPgm>,
    receiver: bool,
    fds: PgmFds,
    max_tsdu: usize,
}

// SAFETY: the libpgm socket is used by one thread at a time (the engine
// owning it); libpgm's own state is per socket (its global init is done
// once under pthread_once in shim.c).
unsafe impl Send for PgmSocket {}

/// Checks an address as libzmq does at `zmq_connect` (its
/// `pgm_socket_t::init_address`): a port after the last `:` (not 0) and
/// a network libpgm parses.
pub fn check_address(address: &str) -> TransportResult<u16> {
    let c_address = c_string(address)?;
    let mut port = 0u16;
    let mut message = [0u8; 256];
    // SAFETY: `c_address` is a NUL-terminated string; `port` and
    // `message` are writable for their sizes, which are passed.
    let rc = unsafe {
        ffi::zrs_pgm_check_address(
            c_address.as_ptr(),
            &mut port,
            message.as_mut_ptr().cast(),
            message.len(),
        )
    };
    if rc != 0 {
        return Err(TransportError::invalid(format!(
            "pgm address {address:?}: {}",
            message_text(&message)
        )));
    }
    if port == 0 {
        return Err(TransportError::invalid(format!(
            "pgm address {address:?}: no port"
        )));
    }
    Ok(port)
}

impl PgmSocket {
    /// Opens, binds, joins and connects a PGM socket for `address` (the
    /// endpoint without its scheme): over UDP when `udp_encapsulation`
    /// (epgm), else over raw IP (pgm, which needs CAP_NET_RAW). The GSI
    /// is made from `gsi_seed` (random bytes, as libzmq's).
    pub fn open(
        address: &str,
        receiver: bool,
        udp_encapsulation: bool,
        options: &PgmOptions,
        gsi_seed: [u32; 2],
    ) -> TransportResult<PgmSocket> {
        check_address(address)?;
        if options.rate <= 0 {
            return Err(TransportError::invalid("ZMQ_RATE must be positive"));
        }
        let c_address = c_string(address)?;
        let raw_options = ffi::ZrsPgmOptions {
            receiver: i32::from(receiver),
            udp_encapsulation: i32::from(udp_encapsulation),
            rate: options.rate,
            recovery_ivl: options.recovery_ivl,
            multicast_maxtpdu: options.multicast_maxtpdu,
            multicast_hops: options.multicast_hops,
            // libzmq 4.3.5 turns multicast loopback off, whatever
            // ZMQ_MULTICAST_LOOP says (that option is udp's).
            multicast_loop: 0,
            sndbuf: options.sndbuf,
            rcvbuf: options.rcvbuf,
            in_batch_size: options.in_batch_size,
            gsi_seed,
        };
        let mut message = [0u8; 256];
        // SAFETY: the string is NUL-terminated, the options struct is
        // `#[repr(C)]` as shim.c declares it and lives for the call, the
        // message buffer is writable for the length passed.
        let raw = unsafe {
            ffi::zrs_pgm_open(
                c_address.as_ptr(),
                &raw_options,
                message.as_mut_ptr().cast(),
                message.len(),
            )
        };
        let Some(raw) = NonNull::new(raw) else {
            return Err(TransportError::invalid(format!(
                "pgm socket for {address:?}: {}",
                message_text(&message)
            )));
        };
        let mut socket = PgmSocket {
            raw,
            receiver,
            fds: PgmFds {
                send: None,
                receive: -1,
                repair: None,
                pending: -1,
            },
            max_tsdu: 0,
        };
        let mut fds = [-1 as libc::c_int; 4];
        // SAFETY: `raw` is the open socket; `fds` has the 4 entries the
        // shim writes.
        let rc = unsafe { ffi::zrs_pgm_fds(socket.raw.as_ptr(), fds.as_mut_ptr()) };
        // SAFETY: as above.
        let max_tsdu = unsafe { ffi::zrs_pgm_max_tsdu(socket.raw.as_ptr()) };
        let max_tsdu = usize::try_from(max_tsdu).unwrap_or(0);
        if rc != 0 || max_tsdu <= 2 {
            // Dropping `socket` closes it.
            return Err(TransportError::invalid(
                "pgm socket without descriptors or packet size",
            ));
        }
        socket.fds = PgmFds {
            send: (!receiver).then_some(fds[0]),
            receive: fds[1],
            repair: (!receiver).then_some(fds[2]),
            pending: fds[3],
        };
        socket.max_tsdu = max_tsdu;
        Ok(socket)
    }

    /// Whether this socket receives (SUB, XSUB).
    pub fn is_receiver(&self) -> bool {
        self.receiver
    }

    /// The descriptors to poll.
    pub fn fds(&self) -> PgmFds {
        self.fds
    }

    /// A descriptor of this socket, borrowed for as long as the socket.
    pub fn borrow_fd(&self, fd: RawFd) -> Option<BorrowedFd<'_>> {
        let PgmFds {
            send,
            receive,
            repair,
            pending,
        } = self.fds;
        let ours = [send, Some(receive), repair, Some(pending)];
        // SAFETY: the descriptor is one libpgm opened for this socket and
        // closes only in `pgm_close` (on drop): it is open while `self`
        // is borrowed.
        ours.contains(&Some(fd))
            .then(|| unsafe { BorrowedFd::borrow_raw(fd) })
    }

    /// The largest APDU that goes in one packet (libpgm's `PGM_MSS`).
    pub fn max_tsdu(&self) -> usize {
        self.max_tsdu
    }

    /// Sends one APDU of at most [`PgmSocket::max_tsdu`] bytes.
    pub fn send(&mut self, apdu: &[u8]) -> TransportResult<Sent> {
        if apdu.len() > self.max_tsdu || self.receiver {
            return Err(TransportError::invalid("APDU larger than one packet"));
        }
        // SAFETY: the socket is open; `apdu` is readable for its length.
        let status =
            unsafe { ffi::zrs_pgm_send(self.raw.as_ptr(), apdu.as_ptr().cast(), apdu.len()) };
        match status {
            ffi::DATA => Ok(Sent::Done),
            ffi::RATE => Ok(Sent::RateLimited),
            ffi::AGAIN => Ok(Sent::WouldBlock),
            _ => Err(TransportError::invalid("pgm_send failed")),
        }
    }

    /// The next APDU, a loss, or nothing now. `Again` also ends each
    /// batch read at once, so that other handlers get a turn.
    pub fn receive(&mut self) -> Received<'_> {
        let mut data: *const u8 = std::ptr::null();
        let mut len = 0usize;
        let mut tsi: Tsi = [0; 8];
        // SAFETY: the socket is open; the out-pointers are writable.
        let status = unsafe {
            ffi::zrs_pgm_receive(self.raw.as_ptr(), &mut data, &mut len, tsi.as_mut_ptr())
        };
        match status {
            ffi::DATA if !data.is_null() => {
                // SAFETY: libpgm keeps the APDU's buffer until the next
                // receive on this socket, which needs `&mut self` again:
                // the slice cannot outlive it.
                let data = unsafe { std::slice::from_raw_parts(data, len) };
                Received::Data { tsi, data }
            }
            ffi::RESET => Received::Reset(tsi),
            _ => Received::Again,
        }
    }

    /// A sender reads what comes back (NAKs, SPMRs) and runs its timers.
    pub fn process_upstream(&mut self) {
        // SAFETY: the socket is open.
        let _ = unsafe { ffi::zrs_pgm_process_upstream(self.raw.as_ptr()) };
    }

    /// After a receive or [`PgmSocket::process_upstream`]: when libpgm
    /// wants to be called again (a timer or the rate limit), if at all.
    pub fn rx_timeout(&self) -> Option<Duration> {
        // SAFETY: the socket is open.
        let ms = unsafe { ffi::zrs_pgm_rx_timeout(self.raw.as_ptr()) };
        timeout(ms)
    }

    /// After a rate-limited send: when to try again.
    pub fn tx_timeout(&self) -> Option<Duration> {
        // SAFETY: the socket is open.
        let ms = unsafe { ffi::zrs_pgm_tx_timeout(self.raw.as_ptr()) };
        timeout(ms)
    }
}

impl Drop for PgmSocket {
    fn drop(&mut self) {
        // SAFETY: `raw` came from zrs_pgm_open and is closed once, here.
        unsafe { ffi::zrs_pgm_close(self.raw.as_ptr()) };
    }
}

impl std::fmt::Debug for PgmSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgmSocket")
            .field("receiver", &self.receiver)
            .field("fds", &self.fds)
            .field("max_tsdu", &self.max_tsdu)
            .finish()
    }
}

fn timeout(ms: libc::c_long) -> Option<Duration> {
    u64::try_from(ms).ok().map(Duration::from_millis)
}

fn c_string(address: &str) -> TransportResult<CString> {
    CString::new(address).map_err(|_| TransportError::invalid("NUL in a pgm address"))
}

fn message_text(message: &[u8]) -> String {
    let end = message
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(message.len());
    String::from_utf8_lossy(&message[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_as_libzmq_does() {
        assert_eq!(check_address("127.0.0.1;239.192.1.1:5555").unwrap(), 5555);
        assert_eq!(check_address("127.0.0.1;239.192.1.1:5555x").unwrap(), 5555);
        assert!(check_address("127.0.0.1;239.192.1.1").is_err());
        assert!(check_address("127.0.0.1;239.192.1.1:0").is_err());
        assert!(check_address("127.0.0.1;239.192.1.1:x").is_err());
        assert!(check_address("no-such-interface-here;239.192.1.1:5555").is_err());
        assert!(check_address(&format!("{}:5555", "a".repeat(300))).is_err());
        assert!(check_address("a\0b:1").is_err());
    }

    #[test]
    fn an_epgm_socket_opens_on_the_loopback() {
        let options = PgmOptions {
            rate: 100,
            recovery_ivl: 10_000,
            multicast_maxtpdu: 1500,
            multicast_hops: 1,
            sndbuf: -1,
            rcvbuf: -1,
            in_batch_size: 8192,
        };
        for receiver in [false, true] {
            let socket = PgmSocket::open(
                "127.0.0.1;239.192.1.1:5555",
                receiver,
                true,
                &options,
                [1, 2],
            );
            // A sandbox without multicast routes may refuse; when it opens,
            // its descriptors and sizes are there.
            if let Ok(socket) = socket {
                assert!(socket.max_tsdu() > 2 && socket.max_tsdu() < 1500);
                let fds = socket.fds();
                assert!(fds.receive >= 0 && fds.pending >= 0);
                assert_eq!(fds.send.is_some(), !receiver);
                assert!(socket.borrow_fd(fds.receive).is_some());
                assert!(socket.borrow_fd(-5).is_none());
            }
        }
    }
}
