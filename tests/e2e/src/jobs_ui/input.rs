//! Driving the Jobs page the way a person does, through WebDriver (real, trusted events):
//! clicks (plain, shift, by a button's text), key presses and typing, and the element that has
//! focus (read, tabbed to, waited for).

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::Locator;
use serde::Deserialize;

use super::card_css;
use crate::browser::{testid, Browser};
use crate::error::{Context, Error, Result};
use crate::wait::{default_timeout, try_wait_for};

/// Pause between the key-down and key-up of one key press (and between presses).
const KEY_PAUSE: Duration = Duration::from_millis(20);

// ---- clicking ---------------------------------------------------------------------------------

/// Waits (default timeout) for an element matching `css` and clicks it (a real WebDriver click:
/// scrolled into view, trusted event).
pub async fn click(browser: &Browser, css: &str) -> Result<()> {
    let el = try_wait_for(
        &format!("an element matching `{css}` to click"),
        default_timeout(),
        || async { browser.client().find(Locator::Css(css)).await },
    )
    .await?;
    el.click().await.context(format!("clicking `{css}`"))
}

/// Clicks `[data-testid=<id>]`.
pub async fn click_testid(browser: &Browser, id: &str) -> Result<()> {
    click(browser, &testid(id)).await
}

/// Clicks the element `[data-testid=<inner>]` inside the card of job `job_id`.
pub async fn click_in_card(browser: &Browser, job_id: &str, inner: &str) -> Result<()> {
    click(browser, &format!("{} {}", card_css(job_id), testid(inner))).await
}

/// Clicks `el` with Shift held (a real pointer click, as a user extends a selection).
pub async fn shift_click(browser: &Browser, el: &Element) -> Result<()> {
    // Bring the element on screen first: pointer moves need it in the viewport.
    browser
        .run_script(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(el).context("serialising an element")?],
            "scrolling an element into view",
        )
        .await?;
    let shift: char = Key::Shift.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Up { value: shift });
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(PointerAction::MoveToElement {
            element: el.clone(),
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        });
    let actions = fantoccini::actions::Actions::from(keys).and(mouse);
    browser
        .client()
        .perform_actions(actions)
        .await
        .context("shift-click")?;
    browser
        .client()
        .release_actions()
        .await
        .context("releasing input state")
}

// ---- keyboard ---------------------------------------------------------------------------------

/// Presses and releases one key (a character or a [`Key`] code) wherever focus is, as the
/// user's keyboard would: no element is focused or clicked first.
pub async fn press(browser: &Browser, key: char) -> Result<()> {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Up { value: key });
    browser
        .client()
        .perform_actions(actions)
        .await
        .context(format!("pressing key U+{:04X}", key as u32))
}

/// Presses [`Key`] `key`.
pub async fn press_key(browser: &Browser, key: Key) -> Result<()> {
    press(browser, key.into()).await
}

/// Shift+`key`.
pub async fn press_shifted(browser: &Browser, key: Key) -> Result<()> {
    let shift: char = Key::Shift.into();
    let k: char = key.into();
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value: k })
        .then(KeyAction::Pause {
            duration: KEY_PAUSE,
        })
        .then(KeyAction::Up { value: k })
        .then(KeyAction::Up { value: shift });
    browser
        .client()
        .perform_actions(actions)
        .await
        .context("pressing Shift+key")
}

/// Types `text` wherever focus is, one key press per character.
pub async fn type_text(browser: &Browser, text: &str) -> Result<()> {
    let mut actions = KeyActions::new("keyboard".into());
    for c in text.chars() {
        actions = actions
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    browser
        .client()
        .perform_actions(actions)
        .await
        .context(format!("typing {text:?}"))
}

/// What has focus (`document.activeElement`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Focused {
    /// Lower-case tag name (`body` when nothing in particular has focus).
    pub tag: String,
    /// `data-testid` of the element itself (empty if none).
    pub testid: String,
    /// Its visible text, trimmed (buttons and links).
    pub text: String,
    /// `aria-label`.
    pub label: String,
    /// `type` attribute (inputs).
    pub kind: String,
    /// `data-testid` of the `role=dialog` it is in (empty outside dialogs; `"dialog"` for a
    /// dialog without test id).
    pub dialog: String,
    /// `data-job-id` of the job card it is in (empty outside cards).
    pub card: String,
}

impl Focused {
    /// One line for messages.
    pub fn describe(&self) -> String {
        format!(
            "<{} testid={:?} text={:?} aria-label={:?} dialog={:?} card={:?}>",
            self.tag, self.testid, self.text, self.label, self.dialog, self.card
        )
    }
}

const READ_FOCUS: &str = r#"
const el = document.activeElement || document.body;
const dialog = el.closest ? el.closest('[role="dialog"]') : null;
const card = el.closest ? el.closest('[data-testid="job-card"]') : null;
return {
  tag: el.tagName.toLowerCase(),
  testid: el.getAttribute('data-testid') || '',
  text: (el.innerText || el.textContent || '').trim().slice(0, 200),
  label: el.getAttribute('aria-label') || '',
  kind: el.getAttribute('type') || '',
  dialog: dialog ? (dialog.getAttribute('data-testid') || 'dialog') : '',
  card: card ? (card.getAttribute('data-job-id') || '') : '',
};
"#;

/// The element that has focus now.
pub async fn focused(browser: &Browser) -> Result<Focused> {
    let v = browser
        .run_script(READ_FOCUS, vec![], "reading document.activeElement")
        .await?;
    serde_json::from_value(v.clone())
        .map_err(|e| Error::msg(format!("unexpected focus snapshot ({e}): {v}")))
}

/// Presses Tab (Shift+Tab with `backwards`) until `pred` holds for the focused element, at most
/// `max` times; returns it and how many presses it took. The error lists every stop on the way.
pub async fn tab_until<P>(
    browser: &Browser,
    what: &str,
    max: usize,
    backwards: bool,
    pred: P,
) -> Result<(Focused, usize)>
where
    P: Fn(&Focused) -> bool,
{
    let mut path = Vec::new();
    for n in 1..=max {
        if backwards {
            press_shifted(browser, Key::Tab).await?;
        } else {
            press_key(browser, Key::Tab).await?;
        }
        let f = focused(browser).await?;
        if pred(&f) {
            return Ok((f, n));
        }
        path.push(f.describe());
    }
    Err(Error::msg(format!(
        "{max} Tab presses did not reach {what}; focus went through:\n  {}",
        path.join("\n  ")
    )))
}

/// Waits until the focused element satisfies `pred`.
pub async fn wait_focus<P>(browser: &Browser, what: &str, pred: P) -> Result<Focused>
where
    P: Fn(&Focused) -> bool,
{
    try_wait_for(&format!("focus on {what}"), default_timeout(), || async {
        let f = focused(browser).await.map_err(|e| e.to_string())?;
        if pred(&f) {
            Ok(f)
        } else {
            Err(format!("focus is on {}", f.describe()))
        }
    })
    .await
}

/// Clicks the button inside `[data-testid=<scope>]` whose visible text is exactly `text` (for
/// buttons without a test id, such as "Clear selection").
pub async fn click_button_text(browser: &Browser, scope: &str, text: &str) -> Result<()> {
    let xpath = format!("//*[@data-testid='{scope}']//button[normalize-space(.)='{text}']");
    let el = try_wait_for(
        &format!("a button {text:?} in {scope}"),
        default_timeout(),
        || async { browser.client().find(Locator::XPath(&xpath)).await },
    )
    .await?;
    el.click()
        .await
        .context(format!("clicking {text:?} in {scope}"))
}
