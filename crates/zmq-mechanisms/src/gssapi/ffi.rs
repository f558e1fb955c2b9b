//! The few GSS-API calls (RFC 2743/2744) the mechanism needs, from the
//! system library (MIT Kerberos' `libgssapi_krb5`), with owning wrappers
//! that release what the library allocated.
//!
//! Every `unsafe` block of the crate's GSSAPI code is here. The C
//! interface is the standard one of `<gssapi/gssapi.h>`; the handful of
//! declarations we need are written out rather than generated (no
//! bindgen, so no libclang at build time).

use core::ffi::{c_int, c_void};
use core::fmt;
use core::ptr;

use super::NameType;

type OmUint32 = u32;

#[repr(C)]
struct BufferDesc {
    length: usize,
    value: *mut c_void,
}

#[repr(C)]
struct OidDesc {
    length: OmUint32,
    elements: *mut c_void,
}

type Oid = *mut OidDesc;
type NameHandle = *mut c_void;
type CredHandle = *mut c_void;
type CtxHandle = *mut c_void;

const GSS_C_INITIATE: c_int = 1;
const GSS_C_ACCEPT: c_int = 2;
const GSS_C_QOP_DEFAULT: OmUint32 = 0;
/// `GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG`, what libzmq asks for.
const REQ_FLAGS: OmUint32 = 2 | 4;
const GSS_S_COMPLETE: OmUint32 = 0;
const GSS_S_CONTINUE_NEEDED: OmUint32 = 1;
const GSS_C_GSS_CODE: c_int = 1;
const GSS_C_MECH_CODE: c_int = 2;

// Linked by build.rs (`pkg-config krb5-gssapi`).
unsafe extern "C" {
    fn gss_import_name(
        minor: *mut OmUint32,
        input: *mut BufferDesc,
        name_type: Oid,
        output: *mut NameHandle,
    ) -> OmUint32;
    fn gss_release_name(minor: *mut OmUint32, name: *mut NameHandle) -> OmUint32;
    fn gss_display_name(
        minor: *mut OmUint32,
        name: NameHandle,
        output: *mut BufferDesc,
        name_type: *mut Oid,
    ) -> OmUint32;
    fn gss_acquire_cred(
        minor: *mut OmUint32,
        name: NameHandle,
        time_req: OmUint32,
        mechs: *mut c_void,
        usage: c_int,
        cred: *mut CredHandle,
        actual_mechs: *mut *mut c_void,
        time_rec: *mut OmUint32,
    ) -> OmUint32;
    fn gss_release_cred(minor: *mut OmUint32, cred: *mut CredHandle) -> OmUint32;
    fn gss_init_sec_context(
        minor: *mut OmUint32,
        cred: CredHandle,
        ctx: *mut CtxHandle,
        target: NameHandle,
        mech: Oid,
        req_flags: OmUint32,
        time_req: OmUint32,
        bindings: *mut c_void,
        input: *mut BufferDesc,
        actual_mech: *mut Oid,
        output: *mut BufferDesc,
        ret_flags: *mut OmUint32,
        time_rec: *mut OmUint32,
    ) -> OmUint32;
    fn gss_accept_sec_context(
        minor: *mut OmUint32,
        ctx: *mut CtxHandle,
        cred: CredHandle,
        input: *mut BufferDesc,
        bindings: *mut c_void,
        src_name: *mut NameHandle,
        mech: *mut Oid,
        output: *mut BufferDesc,
        ret_flags: *mut OmUint32,
        time_rec: *mut OmUint32,
        delegated: *mut CredHandle,
    ) -> OmUint32;
    fn gss_delete_sec_context(
        minor: *mut OmUint32,
        ctx: *mut CtxHandle,
        output: *mut BufferDesc,
    ) -> OmUint32;
    fn gss_wrap(
        minor: *mut OmUint32,
        ctx: CtxHandle,
        conf_req: c_int,
        qop: OmUint32,
        input: *mut BufferDesc,
        conf_state: *mut c_int,
        output: *mut BufferDesc,
    ) -> OmUint32;
    fn gss_unwrap(
        minor: *mut OmUint32,
        ctx: CtxHandle,
        input: *mut BufferDesc,
        output: *mut BufferDesc,
        conf_state: *mut c_int,
        qop: *mut OmUint32,
    ) -> OmUint32;
    fn gss_release_buffer(minor: *mut OmUint32, buffer: *mut BufferDesc) -> OmUint32;
    fn gss_display_status(
        minor: *mut OmUint32,
        status: OmUint32,
        status_type: c_int,
        mech: Oid,
        message_context: *mut OmUint32,
        output: *mut BufferDesc,
    ) -> OmUint32;
}

