//! `zmq proxy`: `zmq_proxy` between two sockets of chosen types.

use clap::Args;
use zmq::Context;

use crate::{CliResult, Kind};

/// Both sockets bind unless told to connect.
#[derive(Args, Clone, Debug)]
pub struct ProxyArgs {
    /// The frontend's endpoint (clients come here).
    pub frontend: String,
    /// The backend's endpoint (workers come here).
    pub backend: String,
    /// The frontend's socket type.
    #[arg(long, value_enum, default_value = "router")]
    pub frontend_type: Kind,
    /// The backend's socket type.
    #[arg(long, value_enum, default_value = "dealer")]
    pub backend_type: Kind,
    /// Connects the frontend instead of binding it.
    #[arg(long)]
    pub frontend_connect: bool,
    /// Connects the backend instead of binding it.
    #[arg(long)]
    pub backend_connect: bool,
}

pub fn run(args: &ProxyArgs) -> CliResult {
    let ctx = Context::new();
    let socket = |kind: Kind| {
        ctx.socket(kind.socket_type())
            .map_err(|e| format!("socket: {e}"))
    };
    let frontend = socket(args.frontend_type)?;
    let backend = socket(args.backend_type)?;
    if args.frontend_type == Kind::Sub {
        // A SUB frontend forwards everything.
        frontend
            .set_subscribe(b"")
            .map_err(|e| format!("subscribe: {e}"))?;
    }
    crate::sockets::attach(&frontend, &args.frontend, !args.frontend_connect)?;
    crate::sockets::attach(&backend, &args.backend, !args.backend_connect)?;
    zmq::proxy(&frontend, &backend).map_err(|e| format!("proxy: {e}"))
}
