//! RFC 5280 certificate path validation with the results Node (OpenSSL 3.0) gives.
//!
//! [`Verifier::verify`] builds a path from the end-entity certificate through the given
//! intermediates to a trust anchor, then checks it. What is checked, in OpenSSL's order (so
//! the error reported when several apply is the one `openssl verify` reports first):
//!
//! 1. Building: issuers are matched by name (compared as OpenSSL does: case and spacing of
//!    strings do not matter), and by key identifier when both the AKI and SKI are present;
//!    trust anchors are tried before intermediates (OpenSSL's "trusted first"). A path ends
//!    at a self-signed trust anchor; like Node (which does not set
//!    `X509_V_FLAG_PARTIAL_CHAIN` unless `allowPartialTrustChain` is given), a trusted
//!    intermediate alone does not end a path, unless [`Verifier::with_partial_chain`] is on.
//!    At most [`MAX_INTERMEDIATES`] intermediates (OpenSSL's `-verify_depth 8`).
//! 2. Extensions, certificate by certificate from the end entity up: unknown critical
//!    extensions, CA-ness of issuers (basicConstraints cA, keyUsage keyCertSign), the purpose
//!    (extendedKeyUsage of every untrusted certificate, keyUsage of the end entity),
//!    pathLenConstraint.
//! 3. Revocation, when CRLs are given: every certificate of the path but a self-signed
//!    anchor by default ([`CrlScope::Chain`]: Node's `crl` option sets OpenSSL's
//!    `X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL`, found by experiment with Node 20:
//!    a CRL for the end entity alone fails with UNABLE_TO_GET_CRL at depth 1), or the end
//!    entity only ([`CrlScope::EndEntity`], `openssl verify -crl_check`). See [`crate::crl`].
//! 4. Signatures and validity periods, from the anchor down (the anchor's own signature is
//!    not checked; its validity period is). Signatures: RSA PKCS#1 v1.5 and RSA-PSS with
//!    SHA-256/384/512 (2048 to 8192-bit keys), ECDSA P-256/P-384 with SHA-256/384, Ed25519,
//!    all with ring; ECDSA P-521 with SHA-256/384/512 with RustCrypto's p521 (ring has no
//!    P-521); anything else (SHA-1, which OpenSSL's security level 1 refuses too, smaller
//!    RSA keys, ECDSA P-256/P-384 with SHA-512) is a CERT_SIGNATURE_FAILURE.
//! 5. nameConstraints of every CA applied to the certificates below it
//!    (see the name_constraints module for the matching rules), but self-issued
//!    intermediates (RFC 5280 s4.2.1.10; they do not count towards pathLenConstraint either,
//!    s4.2.1.9). A certificate with more names times a CA's constraints than 2^20 (OpenSSL's
//!    budget) is refused, under both policies, without comparing them.
//! 6. Under [`Policy::Strict`], the strict module's rules (explicit EKU, critical
//!    basicConstraints on CAs, key identifiers, key strength, serial numbers, subjectAltName
//!    form, name-constraint form, critical policy extensions; docs/verification.md), each
//!    with its own `ERR_SANSTLS_STRICT_*` code, then the strict rules on the CRLs read in
//!    step 3 (a non-critical crlNumber). They come last, so the first error of a
//!    chain Node refuses is the same under both policies.
//!
//! Unlike OpenSSL, which builds one path and reports its first failure, we backtrack: when
//! a path fails (or dead-ends), other candidate issuers are tried, so a cross-signed
//! intermediate with an untrusted root does not hide a good path. When no path verifies, the
//! errors are those of the first complete path, or, when no path reaches an anchor, why the
//! first (greedy) path stopped followed by that partial path's failures: what OpenSSL
//! reports. The search is
//! bounded (steps and complete paths tried), so a pile of same-named intermediates cannot
//! make it expensive. Host names are not checked here (see [`crate::identity`]).
//!
//! Node lets OpenSSL go on past each error and reports the *last* one, so a lone end-entity
//! certificate whose issuer is missing is UNABLE_TO_VERIFY_LEAF_SIGNATURE there, where
//! `openssl verify` reports the first, UNABLE_TO_GET_ISSUER_CERT_LOCALLY. We collect every
//! failure of a path in OpenSSL's order and report the first by default, or the last with
//! [`ErrorReport::Last`]; Node names only some OpenSSL codes ([`ErrorCode::node_code`]).
//! tests/verify_node.rs runs every fixture case through Node's `tls` and finds the same
//! code and message, but where we backtrack to another issuer and where Node's depth limit
//! (100) is not ours (8).

mod error;
mod name_constraints;
pub(crate) mod names;
pub(crate) mod parsed;
mod policy;
pub(crate) mod signature;
mod strict;

use std::sync::{Arc, OnceLock};

use const_oid::ObjectIdentifier;

pub use error::{ErrorCode, VerifyError};
use parsed::ParsedCert;
pub use policy::Policy;

use crate::crl::Crl;

/// The most intermediate certificates a path may hold (not counting the end entity and the
/// anchor): OpenSSL's verify depth, which `-verify_depth 8` sets.
pub const MAX_INTERMEDIATES: usize = 8;

/// How many times the path search may extend a path before giving up.
const MAX_STEPS: usize = 64;
/// How many complete paths are checked (each costs up to MAX_INTERMEDIATES + 1 signature
/// checks) before giving up.
const MAX_COMPLETE_PATHS: usize = 8;

const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// What the end-entity certificate is verified for (OpenSSL's `sslserver`/`sslclient`
/// purposes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A TLS server certificate: extendedKeyUsage, when present, includes serverAuth;
    /// keyUsage, when present, includes digitalSignature, keyEncipherment or keyAgreement.
    ///
    /// anyExtendedKeyUsage alone does not do: OpenSSL 3.0 (so Node) and rustls-webpki both
    /// refuse it for TLS, and so do we (the `any-eku` case of vectors/pki/chains).
    ServerAuth,
    /// A TLS client certificate: extendedKeyUsage, when present, includes clientAuth;
    /// keyUsage, when present, includes digitalSignature or keyAgreement.
    ClientAuth,
}

