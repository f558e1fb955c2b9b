//! CURVE options of the socket commands.

use clap::Args;
use zmq::auth::Authenticator;
use zmq::{Context, Socket};

/// `--curve-*`: a server with its secret key, or a client that knows the
/// server's public key.
#[derive(Args, Clone, Debug, Default)]
pub struct CurveArgs {
    /// Acts as the CURVE server (needs --curve-secret).
    #[arg(long)]
    pub curve_server: bool,
    /// Connects as a CURVE client to the server with this public key (Z85).
    #[arg(long, value_name = "KEY")]
    pub curve_server_key: Option<String>,
    /// This side's public key (Z85; derived from the secret key when left out).
    #[arg(long, value_name = "KEY")]
    pub curve_public: Option<String>,
    /// This side's secret key (Z85; a client without one uses a fresh pair).
    #[arg(long, value_name = "KEY")]
    pub curve_secret: Option<String>,
    /// Server: accepts only clients with these public keys (repeatable;
    /// default: any client).
    #[arg(long, value_name = "KEY")]
    pub curve_allow: Vec<String>,
    /// Reads this side's keys from a secret certificate (`zmq keygen --cert`'s FILE_secret).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["curve_public", "curve_secret"])]
    pub curve_cert: Option<std::path::PathBuf>,
}

impl CurveArgs {
    /// The keys of `--curve-cert` moved into `--curve-public` and
    /// `--curve-secret`.
    fn resolved(&self) -> Result<CurveArgs, String> {
        let mut args = self.clone();
        if let Some(path) = args.curve_cert.take() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let key = |name| {
                crate::keygen::read_key(&text, name)
                    .ok_or_else(|| format!("{}: no {name}", path.display()))
            };
            args.curve_public = Some(key("public-key")?);
            args.curve_secret = Some(key("secret-key")?);
        }
        Ok(args)
    }
}

/// Sets the CURVE options on `socket`; returns the ZAP handler to keep
/// alive while the socket runs (with `--curve-allow`).
pub fn apply(
    args: &CurveArgs,
    ctx: &Context,
    socket: &Socket,
) -> Result<Option<Authenticator>, String> {
    let args = &args.resolved()?;
    let bad = |what: &str, e: zmq::Error| format!("{what}: {e}");
    if args.curve_server {
        let secret = args
            .curve_secret
            .as_deref()
            .ok_or("--curve-server needs --curve-secret")?;
        let public = own_public(args.curve_public.as_deref(), secret)?;
        let auth = if args.curve_allow.is_empty() {
            None
        } else {
            let auth = Authenticator::start(ctx).map_err(|e| bad("ZAP handler", e))?;
            auth.configure_curve(&args.curve_allow);
            Some(auth)
        };
        socket
            .set_curve_server(true)
            .map_err(|e| bad("--curve-server", e))?;
        socket
            .set_curve_publickey(public.as_bytes())
            .map_err(|e| bad("--curve-public", e))?;
        socket
            .set_curve_secretkey(secret.as_bytes())
            .map_err(|e| bad("--curve-secret", e))?;
        return Ok(auth);
    }
    let Some(server) = args.curve_server_key.as_deref() else {
        if args.curve_public.is_some()
            || args.curve_secret.is_some()
            || !args.curve_allow.is_empty()
        {
            return Err("CURVE keys need --curve-server or --curve-server-key".into());
        }
        return Ok(None);
    };
    let (public, secret) = match args.curve_secret.as_deref() {
        Some(secret) => (
            own_public(args.curve_public.as_deref(), secret)?,
            secret.to_owned(),
        ),
        None => zmq::curve_keypair().map_err(|e| format!("key pair: {e}"))?,
    };
    socket
        .set_curve_serverkey(server.as_bytes())
        .map_err(|e| bad("--curve-server-key", e))?;
    socket
        .set_curve_publickey(public.as_bytes())
        .map_err(|e| bad("--curve-public", e))?;
    socket
        .set_curve_secretkey(secret.as_bytes())
        .map_err(|e| bad("--curve-secret", e))?;
    Ok(None)
}

fn own_public(public: Option<&str>, secret: &str) -> Result<String, String> {
    match public {
        Some(public) => Ok(public.to_owned()),
        None => zmq::curve_public(secret.as_bytes()).map_err(|e| format!("--curve-secret: {e}")),
    }
}
