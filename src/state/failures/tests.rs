//! Only compiled under #[cfg(test)] (declared so in failures.rs).
//! Normalisation rules, frames, keys, windows and grouping; the generators of failed jobs are
//! shared with the filter's tests (`job_filter`), which check the list against the groups.

use super::*;
use crate::fixtures::job_error as err;
use crate::state::jobs_store::tests::job;
use proptest::prelude::*;

/// A traceback with two frames, the innermost in `work.py`'s `func`.
pub(crate) fn traceback_for(kind: &str, msg: &str, func: &str, lines: (u32, u32)) -> String {
    format!(
        "Traceback (most recent call last):\n  File \"/app/jobs_backend/tasks.py\", line {}, \
         in run\n    process(chunk)\n  File \"/app/jobs_backend/work.py\", line {}, in {func}\n    \
         raise {kind}(msg)\n{kind}: {msg}",
        lines.0, lines.1
    )
}

/// A failed (or not) job with an error, failing at `at` (on the job or only on its attempt).
pub(crate) fn failed_job(
    id: &str,
    status: JobStatus,
    dataset: usize,
    error: Option<JobError>,
    at: (Option<i64>, Option<i64>),
) -> Job {
    let mut j = job(id, 1, status, 2, 0);
    j.dataset_id = format!("ds_{dataset}");
    j.dataset_name = format!("data{dataset}.csv");
    j.error = error;
    j.finished_at = at.0;
    if let Some(last) = j.attempts.last_mut() {
        last.finished_at = at.1;
    }
    j
}

pub(crate) const KINDS: [&str; 3] = ["ValueError", "KeyError", "redis.exceptions.TimeoutError"];
pub(crate) const FUNCS: [&str; 3] = ["validate_row", "load_chunk", "<module>"];

/// A message of template `t` with its variable part drawn from `v`.
pub(crate) fn message(t: usize, v: u32) -> String {
    match t % 3 {
        0 => format!(
            "row {v}: column 'c{}': could not convert 'n/{v}' to float",
            v % 2
        ),
        1 => format!("file /data/in_{v}/x.csv not found for job_{v:012x}"),
        _ => format!("timed out after {}.{}s", v / 10, v % 10),
    }
}

prop_compose! {
    /// Up to 40 jobs, most failed, drawn from a few types, messages, frames and times.
    pub(crate) fn arb_jobs()(specs in proptest::collection::vec(
        (0usize..3, 0usize..3, 0u32..50, 0usize..3, 0u32..400, 0usize..4, 0usize..6,
         proptest::option::of(0i64..10_000), proptest::option::of(0i64..10_000)),
        0..40,
    )) -> Vec<Job> {
        specs.into_iter().enumerate().map(|(i, (k, t, v, f, line, ds, st, at, attempt_at))| {
            let status = if st < 4 { JobStatus::Failed } else { JobStatus::ALL[st] };
            let msg = message(t, v);
            let e = (st != 3).then(|| {
                err(KINDS[k], &msg, &traceback_for(KINDS[k], &msg, FUNCS[f], (line, line + 7)))
            });
            failed_job(&format!("job_{i}"), status, ds, e, (at, attempt_at))
        }).collect()
    }
}

