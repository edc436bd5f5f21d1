//! The command line: `run` (the suite), `list` (what a run would run and skip), `mock` (one
//! provider standalone), `defects` (what each mock can be broken with), `docs` (the contracts as
//! HTML), `diff` (two runs compared), `completions` (for a shell). Exit codes are part of the
//! interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Exit codes: what a CI job branches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// Every selected check passed.
    Passed = 0,
    /// At least one conformance check failed.
    Failed = 1,
    /// Usage or configuration error: bad flag, unreadable target file, malformed feature/schema.
    Usage = 2,
    /// A target could not be reached (connection refused, DNS, TLS handshake, no answer).
    Unreachable = 3,
    /// Ctrl-C, SIGTERM, SIGHUP or `--max-duration` stopped the run; the reports of what ran are
    /// marked incomplete.
    Interrupted = 4,
}

const AFTER_HELP: &str = "\
Exit codes:
  0  every selected check passed
  1  at least one conformance check failed
  2  usage or configuration error (bad flag, unreadable target file, malformed feature or schema)
  3  a target could not be reached (connection refused, DNS, TLS handshake, no answer in time)
  4  interrupted (Ctrl-C, SIGTERM, SIGHUP or --max-duration): the reports of what ran are written,
     marked incomplete

Examples:
  idp-conformance run                                   # every feature against the embedded mocks
  idp-conformance run --provider losgehts --tags '@rfc6749'
  idp-conformance run features/losgehts/code_is_single_use.feature:9   # one scenario
  idp-conformance list --target targets/losgehts.toml  # what would run and what is skipped, why
  LOSGEHTS_CLIENT_SECRET=... idp-conformance run --target targets/losgehts.toml
  idp-conformance run --mock-defect losgehts:code-reusable   # watch a check catch a defect
  idp-conformance mock losgehts --port 8080             # develop against a mock provider
  idp-conformance docs                                  # the contracts as reports/docs.html
  idp-conformance diff before/run.json reports/run.json # what changed between two runs

Logging: RUST_LOG=idp_conformance=info prints one redacted line per HTTP exchange (stderr).";

