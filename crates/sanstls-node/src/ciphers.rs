//! Cipher lists in OpenSSL's format, as Node's `ciphers` option and `--tls-cipher-list`
//! take them (`HIGH:!aNULL:!MD5`, `ECDHE+AESGCM:-DHE`, `+CHACHA20`, `@STRENGTH`, names of
//! both versions in one string), and `getCiphers()`.
//!
//! The list is evaluated the way OpenSSL 3 does (`ssl_create_cipher_list`): every cipher
//! starts inactive in OpenSSL's default order; each element adds (no prefix), deletes
//! (`-`, may be added back), kills (`!`, never comes back) or moves to the end (`+`) the
//! ciphers its aliases match (`A+B` is the intersection); `@STRENGTH` sorts by key size.
//! Only the suites sanstls implements take part: since every rule acts on each cipher alone
//! and keeps relative order, the result is exactly OpenSSL's list with the suites we lack
//! removed (the tests compare with `openssl ciphers` for that reason).
//!
//! As in Node, names beginning with `TLS_` are TLS 1.3 suites, in the order given; the rest
//! is the TLS 1.2 rule string.

use core::fmt;

use sanstls::suites::{
    Tls12CipherSuite, Tls13CipherSuite, ALL_TLS12_SUITES, ALL_TLS13_SUITES, TLS12_PSK_SUITES,
};

/// Every TLS 1.2 suite we implement in OpenSSL's default order: the PSK suites come after
/// the others (`openssl ciphers -v ALL`), in `TLS12_PSK_SUITES`'s order.
fn all_tls12() -> impl Iterator<Item = &'static Tls12CipherSuite> {
    ALL_TLS12_SUITES.iter().chain(TLS12_PSK_SUITES).copied()
}

/// Node's `tls.DEFAULT_CIPHERS`.
pub const DEFAULT_CIPHERS: &str = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:\
TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:\
ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:\
ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:\
ECDHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA256:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:\
!PSK:!SRP:!CAMELLIA";

/// The process-wide default, replaced by [`set_default_ciphers`].
static PROCESS_DEFAULT: std::sync::RwLock<Option<String>> = std::sync::RwLock::new(None);

/// Node's `--tls-cipher-list` (and assigning `tls.DEFAULT_CIPHERS`): the list contexts use
/// when their options name none. Checked first: a list that selects nothing is refused.
pub fn set_default_ciphers(ciphers: &str) -> Result<(), CipherStringError> {
    parse(ciphers)?;
    if let Ok(mut d) = PROCESS_DEFAULT.write() {
        *d = Some(ciphers.to_string());
    }
    Ok(())
}

/// The list contexts use when their options name none: [`set_default_ciphers`]'s, or
/// [`DEFAULT_CIPHERS`].
pub fn default_ciphers() -> String {
    PROCESS_DEFAULT
        .read()
        .ok()
        .and_then(|d| d.clone())
        .unwrap_or_else(|| DEFAULT_CIPHERS.to_string())
}

/// OpenSSL 3's `DEFAULT` (what a rule string starting with `DEFAULT` expands to).
const OPENSSL_DEFAULT: &str = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

/// The suites a cipher string selects, in preference order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherSelection {
    /// TLS 1.3 suites (the `TLS_` names, in the order given).
    pub tls13: Vec<&'static Tls13CipherSuite>,
    /// TLS 1.2 suites, in the order OpenSSL's rules produce.
    pub tls12: Vec<&'static Tls12CipherSuite>,
}

/// Why a cipher string selects nothing usable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CipherStringError {
    /// The string is empty (Node: `ERR_INVALID_ARG_VALUE`).
    Empty,
    /// Neither part selects a suite sanstls implements (OpenSSL: "no cipher match").
    NoCipherMatch(String),
    /// An `@` command OpenSSL does not know.
    UnknownCommand(String),
}

impl fmt::Display for CipherStringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the cipher list is empty"),
            Self::NoCipherMatch(s) => write!(f, "no cipher match: {s:?}"),
            Self::UnknownCommand(c) => write!(f, "unknown cipher list command @{c}"),
        }
    }
}

impl std::error::Error for CipherStringError {}

