//! Step definitions, one module per concept of the protocol. Steps are thin: they parse their
//! arguments, make a request or read the last exchange, and call a check.

mod authorize;
mod credentials;
mod details;
mod developer_portal;
mod discovery;
mod licenses;
mod lifetimes;
mod media_type;
mod mock_control;
mod resource;
mod response;
mod sso;
mod token;
mod userinfo;
mod variations;
mod webhooks;

/// The rule cited when a check enforces RFC 6749's error response format.
pub const RFC6749_ERRORS: &str = "RFC 6749 §5.2 (error response)";

/// Parses "400", "400 or 401", "400, 401 or 422" into status codes.
pub fn parse_statuses(text: &str) -> Vec<u16> {
    text.split([',', ' '])
        .filter(|t| !t.is_empty() && *t != "or")
        .filter_map(|t| t.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_parse() {
        assert_eq!(super::parse_statuses("400 or 401"), vec![400, 401]);
        assert_eq!(
            super::parse_statuses("400, 401 or 422"),
            vec![400, 401, 422]
        );
    }
}