#[test]
fn normalise_replaces_variable_parts() {
    let n = normalise_message;
    assert_eq!(
        n("row 7342: column 'amount': could not convert 'n/a' to float"),
        "row <n>: column '<s>': could not convert '<s>' to float"
    );
    assert_eq!(n(r#"key "user id" missing"#), r#"key "<s>" missing"#);
    assert_eq!(n("can't decode byte 0xff"), "can't decode byte <n>");
    assert_eq!(
        n("job job_3f2a9c1d4e5b on worker 9f86d081884c7d65 (ds_sales)"),
        "job <id> on worker <id> (ds_sales)"
    );
    assert_eq!(
        n("request 123e4567-e89b-12d3-a456-426614174000 failed"),
        "request <id> failed"
    );
    assert_eq!(
        n("No such file: /data/in/2024/sales.csv."),
        "No such file: <path>."
    );
    assert_eq!(
        n(r"cannot open C:\tmp\x.csv, ./rel/y"),
        "cannot open <path>, <path>"
    );
    assert_eq!(
        n("see ../a and ~/b and (/c/d)"),
        "see <path> and <path> and (<path>)"
    );
    assert_eq!(
        n("got -5, 3.14, .5, 1e-5, 2.5E+10 and 1,234,567 rows"),
        "got <n>, <n>, <n>, <n>, <n> and <n> rows"
    );
    assert_eq!(
        n("took 12ms at 2024-01-05T10:00:00Z"),
        "took <n>ms at <n>-<n>-<n>T<n>:<n>:<n>Z"
    );
    assert_eq!(
        n("codec utf8 cannot cast int64 to float32 in row_7342"),
        "codec utf8 cannot cast int64 to float32 in row_7342"
    );
    assert_eq!(n("5-3 n/a and/or 1/2"), "<n>-<n> n/a and/or <n>/<n>");
    assert_eq!(n("  a \t\n b  "), "a b");
    assert_eq!(n("unclosed 'quote here"), "unclosed 'quote here");
    assert_eq!(n(""), "");
}

#[test]
fn innermost_frame_of_plain_chained_and_grouped_tracebacks() {
    let tb = "Traceback (most recent call last):\n  File \"/app/jobs_backend/tasks.py\", line 88, \
              in run\n    process(chunk)\n  File \"/app/jobs_backend/work.py\", line 41, in \
              validate_row\n    raise ValueError(msg)\nValueError: row 7342";
    assert_eq!(innermost_frame(tb).as_deref(), Some("work.py:validate_row"));
    let chained = format!(
        "{tb}\n\nDuring handling of the above exception, another exception occurred:\n\n\
         Traceback (most recent call last):\n  File \"C:\\app\\retry.py\", line 9, in again\n    \
         x()\nRuntimeError: gave up"
    );
    assert_eq!(innermost_frame(&chained).as_deref(), Some("retry.py:again"));
    let group = "  + Exception Group Traceback (most recent call last):\n  |   File \"/a/g.py\", \
                 line 3, in main\n  | ExceptionGroup: x";
    assert_eq!(innermost_frame(group).as_deref(), Some("g.py:main"));
    assert_eq!(innermost_frame(""), None);
    assert_eq!(innermost_frame("ValueError: no frames"), None);
}

#[test]
fn fnv_matches_the_reference_vectors() {
    // From the FNV reference (draft-eastlake-fnv): the hash must never change.
    assert_eq!(fnv1a64(&[]), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(&["a"]), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(&["foo", "bar"]), 0x8594_4171_f739_67e8);
    let fp = fingerprint(&err("ValueError", "row 1", ""));
    assert_eq!(fp, fingerprint_of("ValueError", "row <n>", None));
    assert_eq!(fp.len(), 16);
}

#[test]
fn keys_round_trip_and_reject_bad_input() {
    for k in [
        FailureKey::Type("ValueError".into()),
        FailureKey::Type("redis.exceptions.Timeout Error".into()),
        FailureKey::Fingerprint("0123456789abcdef".into()),
    ] {
        assert_eq!(FailureKey::parse(&k.to_param()), Some(k));
    }
    assert_eq!(
        FailureKey::Type("ValueError".into()).to_param(),
        "type:ValueError"
    );
    for bad in [
        "",
        "type:",
        "type: x",
        "ValueError",
        "fp:",
        "fp:0123",
        "fp:0123456789ABCDEF",
        "fp:0123456789abcdeg",
        "fp:0123456789abcdef0",
        "kind:x",
    ] {
        assert_eq!(FailureKey::parse(bad), None, "{bad:?}");
    }
    let e = err("ValueError", "row 5", "");
    assert!(key_matches(&FailureKey::Type("ValueError".into()), &e));
    assert!(!key_matches(&FailureKey::Type("KeyError".into()), &e));
    assert!(key_matches(&FailureKey::Fingerprint(fingerprint(&e)), &e));
}

#[test]
fn window_membership() {
    let e = || Some(err("ValueError", "x", ""));
    let f = |st, e, at| failed_job("j", st, 0, e, at);
    assert!(in_window(
        &f(JobStatus::Failed, e(), (Some(100), None)),
        100
    ));
    assert!(!in_window(
        &f(JobStatus::Failed, e(), (Some(99), None)),
        100
    ));
    // No job time: the last attempt's decides.
    assert!(in_window(
        &f(JobStatus::Failed, e(), (None, Some(150))),
        100
    ));
    assert!(!in_window(
        &f(JobStatus::Failed, e(), (None, Some(50))),
        100
    ));
    assert!(!in_window(
        &f(JobStatus::Failed, e(), (None, None)),
        i64::MIN
    ));
    assert!(!in_window(
        &f(JobStatus::Failed, None, (Some(150), None)),
        100
    ));
    assert!(!in_window(
        &f(JobStatus::Cancelled, e(), (Some(150), None)),
        100
    ));
    assert_eq!(window_start(10_000, 3), 7_000);
    assert_eq!(window_start(0, u64::MAX), -i64::MAX);
    assert_eq!(window_start(i64::MIN + 5, 10), i64::MIN);
}

#[test]
fn groups_by_type_and_pattern() {
    let tb = |f| traceback_for("ValueError", "m", f, (1, 2));
    let jobs = [
        failed_job(
            "a",
            JobStatus::Failed,
            1,
            Some(err("ValueError", "row 1: 'x'", &tb("validate_row"))),
            (Some(10), None),
        ),
        failed_job(
            "b",
            JobStatus::Failed,
            2,
            Some(err("ValueError", "row 22: 'y'", &tb("validate_row"))),
            (Some(30), None),
        ),
        failed_job(
            "c",
            JobStatus::Failed,
            2,
            Some(err("ValueError", "row 3: 'z'", &tb("load_chunk"))),
            (Some(20), None),
        ),
        failed_job(
            "d",
            JobStatus::Failed,
            1,
            Some(err("KeyError", "'amount'", "")),
            (Some(40), None),
        ),
        failed_job(
            "old",
            JobStatus::Failed,
            1,
            Some(err("KeyError", "'amount'", "")),
            (Some(1), None),
        ),
        failed_job("ok", JobStatus::Succeeded, 1, None, (Some(50), None)),
    ];
    let g = group_failures(&jobs, 5);
    assert_eq!(g.total_failed, 4);

    let t = &g.by_type;
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].key, FailureKey::Type("ValueError".into()));
    assert_eq!((t[0].label.as_str(), t[0].count), ("ValueError", 3));
    assert_eq!(t[0].job_ids, ["b", "c", "a"]);
    assert_eq!((t[0].first_seen, t[0].last_seen), (10, 30));
    assert_eq!(t[0].example, "row 22: 'y'");
    assert_eq!(t[0].frame.as_deref(), Some("work.py:validate_row"));
    assert_eq!(
        t[0].datasets,
        [
            ("ds_2".into(), "data2.csv".into(), 2),
            ("ds_1".into(), "data1.csv".into(), 1)
        ]
    );
    assert!((t[0].share - 0.75).abs() < 1e-9);
    assert_eq!(t[1].job_ids, ["d"]);

    let p = &g.by_fingerprint;
    assert_eq!(p.len(), 3);
    assert_eq!(p[0].label, "ValueError: row <n>: '<s>'");
    assert_eq!(p[0].job_ids, ["b", "a"]);
    // Equal counts: the most recent first.
    assert_eq!(p[1].job_ids, ["d"]);
    assert_eq!(p[2].job_ids, ["c"]);
    assert_eq!(p[2].frame.as_deref(), Some("work.py:load_chunk"));
    assert!(matches!(&p[0].key, FailureKey::Fingerprint(fp) if fp.len() == 16));

    assert_eq!(group_failures(&jobs, 1_000), FailureGroups::default());
}

