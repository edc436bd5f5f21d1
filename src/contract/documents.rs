//! What a provider's document lists per endpoint (status codes, media types, whether it takes an
//! Authorization header, required fields), kept as data under `documents/` and compiled into the
//! binary. Generic checks read these lists; they never branch on a provider's name.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::contract::checks::Failure;
use crate::providers::Provider;

/// One provider's document, as far as the generic checks need it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The document's title (and public location where known), as failures cite it.
    pub title: String,
    pub provider: String,
    /// Keyed by "METHOD /path", e.g. "POST /sso/auth".
    pub endpoints: BTreeMap<String, EndpointDoc>,
}

/// What the document lists for one endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointDoc {
    /// The section heading of the document the endpoint is under.
    pub section: String,
    /// The status codes the document lists (none: it lists none for the endpoint).
    #[serde(default)]
    pub statuses: Vec<u16>,
    #[serde(default)]
    pub accept: Vec<String>,
    #[serde(default)]
    pub content_type: Vec<String>,
    #[serde(default)]
    pub response_content_type: Vec<String>,
    #[serde(default)]
    pub authorization: bool,
    #[serde(default)]
    pub required: Vec<String>,
    /// The one kind of credential the document says the endpoint takes.
    pub credential: Option<Credential>,
}

/// A kind of credential a request can carry (LoginSign's "Which API uses which credentials?").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Credential {
    /// No credential at all.
    None,
    /// `Authorization: Bearer <access token>`.
    AccessToken,
    /// `Authorization: Basic base64(client_id:client_secret)`.
    ClientBasic,
    /// The developer portal's session cookie.
    DeveloperSession,
    /// The end user's LoginSign session cookie.
    UserSession,
}

impl Credential {
    /// How a feature names it: "the access token", "the developer session cookie", ...
    pub fn phrase(self) -> &'static str {
        match self {
            Credential::None => "no credentials",
            Credential::AccessToken => "the access token",
            Credential::ClientBasic => "the client's Basic credentials",
            Credential::DeveloperSession => "the developer session cookie",
            Credential::UserSession => "the user's session cookie",
        }
    }

    pub fn from_phrase(text: &str) -> Option<Self> {
        [
            Credential::None,
            Credential::AccessToken,
            Credential::ClientBasic,
            Credential::DeveloperSession,
            Credential::UserSession,
        ]
        .into_iter()
        .find(|c| c.phrase() == text)
    }
}

/// Every provider's document lists the harness has (`documents/<name>.toml`), parsed once.
static DOCUMENTS: LazyLock<HashMap<Provider, Document>> = LazyLock::new(|| {
    Provider::all()
        .into_iter()
        .filter_map(|p| {
            let text = p.document()?;
            let doc = toml::from_str(text).unwrap_or_else(|e| {
                panic!(
                    "documents/{}.toml does not parse (a unit test checks each): {e}",
                    p.name()
                )
            });
            Some((p, doc))
        })
        .collect()
});

/// The provider's document lists, if the harness has them.
pub fn document(provider: Provider) -> Option<&'static Document> {
    DOCUMENTS.get(&provider)
}

impl Document {
    /// The lists for `endpoint` ("METHOD /path"), or a failure naming the endpoints it has.
    pub fn endpoint(&self, endpoint: &str) -> Result<&EndpointDoc, Failure> {
        self.endpoints.get(endpoint).ok_or_else(|| {
            let known: Vec<&str> = self.endpoints.keys().map(String::as_str).collect();
            Failure::new(format!(
                "the {} document lists no endpoint \"{endpoint}\"; known: {}",
                self.provider,
                known.join(", ")
            ))
        })
    }

    /// How a failure cites the document: "SSO (v1) documentation, Auth".
    pub fn cite(&self, doc: &EndpointDoc) -> String {
        format!("{}, {}", self.title, doc.section)
    }
}

/// Splits "POST /sso/auth" into its method and path.
pub fn split_endpoint(endpoint: &str) -> Result<(reqwest::Method, &str), Failure> {
    let (method, path) = endpoint.split_once(' ').ok_or_else(|| {
        Failure::new(format!(
            "\"{endpoint}\" is not an endpoint; write METHOD /path"
        ))
    })?;
    let method = method
        .parse()
        .map_err(|_| Failure::new(format!("\"{method}\" is not an HTTP method")))?;
    Ok((method, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sso_v1_document_parses_and_lists_every_endpoint() {
        let doc = document(Provider::named("sso_v1")).unwrap();
        assert_eq!(doc.endpoints.len(), 9);
        let auth = doc.endpoint("POST /sso/auth").unwrap();
        assert!(auth.statuses.contains(&201) && auth.authorization);
        let sms = doc.endpoint("POST /sso/sms").unwrap();
        assert_eq!(sms.statuses, vec![406, 415, 201, 404]);
        assert!(doc.endpoint("DELETE /sso/auth").is_err());
    }

    #[test]
    fn the_loginsign_document_names_one_credential_per_route() {
        let doc = document(Provider::named("loginsign")).unwrap();
        assert_eq!(doc.endpoints.len(), 17);
        assert!(doc.endpoints.values().all(|e| e.credential.is_some()));
        let user = doc.endpoint("GET /api/user").unwrap();
        assert_eq!(user.credential, Some(Credential::AccessToken));
        let status = doc
            .endpoint("PATCH /api/applications/:appId/users/:globalId/status")
            .unwrap();
        assert_eq!(status.credential, Some(Credential::ClientBasic));
        assert_eq!(
            Credential::from_phrase("the developer session cookie"),
            Some(Credential::DeveloperSession)
        );
    }

    #[test]
    fn endpoints_split() {
        let (m, p) = split_endpoint("PATCH /sso/email").unwrap();
        assert_eq!((m, p), (reqwest::Method::PATCH, "/sso/email"));
        assert!(split_endpoint("/sso/email").is_err());
    }
}
