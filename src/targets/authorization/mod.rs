//! How the harness obtains an authorization a user completes, per target: capture the redirect of
//! an auto-approving sandbox, a callback listener for a person at a browser, an external command
//! (a team's own browser automation), codes supplied through an environment variable, or none.
//!
//! Scenarios that need a user-completed authorization carry `@needs-authorization`; those that
//! check the provider's redirect for the harness's own authorization request also carry
//! `@needs-redirect`. [`Authorizer::skip_reason`] says why a target cannot run one.

mod callback;
mod capture;
mod command;
mod supplied;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::contract::checks::Redirect;

pub use capture::{Capture, Hop};

/// The tag of scenarios that need an authorization a user completes.
pub const NEEDS_AUTHORIZATION: &str = "needs-authorization";

/// The tag of scenarios that check the provider's redirect after a user completed an
/// authorization the harness itself requested (its state, its scope, its parameters).
pub const NEEDS_REDIRECT: &str = "needs-redirect";

/// A person gets five minutes for a sign-in (and a KYC check) by default.
const DEFAULT_PERSON_TIMEOUT: Duration = Duration::from_secs(300);
const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// `authorization` in a target file: a strategy's name, or a table with `strategy = NAME` and
/// its keys (read through [`Setting`]). Documented in `docs/target-files.md`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(tag = "strategy", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Strategy {
    #[default]
    RedirectCapture,
    CallbackListener {
        listen: Option<String>,
        timeout_secs: Option<u64>,
    },
    Command {
        command: Vec<String>,
        timeout_secs: Option<u64>,
    },
    Env {
        codes_env: String,
    },
    None,
}

const NAMES: &[&str] = &[
    "redirect-capture",
    "callback-listener",
    "command",
    "env",
    "none",
];

/// The `authorization` key: a name (`"redirect-capture"`) or a table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Setting(pub Strategy);