/// Variable parts of a message: numbers, quoted values, ids, paths.
fn variable() -> impl Strategy<Value = (String, String, String, String)> {
    let number = prop_oneof![
        "-?[0-9]{1,6}",
        "[1-9][0-9]{0,2}(,[0-9]{3}){1,2}",
        "-?[0-9]{1,4}\\.[0-9]{1,4}",
        "[0-9]\\.[0-9]{1,3}[eE][+-]?[0-9]{1,2}",
    ];
    let quoted = "[a-zA-Z0-9 /._-]{0,12}";
    let id = prop_oneof![
        "job_[0-9a-f]{11}[0-9]",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[0-9a-f]{6,14}1a",
    ];
    let path = prop_oneof![
        "/[a-z]{1,8}(/[a-z0-9_]{1,6}\\.?[a-z]{1,3}){0,3}",
        "C:\\\\[a-z]{1,6}\\\\[a-z0-9]{1,6}\\.csv",
        "\\./[a-z]{1,5}",
    ];
    (number, quoted, id, path)
}

fn templated(t: usize, (n, q, id, p): &(String, String, String, String)) -> String {
    match t {
        0 => format!("row {n}: column '{q}': could not convert \"{q}\" to float"),
        1 => format!("cannot read {p} for {id} after {n} tries"),
        _ => format!("{id} = {n}; path={p}"),
    }
}

