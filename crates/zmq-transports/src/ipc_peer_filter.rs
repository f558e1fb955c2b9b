//! `ZMQ_IPC_FILTER_UID/GID/PID`: which ipc peers a listener accepts,
//! judged from the peer's `SO_PEERCRED` credentials as libzmq does.

use std::os::fd::AsFd;

use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use nix::unistd::{Gid, Group, Uid, User};

use crate::options::TransportOptions;

/// Whether the peer on `socket` passes the filters. No filters: everyone.
/// Otherwise the peer's uid, gid or pid must be listed, or its user must
/// be a member of a listed group.
pub(crate) fn peer_is_allowed(socket: &impl AsFd, options: &TransportOptions) -> bool {
    if !options.has_ipc_filters() {
        return true;
    }
    let Ok(credentials) = getsockopt(socket, PeerCredentials) else {
        return false;
    };
    if options.ipc_filter_uids.contains(&credentials.uid())
        || options.ipc_filter_gids.contains(&credentials.gid())
        || options.ipc_filter_pids.contains(&credentials.pid())
    {
        return true;
    }
    user_in_any_group(credentials.uid(), &options.ipc_filter_gids)
}

fn user_in_any_group(uid: u32, gids: &[u32]) -> bool {
    if gids.is_empty() {
        return false;
    }
    let Ok(Some(user)) = User::from_uid(Uid::from_raw(uid)) else {
        return false;
    };
    gids.iter().any(|gid| {
        matches!(Group::from_gid(Gid::from_raw(*gid)),
            Ok(Some(group)) if group.mem.contains(&user.name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Socket, Type};

    fn pair() -> std::io::Result<(Socket, Socket)> {
        Socket::pair(Domain::UNIX, Type::STREAM, None)
    }

    #[test]
    fn filters_by_uid_gid_pid() -> std::io::Result<()> {
        let (local, _peer) = pair()?;
        let me = TransportOptions::default();
        assert!(peer_is_allowed(&local, &me));
        let uid = nix::unistd::getuid().as_raw();
        let gid = nix::unistd::getgid().as_raw();
        let pid = i32::try_from(std::process::id()).unwrap_or(i32::MAX);
        let allowed = [
            TransportOptions {
                ipc_filter_uids: vec![uid],
                ..TransportOptions::default()
            },
            TransportOptions {
                ipc_filter_gids: vec![gid],
                ..TransportOptions::default()
            },
            TransportOptions {
                ipc_filter_pids: vec![pid],
                ..TransportOptions::default()
            },
        ];
        for options in &allowed {
            assert!(peer_is_allowed(&local, options), "{options:?}");
        }
        let denied = TransportOptions {
            ipc_filter_uids: vec![uid.wrapping_add(12345)],
            ipc_filter_pids: vec![pid.wrapping_add(12345)],
            ..TransportOptions::default()
        };
        assert!(!peer_is_allowed(&local, &denied));
        Ok(())
    }
}
