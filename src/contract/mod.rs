//! The contract: what each provider promises, as the run reads it. Feature files (`features.rs`),
//! the step definitions that turn their sentences into requests (`steps/`, acting on the `World`
//! of `world.rs`), the pure checks they call (`checks/`), the JSON Schemas (`schema.rs`) and the
//! documents' per-endpoint data (`documents.rs`), built into the binary (`embedded.rs`) unless a
//! run names its own folders. Loading it is the first stage of a run; any
//! error here is a usage error (exit 2) naming file and line.

pub mod catalogue;
pub mod checks;
pub mod documents;
pub mod embedded;
pub mod features;
pub mod files;
pub mod schema;
pub mod step_check;
mod steps;
pub mod world;

use cucumber::World as _;
use cucumber::gherkin::{Feature, Rule, Scenario};

/// The contract a run checks.
pub struct Contract {
    pub features: Vec<Feature>,
    pub schemas: schema::SchemaSet,
    /// The World's step definitions (cucumber's collection, each pattern compiled once).
    pub steps: cucumber::step::Collection<world::ConformanceWorld>,
}

impl Contract {
    /// Loads the features and schemas, and matches every step of the scenarios `selected`
    /// takes to exactly one step definition. The error names file and line (a schema's error
    /// before a feature's, a feature's before a step's).
    ///
    /// The schemas and the step patterns compile on the blocking pool while this task parses
    /// the features: against a real deployment the first request waits for all three (about
    /// 20 ms one after another on 2 cores, a tenth of a run at 50 ms round trips).
    pub async fn load(
        features: &embedded::Source,
        schemas: &embedded::Source,
        selected: impl Fn(&Feature, Option<&Rule>, &Scenario) -> bool,
    ) -> Result<Self, String> {
        let schemas = tokio::task::spawn_blocking({
            let source = schemas.clone();
            move || schema::SchemaSet::load(&source)
        });
        let steps = tokio::task::spawn_blocking(world::ConformanceWorld::collection);
        let features = features::load(features);
        let schemas = schemas.await.map_err(|e| e.to_string())?.map_err(|e| e.0)?;
        let features = features.map_err(|e| e.0)?;
        let steps = steps.await.map_err(|e| e.to_string())?;
        step_check::ensure_defined(&steps, &features, selected)?;
        Ok(Self {
            features,
            schemas,
            steps,
        })
    }
}