proptest! {
    #[test]
    fn fingerprint_ignores_variable_parts(
        t in 0usize..3, a in variable(), b in variable(),
        la in (1u32..9999, 1u32..9999), lb in (1u32..9999, 1u32..9999),
        k in 0usize..3, f in 0usize..3,
    ) {
        let (ma, mb) = (templated(t, &a), templated(t, &b));
        let ea = err(KINDS[k], &ma, &traceback_for(KINDS[k], &ma, FUNCS[f], la));
        let eb = err(KINDS[k], &mb, &traceback_for(KINDS[k], &mb, FUNCS[f], lb));
        prop_assert_eq!(normalise_message(&ma), normalise_message(&mb));
        prop_assert_eq!(fingerprint(&ea), fingerprint(&eb));

        let other_type = err(KINDS[(k + 1) % 3], &ma, &ea.traceback);
        prop_assert_ne!(fingerprint(&ea), fingerprint(&other_type));
        let other_func = err(KINDS[k], &ma, &traceback_for(KINDS[k], &ma, FUNCS[(f + 1) % 3], la));
        prop_assert_ne!(fingerprint(&ea), fingerprint(&other_func));
    }

    #[test]
    fn normalising_is_idempotent(s in "\\PC{0,40}", t in 0usize..3, v in variable()) {
        for m in [s, templated(t, &v)] {
            let once = normalise_message(&m);
            prop_assert_eq!(normalise_message(&once), once.clone(), "from {:?}", m);
        }
    }

    #[test]
    fn normalising_is_idempotent_on_punctuation_soup(s in "[a-f0-9xe_ ./\\\\:,;=()'\"~<>+-]{0,30}") {
        let once = normalise_message(&s);
        prop_assert_eq!(normalise_message(&once), once.clone(), "from {:?}", s);
    }

    #[test]
    fn groups_partition_the_window(jobs in arb_jobs(), since in 0i64..10_000) {
        let g = group_failures(&jobs, since);
        let expected = jobs.iter().filter(|j| in_window(j, since)).count();
        prop_assert_eq!(g.total_failed, expected);
        for groups in [&g.by_type, &g.by_fingerprint] {
            prop_assert_eq!(groups.iter().map(|x| x.count).sum::<usize>(), expected);
            prop_assert_eq!(groups.iter().map(|x| x.job_ids.len()).sum::<usize>(), expected);
            if expected > 0 {
                let share: f64 = groups.iter().map(|x| x.share).sum();
                prop_assert!((share - 1.0).abs() < 1e-9, "shares sum to {}", share);
            }
            for w in groups.windows(2) {
                // Count desc, then last seen desc, then key.
                let (a, b) = ((w[0].count, w[0].last_seen), (w[1].count, w[1].last_seen));
                prop_assert!(a > b || (a == b && w[0].key < w[1].key));
            }
            for x in groups.iter() {
                prop_assert_eq!(x.datasets.iter().map(|d| d.2).sum::<usize>(), x.count);
                prop_assert!(x.first_seen <= x.last_seen);
            }
        }
    }
}