/// `GSS_C_NT_HOSTBASED_SERVICE` (1.2.840.113554.1.2.1.4).
const OID_HOSTBASED: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04";
/// `GSS_C_NT_USER_NAME` (1.2.840.113554.1.2.1.1).
const OID_USER_NAME: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x01";
/// `GSS_KRB5_NT_PRINCIPAL_NAME` (1.2.840.113554.1.2.2.1).
const OID_KRB5_PRINCIPAL: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01";

/// A failed GSS-API call: which one, and its major and minor status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GssError {
    /// The call that failed.
    pub call: &'static str,
    /// The major status (routine and calling errors).
    pub major: u32,
    /// The mechanism's minor status.
    pub minor: u32,
}

impl fmt::Display for GssError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}; {}",
            self.call,
            status_text(self.major, GSS_C_GSS_CODE),
            status_text(self.minor, GSS_C_MECH_CODE)
        )
    }
}

/// Whether a major status is an error (a routine or calling error).
fn is_error(major: OmUint32) -> bool {
    major & 0xffff_0000 != 0
}

fn check(call: &'static str, major: OmUint32, minor: OmUint32) -> Result<OmUint32, GssError> {
    if is_error(major) {
        Err(GssError { call, major, minor })
    } else {
        Ok(major)
    }
}

/// The library's text for a status code (all its messages, joined).
fn status_text(status: OmUint32, kind: c_int) -> String {
    let mut out = String::new();
    let mut context: OmUint32 = 0;
    // At most a few messages per code; bounded so a broken library
    // cannot loop us forever.
    for _ in 0..8 {
        let mut minor = 0;
        let mut buf = Owned::empty();
        // SAFETY: every pointer is to a live local; `buf` receives a
        // library-allocated buffer that `Owned` releases on drop.
        let major = unsafe {
            gss_display_status(
                &mut minor,
                status,
                kind,
                ptr::null_mut(),
                &mut context,
                &mut buf.0,
            )
        };
        if is_error(major) {
            break;
        }
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&String::from_utf8_lossy(buf.bytes()));
        if context == 0 {
            break;
        }
    }
    out
}

/// A buffer the library allocated, released on drop.
struct Owned(BufferDesc);

impl Owned {
    fn empty() -> Owned {
        Owned(BufferDesc {
            length: 0,
            value: ptr::null_mut(),
        })
    }

    fn bytes(&self) -> &[u8] {
        if self.0.value.is_null() || self.0.length == 0 {
            return &[];
        }
        // SAFETY: the library filled `value`/`length` with a buffer it
        // owns until `gss_release_buffer`, which only our drop calls.
        unsafe { core::slice::from_raw_parts(self.0.value.cast::<u8>(), self.0.length) }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if !self.0.value.is_null() {
            let mut minor = 0;
            // SAFETY: `self.0` holds a buffer the library allocated (or
            // null, skipped above); it is released once.
            unsafe { gss_release_buffer(&mut minor, &mut self.0) };
        }
    }
}

/// A borrowed input buffer for a call that only reads it.
fn input(bytes: &[u8]) -> BufferDesc {
    BufferDesc {
        length: bytes.len(),
        // The library reads through this pointer and never writes.
        value: bytes.as_ptr().cast_mut().cast(),
    }
}

/// An imported name, released on drop.
pub struct Name(NameHandle);

// SAFETY: a GSS name is a heap object with no thread affinity (MIT's is
// a plain struct); we never share it between threads without `&mut`.
unsafe impl Send for Name {}

