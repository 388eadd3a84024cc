//! TLS 1.3 server states after the ServerHello.
