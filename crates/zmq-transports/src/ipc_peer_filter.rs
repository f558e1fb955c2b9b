//! `ZMQ_IPC_FILTER_UID/GID/PID`: which ipc peers a listener accepts,
//! judged from the peer's credentials as libzmq does: `SO_PEERCRED`
//! (uid, gid, pid) on Linux and Android, `LOCAL_PEERCRED` (uid and group
//! list, no pid) on macOS, iOS, FreeBSD and DragonFly, none elsewhere
//! (OpenBSD, NetBSD, illumos: every filtered peer is refused).

use std::os::fd::AsFd;

use nix::unistd::{Gid, Group, Uid, User};

use crate::options::TransportOptions;

/// What the system says of the process at the other end of a Unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeerCredentials {
    pub(crate) uid: u32,
    /// `SO_PEERCRED`: the primary group; `LOCAL_PEERCRED`: the group list
    /// (the effective group first).
    pub(crate) gids: Vec<u32>,
    /// `SO_PEERCRED` only.
    pub(crate) pid: Option<i32>,
}

impl PeerCredentials {
    /// The suffix libzmq appends to an ipc peer's address (the
    /// `ZMQ_MSG_PROPERTY_PEER_ADDRESS` metadata): `:uid:gid:pid` from
    /// `SO_PEERCRED`, `:uid:gid:` from `LOCAL_PEERCRED`.
    pub(crate) fn address_suffix(&self) -> String {
        let gid = self.gids.first().map(u32::to_string).unwrap_or_default();
        let pid = self.pid.map(|pid| pid.to_string()).unwrap_or_default();
        format!(":{}:{gid}:{pid}", self.uid)
    }
}

/// The peer's credentials (`SO_PEERCRED`).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn peer_credentials(socket: &impl AsFd) -> Option<PeerCredentials> {
    use nix::sys::socket::{getsockopt, sockopt};
    let credentials = getsockopt(socket, sockopt::PeerCredentials).ok()?;
    Some(PeerCredentials {
        uid: credentials.uid(),
        gids: vec![credentials.gid()],
        pid: Some(credentials.pid()),
    })
}

/// The peer's credentials (`LOCAL_PEERCRED`, an `xucred` of the version
/// this build knows, as libzmq checks).
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "dragonfly"
))]
pub(crate) fn peer_credentials(socket: &impl AsFd) -> Option<PeerCredentials> {
    use nix::sys::socket::{getsockopt, sockopt};
    let credentials = getsockopt(socket, sockopt::LocalPeerCred).ok()?;
    if credentials.version() != libc::XUCRED_VERSION {
        return None;
    }
    Some(PeerCredentials {
        uid: credentials.uid(),
        gids: credentials.groups().to_vec(),
        pid: None,
    })
}

/// No credentials on this system (libzmq has neither option here).
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "dragonfly"
)))]
pub(crate) fn peer_credentials(_socket: &impl AsFd) -> Option<PeerCredentials> {
    None
}

/// Whether the peer on `socket` passes the filters. No filters: everyone.
/// Otherwise the peer's uid, gid or pid must be listed, or its user must
/// be a member of a listed group.
pub(crate) fn peer_is_allowed(socket: &impl AsFd, options: &TransportOptions) -> bool {
    if !options.has_ipc_filters() {
        return true;
    }
    let Some(credentials) = peer_credentials(socket) else {
        return false;
    };
    if options.ipc_filter_uids.contains(&credentials.uid)
        || credentials
            .gids
            .iter()
            .any(|gid| options.ipc_filter_gids.contains(gid))
        || credentials
            .pid
            .is_some_and(|pid| options.ipc_filter_pids.contains(&pid))
    {
        return true;
    }
    // SO_PEERCRED gives the primary group only: libzmq then also looks
    // the user up in the listed groups' member lists. LOCAL_PEERCRED
    // already gave every group.
    credentials.pid.is_some() && user_in_any_group(credentials.uid, &options.ipc_filter_gids)
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
    fn credentials_of_this_process() -> std::io::Result<()> {
        let (local, _peer) = pair()?;
        let credentials = peer_credentials(&local).expect("credentials");
        assert_eq!(credentials.uid, nix::unistd::getuid().as_raw());
        assert!(credentials.gids.contains(&nix::unistd::getgid().as_raw()));
        if cfg!(any(target_os = "linux", target_os = "android")) {
            let pid = i32::try_from(std::process::id()).unwrap_or(i32::MAX);
            assert_eq!(credentials.pid, Some(pid));
            let suffix = format!(":{}:{}:{pid}", credentials.uid, credentials.gids[0]);
            assert_eq!(credentials.address_suffix(), suffix);
        } else {
            assert_eq!(credentials.pid, None);
            assert!(credentials.address_suffix().ends_with(':'));
        }
        Ok(())
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
        ];
        let by_pid = TransportOptions {
            ipc_filter_pids: vec![pid],
            ..TransportOptions::default()
        };
        // libzmq filters by pid only where SO_PEERCRED gives one.
        let has_pid = cfg!(any(target_os = "linux", target_os = "android"));
        assert_eq!(peer_is_allowed(&local, &by_pid), has_pid);
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
