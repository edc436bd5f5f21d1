//! The env strategy, for one-off runs: authorization codes a person obtained outside the run,
//! supplied through an environment variable. Each entry is the redirect URL the browser ended at
//! (code and state read from it) or a bare code; each scenario that needs an authorization gets
//! one entry, and the run admits only as many such scenarios as there are entries.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Context, redirect_from_url};
use crate::contract::checks::Redirect;
use crate::secret;

#[derive(Debug)]
pub struct Codes {
    var: String,
    total: usize,
    entries: Mutex<VecDeque<Redirect>>,
    admitted: AtomicUsize,
}

impl Codes {
    pub fn new(cx: &Context<'_>, var: &str) -> Result<Self, String> {
        let value = (cx.env)(var).ok_or_else(|| {
            format!(
                "{}: codes_env names the environment variable {var}, which is not set; export \
                 the redirect URLs (or codes) of authorizations completed for client {} \
                 (separated by spaces or new lines)",
                cx.at, cx.provider
            )
        })?;
        let mut entries = VecDeque::new();
        for (i, entry) in value.split_whitespace().enumerate() {
            let redirect = if entry.contains("://") {
                redirect_from_url(entry)
                    .filter(|r| r.code.is_some())
                    .ok_or_else(|| {
                        format!(
                            "{}: entry {} of ${var} is a URL without a code parameter",
                            cx.at,
                            i + 1
                        )
                    })?
            } else {
                secret::register(entry);
                Redirect {
                    location: cx.redirect_uri.to_owned(),
                    code: Some(entry.to_owned()),
                    ..Redirect::default()
                }
            };
            entries.push_back(redirect);
        }
        if entries.is_empty() {
            return Err(format!(
                "{}: ${var} holds no code; export at least one redirect URL or code",
                cx.at
            ));
        }
        Ok(Self {
            var: var.to_owned(),
            total: entries.len(),
            entries: Mutex::new(entries),
            admitted: AtomicUsize::new(0),
        })
    }

    pub fn var(&self) -> &str {
        &self.var
    }

    /// Promises one entry to a scenario; the reason it must be skipped when none is left.
    pub fn admit(&self) -> Option<String> {
        let n = self.admitted.fetch_add(1, Ordering::SeqCst);
        (n >= self.total).then(|| {
            format!(
                "needs an authorization code of its own (@needs-authorization); the {} code(s) \
                 in ${} went to other scenarios: supply more, or select fewer with --tags",
                self.total, self.var
            )
        })
    }

    /// The next entry.
    pub fn take(&self) -> Result<Redirect, String> {
        self.entries.lock().unwrap().pop_front().ok_or_else(|| {
            format!(
                "every code in ${} is used; each authorization needs one of its own",
                self.var
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_urls_or_codes_and_admit_one_scenario_each() {
        let env =
            |_: &str| Some("https://app.example/cb?code=c0de-one&state=s1\n c0de-two ".to_owned());
        let cx = Context {
            at: "t.toml",
            dir: std::path::Path::new("."),
            provider: "x",
            redirect_uri: "https://app.example/cb",
            env: &env,
        };
        let codes = Codes::new(&cx, "CODES").unwrap();
        assert!(codes.admit().is_none() && codes.admit().is_none());
        assert!(codes.admit().unwrap().contains("$CODES"));
        let first = codes.take().unwrap();
        assert_eq!(
            (first.code.as_deref(), first.state.as_deref()),
            (Some("c0de-one"), Some("s1"))
        );
        assert_eq!(codes.take().unwrap().code.as_deref(), Some("c0de-two"));
        assert!(codes.take().is_err());
        assert!(secret::redact("c0de-two").contains(secret::MASK));

        let unset = |_: &str| None;
        let cx = Context { env: &unset, ..cx };
        assert!(Codes::new(&cx, "CODES").unwrap_err().contains("CODES"));
    }
}
