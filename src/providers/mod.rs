//! The providers the harness knows: one row each in [`TABLE`].
//!
//! Adding a provider is one step per place: its features (`features/<name>/`), its schemas
//! (`schemas/<name>/`), its document's per-endpoint lists if it has any (`documents/<name>.toml`),
//! its mock (`src/mocks/<name>.rs`, declared in `src/mocks/mod.rs`), and one row here.

mod dialect;

pub use dialect::{ClientAuth, Dialect, Encoding, Extensions, Pkce, Userinfo};

use crate::mocks;

/// Everything the harness knows of one provider besides its folders.
pub struct Entry {
    /// The name on the command line, in target files, as the feature tag, and of its folders.
    pub name: &'static str,
    /// How it speaks OAuth 2.0 (generic OAuth steps read this, never the provider's name).
    pub dialect: Dialect,
    /// Its embedded mock.
    pub mock: mocks::Mock,
    /// `documents/<name>.toml`: what its document lists per endpoint, if the harness has it.
    pub document: Option<&'static str>,
    /// How features and reports cite its document: title and public location where known.
    pub citation: &'static str,
    /// `catalogue/<name>.toml`: every observable statement of its document, the rows its
    /// scenarios are tagged with (`contract::catalogue`, enforced by `tests/catalogue.rs`).
    pub catalogue: &'static str,
    /// Does a target file's `[providers.<name>.dialect]` describe its dialect (the generic
    /// RFC 6749 provider), rather than its document?
    pub dialect_from_target_file: bool,
}

/// A provider the harness has features, schemas and a mock for: a row of [`TABLE`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Provider(usize);

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Provider {
    /// Every provider, in the table's order.
    pub fn all() -> Vec<Provider> {
        (0..TABLE.len()).map(Provider).collect()
    }

    fn entry(self) -> &'static Entry {
        &TABLE[self.0]
    }

    /// The name used on the command line, in target files and as the feature tag.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    pub fn parse(name: &str) -> Option<Self> {
        TABLE.iter().position(|e| e.name == name).map(Provider)
    }

    /// The provider a scenario is about, from its (merged) tags.
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = &'a String>) -> Option<Self> {
        tags.into_iter().find_map(|t| Self::parse(t))
    }

    pub fn dialect(self) -> &'static Dialect {
        &self.entry().dialect
    }

    /// How features and reports cite its document (title and public location where known).
    pub fn citation(self) -> &'static str {
        self.entry().citation
    }

    pub fn mock(self) -> &'static mocks::Mock {
        &self.entry().mock
    }

    /// The names of the defects its mock can be started with, and what each violates.
    pub fn defects(self) -> Vec<(&'static str, &'static str)> {
        (self.mock().defects)()
    }

    /// Its mock's router serving `client`, broken by the named defects.
    pub fn mock_router(
        self,
        client: &mocks::MockClient,
        defects: &[String],
    ) -> Result<axum::Router, String> {
        (self.mock().router)(client, defects).map_err(|e| format!("{}: {e}", self.name()))
    }

    /// `documents/<name>.toml`, if the harness has it.
    pub fn document(self) -> Option<&'static str> {
        self.entry().document
    }

    /// `catalogue/<name>.toml`, as embedded.
    pub fn catalogue(self) -> &'static str {
        self.entry().catalogue
    }

    pub fn dialect_from_target_file(self) -> bool {
        self.entry().dialect_from_target_file
    }

    /// The names of every provider, for messages.
    pub fn known() -> String {
        TABLE.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
    }

    /// The provider called `name`; for tests, which name providers that exist.
    #[cfg(test)]
    pub fn named(name: &str) -> Self {
        Self::parse(name).unwrap_or_else(|| panic!("no provider {name}"))
    }
}

/// The standard RFC 6749 dialect a target file's `[providers.oauth2.dialect]` starts from.
pub fn standard_oauth2() -> &'static Dialect {
    TABLE
        .iter()
        .find(|e| e.dialect_from_target_file)
        .map(|e| &e.dialect)
        .expect("the table has the generic oauth2 provider")
}

