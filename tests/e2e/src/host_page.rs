//! The example host (`examples/host/`) on a second origin next to a [`Stack`]'s app, for the
//! embedding tests: its own static server on another port (`http://127.0.0.1:<host>`), the
//! app's `config.json` (and so its CSP `frame-ancestors`) allowing it, a third origin
//! (`http://localhost:<host>`, a page of the same server under another host name) to post
//! foreign messages from, and readers of what the host page saw.
//!
//! WebDriver commands act on one frame at a time: the helpers here leave the browser in the
//! host's top-level document unless they say otherwise ([`HostPage::enter_app`]).

use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Context, Error, Result};
use crate::static_site::{write_header_file, StaticSite};
use crate::{net, paths, Browser, Stack};

/// The host page's server and origins. Drop it before the stack (declare it after).
#[derive(Debug)]
pub struct HostPage {
    site: StaticSite,
    port: u16,
    app_origin: String,
}

/// One line of the host's message list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LoggedMessage {
    /// `in` (from the page) or `out` (sent by the host).
    pub direction: String,
    pub msg: Value,
}

impl LoggedMessage {
    pub fn kind(&self) -> &str {
        self.msg["type"].as_str().unwrap_or_default()
    }
}

impl HostPage {
    /// Serves a copy of `examples/host/` (plus a blank `foreign.html`) with a CSP of its own,
    /// and lets it embed the stack's app.
    pub async fn start(stack: &mut Stack) -> HostPage {
        match Self::try_start(stack).await {
            Ok(host) => host,
            Err(e) => panic!("the example host did not start: {e}"),
        }
    }

