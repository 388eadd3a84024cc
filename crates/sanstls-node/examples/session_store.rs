//! Node's `newSession` / `resumeSession` backed by an external store, answering
//! asynchronously (here a map behind a thread that answers after a delay, as a network
//! store would):
//!
//! ```sh
//! cargo run -p sanstls-node --example session_store -- --port 8000 --cert cert.pem --key key.pem
//! ```
//!
//! Resume with `openssl s_client -tls1_2 -connect 127.0.0.1:8000 -sess_out s` then
//! `-sess_in s` ("Reused"), or a Node client passing `session: socket.getSession()`.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[path = "common/args.rs"]
mod common;

use sanstls_node::context::SSL_OP_NO_TICKET;
use sanstls_node::{create_server, ServerOptions};

fn run() -> Result<(), String> {
    let mut context = common::context()?;
    // Session ids only (no tickets), so every resumption goes through the store.
    context.secure_options |= SSL_OP_NO_TICKET;
    let mut server = create_server(
        ServerOptions {
            context,
            ..Default::default()
        },
        |mut socket| {
            let reused = socket.is_session_reused();
            let _ = writeln!(socket, "reused: {reused}");
            let _ = socket.end();
        },
    )
    .map_err(|e| e.to_string())?;
    let store: Arc<Mutex<HashMap<Vec<u8>, Vec<u8>>>> = Arc::default();
    let s = Arc::clone(&store);
    server.on_new_session(move |id, data| {
        println!("newSession {}", hex(id));
        if let Ok(mut m) = s.lock() {
            m.insert(id.to_vec(), data.to_vec());
        }
    });
    let s = Arc::clone(&store);
    server.on_resume_session(move |id, answer| {
        let data = s.lock().ok().and_then(|m| m.get(id).cloned());
        println!("resumeSession {} -> {}", hex(id), data.is_some());
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            answer.answer(data);
        });
    });
    let addr = server
        .listen(common::port()?, "127.0.0.1")
        .map_err(|e| e.to_string())?;
    println!("server bound on {addr}");
    common::serve_forever()
}

fn hex(b: &[u8]) -> String {
    b.iter().take(8).map(|x| format!("{x:02x}")).collect()
}

fn main() -> ExitCode {
    common::main_with("session_store", run)
}
