"""Errors and warnings about user input, each pointing at file, line, object and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import InputError as InputError  # defined with the others in npkit.errors; importable here too
from ..i18n import N_, messages
from .meta import ObjectRef, Origin

Severity = Literal["error", "warning", "info"]
# How a severity is shown to people; `to_json` keeps the English key.
SEVERITY_WORDS: dict[str, str] = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
_ = messages("npkit").gettext


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the input.

    >>> d = Diagnostic("error", "port must be between 1 and 65535",
    ...                Origin("p.yaml", 14), ObjectRef("NetworkPolicy", "web", "x"),
    ...                "spec.ingress[0].ports[0].port")
    >>> print(d)
    p.yaml:14: error: NetworkPolicy x/web: spec.ingress[0].ports[0].port: port must be between 1 and 65535
    """

    severity: Severity
    message: str
    origin: Origin = Origin()
    obj: ObjectRef | None = None
    path: str = ""
    column: int | None = None  # 1-based column inside the field's value (selector syntax errors)

    def __str__(self) -> str:
        where = str(self.origin)
        parts = [f"{where}: {_(SEVERITY_WORDS[self.severity])}:"]
        if self.obj is not None:
            parts.append(f"{self.obj}:")
        if self.path:
            parts.append(f"{self.path}:")
        parts.append(self.message)
        return " ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message,
            "file": self.origin.file,
            "line": self.origin.line,
            "column": self.column,
            "kind": self.obj.kind if self.obj else None,
            "namespace": self.obj.namespace if self.obj else None,
            "name": self.obj.name if self.obj else None,
            "path": self.path,
        }
