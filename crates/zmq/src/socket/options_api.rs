//! Typed option setters and getters of [`Socket`] (`zmq_setsockopt`,
//! `zmq_getsockopt`), with libzmq's validation.

use bytes::Bytes;
use zmq_patterns::{PatternOption, PatternOptionName};

use super::Socket;
use crate::error::{Error, Result};
use crate::option_table::{self, Arg, num};
use crate::options::{Mechanism, SocketOptions};

/// An int option stored as is, its range checked by the option table.
macro_rules! int_options {
    ($( $(#[$doc:meta])* $($field:ident).+: $set:ident / $get:ident = $number:ident; )*) => {
        impl Socket {
            $(
                $(#[$doc])*
                pub fn $set(&self, value: i32) -> Result<()> {
                    self.check_option(
                        crate::option_table::num::$number,
                        crate::option_table::Arg::Int(value),
                    )?;
                    self.state.borrow_mut().core.options.$($field).+ = value;
                    Ok(())
                }

                $(#[$doc])*
                pub fn $get(&self) -> Result<i32> {
                    Ok(self.state.borrow().core.options.$($field).+)
                }
            )*
        }
    };
}

// Declared after `int_options!` so that they can use it.
/// The GSSAPI options (EINVAL without the `gssapi` feature).
mod gssapi;
/// Network and transport options: ToS, priority, device, filters, SOCKS,
/// `ZMQ_USE_FD`, metadata.
mod network;
/// `ZMQ_NORM_*` (with the `norm` feature; EINVAL without).
mod norm;
/// `ZMQ_RECONNECT_STOP` and the hello, disconnect and hiccup messages.
mod session;
/// Options of features we do not build (multicast, VMCI, NORM).
mod unbuilt;
/// `ZMQ_VMCI_*` (with the `vmci` feature; EINVAL without).
mod vmci;
/// The `ZMQ_WSS_*` options.
mod wss;

int_options! {
    /// `ZMQ_LINGER` (ms, -1 = forever).
    linger: set_linger / get_linger = ZMQ_LINGER;
    /// `ZMQ_RCVTIMEO` (ms, -1 = forever).
    rcvtimeo: set_rcvtimeo / get_rcvtimeo = ZMQ_RCVTIMEO;
    /// `ZMQ_SNDTIMEO` (ms, -1 = forever).
    sndtimeo: set_sndtimeo / get_sndtimeo = ZMQ_SNDTIMEO;
    /// `ZMQ_RECONNECT_IVL` (ms, -1 = no reconnection).
    reconnect_ivl: set_reconnect_ivl / get_reconnect_ivl = ZMQ_RECONNECT_IVL;
    /// `ZMQ_RECONNECT_IVL_MAX` (ms, 0 = only `ZMQ_RECONNECT_IVL`).
    reconnect_ivl_max: set_reconnect_ivl_max / get_reconnect_ivl_max = ZMQ_RECONNECT_IVL_MAX;
    /// `ZMQ_BACKLOG`.
    backlog: set_backlog / get_backlog = ZMQ_BACKLOG;
    /// `ZMQ_SNDBUF` (bytes, -1 = OS default).
    sndbuf: set_sndbuf / get_sndbuf = ZMQ_SNDBUF;
    /// `ZMQ_RCVBUF` (bytes, -1 = OS default).
    rcvbuf: set_rcvbuf / get_rcvbuf = ZMQ_RCVBUF;
    /// `ZMQ_TCP_KEEPALIVE_CNT` (-1 = OS default).
    tcp_keepalive_cnt: set_tcp_keepalive_cnt / get_tcp_keepalive_cnt = ZMQ_TCP_KEEPALIVE_CNT;
    /// `ZMQ_TCP_KEEPALIVE_IDLE` (s, -1 = OS default).
    tcp_keepalive_idle: set_tcp_keepalive_idle / get_tcp_keepalive_idle = ZMQ_TCP_KEEPALIVE_IDLE;
    /// `ZMQ_TCP_KEEPALIVE_INTVL` (s, -1 = OS default).
    tcp_keepalive_intvl: set_tcp_keepalive_intvl / get_tcp_keepalive_intvl = ZMQ_TCP_KEEPALIVE_INTVL;
    /// `ZMQ_CONNECT_TIMEOUT` (ms, 0 = OS default).
    connect_timeout: set_connect_timeout / get_connect_timeout = ZMQ_CONNECT_TIMEOUT;
    /// `ZMQ_HANDSHAKE_IVL` (ms, 0 = none).
    handshake_ivl: set_handshake_ivl / get_handshake_ivl = ZMQ_HANDSHAKE_IVL;
}

impl Socket {
    /// The validation of option `number` that the C path shares: socket
    /// type, and range of `value`, from the option table's row.
    pub(crate) fn check_option(&self, number: i32, value: Arg<'_>) -> Result<()> {
        option_table::check(self, number, value)
    }

    /// `ZMQ_SNDHWM`: outbound high-water mark (messages, 0 = none). As in
    /// libzmq it applies to the pipes that exist too.
    pub fn set_sndhwm(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_SNDHWM, Arg::Int(value))?;
        let mut state = self.state.borrow_mut();
        state.core.options.sndhwm = value;
        state.core.update_pipe_hwms();
        Ok(())
    }

    /// `ZMQ_SNDHWM`.
    pub fn get_sndhwm(&self) -> Result<i32> {
        Ok(self.state.borrow().core.options.sndhwm)
    }

    /// `ZMQ_RCVHWM`: inbound high-water mark (messages, 0 = none). As in
    /// libzmq it applies to the pipes that exist too.
    pub fn set_rcvhwm(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_RCVHWM, Arg::Int(value))?;
        let mut state = self.state.borrow_mut();
        state.core.options.rcvhwm = value;
        state.core.update_pipe_hwms();
        Ok(())
    }

    /// `ZMQ_RCVHWM`.
    pub fn get_rcvhwm(&self) -> Result<i32> {
        Ok(self.state.borrow().core.options.rcvhwm)
    }

    /// `ZMQ_TCP_KEEPALIVE` (-1 OS default, 0 off, 1 on).
    pub fn set_tcp_keepalive(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_TCP_KEEPALIVE, Arg::Int(value))?;
        self.state.borrow_mut().core.options.tcp_keepalive = value;
        Ok(())
    }

    /// `ZMQ_TCP_KEEPALIVE`.
    pub fn get_tcp_keepalive(&self) -> Result<i32> {
        Ok(self.state.borrow().core.options.tcp_keepalive)
    }

    /// `ZMQ_HEARTBEAT_IVL` (ms, 0 = off): send a PING this often.
    pub fn set_heartbeat_ivl(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_HEARTBEAT_IVL, Arg::Int(value))?;
        self.state.borrow_mut().core.options.heartbeat_ivl = value;
        Ok(())
    }

    /// `ZMQ_HEARTBEAT_IVL`.
    pub fn get_heartbeat_ivl(&self) -> Result<i32> {
        Ok(self.state.borrow().core.options.heartbeat_ivl)
    }

    /// `ZMQ_HEARTBEAT_TTL` (ms, at most 6553599; sent in deciseconds): how
    /// long the peer may wait for traffic from us. As libzmq, the value is
    /// truncated to whole deciseconds (so -99..=99 is 0) and read back so.
    pub fn set_heartbeat_ttl(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_HEARTBEAT_TTL, Arg::Int(value))?;
        self.state.borrow_mut().core.options.heartbeat_ttl = value / 100 * 100;
        Ok(())
    }

    /// `ZMQ_HEARTBEAT_TTL`.
    pub fn get_heartbeat_ttl(&self) -> Result<i32> {
        Ok(self.state.borrow().core.options.heartbeat_ttl)
    }

    /// `ZMQ_HEARTBEAT_TIMEOUT` (ms): close when no traffic arrives this
    /// long after a PING; default (-1) the heartbeat interval.
    pub fn set_heartbeat_timeout(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_HEARTBEAT_TIMEOUT, Arg::Int(value))?;
        self.state.borrow_mut().core.options.heartbeat_timeout = value;
        Ok(())
    }

    /// `ZMQ_HEARTBEAT_TIMEOUT` (-1: the heartbeat interval).
    pub fn get_heartbeat_timeout(&self) -> Result<i32> {
        Ok(self.state.borrow().core.options.heartbeat_timeout)
    }

    /// `ZMQ_MAXMSGSIZE` (bytes; -1, or any negative as libzmq, = unlimited).
    pub fn set_maxmsgsize(&self, value: i64) -> Result<()> {
        self.check_option(num::ZMQ_MAXMSGSIZE, Arg::Int64(value))?;
        self.state.borrow_mut().core.options.maxmsgsize = value;
        Ok(())
    }

    /// `ZMQ_MAXMSGSIZE`.
    pub fn get_maxmsgsize(&self) -> Result<i64> {
        Ok(self.state.borrow().core.options.maxmsgsize)
    }

    /// `ZMQ_AFFINITY`: which I/O threads new connections may use.
    pub fn set_affinity(&self, value: u64) -> Result<()> {
        self.check_option(num::ZMQ_AFFINITY, Arg::Uint64(value))?;
        self.state.borrow_mut().core.options.affinity = value;
        Ok(())
    }

    /// `ZMQ_AFFINITY`.
    pub fn get_affinity(&self) -> Result<u64> {
        Ok(self.state.borrow().core.options.affinity)
    }

    /// `ZMQ_ROUTING_ID` (`ZMQ_IDENTITY`): 1 to 255 bytes (the manual
    /// reserves a leading zero byte; libzmq does not enforce it, nor do we).
    pub fn set_identity(&self, value: &[u8]) -> Result<()> {
        self.check_option(num::ZMQ_ROUTING_ID, Arg::Bytes(Some(value)))?;
        self.state.borrow_mut().core.set_routing_id(value)
    }

    /// `ZMQ_ROUTING_ID`.
    pub fn get_identity(&self) -> Result<Vec<u8>> {
        Ok(self.state.borrow().core.options.routing_id.to_vec())
    }

    /// `ZMQ_ROUTING_ID` (the same as [`Socket::set_identity`]).
    pub fn set_routing_id(&self, value: &[u8]) -> Result<()> {
        self.set_identity(value)
    }

    /// `ZMQ_CONNECT_ROUTING_ID`: the routing id a ROUTER gives the peer of
    /// its next connect.
    pub fn set_connect_routing_id(&self, value: &[u8]) -> Result<()> {
        self.check_option(num::ZMQ_CONNECT_ROUTING_ID, Arg::Bytes(Some(value)))?;
        let value = Bytes::copy_from_slice(value);
        self.pattern_and_store(PatternOption::ConnectRoutingId(Some(value.clone())), |o| {
            o.connect_routing_id = Some(value)
        })
    }

    /// `ZMQ_IPV6`.
    pub fn set_ipv6(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_IPV6, Arg::Int(i32::from(on)))?;
        self.state.borrow_mut().core.options.ipv6 = on;
        Ok(())
    }

    /// `ZMQ_IPV6`.
    pub fn get_ipv6(&self) -> Result<bool> {
        Ok(self.state.borrow().core.options.ipv6)
    }

    /// `ZMQ_IPV6` (the `zmq` crate's name for [`Socket::get_ipv6`]).
    pub fn is_ipv6(&self) -> Result<bool> {
        self.get_ipv6()
    }

    /// `ZMQ_IMMEDIATE`: queue messages only to completed connections.
    pub fn set_immediate(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_IMMEDIATE, Arg::Int(i32::from(on)))?;
        self.state.borrow_mut().core.options.immediate = on;
        Ok(())
    }

    /// `ZMQ_IMMEDIATE`.
    pub fn get_immediate(&self) -> Result<bool> {
        Ok(self.state.borrow().core.options.immediate)
    }

    /// `ZMQ_IMMEDIATE` (the `zmq` crate's name for
    /// [`Socket::get_immediate`]).
    pub fn is_immediate(&self) -> Result<bool> {
        self.get_immediate()
    }

    /// `ZMQ_ROUTER_MANDATORY` (ROUTER).
    pub fn set_router_mandatory(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_ROUTER_MANDATORY, Arg::Int(i32::from(on)))?;
        self.pattern_and_store(PatternOption::RouterMandatory(on), |o| {
            o.router_mandatory = on
        })
    }

    /// `ZMQ_ROUTER_HANDOVER` (ROUTER).
    pub fn set_router_handover(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_ROUTER_HANDOVER, Arg::Int(i32::from(on)))?;
        self.pattern_and_store(PatternOption::RouterHandover(on), |o| {
            o.router_handover = on
        })
    }

    /// `ZMQ_PROBE_ROUTER` (ROUTER, DEALER, REQ).
    pub fn set_probe_router(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_PROBE_ROUTER, Arg::Int(i32::from(on)))?;
        self.pattern_and_store(PatternOption::ProbeRouter(on), |o| o.probe_router = on)
    }

    /// `ZMQ_REQ_CORRELATE` (REQ).
    pub fn set_req_correlate(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_REQ_CORRELATE, Arg::Int(i32::from(on)))?;
        self.pattern_and_store(PatternOption::ReqCorrelate(on), |o| o.req_correlate = on)
    }

    /// `ZMQ_REQ_RELAXED` (REQ).
    pub fn set_req_relaxed(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_REQ_RELAXED, Arg::Int(i32::from(on)))?;
        self.pattern_and_store(PatternOption::ReqRelaxed(on), |o| o.req_relaxed = on)
    }

    /// `ZMQ_SUBSCRIBE` (SUB; XPUB with `ZMQ_XPUB_MANUAL`): receive messages
    /// starting with `prefix` (empty: everything).
    pub fn set_subscribe(&self, prefix: &[u8]) -> Result<()> {
        self.check_option(num::ZMQ_SUBSCRIBE, Arg::Bytes(Some(prefix)))?;
        self.pattern_only(PatternOption::Subscribe(Bytes::copy_from_slice(prefix)))
    }

    /// `ZMQ_UNSUBSCRIBE`: removes one instance of a subscription.
    pub fn set_unsubscribe(&self, prefix: &[u8]) -> Result<()> {
        self.check_option(num::ZMQ_UNSUBSCRIBE, Arg::Bytes(Some(prefix)))?;
        self.pattern_only(PatternOption::Unsubscribe(Bytes::copy_from_slice(prefix)))
    }

    /// `ZMQ_XPUB_VERBOSE` (XPUB): pass duplicate subscriptions up too.
    pub fn set_xpub_verbose(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_XPUB_VERBOSE, Arg::Int(i32::from(on)))?;
        self.pattern_only(PatternOption::XPubVerbose(on))
    }

    /// `ZMQ_XPUB_VERBOSER` (XPUB): pass duplicate (un)subscriptions up.
    pub fn set_xpub_verboser(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_XPUB_VERBOSER, Arg::Int(i32::from(on)))?;
        self.pattern_only(PatternOption::XPubVerboser(on))
    }

    /// `ZMQ_XPUB_MANUAL` (XPUB): the application decides subscriptions.
    pub fn set_xpub_manual(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_XPUB_MANUAL, Arg::Int(i32::from(on)))?;
        self.pattern_only(PatternOption::XPubManual(on))
    }

    /// `ZMQ_XPUB_MANUAL_LAST_VALUE` (XPUB).
    pub fn set_xpub_manual_last_value(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_XPUB_MANUAL_LAST_VALUE, Arg::Int(i32::from(on)))?;
        self.pattern_only(PatternOption::XPubManualLastValue(on))
    }

    /// `ZMQ_XPUB_NODROP` (PUB, XPUB): EAGAIN instead of dropping at the HWM.
    pub fn set_xpub_nodrop(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_XPUB_NODROP, Arg::Int(i32::from(on)))?;
        self.pattern_only(PatternOption::XPubNoDrop(on))
    }

    /// `ZMQ_XPUB_WELCOME_MSG` (XPUB): sent to every new subscriber. Takes
    /// text or bytes.
    pub fn set_xpub_welcome_msg(&self, msg: Option<impl AsRef<[u8]>>) -> Result<()> {
        let msg = msg.as_ref().map(AsRef::as_ref);
        self.check_option(num::ZMQ_XPUB_WELCOME_MSG, Arg::Bytes(msg))?;
        self.pattern_only(PatternOption::XPubWelcomeMsg(
            msg.map(Bytes::copy_from_slice),
        ))
    }

    /// `ZMQ_ONLY_FIRST_SUBSCRIBE` (XPUB, XSUB).
    pub fn set_only_first_subscribe(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_ONLY_FIRST_SUBSCRIBE, Arg::Int(i32::from(on)))?;
        self.pattern_only(PatternOption::OnlyFirstSubscribe(on))
    }

    /// `ZMQ_XSUB_VERBOSE_UNSUBSCRIBE` (XSUB).
    pub fn set_xsub_verbose_unsubscribe(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_XSUB_VERBOSE_UNSUBSCRIBE, Arg::Int(i32::from(on)))?;
        self.pattern_only(PatternOption::XSubVerboseUnsubscribe(on))
    }

    /// `ZMQ_INVERT_MATCHING` (PUB, XPUB, SUB).
    /// Every socket type takes it, as libzmq; it acts on those three.
    pub fn set_invert_matching(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_INVERT_MATCHING, Arg::Int(i32::from(on)))?;
        let mut state = self.state.borrow_mut();
        match state
            .core
            .set_pattern_option(PatternOption::InvertMatching(on))
        {
            Ok(()) | Err(Error::Inval) => {}
            Err(e) => return Err(e),
        }
        state.core.options.invert_matching = on;
        Ok(())
    }

    /// `ZMQ_INVERT_MATCHING`.
    pub fn get_invert_matching(&self) -> Result<bool> {
        Ok(self.state.borrow().core.options.invert_matching)
    }

    /// `ZMQ_CONFLATE`: keep only the last message.
    pub fn set_conflate(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_CONFLATE, Arg::Int(i32::from(on)))?;
        let mut state = self.state.borrow_mut();
        // SUB and XSUB also conflate what they have already queued; other
        // types do it in their new pipes only.
        match state.core.set_pattern_option(PatternOption::Conflate(on)) {
            Ok(()) | Err(Error::Inval) => {}
            Err(e) => return Err(e),
        }
        state.core.options.conflate = on;
        Ok(())
    }

    /// `ZMQ_CONFLATE`.
    pub fn get_conflate(&self) -> Result<bool> {
        Ok(self.state.borrow().core.options.conflate)
    }

    /// `ZMQ_CONFLATE` (the `zmq` crate's name for [`Socket::get_conflate`]).
    pub fn is_conflate(&self) -> Result<bool> {
        self.get_conflate()
    }

    /// `ZMQ_TOPICS_COUNT` (PUB, XPUB, SUB, XSUB).
    pub fn get_topics_count(&self) -> Result<i32> {
        match self.pattern_get(PatternOptionName::TopicsCount)? {
            PatternOption::TopicsCount(n) => Ok(i32::try_from(n).unwrap_or(i32::MAX)),
            _ => Err(Error::Inval),
        }
    }

    fn pattern_only(&self, option: PatternOption) -> Result<()> {
        self.state.borrow_mut().core.set_pattern_option(option)
    }

    fn pattern_get(&self, name: PatternOptionName) -> Result<PatternOption> {
        self.state.borrow().core.pattern_option(name)
    }

    /// Sets a pattern option, then records it in the socket's options
    /// with `store` (REP takes ROUTER's options without acting on them).
    fn pattern_and_store(
        &self,
        option: PatternOption,
        store: impl FnOnce(&mut crate::options::SocketOptions),
    ) -> Result<()> {
        let mut state = self.state.borrow_mut();
        match state.core.set_pattern_option(option) {
            // REP is a ROUTER inside libzmq: it takes ROUTER's options
            // (the table lists REP), which do nothing on our REP.
            Err(Error::Inval) if state.core.kind == zmq_patterns::SocketType::Rep => {
                return Ok(());
            }
            result => result?,
        }
        store(&mut state.core.options);
        Ok(())
    }
}

