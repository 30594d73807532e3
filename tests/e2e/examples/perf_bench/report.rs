//! The benchmark's figures (serialised as the JSON report) and their markdown table: one row
//! per figure, app and floor side by side, and the ratio app/floor.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Frame-interval (or any duration) distribution, ms.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Dist {
    pub n: usize,
    pub median: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
}

impl Dist {
    pub fn of(v: &[f64]) -> Self {
        use super::page::quantile;
        Self {
            n: v.len(),
            median: quantile(v, 0.5),
            p95: quantile(v, 0.95),
            p99: quantile(v, 0.99),
            max: quantile(v, 1.0),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Bundle {
    /// Bytes per kind of file: `[raw, gzip -9, brotli -q 11]`.
    pub kinds: BTreeMap<String, [u64; 3]>,
    pub total: [u64; 3],
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Startup {
    pub bundle: Option<Bundle>,
    /// Navigation start → first job card, HTTP cache disabled (CDP `Network.setCacheDisabled`).
    pub cold_first_card_ms: Option<f64>,
    /// The same with the cache warm: the median of `warm_runs`.
    pub warm_first_card_ms: Option<f64>,
    pub warm_runs: Vec<f64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BigList {
    pub first_card_ms: Option<f64>,
    /// The list's own summary once settled ("5,000 of 5,000 jobs").
    pub summary: Option<String>,
    pub dom_nodes: Option<u64>,
    pub cards_in_dom: Option<u64>,
    pub js_heap_mb: Option<f64>,
    /// The app's WebAssembly memory (a high-water mark; the floor has none).
    pub wasm_memory_mb: Option<f64>,
    /// Frame intervals while the list scrolls `scroll_px_per_frame` every frame.
    pub scroll_frames: Dist,
    pub scroll_px_per_frame: u32,
    pub scrolled_px: Option<f64>,
    /// `location.hash` set → first frame showing the changed list, ms (median of the runs).
    pub ops: BTreeMap<String, Op>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Op {
    pub hash: String,
    pub median_ms: Option<f64>,
    pub runs: Vec<Option<f64>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Phase {
    /// Configured non-marker events per second.
    pub target_per_s: u64,
    pub secs: f64,
    /// Rate back to 0 → the last marker shown (None: not shown within the limit).
    pub drain_s: Option<f64>,
    pub sent: u64,
    pub sent_per_s: f64,
    /// Scheduled events the server skipped because the connection was > 50 ms behind.
    pub skipped: u64,
    /// Share of the phase the server's writes waited for the page to read (%).
    pub backpressure_pct: f64,
    /// `job.updated` messages the page's sockets delivered, per second of phase + drain.
    pub received_per_s: f64,
    /// Events the page applied per second of phase + drain.
    pub applied_per_s: Option<f64>,
    /// `page counter` (`__jobsPerf`/`__floorPerf.applied`) or `last marker` (inferred: every
    /// event sent before the last marker was in when it showed).
    pub applied_source: String,
    /// Main-thread task time (CDP `TaskDuration`) per 1,000 events sent, ms.
    pub cpu_ms_per_1000: Option<f64>,
    /// Of which JavaScript/wasm (CDP `ScriptDuration`).
    pub script_ms_per_1000: Option<f64>,
    /// Main-thread task time / wall time.
    pub main_thread_busy_pct: f64,
    /// CPU of the renderer processes (all threads) / wall time; 100 = one core.
    pub renderer_cpu_pct: f64,
    /// CPU of Chromium's other processes (browser, network service, GPU) / wall time.
    pub chromium_other_cpu_pct: f64,
    /// CPU of this process (flood server + harness) / wall time.
    pub server_cpu_pct: f64,
    pub longest_task_ms: Option<f64>,
    pub long_tasks: usize,
    pub frames: Dist,
    /// Marker send → first frame showing it, ms.
    pub latency: Dist,
    /// Marker send → its text changed in the DOM (a MutationObserver), ms.
    pub dom_latency: Dist,
    /// Whether this Chromium reports long tasks at all (else `long_tasks` means nothing).
    pub longtask_supported: bool,
    pub markers_sent: u64,
    pub markers_seen: u64,
    /// WebSockets the page opened during the phase, and `resync_required` the server sent.
    pub reconnects: u64,
    pub resyncs: u64,
    /// WebSockets open on the server when the phase started (1: only the page's).
    pub sockets_open: u64,
    pub keeps_up: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Idle {
    pub secs: f64,
    pub main_thread_ms_per_s: f64,
    pub script_ms_per_s: f64,
    pub renderer_cpu_pct: f64,
    pub long_tasks: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Logs {
    pub lines: u64,
    pub target_per_s: u64,
    /// Lines shown per second, from the first streamed line to the last.
    pub shown_per_s: Option<f64>,
    pub secs: Option<f64>,
    pub longest_task_ms: Option<f64>,
    pub long_tasks: usize,
    pub frames: Dist,
    pub cpu_ms_per_1000_lines: Option<f64>,
    pub dom_nodes: Option<u64>,
    pub note: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Target {
    pub name: String,
    pub url: String,
    pub startup: Option<Startup>,
    pub big_list: Option<BigList>,
    pub flood: Vec<Phase>,
    /// The highest target rate of a phase that kept up.
    pub highest_rate_kept_up: Option<u64>,
    pub idle: Option<Idle>,
    pub logs: Option<Logs>,
    pub errors: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Machine {
    pub nproc: usize,
    pub cpu_model: String,
    pub chromium: String,
    pub load_start: String,
    pub load_end: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Report {
    pub date: String,
    pub machine: Machine,
    pub settings: serde_json::Value,
    pub server: serde_json::Value,
    pub targets: Vec<Target>,
}

fn fmt(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.abs() >= 100.0 => thousands(x.round() as i64),
        Some(x) if x.abs() >= 10.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.2}"),
    }
}

fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

struct Table {
    out: String,
}

impl Table {
    fn new(title: &str) -> Self {
        Self {
            out: format!(
                "\n### {title}\n\n| figure | app | floor | app/floor |\n|---|---:|---:|---:|\n"
            ),
        }
    }

    fn row(&mut self, label: &str, app: Option<f64>, floor: Option<f64>) {
        let ratio = match (app, floor) {
            (Some(a), Some(f)) if f.abs() > 1e-9 => format!("{:.2}", a / f),
            _ => "—".into(),
        };
        self.out.push_str(&format!(
            "| {label} | {} | {} | {ratio} |\n",
            fmt(app),
            fmt(floor)
        ));
    }

    fn text(&mut self, label: &str, app: &str, floor: &str) {
        self.out
            .push_str(&format!("| {label} | {app} | {floor} | |\n"));
    }
}

/// The markdown report: machine, server ceiling, then one table per benchmark.
pub fn markdown(r: &Report) -> String {
    let m = &r.machine;
    let mut out = format!(
        "## Performance: app vs floor\n\n{} · {} × {} · {} · load average {} (start) / {} (end)\n",
        r.date, m.nproc, m.cpu_model, m.chromium, m.load_start, m.load_end
    );
    out.push_str(&format!("\nSettings: `{}`\n", r.settings));
    let s = &r.server;
    out.push_str(&format!(
        "\nFlood server alone (a Rust client reading as fast as it can): {} events/s at a \
         20,000/s setting ({:.0}% CPU), ceiling {} events/s unpaced ({:.0}% CPU, {:.0} MB/s); \
         chain and decoding checked: {}.\n",
        fmt(s["paced_20k"]["events_per_s"].as_f64()),
        s["paced_20k_cpu_pct"].as_f64().unwrap_or(0.0),
        fmt(s["ceiling"]["events_per_s"].as_f64()),
        s["ceiling_cpu_pct"].as_f64().unwrap_or(0.0),
        s["ceiling"]["mb_per_s"].as_f64().unwrap_or(0.0),
        if s["paced_20k"]["chain_ok"].as_bool() == Some(true)
            && s["ceiling"]["chain_ok"].as_bool() == Some(true)
            && s["paced_20k"]["decode_errors"].as_u64() == Some(0)
        {
            "ok"
        } else {
            "FAILED"
        }
    ));
    let find = |name: &str| r.targets.iter().find(|t| t.name == name);
    let (app, floor) = (find("app"), find("floor"));
    let get = |t: Option<&Target>, f: &dyn Fn(&Target) -> Option<f64>| t.and_then(f);

    // Flood: one block of rows per rate.
    let mut t = Table::new("Event flood (10,000 jobs unless set otherwise; rates are per second)");
    // Every rate either page ran (the rate search may stop at different rates).
    let mut rates: Vec<u64> = r
        .targets
        .iter()
        .flat_map(|x| x.flood.iter().map(|p| p.target_per_s))
        .collect();
    rates.sort_unstable();
    rates.dedup();
    for rate in rates {
        let ph = |x: Option<&Target>| {
            x.and_then(|x| x.flood.iter().find(|p| p.target_per_s == rate))
                .cloned()
        };
        let (a, f) = (ph(app), ph(floor));
        let row = |t: &mut Table, label: &str, g: &dyn Fn(&Phase) -> Option<f64>| {
            t.row(
                &format!("{} /s: {label}", thousands(rate as i64)),
                a.as_ref().and_then(g),
                f.as_ref().and_then(g),
            )
        };
        row(&mut t, "events sent /s", &|p| Some(p.sent_per_s));
        row(&mut t, "events skipped (server behind)", &|p| {
            Some(p.skipped as f64)
        });
        row(&mut t, "socket backpressure (% of phase)", &|p| {
            Some(p.backpressure_pct)
        });
        row(&mut t, "events received /s", &|p| Some(p.received_per_s));
        row(&mut t, "events applied /s", &|p| p.applied_per_s);
        let src = |p: &Option<Phase>| {
            p.as_ref()
                .map_or("—".to_string(), |p| p.applied_source.clone())
        };
        t.text(
            &format!("{} /s: applied counted by", thousands(rate as i64)),
            &src(&a),
            &src(&f),
        );
        row(&mut t, "drain after the phase (s)", &|p| p.drain_s);
        row(&mut t, "main-thread ms per 1,000 events", &|p| {
            p.cpu_ms_per_1000
        });
        row(&mut t, "script ms per 1,000 events", &|p| {
            p.script_ms_per_1000
        });
        row(&mut t, "main thread busy (%)", &|p| {
            Some(p.main_thread_busy_pct)
        });
        row(&mut t, "renderer CPU (% of a core)", &|p| {
            Some(p.renderer_cpu_pct)
        });
        row(&mut t, "other Chromium processes CPU (%)", &|p| {
            Some(p.chromium_other_cpu_pct)
        });
        row(&mut t, "flood server + harness CPU (%)", &|p| {
            Some(p.server_cpu_pct)
        });
        row(&mut t, "longest task (ms)", &|p| {
            p.longest_task_ms.or(Some(0.0))
        });
        row(&mut t, "tasks > 50 ms", &|p| Some(p.long_tasks as f64));
        row(&mut t, "frame interval median (ms)", &|p| p.frames.median);
        row(&mut t, "frame interval p95 (ms)", &|p| p.frames.p95);
        row(&mut t, "frame interval p99 (ms)", &|p| p.frames.p99);
        row(&mut t, "event-to-screen p50 (ms)", &|p| p.latency.median);
        row(&mut t, "event-to-screen p95 (ms)", &|p| p.latency.p95);
        row(&mut t, "reconnects", &|p| Some(p.reconnects as f64));
        let yes = |p: &Option<Phase>| match p {
            Some(p) if p.keeps_up => "yes",
            Some(_) => "no",
            None => "—",
        };
        t.text(
            &format!("{} /s: keeps up", thousands(rate as i64)),
            yes(&a),
            yes(&f),
        );
    }
    t.row(
        "highest rate kept up (/s)",
        get(app, &|x| x.highest_rate_kept_up.map(|v| v as f64)),
        get(floor, &|x| x.highest_rate_kept_up.map(|v| v as f64)),
    );
    out.push_str(&t.out);

    let mut t = Table::new("Big list");
    let bl = |x: Option<&Target>| x.and_then(|x| x.big_list.clone());
    let (a, f) = (bl(app), bl(floor));
    let row = |t: &mut Table, label: &str, g: &dyn Fn(&BigList) -> Option<f64>| {
        t.row(label, a.as_ref().and_then(g), f.as_ref().and_then(g))
    };
    row(&mut t, "navigation → first card (ms)", &|b| {
        b.first_card_ms
    });
    t.text(
        "list summary",
        a.as_ref()
            .and_then(|b| b.summary.clone())
            .as_deref()
            .unwrap_or("—"),
        f.as_ref()
            .and_then(|b| b.summary.clone())
            .as_deref()
            .unwrap_or("—"),
    );
    row(&mut t, "DOM elements", &|b| b.dom_nodes.map(|v| v as f64));
    row(&mut t, "cards in the DOM", &|b| {
        b.cards_in_dom.map(|v| v as f64)
    });
    row(&mut t, "JS heap (MB)", &|b| b.js_heap_mb);
    row(&mut t, "WebAssembly memory (MB)", &|b| b.wasm_memory_mb);
    row(&mut t, "scroll frame median (ms)", &|b| {
        b.scroll_frames.median
    });
    row(&mut t, "scroll frame p95 (ms)", &|b| b.scroll_frames.p95);
    row(&mut t, "scroll frame p99 (ms)", &|b| b.scroll_frames.p99);
    row(&mut t, "scroll frame max (ms)", &|b| b.scroll_frames.max);
    let names: Vec<String> = a
        .as_ref()
        .or(f.as_ref())
        .map(|b| b.ops.keys().cloned().collect())
        .unwrap_or_default();
    for name in names {
        row(&mut t, &format!("{name} (ms)"), &|b| {
            b.ops.get(&name).and_then(|o| o.median_ms)
        });
    }
    out.push_str(&t.out);

    let mut t = Table::new("Start-up");
    let st = |x: Option<&Target>| x.and_then(|x| x.startup.clone());
    let (a, f) = (st(app), st(floor));
    for (i, label) in ["raw", "gzip", "brotli"].iter().enumerate() {
        t.row(
            &format!("bundle, {label} (KB)"),
            a.as_ref()
                .and_then(|s| s.bundle.as_ref())
                .map(|b| b.total[i] as f64 / 1024.0),
            f.as_ref()
                .and_then(|s| s.bundle.as_ref())
                .map(|b| b.total[i] as f64 / 1024.0),
        );
    }
    t.row(
        "first card, cold cache (ms)",
        a.as_ref().and_then(|s| s.cold_first_card_ms),
        f.as_ref().and_then(|s| s.cold_first_card_ms),
    );
    t.row(
        "first card, warm cache (ms)",
        a.as_ref().and_then(|s| s.warm_first_card_ms),
        f.as_ref().and_then(|s| s.warm_first_card_ms),
    );
    out.push_str(&t.out);

    let mut t = Table::new("Idle (socket open, heartbeats only)");
    let id = |x: Option<&Target>| x.and_then(|x| x.idle.clone());
    let (a, f) = (id(app), id(floor));
    t.row(
        "main-thread ms per s",
        a.as_ref().map(|i| i.main_thread_ms_per_s),
        f.as_ref().map(|i| i.main_thread_ms_per_s),
    );
    t.row(
        "script ms per s",
        a.as_ref().map(|i| i.script_ms_per_s),
        f.as_ref().map(|i| i.script_ms_per_s),
    );
    t.row(
        "renderer CPU (% of a core)",
        a.as_ref().map(|i| i.renderer_cpu_pct),
        f.as_ref().map(|i| i.renderer_cpu_pct),
    );
    t.row(
        "tasks > 50 ms",
        a.as_ref().map(|i| i.long_tasks as f64),
        f.as_ref().map(|i| i.long_tasks as f64),
    );
    out.push_str(&t.out);

    let lg = |x: Option<&Target>| x.and_then(|x| x.logs.clone());
    let (a, f) = (lg(app), lg(floor));
    if a.is_some() || f.is_some() {
        let mut t = Table::new("Logs (lines streamed into the open viewer)");
        let row = |t: &mut Table, label: &str, g: &dyn Fn(&Logs) -> Option<f64>| {
            t.row(label, a.as_ref().and_then(g), f.as_ref().and_then(g))
        };
        row(&mut t, "lines", &|l| Some(l.lines as f64));
        row(&mut t, "lines shown /s", &|l| l.shown_per_s);
        row(&mut t, "main-thread ms per 1,000 lines", &|l| {
            l.cpu_ms_per_1000_lines
        });
        row(&mut t, "longest task (ms)", &|l| {
            l.longest_task_ms.or(Some(0.0))
        });
        row(&mut t, "tasks > 50 ms", &|l| Some(l.long_tasks as f64));
        row(&mut t, "frame interval p95 (ms)", &|l| l.frames.p95);
        row(&mut t, "DOM elements", &|l| l.dom_nodes.map(|v| v as f64));
        out.push_str(&t.out);
    }

    for x in r.targets.iter().filter(|x| !x.errors.is_empty()) {
        out.push_str(&format!("\nErrors ({}):\n", x.name));
        for e in &x.errors {
            out.push_str(&format!("- {e}\n"));
        }
    }
    out
}
