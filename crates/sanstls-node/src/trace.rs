//! Node's `enableTrace()` / `enableTrace` option / `--trace-tls`: a handshake trace, message
//! by message, on stderr (or any writer the caller gives).
//!
//! Node prints OpenSSL's `SSL_trace` output, which decodes every field of every record.
//! Ours is shorter but lists the same sequence: each handshake message, ChangeCipherSpec and
//! alert, with its direction, type and length, in OpenSSL's words so that what people grep
//! for in Node's trace (`Sent Record`, `Received Record`, `ClientHello`, ...) is there:
//!
//! ```text
//! Sent Record
//!   Content Type = Handshake (22)
//!     ClientHello, Length=301
//! Received Record
//!   Content Type = Handshake (22)
//!     ServerHello, Length=118
//! Sent Record
//!   Content Type = ChangeCipherSpec (20)
//! Received Record
//!   Content Type = Alert (21)
//!     Level=warning(1), description=close_notify(0)
//! ```
//!
//! One "record" is printed per message (the engine reports messages, not how they were
//! cut into records), and after the handshake keys are on, records are encrypted: OpenSSL
//! then prints the inner content type too, which is what we print.
//!
//! The engine reports messages as `sanstls::Event::Trace` once tracing is on for the
//! connection (`ClientConfig::trace` / `ServerConfig::trace` / `Connection::set_trace`);
//! a [`Tracer`] writes each one.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use sanstls::conn::TraceEvent;
use sanstls::Event;

/// Writes trace lines for the trace events it is given.
pub struct Tracer {
    out: Box<dyn Write + Send>,
}

impl core::fmt::Debug for Tracer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tracer").finish_non_exhaustive()
    }
}

impl Default for Tracer {
    fn default() -> Self {
        Self::stderr()
    }
}

impl Tracer {
    /// A tracer writing to stderr, as Node's.
    pub fn stderr() -> Self {
        Self::to_writer(std::io::stderr())
    }

    /// A tracer writing to `out` (a test's buffer, a log file).
    pub fn to_writer(out: impl Write + Send + 'static) -> Self {
        Self { out: Box::new(out) }
    }

    /// Writes `event` if it is a trace event; returns whether it was one. Write errors are
    /// ignored: a trace must not break the connection it watches.
    pub fn event(&mut self, event: &Event) -> bool {
        match event {
            Event::Trace(t) => {
                self.record(t);
                true
            }
            _ => false,
        }
    }

    /// Writes the lines of one trace event.
    pub fn record(&mut self, t: &TraceEvent) {
        let _ = self.out.write_all(format(t).as_bytes());
        let _ = self.out.flush();
    }
}

/// The lines of one trace event, newline-terminated.
pub fn format(t: &TraceEvent) -> String {
    let direction = |sent: bool| if sent { "Sent" } else { "Received" };
    match t {
        TraceEvent::Handshake { sent, typ, len } => format!(
            "{} Record\n  Content Type = Handshake (22)\n    {}, Length={len}\n",
            direction(*sent),
            handshake_name(*typ)
        ),
        TraceEvent::ChangeCipherSpec { sent } => format!(
            "{} Record\n  Content Type = ChangeCipherSpec (20)\n",
            direction(*sent)
        ),
        TraceEvent::Alert {
            sent,
            level,
            description,
        } => {
            let level_u8 = u8::from(*level);
            let level_name = match level_u8 {
                1 => "warning",
                2 => "fatal",
                _ => "unknown",
            };
            format!(
                "{} Record\n  Content Type = Alert (21)\n    Level={level_name}({level_u8}), description={}({})\n",
                direction(*sent),
                snake_case(&format!("{description:?}")),
                u8::from(*description)
            )
        }
        // A kind of message added later still shows up, if less nicely.
        #[allow(unreachable_patterns)]
        other => format!("{other:?}\n"),
    }
}

/// OpenSSL's name of a handshake message (`ssl_trace.c`'s table, which our enum's names
/// follow), or `UNKNOWN (n)`.
fn handshake_name(typ: sanstls::enums::HandshakeType) -> String {
    let debug = format!("{typ:?}");
    if debug.chars().all(|c| c.is_ascii_alphanumeric()) {
        debug
    } else {
        format!("UNKNOWN ({})", u8::from(typ))
    }
}

/// `CloseNotify` → `close_notify` (TLS's names for alerts).
fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = camel.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        let prev_lower = i > 0 && chars.get(i - 1).is_some_and(|p| p.is_ascii_lowercase());
        if c.is_ascii_uppercase() && i > 0 && (prev_lower || next_lower) {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

static TRACE_TLS: AtomicBool = AtomicBool::new(false);

/// Node's `--trace-tls`: every socket made afterwards traces as if `enableTrace` were set.
/// Turning it on prints Node's warning once, on stderr.
pub fn set_trace_tls(on: bool) {
    let was = TRACE_TLS.swap(on, Ordering::SeqCst);
    if on && !was {
        eprintln!("Warning: Enabling --trace-tls can expose sensitive data in the resulting log.");
    }
}

/// Whether `--trace-tls` is on ([`set_trace_tls`]).
pub fn trace_tls() -> bool {
    TRACE_TLS.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanstls::enums::{AlertDescription, AlertLevel, HandshakeType};

    #[test]
    fn lines_name_direction_type_and_length() {
        let hs = TraceEvent::Handshake {
            sent: true,
            typ: HandshakeType::ClientHello,
            len: 301,
        };
        assert_eq!(
            format(&hs),
            "Sent Record\n  Content Type = Handshake (22)\n    ClientHello, Length=301\n"
        );
        let alert = TraceEvent::Alert {
            sent: false,
            level: AlertLevel::Fatal,
            description: AlertDescription::HandshakeFailure,
        };
        assert_eq!(
            format(&alert),
            "Received Record\n  Content Type = Alert (21)\n    Level=fatal(2), description=handshake_failure(40)\n"
        );
        let odd = TraceEvent::Handshake {
            sent: false,
            typ: HandshakeType::from(99),
            len: 0,
        };
        assert!(format(&odd).contains("UNKNOWN (99), Length=0"));
    }

    #[test]
    fn alert_names_are_tls_names() {
        assert_eq!(snake_case("CloseNotify"), "close_notify");
        assert_eq!(snake_case("BadRecordMac"), "bad_record_mac");
        assert_eq!(snake_case("UnknownCA"), "unknown_ca");
        assert_eq!(
            snake_case("NoApplicationProtocol"),
            "no_application_protocol"
        );
    }
}
