//! Finding the harness's input files (features, schemas) below a folder.

use std::path::{Path, PathBuf};

/// Every file below `dir` (recursively) whose extension is `ext`, sorted by path.
pub fn with_extension(dir: &Path, ext: &str) -> std::io::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, ext, out)?;
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, ext, &mut out)?;
    out.sort();
    Ok(out)
}
