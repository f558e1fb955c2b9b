//! wss: rustls configurations from the `ZMQ_WSS_*` options, and the byte
//! pipe through a rustls connection over a non-blocking stream.
//!
//! Trust as libzmq (GnuTLS): the client trusts `ZMQ_WSS_TRUST_PEM` and,
//! with `ZMQ_WSS_TRUST_SYSTEM`, the system's roots; a certificate given in
//! `ZMQ_WSS_TRUST_PEM` is also trusted as the server's own certificate
//! (a self-signed one, as in libzmq's tests). The name is checked only
//! when `ZMQ_WSS_HOSTNAME` is set (GnuTLS checks none without it); for a
//! certificate trusted as itself, its subject's common name counts when
//! it has no DNS names (GnuTLS's fallback, which webpki lacks).

use std::io::{self, Read, Write};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig,
    SignatureScheme,
};

use crate::error::{TransportError, TransportResult};
use crate::transport::Stream;

/// The `ZMQ_WSS_*` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WssOptions {
    /// `ZMQ_WSS_CERT_PEM`: the server's certificate chain.
    pub cert_pem: Vec<u8>,
    /// `ZMQ_WSS_KEY_PEM`: the server's private key.
    pub key_pem: Vec<u8>,
    /// `ZMQ_WSS_TRUST_PEM`: certificates the client trusts.
    pub trust_pem: Vec<u8>,
    /// `ZMQ_WSS_TRUST_SYSTEM`: the client also trusts the system's roots.
    pub trust_system: bool,
    /// `ZMQ_WSS_HOSTNAME`: the name sent (SNI) and checked.
    pub hostname: String,
}

/// The most plaintext per TLS record: libzmq's read size (its default
/// `ZMQ_IN_BATCH_SIZE`). libzmq's wss engine reads one record part per
/// readable event and never asks GnuTLS for what it decrypted but did not
/// hand out, so a record longer than its read (or running past the end of
/// a frame) can leave a peer's last bytes stranded (seen: a 1 MiB CURVE
/// request to libzmq over wss stalled with 16 KiB records). libzmq's own
/// records are at most its 8 KiB `ZMQ_OUT_BATCH_SIZE`.
const MAX_RECORD: usize = 8192;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_error(what: &str, error: impl std::fmt::Display) -> TransportError {
    TransportError::invalid(format!("wss: {what}: {error}"))
}

/// Fills `buf` from the system's secure random source.
pub fn fill_random(buf: &mut [u8]) -> bool {
    provider().secure_random.fill(buf).is_ok()
}

/// The server configuration (certificate and key must parse).
pub fn server_config(options: &WssOptions) -> TransportResult<Arc<ServerConfig>> {
    let certs = CertificateDer::pem_slice_iter(&options.cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error("ZMQ_WSS_CERT_PEM", e))?;
    if certs.is_empty() {
        return Err(TransportError::invalid("wss: no ZMQ_WSS_CERT_PEM"));
    }
    let key = PrivateKeyDer::from_pem_slice(&options.key_pem)
        .map_err(|e| tls_error("ZMQ_WSS_KEY_PEM", e))?;
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("versions", e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| tls_error("certificate", e))?;
    config.max_fragment_size = Some(MAX_RECORD);
    Ok(Arc::new(config))
}

