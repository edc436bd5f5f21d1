//! Secrets never reach any output. The harness runs against a standalone mock through a target
//! file (the path a real deployment takes) with a known client secret, some scenarios made to
//! fail so that failure excerpts are rendered, and every byte of console output and every report
//! is searched for the secret, the mock's password, and any code or token the mock issued (they
//! carry recognisable prefixes), in plain and base64 forms.

mod common;

use base64::Engine as _;

const SECRET: &str = "Known-Client-Secret-4711";
const PASSWORD: &str = "asdsad2132132";

fn start_mock(defects: &[&str]) -> (common::MockProcess, String) {
    let mut args = vec!["--client-secret-env", "IDPC_TEST_SECRET"];
    for d in defects {
        args.extend(["--defect", d]);
    }
    let mock = common::MockProcess::start("losgehts", &args, &[("IDPC_TEST_SECRET", SECRET)]);
    let url = mock.url.clone();
    (mock, url)
}

#[test]
fn no_secret_appears_in_console_output_logs_or_reports() {
    let (_mock, url) = start_mock(&[
        "code-reusable",
        "wrong-secret-accepted",
        "oauth-state-mismatch",
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("target.toml");
    std::fs::write(
        &target,
        format!(
            "[providers.losgehts]\nbase_url = \"{url}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_TEST_SECRET\"\nredirect_uri = \"http://127.0.0.1:9999/callback\"\n"
        ),
    )
    .unwrap();
    let reports = tmp.path().join("reports");
    let out = common::bin()
        .args([
            "run",
            "--target",
            target.to_str().unwrap(),
            "-vv",
            "--no-color",
            "--reports",
        ])
        .arg(&reports)
        .env("IDPC_TEST_SECRET", SECRET)
        .env("RUST_LOG", "idp_conformance=debug")
        .output()
        .unwrap();
    assert_eq!(
        common::code(&out),
        1,
        "defects were caught:\n{}",
        common::text(&out)
    );

    let mut outputs = vec![("console".to_owned(), common::text(&out))];
    for entry in std::fs::read_dir(&reports).unwrap() {
        let path = entry.unwrap().path();
        outputs.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    assert!(outputs.len() >= 5, "console + 4 reports");
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let needles = [
        SECRET.to_owned(),
        b64(SECRET),
        b64(&format!("40:{SECRET}")),
        PASSWORD.to_owned(),
        "lgt_code_".to_owned(),
        "lgt_at_".to_owned(),
        "lgt_rt_".to_owned(),
    ];
    let mut leaks = Vec::new();
    for (name, text) in &outputs {
        for needle in &needles {
            if text.contains(needle.as_str()) {
                leaks.push(format!("{name} contains {needle:?}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    // The mock-only scenarios were skipped, visibly, against a real target.
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(summary.contains("@mock-only"), "{summary}");
}
