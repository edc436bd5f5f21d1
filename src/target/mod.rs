//! Targets: where each provider lives for this run. Either the embedded mocks (no setup), or a
//! target file describing a real deployment, with secrets read from environment variables.

mod file;

pub use file::load_target_file;

use std::net::SocketAddr;

use crate::providers::Provider;
use crate::secret::Secret;

/// How the harness obtains an authorization code from the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthorizationStrategy {
    /// The provider auto-approves (sandbox or mock): request the authorize URL and capture `code`
    /// and `state` from the redirect to the redirect URI, without following it.
    RedirectCapture,
}

/// One provider's deployment, as a run uses it.
#[derive(Clone, Debug)]
pub struct Target {
    pub provider: Provider,
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// Base URL of the authorization endpoint (a separate identity host at some providers);
    /// without a trailing slash, and `base_url` unless the target file says otherwise.
    pub authorize_base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    pub authorization: AuthorizationStrategy,
    /// Set for the embedded mocks: their control routes (`/__mock/...`) may be used.
    pub mock_control: bool,
    /// A telephone number the provider knows as a registered test user (SSO v1).
    pub test_telephone: Option<String>,
    /// The SMS code the test telephone receives (SSO v1); without it, scenarios tagged
    /// `@needs-sms-code` are skipped.
    pub test_sms_code: Option<Secret>,
    /// The app API, developer portal and webhooks of providers that have them (LoginSign).
    pub app: AppAccess,
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
}

impl Target {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The URL of the authorization endpoint's `path`.
    pub fn authorize_url(&self, path: &str) -> String {
        format!("{}{path}", self.authorize_base_url)
    }
}
