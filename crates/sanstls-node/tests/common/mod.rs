//! Helpers the facade's integration tests share: certificates made by openssl, and `node`.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A self-signed P-256 certificate for `name` (CN and DNS SAN), made by openssl, in a
/// temporary directory removed on drop.
pub struct Pki {
    pub dir: PathBuf,
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
}

impl Pki {
    pub fn new(tag: &str, name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sanstls-node-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("openssl (.ci/run installs it)");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let subj = format!("/CN={name}");
        let san = format!("subjectAltName=DNS:{name}");
        run(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-subj",
            &subj,
            "-addext",
            &san,
        ]);
        let cert_der = run(&["x509", "-in", "cert.pem", "-outform", "DER"]);
        let key_der = run(&[
            "pkcs8", "-topk8", "-nocrypt", "-in", "key.pem", "-outform", "DER",
        ]);
        Self {
            cert_pem: std::fs::read(dir.join("cert.pem")).unwrap(),
            key_pem: std::fs::read(dir.join("key.pem")).unwrap(),
            dir,
            cert_der,
            key_der,
        }
    }

    pub fn cert_path(&self) -> String {
        self.dir.join("cert.pem").to_string_lossy().into_owned()
    }

    pub fn key_path(&self) -> String {
        self.dir.join("key.pem").to_string_lossy().into_owned()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `node -e script ARGS` with stdout piped; the script exits after 20 s whatever
/// happens, so a stuck test fails instead of hanging.
pub fn node(script: &str, args: &[&str]) -> Child {
    let script = format!("setTimeout(() => process.exit(3), 20000).unref(); {script}");
    Command::new("node")
        .arg("-e")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node (.ci/run installs it)")
}

/// The first line the child prints.
pub fn first_line(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim().to_string()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
