//! TLS 1.3 0-RTT on the client (RFC 8446 s2.3, s4.2.10): when the first ClientHello offers
//! early data, and the key it goes out under. The record layer does the rest
//! (`conn::early_data`): what `send` gives before the server answers is sealed under the
//! early key, and the handshake states tell it the server's answer.

use super::hs::{ClientHandshake, PskOffer, PskSource};
use crate::conn::Common;
use crate::error::Error;
use crate::handshake::key_schedule::KeyLogLabel;

/// How many bytes of early data this ClientHello may carry: only with the configuration's
/// opt-in, on the first ClientHello (none after a HelloRetryRequest, s4.2.10), resuming a
/// ticket that allows it (its max_early_data_size, s4.6.1). `None`: early data is not
/// offered.
pub(super) fn allowance(hs: &ClientHandshake, psk: Option<&PskOffer>) -> Option<u32> {
    // `offered` is empty until the first ClientHello is sent.
    let first_hello = hs.offered.is_empty() && hs.reneg.is_none();
    // Only a resumption ticket can allow early data (its NewSessionTicket said how much);
    // an external PSK offers none.
    let PskSource::Resumption(session) = &psk?.source else {
        return None;
    };
    let max = session.max_early_data.filter(|n| *n > 0)?;
    (hs.config.enable_early_data && first_hello).then_some(max)
}

/// The ClientHello offering early data is queued: the early key (RFC 8446 s7.1:
/// client_early_traffic_secret over the ClientHello) seals from now on, after the
/// compatibility CCS when in that mode (RFC 8446 D.4: right after the ClientHello, before
/// any early data).
pub(super) fn start(
    common: &mut Common,
    hs: &mut ClientHandshake,
    offer: &PskOffer,
    max: u32,
) -> Result<(), Error> {
    let PskSource::Resumption(session) = &offer.source else {
        return Err(Error::ApiMisuse("early data without a resumption ticket"));
    };
    let suite = crate::suites::find_tls13_suite(session.cipher_suite)
        .ok_or(Error::ApiMisuse("early data under a suite we do not have"))?;
    let hello_hash = hs.transcript.hash_with(suite.hash, &[])?;
    let secret = offer.early.client_early_traffic_secret(&hello_hash);
    common.log_secret(
        KeyLogLabel::ClientEarlyTrafficSecret,
        secret.expose_for_keylog(),
    );
    if hs.config.middlebox_compat && !hs.sent_ccs {
        common.send_compat_ccs()?;
        hs.sent_ccs = true;
    }
    let sealer = crate::tls13::sealer(suite, &secret)?;
    common.offer_early_data(sealer, usize::try_from(max).unwrap_or(usize::MAX))
}

/// EncryptedExtensions arrived: whether the server accepted our early data. It may only
/// with our first PSK, under the session's cipher suite (which sealed the early data) and
/// ALPN protocol (s4.2.10).
pub(super) fn answer(
    cx: &mut crate::conn::Context<'_>,
    accepted: bool,
    resumed: Option<&super::StoredSession>,
) -> Result<(), Error> {
    // (That we offered it, `check_answered` saw; we may have refused it already, at a
    // ServerHello that did not take our PSK.)
    if accepted {
        let Some(session) = resumed else {
            return Err(crate::error::PeerMisbehaved::EarlyDataAcceptedWithoutPsk.into());
        };
        if cx.common.negotiated.cipher_suite != Some(session.cipher_suite) {
            return Err(crate::error::PeerMisbehaved::EarlyDataSuiteChanged.into());
        }
        if cx.common.negotiated.alpn != session.alpn {
            return Err(crate::error::PeerMisbehaved::EarlyDataAlpnChanged.into());
        }
    }
    cx.common.early_data_answer(accepted)
}
