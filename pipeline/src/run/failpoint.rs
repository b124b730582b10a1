//! Crash points for tests of atomic publishing: when `FLYWHEEL_FAILPOINT` names a point,
//! the process aborts there, as abruptly as SIGKILL (no destructors, no cleanup).
//! Unset in production, where each point is one cached environment lookup.

use std::sync::OnceLock;

/// Aborts the process if `FLYWHEEL_FAILPOINT` equals `name`.
pub fn hit(name: &str) {
    static POINT: OnceLock<Option<String>> = OnceLock::new();
    let point = POINT.get_or_init(|| std::env::var("FLYWHEEL_FAILPOINT").ok());
    if point.as_deref() == Some(name) {
        std::process::abort();
    }
}