/// Evaluates a Node/OpenSSL cipher string. A part that selects nothing is empty in the
/// result (Node then limits the versions: see [`CipherSelection`] users); both empty is
/// an error.
pub fn parse(ciphers: &str) -> Result<CipherSelection, CipherStringError> {
    let mut tls13 = Vec::new();
    let mut rules = Vec::new();
    // Node splits on ':' only, and sends the TLS_ names to SSL_CTX_set_ciphersuites.
    for part in ciphers.split(':') {
        match part.strip_prefix("TLS_") {
            Some(_) => {
                // SSL_CTX_set_ciphersuites ignores names it does not know (e.g. the CCM
                // suites we do not implement).
                if let Some(s) = ALL_TLS13_SUITES
                    .iter()
                    .copied()
                    .find(|s| s.openssl_name == part)
                {
                    if !tls13.contains(&s) {
                        tls13.push(s);
                    }
                }
            }
            None => rules.push(part),
        }
    }
    if ciphers.split(':').all(|p| p.trim().is_empty()) {
        return Err(CipherStringError::Empty);
    }
    let rules = rules.join(":");
    let tls12 = match rules.trim().is_empty() {
        true => Vec::new(),
        false => evaluate(&rules)?,
    };
    if tls13.is_empty() && tls12.is_empty() {
        return Err(CipherStringError::NoCipherMatch(ciphers.to_string()));
    }
    Ok(CipherSelection { tls13, tls12 })
}

/// Node's `tls.getCiphers()`: the names of every suite supported, lower-case, sorted.
pub fn get_ciphers() -> Vec<String> {
    let mut names: Vec<String> = ALL_TLS13_SUITES
        .iter()
        .map(|s| s.openssl_name.to_ascii_lowercase())
        .chain(all_tls12().map(|s| s.openssl_name.to_ascii_lowercase()))
        .collect();
    names.sort();
    names
}

/// One cipher in OpenSSL's working list.
#[derive(Clone, Copy)]
struct Entry {
    suite: &'static Tls12CipherSuite,
    active: bool,
}

/// The rule string (TLS 1.2 and below part) evaluated over the suites we implement.
fn evaluate(rules: &str) -> Result<Vec<&'static Tls12CipherSuite>, CipherStringError> {
    // OpenSSL's default order, every cipher inactive.
    let mut list: Vec<Entry> = all_tls12()
        .map(|suite| Entry {
            suite,
            active: false,
        })
        .collect();
    let mut rest = rules.trim_start();
    if let Some(after) = rest.strip_prefix("DEFAULT") {
        apply_all(&mut list, OPENSSL_DEFAULT)?;
        rest = after.strip_prefix(':').unwrap_or(after);
    }
    apply_all(&mut list, rest)?;
    Ok(list
        .into_iter()
        .filter(|e| e.active)
        .map(|e| e.suite)
        .collect())
}

/// What a rule does to the ciphers it matches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Delete,
    Kill,
    MoveToEnd,
}

fn apply_all(list: &mut Vec<Entry>, rules: &str) -> Result<(), CipherStringError> {
    let elements = rules.split([':', ' ', ',', ';']).filter(|e| !e.is_empty());
    for element in elements {
        let (op, body) = match element.as_bytes().first() {
            Some(b'!') => (Op::Kill, &element[1..]),
            Some(b'-') => (Op::Delete, &element[1..]),
            Some(b'+') => (Op::MoveToEnd, &element[1..]),
            Some(b'@') => {
                command(list, &element[1..])?;
                continue;
            }
            _ => (Op::Add, element),
        };
        apply(list, op, |s| matches_all(s, body));
    }
    Ok(())
}

/// `@STRENGTH` (sort by key bits, strongest first, stable) and `@SECLEVEL=n` (a security
/// level: every suite we implement meets level 3, the highest that allows 128-bit keys, so
/// it changes nothing here).
fn command(list: &mut [Entry], cmd: &str) -> Result<(), CipherStringError> {
    if cmd == "STRENGTH" {
        list.sort_by_key(|e| core::cmp::Reverse(strength_bits(e.suite)));
        return Ok(());
    }
    if cmd.starts_with("SECLEVEL=") {
        return Ok(());
    }
    Err(CipherStringError::UnknownCommand(cmd.to_string()))
}

/// OpenSSL's `ssl_cipher_apply_rule` for one operation.
fn apply(list: &mut Vec<Entry>, op: Op, matches: impl Fn(&Tls12CipherSuite) -> bool) {
    match op {
        // In list order, matching inactive ciphers move to the end and become active.
        Op::Add => move_matching_to_end(list, |e| !e.active && matches(e.suite)),
        // Matching active ciphers move to the end, keeping their order.
        Op::MoveToEnd => move_matching_to_end(list, |e| e.active && matches(e.suite)),
        // OpenSSL walks the list backwards moving each to the head, so deleted ciphers end
        // up at the front in their previous order: the best place for a later re-add.
        Op::Delete => {
            let (mut moved, kept): (Vec<Entry>, Vec<Entry>) =
                list.iter().partition(|e| e.active && matches(e.suite));
            for e in &mut moved {
                e.active = false;
            }
            moved.extend(kept);
            *list = moved;
        }
        Op::Kill => list.retain(|e| !matches(e.suite)),
    }
}

