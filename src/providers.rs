//! The providers the harness knows, and the dialect each speaks. Generic OAuth 2.0 steps read the
//! dialect; they never branch on a provider's name.

use std::collections::BTreeSet;

use crate::mocks;
use crate::secret::Secret;

/// A provider the harness has features, schemas and a mock for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    Losgehts,
    Authenteq,
    SsoV1,
    LoginSign,
    /// Any standard RFC 6749 authorization server, its dialect described by the target file.
    OAuth2,
}

impl Provider {
    pub const ALL: &'static [Provider] = &[
        Provider::Losgehts,
        Provider::Authenteq,
        Provider::SsoV1,
        Provider::LoginSign,
        Provider::OAuth2,
    ];

    /// The name used on the command line, in target files and as the feature tag.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Losgehts => "losgehts",
            Provider::Authenteq => "authenteq",
            Provider::SsoV1 => "sso_v1",
            Provider::LoginSign => "loginsign",
            Provider::OAuth2 => "oauth2",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// The provider a scenario is about, from its (merged) tags.
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = &'a String>) -> Option<Self> {
        tags.into_iter().find_map(|t| Self::parse(t))
    }

    pub fn dialect(self) -> &'static Dialect {
        match self {
            Provider::Losgehts => &LOSGEHTS,
            Provider::Authenteq => &AUTHENTEQ,
            Provider::SsoV1 => &SSO_V1,
            Provider::LoginSign => &LOGINSIGN,
            Provider::OAuth2 => &OAUTH2,
        }
    }

    /// The names of the defects its mock can be started with, and what each violates.
    pub fn defects(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Provider::Losgehts => mocks::losgehts::Defect::ALL
                .iter()
                .map(|d| (d.name(), d.violates()))
                .collect(),
            Provider::Authenteq => mocks::authenteq::Defect::ALL
                .iter()
                .map(|d| (d.name(), d.violates()))
                .collect(),
            Provider::SsoV1 => mocks::sso_v1::Defect::ALL
                .iter()
                .map(|d| (d.name(), d.violates()))
                .collect(),
            Provider::LoginSign => mocks::loginsign::Defect::ALL
                .iter()
                .map(|d| (d.name(), d.violates()))
                .collect(),
            Provider::OAuth2 => mocks::oauth2::Defect::ALL
                .iter()
                .map(|d| (d.name(), d.violates()))
                .collect(),
        }
    }

    /// Builds the mock's router with the given defects (names already validated).
    pub fn mock_router(
        self,
        client: &MockClient,
        defects: &[String],
    ) -> Result<axum::Router, String> {
        match self {
            Provider::Losgehts => {
                let defects = parse_defects(self, defects, mocks::losgehts::Defect::parse)?;
                Ok(mocks::losgehts::router(mocks::losgehts::Config {
                    client_id: client.client_id.clone(),
                    client_secret: client.client_secret.clone(),
                    callback: client.redirect_uri.clone(),
                    defects,
                }))
            }
            Provider::Authenteq => {
                let defects = parse_defects(self, defects, mocks::authenteq::Defect::parse)?;
                Ok(mocks::authenteq::router(mocks::authenteq::Config {
                    client_id: client.client_id.clone(),
                    client_secret: client.client_secret.clone(),
                    redirect_uri: client.redirect_uri.clone(),
                    defects,
                }))
            }
            Provider::SsoV1 => {
                let defects = parse_defects(self, defects, mocks::sso_v1::Defect::parse)?;
                Ok(mocks::sso_v1::router(mocks::sso_v1::Config {
                    client_id: client.client_id.clone(),
                    client_secret: client.client_secret.clone(),
                    test_telephone: mocks::sso_v1::TEST_TELEPHONE.to_owned(),
                    test_sms_code: Secret::new(mocks::sso_v1::TEST_SMS_CODE),
                    defects,
                }))
            }
            Provider::LoginSign => {
                let defects = parse_defects(self, defects, mocks::loginsign::Defect::parse)?;
                Ok(mocks::loginsign::router(mocks::loginsign::Config {
                    client_id: client.client_id.clone(),
                    client_secret: client.client_secret.clone(),
                    redirect_uri: client.redirect_uri.clone(),
                    app_id: mocks::loginsign::APP_ID.to_owned(),
                    developer_session: client.developer_session.clone(),
                    webhook_url: client.webhook_url.clone(),
                    defects,
                }))
            }
            Provider::OAuth2 => {
                let defects = parse_defects(self, defects, mocks::oauth2::Defect::parse)?;
                Ok(mocks::oauth2::router(mocks::oauth2::Config {
                    client_id: client.client_id.clone(),
                    client_secret: client.client_secret.clone(),
                    redirect_uri: client.redirect_uri.clone(),
                    defects,
                }))
            }
        }
    }

    /// The app id an embedded mock serves its app API and developer portal under, if it has any.
    pub fn mock_app_id(self) -> Option<&'static str> {
        match self {
            Provider::LoginSign => Some(mocks::loginsign::APP_ID),
            Provider::Losgehts | Provider::Authenteq | Provider::SsoV1 | Provider::OAuth2 => None,
        }
    }

    /// The test user an embedded mock knows: its telephone and the SMS code it "sends".
    pub fn mock_test_user(self) -> (Option<String>, Option<Secret>) {
        match self {
            Provider::Losgehts | Provider::Authenteq | Provider::LoginSign | Provider::OAuth2 => {
                (None, None)
            }
            Provider::SsoV1 => (
                Some(mocks::sso_v1::TEST_TELEPHONE.to_owned()),
                Some(Secret::new(mocks::sso_v1::TEST_SMS_CODE)),
            ),
        }
    }
}

