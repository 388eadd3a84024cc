//! The `--sess-out` / `--sess-in` file: a session (TLS 1.3 ticket and PSK, or TLS 1.2
//! session id / RFC 5077 ticket and master secret) and what goes with it.
//!
//! The format is one JSON object (documented in docs/cli.md), versioned by its `format`
//! field so a later release can read older files or refuse them clearly:
//!
//! ```json
//! {"format":"sanstls-session/1","cipherSuite":4866,"ticket":"<hex>","psk":"<hex>",
//!  "receivedAtMs":1764200000000,"lifetimeSecs":7200,"ageAdd":123,"serverName":"localhost",
//!  "alpn":"6832","maxEarlyData":null,"sessionId":"","extendedMasterSecret":false}
//! ```
//!
//! `cipherSuite` is the IANA wire value, byte strings are lowercase hex, `alpn` is null when
//! none was negotiated. The file holds the resumption secret: it is written with mode 0600
//! where the platform has modes, and should be treated like a private key.

use std::path::Path;

use sanstls::client::StoredSession;
use sanstls::enums::CipherSuite;
use sanstls::time::UnixTime;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

const FORMAT: &str = "sanstls-session/1";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionFile {
    format: String,
    cipher_suite: u16,
    ticket: String,
    psk: String,
    received_at_ms: u64,
    lifetime_secs: u32,
    age_add: u32,
    server_name: String,
    alpn: Option<String>,
    max_early_data: Option<u32>,
    /// TLS 1.2 sessions: the server's session id (hex) and whether EMS was used.
    #[serde(default)]
    session_id: String,
    #[serde(default)]
    extended_master_secret: bool,
}

/// The file's text for `s`.
pub(crate) fn to_text(s: &StoredSession) -> String {
    let file = SessionFile {
        format: FORMAT.into(),
        cipher_suite: s.cipher_suite.to_int(),
        ticket: hex::encode(&s.ticket),
        psk: hex::encode(&*s.psk),
        received_at_ms: s.received_at.as_millis(),
        lifetime_secs: s.lifetime_secs,
        age_add: s.age_add,
        server_name: s.server_name.clone(),
        alpn: s.alpn.as_ref().map(hex::encode),
        max_early_data: s.max_early_data,
        session_id: hex::encode(&s.session_id),
        extended_master_secret: s.extended_master_secret,
    };
    // Serialising a struct of strings and integers cannot fail.
    serde_json::to_string(&file).unwrap_or_default() + "\n"
}

/// Reads the file's text back.
pub(crate) fn from_text(text: &str) -> Result<StoredSession, String> {
    let f: SessionFile =
        serde_json::from_str(text).map_err(|e| format!("not a session file: {e}"))?;
    if f.format != FORMAT {
        return Err(format!(
            "session file format {:?}, expected {FORMAT:?}",
            f.format
        ));
    }
    let unhex = |field: &str, v: &str| {
        hex::decode(v).map_err(|e| format!("session file: {field} is not hex: {e}"))
    };
    Ok(StoredSession {
        cipher_suite: CipherSuite::from(f.cipher_suite),
        ticket: unhex("ticket", &f.ticket)?,
        psk: Zeroizing::new(unhex("psk", &f.psk)?),
        received_at: UnixTime::from_millis(f.received_at_ms),
        lifetime_secs: f.lifetime_secs,
        age_add: f.age_add,
        server_name: f.server_name,
        alpn: f.alpn.map(|a| unhex("alpn", &a)).transpose()?,
        max_early_data: f.max_early_data,
        session_id: unhex("sessionId", &f.session_id)?,
        extended_master_secret: f.extended_master_secret,
    })
}

/// Writes `s` to `path` (owner-only permissions on Unix).
pub(crate) fn save(path: &Path, s: &StoredSession) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("--sess-out {}: {e}", path.display()))?;
    file.write_all(to_text(s).as_bytes())
        .map_err(|e| format!("--sess-out {}: {e}", path.display()))
}

/// Reads a session from `path`.
pub(crate) fn load(path: &Path) -> Result<StoredSession, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("--sess-in {}: {e}", path.display()))?;
    from_text(&text).map_err(|e| format!("--sess-in {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredSession {
        StoredSession {
            cipher_suite: CipherSuite::TLS13_AES_256_GCM_SHA384,
            ticket: vec![1, 2, 3],
            psk: Zeroizing::new(vec![9; 48]),
            received_at: UnixTime::from_millis(1_764_200_000_123),
            lifetime_secs: 7200,
            age_add: 0xdead_beef,
            server_name: "localhost".into(),
            alpn: Some(b"h2".to_vec()),
            max_early_data: None,
            session_id: vec![7; 32],
            extended_master_secret: true,
        }
    }

    #[test]
    fn round_trip() {
        let s = sample();
        let text = to_text(&s);
        assert!(text.contains("\"cipherSuite\":4866"), "{text}");
        assert!(text.contains("\"alpn\":\"6832\""), "{text}");
        assert_eq!(from_text(&text).unwrap(), s);
        let mut none = sample();
        none.alpn = None;
        none.max_early_data = Some(16384);
        assert_eq!(from_text(&to_text(&none)).unwrap(), none);
    }

    #[test]
    fn bad_files_are_refused() {
        let text = to_text(&sample());
        assert!(from_text(&text.replace("/1", "/2"))
            .unwrap_err()
            .contains("format"));
        assert!(from_text(&text.replace("\"010203\"", "\"0x\""))
            .unwrap_err()
            .contains("ticket"));
        assert!(from_text("{}").is_err());
        assert!(from_text("").is_err());
    }
}