impl<'de> Deserialize<'de> for Setting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Setting;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a strategy name or a table with strategy = NAME")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Setting, E> {
                let strategy = match name {
                    "redirect-capture" => Strategy::RedirectCapture,
                    "callback-listener" => Strategy::CallbackListener {
                        listen: None,
                        timeout_secs: None,
                    },
                    "none" => Strategy::None,
                    "command" | "env" => {
                        return Err(E::custom(format!(
                            "the {name} strategy needs its keys: write it as a table, \
                             [providers.NAME.authorization] with strategy = \"{name}\" \
                             (see docs/target-files.md)"
                        )));
                    }
                    other => return Err(E::unknown_variant(other, NAMES)),
                };
                Ok(Setting(strategy))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Setting, A::Error> {
                Strategy::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(Setting)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// What a user-completed authorization produced.
#[derive(Clone, Debug)]
pub enum Completed {
    /// The URL the user agent was redirected to (the redirect URI with the provider's query).
    Redirect(Redirect),
    /// A code supplied from outside the run; its state is known only if a redirect URL was
    /// supplied.
    Supplied(Redirect),
}

/// Runs a target's strategy. Cheap to clone; the listener and the supplied codes are shared.
#[derive(Clone, Debug)]
pub struct Authorizer(Arc<Kind>);

#[derive(Debug)]
enum Kind {
    RedirectCapture,
    Callback(callback::Listener),
    Command(command::Command),
    Supplied(supplied::Codes),
    None,
}

impl Default for Authorizer {
    fn default() -> Self {
        Self(Arc::new(Kind::RedirectCapture))
    }
}

/// Where a target file's settings come from, for building an [`Authorizer`].
pub struct Context<'a> {
    /// `FILE: [providers.NAME] authorization`, the prefix of every error.
    pub at: &'a str,
    /// The target file's folder: relative command paths start there.
    pub dir: &'a Path,
    pub provider: &'a str,
    pub redirect_uri: &'a str,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Authorizer {
    /// Checks a strategy's keys and reads what it needs from the environment. Errors name the
    /// key (exit 2).
    pub fn new(strategy: &Strategy, cx: &Context<'_>) -> Result<Self, String> {
        let secs = |key: &str, value: Option<u64>, default: Duration| match value {
            Some(0) => Err(format!("{}: {key} must be at least 1", cx.at)),
            Some(s) => Ok(Duration::from_secs(s)),
            None => Ok(default),
        };
        let kind = match strategy {
            Strategy::RedirectCapture => Kind::RedirectCapture,
            Strategy::None => Kind::None,
            Strategy::CallbackListener {
                listen,
                timeout_secs,
            } => Kind::Callback(callback::Listener::new(
                cx,
                listen.as_deref(),
                secs("timeout_secs", *timeout_secs, DEFAULT_PERSON_TIMEOUT)?,
            )?),
            Strategy::Command {
                command,
                timeout_secs,
            } => Kind::Command(command::Command::new(
                cx,
                command,
                secs("timeout_secs", *timeout_secs, DEFAULT_COMMAND_TIMEOUT)?,
            )?),
            Strategy::Env { codes_env } => Kind::Supplied(supplied::Codes::new(cx, codes_env)?),
        };
        Ok(Self(Arc::new(kind)))
    }

    /// The strategy's name, as a target file spells it.
    pub fn name(&self) -> &'static str {
        match &*self.0 {
            Kind::RedirectCapture => "redirect-capture",
            Kind::Callback(_) => "callback-listener",
            Kind::Command(_) => "command",
            Kind::Supplied(_) => "env",
            Kind::None => "none",
        }
    }

    /// Starts what must run before the first scenario (the callback listener). An error is a
    /// configuration error.
    pub async fn prepare(&self) -> Result<(), String> {
        match &*self.0 {
            Kind::Callback(listener) => listener.start().await,
            _ => Ok(()),
        }
    }

    /// Does the harness itself play the user agent ([`Capture`]: the sandbox signs its test user
    /// in on its own, through redirects the harness follows)?
    pub fn is_direct(&self) -> bool {
        matches!(&*self.0, Kind::RedirectCapture)
    }

    /// Why a scenario with `tags` cannot run against this target, or `None` when it can. For
    /// supplied codes, each admitted scenario is promised one code.
    pub fn skip_reason(&self, tags: &[String]) -> Option<String> {
        let has = |tag: &str| tags.iter().any(|t| t == tag);
        if !has(NEEDS_AUTHORIZATION) && !has(NEEDS_REDIRECT) {
            return None;
        }
        match &*self.0 {
            Kind::RedirectCapture | Kind::Callback(_) | Kind::Command(_) => None,
            Kind::None => Some(
                "needs an authorization a user completes (@needs-authorization); the target's \
                 authorization strategy is \"none\""
                    .to_owned(),
            ),
            Kind::Supplied(codes) if has(NEEDS_REDIRECT) => Some(format!(
                "checks the provider's redirect for the harness's own authorization request \
                 (@needs-redirect); the codes in ${} were obtained outside the run",
                codes.var()
            )),
            Kind::Supplied(codes) => codes.admit(),
        }
    }

    /// Has the user complete an authorization at `authorize_url` and returns the outcome. An
    /// error (no answer in time, the command failed) is an environment error, not a verdict.
    pub async fn complete(&self, provider: &str, authorize_url: &str) -> Result<Completed, String> {
        match &*self.0 {
            Kind::Callback(listener) => listener
                .complete(provider, authorize_url)
                .await
                .map(Completed::Redirect),
            Kind::Command(command) => command
                .complete(authorize_url)
                .await
                .map(Completed::Redirect),
            Kind::Supplied(codes) => codes.take().map(Completed::Supplied),
            Kind::RedirectCapture => Err(
                "redirect-capture reads the authorize answer itself; nothing to complete"
                    .to_owned(),
            ),
            Kind::None => Err("the target's authorization strategy is \"none\"".to_owned()),
        }
    }
}

