//! Whom the page talks to: the framing parent's origin when the configuration allows it, and
//! whether an incoming message event may be read at all.

use super::{truncate, Rejection};

/// The origin the page posts to: the framing parent's, when the config allows it. `None` when
/// standalone, when the parent is not allowed, or when its origin is opaque (`"null"` cannot
/// be a `postMessage` target, and `*` is never used).
pub fn post_target(
    config: &crate::state::config::Config,
    own_origin: &str,
    parent_origin: Option<&str>,
) -> Option<String> {
    let parent = parent_origin?;
    let usable = !parent.is_empty() && parent != "null";
    (usable && config.embedding_allowed(own_origin, Some(parent))).then(|| parent.to_string())
}

/// Whether a message event may be read at all: it must come from the parent window, from the
/// origin validated by [`post_target`] (which applied `allowed_parent_origins`).
pub fn accept_origin(
    target: Option<&str>,
    origin: &str,
    from_parent: bool,
) -> Result<(), Rejection> {
    let Some(target) = target else {
        return Err(Rejection::NoParent);
    };
    if origin != target {
        return Err(Rejection::Origin(truncate(origin, 100)));
    }
    if !from_parent {
        return Err(Rejection::NotFromParent);
    }
    Ok(())
}
