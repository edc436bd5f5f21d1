//! Target files (`targets/*.toml`): strict TOML, unknown keys refused, secrets only by the name of
//! the environment variable that holds them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::dialect::DialectTable;
use super::{AppAccess, Target};
use crate::providers::Provider;
use crate::secret::{self, Secret};
use crate::targets::authorization::{self, Authorizer};
use crate::targets::http::{Limits, Tls};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    #[serde(default)]
    settings: Settings,
    #[serde(default)]
    providers: BTreeMap<String, ProviderEntry>,
}

/// `[settings]`: how the one HTTP client of the run behaves. Documented key by key in
/// `docs/target-files.md`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    timeout_secs: Option<u64>,
    connect_timeout_secs: Option<u64>,
    max_body_bytes: Option<usize>,
    /// A PEM file of CA certificates trusted in addition to the system's roots; relative paths
    /// are read from the target file's folder.
    ca_file: Option<PathBuf>,
    /// Accept any TLS certificate. Never the default; logged loudly when set.
    #[serde(default)]
    insecure_skip_tls_verify: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderEntry {
    base_url: String,
    /// Where the authorization endpoint lives when it is not on `base_url`.
    authorize_base_url: Option<String>,
    client_id: String,
    client_secret_env: String,
    redirect_uri: String,
    /// How an authorization a user completes is obtained (default: redirect-capture).
    #[serde(default)]
    authorization: authorization::Setting,
    /// oauth2 only: how the server speaks RFC 6749 (`[providers.oauth2.dialect]`).
    dialect: Option<DialectTable>,
    /// oauth2 only: the server's issuer identifier; its metadata (RFC 8414) fills the dialect.
    issuer: Option<String>,
    /// oauth2 only: where the metadata lives, when not at the issuer's RFC 8414 well-known URI
    /// (OpenID Connect Discovery's `/.well-known/openid-configuration`).
    metadata_url: Option<String>,
    /// A second client registered with the provider, for the scenarios that check a grant is
    /// bound to the client it was issued to: its id, and the variable holding its secret.
    second_client_id: Option<String>,
    second_client_secret_env: Option<String>,
    /// At most this many requests in flight to this target at once (a rate-limited staging).
    max_concurrency: Option<usize>,
    /// SSO v1: the telephone number of a registered test user.
    test_telephone: Option<String>,
    /// SSO v1: the environment variable holding the SMS code the test telephone receives.
    test_sms_code_env: Option<String>,
    /// SSO v1: the telephone number of a second registered user.
    second_test_telephone: Option<String>,
    /// LoginSign: the app id of the app API and developer portal paths.
    app_id: Option<String>,
    /// LoginSign: the environment variable holding the developer portal's session cookie.
    developer_session_cookie_env: Option<String>,
    /// LoginSign: where the harness listens for webhooks (`host:port`).
    webhook_listen: Option<String>,
    /// LoginSign: the environment variable holding the end user's session cookie.
    user_session_cookie_env: Option<String>,
}

/// A target file, read: the targets it names, the limits and the TLS trust it sets.
#[derive(Debug)]
pub struct TargetConfig {
    pub targets: Vec<Target>,
    /// The dialects to build from the servers' metadata, once it is read (`Discovered`).
    pub pending: Vec<Pending>,
    pub limits: Limits,
    pub tls: Tls,
}

/// A target whose dialect waits for its server's metadata: its index in `targets`, the file's
/// dialect table, and the prefix of its errors.
#[derive(Debug)]
pub struct Pending {
    pub index: usize,
    pub table: DialectTable,
    pub at: String,
}

/// Reads and checks a target file (and the CA file it names). Every error names the file and
/// the key to fix.
pub fn load_target_file(path: &Path) -> Result<TargetConfig, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    // Absolute: a command the file names runs in this folder, and a path relative to the
    // file must not be read relative to that folder a second time.
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = std::path::absolute(dir).map_err(|e| format!("{shown}: {e}"))?;
    let mut config = parse_target_file(&shown.to_string(), &dir, &text, |var| {
        std::env::var(var).ok()
    })?;
    if let Some(ca) = config.tls.ca_file.clone() {
        config.tls.extra_roots =
            Tls::load_ca_file(ca).map_err(|e| format!("{shown}: [settings] ca_file: {e}"))?;
    }
    Ok(config)
}

