//! The console of a run: a cucumber [`Writer`] that shows a progress line (a bar on a terminal,
//! one character per scenario otherwise), then each failure in full as a failed check (scenario
//! and step with their lines, expected / actual, pointer, rule, the request and the response
//! excerpt), and with `-v` every scenario with its steps; `-q` leaves only the summary, which
//! [`summary`] renders once the reports are written.
//!
//! It sees cucumber's events as they happen (before normalization), gathers each scenario's
//! steps, and renders the scenario when it finishes: a long scenario never holds back the
//! others' output. Everything it writes goes through `RedactingStdout` (masked), each line of a
//! provider's text through [`printable`] (no control character reaches the terminal).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use console::Style;
use cucumber::event::{self, Cucumber, Feature, RetryableScenario, Rule, Scenario, Step};
use cucumber::{Event, Writer, gherkin, parser};

use super::failure_view::FailureView;
use super::{ScenarioResult, Status};
use crate::contract::checks::printable;
use crate::contract::features::merged_tags;
use crate::providers::Provider;

/// How much the console shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Detail {
    /// `-q`: the summary only.
    Quiet,
    /// The progress line, each failure in full, the summary.
    Failures,
    /// `-v`: every scenario with its steps.
    Steps,
    /// `-vv`: also the World of a failed step (its secrets print as a redaction marker).
    World,
}

impl Detail {
    pub fn new(quiet: bool, verbose: u8) -> Self {
        match (quiet, verbose) {
            (true, _) => Detail::Quiet,
            (_, 0) => Detail::Failures,
            (_, 1) => Detail::Steps,
            _ => Detail::World,
        }
    }
}

/// Colours on or off (`--no-color`, `NO_COLOR`, or not a terminal: off).
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub color: bool,
}

impl Palette {
    /// Colours when standard output is a terminal, `NO_COLOR` is unset and `--no-color` absent.
    pub fn for_stdout(no_color: bool) -> Self {
        use std::io::IsTerminal as _;
        let color = !no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        Self { color }
    }

    fn paint(self, style: Style, text: &str) -> String {
        style.apply_to(text).force_styling(self.color).to_string()
    }

    fn failed(self, text: &str) -> String {
        self.paint(Style::new().red().bold(), text)
    }
    fn error(self, text: &str) -> String {
        self.paint(Style::new().yellow().bold(), text)
    }
    fn passed(self, text: &str) -> String {
        self.paint(Style::new().green(), text)
    }
    fn label(self, text: &str) -> String {
        self.paint(Style::new().dim(), text)
    }
    fn strong(self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }
    fn expected(self, text: &str) -> String {
        self.paint(Style::new().green(), text)
    }
    fn actual(self, text: &str) -> String {
        self.paint(Style::new().red(), text)
    }
    fn pointer(self, text: &str) -> String {
        self.paint(Style::new().cyan(), text)
    }
}

/// One step as the console shows it.
#[derive(Clone, Debug)]
pub struct StepLine {
    /// Keyword and text, as the feature file has them.
    pub text: String,
    pub line: usize,
    pub status: Status,
}

/// A scenario that finished, as the console renders it.
#[derive(Clone, Debug)]
pub struct Finished {
    pub provider: String,
    pub name: String,
    /// The feature file, as given to the run.
    pub file: String,
    pub line: usize,
    pub steps: Vec<StepLine>,
    /// The failing step (none for a failed hook) and its error: the text of the check's
    /// [`Failure`](crate::contract::checks::Failure), masked.
    pub failure: Option<(Option<StepLine>, String)>,
    /// The World of the failed step, `{:#?}` (`-vv`).
    pub world: Option<String>,
}

impl Finished {
    fn environment_error(&self) -> bool {
        self.failure
            .as_ref()
            .is_some_and(|(_, e)| e.starts_with("environment error:"))
    }
}

