//! [`TransportRegistry`]: scheme → transport, with tcp and ipc built in
//! and room for user transports.

use std::collections::HashMap;
use std::sync::Arc;

use crate::endpoint::split_endpoint;
use crate::error::{TransportError, TransportErrorKind, TransportResult};
use crate::ipc::IpcTransport;
use crate::options::TransportOptions;
use crate::tcp::TcpTransport;
use crate::tipc::TipcTransport;
use crate::transport::{Connecting, Listener, Transport};
use crate::vsock::VsockTransport;
use crate::ws::WsTransport;

/// The transports a context knows, by scheme.
#[derive(Debug, Clone)]
pub struct TransportRegistry {
    transports: HashMap<String, Arc<dyn Transport>>,
}

impl Default for TransportRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl TransportRegistry {
    /// A registry with the built-in `tcp`, `ipc`, `tipc`, `vsock`, `ws`
    /// and `wss` transports (`vmci` is registered by whoever wants it:
    /// [`VmciTransport`](crate::VmciTransport)).
    pub fn new() -> Self {
        let mut registry = Self::empty();
        registry.register(Arc::new(TcpTransport));
        registry.register(Arc::new(IpcTransport));
        registry.register(Arc::new(TipcTransport));
        registry.register(Arc::new(VsockTransport));
        registry.register(Arc::new(WsTransport { tls: false }));
        registry.register(Arc::new(WsTransport { tls: true }));
        registry
    }

    /// Whether a transport serves `scheme`.
    pub fn contains(&self, scheme: &str) -> bool {
        self.transports.contains_key(scheme)
    }

    /// A registry with no transport at all.
    pub fn empty() -> Self {
        Self {
            transports: HashMap::new(),
        }
    }

    /// Adds `transport` under its scheme, returning the one it replaces.
    pub fn register(&mut self, transport: Arc<dyn Transport>) -> Option<Arc<dyn Transport>> {
        self.transports
            .insert(transport.scheme().to_owned(), transport)
    }

    /// The transport for `scheme`, or `EPROTONOSUPPORT`.
    pub fn get(&self, scheme: &str) -> TransportResult<&Arc<dyn Transport>> {
        self.transports.get(scheme).ok_or_else(|| {
            TransportError::new(
                TransportErrorKind::ProtocolNotSupported,
                format!("no transport for scheme {scheme:?}"),
            )
        })
    }

    /// Splits `endpoint` and finds its transport; returns it with the
    /// address part.
    pub fn resolve<'e>(
        &self,
        endpoint: &'e str,
    ) -> TransportResult<(&Arc<dyn Transport>, &'e str)> {
        let (scheme, address) = split_endpoint(endpoint)?;
        Ok((self.get(scheme)?, address))
    }

    /// Binds a full endpoint (`scheme://address`).
    pub fn bind(
        &self,
        endpoint: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Listener>> {
        let (transport, address) = self.resolve(endpoint)?;
        transport.bind(address, options)
    }

    /// Starts connecting to a full endpoint (`scheme://address`).
    pub fn connect(
        &self,
        endpoint: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>> {
        let (transport, address) = self.resolve(endpoint)?;
        transport.connect(address, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct NullTransport;

    impl Transport for NullTransport {
        fn scheme(&self) -> &str {
            "null"
        }

        fn bind(&self, _: &str, _: &TransportOptions) -> TransportResult<Box<dyn Listener>> {
            Err(TransportError::new(
                TransportErrorKind::AddressInUse,
                "always",
            ))
        }

        fn connect(&self, _: &str, _: &TransportOptions) -> TransportResult<Box<dyn Connecting>> {
            Err(TransportError::new(
                TransportErrorKind::ConnectionRefused,
                "always",
            ))
        }
    }

    #[test]
    fn built_ins_and_unknown_schemes() {
        let registry = TransportRegistry::new();
        assert!(registry.get("tcp").is_ok());
        assert!(registry.get("ipc").is_ok());
        assert!(registry.get("tipc").is_ok() && registry.contains("vsock"));
        assert!(!registry.contains("vmci"));
        let errno = |r: TransportResult<Box<dyn Listener>>| r.err().map(|e| e.errno());
        let options = TransportOptions::default();
        assert_eq!(
            errno(registry.bind("udp://*:5555", &options)),
            Some(libc::EPROTONOSUPPORT)
        );
        assert_eq!(
            errno(registry.bind("inproc://x", &options)),
            Some(libc::EPROTONOSUPPORT)
        );
        assert_eq!(
            errno(registry.bind("nonsense", &options)),
            Some(libc::EINVAL)
        );
        assert_eq!(errno(registry.bind("tcp://", &options)), Some(libc::EINVAL));
    }

    #[test]
    fn user_transports_are_reached_by_scheme() {
        let mut registry = TransportRegistry::new();
        assert!(registry.register(Arc::new(NullTransport)).is_none());
        let options = TransportOptions::default();
        let bound = registry
            .bind("null://anything", &options)
            .err()
            .map(|e| e.errno());
        assert_eq!(bound, Some(libc::EADDRINUSE));
        let connected = registry
            .connect("null://x", &options)
            .err()
            .map(|e| e.errno());
        assert_eq!(connected, Some(libc::ECONNREFUSED));
        assert!(registry.register(Arc::new(NullTransport)).is_some());
    }

    #[test]
    fn registry_and_transports_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<TransportRegistry>();
        fn assert_send<T: Send + ?Sized>() {}
        assert_send::<dyn Listener>();
        assert_send::<dyn Connecting>();
        assert_send::<dyn crate::Stream>();
    }
}
