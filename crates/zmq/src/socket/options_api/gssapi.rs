//! The GSSAPI options (`ZMQ_GSSAPI_*`), with libzmq's rules for which
//! mechanism and role each selects. Without the `gssapi` feature every
//! one is EINVAL both ways, as in a libzmq built without GSSAPI (the
//! option table has no rows for them, so the setters' check fails).

use bytes::Bytes;
use zmq_mechanisms::GssapiNameType;

use super::super::Socket;
use crate::error::{Error, Result};
use crate::option_table::{Arg, num};
use crate::options::{Mechanism, SocketOptions};

impl Socket {
    /// Reads a GSSAPI option: EINVAL when GSSAPI is not built.
    fn gssapi_get<T>(&self, read: impl FnOnce(&SocketOptions) -> T) -> Result<T> {
        if !zmq_mechanisms::gssapi::AVAILABLE {
            return Err(Error::Inval);
        }
        Ok(read(&self.state.borrow().core.options))
    }

    /// `ZMQ_GSSAPI_SERVER`: be the GSSAPI server (true) or client. Either
    /// way the socket's mechanism becomes GSSAPI, as in libzmq.
    pub fn set_gssapi_server(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_GSSAPI_SERVER, Arg::Int(i32::from(on)))?;
        let o = &mut self.state.borrow_mut().core.options;
        o.as_server = on;
        o.mechanism = Mechanism::Gssapi;
        Ok(())
    }

    /// `ZMQ_GSSAPI_SERVER`: whether this socket is a GSSAPI server.
    pub fn is_gssapi_server(&self) -> Result<bool> {
        self.gssapi_get(|o| o.as_server && o.mechanism == Mechanism::Gssapi)
    }

    /// `ZMQ_GSSAPI_SERVER` (the name of the earlier not-built accessor).
    pub fn get_gssapi_server(&self) -> Result<bool> {
        self.is_gssapi_server()
    }

    /// `ZMQ_GSSAPI_PRINCIPAL` (1..255 bytes; a C string's NUL and what
    /// follows it are ignored): our own principal. Selects GSSAPI.
    pub fn set_gssapi_principal(&self, name: impl AsRef<[u8]>) -> Result<()> {
        let name = name.as_ref();
        self.check_option(num::ZMQ_GSSAPI_PRINCIPAL, Arg::Bytes(Some(name)))?;
        let o = &mut self.state.borrow_mut().core.options;
        o.gssapi.principal = Bytes::copy_from_slice(name);
        o.mechanism = Mechanism::Gssapi;
        Ok(())
    }

    /// `ZMQ_GSSAPI_PRINCIPAL`.
    pub fn get_gssapi_principal(&self) -> Result<Vec<u8>> {
        self.gssapi_get(|o| o.gssapi.principal.to_vec())
    }

    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL` (1..255 bytes): the server's
    /// principal; makes this socket a GSSAPI client.
    pub fn set_gssapi_service_principal(&self, name: impl AsRef<[u8]>) -> Result<()> {
        let name = name.as_ref();
        self.check_option(num::ZMQ_GSSAPI_SERVICE_PRINCIPAL, Arg::Bytes(Some(name)))?;
        let o = &mut self.state.borrow_mut().core.options;
        o.gssapi.service_principal = Bytes::copy_from_slice(name);
        o.mechanism = Mechanism::Gssapi;
        o.as_server = false;
        Ok(())
    }

    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL`.
    pub fn get_gssapi_service_principal(&self) -> Result<Vec<u8>> {
        self.gssapi_get(|o| o.gssapi.service_principal.to_vec())
    }

    /// `ZMQ_GSSAPI_PLAINTEXT`: no wrapping of messages (both sides must
    /// set it alike). Does not select GSSAPI.
    pub fn set_gssapi_plaintext(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_GSSAPI_PLAINTEXT, Arg::Int(i32::from(on)))?;
        self.state.borrow_mut().core.options.gssapi.plaintext = on;
        Ok(())
    }

    /// `ZMQ_GSSAPI_PLAINTEXT`.
    pub fn is_gssapi_plaintext(&self) -> Result<bool> {
        self.gssapi_get(|o| o.gssapi.plaintext)
    }

    /// `ZMQ_GSSAPI_PLAINTEXT` (the name of the earlier not-built
    /// accessor).
    pub fn get_gssapi_plaintext(&self) -> Result<bool> {
        self.is_gssapi_plaintext()
    }

    /// `ZMQ_GSSAPI_PRINCIPAL_NAMETYPE`: `ZMQ_GSSAPI_NT_HOSTBASED` (0),
    /// `ZMQ_GSSAPI_NT_USER_NAME` (1) or `ZMQ_GSSAPI_NT_KRB5_PRINCIPAL` (2).
    pub fn set_gssapi_principal_nametype(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, Arg::Int(value))?;
        let kind = GssapiNameType::from_zmq(value).ok_or(Error::Inval)?;
        self.state
            .borrow_mut()
            .core
            .options
            .gssapi
            .principal_nametype = kind;
        Ok(())
    }

    /// `ZMQ_GSSAPI_PRINCIPAL_NAMETYPE`.
    pub fn get_gssapi_principal_nametype(&self) -> Result<i32> {
        self.gssapi_get(|o| o.gssapi.principal_nametype.to_zmq())
    }

    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE`: as
    /// [`Socket::set_gssapi_principal_nametype`].
    pub fn set_gssapi_service_principal_nametype(&self, value: i32) -> Result<()> {
        self.check_option(num::ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE, Arg::Int(value))?;
        let kind = GssapiNameType::from_zmq(value).ok_or(Error::Inval)?;
        self.state
            .borrow_mut()
            .core
            .options
            .gssapi
            .service_principal_nametype = kind;
        Ok(())
    }

    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE`.
    pub fn get_gssapi_service_principal_nametype(&self) -> Result<i32> {
        self.gssapi_get(|o| o.gssapi.service_principal_nametype.to_zmq())
    }
}