/// Conformance and contract tests for identity-provider HTTP APIs.
///
/// Gherkin features under features/ encode what each provider's document promises; every
/// response is checked against the JSON Schemas under schemas/. Runs against the embedded mock
/// providers by default, or against real deployments described by a target file.
#[derive(Debug, Parser)]
#[command(name = "idp-conformance", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the conformance suite and write reports (junit.xml, cucumber.json, summary.md,
    /// results.json, run.json, index.html).
    #[command(after_help = AFTER_HELP)]
    Run(Box<RunArgs>),
    /// List the scenarios a run with the same selection would run, and those it would skip with
    /// the reason, without sending a request.
    List(Box<ListArgs>),
    /// Serve one embedded mock provider on loopback, for developing against it.
    Mock(MockArgs),
    /// Render the features and schemas as an HTML page (docs.html), without running anything:
    /// each provider's contract, for reading before any target exists.
    Docs(DocsArgs),
    /// Compare two runs' run.json (e.g. staging before and after a provider upgrade): verdicts
    /// that changed, scenarios added or removed, response-shape drift per endpoint. Prints
    /// Markdown; exit 1 when something regressed.
    Diff(DiffArgs),
    /// Join the reports of a run split with `run --shard I/N` into the reports of one run,
    /// after checking every shard is there once and no scenario ran twice.
    MergeReports(MergeArgs),
    /// List the named defects each mock provider can be started with.
    Defects {
        /// Only this provider's defects.
        provider: Option<String>,
    },
    /// Print a completion script for a shell, e.g.
    /// `idp-conformance completions bash > ~/.local/share/bash-completion/completions/idp-conformance`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Which scenarios a run takes, and against what: shared by `run` and `list`.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Only these feature files, or the scenario at LINE of one (repeatable): a scenario's line,
    /// a line of its steps, or a row of its Examples.
    #[arg(value_name = "FILE[:LINE]")]
    pub locations: Vec<crate::run::select::Location>,
    /// Target file describing real deployments (see targets/). Without it, the embedded mocks.
    #[arg(long, value_name = "FILE")]
    pub target: Option<PathBuf>,
    /// Only this provider (repeatable): losgehts, authenteq, sso_v1, loginsign, oauth2.
    #[arg(long, value_name = "NAME")]
    pub provider: Vec<String>,
    /// Only scenarios matching this tag expression, e.g. "@rfc6749 and not @mock-only".
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// Only scenarios whose name matches this regular expression, e.g. "single-use|reuse".
    #[arg(long, value_name = "REGEX")]
    pub name: Option<regex::Regex>,
    /// Folder of *.feature files, for a team with its own contract [default: the features
    /// built into this binary]
    #[arg(long, value_name = "DIR")]
    pub features: Option<PathBuf>,
    /// Folder of JSON Schemas (draft 2020-12; $ref resolves between its files) [default: the
    /// schemas built into this binary]
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Run only this part of the selected scenarios, for a CI matrix of N jobs (1 <= I <= N).
    /// Each scenario runs in exactly one shard; `merge-reports` joins the shards' reports.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::run::shard::Shard>,
    /// Start the embedded mock with a named defect, PROVIDER:DEFECT (repeatable).
    #[arg(long, value_name = "PROVIDER:DEFECT")]
    pub mock_defect: Vec<String>,
    /// Against a target file, also run the @lifetime scenarios: codes, access tokens (their
    /// expires_in) and Authenteq's details, waited out in real time, all at once (the run takes
    /// about the longest lifetime: 15 minutes with Authenteq, an hour with 3600 s tokens). For a
    /// nightly job; the embedded mocks always run them on their clock.
    #[arg(long)]
    pub lifetimes: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: SelectArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Folder the reports are written to.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub reports: PathBuf,
    /// How many scenarios run at once [default: 32 against a target file, 8 against the
    /// embedded mocks]
    #[arg(long = "jobs", value_name = "N")]
    pub concurrency: Option<usize>,
    /// A previous run's run.json (or its reports folder): index.html shows what changed since,
    /// and diff.md is written beside it.
    #[arg(long, value_name = "RUN")]
    pub baseline: Option<PathBuf>,
    /// Re-send a request that got no answer (connection, DNS, TLS, timeout) up to N times. Only
    /// requests that cannot repeat an effect are re-sent; a failed check is never retried. A
    /// scenario that passed after a re-send is reported as such.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: usize,
    /// Console detail: -v every scenario and step, -vv also the World of a failed step (secrets
    /// stay redacted). By default: a progress line, each failure in full, the summary.
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Console: the summary only (no progress line, no failure in full; the reports have them).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Stop starting scenarios after the first failure; those not started are reported as
    /// skipped, with the reason.
    #[arg(long)]
    pub fail_fast: bool,
    /// Where junit.xml is written [default: REPORTS/junit.xml]. Not with --shard: merge-reports
    /// reads each shard's reports folder.
    #[arg(long, value_name = "PATH", conflicts_with = "shard")]
    pub report_junit: Option<PathBuf>,
    /// Where cucumber.json is written [default: REPORTS/cucumber.json]. Not with --shard.
    #[arg(long, value_name = "PATH", conflicts_with = "shard")]
    pub report_cucumber: Option<PathBuf>,
    /// Where index.html is written [default: REPORTS/index.html]
    #[arg(long, value_name = "PATH")]
    pub report_html: Option<PathBuf>,
    /// Where results.json (one record per scenario) is written [default: REPORTS/results.json].
    /// Not with --shard.
    #[arg(long, value_name = "PATH", conflicts_with = "shard")]
    pub report_json: Option<PathBuf>,
    /// No colours on the console.
    #[arg(long)]
    pub no_color: bool,
    /// Stop the run after this long (e.g. 90s, 15m, 1h) and write the reports of what ran,
    /// marked incomplete (exit 4), as Ctrl-C does.
    #[arg(long, value_name = "DURATION", value_parser = crate::run::interrupt::parse_duration)]
    pub max_duration: Option<std::time::Duration>,
    /// Write run statistics (schemas compiled, exchanges, each mock's connections and requests)
    /// as JSON: the evidence of tests/performance.rs.
    #[arg(long, value_name = "FILE", hide = true)]
    pub stats: Option<PathBuf>,
}

