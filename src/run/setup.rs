//! Setting up the targets of a run: the deployments a target file describes, or the embedded
//! mocks started on loopback; the receiver for the providers' calls back; the one HTTP client;
//! and the reachability check of every real target.

use std::collections::HashMap;
use std::path::Path;

use super::Stop;
use crate::cli::ExitCode;
use crate::mocks::{self, MockClient, RunningMock};
use crate::providers::Provider;
use crate::secret::{self, Secret};
use crate::targets::authorization::Authorizer;
use crate::targets::http::{self, HttpClient, Limits, Request, Tls};
use crate::targets::receiver::Receiver;
use crate::targets::retry::RetryPolicy;
use crate::targets::{self, AppAccess, Target};

/// The targets of a run, and what serves them.
pub struct Targets {
    pub targets: Vec<Target>,
    pub http: HttpClient,
    pub receiver: Option<Receiver>,
    /// The embedded mocks, when the run has no target file (they stop when this is dropped).
    pub mocks: Vec<(Provider, RunningMock)>,
    /// What the reports say the run went against.
    pub label: String,
    /// What every report must say beside the verdicts (TLS certificate verification was off).
    pub warning: Option<String>,
}

impl Targets {
    pub fn embedded(&self) -> bool {
        !self.mocks.is_empty()
    }
}

/// The deployments of the target file at `path`, for the selected providers.
pub async fn from_file(path: &Path, providers: &[Provider]) -> Result<Targets, Stop> {
    let mut config = targets::load_target_file(path).map_err(Stop::usage)?;
    config
        .pending
        .retain(|p| providers.contains(&config.targets[p.index].provider));
    if !config
        .targets
        .iter()
        .any(|t| providers.contains(&t.provider))
    {
        return Err(Stop::usage(format!(
            "{}: names none of the selected providers",
            path.display()
        )));
    }
    // Reading the system's root certificates takes milliseconds: on the blocking pool, while
    // the rest of the set-up (and the contract's loading) goes on; and not at all when every
    // target is plain HTTP.
    let tls_needed = config.targets.iter().any(|t| {
        [&t.base_url, &t.authorize_base_url]
            .iter()
            .any(|u| u.starts_with("https:"))
    });
    let http = tokio::task::spawn_blocking({
        let (limits, tls) = (config.limits, config.tls.clone());
        move || {
            if tls_needed {
                HttpClient::new(limits, &tls)
            } else {
                HttpClient::plain(limits)
            }
        }
    });
    let selected: Vec<&Target> = config
        .targets
        .iter()
        .filter(|t| providers.contains(&t.provider))
        .collect();
    let receiver = webhook_receiver(&selected, path).await?;
    prepare_authorization(&selected).await?;
    let http = http
        .await
        .map_err(|e| Stop::usage(e.to_string()))?
        .map_err(Stop::usage)?;
    // The servers' metadata fills their dialects before any scenario reads them.
    targets::discover(&http, &mut config)
        .await
        .map_err(|e| Stop(ExitCode::Unreachable, e))?;
    let targets: Vec<Target> = config
        .targets
        .into_iter()
        .filter(|t| providers.contains(&t.provider))
        .collect();
    Ok(Targets {
        targets,
        http,
        receiver,
        mocks: Vec::new(),
        label: announce_transport(&config.tls, path.display().to_string()),
        warning: config.tls.insecure_skip_verify.then(|| TLS_OFF.to_owned()),
    })
}

