//! The file of a bound ipc socket: wildcard temp directories, stale file
//! cleanup before bind, and removal when the listener goes away.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use socket2::{Domain, SockAddr};

use crate::error::{TransportError, TransportErrorKind, TransportResult};
use crate::ipc_address::{IpcAddress, SUN_PATH_LEN};

/// Environment variables naming the temp directory, in libzmq's order.
const TEMP_DIR_VARIABLES: [&str; 3] = ["TMPDIR", "TEMPDIR", "TMP"];
/// The socket file name inside a wildcard directory.
const WILDCARD_FILE_NAME: &str = "socket";

/// The `sockaddr_un` for an ipc address (path or abstract name).
pub(crate) fn socket_address(address: &IpcAddress) -> TransportResult<SockAddr> {
    let address = match address {
        IpcAddress::Path(path) => SockAddr::unix(path),
        IpcAddress::Abstract(name) => {
            let mut bytes = Vec::with_capacity(name.len() + 1);
            bytes.push(0);
            bytes.extend_from_slice(name.as_bytes());
            SockAddr::unix(OsStr::from_bytes(&bytes))
        }
        IpcAddress::Wildcard => {
            return Err(TransportError::invalid("ipc://* has no socket address"));
        }
    };
    address.map_err(|error| TransportError::new(TransportErrorKind::NameTooLong, error.to_string()))
}

/// Makes a fresh directory `$TMPDIR/tmpXXXXXX` (or under `/tmp`) and
/// returns it with the socket path inside it.
pub(crate) fn make_wildcard_path() -> TransportResult<(PathBuf, PathBuf)> {
    let base = TEMP_DIR_VARIABLES
        .iter()
        .filter_map(std::env::var_os)
        .find(|value| !value.is_empty())
        .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    let directory = nix::unistd::mkdtemp(&base.join("tmpXXXXXX"))?;
    let path = directory.join(WILDCARD_FILE_NAME);
    if path.as_os_str().len() >= SUN_PATH_LEN {
        let _ = fs::remove_dir(&directory);
        return Err(TransportError::new(
            TransportErrorKind::NameTooLong,
            format!("temp path {} is too long for ipc", path.display()),
        ));
    }
    Ok((directory, path))
}

/// Prepares `path` for bind: nothing there is fine; a socket file nobody
/// listens on (connect is refused) is stale and removed; a socket file
/// somebody listens on, or any other file, is `EADDRINUSE`.
pub(crate) fn remove_stale_socket_file(path: &Path) -> TransportResult<()> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    let in_use = || {
        TransportError::new(
            TransportErrorKind::AddressInUse,
            format!("{} is in use", path.display()),
        )
    };
    if !metadata.file_type().is_socket() {
        return Err(in_use());
    }
    let probe = crate::nonblocking::stream_socket(Domain::UNIX, None)?;
    match probe.connect(&SockAddr::unix(path)?) {
        Err(error) if error.raw_os_error() == Some(libc::ECONNREFUSED) => {
            match fs::remove_file(path) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error.into()),
                _ => Ok(()),
            }
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Ok(()) => Err(in_use()),
        Err(error) if matches!(error.raw_os_error(), Some(libc::EAGAIN | libc::EINPROGRESS)) => {
            Err(in_use())
        }
        Err(error) => Err(error.into()),
    }
}

/// A socket file this process created by binding; removed on drop
/// (together with its wildcard directory), unless someone replaced it.
#[derive(Debug)]
pub(crate) struct BoundSocketFile {
    path: PathBuf,
    directory: Option<PathBuf>,
    identity: Option<(u64, u64)>,
}

impl BoundSocketFile {
    /// Takes ownership of `path` right after `bind(2)` created it.
    pub(crate) fn new(path: PathBuf, directory: Option<PathBuf>) -> Self {
        let identity = fs::symlink_metadata(&path)
            .ok()
            .map(|metadata| (metadata.dev(), metadata.ino()));
        Self {
            path,
            directory,
            identity,
        }
    }
}

impl Drop for BoundSocketFile {
    fn drop(&mut self) {
        let current = fs::symlink_metadata(&self.path)
            .ok()
            .map(|metadata| (metadata.dev(), metadata.ino()));
        if current.is_some() && current == self.identity {
            let _ = fs::remove_file(&self.path);
        }
        if let Some(directory) = &self.directory {
            let _ = fs::remove_dir(directory);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::unique_temp_dir;

    #[test]
    fn missing_file_is_fine_and_plain_file_is_in_use() -> TransportResult<()> {
        let directory = unique_temp_dir("stale")?;
        let path = directory.path().join("sock");
        remove_stale_socket_file(&path)?;
        fs::write(&path, b"data")?;
        let error = remove_stale_socket_file(&path).err().map(|e| e.errno());
        assert_eq!(error, Some(libc::EADDRINUSE));
        assert!(path.exists(), "a non-socket file is never removed");
        Ok(())
    }

    #[test]
    fn stale_socket_file_is_removed() -> TransportResult<()> {
        let directory = unique_temp_dir("stale")?;
        let path = directory.path().join("sock");
        {
            let socket = socket2::Socket::new(Domain::UNIX, socket2::Type::STREAM, None)?;
            socket.bind(&SockAddr::unix(&path)?)?;
        }
        assert!(path.exists());
        remove_stale_socket_file(&path)?;
        assert!(!path.exists());
        Ok(())
    }

    #[test]
    fn wildcard_paths_are_unique_and_removed_with_the_guard() -> TransportResult<()> {
        let (first_dir, first) = make_wildcard_path()?;
        let (second_dir, second) = make_wildcard_path()?;
        assert_ne!(first, second);
        assert!(first.ends_with("socket"));
        drop(BoundSocketFile::new(first, Some(first_dir.clone())));
        drop(BoundSocketFile::new(second, Some(second_dir.clone())));
        assert!(!first_dir.exists() && !second_dir.exists());
        Ok(())
    }
}