impl Purpose {
    fn eku(self) -> ObjectIdentifier {
        match self {
            Self::ServerAuth => SERVER_AUTH,
            Self::ClientAuth => CLIENT_AUTH,
        }
    }
}

/// Which certificates of the path must have a current CRL from their issuer when CRLs are
/// given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CrlScope {
    /// Every certificate but a self-signed trust anchor: what Node's `crl` option does
    /// (OpenSSL's `X509_V_FLAG_CRL_CHECK_ALL`).
    #[default]
    Chain,
    /// The end-entity certificate only (OpenSSL's `X509_V_FLAG_CRL_CHECK` alone).
    EndEntity,
}

/// Which error a failed verification reports when a path has several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ErrorReport {
    /// The first, in OpenSSL's order of checks: what `openssl verify` prints (it stops
    /// there) and the most specific cause.
    #[default]
    First,
    /// The last: what Node reports (its verify callback lets OpenSSL go on past every error
    /// and then reads the last one). A lone certificate with a missing issuer is then
    /// UNABLE_TO_VERIFY_LEAF_SIGNATURE, an expired end entity under an untrusted root
    /// CERT_HAS_EXPIRED. See [`ErrorCode::node_code`] for the names Node gives.
    Last,
}

/// A path that verified: DER certificates from the end entity to the trust anchor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedChain {
    certificates: Vec<Vec<u8>>,
}

impl VerifiedChain {
    /// The path, end entity first, trust anchor last (a trusted self-signed end entity is
    /// alone).
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// The trust anchor the path ends at.
    pub fn anchor(&self) -> &[u8] {
        self.certificates.last().map_or(&[], Vec::as_slice)
    }
}

/// Verifies certificate chains against a set of trust anchors (and optionally CRLs).
///
/// ```
/// use sanstls_pki::{pem, verify::{Purpose, Verifier}};
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/chains/");
/// let der = |name: &str| {
///     let text = std::fs::read(format!("{dir}{name}")).unwrap();
///     pem::certificates(&pem::parse(&text).unwrap()).remove(0)
/// };
/// let verifier = Verifier::new(vec![der("rsa-root.pem")]).unwrap();
/// let (leaf, int) = (der("rsa-leaf.pem"), der("rsa-int.pem"));
/// let now = 1_780_272_000; // 2026-06-01, seconds since the Unix epoch
/// let chain = verifier.verify(&leaf, &[&int], now, Purpose::ServerAuth).unwrap();
/// assert_eq!(chain.certificates().len(), 3);
///
/// let err = verifier
///     .verify(&der("expired.pem"), &[&int], now, Purpose::ServerAuth)
///     .unwrap_err();
/// assert_eq!((err.code(), err.message(), err.depth()), ("CERT_HAS_EXPIRED", "certificate has expired", 0));
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    anchors: Arc<[ParsedCert]>,
    checks: Checks,
}

/// What a verification checks beyond its time and purpose: the settings of a [`Verifier`]
/// (its builder methods) and of a [`VerifyOptions`].
#[derive(Clone, Debug, Default)]
struct Checks {
    crls: Vec<Crl>,
    crl_scope: CrlScope,
    error_report: ErrorReport,
    partial_chain: bool,
    policy: Policy,
}

/// Everything one verification takes but the certificates: the time, the purpose, and the
/// settings a [`Verifier`]'s builder methods give (policy, partial chains, CRLs and their
/// scope, which error to report), for [`Verifier::verify_with`].
///
/// Built as a [`Verifier`] is: [`Self::new`] gives the defaults of [`Verifier::new`]
/// (Node's policy, no partial chains, no CRLs, the first error), and the `with_*` methods
/// change one setting each; [`Verifier::options`] starts from a verifier's own settings.
/// The same values mean the same as the [`Verifier`] methods of the same names.
///
/// ```
/// use sanstls_pki::{pem, verify::{Policy, Purpose, Verifier, VerifyOptions}};
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/strict/");
/// let der = |name: &str| {
///     let text = std::fs::read(format!("{dir}{name}")).unwrap();
///     pem::certificates(&pem::parse(&text).unwrap()).remove(0)
/// };
/// let verifier = Verifier::new(vec![der("root.pem")]).unwrap();
/// let (leaf, int) = (der("eku-missing.pem"), der("int.pem"));
/// let now = 1_780_272_000; // 2026-06-01
///
/// // Node's policy accepts an end entity without extendedKeyUsage; Strict does not.
/// let node = VerifyOptions::new(now, Purpose::ServerAuth);
/// assert!(verifier.verify_with(&leaf, &[&int], &node).is_ok());
/// let strict = node.clone().with_policy(Policy::Strict);
/// let err = verifier.verify_with(&leaf, &[&int], &strict).unwrap_err();
/// assert_eq!(err.code(), "ERR_SANSTLS_STRICT_EKU_MISSING");
///
/// // The same as the verifier's builder methods and `verify`.
/// let same = verifier.clone().with_policy(Policy::Strict);
/// let err2 = same.verify(&leaf, &[&int], now, Purpose::ServerAuth).unwrap_err();
/// assert_eq!(err, err2);
/// assert_eq!(same.options(now, Purpose::ServerAuth).policy(), Policy::Strict);
/// ```
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    now_unix_secs: u64,
    purpose: Purpose,
    checks: Checks,
}

impl VerifyOptions {
    /// Verification at `now_unix_secs` for `purpose`, with [`Verifier::new`]'s defaults.
    pub fn new(now_unix_secs: u64, purpose: Purpose) -> Self {
        Self {
            now_unix_secs,
            purpose,
            checks: Checks::default(),
        }
    }