/// Security options (`ZMQ_PLAIN_*`, `ZMQ_CURVE_*`, `ZMQ_ZAP_*`), with
/// libzmq's rules for which mechanism and role each one selects.
impl Socket {
    /// `ZMQ_MECHANISM`: the mechanism the options selected.
    pub fn get_mechanism(&self) -> Result<Mechanism> {
        Ok(self.state.borrow().core.options.mechanism)
    }

    /// `ZMQ_PLAIN_SERVER`: be a PLAIN server (true), or back to NULL.
    pub fn set_plain_server(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_PLAIN_SERVER, Arg::Int(i32::from(on)))?;
        let o = &mut self.state.borrow_mut().core.options;
        o.as_server = on;
        o.mechanism = if on {
            Mechanism::Plain
        } else {
            Mechanism::Null
        };
        Ok(())
    }

    /// `ZMQ_PLAIN_SERVER`.
    pub fn is_plain_server(&self) -> Result<bool> {
        let o = &self.state.borrow().core.options;
        Ok(o.mechanism == Mechanism::Plain && o.as_server)
    }

    /// `ZMQ_PLAIN_USERNAME`: be a PLAIN client with this user name; `None`
    /// (a NULL value) goes back to the NULL mechanism. Takes text or bytes
    /// (`Some("admin")`, `Some(b"admin")`; `None::<&str>`).
    pub fn set_plain_username(&self, name: Option<impl AsRef<[u8]>>) -> Result<()> {
        let name = name.as_ref().map(AsRef::as_ref);
        self.check_option(num::ZMQ_PLAIN_USERNAME, Arg::Bytes(name))?;
        self.set_plain_credential(name, |o, v| o.plain_username = v)
    }

    /// `ZMQ_PLAIN_USERNAME`.
    pub fn get_plain_username(&self) -> Result<Vec<u8>> {
        Ok(self.state.borrow().core.options.plain_username.to_vec())
    }

    /// `ZMQ_PLAIN_PASSWORD`: as [`Socket::set_plain_username`].
    pub fn set_plain_password(&self, password: Option<impl AsRef<[u8]>>) -> Result<()> {
        let password = password.as_ref().map(AsRef::as_ref);
        self.check_option(num::ZMQ_PLAIN_PASSWORD, Arg::Bytes(password))?;
        self.set_plain_credential(password, |o, v| o.plain_password = v)
    }

    /// `ZMQ_PLAIN_PASSWORD`.
    pub fn get_plain_password(&self) -> Result<Vec<u8>> {
        Ok(self.state.borrow().core.options.plain_password.to_vec())
    }

    fn set_plain_credential(
        &self,
        value: Option<&[u8]>,
        store: impl FnOnce(&mut SocketOptions, Bytes),
    ) -> Result<()> {
        let o = &mut self.state.borrow_mut().core.options;
        match value {
            Some(value) => {
                store(o, Bytes::copy_from_slice(value));
                o.as_server = false;
                o.mechanism = Mechanism::Plain;
            }
            None => o.mechanism = Mechanism::Null,
        }
        Ok(())
    }

    /// `ZMQ_CURVE_SERVER`: be a CURVE server (needs the secret key), or
    /// back to NULL.
    pub fn set_curve_server(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_CURVE_SERVER, Arg::Int(i32::from(on)))?;
        let o = &mut self.state.borrow_mut().core.options;
        o.as_server = on;
        o.mechanism = if on {
            Mechanism::Curve
        } else {
            Mechanism::Null
        };
        Ok(())
    }

    /// `ZMQ_CURVE_SERVER`.
    pub fn is_curve_server(&self) -> Result<bool> {
        let o = &self.state.borrow().core.options;
        Ok(o.mechanism == Mechanism::Curve && o.as_server)
    }

    /// `ZMQ_CURVE_PUBLICKEY`: 32 bytes, or 40 Z85 characters (41 with a
    /// trailing NUL). Selects CURVE.
    pub fn set_curve_publickey(&self, key: &[u8]) -> Result<()> {
        self.check_option(num::ZMQ_CURVE_PUBLICKEY, Arg::Bytes(Some(key)))?;
        self.set_curve_key(key, |o, k| o.curve_public_key = k)
    }

    /// `ZMQ_CURVE_PUBLICKEY` (binary).
    pub fn get_curve_publickey(&self) -> Result<Vec<u8>> {
        Ok(self.state.borrow().core.options.curve_public_key.to_vec())
    }

    /// `ZMQ_CURVE_SECRETKEY`: as [`Socket::set_curve_publickey`].
    pub fn set_curve_secretkey(&self, key: &[u8]) -> Result<()> {
        self.check_option(num::ZMQ_CURVE_SECRETKEY, Arg::Bytes(Some(key)))?;
        self.set_curve_key(key, |o, k| o.curve_secret_key = k)
    }

    /// `ZMQ_CURVE_SECRETKEY` (binary).
    pub fn get_curve_secretkey(&self) -> Result<Vec<u8>> {
        Ok(self.state.borrow().core.options.curve_secret_key.to_vec())
    }

    /// `ZMQ_CURVE_SERVERKEY`: the server's public key; makes this socket a
    /// CURVE client.
    pub fn set_curve_serverkey(&self, key: &[u8]) -> Result<()> {
        self.check_option(num::ZMQ_CURVE_SERVERKEY, Arg::Bytes(Some(key)))?;
        self.set_curve_key(key, |o, k| {
            o.curve_server_key = k;
            o.as_server = false;
        })
    }

    /// `ZMQ_CURVE_SERVERKEY` (binary).
    pub fn get_curve_serverkey(&self) -> Result<Vec<u8>> {
        Ok(self.state.borrow().core.options.curve_server_key.to_vec())
    }

    fn set_curve_key(
        &self,
        key: &[u8],
        store: impl FnOnce(&mut SocketOptions, [u8; 32]),
    ) -> Result<()> {
        let key = zmq_mechanisms::keys::parse_key(key).map_err(|_| Error::Inval)?;
        let o = &mut self.state.borrow_mut().core.options;
        store(o, key);
        o.mechanism = Mechanism::Curve;
        Ok(())
    }

    /// `ZMQ_ZAP_DOMAIN` (at most 255 bytes): the domain in ZAP requests;
    /// with NULL, a non-empty domain turns authentication on.
    /// Takes text or bytes (`"global"`, `b"global"`).
    pub fn set_zap_domain(&self, domain: impl AsRef<[u8]>) -> Result<()> {
        let domain = domain.as_ref();
        self.check_option(num::ZMQ_ZAP_DOMAIN, Arg::Bytes(Some(domain)))?;
        self.state.borrow_mut().core.options.zap_domain = Bytes::copy_from_slice(domain);
        Ok(())
    }

    /// `ZMQ_ZAP_DOMAIN`.
    pub fn get_zap_domain(&self) -> Result<Vec<u8>> {
        Ok(self.state.borrow().core.options.zap_domain.to_vec())
    }

    /// `ZMQ_ZAP_ENFORCE_DOMAIN`: fail handshakes when no ZAP handler is
    /// bound (strict RFC 27) instead of accepting.
    pub fn set_zap_enforce_domain(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_ZAP_ENFORCE_DOMAIN, Arg::Int(i32::from(on)))?;
        self.state.borrow_mut().core.options.zap_enforce_domain = on;
        Ok(())
    }

    /// `ZMQ_ZAP_ENFORCE_DOMAIN`.
    pub fn get_zap_enforce_domain(&self) -> Result<bool> {
        Ok(self.state.borrow().core.options.zap_enforce_domain)
    }
}

