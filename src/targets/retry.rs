//! Retries for transport errors only (`--retries N`): a request that got no answer is sent again,
//! a failed check never is. A request is re-sent when it never reached the provider (connecting,
//! DNS, the TLS handshake failed), or when it is a GET or HEAD whose answer was lost; a POST whose
//! answer was lost may have changed the provider's state, so it stays an environment error.

use std::time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