/// `code`, `state` and `error` from the query of a URL the user agent was redirected to; the code
/// is registered as a secret at once.
pub fn redirect_from_url(location: &str) -> Option<Redirect> {
    let redirect = Redirect::from_location(location)?;
    if let Some(code) = &redirect.code {
        crate::secret::register(code);
    }
    Some(redirect)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        authorization: Setting,
    }

    fn parse(text: &str) -> Result<Strategy, String> {
        toml::from_str::<Entry>(text)
            .map(|e| e.authorization.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_strategy_is_a_name_or_a_table() {
        assert_eq!(
            parse("authorization = \"redirect-capture\"").unwrap(),
            Strategy::RedirectCapture
        );
        assert_eq!(parse("authorization = \"none\"").unwrap(), Strategy::None);
        assert_eq!(
            parse("[authorization]\nstrategy = \"callback-listener\"\nlisten = \"127.0.0.1:8765\"")
                .unwrap(),
            Strategy::CallbackListener {
                listen: Some("127.0.0.1:8765".to_owned()),
                timeout_secs: None
            }
        );
        assert_eq!(
            parse("[authorization]\nstrategy = \"env\"\ncodes_env = \"CODES\"").unwrap(),
            Strategy::Env {
                codes_env: "CODES".to_owned()
            }
        );
    }

    #[test]
    fn unknown_names_and_keys_are_refused_with_a_hint() {
        let e = parse("authorization = \"browser\"").unwrap_err();
        assert!(e.contains("callback-listener"), "{e}");
        let e = parse("[authorization]\nstrategy = \"env\"\ncode_env = \"X\"").unwrap_err();
        assert!(e.contains("code_env"), "{e}");
        let e = parse("authorization = \"command\"").unwrap_err();
        assert!(e.contains("table"), "{e}");
    }

    #[test]
    fn a_redirect_url_gives_code_state_and_error() {
        let r = redirect_from_url("https://app.example/cb?code=abcd1&state=s1").unwrap();
        assert_eq!(r.code.as_deref(), Some("abcd1"));
        assert_eq!(r.state.as_deref(), Some("s1"));
        let r = redirect_from_url("https://app.example/cb?error=access_denied").unwrap();
        assert_eq!(r.error.as_deref(), Some("access_denied"));
        assert!(redirect_from_url("not a url").is_none());
    }

    /// The tags are what skips a scenario, so they must not drift from the steps: a scenario
    /// whose steps need a user-completed authorization carries `@needs-authorization`, and one
    /// that checks that redirect also `@needs-redirect`.
    #[test]
    fn every_feature_tags_the_authorizations_its_steps_need() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("features");
        let mut problems = Vec::new();
        for f in crate::contract::features::load(&crate::contract::embedded::Source::Folder(dir))
            .unwrap()
        {
            for (rule, sc) in crate::contract::features::scenarios(&f) {
                let tags = crate::contract::features::merged_tags(&f, rule, sc);
                let has = |t: &str| tags.iter().any(|x| x == t);
                let steps: Vec<&str> = f
                    .background
                    .iter()
                    .chain(rule.and_then(|r| r.background.as_ref()))
                    .flat_map(|b| b.steps.iter())
                    .chain(sc.steps.iter())
                    .map(|s| s.value.as_str())
                    .collect();
                let authorizes = steps
                    .iter()
                    .any(|s| s.starts_with("the user has authorized the client"));
                let checks_redirect =
                    steps.contains(&"the provider redirects to the callback with a code");
                let at = format!("{}: {}", f.name, sc.name);
                if (authorizes || checks_redirect || has(NEEDS_REDIRECT))
                    && !has(NEEDS_AUTHORIZATION)
                {
                    problems.push(format!("{at}: tag it @{NEEDS_AUTHORIZATION}"));
                }
                if checks_redirect && !has(NEEDS_REDIRECT) {
                    problems.push(format!("{at}: tag it @{NEEDS_REDIRECT}"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
