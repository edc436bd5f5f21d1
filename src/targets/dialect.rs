//! `[providers.oauth2.dialect]`: a generic RFC 6749 server's dialect, described by the target
//! file alone, or read from the server's metadata (RFC 8414, OpenID Connect Discovery 1.0) when
//! the file names its `issuer`. Every key is optional; an explicit key overrides the metadata,
//! which overrides the standard ([`standard_oauth2`]). The dialect is
//! built once per run and kept for the rest of the process (`Box::leak`: a process runs one
//! suite), so the steps read it as the same `&'static Dialect` as a built-in provider's.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::providers::{ClientAuth, Dialect, Encoding, Extensions, Pkce, standard_oauth2};

/// The keys of the table, documented in `docs/target-files.md`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialectTable {
    authorize_path: Option<String>,
    token_path: Option<String>,
    /// A Bearer-protected resource (RFC 6750); `""` for none.
    resource_path: Option<String>,
    token_encoding: Option<Encoding>,
    client_auth: Option<ClientAuth>,
    authorize_sends_redirect_uri: Option<bool>,
    authorize_sends_response_type: Option<bool>,
    /// Extra authorization parameters, e.g. `{ prompt = "login" }`.
    authorize_extra: Option<BTreeMap<String, String>>,
    grant_type_field: Option<String>,
    grant_type_value: Option<String>,
    code_field: Option<String>,
    client_id_field: Option<String>,
    client_secret_field: Option<String>,
    /// `""` (the default) when the token request carries no state.
    state_field: Option<String>,
    /// `""` when the token request carries no redirect URI.
    redirect_uri_field: Option<String>,
    access_token_field: Option<String>,
    default_scope: Option<String>,
    /// The PKCE code challenge method (RFC 7636): "S256", "plain" or "none".
    pkce: Option<Pkce>,
    /// Does the server issue refresh tokens (RFC 6749 §6)?
    refresh_tokens: Option<bool>,
    /// Does the authorization response carry `iss` (RFC 9207)?
    iss_parameter: Option<bool>,
}

/// What a server's metadata (RFC 8414 §2) says of the facts a dialect holds; `None` where it
/// says nothing.
#[derive(Debug, Default, PartialEq)]
pub struct FromMetadata {
    authorize_url: Option<String>,
    token_url: Option<String>,
    resource_url: Option<String>,
    client_auth: Option<ClientAuth>,
    pkce: Option<Pkce>,
    pkce_plain_refused: bool,
    refresh_tokens: bool,
    iss_parameter: bool,
}

