//! Retries for transport errors only (`--retries N`): a request that got no answer is sent again,
//! a failed check never is. A request is re-sent when it never reached the provider (connecting,
//! DNS, the TLS handshake failed), or when it is a GET or HEAD whose answer was lost; a POST whose
//! answer was lost may have changed the provider's state, so it stays an environment error.
//!
//! Rate limits are waited out: a 429, or a 503, with `Retry-After` (RFC 6585 §4, RFC 9110
//! §10.2.3) asks the client to come back later, so the request is sent again after that wait,
//! at most [`MAX_RATE_LIMIT_WAITS`] times and never for longer than [`MAX_RATE_LIMIT_WAIT`]
//! each; beyond that the run reports an environment error, never a verdict.

use std::time::{Duration, SystemTime};

use crate::targets::http::TransportError;

/// How often and how patiently a request is re-sent.
#[derive(Clone, Copy, Debug, Default)]
pub struct RetryPolicy {
    /// Re-sends of one request at most; 0: none.
    pub max: usize,
}

/// The first pause; each next one doubles, up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(250);
const MAX_PAUSE: Duration = Duration::from_secs(4);

impl RetryPolicy {
    /// May the request be sent again after its `attempt`-th re-send (0: the first sending)?
    pub fn may_retry(&self, attempt: usize, method: &reqwest::Method, e: &TransportError) -> bool {
        let safe =
            e.not_delivered || *method == reqwest::Method::GET || *method == reqwest::Method::HEAD;
        attempt < self.max && safe
    }

    /// The pause before re-send number `attempt` (1-based).
    pub fn pause(&self, attempt: usize) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(8);
        (FIRST_PAUSE * factor).min(MAX_PAUSE)
    }
}

/// The longest `Retry-After` the harness waits out.
pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);
/// How often one request may be rate-limited and sent again.
pub const MAX_RATE_LIMIT_WAITS: usize = 3;

/// How long a rate-limited answer asks the client to wait: `Some` for a 429 or 503 whose
/// `Retry-After` is delta-seconds or an HTTP-date (a date in the past: no wait); `None` for
/// every other answer, which the checks judge.
pub fn rate_limit_wait(
    status: u16,
    retry_after: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    if status != 429 && status != 503 {
        return None;
    }
    let value = retry_after?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_only_from_rate_limited_answers() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            rate_limit_wait(429, Some("7"), now),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(12));
        assert_eq!(
            rate_limit_wait(503, Some(&later), now),
            Some(Duration::from_secs(12))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(
            rate_limit_wait(503, Some(&earlier), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            rate_limit_wait(503, None, now),
            None,
            "a 503 without it is judged"
        );
        assert_eq!(rate_limit_wait(429, Some("soon"), now), None);
        assert_eq!(rate_limit_wait(400, Some("7"), now), None);
    }

    fn error(not_delivered: bool) -> TransportError {
        TransportError {
            url: "http://x".to_owned(),
            kind: "connection failed",
            detail: String::new(),
            not_delivered,
        }
    }

    #[test]
    fn only_requests_that_cannot_repeat_an_effect_are_retried() {
        let p = RetryPolicy { max: 2 };
        let post = reqwest::Method::POST;
        assert!(p.may_retry(0, &post, &error(true)), "never delivered");
        assert!(
            !p.may_retry(0, &post, &error(false)),
            "a POST's answer was lost"
        );
        assert!(p.may_retry(1, &reqwest::Method::GET, &error(false)));
        assert!(
            !p.may_retry(2, &reqwest::Method::GET, &error(true)),
            "at most max"
        );
        assert!(
            !RetryPolicy::default().may_retry(0, &post, &error(true)),
            "off by default"
        );
    }

    #[test]
    fn pauses_grow_and_stay_bounded() {
        let p = RetryPolicy { max: 10 };
        assert_eq!(p.pause(1), FIRST_PAUSE);
        assert_eq!(p.pause(2), FIRST_PAUSE * 2);
        assert_eq!(p.pause(10), MAX_PAUSE);
    }
}
