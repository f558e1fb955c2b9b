//! `Authenticator`: a ready ZAP handler (RFC 27), like pyzmq's
//! `zmq.auth.thread.ThreadAuthenticator` and czmq's `zauth`.
//!
//! It runs a REP socket bound at `inproc://zeromq.zap.01` on its own thread
//! and answers every ZAP request of the context's server sockets with a
//! policy: addresses allowed or denied, a PLAIN user/password table, the
//! CURVE public keys allowed (or any key), and the GSSAPI principals
//! allowed (or any). Any ZAP handler of the user's own, an ordinary REP or
//! ROUTER socket at the same endpoint, works the
//! same way; this one saves writing it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::thread::JoinHandle;

use parking_lot::Mutex;
use zmq_patterns::SocketType;

use crate::context::Context;
use crate::error::Result;
use crate::poll::{POLLIN, poll};
use crate::socket::{SNDMORE, Socket};

/// The endpoint ZAP handlers bind.
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

#[derive(Default)]
struct Policy {
    allowed: HashSet<String>,
    denied: HashSet<String>,
    passwords: HashMap<Vec<u8>, Vec<u8>>,
    curve_keys: HashSet<[u8; 32]>,
    curve_any: bool,
    gssapi_principals: HashSet<Vec<u8>>,
    gssapi_any: bool,
}

/// A running ZAP handler; stops when dropped or with [`Authenticator::stop`].
pub struct Authenticator {
    policy: Arc<Mutex<Policy>>,
    control: Option<Socket>,
    thread: Option<JoinHandle<()>>,
}

impl Authenticator {
    /// Binds `inproc://zeromq.zap.01` in `ctx` (EADDRINUSE if another
    /// handler has it) and starts answering. With no rule set it accepts
    /// NULL, refuses PLAIN (no user) and refuses CURVE (no key).
    pub fn start(ctx: &Context) -> Result<Authenticator> {
        // The handler thread's sockets are the library's: they neither keep
        // the context from terming nor term it on that thread. The stop
        // socket the `Authenticator` keeps is a user-facing handle: the
        // context terms (on drop) once the authenticator is gone too.
        let user_ctx = ctx;
        let ctx = &ctx.internal();
        let handler = ctx.socket(SocketType::Rep)?;
        handler.set_linger(0)?;
        handler.bind(ZAP_ENDPOINT)?;
        let control_name = format!("inproc://zmq-rs.auth.control.{}", ctx.next_id());
        let control = ctx.socket(SocketType::Pair)?;
        control.set_linger(0)?;
        control.bind(&control_name)?;
        let stop = user_ctx.socket(SocketType::Pair)?;
        stop.set_linger(0)?;
        stop.connect(&control_name)?;
        let policy = Arc::new(Mutex::new(Policy::default()));
        let shared = Arc::clone(&policy);
        let thread = std::thread::Builder::new()
            .name("ZMQbg/ZAP".into())
            .spawn(move || {
                crate::io_thread::block_signals();
                serve(&handler, &control, &shared)
            })
            .map_err(crate::error::Error::from)?;
        Ok(Authenticator {
            policy,
            control: Some(stop),
            thread: Some(thread),
        })
    }

    /// Accepts connections only from these addresses (the `Peer-Address`
    /// text, e.g. `127.0.0.1`); clears any deny list.
    pub fn allow<I: IntoIterator<Item = S>, S: Into<String>>(&self, addresses: I) {
        let mut p = self.policy.lock();
        p.denied.clear();
        p.allowed.extend(addresses.into_iter().map(Into::into));
    }

    /// Refuses connections from these addresses; clears any allow list.
    pub fn deny<I: IntoIterator<Item = S>, S: Into<String>>(&self, addresses: I) {
        let mut p = self.policy.lock();
        p.allowed.clear();
        p.denied.extend(addresses.into_iter().map(Into::into));
    }

    /// Sets the PLAIN user/password table.
    pub fn configure_plain<I, U, P>(&self, users: I)
    where
        I: IntoIterator<Item = (U, P)>,
        U: AsRef<[u8]>,
        P: AsRef<[u8]>,
    {
        self.policy.lock().passwords = users
            .into_iter()
            .map(|(u, p)| (u.as_ref().to_vec(), p.as_ref().to_vec()))
            .collect();
    }

