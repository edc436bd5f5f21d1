//! The contract: what each provider promises, as the run reads it. Feature files (`features.rs`),
//! the step definitions that turn their sentences into requests (`steps/`, acting on the `World`
//! of `world.rs`), the pure checks they call (`checks/`), the JSON Schemas (`schema.rs`) and the
//! documents' per-endpoint data (`documents.rs`). Loading it is the first stage of a run; any
//! error here is a usage error (exit 2) naming file and line.

pub mod checks;
pub mod documents;
pub mod features;
pub mod files;
pub mod schema;
pub mod step_check;
mod steps;
pub mod world;
