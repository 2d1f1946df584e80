//! `ti mock` as a child process, for the commands that drive `ti` or a client against it (`bench`,
//! `bench --pipeline`, `drift-loop`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

/// A running `ti mock`, stopped when dropped, however the caller ends.
pub(crate) struct Mock {
    child: Child,
    base_url: String,
}

impl Mock {
    /// Starts `ti mock --port 0 ARGS` and waits for the base URL it prints first on stdout (the
    /// port the OS gave it: no port is bound, dropped and bound again).
    pub(crate) fn start(ti: &Path, args: &[&str]) -> Result<Self> {
        let mut child = Command::new(ti)
            .args(["mock", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting ti mock")?;
        let mut line = String::new();
        let stdout = child.stdout.take().context("ti mock's stdout")?;
        BufReader::new(stdout).read_line(&mut line)?;
        let base_url = line.trim().to_owned();
        if !base_url.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            let _ = child.wait();
            bail!("ti mock did not print its base URL (got {line:?})");
        }
        Ok(Self { child, base_url })
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `ti ARGS` against this mock, with its token and no tenant from the environment.
    pub(crate) fn ti(&self, ti: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(ti);
        command
            .args(args)
            .env_remove("TI_TENANT")
            .env("TI_BASE_URL", &self.base_url)
            .env("TI_API_KEY", "ti-demo-token");
        command
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
