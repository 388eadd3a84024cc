//! The client's hello phase: building the ClientHello, reading ServerHello / HRR.

use std::sync::Arc;

use super::{ClientConfig, StoredSession};
use crate::conn::{Common, State};
use crate::error::Error;
use crate::time::UnixTime;

/// Sends the ClientHello and returns the state that expects the ServerHello.
pub(crate) fn start_handshake(
    _common: &mut Common,
    _config: Arc<ClientConfig>,
    _server_name: &str,
    _session: Option<StoredSession>,
    _now: UnixTime,
) -> Result<Box<dyn State>, Error> {
    Err(Error::ApiMisuse(
        "the TLS 1.3 client is not implemented yet",
    ))
}
