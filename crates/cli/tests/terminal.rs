//! `ti meetings list` on a terminal: run in a pseudo-terminal of 80 columns, its output rendered
//! by a terminal emulator (vt100), as a person would see it.

use std::io::Read;
use std::time::Duration;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use thoughtindustries_mock::{
    DEMO_TOKEN, Faults, Latency, MockConfig, MockServer, SyntheticOptions, Tenant,
};

/// Runs `ti` with `args` against `base` in an 80x24 pseudo-terminal (stdout and stderr); returns
/// everything it drew.
fn run_in_terminal(base: &str, args: &[&str]) -> Vec<u8> {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(assert_cmd::cargo::cargo_bin("ti"));
    cmd.args(args);
    cmd.env("TI_BASE_URL", base);
    cmd.env("TI_API_KEY", DEMO_TOKEN);
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("TI_TENANT");
    cmd.env_remove("COLUMNS");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let drawn = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut chunk = [0; 8192];
        // EIO once the child has exited and the terminal is closed: the end of the output.
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        bytes
    });
    let status = child.wait().unwrap();
    drop(pair.master);
    let bytes = drawn.join().unwrap();
    assert!(
        status.success(),
        "{status:?}: {}",
        String::from_utf8_lossy(&bytes)
    );
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn all_pages_on_an_80_column_terminal_leave_only_the_table_and_a_summary() {
    let server = MockServer::start(MockConfig {
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 3,
            courses: 4,
            meetings: 200,
        }),
        faults: Faults {
            latency: Some(Latency::Fixed(Duration::from_millis(120))),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let base = server.base_url();
    let bytes = tokio::task::spawn_blocking(move || {
        run_in_terminal(&base, &["meetings", "list", "--all", "--concurrency", "1"])
    })
    .await
    .unwrap();
    let raw = String::from_utf8_lossy(&bytes);
    assert!(
        raw.contains("meetings, page"),
        "the bar was never drawn, so this test proves nothing: {raw}"
    );

    // Rendered on a screen tall enough to hold everything, 80 columns wide like the pty.
    let size = |n| std::num::NonZeroU16::new(n).unwrap();
    let mut terminal = vt100::Parser::new(size(2000), size(80), 0);
    terminal.process(&bytes);
    let screen = terminal.screen();
    let text = screen.contents();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        !text.contains("meetings, page"),
        "a stale progress line:\n{text}"
    );
    assert!(lines[0].starts_with("START"), "{text}");
    assert_eq!(
        *lines.last().unwrap(),
        "ti: 200 meetings on 8 page(s)",
        "{text}"
    );
    for row in 0..2000 {
        assert!(
            !screen.row_wrapped(row),
            "row {row} is wider than the terminal:\n{text}"
        );
    }
    // Every meeting is in the table (its start time is in the first column).
    let rows = lines.iter().filter(|l| l.starts_with("20")).count();
    assert_eq!(rows, 200, "{text}");
}