/// STREAM and raw ROUTER options (`ZMQ_STREAM_NOTIFY`, `ZMQ_ROUTER_RAW`)
/// and `ZMQ_ROUTER_NOTIFY`.
impl Socket {
    /// `ZMQ_STREAM_NOTIFY` (STREAM, default on): a zero-length message
    /// with the peer's routing id when a peer connects or disconnects.
    /// Applies to connections made afterwards.
    pub fn set_stream_notify(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_STREAM_NOTIFY, Arg::Int(i32::from(on)))?;
        self.state.borrow_mut().core.options.stream_notify = on;
        Ok(())
    }

    /// `ZMQ_ROUTER_RAW` (ROUTER, deprecated): peers of later connections
    /// speak raw bytes as with STREAM.
    pub fn set_router_raw(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_ROUTER_RAW, Arg::Int(i32::from(on)))?;
        self.pattern_and_store(PatternOption::RouterRaw(on), |o| o.router_raw = on)
    }

    /// `ZMQ_ROUTER_NOTIFY` (ROUTER): 0, `ZMQ_NOTIFY_CONNECT` (1),
    /// `ZMQ_NOTIFY_DISCONNECT` (2) or both; the socket then delivers
    /// `[routing id][""]` when a tcp or ipc peer connects or disconnects.
    pub fn set_router_notify(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_ROUTER_NOTIFY, Arg::Int(value))?;
        // REP is a ROUTER inside libzmq and takes the option too (the
        // table's row says so).
        self.state.borrow_mut().core.options.router_notify = value;
        Ok(())
    }

    /// `ZMQ_ROUTER_NOTIFY`.
    pub fn get_router_notify(&self) -> Result<i32> {
        Ok(self.state.borrow().core.options.router_notify)
    }
}

