//! The server's hooks on tokio are awaited, not waited for on a worker: an `SNICallback`,
//! `resumeSession` or `OCSPRequest` answered by another task after an `await` completes
//! the handshake at once, even on a single-threaded runtime (where a blocking wait would
//! hold the only thread until the handshake timeout).

// Tests time the handshakes they bound (the clock rule is for library code).
#![allow(clippy::disallowed_methods)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{context, Pki};
use sanstls_node::async_tokio::connect;
use sanstls_node::server::Answer;
use sanstls_node::{
    create_secure_context, create_server, ConnectOptions, SecureContext, SecureContextOptions,
    ServerOptions,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client_options(port: u16, servername: &str, ca: &Pki) -> ConnectOptions {
    ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        servername: Some(servername.into()),
        context: SecureContextOptions {
            ca: Some(vec![ca.cert_pem.clone()]),
            ..Default::default()
        },
        ..Default::default()
    }
}

type SniRequest = (String, Answer<Option<SecureContext>>);

#[tokio::test(flavor = "current_thread")]
async fn an_sni_callback_answered_by_another_task_completes_on_a_single_thread() {
    let (main, other) = (
        Pki::new("hooks-main", "localhost"),
        Pki::new("hooks-other", "other.test"),
    );
    // The callback only hands the question to a task (Node: `cb` called later).
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<SniRequest>();
    let tx = Mutex::new(tx);
    let server = create_server(
        ServerOptions {
            context: context(&main),
            sni_callback: Some(Arc::new(move |name: &str, answer| {
                let _ = tx.lock().unwrap().send((name.to_string(), answer));
            })),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let other_context = create_secure_context(&context(&other)).unwrap();
    // The lookup service: answers after an await (a database, DNS...).
    let lookups = tokio::spawn(async move {
        let mut names = Vec::new();
        while let Some((name, answer)) = rx.recv().await {
            tokio::time::sleep(Duration::from_millis(50)).await;
            names.push(name.clone());
            answer.answer((name == "other.test").then(|| other_context.clone()));
        }
        names
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    let serving = async {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut s = server.accept_tokio(tcp).await.unwrap();
        assert_eq!(s.servername().as_deref(), Some("other.test"));
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        s.write_all(&buf).await.unwrap();
        s.shutdown().await.unwrap();
    };
    let client = async {
        let mut c = connect(&client_options(port, "other.test", &other))
            .await
            .unwrap();
        assert!(c.authorized());
        let cert = c.get_peer_certificate(false).unwrap();
        assert_eq!(cert.subject.get("CN").unwrap().values(), ["other.test"]);
        c.write_all(b"ping").await.unwrap();
        let mut back = Vec::new();
        c.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, b"ping");
    };
    tokio::time::timeout(Duration::from_secs(10), async {
        tokio::join!(serving, client)
    })
    .await
    .expect("the handshake stalled");
    // Promptly: the 50 ms lookup, not the 120 s handshake timeout.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(server);
    lookups.abort();
}

#[tokio::test(flavor = "current_thread")]
async fn an_sni_callback_that_never_answers_fails_at_the_handshake_timeout() {
    let main = Pki::new("hooks-silent", "localhost");
    let kept = Arc::new(Mutex::new(Vec::new()));
    let keep = kept.clone();
    let server = create_server(
        ServerOptions {
            context: context(&main),
            handshake_timeout: Duration::from_millis(300),
            sni_callback: Some(Arc::new(move |_: &str, answer| {
                keep.lock().unwrap().push(answer);
            })),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = errors.clone();
    server.on_tls_client_error(move |e, _| seen.lock().unwrap().push(e.code));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    let serving = async {
        let (tcp, _) = listener.accept().await.unwrap();
        server.accept_tokio(tcp).await.unwrap_err()
    };
    let options = client_options(port, "localhost", &main);
    let client = connect(&options);
    let (served, _) = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::join!(serving, client)
    })
    .await
    .expect("the handshake timeout did not fire");
    assert_eq!(served.code, "ERR_TLS_HANDSHAKE_TIMEOUT");
    assert_eq!(*errors.lock().unwrap(), ["ERR_TLS_HANDSHAKE_TIMEOUT"]);
    assert!(started.elapsed() >= Duration::from_millis(250));
}

/// The session store answered by another task (Node's `resumeSession` with a lookup):
/// the second connection resumes, on one thread.
#[tokio::test(flavor = "current_thread")]
async fn resume_session_answered_by_another_task_resumes() {
    let main = Pki::new("hooks-resume", "localhost");
    let server = create_server(
        ServerOptions {
            context: SecureContextOptions {
                max_version: Some("TLSv1.2".into()),
                ..context(&main)
            },
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let store = Arc::new(Mutex::new(
        std::collections::HashMap::<Vec<u8>, Vec<u8>>::new(),
    ));
    let put = store.clone();
    server.on_new_session(move |id, data| {
        put.lock().unwrap().insert(id.to_vec(), data.to_vec());
    });
    type Lookup = (Vec<u8>, Answer<Option<Vec<u8>>>);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Lookup>();
    let tx = Mutex::new(tx);
    server.on_resume_session(move |id, answer| {
        let _ = tx.lock().unwrap().send((id.to_vec(), answer));
    });
    let get = store.clone();
    let lookups = tokio::spawn(async move {
        while let Some((id, answer)) = rx.recv().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
            answer.answer(get.lock().unwrap().get(&id).cloned());
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut session = None;
    for round in 0..2 {
        let serving = async {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut s = server.accept_tokio(tcp).await.unwrap();
            let reused = s.is_session_reused();
            s.shutdown().await.unwrap();
            reused
        };
        let options = ConnectOptions {
            session: session.clone(),
            ..client_options(port, "localhost", &main)
        };
        let client = async {
            let mut c = connect(&options).await.unwrap();
            let mut rest = Vec::new();
            let _ = c.read_to_end(&mut rest).await;
            (c.is_session_reused(), c.get_session())
        };
        let (reused, (client_reused, next)) =
            tokio::time::timeout(Duration::from_secs(10), async {
                tokio::join!(serving, client)
            })
            .await
            .expect("stalled");
        assert_eq!(reused, round == 1, "round {round}");
        assert_eq!(client_reused, round == 1, "round {round}");
        session = next;
    }
    assert_eq!(store.lock().unwrap().len(), 1);
    lookups.abort();
}

/// A Node client against `serve_tokio` with an SNI lookup answered by another task: Node
/// gets the looked-up certificate, authorized, and the server's answer.
#[tokio::test(flavor = "current_thread")]
async fn a_node_client_gets_the_context_an_async_sni_lookup_chose() {
    let (main, other) = (
        Pki::new("hooks-node-main", "localhost"),
        Pki::new("hooks-node-other", "other.test"),
    );
    let other_context = create_secure_context(&context(&other)).unwrap();
    let server = create_server(
        ServerOptions {
            context: context(&main),
            sni_callback: Some(Arc::new(move |name: &str, answer| {
                let found = (name == "other.test").then(|| other_context.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    answer.answer(found);
                });
            })),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let serving = tokio::spawn(server.serve_tokio(listener, |mut s| async move {
        let mut b = [0u8; 2];
        if s.read_exact(&mut b).await.is_ok() {
            let _ = s.write_all(b"sni ok").await;
        }
        let _ = s.shutdown().await;
    }));
    let ca = other.cert_path();
    let line = tokio::task::spawn_blocking(move || {
        let mut child = common::node(
            include_str!("node/sni_client.js"),
            &[&port, "other.test", &ca],
        );
        let line = common::first_line(&mut child);
        std::thread::spawn(move || child.wait());
        line
    });
    let line = tokio::time::timeout(Duration::from_secs(20), line)
        .await
        .expect("stalled")
        .unwrap();
    let printed: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(printed["cn"], "other.test", "{line}");
    assert_eq!(printed["authorized"], true);
    assert_eq!(printed["data"], "sni ok");
    serving.abort();
}
