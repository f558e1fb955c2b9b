//! A throwaway Kerberos realm for the GSSAPI tests: `tests/gssapi/realm.sh
//! serve` runs as our child, makes the realm and its KDC, and tears both
//! down when our end of its stdin closes (when this process exits).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The realm's name.
pub const REALM: &str = "ZMQTEST.LOCAL";

/// Kept for the life of the process: dropping nothing, its stdin closes
/// only when we exit, and the script then stops the KDC.
static REALM_CHILD: OnceLock<Mutex<Child>> = OnceLock::new();

/// Starts the realm once and points the Kerberos environment variables
/// of this process at it.
pub fn ensure() {
    REALM_CHILD.get_or_init(|| Mutex::new(start()));
}

// The child is never waited for: it outlives every test and exits after
// this process does.
#[allow(clippy::zombie_processes)]
fn start() -> Child {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/gssapi/realm.sh");
    let dir = std::env::temp_dir().join(format!("zmq-rs-krb5-{}", std::process::id()));
    let mut child = Command::new("bash")
        .arg(&script)
        .arg("serve")
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run tests/gssapi/realm.sh (needs krb5-kdc, krb5-admin-server, krb5-user)");
    let stdout = child.stdout.take().expect("realm.sh stdout");
    // realm.sh bounds its own wait for the KDC (10 s) and exits on failure,
    // which ends this read.
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read realm.sh output");
        if line == "READY" {
            return child;
        }
        if let Some((key, value)) = line.split_once('=') {
            // SAFETY: called once, under the OnceLock, before any test of
            // this binary touches the GSS-API (every one calls `ensure`
            // first and blocks here until the realm is up); nothing else in
            // the process reads these variables concurrently.
            unsafe { std::env::set_var(key, value) };
        }
    }
    panic!("tests/gssapi/realm.sh ended before READY (see its stderr)");
}
