"""What a lint rule reports: one problem, where it is, why it matters and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..i18n import N_, messages
from ..model import ObjectRef, Origin

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
# How a severity is shown to people (JSON keeps the English keys above).
SEVERITY_WORDS: dict[str, str] = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
_ = messages("npkit").gettext


def severity_word(severity: str) -> str:
    """A severity in the current language ("warning" → 警告)."""
    return _(SEVERITY_WORDS[severity])


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each severity, worst first, zeros included."""
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


@dataclass(frozen=True)
class Finding:
    """One finding: rule id and name, severity, object, field path, line, message and fix.

    >>> f = Finding("NP301", "and-or-peers", "warning", "two peers, not one", "remove the dash",
    ...             ObjectRef("NetworkPolicy", "web", "prod"), "spec.ingress[0].from[1]", Origin("p.yaml", 14))
    >>> print(f)
    p.yaml:14: warning NP301 [and-or-peers] NetworkPolicy prod/web spec.ingress[0].from[1]: two peers, not one
    """

    rule: str  # "NP301"
    name: str  # "and-or-peers"
    severity: Severity
    message: str  # what is wrong and what it does, in words a learner understands
    fix: str  # a concrete change that removes the finding
    obj: ObjectRef | None = None
    path: str = ""  # field path inside obj, e.g. "spec.ingress[0].from[1]"
    origin: Origin = Origin()  # file and line of that field (or of the object)

    @property
    def where(self) -> str:
        """Object and field, e.g. "NetworkPolicy prod/web spec.ingress[0]"."""
        parts = [str(self.obj)] if self.obj is not None else []
        if self.path:
            parts.append(self.path)
        return " ".join(parts)

    @property
    def header(self) -> str:
        """"file:line: severity RULE [name] Kind ns/name path" (no location for input-wide findings)."""
        where = f" {self.where}" if self.where else ""
        location = f"{self.origin}: " if self.origin.file else ""
        return f"{location}{severity_word(self.severity)} {self.rule} [{self.name}]{where}"

    def __str__(self) -> str:
        return f"{self.header}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "kind": self.obj.kind if self.obj else None,
            "namespace": self.obj.namespace if self.obj else None,
            "object": self.obj.name if self.obj else None,
            "path": self.path,
            "file": self.origin.file or None,
            "line": self.origin.line or None,
            "message": self.message,
            "fix": self.fix,
        }

    @property
    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.origin.file, self.origin.line, self.rule, self.where, self.message)
