//! `sanstls server --ticket-keys FILE`: the key file, read again while the server runs.
//!
//! Every `--ticket-keys-check` seconds the file is read. A new 48-byte key is installed
//! with [`Ticketer::set_ticket_keys`] once two reads in a row agree on it (a file rewritten
//! in place can be read half old, half new, and still be 48 bytes long): from then on it
//! seals new tickets, and the key it replaces keeps opening tickets for one ticket lifetime.
//! The engine keeps one previous key, so rotating more often than once per ticket lifetime
//! loses the tickets sealed two keys back (they fall back to full handshakes).
//!
//! A file that is missing, unreadable or not 48 bytes keeps the current keys, with one log
//! line per such state (not one per read).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sanstls::server::ticket::{Ticketer, TICKET_KEYS_LEN};
use zeroize::Zeroizing;

/// The watched file and what was last seen in it.
pub(crate) struct KeyFile {
    path: PathBuf,
    ticketer: Arc<Ticketer>,
    /// The bytes the ticketer seals with now.
    installed: Zeroizing<[u8; TICKET_KEYS_LEN]>,
    /// New bytes seen on the last read, installed if the next read agrees.
    pending: Option<Zeroizing<Vec<u8>>>,
    /// The last complaint logged, so a bad state is logged once.
    complaint: Option<String>,
}

/// Reads the file as `--ticket-keys` takes it: exactly [`TICKET_KEYS_LEN`] bytes.
pub(crate) fn read(path: &Path) -> Result<Zeroizing<[u8; TICKET_KEYS_LEN]>, String> {
    let bytes = Zeroizing::new(
        std::fs::read(path).map_err(|e| format!("--ticket-keys {}: {e}", path.display()))?,
    );
    let mut keys = Zeroizing::new([0u8; TICKET_KEYS_LEN]);
    if bytes.len() != TICKET_KEYS_LEN {
        return Err(format!(
            "--ticket-keys {}: must be exactly {TICKET_KEYS_LEN} bytes (found {})",
            path.display(),
            bytes.len()
        ));
    }
    keys.copy_from_slice(&bytes);
    Ok(keys)
}

/// The public key name (the first 16 bytes, sent in every ticket), in hex, for the log.
fn key_name(keys: &[u8]) -> String {
    hex::encode(keys.get(..16).unwrap_or_default())
}

impl KeyFile {
    /// Loads `path` for the first time: an invalid file here is an error (the server does
    /// not start). Retired keys open tickets for `lifetime`.
    pub(crate) fn open(path: &Path, lifetime: Duration) -> Result<Self, String> {
        let installed = read(path)?;
        let ticketer = Ticketer::from_ticket_keys(&installed)
            .map_err(|e| format!("--ticket-keys: {e}"))?
            .with_grace(lifetime);
        Ok(Self {
            path: path.to_path_buf(),
            ticketer: Arc::new(ticketer),
            installed,
            pending: None,
            complaint: None,
        })
    }

    pub(crate) fn ticketer(&self) -> Arc<Ticketer> {
        Arc::clone(&self.ticketer)
    }

    /// Reads the file once; returns the line to log, if any.
    pub(crate) fn check(&mut self, now: sanstls::time::UnixTime) -> Option<String> {
        let keys = match read(&self.path) {
            Ok(keys) => keys,
            Err(e) => {
                self.pending = None;
                let line = format!("{e}; keeping the current ticket keys");
                return self.complain(line);
            }
        };
        self.complaint = None;
        if keys[..] == self.installed[..] {
            self.pending = None;
            return None;
        }
        match &self.pending {
            Some(seen) if seen[..] == keys[..] => {}
            _ => {
                self.pending = Some(Zeroizing::new(keys.to_vec()));
                return None;
            }
        }
        self.pending = None;
        if let Err(e) = self.ticketer.set_ticket_keys(&keys, now) {
            return self.complain(format!(
                "--ticket-keys {}: {e}; keeping the current ticket keys",
                self.path.display()
            ));
        }
        let line = format!(
            "ticket keys reloaded from {}: key {} seals, key {} still opens tickets",
            self.path.display(),
            key_name(&keys[..]),
            key_name(&self.installed[..]),
        );
        self.installed = keys;
        Some(line)
    }

    fn complain(&mut self, line: String) -> Option<String> {
        if self.complaint.as_deref() == Some(line.as_str()) {
            return None;
        }
        self.complaint = Some(line.clone());
        Some(line)
    }

    /// Checks the file every `every`, for the life of the process, logging to stdout.
    pub(crate) fn watch(mut self, every: Duration) {
        std::thread::spawn(move || loop {
            std::thread::sleep(every);
            if let Some(line) = self.check(crate::common::now()) {
                println!("{line}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_installed_after_two_agreeing_reads_and_bad_files_keep_the_keys() {
        let dir = sanstls_test::TempDir::new("keyfile");
        let path = PathBuf::from(dir.arg("keys"));
        std::fs::write(&path, [1u8; 48]).unwrap();
        let mut f = KeyFile::open(&path, Duration::from_secs(300)).unwrap();
        let now = crate::common::now();
        assert_eq!(f.check(now), None);
        // Half-written: logged once, the keys stay.
        std::fs::write(&path, [2u8; 20]).unwrap();
        let line = f.check(now).unwrap();
        assert!(line.contains("exactly 48 bytes (found 20)"), "{line}");
        assert_eq!(f.check(now), None);
        assert_eq!(f.ticketer().ticket_keys()[..], [1u8; 48][..]);
        // A new key: pending after one read, installed after the second.
        std::fs::write(&path, [3u8; 48]).unwrap();
        assert_eq!(f.check(now), None);
        assert_eq!(f.ticketer().ticket_keys()[..], [1u8; 48][..]);
        let line = f.check(now).unwrap();
        assert!(line.contains("reloaded"), "{line}");
        assert_eq!(f.ticketer().ticket_keys()[..], [3u8; 48][..]);
        // A file that changes between reads is not installed until it settles.
        std::fs::write(&path, [4u8; 48]).unwrap();
        assert_eq!(f.check(now), None);
        std::fs::write(&path, [5u8; 48]).unwrap();
        assert_eq!(f.check(now), None);
        assert_eq!(f.ticketer().ticket_keys()[..], [3u8; 48][..]);
        assert!(f.check(now).is_some());
        assert_eq!(f.ticketer().ticket_keys()[..], [5u8; 48][..]);
        // A missing file at start is an error.
        std::fs::remove_file(&path).unwrap();
        assert!(KeyFile::open(&path, Duration::from_secs(1)).is_err());
        assert!(f
            .check(now)
            .unwrap()
            .contains("keeping the current ticket keys"));
    }
}
