//! The log viewer (the job log modal) against a running job: lines stream in live, levels, ANSI
//! colours and JSON are highlighted, follow mode sticks to the bottom until the reader scrolls
//! up and resumes with "Jump to latest", Escape closes the dialog and gives focus back, the log
//! ends "complete" with the backend's line count; permalinks mark their line; search, "only
//! matching" and the level chips filter; and only a window of rows is ever in the DOM.
//!
//! Run: `cargo test -p jobs-e2e --test logs_stream -- --test-threads=1 --nocapture`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jobs_e2e::fantoccini::key::Key;
use jobs_e2e::live_view::is_terminal;
use jobs_e2e::log_viewer::{self as lv, RowView, ViewerView};
use jobs_e2e::{default_timeout, dom, job_id, log_count, timeout_secs, wait_for, Stack};
use serde_json::{json, Value};

const ANSI_OK: &str = "\u{1b}[32mOK\u{1b}[0m";
/// More rows than this in the DOM means the list is not virtualised.
const MAX_DOM_ROWS: u64 = 150;

/// `document.querySelectorAll('[data-testid=log-row]').length`.
async fn dom_rows(stack: &Stack) -> u64 {
    let v = stack
        .browser()
        .client()
        .execute(
            "return document.querySelectorAll('[data-testid=log-row]').length;",
            vec![],
        )
        .await
        .expect("counting rows");
    v.as_u64().expect("a count")
}

