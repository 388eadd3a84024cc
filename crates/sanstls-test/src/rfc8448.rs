//! Parser for `vectors/rfc8448/transcripts.vec` (Botan's RFC 8448 trace file).
//!
//! The format is line-based:
//! - `[Name]` starts a section;
//! - `Key = value` is an entry of the current section (spaces around `=` vary, values are
//!   hex in either case, except `CurrentTimestamp` (decimal), `PskIdentity` and `PskPRF`
//!   (text));
//! - lines starting with `#` are comments, blank lines separate sections;
//! - whitespace inside a hex value is ignored, as Botan's hex decoder does (one value,
//!   `Message_Server_CertificateVerify` of `[Middlebox_Compatibility_Mode]`, has a stray
//!   space in the middle).
//!
//! Anything else, an entry outside a section, a repeated key within a section or a
//! repeated section name is an error: a vector file we misread would make the tests
//! check less than they claim.
//!
//! Our own recorded traces (`vectors/hybrid/`) use the same format, so they are read with
//! [`read`] and written with [`render`], and replayed with the helpers of
//! [`crate::replay`].

use std::collections::BTreeSet;

/// Where the file lives.
pub const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/rfc8448/transcripts.vec"
);

/// One `[Section]` of the file: one example handshake.
#[derive(Clone, Debug)]
pub struct Section {
    /// The name between the brackets.
    pub name: String,
    entries: Vec<(String, String)>,
}

impl Section {
    /// An empty section called `name`, to fill with [`Section::push`] and write with
    /// [`render`].
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            entries: Vec::new(),
        }
    }

    /// Adds `key = value`; panics if `key` is already there (as [`parse`] refuses it).
    pub fn push(&mut self, key: &str, value: impl Into<String>) {
        assert!(self.get_str(key).is_none(), "[{}] {key} twice", self.name);
        self.entries.push((key.to_string(), value.into()));
    }

    /// The raw (trimmed) text of `key`'s value.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `key`'s value decoded from hex (inner whitespace ignored). Panics if the value is
    /// not hex.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.get_str(key).map(|v| {
            let digits: String = v.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            hex::decode(digits).unwrap_or_else(|e| panic!("[{}] {key}: not hex: {e}", self.name))
        })
    }

    /// `key`'s value decoded from hex; panics naming the section if it is absent.
    pub fn bytes(&self, key: &str) -> Vec<u8> {
        self.get(key)
            .unwrap_or_else(|| panic!("[{}] has no {key}", self.name))
    }

    /// The keys, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }
}

/// Parses the text of a `.vec` file, or says which line is wrong.
pub fn parse(text: &str) -> Result<Vec<Section>, String> {
    let mut sections: Vec<Section> = Vec::new();
    let mut names = BTreeSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .filter(|n| !n.is_empty() && !n.contains(['[', ']']))
                .ok_or_else(|| format!("line {line_no}: malformed section header {line:?}"))?;
            if !names.insert(name.to_string()) {
                return Err(format!("line {line_no}: section [{name}] repeated"));
            }
            sections.push(Section {
                name: name.to_string(),
                entries: Vec::new(),
            });
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {line_no}: neither a section, an entry nor a comment"))?;
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("line {line_no}: bad key {key:?}"));
        }
        let section = sections
            .last_mut()
            .ok_or_else(|| format!("line {line_no}: entry before any section"))?;
        if section.get_str(key).is_some() {
            return Err(format!(
                "line {line_no}: {key} repeated in [{}]",
                section.name
            ));
        }
        section.entries.push((key.to_string(), value.to_string()));
    }
    Ok(sections)
}

/// Every section of the RFC 8448 trace file, read at test time.
pub fn sections() -> Vec<Section> {
    read(PATH)
}

/// Every section of the trace file at `path`; fails the test naming the file if it cannot
/// be read or parsed.
pub fn read(path: &str) -> Vec<Section> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of a trace file: `comment` (each line behind `# `), then each section with one
/// `key = value` line per entry, which [`parse`] reads back to the same sections.
pub fn render(comment: &str, sections: &[Section]) -> String {
    let mut out = String::new();
    for line in comment.lines() {
        out.push_str(format!("# {line}").trim_end());
        out.push('\n');
    }
    for s in sections {
        out.push_str(&format!("\n[{}]\n", s.name));
        for (k, v) in &s.entries {
            out.push_str(&format!("{k} = {v}\n"));
        }
    }
    out
}

/// The section called `name`; panics if there is none.
pub fn section(name: &str) -> Section {
    sections()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("{PATH} has no [{name}]"))
}