    /// Allows these CURVE client public keys (32 bytes or Z85 text).
    /// Invalid keys are skipped.
    pub fn configure_curve<I, K>(&self, keys: I)
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        let mut p = self.policy.lock();
        p.curve_any = false;
        p.curve_keys = keys
            .into_iter()
            .filter_map(|k| zmq_mechanisms::parse_key(k.as_ref()).ok())
            .collect();
    }

    /// Allows any CURVE client that completes the handshake (encryption
    /// without client authentication).
    pub fn allow_any_curve(&self) {
        self.policy.lock().curve_any = true;
    }

    /// Allows these GSSAPI client principals (as the server's GSS-API
    /// displays them, e.g. `alice@EXAMPLE.COM`); the principal becomes
    /// the `User-Id`.
    pub fn configure_gssapi<I, P>(&self, principals: I)
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let mut p = self.policy.lock();
        p.gssapi_any = false;
        p.gssapi_principals = principals
            .into_iter()
            .map(|k| k.as_ref().to_vec())
            .collect();
    }

    /// Allows any GSSAPI client the GSS-API authenticated.
    pub fn allow_any_gssapi(&self) {
        self.policy.lock().gssapi_any = true;
    }

    /// Stops the handler thread and unbinds the ZAP endpoint.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(control) = self.control.take() {
            let _ = control.send("TERMINATE", 0);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Authenticator {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The handler loop: one request, one reply, until told to stop or the
/// context ends.
fn serve(handler: &Socket, control: &Socket, policy: &Mutex<Policy>) {
    loop {
        let mut items = [handler.as_poll_item(POLLIN), control.as_poll_item(POLLIN)];
        if poll(&mut items, -1).is_err() || items[1].is_readable() {
            return;
        }
        if !items[0].is_readable() {
            continue;
        }
        let Ok(request) = handler.recv_multipart(0) else {
            return;
        };
        let reply = answer(&request, &policy.lock());
        let last = reply.len() - 1;
        for (i, part) in reply.into_iter().enumerate() {
            let flags = if i < last { SNDMORE } else { 0 };
            if handler.send(part, flags).is_err() {
                return;
            }
        }
    }
}

/// The reply frames for one request (RFC 27).
fn answer(request: &[Vec<u8>], policy: &Policy) -> Vec<Vec<u8>> {
    let request_id = request.get(1).cloned().unwrap_or_default();
    let reply = |code: &str, text: &str, user: &[u8]| {
        vec![
            b"1.0".to_vec(),
            request_id.clone(),
            code.as_bytes().to_vec(),
            text.as_bytes().to_vec(),
            user.to_vec(),
            Vec::new(),
        ]
    };
    if request.len() < 6 || request[0] != b"1.0" {
        return reply("500", "Malformed request", b"");
    }
    let address = String::from_utf8_lossy(&request[3]);
    if policy.denied.contains(address.as_ref()) {
        return reply("400", "Address is denied", b"");
    }
    if !policy.allowed.is_empty() && !policy.allowed.contains(address.as_ref()) {
        return reply("400", "Address is not allowed", b"");
    }
    match (&request[5][..], &request[6..]) {
        (b"NULL", _) => reply("200", "OK", b""),
        (b"PLAIN", [user, password, ..]) => match policy.passwords.get(user) {
            Some(expected) if expected == password => reply("200", "OK", user),
            _ => reply("400", "Invalid user name or password", b""),
        },
        (b"CURVE", [key, ..]) => {
            let Ok(key) = <[u8; 32]>::try_from(key.as_slice()) else {
                return reply("400", "Invalid client key", b"");
            };
            let user = zmq_mechanisms::keys::key_to_z85(&key);
            if policy.curve_any || policy.curve_keys.contains(&key) {
                reply("200", "OK", user.as_bytes())
            } else {
                reply("400", "Unknown client key", b"")
            }
        }
        (b"GSSAPI", [principal, ..]) => {
            if policy.gssapi_any || policy.gssapi_principals.contains(principal) {
                reply("200", "OK", principal)
            } else {
                reply("400", "Principal not allowed", b"")
            }
        }
        _ => reply("400", "Unsupported mechanism", b""),
    }
}
