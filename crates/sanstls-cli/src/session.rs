//! The `--sess-out` / `--sess-in` file: a session (TLS 1.3 ticket and PSK, or TLS 1.2
//! session id / RFC 5077 ticket and master secret), the server's certificate chain and the
//! verdict on it, so that a resumed connection reports who the server proved to be.
//!
//! The format is one JSON object (documented in docs/cli.md), versioned by its `format`
//! field so a later release can read older files or refuse them clearly:
//!
//! ```json
//! {"format":"sanstls-session/3","serverName":"localhost","session":"<hex>"}
//! ```
//!
//! `session` is the engine's `StoredSession::to_bytes` in lowercase hex; `serverName` is
//! there for people reading the file and must agree with the session. Format 1 files (made
//! before sessions carried the server's authentication) are refused. The file holds the
//! resumption secret: it is written with mode 0600 where the platform has modes, and should
//! be treated like a private key.

use std::path::Path;

use sanstls::client::StoredSession;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

const FORMAT: &str = "sanstls-session/3";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionFile {
    format: String,
    server_name: String,
    session: String,
}

/// The file's text for `s` (wiped when dropped: it holds the secret).
pub(crate) fn to_text(s: &StoredSession) -> Zeroizing<String> {
    let mut file = SessionFile {
        format: FORMAT.into(),
        server_name: s.server_name().to_string(),
        session: hex::encode(&*s.to_bytes()),
    };
    // Serialising a struct of strings cannot fail.
    let text = Zeroizing::new(serde_json::to_string(&file).unwrap_or_default() + "\n");
    file.session.zeroize();
    text
}

/// Reads the file's text back.
pub(crate) fn from_text(text: &str) -> Result<StoredSession, String> {
    let mut f: SessionFile =
        serde_json::from_str(text).map_err(|e| format!("not a session file: {e}"))?;
    let session = read_file(&f);
    f.session.zeroize();
    session
}

fn read_file(f: &SessionFile) -> Result<StoredSession, String> {
    if f.format != FORMAT {
        return Err(format!(
            "session file format {:?}, expected {FORMAT:?} (make a new one with --sess-out)",
            f.format
        ));
    }
    let bytes = Zeroizing::new(
        hex::decode(&f.session).map_err(|e| format!("session file: session is not hex: {e}"))?,
    );
    let session =
        StoredSession::from_bytes(&bytes).map_err(|e| format!("session file: session: {e}"))?;
    if session.server_name() != f.server_name {
        return Err("session file: serverName differs from the session's".into());
    }
    Ok(session)
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
    use sanstls::enums::CipherSuite;
    use sanstls::error::CertificateError;
    use sanstls::time::UnixTime;

    fn sample() -> StoredSession {
        // The engine keeps a session's fields private; its test-only parts build one.
        sanstls::internal::SessionParts {
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
            peer_certificates: vec![vec![0x30, 1, 2]],
            authorization_error: Some(CertificateError::Rejected {
                code: "DEPTH_ZERO_SELF_SIGNED_CERT".into(),
                message: "self-signed certificate".into(),
            }),
            psk_identity: None,
        }
        .into()
    }

    #[test]
    fn round_trip() {
        let s = sample();
        let text = to_text(&s);
        assert!(
            text.starts_with("{\"format\":\"sanstls-session/3\""),
            "{}",
            *text
        );
        assert!(text.contains("\"serverName\":\"localhost\""), "{}", *text);
        assert_eq!(from_text(&text).unwrap(), s);
        let mut none = sanstls::internal::SessionParts::from(sample());
        none.alpn = None;
        none.authorization_error = None;
        let none = StoredSession::from(none);
        assert_eq!(from_text(&to_text(&none)).unwrap(), none);
    }

    #[test]
    fn bad_files_are_refused() {
        let text = to_text(&sample());
        assert!(from_text(&text.replace("/3", "/2"))
            .unwrap_err()
            .contains("format"));
        assert!(from_text(&text.replace("\"localhost\"", "\"other\""))
            .unwrap_err()
            .contains("serverName"));
        assert!(
            from_text(&text.replace("\"session\":\"03", "\"session\":\"0x"))
                .unwrap_err()
                .contains("hex")
        );
        assert!(from_text("{}").is_err());
        assert!(from_text("").is_err());
    }
}