fn move_matching_to_end(list: &mut Vec<Entry>, selected: impl Fn(&Entry) -> bool) {
    let (mut moved, mut kept): (Vec<Entry>, Vec<Entry>) = list.iter().partition(|e| selected(e));
    for e in &mut moved {
        e.active = true;
    }
    kept.extend(moved);
    *list = kept;
}

/// Whether `suite` matches every alias of `A+B+...` (or is the cipher named).
fn matches_all(suite: &Tls12CipherSuite, body: &str) -> bool {
    if body.eq_ignore_ascii_case(suite.openssl_name) {
        return true;
    }
    !body.is_empty() && body.split('+').all(|alias| matches_alias(suite, alias))
}

/// OpenSSL 3's cipher aliases (ssl_ciph.c), for what our suites are: ECDHE, DHE, PSK,
/// ECDHE_PSK or DHE_PSK key exchange, RSA, ECDSA or PSK authentication, AES-GCM or
/// ChaCha20-Poly1305, TLS 1.2, HIGH. An alias that names nothing we implement (CAMELLIA,
/// RC4, kRSA, kRSAPSK...) matches nothing; an unknown word also matches nothing, as
/// OpenSSL ignores it (so do `ECDHEPSK` and `DHEPSK`, which OpenSSL does not define).
fn matches_alias(suite: &Tls12CipherSuite, alias: &str) -> bool {
    use sanstls::suites::KeyExchangeAlgorithm as K;
    let name = suite.openssl_name;
    let psk = suite.kx.is_psk();
    // kECDHE and kDHE are the certificate-authenticated exchanges only.
    let ecdhe = name.starts_with("ECDHE-") && !psk;
    let dhe = name.starts_with("DHE-") && !psk;
    let ecdsa = name.contains("-ECDSA-");
    let rsa = name.contains("-RSA-");
    let aes128 = name.contains("AES128-GCM");
    let aes256 = name.contains("AES256-GCM");
    let chacha = name.contains("CHACHA20");
    match alias {
        // `DEFAULT` means something only at the start of the string (see `evaluate`).
        "ALL" | "HIGH" | "TLSv1.2" => true,
        "ECDHE" | "EECDH" | "kECDHE" | "kEECDH" => ecdhe,
        "DHE" | "EDH" | "kDHE" | "kEDH" => dhe,
        "aRSA" => rsa,
        "aECDSA" | "ECDSA" => ecdsa,
        "AES" | "AESGCM" => aes128 || aes256,
        "AES128" => aes128,
        "AES256" => aes256,
        "CHACHA20" => chacha,
        // FIPS-approved: AES-GCM (with (EC)DHE or a PSK).
        "FIPS" => aes128 || aes256,
        "PSK" | "aPSK" => psk,
        "kPSK" => suite.kx == K::Psk,
        "kECDHEPSK" => suite.kx == K::EcdhePsk,
        "kDHEPSK" => suite.kx == K::DhePsk,
        _ => false,
    }
}

/// The symmetric key size, OpenSSL's "strength bits".
fn strength_bits(suite: &Tls12CipherSuite) -> u32 {
    match suite.openssl_name.contains("AES128") {
        true => 128,
        false => 256,
    }
}