async fn viewer(stack: &Stack) -> ViewerView {
    lv::viewer(stack.browser())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn wait_viewer<P: Fn(&ViewerView) -> bool>(
    stack: &Stack,
    what: &str,
    timeout: Duration,
    pred: P,
) -> ViewerView {
    lv::wait_viewer(stack.browser(), what, timeout, pred)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Starts a `ds_sales` profile job with `params`, opens the Jobs page and waits for its card;
/// returns its id.
async fn running_on_page(stack: &Stack, params: Value) -> String {
    let id = stack.start_job("ds_sales", "profile", params).await;
    stack.open("/jobs").await;
    stack.browser().wait_css(&dom::job_card(&id)).await;
    id
}

/// Rows found so far that show each kind of highlighting.
#[derive(Default)]
struct Highlighted {
    level: Option<RowView>,
    info: Option<RowView>,
    ansi: Option<RowView>,
    json: Option<RowView>,
}

impl Highlighted {
    fn take(&mut self, rows: Vec<RowView>) {
        for row in rows {
            let is_error = row.level == "ERROR" || row.level == "WARNING";
            if is_error && self.level.is_none() {
                self.level = Some(row.clone());
            }
            if row.level == "INFO" && self.info.is_none() {
                self.info = Some(row.clone());
            }
            let ok_span = row
                .spans
                .iter()
                .any(|s| s.text == "OK" && s.classes.iter().any(|c| c == "ansi-fg-2"));
            if ok_span && self.ansi.is_none() {
                self.ansi = Some(row.clone());
            }
            let json_key = row
                .spans
                .iter()
                .any(|s| s.classes.iter().any(|c| c == "tok-json-key"));
            if json_key && self.json.is_none() {
                self.json = Some(row);
            }
        }
    }

    fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (have, what) in [
            (self.level.is_some(), "an ERROR/WARNING row"),
            (self.info.is_some(), "an INFO row"),
            (self.ansi.is_some(), "an ANSI green OK span"),
            (self.json.is_some(), "a JSON row"),
        ] {
            if !have {
                out.push(what);
            }
        }
        out
    }
}

#[tokio::test]
async fn job_logs_stream_in_real_time_with_syntax_highlighting() {
    let stack = Stack::start().await;
    // 100 chunks of 200 rows, 400 ms apart, each with ~25 lines: about 60 lines/s for ~45 s.
    let id = running_on_page(
        &stack,
        json!({"chunk_rows": 200, "chunk_delay_ms": 400, "log_burst": 20}),
    )
    .await;
    let browser = stack.browser();
    stack
        .wait_job(&id, "to run and log", timeout_secs(30), |j| {
            j["status"] == "running" && log_count(j) >= 30
        })
        .await;

    // Opened from the card's Logs button: a dialog with rows in its viewport.
    lv::click(browser, &lv::logs_button(&id))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let opened = wait_viewer(&stack, "to show rows", default_timeout(), |v| {
        v.rows > 0 && v.following()
    })
    .await;
    assert_eq!(opened.role.as_deref(), Some("dialog"), "{opened:?}");
    assert_eq!(opened.aria_modal.as_deref(), Some("true"), "{opened:?}");

    // New rows appear while the job runs.
    let first_last = opened.last_n.expect("rows");
    let grown = wait_viewer(&stack, "to show newer rows", timeout_secs(15), |v| {
        v.last_n.unwrap_or(0) >= first_last + 25
    })
    .await;
    assert!(
        !is_terminal(&stack.job(&id).await),
        "the job ended too early for the test"
    );

    // Highlighting: level styles, ANSI colours, JSON tokens (the window moves as lines arrive,
    // so rows are collected over a few snapshots).
    let found = RefCell::new(Highlighted::default());
    wait_for(
        "rows with each kind of highlighting",
        timeout_secs(20),
        || async {
            let rows = lv::read_rows(browser).await.map_err(|e| e.to_string())?;
            let mut found = found.borrow_mut();
            found.take(rows);
            let missing = found.missing();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!("not seen yet: {missing:?}"))
            }
        },
    )
    .await;
    let found = found.into_inner();
    let level_row = found.level.expect("level row");
    let info_row = found.info.expect("info row");
    let lc = format!("level-{}", level_row.level.to_ascii_lowercase());
    assert!(level_row.has_class(&lc), "row classes: {level_row:?}");
    assert!(
        level_row.level_classes.contains(&"log-level".to_string())
            && level_row.level_classes.contains(&lc),
        "the level is a styled span: {level_row:?}"
    );
    assert_ne!(
        level_row.level_color, info_row.level_color,
        "{} and INFO levels look the same",
        level_row.level
    );

    let ansi_row = found.ansi.expect("ansi row");
    let backend = lv::backend_line(&stack, &id, ansi_row.n).await;
    let raw = backend["text"].as_str().expect("text");
    assert!(
        raw.contains(ANSI_OK),
        "row {} is not a line with a green OK: {raw:?}",
        ansi_row.n
    );
    assert_eq!(
        ansi_row.text,
        lv::strip_ansi(raw),
        "the row shows the text without escapes"
    );
    let ok = ansi_row
        .spans
        .iter()
        .find(|s| s.text == "OK" && s.classes.iter().any(|c| c == "ansi-fg-2"))
        .expect("OK span");
    assert_ne!(
        ok.color, ansi_row.text_color,
        "the green OK is not coloured: {ansi_row:?}"
    );

    let json_row = found.json.expect("json row");
    let raw = lv::backend_line(&stack, &id, json_row.n).await["text"]
        .as_str()
        .expect("text")
        .to_string();
    assert!(
        raw.contains("{\""),
        "row {} holds no JSON: {raw:?}",
        json_row.n
    );
    let kinds: Vec<&String> = json_row
        .spans
        .iter()
        .flat_map(|s| s.classes.iter())
        .filter(|c| c.starts_with("tok-json-"))
        .collect();
    assert!(
        kinds.iter().any(|c| *c == "tok-json-key")
            && kinds
                .iter()
                .any(|c| ["tok-json-str", "tok-json-num", "tok-json-lit"].contains(&c.as_str())),
        "JSON tokens of row {}: {kinds:?}",
        json_row.n
    );
    println!(
        "highlighting: {} row {} ({:?}), ANSI row {}, JSON row {} ({} json spans)",
        level_row.level,
        level_row.n,
        level_row.level_classes,
        ansi_row.n,
        json_row.n,
        kinds.len()
    );

    // Follow mode: at the bottom after every batch of new lines.
    let mut seen = vec![grown.last_n.unwrap_or(0)];
    let until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < until {
        let v = viewer(&stack).await;
        assert!(
            v.following() && v.at_bottom(),
            "following, yet not at the bottom: {}",
            v.describe()
        );
        assert!(
            v.jump.is_none(),
            "jump button while following: {}",
            v.describe()
        );
        seen.push(v.last_n.unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        seen.last() > seen.first(),
        "no new rows while following: {seen:?}"
    );
    let at_bottom = wait_viewer(
        &stack,
        "to show its newest line at the bottom",
        default_timeout(),
        |v| v.at_bottom() && v.status_lines().is_some() && v.last_n == v.status_lines(),
    )
    .await;
    println!("following: {}", at_bottom.describe());

    // Scrolling up stops following: the status says so, the view stays put, new lines are
    // counted on the jump button.
    let v = viewer(&stack).await;
    let target = ((v.scroll_height - v.client_height) / 2.0).floor();
    assert!(target > 200.0, "too little to scroll: {}", v.describe());
    lv::scroll_viewport(browser, target)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let paused = wait_viewer(&stack, "to pause following", default_timeout(), |v| {
        v.paused() && !v.following()
    })
    .await;
    assert!(
        paused.status.contains("paused"),
        "status: {:?}",
        paused.status
    );
    let mut jumps = Vec::new();
    let until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < until {
        let v = viewer(&stack).await;
        assert!(
            (v.scroll_top - target).abs() <= 1.0 && !v.at_bottom(),
            "the paused view moved: scrolled to {target}, now {}",
            v.describe()
        );
        assert!(v.paused(), "{}", v.describe());
        if let Some(n) = v.jump_new_lines() {
            jumps.push(n);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let paused_end = viewer(&stack).await;
    assert!(
        paused_end.scroll_height > paused.scroll_height,
        "no lines arrived while paused: {} -> {}",
        paused.describe(),
        paused_end.describe()
    );
    assert!(
        !jumps.is_empty() && jumps[0] > 0 && jumps.last() > jumps.first(),
        "the jump button's count of new lines did not grow: {jumps:?} (last: {:?})",
        paused_end.jump
    );
    assert!(
        paused_end
            .jump
            .as_deref()
            .is_some_and(|t| t.starts_with("Jump to latest (") && t.ends_with(" new lines)")),
        "{:?}",
        paused_end.jump
    );
    println!("paused: new-line counts {jumps:?}");

    // "Jump to latest" goes back to the bottom and follows again.
    lv::click(browser, lv::LOG_JUMP)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let resumed = wait_viewer(&stack, "to follow again", default_timeout(), |v| {
        v.following() && v.at_bottom() && v.jump.is_none()
    })
    .await;
    let later = wait_viewer(&stack, "to keep following", timeout_secs(10), |v| {
        v.last_n > resumed.last_n
    })
    .await;
    assert!(
        later.at_bottom() && later.following(),
        "{}",
        later.describe()
    );

    // Escape closes the dialog and focus returns to the Logs button.
    lv::press_key(browser, Key::Escape)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.wait_gone(lv::LOG_MODAL).await;
    let button = lv::logs_button(&id);
    wait_for(
        "focus back on the Logs button",
        default_timeout(),
        || async {
            lv::focus_matches(browser, &button)
                .await
                .map_err(|e| e.to_string())?
        },
    )
    .await;

    // Opened again, it streams on to the end: "Log complete · N lines", N = the backend's count.
    lv::click(browser, &button)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_viewer(&stack, "to open again", default_timeout(), |v| v.rows > 0).await;
    let done = stack
        .wait_job(&id, "to finish", timeout_secs(120), is_terminal)
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let total = log_count(&done);
    let complete = wait_viewer(
        &stack,
        &format!("to say the log is complete with {total} lines"),
        timeout_secs(30),
        |v| v.complete_lines().is_some(),
    )
    .await;
    assert_eq!(
        complete.complete_lines(),
        Some(total),
        "{}",
        complete.describe()
    );
    assert_eq!(
        complete.last_n,
        Some(total),
        "the last line is shown: {}",
        complete.describe()
    );
    println!("complete: {}", complete.describe());
}

#[tokio::test]
async fn log_permalink_marks_its_line() {
    let stack = Stack::start().await;
    let job = stack
        .create_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 1000, "chunk_delay_ms": 0}),
        )
        .await;
    let id = job_id(&job);
    let done = stack
        .wait_job(&id, "to finish", timeout_secs(60), is_terminal)
        .await;
    assert!(log_count(&done) > 10, "{done}");

    stack.open(&format!("/jobs/{id}/logs?line=5")).await;
    let marked = wait_viewer(&stack, "to mark line 5", default_timeout(), |v| {
        v.rows > 0 && v.first_n <= Some(5)
    })
    .await;
    let rows = lv::read_rows(stack.browser())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let marked_rows: Vec<u64> = rows
        .iter()
        .filter(|r| r.has_class("marked"))
        .map(|r| r.n)
        .collect();
    assert_eq!(marked_rows, vec![5], "marked rows ({})", marked.describe());
    assert!(
        !marked.following(),
        "a permalink does not follow: {}",
        marked.describe()
    );
}

