//! TLS 1.3 client states after the ServerHello.