/// The embedded mocks of the selected providers, each broken by the `defects` named for it
/// (`--mock-defect PROVIDER:DEFECT`), on loopback.
pub async fn embedded(providers: &[Provider], defect_specs: &[String]) -> Result<Targets, Stop> {
    let defects = parse_mock_defects(defect_specs, providers)?;
    let receiver = Receiver::start()
        .await
        .map_err(|e| Stop::usage(format!("cannot start the callback receiver: {e}")))?;
    let mut targets = Vec::new();
    let mut mocks = Vec::new();
    for &p in providers {
        let client = client_for_run(&receiver);
        let router = p
            .mock_router(&client, defects.get(&p).map_or(&[], Vec::as_slice))
            .map_err(Stop::usage)?;
        let mock = mocks::serve(router, 0)
            .await
            .map_err(|e| Stop::usage(format!("cannot start the {} mock: {e}", p.name())))?;
        let test_user = p.mock().test_user;
        targets.push(Target {
            provider: p,
            dialect: p.dialect(),
            base_url: mock.base_url(),
            authorize_base_url: mock.base_url(),
            client_id: client.client_id,
            client_secret: client.client_secret,
            redirect_uri: client.redirect_uri,
            authorization: Authorizer::default(),
            mock_control: true,
            // The generic mock publishes its metadata, with its base URL as its issuer.
            discovery: p
                .dialect_from_target_file()
                .then(|| targets::Discovery::new(&mock.base_url(), None))
                .transpose()
                .map_err(Stop::usage)?,
            concurrency: None,
            test_telephone: test_user.map(|(telephone, _)| telephone.to_owned()),
            test_sms_code: test_user.map(|(_, code)| Secret::new(code)),
            // The SSO v1 mock's second registered user (a target file names one with
            // second_test_telephone).
            second_telephone: (p.name() == "sso_v1")
                .then(|| mocks::sso_v1::SECOND_TELEPHONE.to_owned()),
            // The oauth2 and LoginSign mocks' second registered client (a target file names one
            // with second_client_id and second_client_secret_env).
            second_client: match p.name() {
                "oauth2" => Some(mocks::oauth2::SECOND_CLIENT),
                "loginsign" => Some((
                    mocks::loginsign::SECOND_CLIENT_ID,
                    mocks::loginsign::SECOND_CLIENT_SECRET,
                )),
                _ => None,
            }
            .map(|(id, secret)| {
                secret::register_basic(id, secret);
                (id.to_owned(), Secret::new(secret))
            }),
            app: AppAccess {
                app_id: p.mock().app_id.map(str::to_owned),
                developer_session: Some(client.developer_session),
                webhook_listen: Some(receiver.addr()),
                // The embedded mock hands its user's session out through a control route.
                user_session: None,
            },
        });
        mocks.push((p, mock));
    }
    prepare_authorization(&targets.iter().collect::<Vec<_>>()).await?;
    let label = if defect_specs.is_empty() {
        "embedded mocks".to_owned()
    } else {
        format!("embedded mocks with defects {}", defect_specs.join(", "))
    };
    Ok(Targets {
        targets,
        http: HttpClient::plain(Limits::default()).map_err(Stop::usage)?,
        receiver: Some(receiver),
        mocks,
        label,
        warning: None,
    })
}

/// The client an embedded mock serves in a run: fresh secrets (registered for redaction, Basic
/// credentials included), the receiver's callback and webhook URLs.
fn client_for_run(receiver: &Receiver) -> MockClient {
    let client = MockClient {
        client_id: "40".to_owned(),
        client_secret: Secret::new(mocks::opaque("mock-secret-")),
        redirect_uri: receiver.callback_url(),
        developer_session: secret::cookie(&format!("ls_dev={}", mocks::opaque("lsdev_"))),
        webhook_url: Some(receiver.webhook_url()),
        token_lifetime: mocks::TOKEN_LIFETIME,
    };
    secret::register_basic(&client.client_id, client.client_secret.expose());
    client
}

async fn prepare_authorization(targets: &[&Target]) -> Result<(), Stop> {
    for t in targets {
        t.authorization
            .prepare()
            .await
            .map_err(|e| Stop::usage(format!("{} authorization: {e}", t.provider.name())))?;
    }
    Ok(())
}