impl Name {
    /// Imports `text` as libzmq does: up to its first NUL, passed with a
    /// terminating NUL counted in the length.
    pub fn import(text: &[u8], kind: NameType) -> Result<Name, GssError> {
        let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
        let mut owned = Vec::with_capacity(end + 1);
        owned.extend_from_slice(&text[..end]);
        owned.push(0);
        let oid_bytes = match kind {
            NameType::Hostbased => OID_HOSTBASED,
            NameType::UserName => OID_USER_NAME,
            NameType::Krb5Principal => OID_KRB5_PRINCIPAL,
        };
        let mut oid = OidDesc {
            // The OIDs above are 10 bytes.
            length: oid_bytes.len() as OmUint32,
            elements: oid_bytes.as_ptr().cast_mut().cast(),
        };
        let mut buf = input(&owned);
        let mut minor = 0;
        let mut name: NameHandle = ptr::null_mut();
        // SAFETY: `buf` and `oid` point to live data the call only reads;
        // `name` receives a new handle that `Name` releases.
        let major = unsafe { gss_import_name(&mut minor, &mut buf, &mut oid, &mut name) };
        check("gss_import_name", major, minor)?;
        Ok(Name(name))
    }

    /// The name as text (`gss_display_name`), e.g. `user@REALM`.
    pub fn display(&self) -> Result<Vec<u8>, GssError> {
        let mut minor = 0;
        let mut out = Owned::empty();
        // SAFETY: `self.0` is a live name; `out` receives a library buffer
        // released by `Owned`.
        let major = unsafe { gss_display_name(&mut minor, self.0, &mut out.0, ptr::null_mut()) };
        check("gss_display_name", major, minor)?;
        Ok(out.bytes().to_vec())
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        if !self.0.is_null() {
            let mut minor = 0;
            // SAFETY: a handle from `gss_import_name`/accept, released once.
            unsafe { gss_release_name(&mut minor, &mut self.0) };
        }
    }
}

/// Credentials for a principal, released on drop.
pub struct Cred(CredHandle);

// SAFETY: as for `Name`: a heap object without thread affinity, used
// through `&mut`/owned access only.
unsafe impl Send for Cred {}

impl Cred {
    /// Credentials for `name`, to initiate (client) or to accept
    /// (server). libzmq asks for both on either side, which needs the
    /// principal's key in the keytab *and* a ticket cache of that same
    /// principal; one role's credentials are all a side uses.
    pub fn acquire(name: &Name, accept: bool) -> Result<Cred, GssError> {
        let usage = if accept { GSS_C_ACCEPT } else { GSS_C_INITIATE };
        let mut minor = 0;
        let mut cred: CredHandle = ptr::null_mut();
        // SAFETY: `name.0` is live; `cred` receives a handle `Cred` owns;
        // the optional outputs are null.
        let major = unsafe {
            gss_acquire_cred(
                &mut minor,
                name.0,
                0,
                ptr::null_mut(),
                usage,
                &mut cred,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        check("gss_acquire_cred", major, minor)?;
        Ok(Cred(cred))
    }

    fn handle(cred: Option<&Cred>) -> CredHandle {
        cred.map_or(ptr::null_mut(), |c| c.0)
    }
}

impl Drop for Cred {
    fn drop(&mut self) {
        if !self.0.is_null() {
            let mut minor = 0;
            // SAFETY: a handle from `gss_acquire_cred`, released once.
            unsafe { gss_release_cred(&mut minor, &mut self.0) };
        }
    }
}

/// Whether a context step finished or needs another token from the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// `GSS_S_COMPLETE`.
    Complete,
    /// `GSS_S_CONTINUE_NEEDED`.
    ContinueNeeded,
}

/// The progress of a major status without error bits (the other
/// supplementary bits, e.g. a duplicate token, do not change it).
fn progress(major: OmUint32) -> Progress {
    if major & GSS_S_CONTINUE_NEEDED != 0 {
        Progress::ContinueNeeded
    } else {
        Progress::Complete
    }
}

/// A security context, deleted on drop.
pub struct Context(CtxHandle);

// SAFETY: MIT contexts are heap objects without thread affinity; the
// context is only used through `&mut self`, never from two threads.
unsafe impl Send for Context {}

impl Default for Context {
    fn default() -> Self {
        Context(ptr::null_mut())
    }
}

impl Context {
    /// One `gss_init_sec_context` step towards `target` (the first with
    /// no input): the token to send (maybe empty) and the progress.
    pub fn init(
        &mut self,
        cred: Option<&Cred>,
        target: &Name,
        token: Option<&[u8]>,
    ) -> Result<(Vec<u8>, Progress), GssError> {
        let mut minor = 0;
        let mut out = Owned::empty();
        let mut ret_flags = 0;
        let mut input_buf = token.map(input);
        let input_ptr = input_buf
            .as_mut()
            .map_or(ptr::null_mut(), |b| b as *mut BufferDesc);
        // SAFETY: the handles are live (or null where the API allows);
        // `input_ptr` is null or points to a buffer over `token`, alive
        // for the call; `out` receives a library buffer `Owned` releases.
        let major = unsafe {
            gss_init_sec_context(
                &mut minor,
                Cred::handle(cred),
                &mut self.0,
                target.0,
                ptr::null_mut(),
                REQ_FLAGS,
                0,
                ptr::null_mut(),
                input_ptr,
                ptr::null_mut(),
                &mut out.0,
                &mut ret_flags,
                ptr::null_mut(),
            )
        };
        check("gss_init_sec_context", major, minor)?;
        Ok((out.bytes().to_vec(), progress(major)))
    }

