//! Checks: small pure functions, one per requirement, that compare what a provider answered with
//! what a rule demands and return a [`Failure`] a person can act on. Checks do no I/O.

mod content_type;
mod documented;
mod failure;
mod json;
mod oauth;
mod response;

pub use content_type::ensure_json_content_type;
pub use documented::{
    accept_ranges, ensure_allow_lists, ensure_content_type_accepted,
    ensure_documented_content_type, ensure_documented_status, essence, media_type_matches,
};
pub use failure::{Failure, printable};
pub use json::{
    contains_string, ensure_pointer_equals, ensure_pointer_one_of, lookup, parse_json_string,
    values_named,
};
pub use oauth::{
    MISCONFIGURED_CLIENT, Redirect, ensure_bearer_challenge, ensure_bearer_invalid_request,
    ensure_no_code_issued, ensure_oauth_error, parse_redirect,
};
pub use response::{
    ensure_challenge, ensure_credential_accepted, ensure_header_has_token, ensure_json_body,
    ensure_status,
};

/// The result of a check.
pub type CheckResult<T = ()> = Result<T, Failure>;