impl FromMetadata {
    /// Reads a metadata document. RFC 8414 §2's defaults apply to what it leaves out:
    /// `token_endpoint_auth_methods_supported` is `client_secret_basic`, `grant_types_supported`
    /// `authorization_code` and `implicit`; no `code_challenge_methods_supported` means no PKCE.
    pub fn read(metadata: &Value) -> Self {
        let text = |key: &str| metadata.get(key).and_then(Value::as_str).map(str::to_owned);
        let list = |key: &str| -> Option<Vec<&str>> {
            metadata
                .get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
        };
        let auth_methods = list("token_endpoint_auth_methods_supported")
            .unwrap_or_else(|| vec!["client_secret_basic"]);
        let client_auth = if auth_methods.contains(&"client_secret_basic") {
            Some(ClientAuth::Basic)
        } else if auth_methods.contains(&"client_secret_post") {
            Some(ClientAuth::Post)
        } else {
            None
        };
        let methods = list("code_challenge_methods_supported").unwrap_or_default();
        let pkce = if methods.contains(&"S256") {
            Some(Pkce::S256)
        } else if methods.contains(&"plain") {
            Some(Pkce::Plain)
        } else {
            Some(Pkce::None)
        };
        Self {
            authorize_url: text("authorization_endpoint"),
            token_url: text("token_endpoint"),
            resource_url: text("userinfo_endpoint"),
            client_auth,
            pkce,
            pkce_plain_refused: methods.contains(&"S256") && !methods.contains(&"plain"),
            refresh_tokens: list("grant_types_supported")
                .is_some_and(|g| g.contains(&"refresh_token")),
            iss_parameter: metadata
                .get("authorization_response_iss_parameter_supported")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }
}

/// Reads the metadata of every target of `config` that names an issuer, and builds its dialect
/// from it and the file's table. A metadata document that cannot be read (no answer, not 200,
/// not a JSON object) is an environment error: without it the dialect is unknown. Whether the
/// document conforms (its issuer, its required fields, its schema) is for the scenarios.
pub async fn discover(
    http: &super::http::HttpClient,
    config: &mut super::file::TargetConfig,
) -> Result<(), String> {
    for pending in std::mem::take(&mut config.pending) {
        let target = &mut config.targets[pending.index];
        let Some(discovery) = &target.discovery else {
            continue;
        };
        let url = &discovery.metadata_url;
        let request = super::http::Request::new(reqwest::Method::GET, url.clone());
        let exchange = http
            .send(request)
            .await
            .map_err(|e| format!("the metadata of {} cannot be read: {e}", pending.at))?;
        let response = &exchange.response;
        let metadata = match response.json_ref() {
            Ok(v) if response.status == 200 && v.is_object() => v,
            Ok(_) | Err(_) => {
                return Err(format!(
                    "{}: the metadata at {url} (from issuer) answered HTTP {}, not a JSON \
                     object: check issuer and metadata_url (RFC 8414 §3, OpenID Connect \
                     Discovery 1.0 §4)",
                    pending.at, response.status
                ));
            }
        };
        target.dialect = pending
            .table
            .build(&pending.at, Some(&FromMetadata::read(metadata)))?;
    }
    Ok(())
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// `""` means "not sent".
fn optional(value: Option<String>, standard: Option<&'static str>) -> Option<&'static str> {
    match value {
        None => standard,
        Some(v) if v.is_empty() => None,
        Some(v) => Some(leak(v)),
    }
}

impl DialectTable {
    /// The dialect: the standard, with what the server's metadata says (when discovered), then
    /// every key the table sets, replaced. `at` prefixes errors.
    pub fn build(
        self,
        at: &str,
        metadata: Option<&FromMetadata>,
    ) -> Result<&'static Dialect, String> {
        let s = standard_oauth2();
        let m = |f: fn(&FromMetadata) -> Option<String>| metadata.and_then(f);
        let path = |key: &str, v: Option<String>, standard: &'static str| match v {
            Some(p) if !(p.starts_with('/') || p.starts_with("http")) => Err(format!(
                "{at}: {key} = \"{p}\": give a path starting with / (or a whole URL)"
            )),
            Some(p) => Ok(leak(p)),
            None => Ok(standard),
        };
        let text = |v: Option<String>, standard: &'static str| v.map(leak).unwrap_or(standard);
        let extra: &'static [(&'static str, &'static str)] = match self.authorize_extra {
            None => s.authorize_extra,
            Some(map) => Box::leak(
                map.into_iter()
                    .map(|(k, v)| (leak(k), leak(v)))
                    .collect::<Vec<_>>()
                    .into_boxed_slice(),
            ),
        };
        let dialect = Dialect {
            oauth: true,
            authorize_path: path(
                "authorize_path",
                self.authorize_path.or(m(|m| m.authorize_url.clone())),
                s.authorize_path,
            )?,
            token_path: path(
                "token_path",
                self.token_path.or(m(|m| m.token_url.clone())),
                s.token_path,
            )?,
            resource_path: match self.resource_path.or(m(|m| m.resource_url.clone())) {
                Some(p) if p.is_empty() => None,
                p => Some(path("resource_path", p, s.resource_path.unwrap_or("/"))?),
            },
            token_encoding: self.token_encoding.unwrap_or(s.token_encoding),
            client_auth: self
                .client_auth
                .or(metadata.and_then(|m| m.client_auth))
                .unwrap_or(s.client_auth),
            authorize_sends_redirect_uri: self
                .authorize_sends_redirect_uri
                .unwrap_or(s.authorize_sends_redirect_uri),
            authorize_sends_response_type: self
                .authorize_sends_response_type
                .unwrap_or(s.authorize_sends_response_type),
            authorize_extra: extra,
            grant_type_field: text(self.grant_type_field, s.grant_type_field),
            grant_type_value: text(self.grant_type_value, s.grant_type_value),
            code_field: text(self.code_field, s.code_field),
            client_id_field: text(self.client_id_field, s.client_id_field),
            client_secret_field: text(self.client_secret_field, s.client_secret_field),
            state_field: optional(self.state_field, s.state_field),
            redirect_uri_field: optional(self.redirect_uri_field, s.redirect_uri_field),
            access_token_field: text(self.access_token_field, s.access_token_field),
            default_scope: text(self.default_scope, s.default_scope),
            token_basic_auth: s.token_basic_auth || self.client_auth == Some(ClientAuth::Basic),
            userinfo: None,
            extensions: Extensions {
                pkce: self
                    .pkce
                    .or(metadata.and_then(|m| m.pkce))
                    .unwrap_or(Pkce::None),
                pkce_plain_refused: metadata.is_some_and(|m| m.pkce_plain_refused),
                refresh_tokens: self
                    .refresh_tokens
                    .unwrap_or(metadata.is_some_and(|m| m.refresh_tokens)),
                iss_parameter: self
                    .iss_parameter
                    .unwrap_or(metadata.is_some_and(|m| m.iss_parameter)),
            },
        };
        Ok(Box::leak(Box::new(dialect)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Result<&'static Dialect, String> {
        toml::from_str::<DialectTable>(text)
            .map_err(|e| e.to_string())?
            .build("t.toml: [providers.oauth2.dialect]", None)
    }

    #[test]
    fn the_metadata_fills_the_dialect_and_explicit_keys_override_it() {
        let metadata = FromMetadata::read(&serde_json::json!({
            "issuer": "https://as.example",
            "authorization_endpoint": "https://as.example/auth",
            "token_endpoint": "https://as.example/token2",
            "userinfo_endpoint": "https://as.example/me",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "authorization_response_iss_parameter_supported": true
        }));
        let table: DialectTable = toml::from_str("token_path = \"/t\"\npkce = \"plain\"").unwrap();
        let d = table.build("t", Some(&metadata)).unwrap();
        assert_eq!(d.authorize_path, "https://as.example/auth");
        assert_eq!(d.token_path, "/t");
        assert_eq!(d.resource_path, Some("https://as.example/me"));
        assert_eq!(d.client_auth, ClientAuth::Post);
        assert_eq!(
            d.extensions,
            Extensions {
                pkce: Pkce::Plain,
                pkce_plain_refused: true,
                refresh_tokens: true,
                iss_parameter: true
            }
        );
        // RFC 8414 §2's defaults: Basic, no refresh grant, no PKCE, no iss.
        let d = DialectTable::default()
            .build("t", Some(&FromMetadata::read(&serde_json::json!({}))))
            .unwrap();
        assert_eq!(d.client_auth, ClientAuth::Basic);
        assert_eq!(d.extensions, Extensions::NONE);
        // A target file without discovery: none of them unless it says so.
        assert_eq!(build("").unwrap().extensions, Extensions::NONE);
        assert_eq!(
            build("pkce = \"S256\"").unwrap().extensions.pkce,
            Pkce::S256
        );
    }

    #[test]
    fn an_empty_table_is_the_standard() {
        let d = build("").unwrap();
        assert_eq!(d.token_path, "/token");
        assert_eq!(d.token_encoding, Encoding::Form);
        assert_eq!(d.client_auth, ClientAuth::Basic);
        assert_eq!(d.redirect_uri_field, Some("redirect_uri"));
    }

    #[test]
    fn every_fact_of_a_dialect_can_be_set() {
        let d = build(
            "token_path = \"/v2/token\"\ntoken_encoding = \"multipart\"\nclient_auth = \"post\"\n\
             client_id_field = \"clientId\"\nclient_secret_field = \"clientSecret\"\n\
             grant_type_field = \"grantType\"\nredirect_uri_field = \"redirectUri\"\n\
             state_field = \"state\"\naccess_token_field = \"token\"\nresource_path = \"\"\n\
             authorize_extra = { prompt = \"login\" }\ndefault_scope = \"openid\"\n",
        )
        .unwrap();
        assert_eq!(d.token_encoding, Encoding::Multipart);
        assert_eq!(d.client_auth, ClientAuth::Post);
        assert_eq!(
            (d.client_id_field, d.grant_type_field, d.access_token_field),
            ("clientId", "grantType", "token")
        );
        assert_eq!(
            (d.state_field, d.redirect_uri_field),
            (Some("state"), Some("redirectUri"))
        );
        assert_eq!(d.resource_path, None);
        assert_eq!(d.authorize_extra, &[("prompt", "login")]);
    }

    #[test]
    fn bad_values_are_named() {
        let e = build("token_encoding = \"xml\"").unwrap_err();
        assert!(e.contains("xml") && e.contains("form"), "{e}");
        let e = build("token_path = \"token\"").unwrap_err();
        assert!(e.contains("token_path"), "{e}");
    }
}