/// Milliseconds for an optional duration: `None` is -1 (forever); a
/// duration is rounded up to whole milliseconds; EINVAL above `i32::MAX`.
fn duration_ms(value: Option<std::time::Duration>) -> Result<i32> {
    match value {
        None => Ok(-1),
        Some(d) => {
            let ms = d.as_nanos().div_ceil(1_000_000);
            i32::try_from(ms).map_err(|_| Error::Inval)
        }
    }
}

/// An optional duration for milliseconds: negative is `None` (forever).
fn ms_duration(ms: i32) -> Option<std::time::Duration> {
    u64::try_from(ms).ok().map(std::time::Duration::from_millis)
}

/// The timeouts as [`Duration`](std::time::Duration)s, next to the
/// millisecond accessors the `zmq` crate has: `None` is "forever" (-1).
impl Socket {
    /// `ZMQ_RCVTIMEO` as a duration (`None`: block without limit).
    pub fn set_rcvtimeo_duration(&self, timeout: Option<std::time::Duration>) -> Result<()> {
        self.set_rcvtimeo(duration_ms(timeout)?)
    }

    /// `ZMQ_RCVTIMEO` as a duration.
    pub fn get_rcvtimeo_duration(&self) -> Result<Option<std::time::Duration>> {
        Ok(ms_duration(self.get_rcvtimeo()?))
    }

    /// `ZMQ_SNDTIMEO` as a duration (`None`: block without limit).
    pub fn set_sndtimeo_duration(&self, timeout: Option<std::time::Duration>) -> Result<()> {
        self.set_sndtimeo(duration_ms(timeout)?)
    }

    /// `ZMQ_SNDTIMEO` as a duration.
    pub fn get_sndtimeo_duration(&self) -> Result<Option<std::time::Duration>> {
        Ok(ms_duration(self.get_sndtimeo()?))
    }

    /// `ZMQ_LINGER` as a duration (`None`: linger without limit).
    pub fn set_linger_duration(&self, linger: Option<std::time::Duration>) -> Result<()> {
        self.set_linger(duration_ms(linger)?)
    }

    /// `ZMQ_LINGER` as a duration.
    pub fn get_linger_duration(&self) -> Result<Option<std::time::Duration>> {
        Ok(ms_duration(self.get_linger()?))
    }
}
