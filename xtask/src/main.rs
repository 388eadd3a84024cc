//! Project automation: `cargo xtask <command>`.
//!
//! - `vectors [--check]`: copy the reference vectors from `../shared/vectors/` into
//!   `vectors/` (or, with `--check`, fail if the committed copy differs from the source).
//! - `pki-fixtures [SET]`: regenerate `vectors/pki/<set>/` with its `gen.sh`.
//! - `bench [--quick] [--json FILE] [FILTER]`: sanstls against rustls, in one process
//!   (`crates/sanstls/benches/versus`, built with the release profile); see
//!   docs/performance.md.
//! - `load [--quick] [--clients N] [--repeats R] [--json FILE]`: the mio echo server on
//!   the engine and on rustls, each in its own process on 127.0.0.1, under N concurrent
//!   clients and N idle connections (`crates/sanstls/benches/load`, release profile); see
//!   docs/performance.md, *Under load*.
//! - `fleet [--quick] [--clients N] [--debug]`: builds the `sanstls` CLI (release; with
//!   `--debug`, the dev profile, as CI runs it), then runs its own `redis-server` and four
//!   `sanstls server --workers 4` processes sharing ticket keys and a Redis session store,
//!   and resumes sessions across them before and after a ticket key rotation
//!   (`crates/sanstls/benches/fleet.rs`); see docs/deployment.md, *Checking a fleet*.
//!
//! Interop against OpenSSL, GnuTLS, Node, Python and rustls runs in `cargo test` (the
//! engine's `*_interop` tests, the CLI's and the facade's), not here.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The vector sets copied from the shared reference data, by directory name.
const VECTOR_SETS: &[&str] = &["rfc8448"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("vectors") => vectors(args.iter().any(|a| a == "--check")),
        Some("pki-fixtures") => pki_fixtures(args.get(1).map(String::as_str)),
        Some("bench") => bench("versus", &args[1..], false),
        Some("load") => bench("load", &args[1..], false),
        Some("fleet") => fleet(&args[1..]),
        _ => Err(
            "usage: cargo xtask <vectors [--check] | pki-fixtures [SET] | \
             bench [--quick] [--json FILE] [FILTER] | \
             load [--quick] [--clients N] [--repeats R] [--json FILE] | \
             fleet [--quick] [--clients N] [--debug]>"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the benchmark binary `name` (`versus`, `load` or `fleet`) with `args`: it prints the
/// table (and writes the JSON). `debug`: built as `fleet --debug` builds it (see [`fleet`])
/// rather than with the `bench` profile.
fn bench(name: &str, args: &[String], debug: bool) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    // `cargo bench` runs the binary in the package's directory: a relative `--json` path
    // is made absolute here, relative to where `cargo xtask` was run.
    let cwd = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
    let mut args = args.to_vec();
    if let Some(i) = args.iter().position(|a| a == "--json") {
        if let Some(path) = args.get_mut(i + 1) {
            *path = cwd.join(&*path).display().to_string();
        }
    }
    let package: &[&str] = match debug {
        true => &["--profile", "dev", "--workspace"],
        false => &["-p", "sanstls"],
    };
    let status = std::process::Command::new(cargo)
        .args(["bench", "--quiet"])
        .args(package)
        .args(["--bench", name, "--"])
        .args(&args)
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("running cargo bench: {e}"))?;
    match status.success() {
        true => Ok(()),
        false => Err(format!("the benchmark failed: {status}")),
    }
}

