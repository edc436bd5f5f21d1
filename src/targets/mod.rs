//! Targets: where each provider lives for this run and how the harness talks to it. A target
//! file describing a real deployment (`file.rs`, secrets read from environment variables; an
//! oauth2 dialect of its own in `dialect.rs`), how an authorization a user completes is obtained
//! (`authorization/`), the one HTTP client (`http.rs`) and which of its errors may be re-sent
//! (`retry.rs`), and the loopback listener for the provider's calls back (`receiver.rs`).

pub mod authorization;
mod dialect;
pub mod excerpt;
pub mod file;
pub mod http;
pub mod receiver;
pub mod retry;

pub use dialect::discover;
pub use file::load_target_file;

use std::net::SocketAddr;

use crate::providers::{Dialect, Provider};
use crate::secret::Secret;
use crate::targets::authorization::Authorizer;

/// One provider's deployment, as a run uses it.
#[derive(Clone, Debug)]
pub struct Target {
    pub provider: Provider,
    /// How the provider speaks OAuth 2.0: its built-in dialect, or (oauth2) the target file's.
    pub dialect: &'static Dialect,
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// Base URL of the authorization endpoint (a separate identity host at some providers);
    /// without a trailing slash, and `base_url` unless the target file says otherwise.
    pub authorize_base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    /// How an authorization a user completes is obtained (`authorization` in the target file).
    pub authorization: Authorizer,
    /// Set for the embedded mocks: their control routes (`/__mock/...`) may be used.
    pub mock_control: bool,
    /// The server's metadata (RFC 8414) and the issuer it must name, when the target file gives
    /// `issuer` (or `metadata_url`), or for the embedded oauth2 mock.
    pub discovery: Option<Discovery>,
    /// At most this many requests in flight to the target at once (`max_concurrency`).
    pub concurrency: Option<std::sync::Arc<tokio::sync::Semaphore>>,
    /// A telephone number the provider knows as a registered test user (SSO v1).
    pub test_telephone: Option<String>,
    /// The SMS code the test telephone receives (SSO v1); without it, scenarios tagged
    /// `@needs-sms-code` are skipped.
    pub test_sms_code: Option<Secret>,
    /// The telephone number of a second registered user (SSO v1): a credential of someone the
    /// provider knows, so a refusal cannot come from an unknown-user check; without it,
    /// scenarios tagged `@needs-second-user` are skipped.
    pub second_telephone: Option<String>,
    /// A second client registered with the provider (`second_client_id`), its id and secret: a
    /// grant issued to this target's client must not be usable by it (LoginSign, oauth2).
    /// Without it, scenarios tagged `@needs-second-client` are skipped.
    pub second_client: Option<(String, Secret)>,
    /// The app API, developer portal and webhooks of providers that have them (LoginSign).
    pub app: AppAccess,
}

/// Where a server publishes its metadata, and the issuer identifier it must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    pub issuer: String,
    pub metadata_url: String,
}

impl Discovery {
    /// RFC 8414 §3.1: the well-known URI is inserted between the issuer's host and its path
    /// (`https://a.example/t1` -> `https://a.example/.well-known/oauth-authorization-server/t1`).
    /// A metadata URL given explicitly (OpenID Connect Discovery's
    /// `/.well-known/openid-configuration`) is taken as it is.
    pub fn new(issuer: &str, metadata_url: Option<&str>) -> Result<Self, String> {
        let url = url::Url::parse(issuer).map_err(|e| format!("{issuer} is not a URL: {e}"))?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "{issuer}: an issuer has no query or fragment (RFC 8414 §2)"
            ));
        }
        let metadata_url = match metadata_url {
            Some(m) => m.to_owned(),
            None => {
                let path = url.path().trim_end_matches('/');
                let mut well_known = url.clone();
                well_known.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
                well_known.to_string()
            }
        };
        Ok(Self {
            issuer: issuer.to_owned(),
            metadata_url,
        })
    }
}

/// What the app-facing routes of a provider need (LoginSign): the app id in their paths, the
/// developer portal's session cookie, and where the harness listens for the provider's webhooks.
/// Each is optional; scenarios tagged `@needs-app-id`, `@needs-developer-session` or
/// `@needs-webhook-receiver` are skipped, with the reason, when the target lacks it.
#[derive(Clone, Debug, Default)]
pub struct AppAccess {
    pub app_id: Option<String>,
    /// The whole cookie, `name=value`, as the browser sends it in `Cookie:`.
    pub developer_session: Option<Secret>,
    /// The address the harness's webhook receiver listens on.
    pub webhook_listen: Option<SocketAddr>,
    /// The end user's own session cookie, `name=value` (LoginSign's license routes), of the
    /// user the authorizations sign in.
    pub user_session: Option<Secret>,
}

impl Target {
    /// The URL of an API path; a dialect's path may also be a whole URL (another host).
    pub fn url(&self, path: &str) -> String {
        join(&self.base_url, path)
    }

    /// The URL of the authorization endpoint's `path`.
    pub fn authorize_url(&self, path: &str) -> String {
        join(&self.authorize_base_url, path)
    }
}

fn join(base: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        path.to_owned()
    } else {
        format!("{base}{path}")
    }
}
