//! Which jobs the user selected for a bulk action: single clicks, shift-click ranges over the
//! visible order, "all on screen", and "all N matching this filter" (resolved by the server).

use std::collections::BTreeSet;

/// The scope of a bulk action.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    ids: BTreeSet<String>,
    /// Index (in the visible order) of the last plain click, for shift ranges.
    anchor: Option<String>,
    /// Every job matching the current filter, not just the listed ids.
    all_matching: bool,
}

impl Selection {
    pub fn ids(&self) -> &BTreeSet<String> {
        &self.ids
    }

    pub fn contains(&self, id: &str) -> bool {
        self.all_matching || self.ids.contains(id)
    }

    pub fn is_empty(&self) -> bool {
        !self.all_matching && self.ids.is_empty()
    }

    pub fn all_matching(&self) -> bool {
        self.all_matching
    }

    /// Click on a checkbox. With `shift`, selects the range from the last clicked job to this
    /// one in `order` (the list as shown), to the state of the clicked one after the click.
    pub fn click(&mut self, id: &str, shift: bool, order: &[String]) {
        if self.all_matching {
            // Narrowing an "all matching" scope starts from the jobs on screen.
            self.all_matching = false;
            self.ids = order.iter().cloned().collect();
        }
        let select = !self.ids.contains(id);
        let range = match (&self.anchor, shift) {
            (Some(anchor), true) => {
                let a = order.iter().position(|x| x == anchor);
                let b = order.iter().position(|x| x == id);
                a.zip(b).map(|(a, b)| (a.min(b), a.max(b)))
            }
            _ => None,
        };
        match range {
            Some((lo, hi)) => {
                for x in &order[lo..=hi] {
                    if select {
                        self.ids.insert(x.clone());
                    } else {
                        self.ids.remove(x);
                    }
                }
            }
            None => {
                if select {
                    self.ids.insert(id.to_string());
                } else {
                    self.ids.remove(id);
                }
            }
        }
        self.anchor = Some(id.to_string());
    }

    /// Selects (or, if all are selected, clears) every job in `visible`.
    pub fn toggle_all(&mut self, visible: &[String]) {
        let all = !visible.is_empty() && visible.iter().all(|id| self.contains(id));
        self.all_matching = false;
        if all {
            for id in visible {
                self.ids.remove(id);
            }
        } else {
            self.ids.extend(visible.iter().cloned());
        }
    }

    /// Extends the scope to every job matching the filter.
    pub fn select_all_matching(&mut self) {
        self.all_matching = true;
    }

    pub fn clear(&mut self) {
        *self = Selection::default();
    }

    /// Drops ids that are no longer listed (e.g. after a filter change).
    pub fn retain(&mut self, listed: &BTreeSet<String>) {
        self.ids.retain(|id| listed.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Vec<String> {
        (0..6).map(|i| format!("j{i}")).collect()
    }

    fn ids(s: &Selection) -> Vec<&str> {
        s.ids().iter().map(String::as_str).collect()
    }

    #[test]
    fn click_and_shift_click_ranges() {
        let o = order();
        let mut s = Selection::default();
        s.click("j1", false, &o);
        s.click("j4", true, &o);
        assert_eq!(ids(&s), ["j1", "j2", "j3", "j4"]);
        // Shift-click on a selected one clears the range back to the anchor.
        s.click("j2", true, &o);
        assert_eq!(ids(&s), ["j1"]);
        s.click("j1", false, &o);
        assert!(s.is_empty());
    }

    #[test]
    fn toggle_all_and_all_matching() {
        let o = order();
        let mut s = Selection::default();
        s.toggle_all(&o[..3]);
        assert_eq!(ids(&s), ["j0", "j1", "j2"]);
        s.toggle_all(&o[..3]);
        assert!(s.is_empty());
        s.select_all_matching();
        assert!(s.contains("anything") && !s.is_empty());
        s.click("j0", false, &o);
        assert!(!s.all_matching());
        assert_eq!(ids(&s), ["j1", "j2", "j3", "j4", "j5"]);
        s.clear();
        assert!(s.is_empty());
    }
}