fn parse_defects<D: Ord>(
    provider: Provider,
    names: &[String],
    parse: fn(&str) -> Option<D>,
) -> Result<BTreeSet<D>, String> {
    names
        .iter()
        .map(|n| {
            parse(n).ok_or_else(|| {
                let known: Vec<_> = provider.defects().into_iter().map(|(n, _)| n).collect();
                format!(
                    "unknown defect \"{n}\" for {}; known: {}",
                    provider.name(),
                    known.join(", ")
                )
            })
        })
        .collect()
}

/// The registered client a mock serves.
#[derive(Clone, Debug)]
pub struct MockClient {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    /// The developer portal's session cookie (`name=value`) the mock accepts (LoginSign).
    pub developer_session: Secret,
    /// Where the mock delivers its webhooks (LoginSign), if anywhere.
    pub webhook_url: Option<String>,
}

impl MockClient {
    /// The client an embedded mock serves in a run: fresh secrets (registered for redaction,
    /// Basic credentials included), the receiver's callback and webhook URLs.
    pub fn for_run(receiver: &crate::targets::receiver::Receiver) -> Self {
        let client = Self {
            client_id: "40".to_owned(),
            client_secret: Secret::new(mocks::opaque("mock-secret-")),
            redirect_uri: receiver.callback_url(),
            developer_session: crate::secret::cookie(&format!(
                "ls_dev={}",
                mocks::opaque("lsdev_")
            )),
            webhook_url: Some(receiver.webhook_url()),
        };
        crate::secret::register_basic(&client.client_id, client.client_secret.expose());
        client
    }
}

/// How a token request is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Json,
    Form,
    Multipart,
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    /// HTTP Basic with the form-urlencoded client id and secret (`client_secret_basic`).
    Basic,
    /// The client id and secret as fields of the request body (`client_secret_post`).
    Post,
}

/// The facts that differ between providers speaking the same OAuth 2.0 authorization-code flow.
#[derive(Debug)]
pub struct Dialect {
    /// Does the provider speak the OAuth 2.0 authorization-code flow at all? The OAuth steps
    /// refuse to run for a provider that does not (SSO v1 signs in by telephone and SMS code).
    pub oauth: bool,
    pub authorize_path: &'static str,
    pub token_path: &'static str,
    pub token_encoding: Encoding,
    /// Client authentication at the token endpoint: Basic, or the two fields below in the body.
    pub client_auth: ClientAuth,
    /// A resource protected by the access token as a Bearer token (RFC 6750), if the scenarios
    /// may use one.
    pub resource_path: Option<&'static str>,
    /// Authorization request: does it carry `redirect_uri` and `response_type=code`?
    pub authorize_sends_redirect_uri: bool,
    pub authorize_sends_response_type: bool,
    /// Extra authorization parameters the provider's example sends (e.g. `locale`).
    pub authorize_extra: &'static [(&'static str, &'static str)],
    /// Token request field names, in the provider's spelling.
    pub grant_type_field: &'static str,
    pub grant_type_value: &'static str,
    pub code_field: &'static str,
    pub client_id_field: &'static str,
    pub client_secret_field: &'static str,
    /// Set when the provider sends these in the token request.
    pub state_field: Option<&'static str>,
    pub redirect_uri_field: Option<&'static str>,
    /// The access token's field in the token response.
    pub access_token_field: &'static str,
    /// The default scope of an authorization when a scenario names none; empty: no scope
    /// parameter at all (the provider's document names none).
    pub default_scope: &'static str,
    /// Does the token endpoint also take the client credentials as `Authorization: Basic`?
    pub token_basic_auth: bool,
    /// How the access token reaches the user's profile, if the provider has such an endpoint.
    pub userinfo: Option<Userinfo>,
}