/// Reads a target file's text; `dir` is its folder (relative paths in it start there), `env`
/// looks up the variables that hold the secrets.
fn parse_target_file(
    shown: &str,
    dir: &Path,
    text: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<TargetConfig, String> {
    let file: TargetFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(1);
        // The key of the line, never its value: a secret written inline must not be echoed.
        let line_text = text.lines().nth(line - 1).unwrap_or_default();
        let at = line_text.split('=').next().unwrap_or_default().trim();
        format!(
            "{shown}:{line}: `{at}`: {}; targets/*.example.toml document every key and its type",
            without_value(e.message().trim_end())
        )
    })?;
    if file.providers.is_empty() {
        return Err(format!(
            "{shown}: no [providers.NAME] table; add one per provider to check (known: {})",
            known()
        ));
    }
    let mut targets = Vec::new();
    let mut pending = Vec::new();
    for (name, entry) in file.providers {
        let provider = Provider::parse(&name).ok_or_else(|| {
            format!(
                "{shown}: [providers.{name}]: unknown provider (known: {})",
                known()
            )
        })?;
        for (key, var) in [
            ("client_secret_env", Some(&entry.client_secret_env)),
            ("test_sms_code_env", entry.test_sms_code_env.as_ref()),
            (
                "developer_session_cookie_env",
                entry.developer_session_cookie_env.as_ref(),
            ),
            (
                "user_session_cookie_env",
                entry.user_session_cookie_env.as_ref(),
            ),
            (
                "second_client_secret_env",
                entry.second_client_secret_env.as_ref(),
            ),
        ] {
            if var.is_some_and(|v| !is_env_name(v)) {
                return Err(format!(
                    "{shown}: [providers.{name}] {key} must name an environment variable \
                     (letters, digits and _, e.g. LOSGEHTS_CLIENT_SECRET) that holds the value, \
                     not the value itself; what is written there is not repeated here"
                ));
            }
        }
        let var = &entry.client_secret_env;
        let value = env(var).ok_or_else(|| {
            format!(
                "{shown}: [providers.{name}] client_secret_env names the environment variable \
                 {var}, which is not set; export it (the secret is never written in the file)"
            )
        })?;
        let at = |key: &str| format!("{shown}: [providers.{name}] {key}");
        let base_url = http_url(&at("base_url"), &entry.base_url)?;
        let authorize_base_url = match &entry.authorize_base_url {
            Some(u) => http_url(&at("authorize_base_url"), u)?,
            None => base_url.clone(),
        };
        secret::register_basic(&entry.client_id, &value);
        let test_sms_code = match &entry.test_sms_code_env {
            None => None,
            Some(var) => Some(Secret::new(env(var).ok_or_else(|| {
                format!(
                    "{shown}: [providers.{name}] test_sms_code_env names the environment \
                     variable {var}, which is not set; export the SMS code the test telephone \
                     received, or drop the key to skip the @needs-sms-code scenarios"
                )
            })?)),
        };
        let app = app_access(shown, &name, &entry, &env)?;
        let second_client = match (&entry.second_client_id, &entry.second_client_secret_env) {
            (None, None) => None,
            (Some(id), Some(var)) => {
                if !is_env_name(var) {
                    return Err(format!(
                        "{shown}: [providers.{name}] second_client_secret_env must name an \
                         environment variable that holds the value, not the value itself"
                    ));
                }
                let secret = env(var).ok_or_else(|| {
                    format!(
                        "{shown}: [providers.{name}] second_client_secret_env names the \
                         environment variable {var}, which is not set; export it, or drop both \
                         second_client keys to skip the @needs-second-client scenarios"
                    )
                })?;
                secret::register_basic(id, &secret);
                Some((id.clone(), Secret::new(secret)))
            }
            _ => {
                return Err(format!(
                    "{shown}: [providers.{name}] second_client_id and second_client_secret_env \
                     go together: set both, or neither"
                ));
            }
        };
        let discovery = match (&entry.issuer, &entry.metadata_url) {
            (None, None) => None,
            _ if !provider.dialect_from_target_file() => {
                return Err(format!(
                    "{shown}: [providers.{name}] issuer, metadata_url: only the generic oauth2 \
                     provider reads a server's metadata; {name}'s dialect comes from its document"
                ));
            }
            (None, Some(_)) => {
                return Err(format!(
                    "{shown}: [providers.{name}] metadata_url needs issuer too: the metadata \
                     must name the issuer the file expects (RFC 8414 §3.3)"
                ));
            }
            (Some(issuer), metadata_url) => Some(
                super::Discovery::new(issuer, metadata_url.as_deref())
                    .map_err(|e| format!("{shown}: [providers.{name}] issuer: {e}"))?,
            ),
        };
        let dialect_at = format!("{shown}: [providers.{name}.dialect]");
        let dialect = match entry.dialect {
            Some(table) if discovery.is_some() => {
                pending.push(Pending {
                    index: targets.len(),
                    table,
                    at: dialect_at,
                });
                provider.dialect()
            }
            None if discovery.is_some() => {
                pending.push(Pending {
                    index: targets.len(),
                    table: DialectTable::default(),
                    at: dialect_at,
                });
                provider.dialect()
            }
            None => provider.dialect(),
            Some(table) if provider.dialect_from_target_file() => table.build(&dialect_at, None)?,
            Some(_) => {
                return Err(format!(
                    "{shown}: [providers.{name}.dialect]: only the generic oauth2 provider takes                      a dialect; {name}'s comes from its document"
                ));
            }
        };
        let at = format!("{shown}: [providers.{name}] authorization");
        let authorization = Authorizer::new(
            &entry.authorization.0,
            &authorization::Context {
                at: &at,
                dir,
                provider: &name,
                redirect_uri: &entry.redirect_uri,
                env: &env,
            },
        )?;
        targets.push(Target {
            provider,
            dialect,
            base_url,
            authorize_base_url,
            client_id: entry.client_id,
            client_secret: Secret::new(value),
            redirect_uri: entry.redirect_uri,
            authorization,
            mock_control: false,
            discovery,
            concurrency: match entry.max_concurrency {
                Some(0) => {
                    return Err(format!(
                        "{shown}: [providers.{name}] max_concurrency = 0: give at least 1"
                    ));
                }
                Some(n) => Some(std::sync::Arc::new(tokio::sync::Semaphore::new(n))),
                None => None,
            },
            test_telephone: entry.test_telephone,
            test_sms_code,
            second_telephone: entry.second_test_telephone,
            second_client,
            app,
        });
    }
    let settings = file.settings;
    let mut limits = Limits::default();
    let seconds = |key: &str, value: u64| {
        if value == 0 {
            Err(format!(
                "{shown}: [settings] {key} = 0: give a number of seconds of at least 1"
            ))
        } else {
            Ok(Duration::from_secs(value))
        }
    };
    if let Some(t) = settings.timeout_secs {
        limits.timeout = seconds("timeout_secs", t)?;
    }
    if let Some(t) = settings.connect_timeout_secs {
        limits.connect_timeout = seconds("connect_timeout_secs", t)?;
    }
    if let Some(b) = settings.max_body_bytes {
        limits.max_body_bytes = b;
    }
    let tls = Tls {
        extra_roots: Vec::new(),
        ca_file: settings.ca_file.map(|f| dir.join(f)),
        insecure_skip_verify: settings.insecure_skip_tls_verify,
    };
    Ok(TargetConfig {
        targets,
        pending,
        limits,
        tls,
    })
}

