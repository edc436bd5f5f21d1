//! Authenteq's user details (`GET /v2/web-kyc/details`, authorized by `Authorization: Bearer`:
//! its dialect's protected resource, requested through `resource`), and the images inside them.

use base64::Engine as _;
use cucumber::{then, when};

use super::resource;
use crate::contract::checks::{self, Failure};
use crate::contract::world::ConformanceWorld;

#[when("the client requests the user details with the token")]
async fn details_with_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    resource::with_token(w).await
}

#[when("the client requests the user details with a token the provider never issued")]
async fn details_with_unknown_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    resource::with_unknown_token(w).await
}

#[when("the client requests the user details without a token")]
async fn details_without_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    resource::request_resource(w, None).await
}

/// The token alone in the Authorization header, without the scheme the document names.
#[when("the client requests the user details with the token but without the Bearer prefix")]
async fn details_without_bearer_prefix(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let path = w
        .dialect()?
        .resource_path
        .ok_or_else(|| Failure::new("the dialect names no details path (resource_path)"))?;
    let token = w.access_token()?.expose().to_owned();
    let request = crate::targets::http::Request::new(reqwest::Method::GET, target.url(path))
        .header("Authorization", token);
    w.send(request).await?;
    Ok(())
}

/// JPEG files start with the SOI marker followed by the first segment's marker byte.
const JPEG_START: [u8; 3] = [0xFF, 0xD8, 0xFF];

/// Checks that `value` is standard base64 (RFC 4648 §4) of bytes starting like a JPEG.
fn ensure_base64_jpeg(value: &serde_json::Value, pointer: &str) -> Result<(), Failure> {
    let rule = "Authenteq: croppedDocs front and back are \"<base64_encoded_JPEG_image>\"";
    let Some(text) = value.as_str() else {
        return Err(Failure::new(format!("{pointer} is not a string"))
            .expected("a base64-encoded JPEG image")
            .actual(value.to_string())
            .at(pointer)
            .rule(rule));
    };
    let shown: String = text.chars().take(24).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| {
            Failure::new(format!("{pointer} is not base64"))
                .expected("standard base64 (RFC 4648 §4), no data: prefix")
                .actual(format!("\"{shown}…\" ({e})"))
                .at(pointer)
                .rule(rule)
        })?;
    if bytes.starts_with(&JPEG_START) {
        return Ok(());
    }
    let head: Vec<String> = bytes.iter().take(4).map(|b| format!("{b:02X}")).collect();
    Err(
        Failure::new(format!("{pointer} does not decode to a JPEG image"))
            .expected("bytes starting FF D8 FF (JPEG)")
            .actual(format!("bytes starting {}", head.join(" ")))
            .at(pointer)
            .rule(rule),
    )
}

#[then(regex = r#"^the value at "([^"]*)" is a base64-encoded JPEG image$"#)]
async fn is_base64_jpeg(w: &mut ConformanceWorld, pointer: String) -> Result<(), Failure> {
    let body = w.last_json()?;
    let value = w.evidence(checks::lookup(&body, &pointer))?;
    w.evidence(ensure_base64_jpeg(value, &pointer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jpeg_images_pass_and_others_say_why() {
        assert!(ensure_base64_jpeg(&json!("/9j/4AAQSkZJRgABAQ=="), "/a").is_ok());
        let png = ensure_base64_jpeg(&json!("iVBORw0KGgo="), "/a").unwrap_err();
        assert_eq!(png.actual.as_deref(), Some("bytes starting 89 50 4E 47"));
        let uri = ensure_base64_jpeg(&json!("data:image/jpeg;base64,/9j/"), "/a").unwrap_err();
        assert!(uri.title.contains("not base64"), "{}", uri.title);
        assert!(ensure_base64_jpeg(&json!(3), "/a").is_err());
    }
}
