//! `sanstls server`: accept connections and decode what TLS clients send.
//!
//! The bytes go through the engine's record layer (deframer, handshake joiner) and codec
//! exactly as a connection will use them, so this doubles as a live check of the codec
//! against whatever client a user points at it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use sanstls::codec::Codec;
use sanstls::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use sanstls::msgs::alert::AlertMessagePayload;
use sanstls::msgs::hello::ClientHelloPayload;
use sanstls::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use sanstls::record::deframer::Deframer;
use sanstls::record::fragmenter::Fragmenter;
use sanstls::record::joiner::HandshakeJoiner;

/// `server` options.
#[derive(Debug)]
pub(crate) struct Options {
    host: String,
    port: u16,
    once: bool,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> Result<Self, String> {
        let mut o = Self {
            host: "127.0.0.1".into(),
            port: 8443,
            once: false,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--host" => o.host = it.next().ok_or("--host needs a value")?.clone(),
                "--port" => {
                    let v = it.next().ok_or("--port needs a value")?;
                    o.port = v
                        .parse()
                        .map_err(|_| format!("--port: not a port number: {v}"))?;
                }
                "--once" => o.once = true,
                other => return Err(format!("server: unknown option {other}")),
            }
        }
        Ok(o)
    }
}

pub(crate) fn run(o: &Options) -> Result<(), String> {
    let listener = TcpListener::bind((o.host.as_str(), o.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", o.host, o.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("sanstls server listening on {addr}");
    println!("note: TLS handshakes are not implemented yet; each ClientHello is decoded,");
    println!("      printed, and refused with a handshake_failure alert");
    for stream in listener.incoming() {
        match stream {
            Ok(s) => {
                if let Err(e) = serve(s) {
                    println!("  error: {e}");
                }
            }
            Err(e) => println!("accept failed: {e}"),
        }
        if o.once {
            break;
        }
    }
    Ok(())
}

fn serve(mut s: TcpStream) -> Result<(), String> {
    let peer = s
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    println!("connection from {peer}");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let hello = read_client_hello(&mut s);
    let alert = match &hello {
        Ok(ch) => {
            print_client_hello(ch);
            println!("  refused: handshakes are not implemented yet");
            Some(AlertDescription::HandshakeFailure)
        }
        Err((e, alert)) => {
            println!("  could not decode the ClientHello: {e}");
            *alert
        }
    };
    if let Some(alert) = alert {
        send_fatal_alert(&mut s, alert);
    }
    Ok(())
}

/// Reads records until the first handshake message is whole, and decodes it.
fn read_client_hello(
    s: &mut TcpStream,
) -> Result<ClientHelloPayload, (String, Option<AlertDescription>)> {
    let mut deframer = Deframer::new();
    let mut joiner = HandshakeJoiner::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).map_err(|e| (format!("read: {e}"), None))?;
        if n == 0 {
            return Err(("peer closed before a ClientHello".into(), None));
        }
        let mut offered = &buf[..n];
        while !offered.is_empty() {
            let taken = deframer.read(offered);
            offered = &offered[taken..];
            while let Some(rec) = deframer.pop_record().map_err(bad)? {
                if rec.header.typ != ContentType::Handshake {
                    return Err((
                        format!("expected a handshake record, got {:?}", rec.header.typ),
                        Some(AlertDescription::UnexpectedMessage),
                    ));
                }
                joiner.push(rec.payload).map_err(bad)?;
                if let Some(m) = joiner.pop() {
                    let msg = HandshakeMessagePayload::read_bytes_version(
                        m.encoded,
                        ProtocolVersion::TLSv1_2,
                    )
                    .map_err(bad)?;
                    return match msg.payload {
                        HandshakePayload::ClientHello(ch) => Ok(ch),
                        _ => Err((
                            format!("expected ClientHello, got {:?}", msg.typ),
                            Some(AlertDescription::UnexpectedMessage),
                        )),
                    };
                }
            }
        }
    }
}

fn bad(e: sanstls::InvalidMessage) -> (String, Option<AlertDescription>) {
    (e.to_string(), Some(e.alert()))
}

fn send_fatal_alert(s: &mut TcpStream, description: AlertDescription) {
    let alert = AlertMessagePayload {
        level: AlertLevel::Fatal,
        description,
    }
    .get_encoding();
    let mut out = Vec::new();
    for fragment in Fragmenter::new().fragment(ContentType::Alert, &alert) {
        fragment.encode_plain(ProtocolVersion::TLSv1_2, &mut out);
    }
    // The client may already have gone; nothing more to do then.
    let _ = s.write_all(&out);
}

fn names<T: Copy + core::fmt::Debug>(
    items: &[T],
    name: impl Fn(T) -> Option<&'static str>,
) -> String {
    items
        .iter()
        .map(|&i| {
            name(i)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{i:?}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_client_hello(ch: &ClientHelloPayload) {
    println!("  ClientHello (legacy_version {:?})", ch.legacy_version);
    if let Some(versions) = ch.supported_versions() {
        println!("  supported_versions: {}", names(versions, |v| v.as_str()));
    }
    if let Some(host) = ch.sni_hostname() {
        println!("  server_name: {}", String::from_utf8_lossy(&host.0));
    }
    if let Some(alpn) = ch.alpn_protocols() {
        let list: Vec<_> = alpn
            .iter()
            .map(|p| String::from_utf8_lossy(&p.0).into_owned())
            .collect();
        println!("  alpn: {}", list.join(", "));
    }
    println!(
        "  cipher_suites: {}",
        names(&ch.cipher_suites, |c| c.as_str())
    );
    if let Some(groups) = ch.named_groups() {
        println!("  supported_groups: {}", names(groups, |g| g.as_str()));
    }
    if let Some(shares) = ch.key_shares() {
        let groups: Vec<_> = shares.iter().map(|k| k.group).collect();
        println!("  key_shares: {}", names(&groups, |g| g.as_str()));
    }
    if let Some(algs) = ch.signature_algorithms() {
        println!("  signature_algorithms: {}", names(algs, |s| s.as_str()));
    }
    let mut flags = Vec::new();
    if ch.extended_master_secret_offered() {
        flags.push("extended_master_secret");
    }
    if ch.renegotiation_info().is_some() {
        flags.push("renegotiation_info");
    }
    if ch.session_ticket().is_some() {
        flags.push("session_ticket");
    }
    if ch.status_request().is_some() {
        flags.push("status_request");
    }
    if ch.psk_offer().is_some() {
        flags.push("pre_shared_key");
    }
    if !flags.is_empty() {
        println!("  also offers: {}", flags.join(", "));
    }
}