/// How a provider's userinfo endpoint takes the access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Userinfo {
    /// `POST path` with the JSON body `{token, client_id, client_secret}` (losgehts).
    JsonBody(&'static str),
    /// `GET path` with `Authorization: Bearer <token>` (RFC 6750 §2.1; LoginSign).
    Bearer(&'static str),
}

/// losgehts Ident (seed 000): JSON token request carrying state, no redirect_uri.
pub static LOSGEHTS: Dialect = Dialect {
    oauth: true,
    authorize_path: "/oauth/authorize",
    token_path: "/oauth/token",
    token_encoding: Encoding::Json,
    client_auth: ClientAuth::Post,
    resource_path: None,
    authorize_sends_redirect_uri: false,
    authorize_sends_response_type: false,
    authorize_extra: &[("locale", "de")],
    grant_type_field: "grant_type",
    grant_type_value: "authorization_code",
    code_field: "code",
    client_id_field: "client_id",
    client_secret_field: "client_secret",
    state_field: Some("state"),
    redirect_uri_field: None,
    access_token_field: "access_token",
    default_scope: "signup",
    token_basic_auth: false,
    userinfo: Some(Userinfo::JsonBody("/oauth/userinfo")),
};

/// Authenteq Web KYC (seed 003): the authorize URL lives on the identity host, the token and
/// details on the API host; the token request is multipart with camelCase names, `redirectUri`
/// included, and the answer's token field is `token`.
///
/// `grantType`: the tutorial's curl sends `authorization_code`, the "How to Integrate" list says
/// `authorizationCode`. The dialect sends the tutorial's (executable example, and RFC 6749's
/// value); `features/authenteq/token_exchange.feature` checks each value on its own.
pub static AUTHENTEQ: Dialect = Dialect {
    oauth: true,
    authorize_path: "/authorize",
    token_path: "/v2/web-kyc/token",
    token_encoding: Encoding::Multipart,
    client_auth: ClientAuth::Post,
    resource_path: Some("/v2/web-kyc/details"),
    authorize_sends_redirect_uri: true,
    authorize_sends_response_type: true,
    authorize_extra: &[],
    grant_type_field: "grantType",
    grant_type_value: "authorization_code",
    code_field: "code",
    client_id_field: "clientId",
    client_secret_field: "clientSecret",
    state_field: None,
    redirect_uri_field: Some("redirectUri"),
    access_token_field: "token",
    default_scope: "kyc",
    token_basic_auth: false,
    userinfo: None,
};

/// SSO v1 (seed 002): not OAuth. Telephone + SMS-code sign-in under the media type
/// application/vnd.sso.v1+json. The OAuth fields are placeholders no step reads: `oauth` is
/// false, so every OAuth step fails with a clear message if an sso_v1 feature uses one.
pub static SSO_V1: Dialect = Dialect {
    oauth: false,
    authorize_path: "/not-oauth",
    token_path: "/not-oauth",
    token_encoding: Encoding::Json,
    client_auth: ClientAuth::Post,
    resource_path: None,
    authorize_sends_redirect_uri: false,
    authorize_sends_response_type: false,
    authorize_extra: &[],
    grant_type_field: "",
    grant_type_value: "",
    code_field: "",
    client_id_field: "",
    client_secret_field: "",
    state_field: None,
    redirect_uri_field: None,
    access_token_field: "",
    default_scope: "",
    token_basic_auth: false,
    userinfo: None,
};

/// LoginSign (seed 001): the authorize request carries redirect_uri (the token request's must
/// match it); the token request is form-encoded with RFC 6749's names, the client credentials in
/// the form fields or in `Authorization: Basic`; `GET /api/user` takes the Bearer token. The
/// document names no scope and no authorize parameters: the harness sends RFC 6749 §4.1.1's
/// response_type, client_id, redirect_uri and state, and no scope.
pub static LOGINSIGN: Dialect = Dialect {
    oauth: true,
    authorize_path: "/oauth/authorize",
    token_path: "/oauth/token",
    token_encoding: Encoding::Form,
    client_auth: ClientAuth::Post,
    resource_path: None,
    authorize_sends_redirect_uri: true,
    authorize_sends_response_type: true,
    authorize_extra: &[],
    grant_type_field: "grant_type",
    grant_type_value: "authorization_code",
    code_field: "code",
    client_id_field: "client_id",
    client_secret_field: "client_secret",
    state_field: None,
    redirect_uri_field: Some("redirect_uri"),
    access_token_field: "access_token",
    default_scope: "",
    token_basic_auth: true,
    userinfo: Some(Userinfo::Bearer("/api/user")),
};

/// A standard RFC 6749 authorization server, as the embedded oauth2 mock serves it and as a
/// target file's `[providers.oauth2.dialect]` starts from: form-encoded token requests with HTTP
/// Basic client authentication (§2.3.1: servers MUST support it), the RFC's field names,
/// `redirect_uri` in both requests (§4.1.1, §4.1.3), and a Bearer-protected resource (RFC 6750).
pub static OAUTH2: Dialect = Dialect {
    oauth: true,
    authorize_path: "/authorize",
    token_path: "/token",
    token_encoding: Encoding::Form,
    client_auth: ClientAuth::Basic,
    resource_path: Some("/resource"),
    authorize_sends_redirect_uri: true,
    authorize_sends_response_type: true,
    authorize_extra: &[],
    grant_type_field: "grant_type",
    grant_type_value: "authorization_code",
    code_field: "code",
    client_id_field: "client_id",
    client_secret_field: "client_secret",
    state_field: None,
    redirect_uri_field: Some("redirect_uri"),
    access_token_field: "access_token",
    default_scope: "read",
    token_basic_auth: true,
    userinfo: None,
};
