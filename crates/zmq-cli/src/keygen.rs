//! `zmq keygen`: a CURVE key pair in Z85, printed the way libzmq's
//! `curve_keygen` prints it, and optionally czmq certificate files
//! (`zcert_save`: FILE holds the public key, FILE_secret both keys, in
//! ZPL text).

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::CliResult;

pub fn run(cert: Option<&Path>) -> CliResult {
    let (public, secret) = zmq::curve_keypair().map_err(|e| format!("keygen: {e}"))?;
    println!("A CurveZMQ key pair, both keys Z85-encoded (ZeroMQ RFC 32).");
    println!("Keep the secret key to yourself; give the public key to peers.");
    println!("\n== CURVE PUBLIC KEY ==\n{public}");
    println!("\n== CURVE SECRET KEY ==\n{secret}");
    if let Some(path) = cert {
        write_certificates(path, &public, &secret)?;
    }
    Ok(())
}

/// The two files of a czmq certificate; the secret one readable only by
/// its owner.
pub fn write_certificates(path: &Path, public: &str, secret: &str) -> CliResult {
    let public_text = certificate(public, None);
    fs::write(path, public_text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut secret_path = path.as_os_str().to_owned();
    secret_path.push("_secret");
    let secret_path = std::path::PathBuf::from(secret_path);
    let mut file =
        open_private(&secret_path).map_err(|e| format!("{}: {e}", secret_path.display()))?;
    file.write_all(certificate(public, Some(secret)).as_bytes())
        .map_err(|e| format!("{}: {e}", secret_path.display()))
}

fn open_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

/// ZPL text of a certificate: comments, an empty `metadata` section, and
/// the `curve` section with the keys quoted.
pub fn certificate(public: &str, secret: Option<&str>) -> String {
    let mut text = String::new();
    if secret.is_some() {
        text.push_str("#   ZeroMQ CURVE **Secret** Certificate\n");
        text.push_str("#   Keep this file private: never hand it to another user.\n");
    } else {
        text.push_str("#   ZeroMQ CURVE Public Certificate\n");
        text.push_str("#   Give it to peers over a channel they trust, or let them\n");
        text.push_str("#   check its contents after the exchange.\n");
    }
    text.push_str("#   Written by the zmq command (zmq-rs)\n\n");
    text.push_str("metadata\n");
    text.push_str("curve\n");
    text.push_str(&format!("    public-key = \"{public}\"\n"));
    if let Some(secret) = secret {
        text.push_str(&format!("    secret-key = \"{secret}\"\n"));
    }
    text
}

/// The Z85 key of `name` (`public-key`, `secret-key`) in a certificate's
/// `curve` section.
pub fn read_key(text: &str, name: &str) -> Option<String> {
    let mut in_curve = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if line.starts_with(|c: char| !c.is_whitespace()) && !line.starts_with('#') {
            in_curve = line.trim_end() == "curve";
            continue;
        }
        if !in_curve {
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            continue;
        };
        if key.trim() == name {
            return Some(value.trim().trim_matches('"').to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_hold_their_keys_in_the_curve_section() {
        let (public, secret) = zmq::curve_keypair().unwrap();
        let text = certificate(&public, Some(&secret));
        assert_eq!(
            read_key(&text, "public-key").as_deref(),
            Some(public.as_str())
        );
        assert_eq!(
            read_key(&text, "secret-key").as_deref(),
            Some(secret.as_str())
        );
        assert!(read_key(&certificate(&public, None), "secret-key").is_none());
        assert!(text.contains("\nmetadata\ncurve\n    public-key = \""));
    }
}
