//! The ws and wss transports: ZMTP over WebSocket as libzmq 4.3.5 speaks
//! it (ZWS 2.0, RFC 45). A ws listener or connect is a tcp one whose
//! streams are wrapped in a [`WsStream`]; wss adds TLS (rustls) below
//! the WebSocket.
//!
//! Addresses as libzmq: `host:port[/path]`, the path (from the last `/`)
//! defaulting to `/`; bind takes `*` and `*` ports like tcp. The listener
//! serves any path; `ZMQ_LAST_ENDPOINT` is `ws://ip:port/path`.

use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;

use crate::error::{TransportError, TransportResult};
use crate::options::TransportOptions;
use crate::tcp::TcpTransport;
use crate::transport::{ConnectProgress, Connecting, Listener, Stream, Transport};

pub mod bridge;
pub mod frame;
pub mod stream;
pub mod tls;
pub mod upgrade;

pub use stream::{WsProtocolError, WsStream};
pub use tls::WssOptions;
pub use upgrade::WsMechanism;

/// What the WebSocket layer needs to know of the socket above it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WsOptions {
    /// The security mechanism (decides the subprotocols).
    pub mechanism: WsMechanism,
    /// `ZMQ_PLAIN_SERVER` / `ZMQ_CURVE_SERVER`.
    pub mechanism_server: bool,
    /// The ZMTP socket type name (`REQ`, `PUB`, ...), for the bare
    /// `ZWS2.0` subprotocol.
    pub socket_type: String,
    /// The `ZMQ_WSS_*` options.
    pub tls: WssOptions,
}

/// `ws://` (`tls` false) or `wss://`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WsTransport {
    /// Whether this is wss.
    pub tls: bool,
}

/// An address split as libzmq's `ws_address_t` splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsAddress {
    /// `host:port` for the tcp layer.
    pub host_port: String,
    /// The `Host` header: the text before the last `:`.
    pub host: String,
    /// The resource, from the last `/`; `/` when none.
    pub path: String,
}

impl WsAddress {
    /// Splits `address` (after `ws://`).
    pub fn parse(address: &str) -> TransportResult<Self> {
        let colon = address
            .rfind(':')
            .ok_or_else(|| TransportError::invalid(format!("no port in ws address {address:?}")))?;
        let (host_port, path) = match address.rfind('/') {
            Some(last) => {
                let first = address.find('/').unwrap_or(last);
                (&address[..first], &address[last..])
            }
            None => (address, "/"),
        };
        Ok(Self {
            host_port: host_port.to_owned(),
            host: address[..colon].to_owned(),
            path: path.to_owned(),
        })
    }
}

impl WsTransport {
    fn scheme_name(&self) -> &'static str {
        if self.tls { "wss" } else { "ws" }
    }
}

impl Transport for WsTransport {
    fn scheme(&self) -> &str {
        self.scheme_name()
    }

    fn check_connect_address(&self, address: &str) -> TransportResult<()> {
        let parsed = WsAddress::parse(address)?;
        TcpTransport.check_connect_address(&parsed.host_port)
    }

    fn bind(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Listener>> {
        let parsed = WsAddress::parse(address)?;
        let tls = if self.tls {
            Some(tls::server_config(&options.ws.tls)?)
        } else {
            None
        };
        let inner = TcpTransport.bind(&parsed.host_port, options)?;
        let bound = inner
            .endpoint()
            .strip_prefix("tcp://")
            .unwrap_or(inner.endpoint());
        let endpoint = format!("{}://{bound}{}", self.scheme_name(), parsed.path);
        Ok(Box::new(WsListener {
            inner,
            endpoint,
            tls,
            options: options.ws.clone(),
        }))
    }

    fn connect(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>> {
        let parsed = WsAddress::parse(address)?;
        let tls = if self.tls {
            Some(tls::client_config(&options.ws.tls, &parsed.host)?)
        } else {
            None
        };
        let inner = TcpTransport.connect(&parsed.host_port, options)?;
        Ok(Box::new(WsConnecting {
            inner,
            address: Arc::new(parsed),
            tls,
            options: Arc::new(options.ws.clone()),
        }))
    }
}

/// A ws or wss listener: a tcp listener whose streams upgrade.
#[derive(Debug)]
struct WsListener {
    inner: Box<dyn Listener>,
    endpoint: String,
    tls: Option<Arc<rustls::ServerConfig>>,
    options: WsOptions,
}

impl AsFd for WsListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl Listener for WsListener {
    fn accept(&mut self) -> TransportResult<Option<Box<dyn Stream>>> {
        let Some(sock) = self.inner.accept()? else {
            return Ok(None);
        };
        let tls = match &self.tls {
            Some(config) => Some(stream::tls_server(config)?),
            None => None,
        };
        Ok(Some(Box::new(WsStream::server(sock, tls, &self.options))))
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

type ClientTls = (
    Arc<rustls::ClientConfig>,
    rustls::pki_types::ServerName<'static>,
);

/// A tcp connect that becomes a [`WsStream`].
#[derive(Debug)]
struct WsConnecting {
    inner: Box<dyn Connecting>,
    address: Arc<WsAddress>,
    tls: Option<ClientTls>,
    options: Arc<WsOptions>,
}

impl AsFd for WsConnecting {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl Connecting for WsConnecting {
    fn finish(self: Box<Self>) -> TransportResult<ConnectProgress> {
        let Self {
            inner,
            address,
            tls,
            options,
        } = *self;
        match inner.finish()? {
            ConnectProgress::InProgress(inner) => Ok(ConnectProgress::InProgress(Box::new(Self {
                inner,
                address,
                tls,
                options,
            }))),
            ConnectProgress::Connected(sock) => {
                let pipe = match &tls {
                    Some((config, name)) => Some(stream::tls_client(config, name.clone())?),
                    None => None,
                };
                let stream = WsStream::client(sock, pipe, &options, &address.host, &address.path);
                Ok(ConnectProgress::Connected(Box::new(stream)))
            }
        }
    }

    fn wants_readable(&self) -> bool {
        self.inner.wants_readable()
    }

    fn started_in_progress(&self) -> bool {
        self.inner.started_in_progress()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_as_libzmq() {
        let a = WsAddress::parse("127.0.0.1:5555/roundtrip").unwrap();
        assert_eq!(
            (a.host_port.as_str(), a.host.as_str(), a.path.as_str()),
            ("127.0.0.1:5555", "127.0.0.1", "/roundtrip")
        );
        let a = WsAddress::parse("*:*").unwrap();
        assert_eq!((a.host_port.as_str(), a.path.as_str()), ("*:*", "/"));
        // libzmq keeps the last segment only.
        let a = WsAddress::parse("0.0.0.0:1/x/y").unwrap();
        assert_eq!((a.host_port.as_str(), a.path.as_str()), ("0.0.0.0:1", "/y"));
        let a = WsAddress::parse("[::1]:80/p").unwrap();
        assert_eq!(
            (a.host_port.as_str(), a.host.as_str()),
            ("[::1]:80", "[::1]")
        );
        assert!(WsAddress::parse("nohost").is_err());
    }
}
