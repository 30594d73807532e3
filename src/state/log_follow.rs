//! Follow mode of the log viewer: whether the view sticks to the newest line, and how many
//! lines arrived while the reader was scrolled up.

/// Follow mode: stick to the newest line while the reader is at the bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Follow {
    pub following: bool,
    /// Lines that arrived while not following (for "jump to latest (N new lines)").
    pub unseen: u64,
}

impl Default for Follow {
    fn default() -> Self {
        Self {
            following: true,
            unseen: 0,
        }
    }
}

impl Follow {
    /// The reader scrolled; `at_bottom` says where the viewport ended up.
    pub fn scrolled(&mut self, at_bottom: bool) {
        self.following = at_bottom;
        if at_bottom {
            self.unseen = 0;
        }
    }

    /// `n` new lines were shown.
    pub fn arrived(&mut self, n: u64) {
        if !self.following {
            self.unseen += n;
        }
    }

    /// "Jump to latest".
    pub fn jump(&mut self) {
        self.following = true;
        self.unseen = 0;
    }
}