/// Scenarios at once against a target file: the network's round trips dominate (64 gained
/// nothing measurable for the losgehts suite at 50 ms, BENCHMARKS.md).
pub const JOBS_REMOTE: usize = 32;
/// Scenarios at once against the embedded mocks: they run on this machine's cores beside the
/// harness, where more at once only adds connections and thread hand-offs.
pub const JOBS_EMBEDDED: usize = 8;

impl RunArgs {
    /// `--jobs`, or the default for where the run goes.
    pub fn jobs(&self, embedded: bool) -> usize {
        let default = if embedded { JOBS_EMBEDDED } else { JOBS_REMOTE };
        self.concurrency.unwrap_or(default).max(1)
    }
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Folder of *.feature files [default: the features built into this binary]
    #[arg(long, value_name = "DIR")]
    pub features: Option<PathBuf>,
    /// Folder of JSON Schemas, shown in the page [default: the schemas built into this binary]
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// The HTML file to write.
    #[arg(long, value_name = "FILE", default_value = "reports/docs.html")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run: its run.json, or the reports folder holding it.
    #[arg(value_name = "BASELINE")]
    pub baseline: PathBuf,
    /// The later run: its run.json, or the reports folder holding it.
    #[arg(value_name = "CANDIDATE")]
    pub candidate: PathBuf,
    /// Also write the changes as a self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The reports folders of the shards (each holds a shard.json).
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
    /// Folder the merged reports are written to.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub reports: PathBuf,
    /// Folder of *.feature files the shards ran (index.html documents them) [default: the
    /// features built into this binary]
    #[arg(long, value_name = "DIR")]
    pub features: Option<PathBuf>,
    /// Folder of JSON Schemas the shards checked against (embedded in index.html) [default:
    /// the schemas built into this binary]
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// The provider to serve: losgehts, authenteq, sso_v1, loginsign, oauth2.
    pub provider: String,
    /// Port on 127.0.0.1 (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Break one documented behaviour (repeatable); see `idp-conformance defects`.
    #[arg(long, value_name = "NAME")]
    pub defect: Vec<String>,
    /// The client id the mock accepts.
    #[arg(long, default_value = "40")]
    pub client_id: String,
    /// Environment variable holding the client secret the mock accepts.
    #[arg(long, value_name = "VAR", default_value = "MOCK_CLIENT_SECRET")]
    pub client_secret_env: String,
    /// The client's registered redirect URI.
    #[arg(long, default_value = "http://127.0.0.1:9999/callback")]
    pub redirect_uri: String,
    /// Environment variable holding the developer portal's session cookie, name=value
    /// (LoginSign; unset: ls_dev=mock-developer-session).
    #[arg(long, value_name = "VAR", default_value = "MOCK_DEVELOPER_SESSION")]
    pub developer_session_env: String,
    /// Where the mock delivers its webhooks (LoginSign's user_account_deleted).
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
    /// The expires_in of the access tokens it issues, in seconds (losgehts, LoginSign): a short
    /// one tries `run --lifetimes` in seconds instead of an hour.
    #[arg(long, value_name = "SECS", default_value_t = crate::mocks::TOKEN_LIFETIME,
          value_parser = clap::value_parser!(i64).range(1..=86_400))]
    pub token_lifetime: i64,
}
