//! OpenSSL's `X509_check_host` / `X509_check_email` (crypto/x509/v3_utl.c), which Node's
//! `checkHost` / `checkEmail` call with flags from their options.
//!
//! The order of the search: every SAN of the right type (dNSName or rfc822Name) in
//! certificate order, the first match wins; when the certificate has such a SAN and the
//! subject option is not `always`, nothing else is looked at; otherwise (and unless it is
//! `never`) the subject's CN (or emailAddress) values.
//!
//! Host names match ASCII-case-insensitively. A wildcard (only in a certificate's name) is
//! honoured when it is the only `*`, in the first label, not in an `xn--` label, with at
//! least two more labels after it; what it matches must be letters, digits and hyphens:
//!
//! | certificate name      | name checked          | default | note                          |
//! |-----------------------|-----------------------|---------|-------------------------------|
//! | `*.example.test`      | `a.example.test`      | match   |                               |
//! | `*.example.test`      | `example.test`        | no      | the star matches at least one |
//! | `*.example.test`      | `a.b.example.test`    | no      | unless `multiLabelWildcards`  |
//! | `f*.example.test`     | `foo.example.test`    | match   | unless `partialWildcards: false` |
//! | `*.test`              | `a.test`              | no      | two labels after the star     |
//! | `*.example.test`      | `xn--a.example.test`  | match   | a whole-label star may match IDNA |
//! | `rsa.example.test`    | `.example.test`       | match   | a leading dot asks for any subdomain |
//!
//! Emails: the part from the last `@` on is case-insensitive, the local part is not.

/// Node's `options.subject`: when the subject is looked at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SubjectCheck {
    /// `'default'`: only when the certificate has no SAN of the type checked.
    #[default]
    Default,
    /// `'always'`: after the SANs, even when there are some.
    Always,
    /// `'never'`: only the SANs.
    Never,
}

/// The options of Node's `checkHost` and `checkEmail`, with Node's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// `subject` (default `'default'`).
    pub subject: SubjectCheck,
    /// `wildcards` (default true).
    pub wildcards: bool,
    /// `partialWildcards` (default true): `f*.example.test`.
    pub partial_wildcards: bool,
    /// `multiLabelWildcards` (default false): a whole-label star may match several labels.
    pub multi_label_wildcards: bool,
    /// `singleLabelSubdomains` (default false): with a leading-dot name, only names one
    /// label below it match.
    pub single_label_subdomains: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            subject: SubjectCheck::Default,
            wildcards: true,
            partial_wildcards: true,
            multi_label_wildcards: false,
            single_label_subdomains: false,
        }
    }
}

/// What is checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Host,
    Email,
}

/// OpenSSL's flags, with the implicit one a leading dot sets.
#[derive(Clone, Copy)]
struct Flags {
    options: CheckOptions,
    dot_subdomains: bool,
}

/// `do_x509_check`: the certificate's name that matched, if any. `sans` is None without
/// a subjectAltName extension; `subject` gives the CN (or emailAddress) values.
pub(crate) fn check(
    kind: Kind,
    chk: &[u8],
    sans: Option<Vec<Vec<u8>>>,
    subject: impl FnOnce() -> Vec<Vec<u8>>,
    options: &CheckOptions,
) -> Option<String> {
    // OpenSSL refuses a name with an embedded NUL (and so matches nothing).
    if chk.contains(&0) {
        return None;
    }
    let flags = Flags {
        options: *options,
        dot_subdomains: kind == Kind::Host && chk.len() > 1 && chk.first() == Some(&b'.'),
    };
    let equal = |cert_name: &[u8]| -> bool {
        if cert_name.is_empty() {
            return false;
        }
        match kind {
            Kind::Email => equal_email(cert_name, chk),
            Kind::Host if !options.wildcards => equal_nocase(cert_name, chk, flags),
            Kind::Host => equal_wildcard(cert_name, chk, flags),
        }
    };
    let found = |name: &[u8]| Some(String::from_utf8_lossy(name).into_owned());
    if let Some(sans) = sans {
        let present = !sans.is_empty();
        if let Some(name) = sans.iter().find(|n| equal(n)) {
            return found(name);
        }
        if present && options.subject != SubjectCheck::Always {
            return None;
        }
    }
    if options.subject == SubjectCheck::Never {
        return None;
    }
    subject().iter().find(|n| equal(n)).and_then(|n| found(n))
}

/// `skip_prefix`: with a leading-dot name, a longer certificate name is cut to the
/// length of the name checked (the cut part holding no `.` when `singleLabelSubdomains`).
fn skip_prefix(pattern: &[u8], subject_len: usize, flags: Flags) -> &[u8] {
    if !flags.dot_subdomains {
        return pattern;
    }
    let mut p = pattern;
    while p.len() > subject_len && p.first().is_some_and(|&c| c != 0) {
        if flags.options.single_label_subdomains && p.first() == Some(&b'.') {
            break;
        }
        p = p.get(1..).unwrap_or_default();
    }
    if p.len() == subject_len {
        p
    } else {
        pattern
    }
}