/// The marked rows and the location hash, once rows are shown.
async fn marked_rows_and_hash(stack: &Stack) -> (Vec<u64>, String) {
    let rows = lv::read_rows(stack.browser())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let hash = stack
        .browser()
        .client()
        .execute("return location.hash;", vec![])
        .await
        .expect("reading the hash");
    let marked = rows
        .iter()
        .filter(|r| r.has_class("marked"))
        .map(|r| r.n)
        .collect();
    (marked, hash.as_str().unwrap_or_default().to_string())
}

/// Clicking a line number inside the open viewer marks that line there (the address becomes
/// its permalink, the viewer stays open, nothing reloads); moving to another job's page in the
/// same document shows that job's own lines, not the first job's lines under the same numbers.
#[tokio::test]
async fn clicking_a_line_number_marks_it_and_another_job_starts_afresh() {
    let stack = Stack::start().await;
    let first = stack
        .create_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 1000, "chunk_delay_ms": 0}),
        )
        .await;
    let second = stack
        .create_job(
            "ds_sales",
            "profile",
            json!({"chunk_rows": 500, "chunk_delay_ms": 0}),
        )
        .await;
    let (a, b) = (job_id(&first), job_id(&second));
    for id in [&a, &b] {
        stack
            .wait_job(id, "to finish", timeout_secs(60), is_terminal)
            .await;
    }
    stack.open(&format!("/jobs/{a}/logs?line=5")).await;
    wait_viewer(&stack, "to show line 5", default_timeout(), |v| {
        v.rows > 0 && v.first_n <= Some(5)
    })
    .await;
    assert_eq!(marked_rows_and_hash(&stack).await.0, vec![5]);
    // A marker on the document: a reload or a new document would lose it.
    stack
        .browser()
        .client()
        .execute("window.__sameDocument = true; return null;", vec![])
        .await
        .expect("marking the document");

    lv::click(
        stack.browser(),
        "[data-testid=log-modal] [data-testid=log-row][data-n=\"8\"] .log-n",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (marked, hash) = wait_for("line 8 to be marked", default_timeout(), || async {
        let (marked, hash) = marked_rows_and_hash(&stack).await;
        if marked == vec![8] {
            Ok((marked, hash))
        } else {
            Err(format!("marked {marked:?}, hash {hash}"))
        }
    })
    .await;
    assert_eq!(hash, format!("#/jobs/{a}/logs?line=8"), "marked {marked:?}");
    let same = stack
        .browser()
        .client()
        .execute(
            "return window.__sameDocument === true && !!document.querySelector('[data-testid=log-modal]');",
            vec![],
        )
        .await
        .expect("reading the marker");
    assert_eq!(same, json!(true), "the click reloaded or closed the viewer");
    assert!(
        !viewer(&stack).await.following(),
        "a marked line is not followed"
    );

    // Another job, same document: its page's log panel holds its own lines.
    let backend_b = lv::backend_log(&stack, &b).await;
    jobs_e2e::live_view::set_hash(stack.browser(), &format!("#/jobs/{b}"))
        .await
        .expect("to the second job");
    jobs_e2e::live_view::wait_log_panel_equals(
        stack.browser(),
        &backend_b,
        "the second job's log panel to hold exactly its own lines",
        timeout_secs(20),
    )
    .await;
    println!(
        "second job: {} lines of its own after the first job's {}",
        backend_b.len(),
        log_count(&stack.job(&a).await)
    );
}

