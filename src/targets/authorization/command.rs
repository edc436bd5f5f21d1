//! The command strategy: an external program (a team's own browser automation) receives the
//! authorize URL, completes the provider's sign-in, and prints the URL the browser ended at. One
//! authorization at a time.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use super::{Context, redirect_from_url};
use crate::contract::checks::Redirect;
use crate::secret;

/// The variables the command receives besides its last argument.
pub const AUTHORIZE_URL_VAR: &str = "IDP_CONFORMANCE_AUTHORIZE_URL";
pub const REDIRECT_URI_VAR: &str = "IDP_CONFORMANCE_REDIRECT_URI";

/// How many lines of the command's stderr a failure shows.
const STDERR_LINES: usize = 8;

#[derive(Debug)]
pub struct Command {
    program: PathBuf,
    args: Vec<String>,
    /// The target file's folder: the command runs there.
    dir: PathBuf,
    redirect_uri: String,
    timeout: Duration,
    turn: tokio::sync::Mutex<()>,
}

impl Command {
    pub fn new(cx: &Context<'_>, argv: &[String], timeout: Duration) -> Result<Self, String> {
        let Some((program, args)) = argv.split_first() else {
            return Err(format!(
                "{}: command is empty; name the program and its arguments, e.g. \
                 command = [\"node\", \"login.js\"]",
                cx.at
            ));
        };
        // A path with a folder in it is relative to the target file; a bare name is looked up
        // on PATH.
        let program = if program.contains('/') {
            cx.dir.join(program)
        } else {
            PathBuf::from(program)
        };
        Ok(Self {
            program,
            args: args.to_vec(),
            dir: cx.dir.to_path_buf(),
            redirect_uri: cx.redirect_uri.to_owned(),
            timeout,
            turn: tokio::sync::Mutex::new(()),
        })
    }

    /// Runs the command with `authorize_url` as its last argument and reads the redirect URL from
    /// the last non-empty line of its standard output.
    pub async fn complete(&self, authorize_url: &str) -> Result<Redirect, String> {
        let _turn = self.turn.lock().await;
        let shown = self.program.display();
        let child = tokio::process::Command::new(&self.program)
            .args(&self.args)
            .arg(authorize_url)
            .current_dir(&self.dir)
            .env(AUTHORIZE_URL_VAR, authorize_url)
            .env(REDIRECT_URI_VAR, &self.redirect_uri)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start the authorization command {shown}: {e}"))?;
        let output = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Ok(Ok(output)) => output,
            Ok(Err(e)) => return Err(format!("the authorization command {shown} failed: {e}")),
            Err(_) => {
                return Err(format!(
                    "the authorization command {shown} printed no redirect URL within {} s \
                     (stopped); raise timeout_secs if the sign-in takes longer",
                    self.timeout.as_secs()
                ));
            }
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(STDERR_LINES).collect();
        let tail: String = tail.into_iter().rev().collect::<Vec<_>>().join("\n  ");
        if !output.status.success() {
            return Err(secret::redact(&format!(
                "the authorization command {shown} exited with {}; its stderr ends:\n  {tail}",
                output.status
            )));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let last = stdout
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or_default();
        redirect_from_url(last).ok_or_else(|| {
            secret::redact(&format!(
                "the authorization command {shown} must print the URL the browser was \
                 redirected to (starting with {}) as its last line; it printed {last:?}",
                self.redirect_uri
            ))
        })
    }
}
