//! An echo server on tokio (`Server::serve_tokio`) with an asynchronous SNI lookup,
//! serving many concurrent clients in the same process over loopback on a two-worker
//! runtime: every client gets its echo, nothing stalls, within its own time bound.
//!
//! `ECHO_CLIENTS` sets how many (default 1000); the certificates are ECDSA P-256.

// Tests time the handshakes they bound (the clock rule is for library code).
#![allow(clippy::disallowed_methods)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
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

fn clients() -> usize {
    std::env::var("ECHO_CLIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

type SniRequest = (String, Answer<Option<SecureContext>>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echo_server_serves_a_thousand_concurrent_clients_with_an_async_sni_lookup() {
    let n = clients();
    let p = Pki::new("echo", "echo.test");
    let echo_context = create_secure_context(&context(&p)).unwrap();
    // The SNI lookup is a service task that answers after an await.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<SniRequest>();
    let tx = Mutex::new(tx);
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = lookups.clone();
    tokio::spawn(async move {
        while let Some((name, answer)) = rx.recv().await {
            let ctx = echo_context.clone();
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                answer.answer((name == "echo.test").then_some(ctx));
            });
        }
    });
    let server = create_server(
        ServerOptions {
            // The default context is another certificate: only the lookup's is trusted.
            context: context(&Pki::new("default", "localhost")),
            sni_callback: Some(Arc::new(move |name: &str, answer| {
                let _ = tx.lock().unwrap().send((name.to_string(), answer));
            })),
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let serving = tokio::spawn(server.serve_tokio(listener, |mut s| async move {
        let mut buf = [0u8; 1024];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(k) => {
                    if s.write_all(&buf[..k]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = s.shutdown().await;
    }));
    let options = ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        servername: Some("echo.test".into()),
        context: SecureContextOptions {
            ca: Some(vec![p.cert_pem.clone()]),
            ..Default::default()
        },
        ..Default::default()
    };
    let started = Instant::now();
    let run = async {
        let mut tasks = Vec::with_capacity(n);
        for i in 0..n {
            let options = options.clone();
            tasks.push(tokio::spawn(async move {
                let mut c = connect(&options).await.map_err(|e| format!("{i}: {e}"))?;
                let msg = format!("hello {i}");
                c.write_all(msg.as_bytes())
                    .await
                    .map_err(|e| e.to_string())?;
                let mut back = vec![0u8; msg.len()];
                c.read_exact(&mut back).await.map_err(|e| e.to_string())?;
                c.shutdown().await.map_err(|e| e.to_string())?;
                match back == msg.as_bytes() && c.authorized() {
                    true => Ok::<(), String>(()),
                    false => Err(format!("{i}: wrong echo")),
                }
            }));
        }
        let mut failures = Vec::new();
        for t in tasks {
            if let Err(e) = t.await.unwrap() {
                failures.push(e);
            }
        }
        failures
    };
    let failures = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the echo server stalled");
    let took = started.elapsed();
    eprintln!("{n} clients served in {took:?}");
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert_eq!(lookups.load(Ordering::SeqCst), n);
    serving.abort();
}
