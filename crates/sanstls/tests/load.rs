//! `cargo xtask load` runs: its driver with both servers in threads of this process, 20
//! clients, one repeat. Nothing is timed here: the rows must be well formed (the five
//! scenarios, finite medians, the idle row in bytes) and every client must have had its
//! handshake and its echo, or the run fails.

#![allow(clippy::disallowed_methods)] // the load's clients read the clock

#[path = "../examples/common/args.rs"]
mod args;
#[path = "../benches/load/client.rs"]
mod client;
#[path = "../benches/load/driver.rs"]
#[allow(dead_code)] // what only the bench binary uses (its table, its limits)
mod driver;
#[path = "../examples/mio_server/echo.rs"]
mod echo;
#[path = "../benches/load/rustls_echo.rs"]
mod rustls_echo;

#[test]
fn load_runs_both_servers_and_writes_well_formed_rows() {
    let settings = driver::Settings {
        clients: 20,
        repeats: 1,
        spawn: driver::Spawn::Thread,
    };
    let rows = driver::run(&settings).expect("the load runs");
    assert_eq!(rows.len(), 5);
    for row in &rows {
        assert!(row.scenario.starts_with("load"), "{row:?}");
        assert!(row.sanstls.is_finite() && row.rustls.is_finite(), "{row:?}");
        if row.unit == "bytes" {
            assert!(row.scenario.contains("idle"), "{row:?}");
        } else {
            // Rates, latencies and CPU time of a run that happened are positive.
            assert!(row.sanstls > 0.0 && row.rustls > 0.0, "{row:?}");
            assert!(row.ratio.is_finite() && row.ratio > 0.0, "{row:?}");
        }
    }
    assert_eq!(rows.iter().filter(|r| r.unit == "bytes").count(), 1);
    let json = driver::json(&rows);
    assert!(json.starts_with("[\n") && json.ends_with("\n]\n"), "{json}");
    let lines: Vec<&str> = json
        .lines()
        .filter(|l| l.contains("\"scenario\""))
        .collect();
    assert_eq!(lines.len(), 5, "{json}");
    for line in lines {
        for key in [
            "\"sanstls\": ",
            "\"rustls\": ",
            "\"ratio\": ",
            "\"unit\": \"",
        ] {
            assert!(line.contains(key), "{line}");
        }
        assert!(
            !line.contains("null") || line.contains("\"unit\": \"bytes\""),
            "{line}"
        );
    }
}
