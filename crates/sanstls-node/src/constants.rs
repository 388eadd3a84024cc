//! `crypto.constants`: the `SSL_OP_*` bits Node exposes for `secureOptions`, with the values
//! Node 20 prints (`node -p "require('crypto').constants"`, OpenSSL 3.0), under Node's own
//! names.
//!
//! Node hands `secureOptions` to OpenSSL, which ignores the bits that mean nothing for TLS
//! 1.2 and 1.3; `create_secure_context` likewise accepts every bit. What each one does here
//! is in the table of docs/node-api.md: the version bits, `NO_TICKET`, `NO_RENEGOTIATION`
//! and `CIPHER_SERVER_PREFERENCE` are honoured; the rest have no effect, because what they
//! switch never happens in sanstls (compression, SSL 2/3, CBC suites, DTLS) or because
//! sanstls always behaves as the safer setting.

// Node's names, lower-case `v` included, so code can be ported as is.
#![allow(non_upper_case_globals)]

/// `SSL_OP_ALL`: OpenSSL's bug workarounds (none applies to sanstls's peers).
pub const SSL_OP_ALL: u64 = 0x8000_0850;
/// `SSL_OP_ALLOW_NO_DHE_KEX`: TLS 1.3 resumption without (EC)DHE; sanstls always uses it.
pub const SSL_OP_ALLOW_NO_DHE_KEX: u64 = 0x400;
/// `SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION`: never allowed here (RFC 5746 only).
pub const SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION: u64 = 0x4_0000;
/// `SSL_OP_CIPHER_SERVER_PREFERENCE`: servers choose the suite by their own order.
pub const SSL_OP_CIPHER_SERVER_PREFERENCE: u64 = 0x40_0000;
/// `SSL_OP_CISCO_ANYCONNECT`: DTLS only.
pub const SSL_OP_CISCO_ANYCONNECT: u64 = 0x8000;
/// `SSL_OP_COOKIE_EXCHANGE`: DTLS only.
pub const SSL_OP_COOKIE_EXCHANGE: u64 = 0x2000;
/// `SSL_OP_CRYPTOPRO_TLSEXT_BUG`: a GOST workaround.
pub const SSL_OP_CRYPTOPRO_TLSEXT_BUG: u64 = 0x8000_0000;
/// `SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS`: a CBC workaround for SSL 3 / TLS 1.0.
pub const SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS: u64 = 0x800;
/// `SSL_OP_LEGACY_SERVER_CONNECT`: connecting to servers without RFC 5746.
pub const SSL_OP_LEGACY_SERVER_CONNECT: u64 = 0x4;
/// `SSL_OP_NO_COMPRESSION`: sanstls never compresses.
pub const SSL_OP_NO_COMPRESSION: u64 = 0x2_0000;
/// `SSL_OP_NO_ENCRYPT_THEN_MAC`: only CBC suites use it, and sanstls has none.
pub const SSL_OP_NO_ENCRYPT_THEN_MAC: u64 = 0x8_0000;
/// `SSL_OP_NO_QUERY_MTU`: DTLS only.
pub const SSL_OP_NO_QUERY_MTU: u64 = 0x1000;
/// `SSL_OP_NO_RENEGOTIATION`: TLS 1.2 renegotiation is declined, on clients and servers.
pub const SSL_OP_NO_RENEGOTIATION: u64 = 0x4000_0000;
/// `SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION`: sanstls's renegotiations are always
/// full handshakes.
pub const SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION: u64 = 0x1_0000;
/// `SSL_OP_NO_SSLv2`: 0 in OpenSSL 3 (SSL 2 is gone).
pub const SSL_OP_NO_SSLv2: u64 = 0;
/// `SSL_OP_NO_SSLv3`: SSL 3 does not exist in sanstls.
pub const SSL_OP_NO_SSLv3: u64 = 0x200_0000;
/// `SSL_OP_NO_TICKET`: servers issue no session tickets.
pub const SSL_OP_NO_TICKET: u64 = 0x4000;
/// `SSL_OP_NO_TLSv1`: TLS 1.0 does not exist in sanstls.
pub const SSL_OP_NO_TLSv1: u64 = 0x400_0000;
/// `SSL_OP_NO_TLSv1_1`: TLS 1.1 does not exist in sanstls.
pub const SSL_OP_NO_TLSv1_1: u64 = 0x1000_0000;
/// `SSL_OP_NO_TLSv1_2`: TLS 1.2 is off.
pub const SSL_OP_NO_TLSv1_2: u64 = 0x800_0000;
/// `SSL_OP_NO_TLSv1_3`: TLS 1.3 is off.
pub const SSL_OP_NO_TLSv1_3: u64 = 0x2000_0000;
/// `SSL_OP_PRIORITIZE_CHACHA`: not honoured (servers keep their order).
pub const SSL_OP_PRIORITIZE_CHACHA: u64 = 0x20_0000;
/// `SSL_OP_TLS_ROLLBACK_BUG`: an SSL 2 era workaround.
pub const SSL_OP_TLS_ROLLBACK_BUG: u64 = 0x80_0000;

