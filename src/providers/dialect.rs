//! The facts that differ between providers speaking the same OAuth 2.0 authorization-code flow.

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
    /// What the server supports beyond the RFC 6749 code grant (PKCE, refresh tokens, RFC 9207).
    pub extensions: Extensions,
}

/// The PKCE code challenge method a client uses (RFC 7636 §4.2), or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub enum Pkce {
    #[serde(rename = "none")]
    None,
    #[serde(rename = "plain")]
    Plain,
    S256,
}

/// What a server supports beyond the RFC 6749 authorization-code grant: given by a target file's
/// dialect or read from the server's metadata (RFC 8414); none of it for a provider whose
/// document says nothing of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extensions {
    /// The code challenge method the authorization requests carry (RFC 7636).
    pub pkce: Pkce,
    /// `plain` is not among the server's code challenge methods (only `S256` is): a `plain`
    /// challenge must be refused.
    pub pkce_plain_refused: bool,
    /// The server issues refresh tokens (RFC 6749 §6): `refresh_token` among its grant types.
    pub refresh_tokens: bool,
    /// The authorization response carries `iss` (RFC 9207).
    pub iss_parameter: bool,
}

impl Extensions {
    /// None of them.
    pub const NONE: Self = Self {
        pkce: Pkce::None,
        pkce_plain_refused: false,
        refresh_tokens: false,
        iss_parameter: false,
    };
}

/// How a provider's userinfo endpoint takes the access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Userinfo {
    /// `POST path` with the JSON body `{token, client_id, client_secret}` (losgehts).
    JsonBody(&'static str),
    /// `GET path` with `Authorization: Bearer <token>` (RFC 6750 §2.1; LoginSign).
    Bearer(&'static str),
}
