"""A list of findings that prints well in a terminal and in a notebook."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .finding import Finding, Severity, severity_counts
from .render import findings_to_json, render_html, render_text, summary_line


class Findings(list[Finding]):
    """The result of `lint`: a list of Finding, plus counts, filters and renderings.

    In a notebook it shows as a table (`_repr_html_`); `print(findings)` gives the CLI text.
    `notes` are the engine's remarks about the whole input (e.g. objects the dataplane ignores).
    """

    def __init__(self, findings: Iterable[Finding] = (), notes: tuple[str, ...] = ()):
        super().__init__(findings)
        self.notes = tuple(notes)

    def of(self, rule: str) -> Findings:
        """Findings of one rule, by id (NP101) or name (dns-egress)."""
        key = rule.strip()
        return Findings((f for f in self if f.rule == key.upper() or f.name == key.lower()), self.notes)

    def at_least(self, severity: Severity) -> Findings:
        """Findings of `severity` or worse."""
        rank = {"error": 0, "warning": 1, "info": 2}
        return Findings((f for f in self if rank[f.severity] <= rank[severity]), self.notes)

    @property
    def errors(self) -> Findings:
        return Findings((f for f in self if f.severity == "error"), self.notes)

    def counts(self) -> dict[str, int]:
        return severity_counts(self)

    def summary(self) -> str:
        """One line: "3 findings: 1 error, 1 warning, 1 info" or "no findings"."""
        return summary_line(self)

    def __str__(self) -> str:
        return render_text(self)

    __repr__ = __str__  # what a notebook shows as text/plain

    def _repr_html_(self) -> str:
        return render_html(self)

    def to_json(self) -> dict[str, Any]:
        return findings_to_json(self)


__all__ = ["Finding", "Findings"]