    async fn try_start(stack: &mut Stack) -> Result<HostPage> {
        let dir = stack.temp_dir().join("host-www");
        copy_files(&paths::repo_root().join("examples/host"), &dir)?;
        std::fs::write(
            dir.join("foreign.html"),
            "<!doctype html><title>Another origin</title><p>A page of another origin.</p>\n",
        )
        .context("writing foreign.html")?;
        let port = net::free_port()?;
        let origin = format!("http://127.0.0.1:{port}");
        let app_origin = stack.static_origin();
        let headers = stack.temp_dir().join("host.headers.json");
        let csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-src {app_origin} http://localhost:{port}; object-src 'none'; base-uri 'none'"
        );
        write_header_file(&headers, &[("Content-Security-Policy", &csp)])?;
        let log = stack.temp_dir().join("logs").join("host.log");
        let site =
            StaticSite::serve_dir(&dir, &headers, port, &log, stack.api(), "/index.html").await?;
        let mut config = stack.app_config().clone();
        config["allowed_parent_origins"] = json!([origin]);
        stack.write_app_config(config)?;
        Ok(HostPage {
            site,
            port,
            app_origin,
        })
    }

    /// `http://127.0.0.1:<host>`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The same server under another host name: another origin, allowed nowhere.
    pub fn foreign_origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// The app's origin (the stack's static server).
    pub fn app_origin(&self) -> &str {
        &self.app_origin
    }

    /// The host page embedding `app_url`; `token` pre-fills its token field.
    pub fn url(&self, app_url: &str, token: Option<&str>) -> String {
        let enc = jobs_page::state::url::encode_component;
        let mut url = format!("{}/index.html?app={}", self.origin(), enc(app_url));
        if let Some(token) = token {
            url.push_str(&format!("#token={}", enc(token)));
        }
        url
    }

    /// The host server (for its log).
    pub fn site(&self) -> &StaticSite {
        &self.site
    }

    // ---- reading the host page (top-level document) ------------------------------------------

    /// Every message the host showed, in order.
    pub async fn messages(browser: &Browser) -> Result<Vec<LoggedMessage>> {
        let v = browser
            .client()
            .execute(
                "return Array.from(document.querySelectorAll('#messages li')).map(li => \
                 ({direction: li.dataset.direction, msg: JSON.parse(li.dataset.json)}));",
                vec![],
            )
            .await
            .context("reading the host's message list")?;
        serde_json::from_value(v.clone())
            .map_err(|e| Error::msg(format!("unexpected host message list ({e}): {v}")))
    }

    /// The messages of `kind` the host received from the page.
    pub async fn received(browser: &Browser, kind: &str) -> Result<Vec<Value>> {
        Ok(Self::messages(browser)
            .await?
            .into_iter()
            .filter(|m| m.direction == "in" && m.kind() == kind)
            .map(|m| m.msg)
            .collect())
    }

    /// Evaluates `script` (a function body) in the host's top-level document.
    pub async fn eval(browser: &Browser, script: &str, args: Vec<Value>) -> Result<Value> {
        browser
            .client()
            .execute(script, args)
            .await
            .context("running a script in the host page")
    }

    /// Clicks a host control by element id.
    pub async fn click(browser: &Browser, id: &str) -> Result<()> {
        crate::jobs_ui::click(browser, &format!("#{id}")).await
    }

    /// Sets a host text field by element id.
    pub async fn fill(browser: &Browser, id: &str, value: &str) -> Result<()> {
        Self::eval(
            browser,
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(value)],
        )
        .await
        .map(|_| ())
    }

    /// Posts `msg` to the app's frame from the host document itself (the allowed origin),
    /// bypassing the host's buttons: for shapes the buttons never send.
    pub async fn post_from_host(&self, browser: &Browser, msg: &Value) -> Result<()> {
        Self::eval(
            browser,
            "document.getElementById('app').contentWindow.postMessage(arguments[0], arguments[1]);",
            vec![msg.clone(), json!(self.app_origin)],
        )
        .await
        .map(|_| ())
    }

    /// Posts every message to the app's frame from a frame of [`foreign_origin`]
    /// (`Self::foreign_origin`) inside the host page, a real cross-origin sender.
    pub async fn post_from_foreign(&self, browser: &Browser, msgs: &[Value]) -> Result<()> {
        let url = format!("{}/foreign.html", self.foreign_origin());
        Self::eval(
            browser,
            "if (!document.getElementById('foreign')) { const f = document.createElement('iframe'); \
             f.id = 'foreign'; f.src = arguments[0]; document.body.append(f); }",
            vec![json!(url)],
        )
        .await?;
        crate::wait::try_wait_for(
            "the foreign frame to load",
            crate::default_timeout(),
            || async {
                let loaded =
                    Self::eval(browser, "return window.frames.length >= 2;", vec![]).await?;
                if loaded == json!(true) {
                    Ok(())
                } else {
                    Err(Error::msg("not yet"))
                }
            },
        )
        .await?;
        let client = browser.client();
        client
            .enter_frame(Some(1))
            .await
            .context("entering the foreign frame")?;
        let posted = async {
            crate::wait::try_wait_for(
                "the foreign frame's document",
                crate::default_timeout(),
                || async {
                    let origin = client
                        .execute("return location.origin;", vec![])
                        .await
                        .context("reading the foreign frame's origin")?;
                    if origin.as_str() == Some(self.foreign_origin().as_str()) {
                        Ok(())
                    } else {
                        Err(Error::msg(format!("origin {origin}")))
                    }
                },
            )
            .await?;
            for msg in msgs {
                client
                    .execute(
                        "parent.frames[0].postMessage(arguments[0], '*');",
                        vec![msg.clone()],
                    )
                    .await
                    .context("posting from the foreign frame")?;
            }
            Ok::<_, Error>(())
        }
        .await;
        Self::leave_frames(browser).await?;
        posted
    }

    // ---- the app's frame ---------------------------------------------------------------------

    /// Makes every following WebDriver command act in the app's frame.
    pub async fn enter_app(browser: &Browser) -> Result<()> {
        Self::leave_frames(browser).await?;
        browser
            .client()
            .enter_frame(Some(0))
            .await
            .context("entering the app's frame")
    }

    /// Back to the host's top-level document.
    pub async fn leave_frames(browser: &Browser) -> Result<()> {
        browser
            .client()
            .enter_frame(None)
            .await
            .context("leaving the frames")
    }

    /// Evaluates `script` in the app's frame and returns to the host document.
    pub async fn eval_in_app(browser: &Browser, script: &str, args: Vec<Value>) -> Result<Value> {
        Self::enter_app(browser).await?;
        let result = browser.client().execute(script, args).await;
        Self::leave_frames(browser).await?;
        result.context("running a script in the app's frame")
    }
}

/// Copies the files of `from` (not recursive: the example is flat) into `to`.
fn copy_files(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).context(format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).context(format!("reading {}", from.display()))? {
        let entry = entry.context("reading a directory entry")?;
        if entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            std::fs::copy(entry.path(), to.join(entry.file_name()))
                .context(format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}