#[tokio::test]
async fn log_permalink_to_a_line_before_the_backfill_marks_it() {
    let stack = Stack::start().await;
    // ~10,000 lines: line 5 is far outside the last 1,000 the viewer loads first.
    let job = stack
        .create_job(
            "ds_customers",
            "profile",
            json!({"chunk_rows": 1000, "chunk_delay_ms": 0, "log_burst": 2000}),
        )
        .await;
    let id = job_id(&job);
    let done = stack
        .wait_job(&id, "to finish", timeout_secs(60), is_terminal)
        .await;
    assert!(log_count(&done) > 10_000, "{done}");

    stack.open(&format!("/jobs/{id}/logs?line=5")).await;
    let browser = stack.browser();
    wait_viewer(&stack, "to open", default_timeout(), |v| v.rows > 0).await;
    let result = wait_for("row 5 to be shown and marked", timeout_secs(30), || async {
        let rows = lv::read_rows(browser).await.map_err(|e| e.to_string())?;
        let v = lv::viewer(browser).await.map_err(|e| e.to_string())?;
        match rows.iter().find(|r| r.n == 5) {
            Some(r) if r.has_class("marked") => Ok(r.clone()),
            Some(r) => Err(format!(
                "row 5 not marked: {:?}; {}",
                r.classes,
                v.describe()
            )),
            None => Err(format!("row 5 not rendered; {}", v.describe())),
        }
    })
    .await;
    assert_eq!(result.n, 5);
}

