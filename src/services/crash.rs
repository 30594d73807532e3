//! The crash fallback: a panic must not leave a blank or frozen page.

use std::cell::RefCell;
use std::rc::Rc;

/// Told the crash details in words.
pub type Reporter = Rc<dyn Fn(&str)>;

thread_local! {
    static REPORTERS: RefCell<Vec<Reporter>> = const { RefCell::new(Vec::new()) };
}

/// Registers a function told about a crash (the host bridge posts `error` to the host).
pub fn on_crash(f: Reporter) {
    REPORTERS.with(|r| r.borrow_mut().push(f));
}