/// `equal_nocase`: ASCII case-insensitive equality; a NUL in the certificate's name never
/// matches.
fn equal_nocase(pattern: &[u8], subject: &[u8], flags: Flags) -> bool {
    let pattern = skip_prefix(pattern, subject.len(), flags);
    pattern.len() == subject.len()
        && pattern
            .iter()
            .zip(subject)
            .all(|(&l, &r)| l != 0 && l.eq_ignore_ascii_case(&r))
}

/// `equal_case`: byte equality.
fn equal_case(pattern: &[u8], subject: &[u8], flags: Flags) -> bool {
    skip_prefix(pattern, subject.len(), flags) == subject
}

/// `equal_email`: from the last `@` of either on, case-insensitive; before it, exact.
fn equal_email(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let plain = Flags {
        options: CheckOptions::default(),
        dot_subdomains: false,
    };
    let at = (0..a.len())
        .rev()
        .find(|&i| a.get(i) == Some(&b'@') || b.get(i) == Some(&b'@'));
    let i = match at {
        Some(i) => {
            let (Some(ad), Some(bd)) = (a.get(i..), b.get(i..)) else {
                return false;
            };
            if !equal_nocase(ad, bd, plain) {
                return false;
            }
            if i == 0 {
                a.len()
            } else {
                i
            }
        }
        None => a.len(),
    };
    match (a.get(..i), b.get(..i)) {
        (Some(x), Some(y)) => equal_case(x, y, plain),
        _ => false,
    }
}

/// `equal_wildcard`: a certificate name with a valid star matches by
/// [`wildcard_match`]; any other name (and any leading-dot name checked) by
/// [`equal_nocase`].
fn equal_wildcard(pattern: &[u8], subject: &[u8], flags: Flags) -> bool {
    let star = if subject.len() > 1 && subject.first() == Some(&b'.') {
        None
    } else {
        valid_star(pattern, flags)
    };
    match star {
        None => equal_nocase(pattern, subject, flags),
        Some(i) => {
            let (Some(prefix), Some(suffix)) = (pattern.get(..i), pattern.get(i + 1..)) else {
                return false;
            };
            wildcard_match(prefix, suffix, subject, flags)
        }
    }
}

/// `valid_star`: the position of the one usable `*` in a certificate's name, if any.
fn valid_star(p: &[u8], flags: Flags) -> Option<usize> {
    const LABEL_START: u8 = 1;
    const LABEL_IDNA: u8 = 2;
    const LABEL_HYPHEN: u8 = 4;
    let mut star = None;
    let mut dots = 0;
    let mut state = LABEL_START;
    for (i, &c) in p.iter().enumerate() {
        if c == b'*' {
            let atstart = state & LABEL_START != 0;
            let atend = i + 1 == p.len() || p.get(i + 1) == Some(&b'.');
            // One star, in the first label, not in an IDNA label.
            if star.is_some() || state & LABEL_IDNA != 0 || dots > 0 {
                return None;
            }
            if !flags.options.partial_wildcards && (!atstart || !atend) {
                return None;
            }
            // A star inside a label (`f*o`) is never valid.
            if !atstart && !atend {
                return None;
            }
            star = Some(i);
            state &= !LABEL_START;
        } else if c.is_ascii_alphanumeric() {
            if state & LABEL_START != 0
                && p.get(i..i + 4)
                    .is_some_and(|s| s.eq_ignore_ascii_case(b"xn--"))
            {
                state |= LABEL_IDNA;
            }
            state &= !(LABEL_HYPHEN | LABEL_START);
        } else if c == b'.' {
            if state & (LABEL_HYPHEN | LABEL_START) != 0 {
                return None;
            }
            state = LABEL_START;
            dots += 1;
        } else if c == b'-' {
            // No label starts with a hyphen.
            if state & LABEL_START != 0 {
                return None;
            }
            state |= LABEL_HYPHEN;
        } else {
            return None;
        }
    }
    // The last label must not end with a hyphen or be empty, and two labels follow the star.
    if state & (LABEL_START | LABEL_HYPHEN) != 0 || dots < 2 {
        return None;
    }
    star
}