#[tokio::test]
async fn log_search_only_matching_level_chips_and_a_bounded_dom() {
    let stack = Stack::start().await;
    // 20 chunks of ~305 lines, 300 ms apart: ~6,100 lines in ~8 s.
    let id = running_on_page(
        &stack,
        json!({"chunk_rows": 1000, "chunk_delay_ms": 300, "log_burst": 300}),
    )
    .await;
    let browser = stack.browser();
    // Opened early, so the viewer holds the whole log (its backfill is the last 1,000 lines).
    lv::click(browser, &lv::logs_button(&id))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_viewer(&stack, "to open", default_timeout(), |v| {
        v.status_lines().is_some() || v.complete_lines().is_some()
    })
    .await;
    assert!(
        log_count(&stack.job(&id).await) < 1000,
        "the job logged too much before the viewer opened"
    );

    // While thousands of lines stream in, the DOM holds a window of rows.
    let mut most = 0;
    loop {
        let job = stack.job(&id).await;
        let rows = dom_rows(&stack).await;
        most = most.max(rows);
        assert!(
            rows < MAX_DOM_ROWS,
            "{rows} rows in the DOM at {} lines",
            log_count(&job)
        );
        if is_terminal(&job) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let done = stack.job(&id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let total = log_count(&done);
    assert!(total >= 5000, "only {total} lines");
    let complete = wait_viewer(&stack, "to be complete", timeout_secs(30), |v| {
        v.complete_lines().is_some()
    })
    .await;
    assert_eq!(
        complete.complete_lines(),
        Some(total),
        "{}",
        complete.describe()
    );
    let rows = dom_rows(&stack).await;
    assert!(
        rows > 0 && rows < MAX_DOM_ROWS,
        "{rows} rows in the DOM for {total} lines"
    );
    println!("{total} lines: at most {most} rows in the DOM while streaming, {rows} at the end");

    // Level chips count every held line by level, like the backend.
    let lines = lv::backend_log(&stack, &id).await;
    assert_eq!(lines.len() as u64, total);
    let mut by_level: BTreeMap<&str, u64> = BTreeMap::new();
    for l in &lines {
        *by_level
            .entry(l["level"].as_str().unwrap_or("?"))
            .or_default() += 1;
    }
    for level in lv::LEVELS {
        let chip = complete
            .chip(level)
            .unwrap_or_else(|| panic!("no {level} chip: {:?}", complete.chips));
        assert!(chip.pressed, "{chip:?}");
        assert_eq!(
            chip.count(),
            Some(by_level.get(level).copied().unwrap_or(0)),
            "{level} chip {:?} vs the backend's {by_level:?}",
            chip.text
        );
    }

    // Search: a count of matches, <mark>s in the rows, "only matching" hides the rest.
    let needle = "checkpoint";
    let expected = lines
        .iter()
        .filter(|l| {
            lv::strip_ansi(l["text"].as_str().unwrap_or_default())
                .to_lowercase()
                .contains(needle)
        })
        .count() as u64;
    assert!(expected > 0);
    lv::type_into(browser, lv::LOG_SEARCH, "CheckPoint")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let searched = wait_viewer(&stack, "to count the matches", default_timeout(), |v| {
        v.match_count.contains(" of ")
            && lv::parse_number(v.match_count.split(" of ").nth(1).unwrap_or_default())
                == Some(expected)
    })
    .await;
    println!(
        "search {needle:?}: {:?} (backend: {expected})",
        searched.match_count
    );
    lv::click(browser, lv::LOG_ONLY_MATCHING)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let only = wait_for(
        "only matching rows, each with a <mark>",
        default_timeout(),
        || async {
            let rows = lv::read_rows(browser).await.map_err(|e| e.to_string())?;
            if rows.is_empty() {
                return Err("no rows".to_string());
            }
            let bad: Vec<String> = rows
                .iter()
                .filter(|r| {
                    !r.text.to_lowercase().contains(needle)
                        || !r
                            .spans
                            .iter()
                            .any(|s| s.tag == "mark" && s.text.to_lowercase() == needle)
                })
                .map(|r| format!("{}: {:?}", r.n, r.text))
                .collect();
            if bad.is_empty() {
                Ok(rows)
            } else {
                Err(format!(
                    "{} of {} rows do not match: {:?}",
                    bad.len(),
                    rows.len(),
                    &bad[..bad.len().min(3)]
                ))
            }
        },
    )
    .await;
    let v = viewer(&stack).await;
    assert!(v.marks >= only.len(), "{}", v.describe());
    assert!(
        (v.scroll_height / 20.0).round() as u64 <= expected + 1,
        "only {expected} lines match, yet the list is {} px high",
        v.scroll_height
    );
    lv::click(browser, lv::LOG_ONLY_MATCHING)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for("non-matching rows back", default_timeout(), || async {
        let rows = lv::read_rows(browser).await.map_err(|e| e.to_string())?;
        rows.iter()
            .any(|r| !r.text.to_lowercase().contains(needle))
            .then_some(())
            .ok_or_else(|| "still only matching rows".to_string())
    })
    .await;

    // A level chip hides that level and shows it again.
    let debug = lv::level_chip("DEBUG");
    lv::click(browser, &debug)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_viewer(&stack, "to hide DEBUG", default_timeout(), |v| {
        v.chip("DEBUG").is_some_and(|c| !c.pressed)
    })
    .await;
    // The chip's state and the re-windowed rows land in separate renders: wait for the rows
    // (an empty window that never fills, or DEBUG rows that stay, still fail here).
    wait_for("rows without DEBUG", default_timeout(), || async {
        let rows = lv::read_rows(browser).await.map_err(|e| e.to_string())?;
        let debug_rows: Vec<u64> = rows
            .iter()
            .filter(|r| r.level == "DEBUG")
            .map(|r| r.n)
            .collect();
        if rows.is_empty() {
            Err("no rows left".to_string())
        } else if !debug_rows.is_empty() {
            Err(format!("DEBUG rows still shown: {debug_rows:?}"))
        } else {
            Ok(())
        }
    })
    .await;
    lv::click(browser, &debug)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for("DEBUG rows back", default_timeout(), || async {
        let v = lv::viewer(browser).await.map_err(|e| e.to_string())?;
        let rows = lv::read_rows(browser).await.map_err(|e| e.to_string())?;
        (v.chip("DEBUG").is_some_and(|c| c.pressed) && rows.iter().any(|r| r.level == "DEBUG"))
            .then_some(())
            .ok_or_else(|| v.describe())
    })
    .await;
}