/// Says on stderr what the run's connections go through when it is not the plain default: a
/// proxy from the environment, an extra CA file, and (loudly) TLS verification switched off.
/// Returns the target label, marked when verification is off so every report says so.
fn announce_transport(tls: &Tls, label: String) -> String {
    if let Some(proxy) = http::proxy_from_env() {
        eprintln!("note: requests go through the proxy of the environment: {proxy}");
    }
    if let Some(ca) = &tls.ca_file {
        eprintln!(
            "note: trusting the CA certificates of {} in addition to the system's roots",
            ca.display()
        );
    }
    if !tls.insecure_skip_verify {
        return label;
    }
    eprintln!(
        "WARNING: TLS certificate verification is OFF for this run (insecure_skip_tls_verify = \
         true in the target file). Any server can impersonate the target; never use this \
         against production. Trust the target's CA with ca_file instead."
    );
    format!("{label} (WARNING: TLS certificate verification OFF)")
}

/// What every report says of a run with TLS certificate verification off.
const TLS_OFF: &str = "WARNING: TLS certificate verification OFF (insecure_skip_tls_verify = true in \
                       the target file): any server could have answered for the target";

/// `--mock-defect provider:name`, checked against each provider's defect list.
fn parse_mock_defects(
    specs: &[String],
    providers: &[Provider],
) -> Result<HashMap<Provider, Vec<String>>, Stop> {
    let mut map: HashMap<Provider, Vec<String>> = HashMap::new();
    for spec in specs {
        let (p, name) = spec.split_once(':').ok_or_else(|| {
            Stop::usage(format!("--mock-defect {spec}: write PROVIDER:DEFECT, e.g. losgehts:code-reusable (list them with `idp-conformance defects`)"))
        })?;
        let provider = Provider::parse(p).ok_or_else(|| {
            Stop::usage(format!(
                "--mock-defect {spec}: unknown provider {p} (known: {})",
                Provider::known()
            ))
        })?;
        if !providers.contains(&provider) {
            return Err(Stop::usage(format!(
                "--mock-defect {spec}: provider {p} is not selected"
            )));
        }
        if !provider.defects().iter().any(|(n, _)| *n == name) {
            return Err(Stop::usage(format!(
                "--mock-defect {spec}: {p} has no defect {name} (list them with `idp-conformance defects {p}`)"
            )));
        }
        map.entry(provider).or_default().push(name.to_owned());
    }
    Ok(map)
}

/// The webhook receiver a target file asks for (`webhook_listen`), started before any scenario.
async fn webhook_receiver(targets: &[&Target], path: &Path) -> Result<Option<Receiver>, Stop> {
    let Some((provider, addr)) = targets
        .iter()
        .find_map(|t| t.app.webhook_listen.map(|a| (t.provider, a)))
    else {
        return Ok(None);
    };
    Receiver::start_on(addr).await.map(Some).map_err(|e| {
        Stop::usage(format!(
            "{}: [providers.{}] webhook_listen = \"{addr}\": cannot listen there: {e}",
            path.display(),
            provider.name()
        ))
    })
}

/// Every real target must answer at all; unreachable is exit 3. The run does not wait for this
/// before its first scenario (it costs a connection and a round trip), and the connection it
/// opens joins the client's pool.
pub async fn reachable(
    http: HttpClient,
    targets: Vec<(Provider, String)>,
    retry: RetryPolicy,
) -> Result<(), Stop> {
    for (provider, base_url) in targets {
        let request = Request::new(reqwest::Method::GET, base_url.clone());
        let mut attempt = 0;
        let mut answer = http.send(request.clone()).await;
        while let Err(e) = &answer
            && retry.may_retry(attempt, &request.method, e)
        {
            attempt += 1;
            tokio::time::sleep(retry.pause(attempt)).await;
            answer = http.send(request.clone()).await;
        }
        if let Err(e) = answer {
            return Err(Stop(
                ExitCode::Unreachable,
                format!(
                    "{} target {base_url} cannot be reached: {e}",
                    provider.name()
                ),
            ));
        }
    }
    Ok(())
}
