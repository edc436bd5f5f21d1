//! Targets: where each provider lives for this run. Either the embedded mocks (no setup), or a
//! target file describing a real deployment, with secrets read from environment variables.

mod file;

pub use file::load_target_file;

use crate::authorization::Authorizer;
use crate::providers::Provider;
use crate::secret::Secret;

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
    /// How an authorization a user completes is obtained (`authorization` in the target file).
    pub authorization: Authorizer,
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
