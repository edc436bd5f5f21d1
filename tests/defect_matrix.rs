//! The harness proves its own checks: every named defect of every mock makes the suite fail, the
//! failing scenarios are exactly the ones `tests/defect_matrix.toml` expects, and every scenario
//! is caught by at least one defect. `UPDATE_DEFECT_MATRIX=1 cargo test --test defect_matrix`
//! rewrites the file from what was observed (review the diff before committing it).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

type Matrix = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[test]
fn every_defect_is_caught_by_exactly_the_expected_scenarios() {
    let root = common::root();
    let tmp = tempfile::tempdir().unwrap();

    // The reference run: every scenario passes against the defect-free mocks.
    let clean = tmp.path().join("clean");
    let out = common::run(&[], &clean);
    assert_eq!(
        common::code(&out),
        0,
        "the suite must pass against the mocks:\n{}",
        common::text(&out)
    );
    let mut scenarios: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in common::results(&clean) {
        scenarios
            .entry(r.provider.clone())
            .or_default()
            .insert(r.key());
    }

    // Every provider with a features/ folder must have run: a binary that does not know one
    // (e.g. another worktree's build in a shared target dir) would otherwise pass silently.
    let folders: BTreeSet<String> = std::fs::read_dir(root.join("features"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let ran: BTreeSet<String> = scenarios.keys().cloned().collect();
    assert_eq!(
        ran,
        folders,
        "the clean run must cover every provider folder under features/ (is {} this worktree's build?)",
        env!("CARGO_BIN_EXE_idp-conformance")
    );

    let expected: Matrix =
        toml::from_str(&std::fs::read_to_string(root.join("tests/defect_matrix.toml")).unwrap())
            .expect("tests/defect_matrix.toml parses");

    let mut jobs = Vec::new();
    for provider in scenarios.keys() {
        for defect in common::defects_of(provider) {
            jobs.push((provider.clone(), defect));
        }
    }
    let observed: Mutex<Matrix> = Mutex::default();
    let problems: Mutex<Vec<String>> = Mutex::default();
    let queue = Mutex::new(jobs);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some((provider, defect)) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let dir = tmp.path().join(format!("{provider}-{defect}"));
                    let spec = format!("{provider}:{defect}");
                    let out = common::run(&["--provider", &provider, "--mock-defect", &spec], &dir);
                    if common::code(&out) != 1 {
                        problems.lock().unwrap().push(format!(
                            "{spec}: expected exit 1 (a check failed), got {}\n{}",
                            common::code(&out),
                            common::text(&out)
                        ));
                        continue;
                    }
                    let failed: BTreeSet<String> = common::results(&dir)
                        .into_iter()
                        .filter(|r| r.status == "failed")
                        .map(|r| r.key())
                        .collect();
                    observed
                        .lock()
                        .unwrap()
                        .entry(provider)
                        .or_default()
                        .insert(defect, failed);
                }
            });
        }
    });
    let observed = observed.into_inner().unwrap();
    let mut problems = problems.into_inner().unwrap();

    if std::env::var_os("UPDATE_DEFECT_MATRIX").is_some() {
        std::fs::write(root.join("tests/defect_matrix.toml"), render(&observed)).unwrap();
    } else {
        for (provider, defects) in &observed {
            for (defect, failed) in defects {
                let want = expected.get(provider).and_then(|d| d.get(defect));
                match want {
                    None => problems.push(format!("{provider}:{defect} has no row in tests/defect_matrix.toml")),
                    Some(want) if want != failed => problems.push(format!(
                        "{provider}:{defect}\n  expected to fail: {want:?}\n  failed:           {failed:?}"
                    )),
                    Some(_) => {}
                }
            }
        }
        for (provider, defects) in &expected {
            for defect in defects.keys() {
                if !observed
                    .get(provider)
                    .is_some_and(|o| o.contains_key(defect))
                {
                    problems.push(format!(
                        "{provider}:{defect} is in the matrix but the mock has no such defect"
                    ));
                }
            }
        }
    }
    for (provider, keys) in &scenarios {
        let caught: BTreeSet<&String> = observed
            .get(provider)
            .into_iter()
            .flat_map(|d| d.values().flatten())
            .collect();
        for key in keys.iter().filter(|k| !caught.contains(k)) {
            problems.push(format!(
                "{provider} scenario \"{key}\" is caught by no defect: add one"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn render(m: &Matrix) -> String {
    let mut out = String::from(
        "# Which scenarios each mock defect must make fail (key: feature file stem: scenario name).\n\
         # Checked by tests/defect_matrix.rs; regenerate with UPDATE_DEFECT_MATRIX=1 and review.\n",
    );
    for (provider, defects) in m {
        out.push_str(&format!("\n[{provider}]\n"));
        for (defect, failed) in defects {
            out.push_str(&format!("\"{defect}\" = [\n"));
            for key in failed {
                out.push_str(&format!("  {},\n", toml::Value::String(key.clone())));
            }
            out.push_str("]\n");
        }
    }
    out
}
