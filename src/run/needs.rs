//! What a scenario needs from its target beyond the client (`@needs-...` tags: an SMS code, a
//! Bearer resource, LoginSign's app access), and the reason it is skipped when the target file
//! does not provide it. The embedded mocks provide everything.

use crate::providers::Pkce;
use crate::targets::Target;

/// One need: the tag that declares it, the target-file key that meets it, and the check.
pub struct Need {
    pub tag: &'static str,
    pub key: &'static str,
    pub what: &'static str,
    met: fn(&Target) -> bool,
}

/// Every need a scenario can declare with a tag.
pub const NEEDS: &[Need] = &[
    Need {
        tag: "needs-sms-code",
        key: "test_sms_code_env",
        what: "the SMS code of the test telephone",
        met: |t| t.test_sms_code.is_some(),
    },
    Need {
        tag: "needs-resource",
        key: "dialect.resource_path",
        what: "a resource protected by the access token",
        met: |t| t.dialect.resource_path.is_some(),
    },
    Need {
        tag: "needs-discovery",
        key: "issuer",
        what: "the authorization server's metadata",
        met: |t| t.discovery.is_some(),
    },
    Need {
        tag: "needs-pkce",
        key: "dialect.pkce (or issuer, whose metadata lists code_challenge_methods_supported)",
        what: "PKCE",
        met: |t| t.dialect.extensions.pkce != Pkce::None,
    },
    Need {
        tag: "needs-pkce-s256-only",
        key: "issuer (whose metadata lists S256 and not plain in code_challenge_methods_supported)",
        what: "a server advertising only S256",
        met: |t| t.dialect.extensions.pkce_plain_refused,
    },
    Need {
        tag: "needs-refresh",
        key: "dialect.refresh_tokens (or issuer, whose metadata lists the refresh_token grant)",
        what: "refresh tokens",
        met: |t| t.dialect.extensions.refresh_tokens,
    },
    Need {
        tag: "needs-iss-parameter",
        key: "issuer (whose metadata advertises authorization_response_iss_parameter_supported)",
        what: "an iss parameter in authorization responses",
        met: |t| t.discovery.is_some() && t.dialect.extensions.iss_parameter,
    },
    Need {
        tag: "needs-second-client",
        key: "second_client_id and second_client_secret_env",
        what: "a second registered client",
        met: |t| t.second_client.is_some(),
    },
    Need {
        tag: "needs-app-id",
        key: "app_id",
        what: "the app id",
        met: |t| t.app.app_id.is_some(),
    },
    Need {
        tag: "needs-developer-session",
        key: "developer_session_cookie_env",
        what: "the developer portal's session cookie",
        met: |t| t.app.developer_session.is_some(),
    },
    Need {
        tag: "needs-second-user",
        key: "second_test_telephone",
        what: "a second registered test user",
        met: |t| t.second_telephone.is_some(),
    },
    Need {
        tag: "needs-user-session",
        key: "user_session_cookie_env",
        what: "the end user's session cookie",
        // The embedded mock signs its user in through a control route.
        met: |t| t.app.user_session.is_some() || t.mock_control,
    },
    Need {
        tag: "needs-webhook-receiver",
        key: "webhook_listen",
        what: "a webhook receiver the provider delivers to",
        met: |t| t.app.webhook_listen.is_some(),
    },
];

/// Why a scenario with these tags cannot run against `target`, or `None` when it can.
pub fn unmet(target: &Target, tags: &[String]) -> Option<String> {
    let missing: Vec<&Need> = NEEDS
        .iter()
        .filter(|n| tags.iter().any(|t| t == n.tag) && !(n.met)(target))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let what: Vec<String> = missing
        .iter()
        .map(|n| format!("{} (@{})", n.what, n.tag))
        .collect();
    let keys: Vec<&str> = missing.iter().map(|n| n.key).collect();
    Some(format!(
        "needs {}; set {} in the target file to run it",
        what.join(" and "),
        keys.join(" and ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Provider;
    use crate::secret::Secret;
    use crate::targets::AppAccess;

    fn target(app: AppAccess) -> Target {
        Target {
            provider: Provider::named("loginsign"),
            dialect: Provider::named("loginsign").dialect(),
            base_url: "https://loginsign.invalid".into(),
            authorize_base_url: "https://loginsign.invalid".into(),
            client_id: "40".into(),
            client_secret: Secret::new("needs-test-secret"),
            redirect_uri: "https://app.invalid/cb".into(),
            authorization: Default::default(),
            mock_control: false,
            discovery: None,
            concurrency: None,
            test_telephone: None,
            test_sms_code: None,
            second_telephone: None,
            second_client: None,
            app,
        }
    }

    #[test]
    fn a_missing_field_names_the_tag_and_the_key() {
        let tags = vec!["loginsign".to_owned(), "needs-developer-session".to_owned()];
        let reason = unmet(&target(AppAccess::default()), &tags).unwrap();
        assert!(reason.contains("@needs-developer-session"), "{reason}");
        assert!(reason.contains("developer_session_cookie_env"), "{reason}");
        let tags = vec![
            "needs-app-id".to_owned(),
            "needs-webhook-receiver".to_owned(),
        ];
        let reason = unmet(&target(AppAccess::default()), &tags).unwrap();
        assert!(reason.contains("app_id and webhook_listen"), "{reason}");
    }

    #[test]
    fn met_needs_and_untagged_scenarios_run() {
        let app = AppAccess {
            app_id: Some("app".into()),
            developer_session: None,
            webhook_listen: Some("127.0.0.1:8787".parse().unwrap()),
            user_session: None,
        };
        let tags = vec![
            "needs-app-id".to_owned(),
            "needs-webhook-receiver".to_owned(),
        ];
        assert_eq!(unmet(&target(app), &tags), None);
        assert_eq!(unmet(&target(AppAccess::default()), &[]), None);
    }
}
