//! The examples' command line: `--name value` pairs, and reading files.

#![allow(dead_code)]

/// The value after `--name`, the last one if repeated.
pub(crate) fn arg(name: &str) -> Option<String> {
    args(name).pop()
}

/// Every value given after `--name`.
pub(crate) fn args(name: &str) -> Vec<String> {
    let all: Vec<String> = std::env::args().collect();
    all.windows(2)
        .filter(|w| w[0] == name)
        .map(|w| w[1].clone())
        .collect()
}

/// A file's bytes, or an error naming it.
pub(crate) fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

/// `--port P` (default 8000).
pub(crate) fn port() -> Result<u16, String> {
    arg("--port")
        .unwrap_or_else(|| "8000".into())
        .parse()
        .map_err(|_| "--port expects a number".into())
}

/// The `--cert`/`--key` pair as context options.
pub(crate) fn context() -> Result<sanstls_node::SecureContextOptions, String> {
    let cert = read(&arg("--cert").ok_or("--cert FILE is required")?)?;
    let key = read(&arg("--key").ok_or("--key FILE is required")?)?;
    Ok(sanstls_node::SecureContextOptions {
        key: vec![sanstls_pki::keys::KeyInput::new(key)],
        cert: vec![cert],
        ..Default::default()
    })
}

/// Runs `f`, printing its error and exiting with status 1 on failure.
pub(crate) fn main_with(
    name: &str,
    f: impl FnOnce() -> Result<(), String>,
) -> std::process::ExitCode {
    match f() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Keeps a server running until the process is stopped.
pub(crate) fn serve_forever() -> ! {
    loop {
        std::thread::park();
    }
}
