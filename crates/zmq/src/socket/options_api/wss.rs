//! The `ZMQ_WSS_*` options: TLS for the wss transport. Write-only, as in
//! libzmq 4.3.5; they apply to binds and connects made after them.

use crate::error::Result;
use crate::option_table::{Arg, num};
use crate::socket::Socket;

impl Socket {
    fn set_wss(
        &self,
        number: i32,
        value: &[u8],
        write: impl FnOnce(&mut crate::options::NetworkOptions, Vec<u8>),
    ) -> Result<()> {
        self.check_option(number, Arg::Bytes(Some(value)))?;
        write(
            &mut self.state.borrow_mut().core.options.net,
            value.to_vec(),
        );
        Ok(())
    }

    /// `ZMQ_WSS_KEY_PEM`: a wss listener's private key (PEM).
    pub fn set_wss_key_pem(&self, pem: &[u8]) -> Result<()> {
        self.set_wss(num::ZMQ_WSS_KEY_PEM, pem, |n, v| n.wss_key_pem = v)
    }

    /// `ZMQ_WSS_CERT_PEM`: a wss listener's certificate chain (PEM).
    pub fn set_wss_cert_pem(&self, pem: &[u8]) -> Result<()> {
        self.set_wss(num::ZMQ_WSS_CERT_PEM, pem, |n, v| n.wss_cert_pem = v)
    }

    /// `ZMQ_WSS_TRUST_PEM`: certificates a wss connect trusts (PEM).
    pub fn set_wss_trust_pem(&self, pem: &[u8]) -> Result<()> {
        self.set_wss(num::ZMQ_WSS_TRUST_PEM, pem, |n, v| n.wss_trust_pem = v)
    }

    /// `ZMQ_WSS_HOSTNAME`: the server name a wss connect sends (SNI) and
    /// checks the certificate against.
    pub fn set_wss_hostname(&self, name: &str) -> Result<()> {
        self.set_wss_hostname_bytes(name.as_bytes())
    }

    /// `ZMQ_WSS_HOSTNAME` as the C API sets it.
    pub fn set_wss_hostname_bytes(&self, name: &[u8]) -> Result<()> {
        self.set_wss(num::ZMQ_WSS_HOSTNAME, name, |n, v| n.wss_hostname = v)
    }

    /// `ZMQ_WSS_TRUST_SYSTEM`: a wss connect also trusts the system's
    /// root certificates.
    pub fn set_wss_trust_system(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_WSS_TRUST_SYSTEM, Arg::Int(i32::from(on)))?;
        self.state.borrow_mut().core.options.net.wss_trust_system = on;
        Ok(())
    }

    /// `ZMQ_WSS_KEY_PEM` cannot be read back: EINVAL, as libzmq.
    pub fn get_wss_key_pem(&self) -> Result<Vec<u8>> {
        Err(crate::error::Error::Inval)
    }

    /// `ZMQ_WSS_CERT_PEM` cannot be read back: EINVAL, as libzmq.
    pub fn get_wss_cert_pem(&self) -> Result<Vec<u8>> {
        Err(crate::error::Error::Inval)
    }

    /// `ZMQ_WSS_TRUST_PEM` cannot be read back: EINVAL, as libzmq.
    pub fn get_wss_trust_pem(&self) -> Result<Vec<u8>> {
        Err(crate::error::Error::Inval)
    }

    /// `ZMQ_WSS_HOSTNAME` cannot be read back: EINVAL, as libzmq.
    pub fn get_wss_hostname(&self) -> Result<String> {
        Err(crate::error::Error::Inval)
    }

    /// `ZMQ_WSS_TRUST_SYSTEM` cannot be read back: EINVAL, as libzmq.
    pub fn get_wss_trust_system(&self) -> Result<bool> {
        Err(crate::error::Error::Inval)
    }
}
