//! Where things are on disk: the repository, the built app, the backend's venv, the artifacts.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("..").join("..");
    root.canonicalize().unwrap_or(root)
}

/// `<repo>/tests/backend`, the reference backend's working directory.
pub fn backend_dir() -> PathBuf {
    repo_root().join("tests").join("backend")
}

/// The backend venv's Python, or a clear error if the venv was not made yet.
pub fn backend_python() -> Result<PathBuf> {
    let python = backend_dir().join(".venv").join("bin").join("python");
    if python.exists() {
        Ok(python)
    } else {
        Err(Error::msg(format!(
            "backend venv missing ({} not found): run scripts/test.sh, or \
             `python3 -m venv tests/backend/.venv` and install the backend's requirements",
            python.display()
        )))
    }
}

/// `<repo>/dist`, where `trunk build --release` puts the app; `$E2E_DIST_DIR` overrides it
/// (to run the tests against another build).
pub fn default_dist_dir() -> PathBuf {
    std::env::var_os("E2E_DIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("dist"))
}

/// Cargo's target directory of the running test binary (`<target>/debug/deps/<bin>`), falling
/// back to `$CARGO_TARGET_DIR` or `<repo>/target`.
pub fn target_dir() -> PathBuf {
    if let Ok(exe) = std::env::current_exe() {
        // <target>/<profile>/deps/<binary>
        if let Some(target) = exe.parent().and_then(Path::parent).and_then(Path::parent) {
            if exe.parent().and_then(Path::file_name) == Some("deps".as_ref()) {
                return target.to_path_buf();
            }
        }
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// `target/e2e-artifacts`: screenshots, console logs and service logs of failed tests.
pub fn artifacts_root() -> PathBuf {
    target_dir().join("e2e-artifacts")
}

/// A file-name-safe label for the running test: `<test binary>-<test name>`.
pub fn current_test_label() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| match stem.rsplit_once('-') {
            // cargo appends `-<16 hex hash>` to test binaries
            Some((name, hash))
                if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                name.to_string()
            }
            _ => stem,
        })
        .unwrap_or_else(|| "test".to_string());
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("unnamed");
    sanitize(&format!("{binary}-{test}"))
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
