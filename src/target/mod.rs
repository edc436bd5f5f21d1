//! Targets: where each provider lives for this run. Either the embedded mocks (no setup), or a
//! target file describing a real deployment, with secrets read from environment variables.

mod file;

pub use file::load_target_file;

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