/// The `cipher_string` fuzz target's body (see `fuzz/`): any text, never a panic.
#[doc(hidden)]
pub fn fuzz_cipher_string(data: &[u8]) {
    if let Ok(s) = core::str::from_utf8(data) {
        let _ = parse(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &CipherSelection) -> Vec<&'static str> {
        s.tls13
            .iter()
            .map(|c| c.openssl_name)
            .chain(s.tls12.iter().map(|c| c.openssl_name))
            .collect()
    }

    #[test]
    fn node_default_list() {
        let s = parse(DEFAULT_CIPHERS).unwrap();
        assert_eq!(
            names(&s),
            [
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256",
                "TLS_AES_128_GCM_SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "DHE-RSA-AES128-GCM-SHA256",
                // HIGH adds the rest in OpenSSL's order.
                "DHE-RSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-CHACHA20-POLY1305",
                "ECDHE-RSA-CHACHA20-POLY1305",
                "DHE-RSA-CHACHA20-POLY1305",
            ]
        );
    }

    #[test]
    fn delete_kill_and_reorder() {
        let s = parse("ECDHE:-ECDSA:CHACHA20").unwrap();
        // -ECDSA deletes them to the front (inactive); CHACHA20 adds ECDHE-ECDSA-CHACHA20
        // back from there, then the DHE one.
        assert_eq!(
            names(&s),
            [
                "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-RSA-CHACHA20-POLY1305",
                "ECDHE-RSA-AES128-GCM-SHA256",
                "ECDHE-ECDSA-CHACHA20-POLY1305",
                "DHE-RSA-CHACHA20-POLY1305",
                // CHACHA20 names the PSK suites too (as `openssl ciphers` lists them).
                "ECDHE-PSK-CHACHA20-POLY1305",
                "PSK-CHACHA20-POLY1305",
            ]
        );
        let s = parse("ECDHE:!ECDSA:ECDSA").unwrap();
        assert!(s.tls12.iter().all(|c| !c.openssl_name.contains("ECDSA")));
        let s = parse("HIGH:+AES256:@STRENGTH").unwrap();
        // ChaCha20 counts 256 bits too, and comes before the AES-256 suites moved to the end.
        assert_eq!(
            s.tls12.first().unwrap().openssl_name,
            "ECDHE-ECDSA-CHACHA20-POLY1305"
        );
        // No TLS_ name: no TLS 1.3 suite selected (the context then keeps the defaults).
        assert!(s.tls13.is_empty());
    }

    #[test]
    fn psk_keywords() {
        let n = |s: &str| names(&parse(s).unwrap());
        assert_eq!(
            n("PSK"),
            [
                "DHE-PSK-AES256-GCM-SHA384",
                "ECDHE-PSK-CHACHA20-POLY1305",
                "PSK-AES256-GCM-SHA384",
                "PSK-CHACHA20-POLY1305",
                "DHE-PSK-AES128-GCM-SHA256",
                "PSK-AES128-GCM-SHA256",
            ]
        );
        assert_eq!(n("aPSK"), n("PSK"));
        assert_eq!(
            n("kPSK"),
            [
                "PSK-AES256-GCM-SHA384",
                "PSK-CHACHA20-POLY1305",
                "PSK-AES128-GCM-SHA256"
            ]
        );
        assert_eq!(n("kECDHEPSK"), ["ECDHE-PSK-CHACHA20-POLY1305"]);
        assert_eq!(
            n("kDHEPSK"),
            ["DHE-PSK-AES256-GCM-SHA384", "DHE-PSK-AES128-GCM-SHA256"]
        );
        assert_eq!(n("PSK-AES128-GCM-SHA256"), ["PSK-AES128-GCM-SHA256"]);
        // Not PSK suites: ECDHE and DHE are the certificate ones; Node's default kills PSK.
        assert!(n("ECDHE:DHE").iter().all(|c| !c.contains("PSK")));
        assert!(n(DEFAULT_CIPHERS).iter().all(|c| !c.contains("PSK")));
        assert!(matches!(
            parse("ECDHEPSK:DHEPSK"),
            Err(CipherStringError::NoCipherMatch(_))
        ));
    }

    #[test]
    fn errors() {
        assert_eq!(parse(""), Err(CipherStringError::Empty));
        assert!(matches!(
            parse("RC4:CAMELLIA"),
            Err(CipherStringError::NoCipherMatch(_))
        ));
        assert!(matches!(
            parse("HIGH:@FOO"),
            Err(CipherStringError::UnknownCommand(_))
        ));
        // TLS 1.3 names we do not implement are skipped, not an error, if others remain.
        let s = parse("TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256").unwrap();
        assert_eq!(names(&s), ["TLS_AES_128_GCM_SHA256"]);
    }

    #[test]
    fn get_ciphers_is_lower_case_and_sorted() {
        let c = get_ciphers();
        assert_eq!(c.len(), 18);
        assert!(c.contains(&"psk-aes128-gcm-sha256".to_string()));
        assert!(c.contains(&"ecdhe-rsa-aes128-gcm-sha256".to_string()));
        assert!(c.contains(&"tls_aes_256_gcm_sha384".to_string()));
        assert!(c.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn process_wide_default_is_checked_and_used() {
        assert!(set_default_ciphers("RC4").is_err());
        assert_eq!(default_ciphers(), DEFAULT_CIPHERS);
        set_default_ciphers("TLS_AES_128_GCM_SHA256:CHACHA20").unwrap();
        assert_eq!(default_ciphers(), "TLS_AES_128_GCM_SHA256:CHACHA20");
        set_default_ciphers(DEFAULT_CIPHERS).unwrap();
    }
}
