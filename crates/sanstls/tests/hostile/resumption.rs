//! Cases: what a session carries and where it may resume, for every session form (TLS 1.3
//! tickets; TLS 1.2 RFC 5077 tickets, session ids in the built-in cache and in an external
//! store). Both ends are our engine here: the peers are honest, the sessions are not where
//! they were made (another server name, another configuration, another client-certificate
//! requirement), or carry a refused certificate.

use std::collections::HashMap;
use std::sync::Arc;

use sanstls::client::{ClientCertificate, ClientConfig, ClientConnection, StoredSession};
use sanstls::crypto::verify::InsecureAcceptAnything;
use sanstls::enums::{AlertDescription as A, ProtocolVersion};
use sanstls::error::CertificateError;
use sanstls::server::resume12::SessionCache;
use sanstls::server::ticket::Ticketer;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::{Error, Event, UnixTime};

use crate::harness::*;
use sanstls_test::pair::pump;

/// The session forms.
#[derive(Clone, Copy, Debug)]
enum Form {
    Tls13Ticket,
    Tls12Ticket,
    Tls12Cache,
    Tls12External,
}

impl Form {
    const ALL: [Form; 4] = [
        Form::Tls13Ticket,
        Form::Tls12Ticket,
        Form::Tls12Cache,
        Form::Tls12External,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Tls13Ticket => "TLS 1.3 ticket",
            Self::Tls12Ticket => "TLS 1.2 ticket",
            Self::Tls12Cache => "TLS 1.2 session id",
            Self::Tls12External => "TLS 1.2 external store",
        }
    }

    /// The client side of this form.
    fn client(self, mut c: ClientConfig) -> ClientConfig {
        if !matches!(self, Self::Tls13Ticket) {
            c.max_version = ProtocolVersion::TLSv1_2;
        }
        c
    }

    /// The server side of this form: where its sessions are kept.
    fn server(self, mut c: ServerConfig) -> ServerConfig {
        match self {
            Self::Tls13Ticket | Self::Tls12Ticket => {
                c.session_cache = None;
            }
            Self::Tls12Cache => {
                c.ticketer = None;
                c.session_cache = Some(SessionCache::new(100));
            }
            Self::Tls12External => {
                c.ticketer = None;
                c.session_cache = None;
                c.external_sessions = true;
            }
        }
        c
    }
}

/// An in-memory connection between our client and our server, with an external session
/// store answering the server's `ResumeSession` pauses.
struct Pair {
    client: ClientConnection,
    server: ServerConnection,
    client_events: Vec<Event>,
    server_error: Option<Error>,
    client_error: Option<Error>,
}

impl Pair {
    fn run(
        client: Arc<ClientConfig>,
        server: Arc<ServerConfig>,
        name: &str,
        session: Option<StoredSession>,
        store: &mut HashMap<Vec<u8>, Vec<u8>>,
        now: UnixTime,
    ) -> Pair {
        let mut p = Pair {
            client: ClientConnection::resume(client, name, session, now).unwrap(),
            server: ServerConnection::new(server, now).unwrap(),
            client_events: Vec::new(),
            server_error: None,
            client_error: None,
        };
        for _ in 0..20 {
            let a = pump(&mut p.client, &mut p.server, &mut p.server_error, now);
            while let Some(e) = p.server.poll_event() {
                match e {
                    Event::NewSession { id, data } => {
                        store.insert(id, data.to_vec());
                    }
                    Event::ResumeSession(id) => {
                        p.server
                            .session_found(store.get(&id).cloned(), now)
                            .unwrap();
                    }
                    _ => {}
                }
            }
            let b = pump(&mut p.server, &mut p.client, &mut p.client_error, now);
            p.client_events
                .extend(std::iter::from_fn(|| p.client.poll_event()));
            if !a && !b {
                break;
            }
        }
        p
    }

    fn established(&self) -> bool {
        !self.client.is_handshaking()
            && !self.server.is_handshaking()
            && self.client_error.is_none()
            && self.server_error.is_none()
    }

    /// The client's latest session (the last one the server gave).
    fn session(&self) -> StoredSession {
        self.client_events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::NewSessionTicket(s) => Some(s.clone()),
                _ => None,
            })
            .expect("the server gave a session")
    }
}

/// A full handshake, then a second one offering its session: returns both.
struct Setup {
    form: Form,
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    store: HashMap<Vec<u8>, Vec<u8>>,
}