/// The app id, developer session cookie and webhook listen address of an entry, checked.
fn app_access(
    shown: &str,
    name: &str,
    entry: &ProviderEntry,
    env: impl Fn(&str) -> Option<String>,
) -> Result<AppAccess, String> {
    let cookie = |key: &str, var: &Option<String>, whose: &str, tag: &str| match var {
        None => Ok(None),
        Some(var) => {
            let cookie = env(var).ok_or_else(|| {
                format!(
                    "{shown}: [providers.{name}] {key} names the environment variable {var}, \
                     which is not set; export {whose} session cookie (name=value), or drop the \
                     key to skip the @{tag} scenarios"
                )
            })?;
            if !cookie.contains('=') {
                return Err(format!(
                    "{shown}: [providers.{name}] the variable {var} ({key}) must hold the cookie \
                     as name=value, as the browser sends it"
                ));
            }
            Ok(Some(secret::cookie(&cookie)))
        }
    };
    let developer_session = cookie(
        "developer_session_cookie_env",
        &entry.developer_session_cookie_env,
        "the developer portal's",
        "needs-developer-session",
    )?;
    let user_session = cookie(
        "user_session_cookie_env",
        &entry.user_session_cookie_env,
        "the end user's",
        "needs-user-session",
    )?;
    let webhook_listen = match &entry.webhook_listen {
        None => None,
        Some(addr) => Some(addr.parse().map_err(|e| {
            format!(
                "{shown}: [providers.{name}] webhook_listen = \"{addr}\" is not host:port \
                 (e.g. \"127.0.0.1:8787\"): {e}"
            )
        })?),
    };
    Ok(AppAccess {
        app_id: entry.app_id.clone(),
        developer_session,
        webhook_listen,
        user_session,
    })
}

