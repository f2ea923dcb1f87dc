//! The run's temporary directory (0700, removed when capture ends): the CA bundles,
//! the PHP ini and the Node preload the command's environment points at. The CA's
//! private key is never written here (see `certs`).

use super::environ::{self, Trust};
use sl_doctor_checks::input::files::{Pipes, read_input};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Largest CA file of the user's that is extended.
const MAX_CA_FILE: u64 = 8 * 1024 * 1024;

/// The directory and what its files are for.
pub(super) struct RunDir {
    /// Removed when dropped (or by [`RunDir::remove`]).
    pub dir: tempfile::TempDir,
    /// The files the environment points at.
    pub trust: Trust,
    /// No system CA bundle was found: `bundle` holds only the run's CA.
    pub no_system_bundle: bool,
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let path = dir.join(name);
    crate::files::write_private(&path, bytes, crate::files::Links::Refuse)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// `base` with the run's CA appended (a line break between them when `base` lacks one).
fn with_ca(base: &[u8], ca_pem: &str) -> Vec<u8> {
    let mut out = base.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(ca_pem.as_bytes());
    out
}

impl RunDir {
    /// Creates the directory and its files for a run whose CA is `ca_pem`, extending
    /// the CA files `env` names (a file that cannot be read is extended as empty: the
    /// command could not have used it either).
    pub(super) fn create(env: &[(OsString, OsString)], ca_pem: &str) -> Result<RunDir, String> {
        let mut b = tempfile::Builder::new();
        b.prefix("sl-doctor-capture-");
        #[cfg(unix)]
        b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = b
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let d = dir.path();
        let system = sl_doctor_checks::net::tls::system_bundle_pem();
        let no_system_bundle = system.is_none();
        let bundle = write(
            d,
            "bundle.pem",
            &with_ca(system.unwrap_or_default().as_bytes(), ca_pem),
        )?;
        let ca = write(d, "ca.pem", ca_pem.as_bytes())?;
        let mut extended = Vec::new();
        for (var, path) in environ::user_ca_files(env) {
            let theirs = read_input("CA bundle", &path, MAX_CA_FILE, None, Pipes::Refuse)
                .unwrap_or_default();
            extended.push((
                var,
                write(d, &format!("{var}.pem"), &with_ca(&theirs, ca_pem))?,
            ));
        }
        let php_ini_dir = match environ::php_ini(&bundle) {
            Some(ini) => {
                let php = d.join("php");
                crate::files::private_dir(&php, crate::files::Links::Refuse)
                    .map_err(|e| format!("cannot create {}: {e}", php.display()))?;
                write(&php, "zz-sl-doctor-capture.ini", ini.as_bytes())?;
                Some(php)
            }
            None => None,
        };
        let node_preload = write(d, "node-preload.cjs", environ::NODE_PRELOAD.as_bytes())?;
        Ok(RunDir {
            dir,
            trust: Trust {
                bundle,
                ca,
                extended,
                php_ini_dir,
                node_preload,
            },
            no_system_bundle,
        })
    }

    /// Removes the directory; the path left behind when that fails.
    pub(super) fn remove(self) -> Option<PathBuf> {
        let path = self.dir.path().to_path_buf();
        self.dir.close().err().map(|_| path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_private_extends_the_users_file_and_goes_away() {
        let theirs = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(theirs.path(), "THEIR CA").unwrap();
        let env = vec![(
            OsString::from("NODE_EXTRA_CA_CERTS"),
            theirs.path().as_os_str().to_owned(),
        )];
        let r = RunDir::create(&env, "RUN CA\n").unwrap_or_else(|e| panic!("{e}"));
        let node = &r.trust.extended[0].1;
        assert_eq!(std::fs::read_to_string(node).unwrap(), "THEIR CA\nRUN CA\n");
        assert!(
            std::fs::read_to_string(&r.trust.bundle)
                .unwrap()
                .ends_with("RUN CA\n")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(r.dir.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let path = r.dir.path().to_path_buf();
        assert_eq!(r.remove(), None);
        assert!(!path.exists());
    }
}