/// The failure of a finished scenario, in full: what failed where, then the check's evidence.
pub fn render_failure(s: &Finished, p: Palette) -> String {
    let Some((step, error)) = &s.failure else {
        return String::new();
    };
    let mut out = String::new();
    let head = if s.environment_error() {
        p.error("ERROR")
    } else {
        p.failed("FAILED")
    };
    let _ = writeln!(
        out,
        "{head} {} › {}",
        s.provider,
        p.strong(&printable(&s.name))
    );
    let _ = writeln!(out, "  {} {}:{}", p.label("scenario:"), s.file, s.line);
    if let Some(step) = step {
        let _ = writeln!(
            out,
            "  {}     {}  {}",
            p.label("step:"),
            printable(&step.text),
            p.label(&format!("(line {})", step.line))
        );
    }
    let view = FailureView::parse(error);
    let f = &view.failure;
    let _ = writeln!(out);
    for line in f.title.lines() {
        let _ = writeln!(out, "  {}", p.strong(&printable(line)));
    }
    type Paint = fn(Palette, &str) -> String;
    let fields: [(&str, &Option<String>, Paint); 4] = [
        ("expected:", &f.expected, Palette::expected),
        ("actual:", &f.actual, Palette::actual),
        ("at:", &f.pointer, Palette::pointer),
        ("rule:", &f.rule, |_, t| t.to_owned()),
    ];
    for (label, value, paint) in fields {
        if let Some(value) = value {
            for (i, line) in value.lines().enumerate() {
                let label = if i == 0 { label } else { "" };
                let _ = writeln!(
                    out,
                    "  {} {}",
                    p.label(&format!("{label:<9}")),
                    paint(p, &printable(line))
                );
            }
        }
    }
    for detail in &f.details {
        for (i, line) in detail.lines().enumerate() {
            let bullet = if i == 0 { "-" } else { " " };
            let _ = writeln!(out, "  {bullet} {}", printable(line));
        }
    }
    if let Some(exchange) = &f.exchange {
        for line in exchange.lines() {
            let (label, rest) = match line.split_at_checked(10) {
                Some((l, r)) if l.ends_with(": ") || l.trim().is_empty() => (l, r),
                _ => ("", line),
            };
            let _ = writeln!(out, "  {}{}", p.label(label), printable(rest));
        }
    }
    if let Some(world) = &s.world {
        let _ = writeln!(out, "  {}", p.label("world:"));
        for line in world.lines() {
            let _ = writeln!(out, "    {}", printable(line));
        }
    }
    out
}

/// A finished scenario with each of its steps (`-v`), then its failure in full.
pub fn render_steps(s: &Finished, p: Palette) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} › {}  {}",
        s.provider,
        p.strong(&printable(&s.name)),
        p.label(&format!("{}:{}", s.file, s.line))
    );
    for step in &s.steps {
        let mark = match step.status {
            Status::Passed => p.passed("✔"),
            Status::Failed => p.failed("✘"),
            Status::Skipped => p.label("-"),
        };
        let _ = writeln!(out, "  {mark} {}", printable(&step.text));
    }
    if s.failure.is_some() {
        out.push('\n');
        out.push_str(&render_failure(s, p));
    }
    out
}

/// The console summary, printed when the reports are written: the verdict, a line per
/// provider, each failed scenario with its place (the failures in full came before), the
/// scenarios that passed only after a re-sent request, and the skips grouped by reason (with
/// `-v`, each skipped scenario under its reason).
pub fn summary(results: &[ScenarioResult], detail: Detail, p: Palette) -> String {
    let mut out = String::new();
    let (passed, failed, skipped, environment) = super::summary::counts(results);
    let verdict = if environment > 0 {
        p.error("ENVIRONMENT ERROR")
    } else if failed > 0 {
        p.failed("FAILED")
    } else {
        p.passed("PASSED")
    };
    let _ = writeln!(
        out,
        "\nidp-conformance: {verdict}  {passed} passed, {failed} failed, {skipped} skipped"
    );
    // A cause that makes every verdict of a provider meaningless (a misconfigured client)
    // comes first.
    for d in super::summary::diagnoses(results) {
        let _ = writeln!(out, "  DIAGNOSIS: {}", printable(d));
    }
    if environment > 0 {
        let _ = writeln!(
            out,
            "  {environment} scenario(s) could not reach the target or obtain an authorization \
             (exit 3: the environment, not a verdict)"
        );
    }
    let mut by_provider: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for r in results {
        let c = by_provider.entry(r.provider.as_str()).or_default();
        let i = match r.status {
            Status::Passed => 0,
            Status::Failed => 1,
            Status::Skipped => 2,
        };
        c[i] += 1;
    }
    for (provider, [passed, failed, skipped]) in by_provider {
        let _ = writeln!(
            out,
            "  {provider:<12} {passed:>4} passed {failed:>4} failed {skipped:>4} skipped"
        );
    }
    let failures: Vec<_> = results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\nFailed:");
        for r in failures {
            let mark = if r.environment_error {
                p.error("ERROR ")
            } else {
                p.failed("FAILED")
            };
            let _ = writeln!(
                out,
                "  {mark} {}:{}  {} › {}",
                r.file,
                r.line,
                r.provider,
                printable(&r.scenario)
            );
        }
    }
    let retried = super::summary::retried(results);
    if !retried.is_empty() {
        let _ = writeln!(
            out,
            "\nRe-sent requests (transport errors only; no check is retried):"
        );
        for r in retried {
            let _ = writeln!(
                out,
                "  PASSED after {} re-sent request(s): {}:{}  {} › {}",
                r.retries, r.file, r.line, r.provider, r.scenario
            );
        }
    }
    let skips = super::summary::skipped_by_reason(results);
    if !skips.is_empty() {
        let _ = writeln!(out, "\nSkipped:");
        for (reason, scenarios) in skips {
            let _ = writeln!(out, "  {:>4}  {}", scenarios.len(), printable(reason));
            if detail >= Detail::Steps {
                for r in scenarios {
                    let _ = writeln!(
                        out,
                        "          {}:{}  {} › {}",
                        r.file, r.line, r.provider, r.scenario
                    );
                }
            }
        }
    }
    out
}

