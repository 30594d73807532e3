//! Bidirectional-text spoofing against the real stack: a dataset whose file name holds a
//! right-to-left override (U+202E), `report<RLO>vsc.exe.csv`, which a browser obeying the
//! control would *display* as `report` followed by `vsc.exe.csv` reversed, so it poses as
//! another file and drags the app's own words after it out of order.
//!
//! The reference backend names datasets after the CSV files in its data directory, so the test
//! drops one more file there (no change to the backend). It then measures, with DOM `Range`s,
//! that the app's words around the name keep their order on screen (left to right:
//! "Cancel the" · name · ")?"; the name before the kind in the card and the job page heading;
//! "Log" · kind · id in the log viewer's title), that the name itself reads in its logical
//! order, and that the control is shown as a visible `⟨U+202E⟩` marker instead of obeyed.

use jobs_e2e::jobs_ui::{card_css, click, click_in_card, wait_card};
use jobs_e2e::{job_id, testid, Stack};
use serde_json::{json, Value};

const RLO: char = '\u{202E}';

/// The left/right edges of the first occurrence of each needle inside `root` (each needle must
/// sit inside one text node), or of the element itself for a needle starting with `@` (a CSS
/// selector inside `root`).
const RECTS: &str = r#"
const root = document.querySelector(arguments[0]);
if (!root) return null;
const out = {};
for (const needle of arguments[1]) {
  if (needle.startsWith('@')) {
    const el = root.querySelector(needle.slice(1));
    if (!el) return null;
    const r = el.getBoundingClientRect();
    out[needle] = {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    continue;
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let found = null;
  for (let n = walker.nextNode(); n && !found; n = walker.nextNode()) {
    const i = n.data.indexOf(needle);
    if (i >= 0) {
      const range = document.createRange();
      range.setStart(n, i);
      range.setEnd(n, i + needle.length);
      const r = range.getBoundingClientRect();
      found = {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    }
  }
  if (!found) return null;
  out[needle] = found;
}
return out;
"#;

/// Whether the boxes of `needles` in `root` are in reading order: left to right on one line,
/// or on a later line (a dialog's sentence may wrap). `Err` says which pair is not.
async fn reading_order(stack: &Stack, root: &str, needles: &[&str]) -> Result<(), String> {
    let v = stack
        .browser()
        .client()
        .execute(RECTS, vec![json!(root), json!(needles)])
        .await
        .expect("measuring");
    if v.is_null() {
        return Err(format!("{root}: not all of {needles:?} found"));
    }
    let edges: Vec<[f64; 4]> = needles
        .iter()
        .map(|n| ["left", "right", "top", "bottom"].map(|k| v[*n][k].as_f64().unwrap_or(f64::NAN)))
        .collect();
    println!("BIDI {root}: {needles:?} at {edges:?}");
    for (i, w) in edges.windows(2).enumerate() {
        let [_, right, _, bottom] = w[0];
        let [left, _, top, _] = w[1];
        // Allow half a pixel of rounding between touching glyphs.
        let later_line = top >= bottom - 1.0;
        if !(later_line || right <= left + 0.5) {
            return Err(format!(
                "{root}: {:?} ({:?}) should end before {:?} ({:?}) starts",
                needles[i],
                w[0],
                needles[i + 1],
                w[1]
            ));
        }
    }
    Ok(())
}

async fn assert_left_to_right(stack: &Stack, root: &str, needles: &[&str]) {
    if let Err(e) = reading_order(stack, root, needles).await {
        panic!("{e}");
    }
}

async fn text(stack: &Stack, css: &str) -> String {
    jobs_e2e::jobs_ui::text_of(stack.browser(), css)
        .await
        .expect("reading text")
        .unwrap_or_default()
}

#[tokio::test]
async fn a_right_to_left_override_in_a_dataset_name_is_shown_not_obeyed() {
    let stack = Stack::builder().workers(0).start().await;
    let stem = format!("report{RLO}vsc.exe");
    let data = stack.temp_dir().join("data");
    let sample = std::fs::read_dir(&data)
        .expect("the backend's data dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .expect("a sample CSV");
    std::fs::copy(&sample, data.join(format!("{stem}.csv"))).expect("adding the dataset");
    let ds_id = format!("ds_{stem}");
    let listed: Vec<Value> = stack.datasets().await;
    let ds = listed
        .iter()
        .find(|d| d["id"] == ds_id.as_str())
        .expect("the backend lists the new dataset");
    let name = ds["name"].as_str().unwrap_or_default().to_string();
    assert_eq!(name, format!("{stem}.csv"));
    // No worker: the job stays queued, so it can be cancelled.
    let job = stack
        .create_job(
            &ds_id,
            "profile",
            json!({"note": format!("see {RLO}fdp.exe")}),
        )
        .await;
    let id = job_id(&job);

    stack.open("/jobs").await;
    wait_card(stack.browser(), &id, "queued", |v| v.status == "queued")
        .await
        .expect("the job's card");
    let card = card_css(&id);
    let shown = text(&stack, &format!("{card} {}", testid("job-dataset"))).await;
    assert_eq!(
        shown, "report⟨U+202E⟩vsc.exe.csv",
        "the control is shown, not obeyed"
    );
    assert!(!shown.contains(RLO));
    let markers = stack
        .browser()
        .find_all(&format!("{card} {}", testid("bidi-control")))
        .await
        .unwrap();
    assert_eq!(markers.len(), 1);
    // Inside the name: its own logical order (no reversal); after it: the app's words.
    let dataset = format!("{card} {}", testid("job-dataset"));
    assert_left_to_right(&stack, &dataset, &["report", "⟨U+202E⟩", "vsc.exe.csv"]).await;
    assert_left_to_right(
        &stack,
        &format!("{card} .job-card-head"),
        &[
            "@[data-testid=job-dataset]",
            "@[data-testid=job-kind]",
            "attempt",
        ],
    )
    .await;

    // The cancel confirmation: "Cancel the profile job on <name> (<id>)?".
    click_in_card(stack.browser(), &id, "job-cancel")
        .await
        .unwrap();
    stack.browser().wait_testid("confirm-cancel").await;
    let dialog = testid("confirm-cancel");
    let message = text(&stack, &format!("{dialog} p")).await;
    assert!(message.contains("report⟨U+202E⟩vsc.exe.csv"), "{message}");
    assert_left_to_right(
        &stack,
        &format!("{dialog} p"),
        &[
            "Cancel the",
            "profile",
            " job on",
            "@[data-testid=cancel-dataset]",
            &id,
            ")?",
        ],
    )
    .await;
    // The same sentence as the page wrote it before isolation (the name as plain text inside
    // <strong>): the measure does catch the spoof there, so its passing above means something.
    let unprotected = format!(
        "<p id=\"unprotected\">Cancel the <strong>profile</strong> job on <strong>{name}</strong> ({id})?</p>"
    );
    stack
        .browser()
        .client()
        .execute(
            "const d = document.createElement('div'); d.innerHTML = arguments[0]; \
             document.querySelector(arguments[1]).appendChild(d.firstChild); return null;",
            vec![json!(unprotected), json!(dialog)],
        )
        .await
        .expect("adding the unprotected sample");
    let spoofed = reading_order(&stack, "#unprotected", &["Cancel the", "report", &id, ")?"]).await;
    assert!(
        spoofed.is_err(),
        "the raw override reorders the words after it"
    );
    println!("BIDI unprotected sample: {spoofed:?}");
    click(stack.browser(), &format!("{dialog} .modal-close"))
        .await
        .unwrap();
    stack.browser().wait_gone(&dialog).await;

    // The job page: heading "<name> · profile", the id, the parameters.
    stack.open(&format!("/jobs/{id}")).await;
    stack.browser().wait_testid("job-detail").await;
    assert_left_to_right(
        &stack,
        "#job-title",
        &[
            "@[data-testid=job-dataset]",
            " · ",
            "@[data-testid=job-kind]",
        ],
    )
    .await;
    let params = text(&stack, &testid("job-params")).await;
    assert!(params.contains("see ⟨U+202E⟩fdp.exe"), "{params}");
    assert!(!params.contains(RLO), "{params}");

    // The log viewer's title, a plain string: isolated, the control made visible.
    stack.open(&format!("/jobs/{id}/logs")).await;
    let title_css = ".modal-title";
    let title = stack
        .browser()
        .wait_text(title_css, "the log title", |t| t.starts_with("Log"))
        .await;
    assert!(title.contains("⟨U+202E⟩"), "{title}");
    assert!(!title.contains(RLO), "{title}");
    assert_left_to_right(
        &stack,
        title_css,
        &["Log", "report", "vsc.exe.csv", "profile", &id],
    )
    .await;
    assert!(stack
        .browser()
        .find_all(&testid("crash-fallback"))
        .await
        .unwrap()
        .is_empty());
}
