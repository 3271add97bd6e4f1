"""Findings as text (terminal), JSON and HTML (notebooks)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from ..i18n import ljust, messages
from .finding import Finding, severity_counts, severity_word
from .registry import ordered

_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext

MARK = {"error": "✗", "warning": "!", "info": "i"}
COLOUR = {"error": "#b00020", "warning": "#9a6700", "info": "#0b57d0"}


def summary_line(findings: Sequence[Finding]) -> str:
    """ "3 findings: 1 error, 1 warning, 1 info" / "no findings".

    >>> summary_line([])
    'no findings'
    """
    if not findings:
        return _("no findings")
    words = {"error": lambda n: ngettext("{n} error", "{n} errors", n),
             "warning": lambda n: ngettext("{n} warning", "{n} warnings", n),
             "info": lambda n: ngettext("{n} info", "{n} info", n)}
    parts = [words[sev](n).format(n=n) for sev, n in severity_counts(findings).items() if n]
    return ngettext("{n} finding: {counts}", "{n} findings: {counts}", len(findings)).format(
        n=len(findings), counts=_(", ").join(parts))


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def render_finding(f: Finding) -> str:
    """The header line, the message and the fix, indented under it."""
    lines = [f.header, _indent(f.message, "    ")]
    fix = f.fix.splitlines()
    lines.append("    " + _("fix: {fix}").format(fix=fix[0]))
    lines += [f"      {line}" for line in fix[1:]]
    return "\n".join(lines)


def render_text(findings: Sequence[Finding]) -> str:
    """Every finding, then the summary line."""
    blocks = [render_finding(f) for f in findings]
    return "\n\n".join(blocks + [summary_line(findings)])


def findings_to_json(findings: Sequence[Finding]) -> dict[str, Any]:
    counts = severity_counts(findings)
    notes = list(getattr(findings, "notes", ()))
    return {"summary": summary_line(findings), "counts": counts, "notes": notes,
            "findings": [f.to_json() for f in findings]}


def render_html(findings: Sequence[Finding]) -> str:
    """A table for notebooks: severity, rule, where, message and fix."""
    e = html.escape
    if not findings:
        return "<p><b>npkit lint</b>: " + e(_("no findings")) + " ✓</p>"
    rows = []
    fix_label = _("fix:")
    for f in findings:
        colour = COLOUR[f.severity]
        rows.append(
            "<tr>"
            f"<td style='color:{colour};font-weight:bold;white-space:nowrap'>{MARK[f.severity]} "
            f"{e(severity_word(f.severity))}</td>"
            f"<td style='white-space:nowrap'><code>{e(f.rule)}</code><br><small>{e(f.name)}</small></td>"
            f"<td style='text-align:left'>{e(f.where)}<br><small>{e(str(f.origin))}</small></td>"
            f"<td style='text-align:left'>{e(f.message)}<br><small><b>{e(fix_label)}</b> "
            f"<span style='white-space:pre-wrap'>{e(f.fix)}</span></small></td>"
            "</tr>"
        )
    header = (_("severity"), _("rule"), _("where"), _("what and how to fix it"))
    head = "<tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"
    return (f"<p><b>npkit lint</b>: {e(summary_line(findings))}</p>"
            f"<table>{head}{''.join(rows)}</table>")


def rules_table() -> str:
    """Every rule: id, name, severity and what it finds (for `npkit lint --list-rules`)."""
    lines = []
    for r in ordered():
        lines.append(f"{r.id}  {r.name:<22} {ljust(severity_word(r.severity), 8)} {r.title}")
    return "\n".join(lines)