impl Setup {
    fn new(form: Form, client: ClientConfig, server: ServerConfig) -> Self {
        Self {
            form,
            client: Arc::new(form.client(client)),
            server: Arc::new(form.server(server)),
            store: HashMap::new(),
        }
    }

    fn first(&mut self) -> Pair {
        self.established(self.server.clone(), None, HOST)
    }

    fn again(&mut self, server: Arc<ServerConfig>, session: StoredSession, name: &str) -> Pair {
        self.established(server, Some(session), name)
    }

    /// A handshake that must complete, offering `session` when there is one.
    fn established(
        &mut self,
        server: Arc<ServerConfig>,
        session: Option<StoredSession>,
        name: &str,
    ) -> Pair {
        let p = Pair::run(
            self.client.clone(),
            server,
            name,
            session,
            &mut self.store,
            NOW,
        );
        assert!(
            p.established(),
            "{:?}: {:?} {:?}",
            self.form,
            p.client_error,
            p.server_error
        );
        p
    }
}

/// A server configuration sharing `base`'s session state (ticket keys, cache) but serving
/// the RSA certificate: another virtual host of the same process.
fn other_host(base: &ServerConfig) -> ServerConfig {
    let p = pki();
    let mut c = base.clone();
    c.certificates = vec![CertifiedKey::new(vec![p.rsa.clone()], p.rsa_key.clone()).unwrap()];
    c
}

fn with_client_certificate(mut c: ClientConfig) -> ClientConfig {
    let p = pki();
    c.client_certificate =
        Some(ClientCertificate::new(vec![p.ecdsa.clone()], p.ecdsa_key.clone()).unwrap());
    c
}

/// How the verifiers refuse the ECDSA server's certificate (its root is not trusted): Node's
/// code and message.
fn unknown_issuer() -> CertificateError {
    CertificateError::Rejected {
        code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE".into(),
        message: "unable to verify the first certificate".into(),
    }
}

/// A client verifier that refuses the ECDSA certificates (it trusts only the RSA root).
fn refusing_verifier() -> Arc<sanstls_pki::tls::NodeClientVerifier> {
    let v = sanstls_pki::tls::NodeClientVerifier::with_roots(vec![pki().rsa_ca.clone()], false)
        .unwrap();
    Arc::new(v)
}

/// A session whose client certificate the server refused (with `reject_unauthorized`
/// off), offered to the same configuration with refusals fatal (and the same session
/// context, so only the refusal can decline it).
fn offered_where_refusals_are_fatal(form: Form) -> Pair {
    let mut server = base_server();
    server.client_verifier = Some(refusing_verifier());
    server.reject_unauthorized = false;
    let mut s = Setup::new(form, with_client_certificate(client_config()), server);
    let session = s.first().session();
    let mut strict = (*s.server).clone();
    strict.reject_unauthorized = true;
    strict.session_id_context = s.server.session_context();
    Pair::run(
        s.client.clone(),
        Arc::new(strict),
        HOST,
        Some(session),
        &mut s.store,
        NOW,
    )
}

fn base_server() -> ServerConfig {
    let mut c = server_config();
    c.ticketer = Some(Arc::new(Ticketer::new(c.random.as_ref()).unwrap()));
    c
}

pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for form in Form::ALL {
        let l = form.label();
        v.push(case(
            format!("{l}: the resumed client reports the server's chain, authorized"),
            move || {
                let mut s = Setup::new(form, client_config(), base_server());
                let first = s.first();
                let chain = first.client.negotiated().peer_certificates.clone();
                let p = s.again(s.server.clone(), first.session(), HOST);
                let n = p.client.negotiated();
                assert!(n.resumed, "resumed");
                assert_eq!(n.peer_certificates, chain);
                assert_eq!(n.authorization_error, None);
            },
        ));
        v.push(case(
            format!("{l}: the resumed client reports the refusal of the session's handshake"),
            move || {
                let mut c = ClientConfig::new(Arc::new(
                    sanstls_pki::tls::NodeServerVerifier::with_roots(vec![pki().rsa_ca.clone()])
                        .unwrap(),
                ));
                c.reject_unauthorized = false;
                let mut s = Setup::new(form, c, base_server());
                let first = s.first();
                assert_eq!(
                    first.client.negotiated().authorization_error,
                    Some(unknown_issuer())
                );
                let session = first.session();
                assert_eq!(session.authorization_error(), Some(&unknown_issuer()));
                let p = s.again(s.server.clone(), session, HOST);
                let n = p.client.negotiated();
                assert!(n.resumed);
                assert_eq!(n.authorization_error, Some(unknown_issuer()));
                assert_eq!(n.peer_certificates, vec![pki().ecdsa.clone()]);
            },
        ));
        v.push(case(
            format!("{l}: a client that rejects refusals does not offer a session made with one"),
            move || {
                let mut c = ClientConfig::new(Arc::new(
                    sanstls_pki::tls::NodeServerVerifier::with_roots(vec![pki().rsa_ca.clone()])
                        .unwrap(),
                ));
                c.reject_unauthorized = false;
                let mut s = Setup::new(form, c, base_server());
                let session = s.first().session();
                let mut strict = (*s.client).clone();
                strict.reject_unauthorized = true;
                let p = Pair::run(
                    Arc::new(strict),
                    s.server.clone(),
                    HOST,
                    Some(session),
                    &mut s.store,
                    NOW,
                );
                // A full handshake, which the verifier refuses as it should.
                assert!(!p.client.negotiated().resumed);
                assert_eq!(
                    p.client_error,
                    Some(Error::InvalidCertificate(unknown_issuer()))
                );
            },
        ));
        v.push(case(
            format!("{l}: the resumed server reports the client's chain"),
            move || {
                let mut server = base_server();
                server.client_verifier = Some(client_verifier(true));
                let mut s = Setup::new(form, with_client_certificate(client_config()), server);
                let first = s.first();
                assert_eq!(
                    first.server.negotiated().peer_certificates,
                    vec![pki().ecdsa.clone()]
                );
                let p = s.again(s.server.clone(), first.session(), HOST);
                let n = p.server.negotiated();
                assert!(n.resumed);
                assert_eq!(n.peer_certificates, vec![pki().ecdsa.clone()]);
                assert_eq!(n.authorization_error, None);
            },
        ));
        v.push(case(
            format!("{l}: the resumed server reports the refusal of the client's certificate"),
            move || {
                let mut server = base_server();
                server.client_verifier = Some(refusing_verifier());
                server.reject_unauthorized = false;
                let mut s = Setup::new(form, with_client_certificate(client_config()), server);
                let first = s.first();
                assert_eq!(
                    first.server.negotiated().authorization_error,
                    Some(unknown_issuer())
                );
                let p = s.again(s.server.clone(), first.session(), HOST);
                let n = p.server.negotiated();
                assert!(n.resumed);
                assert_eq!(n.authorization_error, Some(unknown_issuer()));
                assert_eq!(n.peer_certificates, vec![pki().ecdsa.clone()]);
            },
        ));
        v.push(case(
            format!("{l}: a session made under one server name is not resumed under another"),
            move || {
                let mut c = ClientConfig::new(Arc::new(InsecureAcceptAnything));
                c.reject_unauthorized = true;
                let mut s = Setup::new(form, c, base_server());
                let mut session = sanstls::internal::SessionParts::from(s.first().session());
                // The client is made to offer it for another name.
                session.server_name = "other.localhost".into();
                let session = session.into();
                let p = s.again(s.server.clone(), session, "other.localhost");
                assert!(!p.server.negotiated().resumed);
                assert!(!p.client.negotiated().resumed);
            },
        ));
        v.push(case(
            format!("{l}: another virtual host sharing the session state does not resume it"),
            move || {
                let mut s = Setup::new(form, client_config(), base_server());
                let session = s.first().session();
                let other = Arc::new(other_host(&s.server));
                let p = s.again(other, session, HOST);
                assert!(!p.server.negotiated().resumed);
                assert_eq!(
                    p.client.negotiated().peer_certificates,
                    vec![pki().rsa.clone()]
                );
            },
        ));
        v.push(case(
            format!("{l}: configurations with one explicit session_id_context resume each other's sessions"),
            move || {
                let mut server = base_server();
                server.session_id_context = b"shared app".to_vec();
                let mut s = Setup::new(form, client_config(), server);
                let session = s.first().session();
                let other = Arc::new(other_host(&s.server));
                let p = s.again(other, session, HOST);
                assert!(p.server.negotiated().resumed);
            },
        ));
        v.push(case(
            format!("{l}: a configuration that requires a client certificate does not resume a session without one"),
            move || {
                let mut s = Setup::new(form, with_client_certificate(client_config()), base_server());
                let session = s.first().session();
                let mut strict = (*s.server).clone();
                strict.client_verifier = Some(client_verifier(true));
                strict.session_id_context = s.server.session_context();
                let p = s.again(Arc::new(strict), session, HOST);
                let n = p.server.negotiated();
                assert!(!n.resumed, "a full handshake asks for the certificate");
                assert_eq!(n.peer_certificates, vec![pki().ecdsa.clone()]);
            },
        ));
        v.push(case(
            format!("{l}: a configuration that rejects refusals does not resume a session whose client certificate was refused"),
            move || {
                let p = offered_where_refusals_are_fatal(form);
                assert!(!p.server.negotiated().resumed);
                // The full handshake verifies the certificate again, and refuses it.
                assert_eq!(
                    p.server_error,
                    Some(Error::InvalidCertificate(unknown_issuer()))
                );
            },
        ));
        v.push(case(
            format!("{l}: an expired session is not resumed"),
            move || {
                let mut s = Setup::new(form, client_config(), base_server());
                let mut session = sanstls::internal::SessionParts::from(s.first().session());
                // The client would not offer it; make it.
                session.lifetime_secs = u32::MAX;
                let session = session.into();
                let later = NOW.saturating_add(std::time::Duration::from_secs(301));
                let p = Pair::run(
                    s.client.clone(),
                    s.server.clone(),
                    HOST,
                    Some(session),
                    &mut s.store,
                    later,
                );
                assert!(p.established());
                assert!(!p.server.negotiated().resumed);
            },
        ));
        v.push(case(
            format!(
                "{l}: a session kept across a restart (to_bytes) still carries its authentication"
            ),
            move || {
                let mut s = Setup::new(form, client_config(), base_server());
                let session = s.first().session();
                let bytes = session.to_bytes();
                let back = StoredSession::from_bytes(&bytes).unwrap();
                assert_eq!(back.peer_certificates(), [pki().ecdsa.clone()]);
                let p = s.again(s.server.clone(), back, HOST);
                assert!(p.client.negotiated().resumed);
                assert_eq!(
                    p.client.negotiated().peer_certificates,
                    vec![pki().ecdsa.clone()]
                );
            },
        ));
    }
    v.push(case(
        "a tampered TLS 1.3 ticket means a full handshake",
        || {
            let mut s = Setup::new(Form::Tls13Ticket, client_config(), base_server());
            let mut session = sanstls::internal::SessionParts::from(s.first().session());
            session.ticket[20] ^= 1;
            let session = session.into();
            let p = s.again(s.server.clone(), session, HOST);
            assert!(!p.server.negotiated().resumed);
        },
    ));
    v.push(case(
        "a TLS 1.3 client chain too long for a ticket: the ticket keeps the leaf",
        || {
            let mut server = base_server();
            let v = sanstls_pki::tls::NodeClientVerifier::with_roots(
                vec![pki().ecdsa_ca.clone()],
                false,
            )
            .unwrap();
            server.client_verifier = Some(Arc::new(v));
            server.reject_unauthorized = false;
            let mut c = client_config();
            let p = pki();
            let mut chain = vec![p.ecdsa.clone()];
            chain.push(vec![0x30; 40 * 1024]);
            c.client_certificate =
                Some(ClientCertificate::new(chain, p.ecdsa_key.clone()).unwrap());
            let mut s = Setup::new(Form::Tls13Ticket, c, server);
            let first = s.first();
            // The leaf alone fits: tickets carry it.
            let session = first.session();
            let again = s.again(s.server.clone(), session, HOST);
            assert!(again.server.negotiated().resumed);
            assert_eq!(
                again.server.negotiated().peer_certificates,
                vec![p.ecdsa.clone()]
            );
        },
    ));
    v.push(case(
        "a refused certificate's session is refused by the server that requires authorization, with the certificate asked again",
        || {
            // The same as above for TLS 1.3, checking the alert the full handshake ends in.
            let p = offered_where_refusals_are_fatal(Form::Tls13Ticket);
            assert_eq!(
                p.client_error,
                Some(Error::AlertReceived(A::UnknownCA)),
                "the client hears why"
            );
        },
    ));
    v
}
