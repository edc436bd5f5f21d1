//! idp-conformance: conformance and contract tests for identity-provider HTTP APIs.
//!
//! The World, every step module and the runner live in this one binary crate: cucumber collects
//! step definitions at link time, and keeping them beside the runner means none can go missing.

#![recursion_limit = "256"]
// A check's `Failure` carries its evidence (expected, actual, pointer, excerpt); it is the cold
// path of every check, so its size is not worth boxing for.
#![allow(clippy::result_large_err)]

mod cli;
mod contract;
mod mocks;
mod providers;
mod reports;
mod run;
mod secret;
mod targets;

use std::io::Write as _;

use clap::Parser as _;

use cli::{Cli, Command, ExitCode, MockArgs};
use mocks::MockClient;
use providers::Provider;

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--version` names the contract built in, besides the crate's version.
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => {
            print!("{}", contract::embedded::version_text());
            return std::process::ExitCode::from(ExitCode::Passed as u8);
        }
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Passed
            };
            return std::process::ExitCode::from(code as u8);
        }
    };
    init_tracing(matches!(cli.command, Command::Mock(_)));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(ExitCode::Usage as u8);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run::run(*args).await,
            Command::List(args) => run::list(*args).await,
            Command::Completions { shell } => completions(shell),
            Command::Mock(args) => serve_mock(args).await,
            Command::MergeReports(args) => reports::merge::merge_reports(args),
            Command::Defects { provider } => list_defects(provider.as_deref()),
            Command::Docs(args) => reports::commands::docs(args),
            Command::Diff(args) => reports::commands::diff(args),
        }
    });
    std::process::ExitCode::from(code as u8)
}

/// Logs on stderr, as `RUST_LOG` says; without it warnings only, and the standalone mock's request
/// lines (`mocks::logged`).
fn init_tracing(mock: bool) {
    let default = if mock {
        // The span (method, route) is the mock's, the line (status, time) tower-http's.
        "warn,idp_conformance::mocks=info,tower_http::trace=info"
    } else {
        "warn"
    };
    // cookie_store logs every cookie it stores, value and all, at debug level: those lines
    // would bypass redaction, so they are never written.
    let quiet = "cookie_store=off".parse().expect("a valid directive");
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default))
        .add_directive(quiet);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(true)
        .try_init();
}

/// `completions SHELL`: the completion script clap_complete writes for the command line.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(
        shell,
        &mut command,
        "idp-conformance",
        &mut std::io::stdout(),
    );
    ExitCode::Passed
}

fn list_defects(provider: Option<&str>) -> ExitCode {
    let providers: Vec<Provider> = match provider {
        None => Provider::all(),
        Some(name) => match Provider::parse(name) {
            Some(p) => vec![p],
            None => {
                eprintln!("error: unknown provider {name}");
                return ExitCode::Usage;
            }
        },
    };
    let mut list = String::new();
    for p in providers {
        list.push_str(&format!("{}:\n", p.name()));
        for (name, violates) in p.defects() {
            list.push_str(&format!("  {name:<34} violates: {violates}\n"));
        }
    }
    // A reader that stops early (`| head`) is not an error.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), list.as_bytes());
    ExitCode::Passed
}

/// The standalone mock's client secret when `--client-secret-env` names an unset variable: a
/// development default, published in the README.
const CLIENT_SECRET: &str = "mock-client-secret";
/// The LoginSign mock's developer session cookie when `--developer-session-env` is unset.
const DEVELOPER_SESSION: &str = "ls_dev=mock-developer-session";

async fn serve_mock(args: MockArgs) -> ExitCode {
    let Some(provider) = Provider::parse(&args.provider) else {
        eprintln!(
            "error: unknown provider {} (known: {})",
            args.provider,
            Provider::known()
        );
        return ExitCode::Usage;
    };
    let (secret, source) = match std::env::var(&args.client_secret_env) {
        Ok(v) => (v, format!("the value of ${}", args.client_secret_env)),
        Err(_) => (
            CLIENT_SECRET.to_owned(),
            format!("{CLIENT_SECRET} (${} is unset)", args.client_secret_env),
        ),
    };
    let developer_session =
        std::env::var(&args.developer_session_env).unwrap_or_else(|_| DEVELOPER_SESSION.to_owned());
    let client = MockClient {
        client_id: args.client_id.clone(),
        client_secret: secret::Secret::new(secret),
        redirect_uri: args.redirect_uri.clone(),
        developer_session: secret::cookie(&developer_session),
        webhook_url: args.webhook_url.clone(),
        token_lifetime: args.token_lifetime,
    };
    let router = match provider.mock_router(&client, &args.defect) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::Usage;
        }
    };
    let mock = match mocks::serve(mocks::logged(router), args.port).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::Usage;
        }
    };
    // Status lines only: a closed stdout (a supervisor that stopped reading) must not stop the mock.
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "{} mock listening on {}",
        provider.name(),
        mock.base_url()
    );
    // The test identities are the mock's own (its module says them); the client's secrets are
    // named by where they come from, never printed.
    let _ = writeln!(out, "test identities it accepts:");
    let mut identities = (provider.mock().identities)(&client);
    identities.push(("client secret", source));
    if provider.mock().app_id.is_some() {
        identities.push((
            "developer session cookie",
            match std::env::var(&args.developer_session_env) {
                Ok(_) => format!("the value of ${}", args.developer_session_env),
                Err(_) => format!(
                    "{DEVELOPER_SESSION} (${} is unset)",
                    args.developer_session_env
                ),
            },
        ));
        identities.push((
            "webhooks delivered to",
            args.webhook_url
                .clone()
                .unwrap_or_else(|| "nowhere (--webhook-url)".to_owned()),
        ));
    }
    let width = identities
        .iter()
        .map(|(what, _)| what.len())
        .max()
        .unwrap_or(0);
    for (what, value) in &identities {
        let _ = writeln!(out, "  {what:<width$}  {value}");
    }
    if !args.defect.is_empty() {
        let _ = writeln!(out, "defects: {}", args.defect.join(", "));
    }
    let _ = writeln!(
        out,
        "each request is logged on stderr (method, route, status; RUST_LOG=warn silences it)"
    );
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::Passed
}