    /// See [`Verifier::with_policy`].
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.checks.policy = policy;
        self
    }

    /// See [`Verifier::with_partial_chain`].
    pub fn with_partial_chain(mut self, partial: bool) -> Self {
        self.checks.partial_chain = partial;
        self
    }

    /// See [`Verifier::with_crls`].
    pub fn with_crls(mut self, crls: Vec<Crl>) -> Self {
        self.checks.crls = crls;
        self
    }

    /// See [`Verifier::with_crl_scope`].
    pub fn with_crl_scope(mut self, scope: CrlScope) -> Self {
        self.checks.crl_scope = scope;
        self
    }

    /// See [`Verifier::with_error_report`].
    pub fn with_error_report(mut self, report: ErrorReport) -> Self {
        self.checks.error_report = report;
        self
    }

    /// The verification time, Unix seconds.
    pub fn now_unix_secs(&self) -> u64 {
        self.now_unix_secs
    }

    /// What the end entity is verified for.
    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// The policy.
    pub fn policy(&self) -> Policy {
        self.checks.policy
    }
}

impl Verifier {
    /// A verifier trusting `anchors` (DER certificates): Node's `ca` option. A malformed
    /// anchor is an error whose [`VerifyError::depth`] is its index.
    pub fn new(anchors: Vec<Vec<u8>>) -> Result<Self, VerifyError> {
        let anchors = anchors
            .iter()
            .enumerate()
            .map(|(i, der)| {
                ParsedCert::from_der(der)
                    .map_err(|e| VerifyError::malformed(i, format!("trust anchor #{i}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            anchors: anchors.into(),
            checks: Checks::default(),
        })
    }

    /// A verifier trusting the Mozilla root set Node trusts by default
    /// ([`crate::roots::mozilla_roots`]), parsed once per process. Roots our parser refuses
    /// (none in the current set; a test checks) are left out.
    pub fn mozilla() -> Self {
        static PARSED: OnceLock<Arc<[ParsedCert]>> = OnceLock::new();
        let anchors = PARSED.get_or_init(|| {
            crate::roots::mozilla_roots()
                .iter()
                .filter_map(|der| ParsedCert::from_der(der).ok())
                .collect()
        });
        Self {
            anchors: Arc::clone(anchors),
            checks: Checks::default(),
        }
    }

    /// Checks revocation against these CRLs (Node's `crl` option): each certificate in the
    /// [`CrlScope`] (default: the whole chain, as Node) must then have a current CRL from its
    /// issuer. An empty list turns revocation checking off.
    pub fn with_crls(mut self, crls: Vec<Crl>) -> Self {
        self.checks.crls = crls;
        self
    }

    /// Which error is reported when several apply (default: the first, as `openssl
    /// verify`).
    pub fn with_error_report(mut self, report: ErrorReport) -> Self {
        self.checks.error_report = report;
        self
    }

    /// Which certificates [`Self::with_crls`] applies to.
    pub fn with_crl_scope(mut self, scope: CrlScope) -> Self {
        self.checks.crl_scope = scope;
        self
    }

    /// Whether any trust anchor ends a path, self-signed or not (OpenSSL's
    /// `X509_V_FLAG_PARTIAL_CHAIN`, `openssl verify -partial_chain`, Node 22's
    /// `allowPartialTrustChain`): a trusted intermediate (or a trusted end entity) is then
    /// an anchor of its own, and nothing above it is looked for or checked. Its validity
    /// period is still checked, its signature is not (it has no issuer in the path). Off by
    /// default, as in Node.
    pub fn with_partial_chain(mut self, partial: bool) -> Self {
        self.checks.partial_chain = partial;
        self
    }

    /// Verifies under `policy` ([`Policy::Node`] by default).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.checks.policy = policy;
        self
    }

    /// The policy this verifier applies.
    pub fn policy(&self) -> Policy {
        self.checks.policy
    }

    /// The options [`Self::verify`] uses at `now_unix_secs` for `purpose`: this verifier's
    /// settings, to change for one [`Self::verify_with`].
    pub fn options(&self, now_unix_secs: u64, purpose: Purpose) -> VerifyOptions {
        VerifyOptions {
            now_unix_secs,
            purpose,
            checks: self.checks.clone(),
        }
    }

    /// Verifies `end_entity` (DER) with `intermediates` as [`Self::verify`] does, with
    /// the time, purpose and settings of `options` instead of this verifier's own (only its
    /// trust anchors are used).
    pub fn verify_with(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        options: &VerifyOptions,
    ) -> Result<VerifiedChain, VerifyError> {
        let leaf = ParsedCert::from_der(end_entity)
            .map_err(|e| VerifyError::malformed(0, format!("end-entity certificate: {e}")))?;
        self.run(
            &leaf,
            intermediates,
            options.now_unix_secs,
            options.purpose,
            &options.checks,
        )
    }

    /// The subject names (DER) of the trust anchors, in order: what a server lists in
    /// CertificateRequest's certificate_authorities.
    pub fn anchor_subjects(&self) -> Vec<Vec<u8>> {
        self.anchors.iter().map(|a| a.subject_der.clone()).collect()
    }

    /// The number of trust anchors.
    pub fn anchor_count(&self) -> usize {
        self.anchors.len()
    }

    /// Verifies `end_entity` (DER) for `purpose` at `now_unix_secs`, using `intermediates`
    /// (DER, any order, possibly irrelevant or duplicated) to build the path.
    ///
    /// A malformed end entity or intermediate is an [`ErrorCode::Malformed`] error whose
    /// depth is 0 for the end entity and `1 + index` for an intermediate.
    pub fn verify(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now_unix_secs: u64,
        purpose: Purpose,
    ) -> Result<VerifiedChain, VerifyError> {
        let leaf = ParsedCert::from_der(end_entity)
            .map_err(|e| VerifyError::malformed(0, format!("end-entity certificate: {e}")))?;
        self.verify_parsed(&leaf, intermediates, now_unix_secs, purpose)
    }

    /// [`Self::verify`] with the end entity already parsed (a caller that reads more of it
    /// parses it once).
    pub(crate) fn verify_parsed(
        &self,
        leaf: &ParsedCert,
        intermediates: &[&[u8]],
        now_unix_secs: u64,
        purpose: Purpose,
    ) -> Result<VerifiedChain, VerifyError> {
        self.run(leaf, intermediates, now_unix_secs, purpose, &self.checks)
    }

    /// A verification with these anchors and `checks`.
    fn run(
        &self,
        leaf: &ParsedCert,
        intermediates: &[&[u8]],
        now_unix_secs: u64,
        purpose: Purpose,
        checks: &Checks,
    ) -> Result<VerifiedChain, VerifyError> {
        let end_entity = leaf.der.as_slice();
        let intermediates = intermediates
            .iter()
            .enumerate()
            .map(|(i, der)| {
                ParsedCert::from_der(der)
                    .map_err(|e| VerifyError::malformed(i + 1, format!("intermediate #{i}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // A peer sending the same certificate many times must not spend the search budget.
        let mut seen = std::collections::HashSet::new();
        let intermediates: Vec<ParsedCert> = intermediates
            .into_iter()
            .filter(|c| seen.insert(c.der.clone()))
            .collect();
        let mut search = Search {
            anchors: &self.anchors,
            checks,
            intermediates: &intermediates,
            now: now_unix_secs,
            purpose,
            steps: 0,
            complete_paths: 0,
            dead_end: None,
            failed_path: None,
        };
        let trusted = self.anchors.iter().any(|a| a.der == leaf.der);
        let mut path = vec![Link {
            cert: leaf,
            trusted,
        }];
        if let Some(chain) = search.extend(&mut path) {
            return Ok(chain);
        }
        let errors = search.failed_path.or(search.dead_end).unwrap_or_default();
        let chosen = match checks.error_report {
            ErrorReport::First => errors.into_iter().next(),
            ErrorReport::Last => errors.into_iter().next_back(),
        };
        // The search budget ran out before any path was found: no issuer, as far as we know.
        Err(chosen.unwrap_or_else(|| {
            VerifyError::new(ErrorCode::UnableToGetIssuerCertLocally, 0, Some(end_entity))
        }))
    }
}

/// One certificate of a path being built.
#[derive(Clone, Copy)]
struct Link<'a> {
    cert: &'a ParsedCert,
    trusted: bool,
}

/// The state of one path search.
struct Search<'a> {
    anchors: &'a [ParsedCert],
    checks: &'a Checks,
    intermediates: &'a [ParsedCert],
    now: u64,
    purpose: Purpose,
    steps: usize,
    complete_paths: usize,
    /// Why the first path that did not reach an anchor stopped, then the failures of that
    /// partial path.
    dead_end: Option<Vec<VerifyError>>,
    /// The failures of the first complete path that did not verify.
    failed_path: Option<Vec<VerifyError>>,
}

impl<'a> Search<'a> {
    /// Depth-first search from the top of `path`; `Some` with the first path that verifies.
    fn extend(&mut self, path: &mut Vec<Link<'a>>) -> Option<VerifiedChain> {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.complete_paths >= MAX_COMPLETE_PATHS {
            return None;
        }
        let top = *path.last()?;
        let depth = path.len() - 1;
        // A partial chain ends at the first trusted certificate, as OpenSSL's build_chain
        // stops there with X509_V_FLAG_PARTIAL_CHAIN (trusted first, so before any
        // untrusted issuer is tried).
        if top.cert.is_self_issued() || (top.trusted && self.checks.partial_chain) {
            if top.trusted {
                self.complete_paths += 1;
                let errors = path_errors(path, self.now, self.purpose, self.checks);
                if errors.is_empty() {
                    return Some(VerifiedChain {
                        certificates: path.iter().map(|l| l.cert.der.clone()).collect(),
                    });
                }
                self.failed_path.get_or_insert(errors);
            } else {
                let code = if depth == 0 {
                    ErrorCode::DepthZeroSelfSignedCert
                } else {
                    ErrorCode::SelfSignedCertInChain
                };
                self.stop(code, depth, path);
            }
            return None;
        }
        let anchors = self.anchors.iter().map(|c| (c, true));
        let others = self.intermediates.iter().map(|c| (c, false));
        let mut candidates = 0;
        for (cand, trusted) in anchors.chain(others) {
            if !top.cert.may_be_issued_by(cand) || path.iter().any(|l| l.cert.der == cand.der) {
                continue;
            }
            candidates += 1;
            // OpenSSL's limit: the untrusted part of the chain (end entity included) holds at
            // most depth + 1 certificates, and the anchor one more.
            let limit = MAX_INTERMEDIATES + if trusted { 2 } else { 1 };
            path.push(Link {
                cert: cand,
                trusted,
            });
            if path.len() > limit {
                self.stop(ErrorCode::CertChainTooLong, path.len() - 1, path);
                path.pop();
                continue;
            }
            let found = self.extend(path);
            path.pop();
            if found.is_some() {
                return found;
            }
        }
        if candidates == 0 {
            let code = if top.trusted {
                ErrorCode::UnableToGetIssuerCert
            } else {
                ErrorCode::UnableToGetIssuerCertLocally
            };
            self.stop(code, depth, path);
        }
        None
    }

    /// Records why `path` cannot be completed (the first time only: OpenSSL's greedy path).
    fn stop(&mut self, code: ErrorCode, depth: usize, path: &[Link<'_>]) {
        if self.dead_end.is_some() {
            return;
        }
        let der = path.get(depth).map(|l| l.cert.der.as_slice());
        let mut errors = vec![VerifyError::new(code, depth, der)];
        errors.extend(path_errors(path, self.now, self.purpose, self.checks));
        self.dead_end = Some(errors);
    }
}

/// Every failure of `path` (end entity first), in the order OpenSSL 3.0 finds them when it
/// goes on past each one (as Node's verify callback makes it): the first is what
/// `openssl verify` reports, the last what Node reports. `path` may be partial (the top is
/// then not a self-signed anchor, and the build error comes before these).
fn path_errors(path: &[Link<'_>], now: u64, purpose: Purpose, v: &Checks) -> Vec<VerifyError> {
    let mut errors = Vec::new();
    let mut fail = |code, i: usize| {
        let der = path.get(i).map(|l| l.cert.der.as_slice());
        errors.push(VerifyError::new(code, i, der));
    };

    // 2. Extensions, from the end entity up (OpenSSL's check_extensions).
    let mut non_self_issued_cas = 0usize;
    for (i, link) in path.iter().enumerate() {
        let cert = link.cert;
        if cert.unhandled_critical.is_some() {
            fail(ErrorCode::UnhandledCriticalExtension, i);
        }
        if i > 0 && !cert.is_ca() {
            fail(ErrorCode::InvalidCa, i);
        }
        // For an issuer, OpenSSL's purpose check also wants a CA (check_ssl_ca).
        let not_ca = i > 0 && !link.trusted && !cert.is_ca();
        if not_ca || !purpose_allowed(cert, i == 0, link.trusted, purpose) {
            fail(ErrorCode::InvalidPurpose, i);
        }
        if i > 1 {
            let limit = cert
                .basic_constraints
                .as_ref()
                .and_then(|bc| bc.path_len_constraint);
            if limit.is_some_and(|l| non_self_issued_cas > usize::from(l)) {
                fail(ErrorCode::PathLengthExceeded, i);
            }
        }
        if i > 0 && !cert.is_self_issued_name() {
            non_self_issued_cas += 1;
        }
    }

    // 3. Revocation (OpenSSL's check_revocation), from the end entity up.
    for i in crl_checked(path, v) {
        for code in revocation_errors(path, i, now, &v.crls) {
            fail(code, i);
        }
    }

    // 4. Signatures and validity, from the top down (OpenSSL's internal_verify). A top that
    // is not self-signed (a path that did not reach an anchor) has no issuer to check it
    // with, and OpenSSL skips its validity too; alone, it is "unable to verify the first
    // certificate".
    // A trusted top of a partial chain (OpenSSL's internal_verify with
    // X509_V_FLAG_PARTIAL_CHAIN) is checked like a self-signed anchor: validity only.
    let top_self_issued = path
        .last()
        .is_some_and(|l| l.cert.is_self_issued() || (l.trusted && v.partial_chain));
    let start = match (top_self_issued, path.len()) {
        (true, n) => n,
        (false, 1) => {
            fail(ErrorCode::UnableToVerifyLeafSignature, 0);
            0
        }
        (false, n) => n - 1,
    };
    for i in (0..start).rev() {
        let cert = path.get(i).map(|l| l.cert);
        let issuer = path.get(i + 1).map(|l| l.cert);
        if let (Some(cert), Some(issuer)) = (cert, issuer) {
            if issuer
                .key_usage
                .as_ref()
                .is_some_and(|k| !k.key_cert_sign())
            {
                fail(ErrorCode::KeyUsageNoCertSign, i + 1);
            }
            if !cert.algorithms_agree || !cert.signed.verified_by(&issuer.spki) {
                fail(ErrorCode::CertSignatureFailure, i);
            }
        }
        if let Some(cert) = cert {
            if now < cert.not_before {
                fail(ErrorCode::CertNotYetValid, i);
            }
            if now > cert.not_after {
                fail(ErrorCode::CertHasExpired, i);
            }
        }
    }

    // 5. Name constraints: every CA's constraints over every certificate below it.
    for i in (0..path.len()).rev() {
        let Some(cert) = path.get(i).map(|l| l.cert) else {
            continue;
        };
        if i != 0 && cert.is_self_issued_name() {
            continue;
        }
        for constraining in path.iter().skip(i + 1).rev() {
            if let Some(nc) = &constraining.cert.name_constraints {
                if let Err(code) = name_constraints::check(cert, i == 0, nc) {
                    fail(code, i);
                    break;
                }
            }
        }
    }

    // 6. The strict web-PKI rules, certificate by certificate from the end entity up. Last,
    // so that a chain Node refuses is refused under Strict with the same first error.
    if v.policy == Policy::Strict {
        for (code, i) in strict::errors(path, purpose) {
            fail(code, i);
        }
        for i in crl_checked(path, v) {
            for code in strict_crl_errors(path, i, now, &v.crls) {
                fail(code, i);
            }
        }
    }
    errors
}

/// OpenSSL's `check_purpose_ssl_server`/`_client`: extendedKeyUsage for every untrusted
/// certificate, keyUsage for the end entity. Trust anchors are not checked (OpenSSL skips
/// them when the trust setting matches the purpose, as it does for the default store).
fn purpose_allowed(cert: &ParsedCert, end_entity: bool, trusted: bool, purpose: Purpose) -> bool {
    if trusted && !end_entity {
        return true;
    }
    if let Some(eku) = &cert.ext_key_usage {
        if !eku.0.contains(&purpose.eku()) {
            return false;
        }
    }
    if end_entity {
        if let Some(ku) = &cert.key_usage {
            let ok = match purpose {
                Purpose::ServerAuth => {
                    ku.digital_signature() || ku.key_encipherment() || ku.key_agreement()
                }
                Purpose::ClientAuth => ku.digital_signature() || ku.key_agreement(),
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// The CRL `path[i]`'s status is read from, as OpenSSL's scoring (get_crl_sk) picks it: one
/// from the certificate's issuer, a current CRL before an out-of-date one, then the newest
/// thisUpdate, then the first given.
fn chosen_crl<'c>(path: &[Link<'_>], i: usize, now: u64, crls: &'c [Crl]) -> Option<&'c Crl> {
    let cert = path.get(i)?.cert;
    let mut best: Option<&Crl> = None;
    for crl in crls.iter().filter(|c| c.issuer == cert.issuer) {
        let better = best.is_none_or(|b| {
            let (cur, b_cur) = (crl.time_error(now).is_none(), b.time_error(now).is_none());
            cur && !b_cur || cur == b_cur && crl.this_update() > b.this_update()
        });
        if better {
            best = Some(crl);
        }
    }
    best
}

/// The certificates of `path` whose revocation status is checked, by index.
fn crl_checked(path: &[Link<'_>], v: &Checks) -> std::ops::Range<usize> {
    if v.crls.is_empty() {
        return 0..0;
    }
    match v.crl_scope {
        CrlScope::EndEntity => 0..1,
        // A self-signed anchor's status would come from its own CRL: not checked.
        CrlScope::Chain if path.len() > 1 => 0..path.len() - 1,
        CrlScope::Chain => 0..1,
    }
}

/// The revocation failures of `path[i]` from `crls`, in OpenSSL's check_crl and cert_crl
/// order (which goes on after each, but for a missing CRL).
fn revocation_errors(path: &[Link<'_>], i: usize, now: u64, crls: &[Crl]) -> Vec<ErrorCode> {
    let Some(cert) = path.get(i).map(|l| l.cert) else {
        return Vec::new();
    };
    // The issuer is the next certificate of the path (or the certificate itself at the top:
    // a trusted self-signed end entity).
    let issuer = path.get(i + 1).map_or(cert, |l| l.cert);
    let Some(crl) = chosen_crl(path, i, now, crls) else {
        return vec![ErrorCode::UnableToGetCrl];
    };
    let mut errors = Vec::new();
    if issuer.key_usage.as_ref().is_some_and(|k| !k.crl_sign()) {
        errors.push(ErrorCode::KeyUsageNoCrlSign);
    }
    errors.extend(crl.time_error(now));
    if !crl.algorithms_agree || !crl.signed.verified_by(&issuer.spki) {
        errors.push(ErrorCode::CrlSignatureFailure);
    }
    if crl.unhandled_critical {
        errors.push(ErrorCode::UnhandledCriticalCrlExtension);
    }
    if crl.is_revoked(&cert.serial) {
        errors.push(ErrorCode::CertRevoked);
    }
    errors
}

/// The strict rules on the CRL `path[i]`'s status is read from (RFC 5280 s5.2.3: a crlNumber,
/// non-critical).
///
/// The CRL is the one Node's policy chose, and a CRL that breaks a rule is refused with its
/// own code at the certificate's depth, not taken as missing (`UNABLE_TO_GET_CRL`). That is
/// what OpenSSL does with a CRL it has chosen and cannot use (a critical extension it does
/// not know, a bad signature: each its own error), and it names the fault: "no CRL" would
/// send an operator looking for a file that is there. It also leaves the choice of CRL,
/// and so every result under Node's policy, unchanged.
fn strict_crl_errors(path: &[Link<'_>], i: usize, now: u64, crls: &[Crl]) -> Vec<ErrorCode> {
    match chosen_crl(path, i, now, crls).map(|c| c.number_critical) {
        Some(None) => vec![ErrorCode::StrictCrlNumberMissing],
        Some(Some(true)) => vec![ErrorCode::StrictCrlNumberCritical],
        Some(Some(false)) | None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/chains/");
    // 2026-06-01, inside every good window of the fixtures (their now.txt).
    const NOW: u64 = 1_780_272_000;

    fn cert(name: &str) -> Vec<u8> {
        let text = std::fs::read(format!("{DIR}{name}")).unwrap();
        crate::pem::parse(&text).unwrap().remove(0).der
    }

    fn rsa() -> Verifier {
        Verifier::new(vec![cert("rsa-root.pem")]).unwrap()
    }

    #[test]
    fn the_path_runs_from_the_leaf_to_the_anchor() {
        let (leaf, int, int2) = (
            cert("rsa-leaf2.pem"),
            cert("rsa-int.pem"),
            cert("rsa-int2.pem"),
        );
        let chain = rsa()
            .verify(&leaf, &[&int, &int2], NOW, Purpose::ServerAuth)
            .unwrap();
        assert_eq!(
            chain.certificates(),
            &[leaf, int2, int, cert("rsa-root.pem")][..]
        );
        assert_eq!(chain.anchor(), cert("rsa-root.pem"));
    }

    #[test]
    fn a_partial_chain_ends_at_a_trusted_intermediate() {
        let (leaf, int) = (cert("rsa-leaf.pem"), cert("rsa-int.pem"));
        let only_int = Verifier::new(vec![int.clone()]).unwrap();
        let err = only_int
            .verify(&leaf, &[], NOW, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!(err.code(), "UNABLE_TO_GET_ISSUER_CERT");
        let partial = only_int.with_partial_chain(true);
        let chain = partial
            .verify(&leaf, &[], NOW, Purpose::ServerAuth)
            .unwrap();
        assert_eq!(chain.certificates(), &[leaf.clone(), int.clone()][..]);
        // A trusted end entity is a path of its own.
        let leaf_only = Verifier::new(vec![leaf.clone()])
            .unwrap()
            .with_partial_chain(true);
        let chain = leaf_only
            .verify(&leaf, &[], NOW, Purpose::ServerAuth)
            .unwrap();
        assert_eq!(chain.certificates(), &[leaf.clone()][..]);
        // The anchor's validity still counts.
        let late = partial
            .verify(&leaf, &[], 4_102_444_800, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!(late.code(), "CERT_HAS_EXPIRED");
    }

    #[test]
    fn validity_ends_are_inclusive() {
        let (leaf, int) = (cert("rsa-leaf.pem"), cert("rsa-int.pem"));
        let v = rsa();
        let at = |t| v.verify(&leaf, &[&int], t, Purpose::ServerAuth).map(|_| ());
        // rsa-leaf.pem: 2020-01-01T00:00:00Z ..= 2040-01-01T00:00:00Z.
        assert!(at(1_577_836_800).is_ok());
        assert_eq!(at(1_577_836_799).unwrap_err().code(), "CERT_NOT_YET_VALID");
        assert!(at(2_208_988_800).is_ok());
        let late = at(2_208_988_801).unwrap_err();
        assert_eq!((late.code(), late.depth()), ("CERT_HAS_EXPIRED", 0));
        assert_eq!(late.certificate(), Some(leaf.as_slice()));
    }

    #[test]
    fn anchor_subjects_are_the_der_names() {
        let root = cert("rsa-root.pem");
        let subjects = rsa().anchor_subjects();
        assert_eq!(subjects.len(), 1);
        // The DER subject appears verbatim inside the certificate; "RSA Root" is its CN.
        assert!(root.windows(subjects[0].len()).any(|w| w == subjects[0]));
        assert!(subjects[0].windows(8).any(|w| w == b"RSA Root"));
    }

    #[test]
    fn a_trusted_self_signed_leaf_is_its_own_path() {
        let leaf = cert("self-signed.pem");
        let v = Verifier::new(vec![leaf.clone()]).unwrap();
        let chain = v.verify(&leaf, &[], NOW, Purpose::ServerAuth).unwrap();
        assert_eq!(chain.certificates(), &[leaf][..]);
    }

    #[test]
    fn a_pile_of_useless_intermediates_is_bounded() {
        // 1000 copies of a same-named wrong issuer (the cross-signed "RSA Int", whose own
        // issuer is not trusted) are deduplicated: the right issuer after them is found.
        let (leaf, cross, int) = (
            cert("rsa-leaf.pem"),
            cert("rsa-int-cross.pem"),
            cert("rsa-int.pem"),
        );
        let mut pile: Vec<&[u8]> = vec![&cross; 1000];
        pile.push(&int);
        let v = Verifier::new(vec![cert("p256-root.pem"), cert("rsa-root.pem")]).unwrap();
        assert!(v.verify(&leaf, &pile, NOW, Purpose::ServerAuth).is_ok());
        // The loop A -> B -> A ends (a certificate is never used twice in a path).
        let (ll, a, b) = (
            cert("loop-leaf.pem"),
            cert("loop-a.pem"),
            cert("loop-b.pem"),
        );
        let e = rsa()
            .verify(&ll, &[&a, &b, &a, &b], NOW, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!(
            (e.code(), e.depth()),
            ("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", 2)
        );
    }

    #[test]
    fn verify_with_options_is_verify_with_the_builder() {
        // Each setting of VerifyOptions gives what the Verifier method of the same name does,
        // and the options, not the verifier's own settings, are what verify_with reads.
        let (leaf, int) = (cert("rsa-leaf.pem"), cert("rsa-int.pem"));
        let crl = |n: &str| {
            let bytes = std::fs::read(format!("{DIR}{n}")).unwrap();
            crate::crl::Crl::parse_file(&bytes).unwrap().remove(0)
        };
        let only_int = Verifier::new(vec![int.clone()]).unwrap();
        let base = VerifyOptions::new(NOW, Purpose::ServerAuth);
        let code = |v: &Verifier, o: &VerifyOptions, inter: &[&[u8]]| {
            let a = v
                .verify_with(&leaf, inter, o)
                .map_err(|e| (e.code(), e.depth()));
            let b = v
                .verify(&leaf, inter, o.now_unix_secs(), o.purpose())
                .map_err(|e| (e.code(), e.depth()));
            (
                a.map(|c| c.certificates().len()),
                b.map(|c| c.certificates().len()),
            )
        };
        // Partial chain.
        let opts = base.clone().with_partial_chain(true);
        let (with, _) = code(&only_int, &opts, &[]);
        let (_, built) = code(&only_int.clone().with_partial_chain(true), &opts, &[]);
        assert_eq!(with, Ok(2));
        assert_eq!(with, built);
        // The verifier's own partial-chain setting is not read by verify_with.
        let (with, _) = code(&only_int.clone().with_partial_chain(true), &base, &[]);
        assert_eq!(with, Err(("UNABLE_TO_GET_ISSUER_CERT", 1)));
        // CRLs, their scope and the error report.
        let crls = vec![crl("crl-revokes-leaf.pem")];
        let opts = base
            .clone()
            .with_crls(crls.clone())
            .with_error_report(ErrorReport::Last);
        let built = rsa()
            .with_crls(crls.clone())
            .with_error_report(ErrorReport::Last);
        assert_eq!(
            code(&rsa(), &opts, &[&int]).0,
            code(&built, &opts, &[&int]).1
        );
        assert_eq!(
            code(&rsa(), &opts, &[&int]).0,
            Err(("UNABLE_TO_GET_CRL", 1))
        );
        let opts = opts.with_crl_scope(CrlScope::EndEntity);
        assert_eq!(code(&rsa(), &opts, &[&int]).0, Err(("CERT_REVOKED", 0)));
        // A verifier's options are its settings.
        let o = built
            .with_policy(Policy::Strict)
            .options(7, Purpose::ClientAuth);
        assert_eq!(
            (o.now_unix_secs(), o.purpose(), o.policy()),
            (7, Purpose::ClientAuth, Policy::Strict)
        );
    }

    #[test]
    fn the_search_budget_stops_a_deep_tree() {
        // Every step is counted: with the budget exhausted the search gives up with an error
        // rather than exploring further.
        let (leaf, int) = (cert("rsa-leaf.pem"), cert("rsa-int.pem"));
        let v = rsa();
        let intermediates: Vec<ParsedCert> = vec![ParsedCert::from_der(&int).unwrap()];
        let mut search = Search {
            anchors: &v.anchors,
            checks: &v.checks,
            intermediates: &intermediates,
            now: NOW,
            purpose: Purpose::ServerAuth,
            steps: MAX_STEPS,
            complete_paths: 0,
            dead_end: None,
            failed_path: None,
        };
        let leaf = ParsedCert::from_der(&leaf).unwrap();
        let mut path = vec![Link {
            cert: &leaf,
            trusted: false,
        }];
        assert!(search.extend(&mut path).is_none());
    }

    #[test]
    fn malformed_inputs_are_errors_with_their_position() {
        let (leaf, int) = (cert("rsa-leaf.pem"), cert("rsa-int.pem"));
        let e = Verifier::new(vec![cert("rsa-root.pem"), vec![0x30, 0x00]]).unwrap_err();
        assert_eq!((e.kind(), e.depth()), (ErrorCode::Malformed, 1));
        let v = rsa();
        for n in 0..leaf.len() {
            let e = v
                .verify(&leaf[..n], &[&int], NOW, Purpose::ServerAuth)
                .unwrap_err();
            assert_eq!(
                (e.kind(), e.depth()),
                (ErrorCode::Malformed, 0),
                "cut at {n}"
            );
        }
        let mut bad = int.clone();
        bad.push(0);
        let e = v
            .verify(&leaf, &[&int, &bad], NOW, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!((e.kind(), e.depth()), (ErrorCode::Malformed, 2));
        assert!(e.to_string().contains("intermediate #1"), "{e}");
    }

    #[test]
    fn crl_scope_chain_needs_a_crl_for_every_issuer() {
        let (leaf, int) = (cert("rsa-leaf.pem"), cert("rsa-int.pem"));
        let crl = |n: &str| {
            let bytes = std::fs::read(format!("{DIR}{n}")).unwrap();
            crate::crl::Crl::parse_file(&bytes).unwrap().remove(0)
        };
        let leaf_only = rsa().with_crls(vec![crl("crl-empty.pem")]);
        let e = leaf_only
            .clone()
            .verify(&leaf, &[&int], NOW, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!((e.code(), e.depth()), ("UNABLE_TO_GET_CRL", 1));
        let end_entity = leaf_only.with_crl_scope(CrlScope::EndEntity);
        assert!(end_entity
            .verify(&leaf, &[&int], NOW, Purpose::ServerAuth)
            .is_ok());
        // No CRLs: no revocation checking at all.
        let none = rsa().with_crls(Vec::new());
        assert!(none
            .verify(&leaf, &[&int], NOW, Purpose::ServerAuth)
            .is_ok());
    }

    #[test]
    fn first_error_like_openssl_verify_last_like_node() {
        // An expired end entity under a root we do not trust: `openssl verify` stops at the
        // missing issuer; Node (checked with Node 20) reports the expiry found after it.
        let (leaf, int) = (cert("expired.pem"), cert("rsa-int.pem"));
        let v = Verifier::new(vec![cert("p256-root.pem")]).unwrap();
        let first = v
            .clone()
            .verify(&leaf, &[&int], NOW, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!(
            (first.code(), first.depth()),
            ("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", 1)
        );
        let last = v
            .with_error_report(ErrorReport::Last)
            .verify(&leaf, &[&int], NOW, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!((last.code(), last.depth()), ("CERT_HAS_EXPIRED", 0));
        // A lone certificate without its issuer: Node's "unable to verify the first
        // certificate".
        let lone = rsa()
            .with_error_report(ErrorReport::Last)
            .verify(&cert("rsa-leaf.pem"), &[], NOW, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!(
            (lone.code(), lone.message()),
            (
                "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                "unable to verify the first certificate"
            )
        );
        assert_eq!(ErrorCode::PermittedViolation.node_code(), "UNSPECIFIED");
        assert_eq!(ErrorCode::CertRevoked.node_code(), "CERT_REVOKED");
    }

    #[test]
    fn the_unsigned_outer_algorithm_must_match_the_signed_one() {
        // sha256WithRSAEncryption with NULL parameters appears twice: inside the signed
        // tbsCertificate and after it. Changing the outer NULL to an empty OCTET STRING
        // leaves the signature valid, but RFC 5280 s4.1.1.2 (and OpenSSL) want them equal.
        let (mut leaf, int) = (cert("rsa-leaf.pem"), cert("rsa-int.pem"));
        let alg = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
        ];
        let outer = leaf.windows(alg.len()).rposition(|w| w == alg).unwrap();
        assert!(leaf.windows(alg.len()).position(|w| w == alg).unwrap() < outer);
        leaf[outer + alg.len() - 2] = 0x04;
        let e = rsa()
            .verify(&leaf, &[&int], NOW, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!((e.code(), e.depth()), ("CERT_SIGNATURE_FAILURE", 0));
    }

    #[test]
    fn verifiers_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Verifier>();
        shareable::<VerifiedChain>();
        shareable::<VerifyError>();
    }

    #[test]
    fn every_mozilla_root_parses() {
        assert_eq!(
            Verifier::mozilla().anchor_count(),
            crate::roots::mozilla_roots().len()
        );
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/chains/");
        let text = std::fs::read(format!("{path}{name}")).unwrap();
        crate::pem::parse(&text).unwrap().remove(0).der
    }

    proptest! {
        /// Any byte of the leaf or the intermediate changed: an error or a verdict, never a
        /// panic; and a change inside the signed part of the leaf is never accepted.
        #[test]
        fn mutated_chains_never_panic(pos in 0usize..4096, val in any::<u8>(), which in 0usize..2) {
            let (mut leaf, mut int) = (fixture("rsa-leaf.pem"), fixture("rsa-int.pem"));
            let target = if which == 0 { &mut leaf } else { &mut int };
            let pos = pos % target.len();
            let changed = target[pos] != val;
            target[pos] = val;
            let v = Verifier::new(vec![fixture("rsa-root.pem")]).unwrap();
            let r = v.verify(&leaf, &[&int], 1_780_272_000, Purpose::ServerAuth);
            // Any change is a parse error or a signature failure (the outer signature
            // algorithm, which the signature does not cover, must equal the inner one).
            prop_assert!(!(changed && which == 0 && r.is_ok()), "accepted a leaf changed at byte {pos}");
        }

        /// Random bytes as a CRL file are an error, never a panic.
        #[test]
        fn random_crl_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = crate::crl::Crl::parse_file(&bytes);
        }
    }
}
