//! LoginSign's licenses: the developer creates a variant and generates a code (developer
//! session), the end user redeems it (the user's session cookie), and the code is then linked to
//! the user's connection (`linkedConnectionId`). The document defers every body to a Licenses
//! guide it does not include; each body and pointer below is an assumption, named in the rule of
//! every failure and in `features/loginsign/licenses.feature`.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::credentials::{call, path};
use super::developer_portal::connection_id;
use crate::contract::checks::{self, Failure};
use crate::contract::documents::Credential;
use crate::contract::world::ConformanceWorld;
use crate::mocks::opaque;
use crate::secret::Secret;

const VARIANTS: &str = "/api/developer/applications/:appId/licenses/variants";
const GENERATE: &str = "/api/developer/applications/:appId/licenses/codes/generate";
const CODES: &str = "/api/developer/applications/:appId/licenses/codes";
const REDEEM: &str = "/api/user/licenses/redeem";

/// The assumption every failure below cites.
const ASSUMED: &str = "assumption (the document defers license bodies to its Licenses guide)";

/// The last answer must be a 2xx; `what` names the step for the failure.
fn ensure_done(w: &ConformanceWorld, what: &str) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_status(
        &ex.response,
        &[200, 201],
        &format!("{what}: the request succeeds (200 or 201)"),
    ))
}

/// A string in the last answer at `pointer`.
fn assumed_string(w: &ConformanceWorld, pointer: &str) -> Result<String, Failure> {
    let body = w.last_json()?;
    let value = w.evidence(checks::lookup(&body, pointer).map_err(|f| f.rule(ASSUMED)))?;
    value.as_str().map(str::to_owned).ok_or_else(|| {
        Failure::new(format!("the value at {pointer} is not a string"))
            .actual(value.to_string())
            .at(pointer)
            .rule(ASSUMED)
    })
}

#[given("the developer has created a license variant")]
async fn created_variant(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let path = path(w, VARIANTS, &[])?;
    let body = json!({"name": opaque("conformance-variant-")});
    let cookie = Credential::DeveloperSession;
    call(w, reqwest::Method::POST, &path, cookie, Some(body)).await?;
    ensure_done(w, "POST .../licenses/variants {\"name\"} (assumed body)")?;
    w.loginsign.variant_id = Some(assumed_string(w, "/id")?);
    Ok(())
}

#[given("the developer has generated a license code for the variant")]
async fn generated_code(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let variant = w
        .loginsign
        .variant_id
        .clone()
        .ok_or_else(|| Failure::new("no variant was created before this step"))?;
    let path = path(w, GENERATE, &[])?;
    let body = json!({"variantId": variant, "count": 1});
    let cookie = Credential::DeveloperSession;
    call(w, reqwest::Method::POST, &path, cookie, Some(body)).await?;
    ensure_done(
        w,
        "POST .../licenses/codes/generate {\"variantId\", \"count\"} (assumed body)",
    )?;
    w.loginsign.license_code_id = Some(assumed_string(w, "/codes/0/id")?);
    w.loginsign.license_code = Some(Secret::new(assumed_string(w, "/codes/0/code")?));
    Ok(())
}

#[when("the user redeems the license code")]
async fn redeems(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let code = w
        .loginsign
        .license_code
        .as_ref()
        .map(|c| c.expose().to_owned())
        .ok_or_else(|| Failure::new("no license code was generated before this step"))?;
    let session = Credential::UserSession;
    call(
        w,
        reqwest::Method::POST,
        REDEEM,
        session,
        Some(json!({ "code": code })),
    )
    .await
}

#[then("the developer's code list links the code to the user's connection")]
async fn linked(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let connection = connection_id(w)?;
    let code_id = w
        .loginsign
        .license_code_id
        .clone()
        .ok_or_else(|| Failure::new("no license code was generated before this step"))?;
    let path = path(w, CODES, &[])?;
    call(
        w,
        reqwest::Method::GET,
        &path,
        Credential::DeveloperSession,
        None,
    )
    .await?;
    ensure_done(w, "GET .../licenses/codes")?;
    let body = w.last_json()?;
    let codes = w.evidence(checks::lookup(&body, "/codes").map_err(|f| f.rule(ASSUMED)))?;
    let entry = codes
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .find(|(_, c)| c.get("id") == Some(&Value::String(code_id.clone())));
    let Some((i, entry)) = entry else {
        return w.evidence(Err(Failure::new(
            "the code list does not show the redeemed code",
        )
        .expected(format!("an entry with id \"{code_id}\""))
        .at("/codes")
        .rule(ASSUMED)));
    };
    w.evidence(
        checks::ensure_pointer_equals(
            entry,
            "/linkedConnectionId",
            &json!(connection),
            "LoginSign, Licenses: \"Redemption ties an active code to the user's connection for \
             that app; see linkedConnectionId\"",
        )
        .map_err(|f| f.at(format!("/codes/{i}/linkedConnectionId"))),
    )
}
