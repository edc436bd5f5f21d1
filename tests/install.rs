//! Install and run anywhere: `cargo install --path .` gives a binary that carries its contract
//! (features, schemas, documents' lists, templates), so it runs the whole suite against the
//! embedded mocks from an empty folder and writes its reports there; `--version` names the
//! contract it carries; a folder given with `--features` / `--schemas` that cannot be read is
//! named.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target folder this test binary was built in (`<target>/debug/deps/install-…`): the
/// install reuses it, so it copies the binary `cargo test` built instead of building from
/// scratch.
fn target_dir() -> PathBuf {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_idp-conformance"));
    exe.parent()
        .and_then(Path::parent)
        .expect("the binary lies in <target>/<profile>/")
        .to_owned()
}

/// `cargo install --path . --debug --offline --locked --root ROOT`, as the README says (the
/// lockfile's versions, the dev profile `cargo test` built): the installed binary.
fn install(root: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = std::time::Instant::now();
    let mut cmd = Command::new(cargo);
    // What cargo tells the test about this package is not the environment of a build: a build
    // script that watches one of them (ring's watches CARGO_MANIFEST_DIR) would run again, and
    // its dependents be rebuilt, here and in the next `cargo test`.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_BIN_",
            "CARGO_CRATE_",
        ]
        .iter()
        .any(|p| name.starts_with(p))
            || ["OUT_DIR", "CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR"].contains(&&*name)
        {
            cmd.env_remove(&*name);
        }
    }
    let out = cmd
        .current_dir(common::root())
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["install", "--path", ".", "--debug", "--offline", "--locked"])
        .arg("--root")
        .arg(root)
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "{}", common::text(&out));
    eprintln!(
        "cargo install took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let bin = root.join("bin").join("idp-conformance");
    assert!(bin.is_file(), "{} installed", bin.display());
    bin
}

#[test]
fn the_installed_binary_runs_the_whole_suite_from_an_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = install(&tmp.path().join("root"));
    let anywhere = tmp.path().join("anywhere");
    std::fs::create_dir(&anywhere).unwrap();
    let installed = |args: &[&str]| {
        Command::new(&bin)
            .args(args)
            .current_dir(&anywhere)
            .env_remove("RUST_LOG")
            .output()
            .expect("the installed binary runs")
    };

    // It names the contract it carries: the one the tested build carries.
    let version = installed(&["--version"]);
    assert_eq!(common::code(&version), 0, "{}", common::text(&version));
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    let built = common::bin().arg("--version").output().unwrap();
    assert_eq!(
        version,
        String::from_utf8_lossy(&built.stdout),
        "same contract"
    );
    let scenarios: usize = version
        .lines()
        .nth(1)
        .and_then(|l| l.split(", ").nth(1))
        .and_then(|s| s.strip_suffix(" scenarios"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("--version counts the scenarios:\n{version}"));

    // The whole suite against the embedded mocks, with no features/ or schemas/ beside it.
    let out = installed(&["run", "--no-color"]);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let reports = anywhere.join("reports");
    for report in common::REPORTS {
        assert!(reports.join(report).is_file(), "{report} written");
    }
    let results = common::results(&reports);
    assert_eq!(results.len(), scenarios, "every built-in scenario ran");
    assert!(results.iter().all(|r| r.status == "passed"));
    for (provider, _) in common::providers() {
        assert!(
            results
                .iter()
                .any(|r| r.file.starts_with(&format!("features/{provider}/"))),
            "{provider}'s features ran, named as in the repository"
        );
    }

    // The documentation page too.
    let out = installed(&["docs"]);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    assert!(reports.join("docs.html").is_file());
}

#[test]
fn a_folder_that_cannot_be_read_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    for flag in ["--features", "--schemas"] {
        let out = common::bin()
            .current_dir(tmp.path())
            .args(["run", flag, "missing", "--reports", "reports"])
            .output()
            .unwrap();
        assert_eq!(common::code(&out), 2, "{}", common::text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let resolved = tmp.path().join("missing");
        assert!(
            stderr.contains(&format!(
                "{flag} missing: cannot read the folder {}",
                resolved.display()
            )),
            "{stderr}"
        );
        assert!(stderr.contains(&format!("leave {flag} out")), "{stderr}");
        assert!(!tmp.path().join("reports").exists(), "no report written");
    }
}