/// A base URL the client can use: http or https, no credentials in it (they would go out as a
/// second Authorization header on every request, "without client authentication" included).
/// The error names the key and never repeats the URL, which may hold a password.
fn http_url(at: &str, text: &str) -> Result<String, String> {
    let text = text.trim_end_matches('/');
    let url = url::Url::parse(text).map_err(|e| format!("{at} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{at} is a {}: URL; the harness speaks HTTP: write an http:// or https:// URL",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{at} carries credentials (a name or password before the host); remove them: the client \
             authenticates with client_id and client_secret_env"
        ));
    }
    Ok(text.to_owned())
}

/// The TOML reader's message without the value it found ("invalid type: string \"…\", expected
/// a table" keeps "invalid type: string, expected a table"): the value may be a secret.
fn without_value(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let kind = rest.split([' ', ',']).next().unwrap_or_default();
            let expected = rest.find(", expected").map_or("", |i| &rest[i..]);
            return format!("{prefix}{kind}{expected}");
        }
    }
    message.to_owned()
}

/// Whether `var` is an environment variable's name (what a `*_env` key holds).
fn is_env_name(var: &str) -> bool {
    let mut chars = var.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn known() -> String {
    Provider::known()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn a_base_url_is_http_without_credentials_and_a_bad_one_is_not_echoed() {
        let secret_env = "IDPC_FILE_TEST_SECRET";
        // SAFETY: the variable is only read by this test's load_target_file.
        unsafe { std::env::set_var(secret_env, "s") };
        let file = |url: &str| {
            write(&format!(
                "[providers.losgehts]\nbase_url = \"{url}\"\nclient_id = \"40\"\n\
                 client_secret_env = \"{secret_env}\"\nredirect_uri = \"http://x/cb\"\n"
            ))
        };
        for bad in ["file:///etc/passwd", "ftp://host", "javascript:alert(1)"] {
            let e = load_target_file(file(bad).path()).unwrap_err();
            assert!(e.contains("base_url is a") && e.contains("http://"), "{e}");
        }
        let e = load_target_file(file("https://user:pa55word@host").path()).unwrap_err();
        assert!(e.contains("base_url carries credentials"), "{e}");
        assert!(!e.contains("pa55word") && !e.contains("user:"), "{e}");
        let ok = load_target_file(file("https://host/base/").path()).unwrap();
        assert_eq!(ok.targets[0].base_url, "https://host/base");
    }

    #[test]
    fn a_secret_written_in_the_file_is_never_echoed() {
        let inline = write(
            "[providers.losgehts]\nbase_url = \"http://x\"\nclient_id = \"40\"\n\
             client_secret = \"hunter2-inline\"\nredirect_uri = \"http://x/cb\"\n",
        );
        let e = load_target_file(inline.path()).unwrap_err();
        assert!(
            e.contains(":4: `client_secret`") && !e.contains("hunter2"),
            "{e}"
        );
        let in_env_key = write(
            "[providers.losgehts]\nbase_url = \"http://x\"\nclient_id = \"40\"\n\
             client_secret_env = \"hunter2+in/the=key\"\nredirect_uri = \"http://x/cb\"\n",
        );
        let e = load_target_file(in_env_key.path()).unwrap_err();
        assert!(
            e.contains("client_secret_env must name") && !e.contains("hunter2"),
            "{e}"
        );
        let numeric = write(
            "[providers.sso_v1]\nbase_url = \"http://x\"\nclient_id = \"40\"\n\
             client_secret_env = \"S\"\nredirect_uri = \"http://x/cb\"\ntest_sms_code_env = 918273\n",
        );
        let e = load_target_file(numeric.path()).unwrap_err();
        assert!(
            e.contains("`test_sms_code_env`: invalid type: integer, expected a string"),
            "{e}"
        );
        assert!(!e.contains("918273"), "{e}");
        assert!(is_env_name("LOSGEHTS_CLIENT_SECRET") && is_env_name("_x1"));
        assert!(!is_env_name("") && !is_env_name("1A") && !is_env_name("a-b"));
    }

    #[test]
    fn unknown_keys_are_refused_with_the_line() {
        let f = write("[providers.losgehts]\nbase_url = \"http://x\"\nclient_idd = \"40\"\n");
        let e = load_target_file(f.path()).unwrap_err();
        assert!(e.contains(":3:") && e.contains("client_idd"), "{e}");
    }

    #[test]
    fn the_sso_v1_example_reads_its_test_user() {
        // SAFETY: the variables are only read by this test's load_target_file.
        unsafe {
            std::env::set_var("SSO_V1_CLIENT_SECRET", "example-secret");
            std::env::set_var("SSO_V1_SMS_CODE", "123456");
        }
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/sso_v1.example.toml");
        let config = load_target_file(&path).unwrap();
        let t = &config.targets[0];
        assert_eq!(t.provider, Provider::named("sso_v1"));
        assert_eq!(t.test_telephone.as_deref(), Some("+4915100000001"));
        assert_eq!(t.test_sms_code.as_ref().map(Secret::expose), Some("123456"));
        assert_eq!(t.second_telephone.as_deref(), Some("+4915100000002"));
    }

    #[test]
    fn the_loginsign_example_reads_its_app_access() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/loginsign.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let env = |v: &str| match v {
            "LOGINSIGN_CLIENT_SECRET" => Some("example-secret".to_owned()),
            "LOGINSIGN_DEVELOPER_SESSION" => Some("sid=example-developer-cookie".to_owned()),
            "LOGINSIGN_USER_SESSION" => Some("uid=example-user-cookie".to_owned()),
            "LOGINSIGN_SECOND_CLIENT_SECRET" => Some("example-second-secret".to_owned()),
            _ => None,
        };
        let config = parse_target_file(
            "loginsign.example.toml",
            std::path::Path::new("."),
            &text,
            env,
        )
        .unwrap();
        let app = &config.targets[0].app;
        assert_eq!(app.app_id.as_deref(), Some("your-app-id"));
        let cookie = app.developer_session.as_ref().map(Secret::expose);
        assert_eq!(cookie, Some("sid=example-developer-cookie"));
        assert_eq!(app.webhook_listen, Some("127.0.0.1:8787".parse().unwrap()));
        let user = app.user_session.as_ref().map(Secret::expose);
        assert_eq!(user, Some("uid=example-user-cookie"));
        let second = config.targets[0].second_client.as_ref();
        let second = second.map(|(id, s)| (id.as_str(), s.expose()));
        assert_eq!(
            second,
            Some(("your-second-client-id", "example-second-secret"))
        );
        for shown in [
            "cookie example-developer-cookie",
            "cookie example-user-cookie",
        ] {
            assert_eq!(secret::redact(shown), format!("cookie {}", secret::MASK));
        }
        assert_eq!(
            secret::redact("secret example-second-secret"),
            format!("secret {}", secret::MASK)
        );
        let half = text.replace("second_client_secret_env", "# second_client_secret_env");
        let e = parse_target_file("t.toml", std::path::Path::new("."), &half, env).unwrap_err();
        assert!(
            e.contains("second_client_id and second_client_secret_env"),
            "{e}"
        );

        let without = |v: &str| (v == "LOGINSIGN_CLIENT_SECRET").then(|| "s".repeat(8));
        let e = parse_target_file("t.toml", std::path::Path::new("."), &text, without).unwrap_err();
        assert!(
            e.contains("developer_session_cookie_env") && e.contains("LOGINSIGN_DEVELOPER_SESSION"),
            "{e}"
        );
        let bad = text.replace("= \"127.0.0.1:8787\"", "= \"port 8787\"");
        let e = parse_target_file("t.toml", std::path::Path::new("."), &bad, env).unwrap_err();
        assert!(
            e.contains("webhook_listen") && e.contains("port 8787"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_secret_variable_is_named() {
        let f = write(
            "[providers.losgehts]\nbase_url = \"http://x\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_TEST_UNSET_VAR\"\nredirect_uri = \"https://a/cb\"\n",
        );
        let e = load_target_file(f.path()).unwrap_err();
        assert!(e.contains("IDPC_TEST_UNSET_VAR"), "{e}");
    }

    #[test]
    fn the_authorize_host_defaults_to_the_base_url_and_may_differ() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/authenteq.example.toml"),
        )
        .unwrap();
        let env = |v: &str| (v == "AUTHENTEQ_CLIENT_SECRET").then(|| "s3cr3t-example".to_owned());
        let dir = Path::new("targets");
        let config = parse_target_file("authenteq.example.toml", dir, &text, env).unwrap();
        let t = &config.targets[0];
        assert_eq!(t.provider, Provider::named("authenteq"));
        assert_eq!(t.base_url, "https://api.authenteq.com");
        assert_eq!(t.authorize_base_url, "https://identity.authenteq.com");
        assert_eq!(
            t.authorize_url("/authorize"),
            "https://identity.authenteq.com/authorize"
        );

        let without = text
            .lines()
            .filter(|l| !l.starts_with("authorize_base_url"))
            .collect::<Vec<_>>()
            .join("\n");
        let config = parse_target_file("t.toml", dir, &without, env).unwrap();
        assert_eq!(
            config.targets[0].authorize_base_url,
            "https://api.authenteq.com"
        );
    }

    #[test]
    fn settings_set_timeouts_and_a_ca_file_relative_to_the_file() {
        let text = "[settings]\ntimeout_secs = 30\nconnect_timeout_secs = 3\n\
                    ca_file = \"certs/ca.pem\"\n\n[providers.losgehts]\nbase_url = \"http://x\"\n\
                    client_id = \"40\"\nclient_secret_env = \"S\"\nredirect_uri = \"http://a/cb\"\n";
        let env = |_: &str| Some("s".to_owned());
        let config = parse_target_file("t.toml", Path::new("/etc/idp"), text, env).unwrap();
        assert_eq!(config.limits.timeout, Duration::from_secs(30));
        assert_eq!(config.limits.connect_timeout, Duration::from_secs(3));
        assert_eq!(
            config.tls.ca_file.as_deref(),
            Some(Path::new("/etc/idp/certs/ca.pem"))
        );
        assert!(
            !config.tls.insecure_skip_verify,
            "verification is on by default"
        );
    }

    #[test]
    fn the_oauth2_example_describes_its_dialect_by_file_alone() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/oauth2.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let env = |v: &str| (v == "OAUTH2_CLIENT_SECRET").then(|| "example-secret".to_owned());
        let config =
            parse_target_file("oauth2.example.toml", Path::new("targets"), &text, env).unwrap();
        let t = &config.targets[0];
        assert_eq!(t.provider, Provider::named("oauth2"));
        assert_eq!(t.dialect.resource_path, Some("/userinfo"));
        assert_eq!(t.dialect.default_scope, "openid");
        assert_eq!(t.dialect.state_field, None);
        assert_eq!(t.authorization.name(), "callback-listener");
        assert_eq!(t.discovery, None);
        assert_eq!(t.dialect.extensions, crate::providers::Extensions::NONE);
    }

    #[test]
    fn a_second_client_takes_both_keys_and_a_set_variable() {
        let env = |v: &str| (v != "UNSET").then(|| format!("{v}-value"));
        let parse = |extra: &str| {
            let text = format!(
                "[providers.oauth2]\nbase_url = \"https://as.example\"\nclient_id = \"c\"\n\
                 client_secret_env = \"S\"\nredirect_uri = \"https://app.example/cb\"\n{extra}"
            );
            parse_target_file("t.toml", Path::new("targets"), &text, env)
                .map(|c| c.targets[0].second_client.clone())
        };
        let (id, secret) = parse("second_client_id = \"c2\"\nsecond_client_secret_env = \"S2\"\n")
            .unwrap()
            .unwrap();
        assert_eq!((id.as_str(), secret.expose()), ("c2", "S2-value"));
        assert!(parse("").unwrap().is_none());
        let e = parse("second_client_id = \"c2\"\n").unwrap_err();
        assert!(e.contains("go together"), "{e}");
        let e =
            parse("second_client_id = \"c2\"\nsecond_client_secret_env = \"UNSET\"\n").unwrap_err();
        assert!(e.contains("UNSET") && e.contains("not set"), "{e}");
    }

    #[test]
    fn an_issuer_defers_the_dialect_to_the_metadata() {
        let env = |_: &str| Some("s".to_owned());
        let parse = |text: &str| {
            parse_target_file("t.toml", Path::new("targets"), text, env).map(|c| {
                let t = &c.targets[0];
                (t.discovery.clone(), c.pending.len())
            })
        };
        let base = "base_url = \"https://as.example\"\nclient_id = \"c\"\n\
                    client_secret_env = \"S\"\nredirect_uri = \"https://app.example/cb\"\n";
        let (discovery, pending) = parse(&format!(
            "[providers.oauth2]\n{base}issuer = \"https://as.example/t1\"\n"
        ))
        .unwrap();
        let discovery = discovery.unwrap();
        assert_eq!(
            discovery.metadata_url,
            "https://as.example/.well-known/oauth-authorization-server/t1"
        );
        assert_eq!(pending, 1);
        let (discovery, _) = parse(&format!(
            "[providers.oauth2]\n{base}issuer = \"https://as.example\"\n\
             metadata_url = \"https://as.example/.well-known/openid-configuration\"\n"
        ))
        .unwrap();
        assert!(
            discovery
                .unwrap()
                .metadata_url
                .ends_with("openid-configuration")
        );
        let e = parse(&format!(
            "[providers.oauth2]\n{base}metadata_url = \"https://as.example/m\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("metadata_url needs issuer"), "{e}");
        let e = parse(&format!(
            "[providers.loginsign]\n{base}issuer = \"https://as.example\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("only the generic oauth2"), "{e}");
        let e = parse(&format!(
            "[providers.oauth2]\n{base}issuer = \"https://as.example/?a=b\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("issuer") && e.contains("query"), "{e}");
    }
}