/// `TLS1_2_VERSION`.
pub const TLS1_2_VERSION: u16 = 0x0303;
/// `TLS1_3_VERSION`.
pub const TLS1_3_VERSION: u16 = 0x0304;

/// Every `SSL_OP_*` constant with its Node name, for tests and tools.
pub const SSL_OPTIONS: &[(&str, u64)] = &[
    ("SSL_OP_ALL", SSL_OP_ALL),
    ("SSL_OP_ALLOW_NO_DHE_KEX", SSL_OP_ALLOW_NO_DHE_KEX),
    (
        "SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION",
        SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
    ),
    (
        "SSL_OP_CIPHER_SERVER_PREFERENCE",
        SSL_OP_CIPHER_SERVER_PREFERENCE,
    ),
    ("SSL_OP_CISCO_ANYCONNECT", SSL_OP_CISCO_ANYCONNECT),
    ("SSL_OP_COOKIE_EXCHANGE", SSL_OP_COOKIE_EXCHANGE),
    ("SSL_OP_CRYPTOPRO_TLSEXT_BUG", SSL_OP_CRYPTOPRO_TLSEXT_BUG),
    (
        "SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS",
        SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS,
    ),
    ("SSL_OP_LEGACY_SERVER_CONNECT", SSL_OP_LEGACY_SERVER_CONNECT),
    ("SSL_OP_NO_COMPRESSION", SSL_OP_NO_COMPRESSION),
    ("SSL_OP_NO_ENCRYPT_THEN_MAC", SSL_OP_NO_ENCRYPT_THEN_MAC),
    ("SSL_OP_NO_QUERY_MTU", SSL_OP_NO_QUERY_MTU),
    ("SSL_OP_NO_RENEGOTIATION", SSL_OP_NO_RENEGOTIATION),
    (
        "SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION",
        SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
    ),
    ("SSL_OP_NO_SSLv2", SSL_OP_NO_SSLv2),
    ("SSL_OP_NO_SSLv3", SSL_OP_NO_SSLv3),
    ("SSL_OP_NO_TICKET", SSL_OP_NO_TICKET),
    ("SSL_OP_NO_TLSv1", SSL_OP_NO_TLSv1),
    ("SSL_OP_NO_TLSv1_1", SSL_OP_NO_TLSv1_1),
    ("SSL_OP_NO_TLSv1_2", SSL_OP_NO_TLSv1_2),
    ("SSL_OP_NO_TLSv1_3", SSL_OP_NO_TLSv1_3),
    ("SSL_OP_PRIORITIZE_CHACHA", SSL_OP_PRIORITIZE_CHACHA),
    ("SSL_OP_TLS_ROLLBACK_BUG", SSL_OP_TLS_ROLLBACK_BUG),
];