/// How the progress of the run shows.
enum Progress {
    /// A terminal: a bar, cleared when the run ends; failures print above it.
    Bar(indicatif::ProgressBar),
    /// Not a terminal: one character per scenario (`.` passed, `F` failed, `E` environment
    /// error), then the failures in full.
    Line { written: usize },
    /// `-q`, or `-v` (each scenario is written out).
    None,
}

#[derive(Debug)]
struct Running {
    path: Option<PathBuf>,
    finished: Finished,
}

/// Marks on one line of the progress line (not a terminal), followed by the count so far.
const MARKS_PER_LINE: usize = 80;

/// How many planned scenarios the targets cannot run, so far (they count as done on the bar).
pub type SkippedSoFar = Box<dyn Fn() -> usize + Send + Sync>;

/// The writer. `planned` is how many scenarios the run (or shard) selected: the bar's length.
pub struct Console<O: Write> {
    out: O,
    planned: usize,
    skipped: SkippedSoFar,
    finished: usize,
    detail: Detail,
    palette: Palette,
    progress: Progress,
    running: Vec<Running>,
    /// Failures in full, waiting for the end of the progress line (not a terminal).
    waiting: Vec<String>,
    failed: usize,
    done: bool,
}

impl<O: Write> Console<O> {
    pub fn new(
        out: O,
        detail: Detail,
        palette: Palette,
        terminal: bool,
        (planned, skipped): (usize, SkippedSoFar),
    ) -> Self {
        let progress = match detail {
            Detail::Quiet | Detail::Steps | Detail::World => Progress::None,
            Detail::Failures if terminal => {
                let style = if palette.color {
                    "{spinner:.cyan} {elapsed:>4} [{bar:32.cyan/blue}] {pos}/{len} scenarios {msg}"
                } else {
                    "{spinner} {elapsed:>4} [{bar:32}] {pos}/{len} scenarios {msg}"
                };
                let bar = indicatif::ProgressBar::with_draw_target(
                    Some(planned as u64),
                    indicatif::ProgressDrawTarget::stdout(),
                )
                .with_style(
                    indicatif::ProgressStyle::with_template(style)
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                Progress::Bar(bar)
            }
            Detail::Failures => Progress::Line { written: 0 },
        };
        Self {
            out,
            planned,
            skipped,
            finished: 0,
            detail,
            palette,
            progress,
            running: Vec::new(),
            waiting: Vec::new(),
            failed: 0,
            done: false,
        }
    }

    /// Writes `text` now (above the bar, if there is one).
    fn emit(&mut self, text: &str) {
        let out = &mut self.out;
        let mut write = || {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        };
        match &self.progress {
            Progress::Bar(bar) => bar.suspend(write),
            _ => write(),
        }
    }

    fn scenario_finished(&mut self, s: Finished) {
        let p = self.palette;
        if s.failure.is_some() {
            self.failed += 1;
        }
        match self.detail {
            Detail::Quiet => {}
            Detail::Steps | Detail::World => {
                let text = format!("{}\n", render_steps(&s, p));
                self.emit(&text);
            }
            Detail::Failures => {
                let block = (s.failure.is_some()).then(|| format!("\n{}", render_failure(&s, p)));
                match &mut self.progress {
                    Progress::Bar(bar) => {
                        self.finished += 1;
                        let skipped = (self.skipped)();
                        bar.set_position((self.finished + skipped) as u64);
                        let mut said = Vec::new();
                        if self.failed > 0 {
                            said.push(format!("{} failed", self.failed));
                        }
                        if skipped > 0 {
                            said.push(format!("{skipped} skipped"));
                        }
                        if !said.is_empty() {
                            bar.set_message(format!("({})", said.join(", ")));
                        }
                        if let Some(block) = block {
                            self.emit(&block);
                        }
                    }
                    Progress::Line { written } => {
                        let mark = match (&s.failure, s.environment_error()) {
                            (None, _) => p.passed("."),
                            (Some(_), true) => p.error("E"),
                            (Some(_), false) => p.failed("F"),
                        };
                        *written += 1;
                        let _ = write!(self.out, "{mark}");
                        if *written % MARKS_PER_LINE == 0 {
                            let runs = self.planned.saturating_sub((self.skipped)());
                            let _ = writeln!(self.out, " {written}/{runs}");
                        }
                        self.waiting.extend(block);
                    }
                    Progress::None => {}
                }
            }
        }
    }

    /// The run is over (or stopped): the bar is cleared, the progress line ended, the waiting
    /// failures written.
    fn finish(&mut self) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        match &self.progress {
            Progress::Bar(bar) => bar.finish_and_clear(),
            Progress::Line { written } if *written % MARKS_PER_LINE != 0 => {
                let runs = self.planned.saturating_sub((self.skipped)());
                let _ = writeln!(self.out, " {written}/{runs}");
            }
            _ => {}
        }
        for block in std::mem::take(&mut self.waiting) {
            let _ = self.out.write_all(block.as_bytes());
        }
        let _ = self.out.flush();
    }

