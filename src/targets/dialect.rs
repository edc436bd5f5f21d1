//! `[providers.oauth2.dialect]`: a generic RFC 6749 server's dialect, described by the target
//! file alone. Every key is optional and starts from the standard ([`standard_oauth2`]). The dialect is
//! built once per run and kept for the rest of the process (`Box::leak`: a process runs one
//! suite), so the steps read it as the same `&'static Dialect` as a built-in provider's.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::providers::{ClientAuth, Dialect, Encoding, standard_oauth2};

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
    /// The dialect: the standard, with every key the table sets replaced. `at` prefixes errors.
    pub fn build(self, at: &str) -> Result<&'static Dialect, String> {
        let s = standard_oauth2();
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
            authorize_path: path("authorize_path", self.authorize_path, s.authorize_path)?,
            token_path: path("token_path", self.token_path, s.token_path)?,
            resource_path: match self.resource_path {
                Some(p) if p.is_empty() => None,
                p => Some(path("resource_path", p, s.resource_path.unwrap_or("/"))?),
            },
            token_encoding: self.token_encoding.unwrap_or(s.token_encoding),
            client_auth: self.client_auth.unwrap_or(s.client_auth),
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
            .build("t.toml: [providers.oauth2.dialect]")
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
