"""The job state machine of docs/api.md: the only legal status transitions."""

from __future__ import annotations

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
ACTIVE = frozenset({"queued", "running", "cancelling"})

LEGAL: dict[str, frozenset[str]] = {
    "queued": frozenset({"running", "cancelled"}),
    "running": frozenset({"succeeded", "failed", "cancelling"}),
    "cancelling": frozenset({"cancelled", "succeeded", "failed"}),
    "succeeded": frozenset(),
    "failed": frozenset({"queued"}),  # retry
    "cancelled": frozenset({"queued"}),  # retry
}


class IllegalTransition(Exception):
    """Raised when a change would move a job along an edge the state machine does not have."""

    def __init__(self, old: str, new: str, detail: str | None = None):
        self.old, self.new = old, new
        super().__init__(detail or f"illegal transition {old} -> {new}")

    @property
    def detail(self) -> str:
        return str(self)


def check(old: str, new: str, detail: str | None = None) -> None:
    if new not in LEGAL.get(old, frozenset()):
        raise IllegalTransition(old, new, detail)
