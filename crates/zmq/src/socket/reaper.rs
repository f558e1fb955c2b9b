//! Finishing a socket's close on the reaper thread.
//!
//! `zmq_close` returns at once; the socket's pipes still run their
//! termination handshake (and sessions linger). The socket's core moves to
//! the context's reaper thread, which applies its commands until every pipe
//! is closed, then tells the context (`zmq_ctx_term` waits for this).

use std::os::fd::AsFd;

use super::core::SocketCore;
use crate::context::Context;
use crate::io::IoCommand;
use crate::reactor::{EventHandler, HandlerId, Interest, Reactor};

struct ReapedSocket {
    core: SocketCore,
    ctx: Context,
    socket_id: u64,
    reported: bool,
}

impl Drop for ReapedSocket {
    fn drop(&mut self) {
        // However the handler goes (done, or its thread stops), `term`
        // must not wait for it forever.
        if !self.reported {
            self.ctx.socket_closed(self.socket_id);
        }
    }
}

impl ReapedSocket {
    fn check_done(&mut self, reactor: &mut Reactor<IoCommand>, id: HandlerId) {
        // The context may be shutting down; the pipes must finish anyway.
        let _ = self.core.process_commands();
        // A connection whose handshake completed after the close attaches
        // a pipe now: close it too (a no-op for pipes already closing).
        self.core.terminate_all_pipes();
        if !self.core.has_pipes() {
            self.reported = true;
            self.ctx.socket_closed(self.socket_id);
            reactor.remove_handler(id);
        }
    }
}

impl EventHandler<IoCommand> for ReapedSocket {
    fn on_readable(&mut self, reactor: &mut Reactor<IoCommand>, id: HandlerId) {
        self.check_done(reactor, id);
    }
}

/// Hands `core` to the reaper thread; reports the socket closed when its
/// pipes are done. If no reaper can be started, the socket is reported
/// closed at once (its pipes are then dropped without their handshake).
pub(crate) fn reap(ctx: Context, core: SocketCore, socket_id: u64) {
    let reaper = match ctx.shared.io.reaper() {
        Ok(reaper) => reaper,
        Err(_) => {
            ctx.socket_closed(socket_id);
            return;
        }
    };
    let handler = ReapedSocket {
        core,
        ctx,
        socket_id,
        reported: false,
    };
    reaper.run(move |reactor| {
        let mailbox = std::sync::Arc::clone(&handler.core.mailbox);
        let id = reactor.add_handler(Box::new(handler));
        // SAFETY: the mailbox's descriptor belongs to the core, which the
        // handler owns; removing the handler deregisters the descriptor
        // before the handler (and so the core) is dropped. The extra Arc
        // keeps it open at least until this registration returns.
        let registered = unsafe { reactor.register_fd(id, mailbox.as_fd(), Interest::READ) };
        if registered.is_err() {
            // Without a descriptor, poll once now; the pipes may be done.
            reactor.remove_handler(id);
        }
    });
}
