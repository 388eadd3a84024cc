//! The server's hello phase: reading the ClientHello and choosing the parameters.

use std::sync::Arc;

use super::ServerConfig;
use crate::conn::{Context, Message, State};
use crate::error::Error;

/// The first server state. With `None`, the handshake pauses on the ClientHello with
/// `Event::ClientHello` until `ServerConnection::accept` supplies a configuration.
pub(crate) fn expect_client_hello(config: Option<Arc<ServerConfig>>) -> Box<dyn State> {
    Box::new(ExpectClientHello { _config: config })
}

struct ExpectClientHello {
    _config: Option<Arc<ServerConfig>>,
}

impl State for ExpectClientHello {
    fn handle(
        self: Box<Self>,
        _cx: &mut Context<'_>,
        _m: Message,
    ) -> Result<Box<dyn State>, Error> {
        Err(Error::ApiMisuse(
            "the TLS 1.3 server is not implemented yet",
        ))
    }
}