/// `wildcard_match`: `prefix*suffix` against `subject`.
fn wildcard_match(prefix: &[u8], suffix: &[u8], subject: &[u8], flags: Flags) -> bool {
    if subject.len() < prefix.len() + suffix.len() {
        return false;
    }
    let start = prefix.len();
    let end = subject.len() - suffix.len();
    let (Some(head), Some(wild), Some(tail)) = (
        subject.get(..start),
        subject.get(start..end),
        subject.get(end..),
    ) else {
        return false;
    };
    if !equal_nocase(prefix, head, flags) || !equal_nocase(tail, suffix, flags) {
        return false;
    }
    let mut allow_multi = false;
    let mut allow_idna = false;
    // A star that is the whole first label matches at least one character.
    if prefix.is_empty() && suffix.first() == Some(&b'.') {
        if wild.is_empty() {
            return false;
        }
        allow_idna = true;
        allow_multi = flags.options.multi_label_wildcards;
    }
    // A partial wildcard never matches an IDNA label.
    if !allow_idna
        && subject
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"xn--"))
    {
        return false;
    }
    // The star may match a literal star.
    if wild == b"*" {
        return true;
    }
    wild.iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || (allow_multi && c == b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(cert_names: &[&str], cn: &[&str], name: &str, o: CheckOptions) -> Option<String> {
        let sans = (!cert_names.is_empty())
            .then(|| cert_names.iter().map(|s| s.as_bytes().to_vec()).collect());
        let cn: Vec<Vec<u8>> = cn.iter().map(|s| s.as_bytes().to_vec()).collect();
        check(Kind::Host, name.as_bytes(), sans, || cn, &o)
    }

    #[test]
    fn the_table_of_the_module_doc() {
        let d = CheckOptions::default();
        let m = |cert: &str, name: &str| host(&[cert], &[], name, d);
        assert_eq!(
            m("*.example.test", "a.example.test").as_deref(),
            Some("*.example.test")
        );
        assert_eq!(m("*.example.test", "example.test"), None);
        assert_eq!(m("*.example.test", "a.b.example.test"), None);
        assert!(m("f*.example.test", "foo.example.test").is_some());
        assert_eq!(m("*.test", "a.test"), None);
        assert!(m("*.example.test", "xn--a.example.test").is_some());
        assert_eq!(
            m("rsa.example.test", ".example.test").as_deref(),
            Some("rsa.example.test")
        );
        let multi = CheckOptions {
            multi_label_wildcards: true,
            ..d
        };
        assert!(host(&["*.example.test"], &[], "a.b.example.test", multi).is_some());
        let no_partial = CheckOptions {
            partial_wildcards: false,
            ..d
        };
        assert_eq!(
            host(&["f*.example.test"], &[], "foo.example.test", no_partial),
            None
        );
        let no_wild = CheckOptions {
            wildcards: false,
            ..d
        };
        assert_eq!(
            host(&["*.example.test"], &[], "a.example.test", no_wild),
            None
        );
        assert!(host(&["*.example.test"], &[], "*.example.test", no_wild).is_some());
    }

    #[test]
    fn the_subject_is_a_fallback_as_the_option_says() {
        let d = CheckOptions::default();
        assert!(host(&[], &["cn.test"], "cn.test", d).is_some());
        assert_eq!(host(&["san.test"], &["cn.test"], "cn.test", d), None);
        let always = CheckOptions {
            subject: SubjectCheck::Always,
            ..d
        };
        assert!(host(&["san.test"], &["cn.test"], "cn.test", always).is_some());
        let never = CheckOptions {
            subject: SubjectCheck::Never,
            ..d
        };
        assert_eq!(host(&[], &["cn.test"], "cn.test", never), None);
    }

    #[test]
    fn single_label_subdomains_stop_at_a_dot() {
        let o = CheckOptions {
            single_label_subdomains: true,
            ..CheckOptions::default()
        };
        assert!(host(&["a.example.test"], &[], ".example.test", o).is_some());
        assert_eq!(host(&["a.b.example.test"], &[], ".example.test", o), None);
        assert!(host(
            &["a.b.example.test"],
            &[],
            ".example.test",
            CheckOptions::default()
        )
        .is_some());
    }

    #[test]
    fn emails_compare_the_domain_without_case() {
        let e = |cert: &str, name: &str| {
            check(
                Kind::Email,
                name.as_bytes(),
                Some(vec![cert.as_bytes().to_vec()]),
                Vec::new,
                &CheckOptions::default(),
            )
        };
        assert!(e("admin@example.test", "admin@EXAMPLE.test").is_some());
        assert_eq!(e("admin@example.test", "ADMIN@example.test"), None);
        assert_eq!(e("admin@example.test", "admin@example.tes"), None);
    }

    #[test]
    fn nul_never_matches() {
        let d = CheckOptions::default();
        assert_eq!(host(&["a.test"], &[], "a.test\0", d), None);
        assert_eq!(host(&["a.test\0"], &[], "a.test0", d), None);
    }
}