/// One row per provider.
pub static TABLE: [Entry; 5] = [
    // losgehts Ident (the losgehts Ident OAuth 2.0 guide): JSON token request carrying state, no redirect_uri.
    Entry {
        name: "losgehts",
        dialect: Dialect {
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
            extensions: Extensions::NONE,
        },
        mock: mocks::losgehts::MOCK,
        document: None,
        citation: "losgehts Ident OAuth 2.0 guide (dev.losgehts.at)",
        catalogue: include_str!("../../catalogue/losgehts.toml"),
        dialect_from_target_file: false,
    },
    // Authenteq Web KYC (the Authenteq Web KYC API Reference): the authorize URL lives on the identity host, the token and
    // details on the API host; the token request is multipart with camelCase names, `redirectUri`
    // included, and the answer's token field is `token`.
    //
    // `grantType`: the tutorial's curl sends `authorization_code`, the "How to Integrate" list says
    // `authorizationCode`. The dialect sends the tutorial's (executable example, and RFC 6749's
    // value); `features/authenteq/token_exchange.feature` checks each value on its own.
    Entry {
        name: "authenteq",
        dialect: Dialect {
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
            extensions: Extensions::NONE,
        },
        mock: mocks::authenteq::MOCK,
        document: None,
        citation: "Authenteq Web KYC API Reference (api.authenteq.com)",
        catalogue: include_str!("../../catalogue/authenteq.toml"),
        dialect_from_target_file: false,
    },
    // SSO v1 (the SSO (v1) documentation): not OAuth. Telephone + SMS-code sign-in under the media type
    // application/vnd.sso.v1+json. The OAuth fields are placeholders no step reads: `oauth` is
    // false, so every OAuth step fails with a clear message if an sso_v1 feature uses one.
    Entry {
        name: "sso_v1",
        dialect: Dialect {
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
            extensions: Extensions::NONE,
        },
        mock: mocks::sso_v1::MOCK,
        document: Some(include_str!("../../documents/sso_v1.toml")),
        citation: "SSO (v1) documentation",
        catalogue: include_str!("../../catalogue/sso_v1.toml"),
        dialect_from_target_file: false,
    },
    // LoginSign (the LoginSign API Reference): the authorize request carries redirect_uri (the token request's must
    // match it); the token request is form-encoded with RFC 6749's names, the client credentials in
    // the form fields or in `Authorization: Basic`; `GET /api/user` takes the Bearer token. The
    // document names no scope and no authorize parameters: the harness sends RFC 6749 §4.1.1's
    // response_type, client_id, redirect_uri and state, and no scope.
    Entry {
        name: "loginsign",
        dialect: Dialect {
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
            extensions: Extensions::NONE,
        },
        mock: mocks::loginsign::MOCK,
        document: Some(include_str!("../../documents/loginsign.toml")),
        citation: "LoginSign API Reference (loginsign.com)",
        catalogue: include_str!("../../catalogue/loginsign.toml"),
        dialect_from_target_file: false,
    },
    // A standard RFC 6749 authorization server, as the embedded oauth2 mock serves it and as a
    // target file's `[providers.oauth2.dialect]` starts from: form-encoded token requests with HTTP
    // Basic client authentication (§2.3.1: servers MUST support it), the RFC's field names,
    // `redirect_uri` in both requests (§4.1.1, §4.1.3), and a Bearer-protected resource (RFC 6750).
    Entry {
        name: "oauth2",
        dialect: Dialect {
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
            // The embedded mock's, which publishes its metadata (RFC 8414) saying so; a target
            // file's dialect starts from none of them (`targets/dialect.rs`).
            extensions: Extensions {
                pkce: Pkce::S256,
                pkce_plain_refused: true,
                refresh_tokens: true,
                iss_parameter: true,
            },
        },
        mock: mocks::oauth2::MOCK,
        document: None,
        citation: "RFC 6749 and RFC 6750",
        catalogue: include_str!("../../catalogue/oauth2.toml"),
        dialect_from_target_file: true,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn folders(dir: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// ARCHITECTURE.md's "Adding a provider": each row has its features, its schemas and its
    /// mock, its document file exactly when the row names one, and no folder lacks a row.
    #[test]
    fn every_row_has_its_places_and_every_place_its_row() {
        let mut names: Vec<String> = TABLE.iter().map(|e| e.name.to_owned()).collect();
        names.sort();
        assert_eq!(folders("features"), names, "features/<name>/ per row");
        let schema_folders: Vec<String> = folders("schemas")
            .into_iter()
            .filter(|f| f != "common")
            .collect();
        assert_eq!(
            schema_folders, names,
            "schemas/<name>/ per row (and common/)"
        );
        for e in &TABLE {
            assert!(
                std::path::Path::new(&format!("src/mocks/{}.rs", e.name)).is_file(),
                "src/mocks/{}.rs",
                e.name
            );
            let file = format!("documents/{}.toml", e.name);
            assert_eq!(
                e.document.is_some(),
                std::path::Path::new(&file).is_file(),
                "{file} exists exactly when the row names it"
            );
            if let Some(text) = e.document {
                assert_eq!(text, std::fs::read_to_string(&file).unwrap(), "{file}");
            }
        }
    }
}