    /// One `gss_accept_sec_context` step on the client's `token`: the
    /// token to send back (maybe empty), the progress and, once complete,
    /// the client's name.
    pub fn accept(
        &mut self,
        cred: Option<&Cred>,
        token: &[u8],
    ) -> Result<(Vec<u8>, Progress, Option<Name>), GssError> {
        let mut minor = 0;
        let mut out = Owned::empty();
        let mut ret_flags = 0;
        let mut buf = input(token);
        let mut source: NameHandle = ptr::null_mut();
        // SAFETY: as in `init`; `source` receives a name handle that the
        // `Name` built below releases.
        let major = unsafe {
            gss_accept_sec_context(
                &mut minor,
                &mut self.0,
                Cred::handle(cred),
                &mut buf,
                ptr::null_mut(),
                &mut source,
                ptr::null_mut(),
                &mut out.0,
                &mut ret_flags,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        let source = (!source.is_null()).then_some(Name(source));
        check("gss_accept_sec_context", major, minor)?;
        Ok((out.bytes().to_vec(), progress(major), source))
    }

    /// `gss_wrap` with confidentiality (libzmq asks for it always); `take`
    /// reads the token from the library's buffer (no copy of our own).
    pub fn wrap<R>(&mut self, plain: &[u8], take: impl FnOnce(&[u8]) -> R) -> Result<R, GssError> {
        let mut minor = 0;
        let mut buf = input(plain);
        let mut conf_state = 0;
        let mut out = Owned::empty();
        // SAFETY: a live context; `buf` over `plain` for the call; `out`
        // released by `Owned`.
        let major = unsafe {
            gss_wrap(
                &mut minor,
                self.0,
                1,
                GSS_C_QOP_DEFAULT,
                &mut buf,
                &mut conf_state,
                &mut out.0,
            )
        };
        check("gss_wrap", major, minor)?;
        Ok(take(out.bytes()))
    }

    /// `gss_unwrap`: the plaintext of a token from the peer, read by
    /// `take` from the library's buffer.
    pub fn unwrap<R>(
        &mut self,
        wrapped: &[u8],
        take: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, GssError> {
        let mut minor = 0;
        let mut buf = input(wrapped);
        let mut out = Owned::empty();
        let mut conf_state = 0;
        let mut qop = 0;
        // SAFETY: as in `wrap`.
        let major = unsafe {
            gss_unwrap(
                &mut minor,
                self.0,
                &mut buf,
                &mut out.0,
                &mut conf_state,
                &mut qop,
            )
        };
        check("gss_unwrap", major, minor)?;
        // Supplementary bits (duplicate or old token) are failures too:
        // libzmq wants exactly GSS_S_COMPLETE.
        if major != GSS_S_COMPLETE {
            return Err(GssError {
                call: "gss_unwrap",
                major,
                minor,
            });
        }
        Ok(take(out.bytes()))
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        if !self.0.is_null() {
            let mut minor = 0;
            // SAFETY: a context the library created, deleted once.
            unsafe { gss_delete_sec_context(&mut minor, &mut self.0, ptr::null_mut()) };
        }
    }
}
