//! End-to-end harness of the Jobs page.
//!
//! A test starts a [`Stack`] — Redis, the reference backend's API and workers
//! (`tests/backend`), the built app (`dist/`) on a plain static server under a sub-path, and a
//! headless Chromium — with one call, and everything is killed when the stack drops, also when
//! the test panics:
//!
//! ```no_run
//! # async fn demo() {
//! let stack = jobs_e2e::Stack::start().await;
//! let job = stack.create_job("ds_sales", "profile", serde_json::json!({})).await;
//! stack.open("/jobs").await;
//! stack.browser().wait_testid("job-card").await;
//! # let _ = job;
//! # }
//! ```
//!
//! What the test files repeat lives here, not in them: [`Stack::start_job`], [`Stack::quick_job`]
//! and [`Stack::wait_status`] for the backend's jobs ([`job_id`], [`log_count`] to read one);
//! [`Stack::open_themed`]; [`wait_no_diff`] for "until the page agrees with the backend" (with
//! [`live_view::wait_list_equals`] and [`live_view::wait_log_panel_equals`] on top);
//! [`jobs_ui::wait_summary`] and [`jobs_ui::confirm_button`]; [`Browser::run_script`]. The
//! in-process servers share [`server_tasks`], the benchmark examples [`bench_env`].
//!
//! Run with `cargo test -p jobs-e2e -- --test-threads=1`. Stacks are serialised by a file lock
//! anyway (see [`lock`]), so more threads only queue. Needs `dist/` built (`scripts/test.sh` or
//! `trunk build --release`), the backend venv in `tests/backend/.venv`, `redis-server`,
//! `/usr/bin/chromium` and `/usr/bin/chromedriver`. `E2E_TIMEOUT_SCALE=2` doubles every
//! deadline on a slow machine. A failed test leaves a screenshot, the browser console and every
//! service log in `target/e2e-artifacts/<test binary>-<test>/`.

pub mod backend;
pub mod bench_env;
pub mod browser;
pub mod builder;
pub mod dom;
pub mod error;
pub mod fake_backend;
pub mod fault_proxy;
pub mod fault_rig;
pub mod flood;
pub mod host_page;
pub mod http;
pub mod invariant;
pub mod jobs_ui;
pub mod live_view;
pub mod lock;
pub mod log_viewer;
pub mod net;
pub mod netfault;
pub mod page_probes;
pub mod paths;
pub mod process;
pub mod redis;
pub mod schedule;
pub mod server_tasks;
pub mod stack;
pub mod static_site;
pub mod wait;

pub use browser::{testid, Browser};
pub use builder::StackBuilder;
pub use error::{Error, Result};
pub use stack::{job_id, log_count, Stack};
pub use static_site::APP_SUB_PATH;
pub use wait::{default_timeout, timeout_secs, try_wait_for, wait_for, wait_no_diff};

/// Re-exported so tests need not depend on fantoccini themselves.
pub use fantoccini;