    fn scenario_event<W: std::fmt::Debug>(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ev: RetryableScenario<W>,
    ) {
        let same = |r: &Running| {
            r.finished.line == scenario.position.line
                && r.path.as_deref() == feature.path.as_deref()
        };
        let step_line = |step: &gherkin::Step, status| StepLine {
            text: format!("{}{}", step.keyword, step.value),
            line: step.position.line,
            status,
        };
        let world = self.detail >= Detail::World;
        match ev.event {
            Scenario::Started => {
                self.running.retain(|r| !same(r));
                let tags = merged_tags(feature, rule, scenario);
                self.running.push(Running {
                    path: feature.path.clone(),
                    finished: Finished {
                        provider: Provider::from_tags(&tags)
                            .map_or("unknown", |p| p.name())
                            .to_owned(),
                        name: scenario.name.clone(),
                        file: feature
                            .path
                            .as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                        line: scenario.position.line,
                        steps: Vec::new(),
                        failure: None,
                        world: None,
                    },
                });
            }
            Scenario::Step(step, ev) | Scenario::Background(step, ev) => {
                let Some(r) = self.running.iter_mut().find(|r| same(r)) else {
                    return;
                };
                let s = &mut r.finished;
                match ev {
                    Step::Passed(..) => s.steps.push(step_line(&step, Status::Passed)),
                    Step::Skipped => s.steps.push(step_line(&step, Status::Skipped)),
                    Step::Failed(_, _, w, err) => {
                        let line = step_line(&step, Status::Failed);
                        s.steps.push(line.clone());
                        s.failure = Some((Some(line), super::collector::step_error(&err)));
                        if world {
                            s.world = w.map(|w| format!("{w:#?}"));
                        }
                    }
                    Step::Started => {}
                }
            }
            Scenario::Hook(_, event::Hook::Failed(_, info)) => {
                if let Some(r) = self.running.iter_mut().find(|r| same(r)) {
                    let text = format!("hook failed: {}", super::collector::panic_text(&info));
                    r.finished.failure = Some((None, text));
                }
            }
            Scenario::Finished => {
                if let Some(pos) = self.running.iter().position(same) {
                    let done = self.running.swap_remove(pos);
                    self.scenario_finished(done.finished);
                }
            }
            _ => {}
        }
    }
}

impl<O: Write> Drop for Console<O> {
    fn drop(&mut self) {
        self.finish();
    }
}

