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
    init_tracing();
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
            Command::Run(args) => run::run(args).await,
            Command::Mock(args) => serve_mock(args).await,
            Command::MergeReports(args) => reports::merge::merge_reports(args),
            Command::Defects { provider } => list_defects(provider.as_deref()),
            Command::Docs(args) => reports::commands::docs(args),
            Command::Diff(args) => reports::commands::diff(args),
        }
    });
    std::process::ExitCode::from(code as u8)
}

fn init_tracing() {
    // cookie_store logs every cookie it stores, value and all, at debug level: those lines
    // would bypass redaction, so they are never written.
    let quiet = "cookie_store=off".parse().expect("a valid directive");
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
        .add_directive(quiet);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        .try_init();
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
    for p in providers {
        println!("{}:", p.name());
        for (name, violates) in p.defects() {
            println!("  {name:<34} violates: {violates}");
        }
    }
    ExitCode::Passed
}

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
            "mock-client-secret".to_owned(),
            "the development default (see README)".to_owned(),
        ),
    };
    let developer_session = std::env::var(&args.developer_session_env)
        .unwrap_or_else(|_| "ls_dev=mock-developer-session".to_owned());
    let client = MockClient {
        client_id: args.client_id.clone(),
        client_secret: secret::Secret::new(secret),
        redirect_uri: args.redirect_uri.clone(),
        developer_session: secret::cookie(&developer_session),
        webhook_url: args.webhook_url.clone(),
    };
    let router = match provider.mock_router(&client, &args.defect) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::Usage;
        }
    };
    let mock = match mocks::serve(router, args.port).await {
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
    let _ = writeln!(
        out,
        "client_id: {}  client secret: {source}  redirect_uri: {}",
        args.client_id, args.redirect_uri
    );
    if let Some(app_id) = provider.mock().app_id {
        let _ = writeln!(
            out,
            "app id: {app_id}  developer session cookie: ${} (default ls_dev=mock-developer-session)  webhooks: {}",
            args.developer_session_env,
            args.webhook_url
                .as_deref()
                .unwrap_or("not delivered (--webhook-url)")
        );
    }
    if !args.defect.is_empty() {
        let _ = writeln!(out, "defects: {}", args.defect.join(", "));
    }
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::Passed
}
