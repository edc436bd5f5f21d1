//! An interrupted run: Ctrl-C (SIGINT) or `--max-duration` stops the scenarios, and the reports
//! of what ran are still written, marked incomplete: every selected scenario that did not finish
//! is listed as skipped with the reason, `summary.md` and the console open with a banner, and
//! the exit code is 4.

use std::time::Duration;

use cucumber::gherkin::{Feature, Rule, Scenario};

use crate::reports::{ScenarioResult, Status};

/// Why a run stopped before every scenario finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interruption {
    /// Ctrl-C: SIGINT.
    Signal,
    /// A supervisor stopped the run (SIGTERM: a CI job cancelled or timed out) or its terminal
    /// went away (SIGHUP).
    Stopped(&'static str),
    /// `--max-duration` elapsed.
    MaxDuration(Duration),
}

impl std::fmt::Display for Interruption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Interruption::Signal => f.write_str("interrupted by Ctrl-C (SIGINT)"),
            Interruption::Stopped(signal) => write!(f, "stopped by {signal}"),
            Interruption::MaxDuration(d) => {
                write!(f, "stopped by --max-duration {}", show_duration(*d))
            }
        }
    }
}

/// Resolves when the run must stop: on SIGINT, or when `max` has elapsed.
pub async fn requested(max: Option<Duration>) -> Interruption {
    let deadline = async {
        match max {
            Some(d) => tokio::time::sleep(d).await,
            None => futures::future::pending().await,
        }
    };
    let signal = async {
        // Without a signal handler (a platform lacking one), only the deadline stops the run.
        if tokio::signal::ctrl_c().await.is_err() {
            futures::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = signal => Interruption::Signal,
        name = stop_signal() => Interruption::Stopped(name),
        () = deadline => Interruption::MaxDuration(max.unwrap_or_default()),
    }
}

/// Resolves on SIGTERM or SIGHUP with the signal's name; never where they do not exist.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            return tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = hup.recv() => "SIGHUP",
            };
        }
    }
    futures::future::pending().await
}

/// `--max-duration`: a whole number with an optional unit, `s` (the default), `m` or `h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not a duration; write e.g. 90s, 15m or 1h"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => {
            return Err(format!(
                "\"{text}\": the unit is s, m or h, e.g. 90s, 15m or 1h"
            ));
        }
    };
    if secs == 0 {
        return Err("the run needs more than 0 seconds".to_owned());
    }
    Ok(Duration::from_secs(secs))
}

fn show_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Every scenario `wanted` selects, as a record to report if it never finishes.
pub fn planned(
    features: &[Feature],
    wanted: impl Fn(&Feature, Option<&Rule>, &Scenario) -> bool,
) -> Vec<ScenarioResult> {
    let mut planned = Vec::new();
    for f in features {
        for s in &f.scenarios {
            if wanted(f, None, s) {
                planned.push(ScenarioResult::skipped(f, None, s, ""));
            }
        }
        for r in &f.rules {
            for s in &r.scenarios {
                if wanted(f, Some(r), s) {
                    planned.push(ScenarioResult::skipped(f, Some(r), s, ""));
                }
            }
        }
    }
    planned
}

/// The run's completeness, for the banners.
#[derive(Clone, Debug)]
pub struct Incomplete {
    pub why: Interruption,
    /// Selected scenarios that finished, and all selected.
    pub finished: usize,
    pub selected: usize,
    pub elapsed: Duration,
}

impl Incomplete {
    /// One line: why, when, and how much ran.
    pub fn banner(&self) -> String {
        format!(
            "INCOMPLETE RUN: {} after {:.1} s; {} of {} selected scenarios finished, the others \
             are listed as skipped (not finished)",
            self.why,
            self.elapsed.as_secs_f64(),
            self.finished,
            self.selected
        )
    }
}

/// Adds every planned scenario that did not finish (nor was skipped) to `results`, as skipped
/// with the reason.
pub fn mark_unfinished(
    results: &mut Vec<ScenarioResult>,
    planned: Vec<ScenarioResult>,
    why: Interruption,
    elapsed: Duration,
) -> Incomplete {
    let selected = planned.len();
    let finished = results
        .iter()
        .filter(|r| r.status != Status::Skipped)
        .count();
    add_unreported(
        results,
        planned,
        &format!("not finished: the run was {why}"),
    );
    Incomplete {
        why,
        finished,
        selected,
        elapsed,
    }
}

/// Adds every planned scenario `results` does not hold (it did not finish, nor was skipped) as
/// skipped with `reason`, and keeps `results` in file order.
pub fn add_unreported(
    results: &mut Vec<ScenarioResult>,
    planned: Vec<ScenarioResult>,
    reason: &str,
) {
    for mut p in planned {
        if !results.iter().any(|r| r.file == p.file && r.line == p.line) {
            p.skip_reason = Some(reason.to_owned());
            results.push(p);
        }
    }
    results.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("1.5h").unwrap_err().contains("unit"));
        assert!(parse_duration("soon").unwrap_err().contains("e.g. 90s"));
        assert!(parse_duration("0s").is_err());
        assert_eq!(
            Interruption::MaxDuration(Duration::from_secs(120)).to_string(),
            "stopped by --max-duration 2m"
        );
    }

    #[test]
    fn unfinished_scenarios_are_listed_as_skipped_with_the_reason() {
        let feature = cucumber::gherkin::Feature::parse(
            "@losgehts\nFeature: f\n  Scenario: done\n    Given a\n  Scenario: cut\n    Given b\n",
            cucumber::gherkin::GherkinEnv::default(),
        )
        .unwrap();
        let planned = planned(std::slice::from_ref(&feature), |_, _, _| true);
        let mut done = planned[0].clone();
        done.status = Status::Passed;
        done.skip_reason = None;
        let mut results = vec![done];
        let incomplete = mark_unfinished(
            &mut results,
            planned,
            Interruption::Signal,
            Duration::from_millis(1500),
        );
        assert_eq!((incomplete.finished, incomplete.selected), (1, 2));
        assert_eq!(results[1].status, Status::Skipped);
        assert_eq!(
            results[1].skip_reason.as_deref(),
            Some("not finished: the run was interrupted by Ctrl-C (SIGINT)")
        );
        let summary = crate::reports::with_banner("# title\n\nbody\n", &incomplete.banner());
        assert!(
            summary.starts_with(
                "# title\n\n> **INCOMPLETE RUN: interrupted by Ctrl-C (SIGINT) after 1.5 s; 1 of 2"
            ),
            "{summary}"
        );
    }
}