impl<W: cucumber::World + std::fmt::Debug, O: Write> Writer<W> for Console<O> {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _: &Self::Cli) {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                let text = format!("{}\n", printable(&e.to_string()));
                self.emit(&text);
                return;
            }
        };
        match event.value {
            Cucumber::Feature(feature, Feature::Scenario(sc, ev)) => {
                self.scenario_event(&feature, None, &sc, ev);
            }
            Cucumber::Feature(feature, Feature::Rule(rule, Rule::Scenario(sc, ev))) => {
                self.scenario_event(&feature, Some(&rule), &sc, ev);
            }
            Cucumber::Finished => self.finish(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::checks::Failure;

    const PLAIN: Palette = Palette { color: false };

    fn failed_scenario() -> Finished {
        let failure = Failure::new("the userinfo answer does not match the schema \"losgehts/userinfo\"")
            .expected("a body valid under losgehts/userinfo")
            .actual("1 violation")
            .at("/verification/address/country")
            .rule("JSON Schema (draft 2020-12), losgehts Ident OAuth 2.0 guide, section Userinfo")
            .detail("/verification/address/country: [pattern] \"at\" does not match \"^[A-Z]{2}$\"")
            .with_exchange(
                "request:  GET http://127.0.0.1:4000/api/userinfo\n          authorization: ••••••\nresponse: HTTP 200\n          content-type: application/json\n          … 12 lines above\n              \"address\": {\n                \"country\": \"at\",\n                \"city\": \"Wien\"\n              }\n          … 3 lines below",
            );
        let step = StepLine {
            text: "Then the body matches the schema \"losgehts/userinfo\"".into(),
            line: 14,
            status: Status::Failed,
        };
        Finished {
            provider: "losgehts".into(),
            name: "The userinfo answer matches the documented record".into(),
            file: "features/losgehts/userinfo.feature".into(),
            line: 9,
            steps: vec![
                StepLine {
                    text: "Given an access token for the test user".into(),
                    line: 12,
                    status: Status::Passed,
                },
                step.clone(),
            ],
            failure: Some((Some(step), failure.to_string())),
            world: None,
        }
    }

    #[test]
    fn a_failure_reads_as_a_failed_check() {
        let text = render_failure(&failed_scenario(), PLAIN);
        assert!(!text.contains("panicked"), "{text}");
        insta::assert_snapshot!("console_failure", text);
    }

    #[test]
    fn verbose_shows_every_step_then_the_failure() {
        insta::assert_snapshot!("console_steps", render_steps(&failed_scenario(), PLAIN));
    }

    #[test]
    fn an_environment_error_is_not_called_a_failed_check() {
        let mut s = failed_scenario();
        s.failure = Some((None, "environment error: connection refused".into()));
        let text = render_failure(&s, PLAIN);
        assert!(text.starts_with("ERROR losgehts › "), "{text}");
    }

    #[test]
    fn provider_text_cannot_restyle_the_terminal() {
        let mut s = failed_scenario();
        s.failure = Some((None, "bad \u{1b}[2J\r forged".into()));
        s.name = "name \u{1b}]0;title\u{7}".into();
        let text = render_failure(&s, PLAIN);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        let colored = render_failure(&failed_scenario(), Palette { color: true });
        assert!(colored.contains("\u{1b}[31m"), "colour on: {colored:?}");
    }

    #[test]
    fn the_summary_lists_failures_by_place_and_skips_by_reason() {
        let result = |name: &str, status: Status, reason: Option<&str>| ScenarioResult {
            provider: "losgehts".into(),
            feature: "f".into(),
            file: "features/losgehts/f.feature".into(),
            line: name.len(),
            scenario: name.into(),
            tags: Vec::new(),
            status,
            failure: None,
            environment_error: false,
            skip_reason: reason.map(str::to_owned),
            duration_ms: 1,
            retries: 0,
            steps: Vec::new(),
            warnings: Vec::new(),
            started_at: None,
        };
        let mut retried = result("passes after a blip", Status::Passed, None);
        retried.retries = 2;
        let results = [
            result("passes", Status::Passed, None),
            retried,
            result("fails here", Status::Failed, None),
            result("skipped one", Status::Skipped, Some("needs the mock")),
            result("skipped two", Status::Skipped, Some("needs the mock")),
        ];
        insta::assert_snapshot!(
            "console_summary",
            summary(&results, Detail::Failures, PLAIN)
        );
        let verbose = summary(&results, Detail::Steps, PLAIN);
        assert!(
            verbose.contains("f.feature:11  losgehts › skipped one"),
            "{verbose}"
        );
    }
}
