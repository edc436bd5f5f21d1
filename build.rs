//! Rebuilds the binary when a file is added to the contract it embeds (`src/contract/embedded.rs`):
//! rust-embed includes each file it found, so cargo sees an edited file but not an added one.

fn main() {
    for dir in ["features", "schemas"] {
        println!("cargo::rerun-if-changed={dir}");
    }
}