/// The client configuration and the name to present for `host`.
pub fn client_config(
    options: &WssOptions,
    host: &str,
) -> TransportResult<(Arc<ClientConfig>, ServerName<'static>)> {
    let pinned = CertificateDer::pem_slice_iter(&options.trust_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error("ZMQ_WSS_TRUST_PEM", e))?;
    let mut roots = RootCertStore::empty();
    for cert in &pinned {
        // A certificate webpki cannot use as a root stays pinned only.
        let _ = roots.add(cert.clone());
    }
    if options.trust_system {
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
    }
    let provider = provider();
    let webpki = if roots.is_empty() {
        None
    } else {
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .build()
            .ok()
    };
    let hostname = (!options.hostname.is_empty()).then(|| options.hostname.clone());
    let verifier = Arc::new(Verifier {
        webpki,
        pinned,
        hostname: hostname.clone(),
        provider: Arc::clone(&provider),
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("versions", e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.max_fragment_size = Some(MAX_RECORD);
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let name = hostname
        .as_deref()
        .and_then(|h| ServerName::try_from(h.to_owned()).ok())
        .or_else(|| ServerName::try_from(bare_host.to_owned()).ok())
        .unwrap_or_else(|| ServerName::try_from("localhost").expect("a valid name"));
    Ok((Arc::new(config), name))
}

#[derive(Debug)]
struct Verifier {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    pinned: Vec<CertificateDer<'static>>,
    hostname: Option<String>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = match &self.webpki {
            Some(webpki) => {
                webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            }
            None => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        match result {
            Ok(verified) => Ok(verified),
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.hostname.is_none() => Ok(ServerCertVerified::assertion()),
            Err(error) => {
                let pinned = self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref());
                let name_ok = match &self.hostname {
                    None => true,
                    Some(name) => {
                        webpki_name_matches(end_entity, server_name)
                            || subject_common_name(end_entity)
                                .is_some_and(|cn| cn.eq_ignore_ascii_case(name))
                    }
                };
                if pinned && name_ok {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(error)
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Whether the certificate's DNS names cover `name` (webpki).
fn webpki_name_matches(cert: &CertificateDer<'_>, name: &ServerName<'_>) -> bool {
    rustls::server::ParsedCertificate::try_from(cert)
        .is_ok_and(|parsed| rustls::client::verify_server_name(&parsed, name).is_ok())
}

/// The last common name (OID 2.5.4.3) in the certificate: the subject's,
/// which follows the issuer's. A bounded scan, not a full X.509 parse.
fn subject_common_name(cert: &[u8]) -> Option<String> {
    const CN_OID: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];
    let mut found = None;
    let mut at = 0;
    while let Some(pos) = cert.get(at..)?.windows(5).position(|w| w == CN_OID) {
        let start = at + pos + 5;
        let Some(&len) = cert.get(start + 1) else {
            break;
        };
        let len = usize::from(len);
        if len < 0x80
            && let Some(value) = cert.get(start + 2..start + 2 + len)
        {
            found = std::str::from_utf8(value).ok().map(str::to_owned);
        }
        at = start;
    }
    found
}

/// A rustls connection over a non-blocking stream.
#[derive(Debug)]
pub struct TlsPipe {
    conn: rustls::Connection,
    plaintext_left: usize,
}

impl TlsPipe {
    /// Wraps a rustls client or server connection.
    pub fn new(conn: rustls::Connection) -> Self {
        Self {
            conn,
            plaintext_left: 0,
        }
    }

    /// Whether decrypted bytes wait to be read.
    pub fn has_plaintext(&self) -> bool {
        self.plaintext_left > 0
    }

    /// Whether encrypted bytes wait to be written.
    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    /// Writes pending TLS records: `Ok(true)` once none is left.
    pub fn flush(&mut self, sock: &mut dyn Stream) -> io::Result<bool> {
        while self.conn.wants_write() {
            match self.conn.write_tls(sock) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Reads decrypted bytes (`Ok(0)`: the peer closed).
    pub fn read(&mut self, sock: &mut dyn Stream, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.conn.reader().read(buf) {
                Ok(n) => {
                    self.plaintext_left = self.plaintext_left.saturating_sub(n);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.plaintext_left = 0,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            if self.conn.read_tls(sock)? == 0 {
                return Ok(0);
            }
            match self.conn.process_new_packets() {
                Ok(state) => self.plaintext_left = state.plaintext_bytes_to_read(),
                Err(error) => {
                    // Send the alert, then fail: a certificate refused ends
                    // the connection (libzmq: a connection error).
                    let _ = self.flush(sock);
                    return Err(io::Error::new(io::ErrorKind::InvalidData, error));
                }
            }
            self.flush(sock)?;
        }
    }

    /// Takes plaintext to encrypt (0 when rustls's buffer is full).
    pub fn write(&mut self, sock: &mut dyn Stream, buf: &[u8]) -> io::Result<usize> {
        let n = self.conn.writer().write(buf)?;
        self.flush(sock)?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_subject_common_name() {
        // SEQUENCE(issuer CN=ca) ... SEQUENCE(subject CN=zeromq.org)
        let mut der = vec![0x30, 0x00];
        der.extend_from_slice(&[0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x02, b'c', b'a']);
        der.extend_from_slice(&[0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x0A]);
        der.extend_from_slice(b"zeromq.org");
        assert_eq!(subject_common_name(&der).as_deref(), Some("zeromq.org"));
        assert_eq!(
            subject_common_name(&[0x06, 0x03, 0x55, 0x04, 0x03, 0x0C]),
            None
        );
    }

    #[test]
    fn bad_pem_is_refused_at_bind() {
        let options = WssOptions {
            cert_pem: b"junk".to_vec(),
            ..WssOptions::default()
        };
        assert!(server_config(&options).is_err());
    }
}