/// Builds the `sanstls` CLI with the release profile and runs the `fleet` bench against
/// it. With `--debug`, both use the dev profile and the whole workspace's features, i.e.
/// what `cargo test --workspace` has just built: CI (.ci/run) checks the fleet without a
/// release build of the tree (minutes on its 2 cores). The fleet checks resumption, not
/// speed, so the profile does not change what it checks.
fn fleet(args: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let root = workspace_root();
    let debug = args.iter().any(|a| a == "--debug");
    // `--workspace` with the bench (a target that needs dev-dependencies) resolves features
    // as `cargo test --workspace` does (the engine's test hooks, the facade's tokio), so
    // after it only the bench is built (cargo's unit graphs agree); `-p sanstls-cli` alone
    // would build other variants of the workspace's crates.
    let (profile_dir, build): (_, &[&str]) = match debug {
        true => (
            "debug",
            &["--workspace", "--bin", "sanstls", "--bench", "fleet"],
        ),
        false => ("release", &["--release", "-p", "sanstls-cli"]),
    };
    let status = std::process::Command::new(&cargo)
        .args(["build", "--quiet"])
        .args(build)
        .current_dir(&root)
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("building the sanstls CLI failed: {status}"));
    }
    // A relative CARGO_TARGET_DIR is relative to where cargo was run.
    let cwd = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|t| cwd.join(t))
        .unwrap_or_else(|| root.join("target"));
    let binary = target.join(profile_dir).join("sanstls");
    if !binary.is_file() {
        return Err(format!("no sanstls binary at {}", binary.display()));
    }
    let mut args: Vec<String> = args.iter().filter(|a| *a != "--debug").cloned().collect();
    args.extend(["--sanstls".to_string(), binary.display().to_string()]);
    bench("fleet", &args, debug)
}

fn workspace_root() -> PathBuf {
    // xtask/ sits directly under the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Regenerates the PKI fixtures: runs `vectors/pki/<set>/gen.sh` (with the `openssl`
/// command) in its own directory, for every set or only `only`. The outputs are committed;
/// tests read them and never call the scripts.
fn pki_fixtures(only: Option<&str>) -> Result<(), String> {
    let dir = workspace_root().join("vectors/pki");
    let mut sets: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("gen.sh").is_file())
        .filter(|p| only.is_none_or(|o| p.file_name().is_some_and(|n| n == o)))
        .collect();
    sets.sort();
    if sets.is_empty() {
        return Err(format!(
            "no fixture set with a gen.sh under {}",
            dir.display()
        ));
    }
    for set in sets {
        println!("pki-fixtures: {}", set.display());
        let status = std::process::Command::new("bash")
            .arg("gen.sh")
            .current_dir(&set)
            .status()
            .map_err(|e| format!("running {}/gen.sh: {e}", set.display()))?;
        if !status.success() {
            return Err(format!("{}/gen.sh failed: {status}", set.display()));
        }
    }
    Ok(())
}

fn vectors(check: bool) -> Result<(), String> {
    let root = workspace_root();
    let shared = root.join("../shared/vectors");
    if !shared.is_dir() {
        return Err(format!("source vectors not found at {}", shared.display()));
    }
    let mut differences = Vec::new();
    for set in VECTOR_SETS {
        let src_dir = shared.join(set);
        let dst_dir = root.join("vectors").join(set);
        let mut names: Vec<_> = fs::read_dir(&src_dir)
            .map_err(|e| format!("reading {}: {e}", src_dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        names.sort();
        for name in names {
            let src = src_dir.join(&name);
            let dst = dst_dir.join(&name);
            let want = fs::read(&src).map_err(|e| format!("reading {}: {e}", src.display()))?;
            // README.md is ours (it says what our tests do with the data); only the data is
            // copied over.
            if name == "README.md" {
                continue;
            }
            let have = fs::read(&dst).ok();
            if have.as_deref() == Some(&want[..]) {
                continue;
            }
            if check {
                differences.push(dst.display().to_string());
            } else {
                fs::create_dir_all(&dst_dir)
                    .map_err(|e| format!("creating {}: {e}", dst_dir.display()))?;
                fs::write(&dst, &want).map_err(|e| format!("writing {}: {e}", dst.display()))?;
                println!("updated {}", dst.display());
            }
        }
    }
    if differences.is_empty() {
        println!("vectors: up to date");
        Ok(())
    } else {
        Err(format!(
            "vectors differ from ../shared/vectors: {}",
            differences.join(", ")
        ))
    }
}
