"""A comparison as text, JSON and HTML: the summary first, then each change explained on both sides."""

from __future__ import annotations

import html
from typing import Any

from ..engine import SideVerdict, Verdict
from ..explain import verdict_to_json
from ..i18n import messages, series
from .compare import Change, Comparison

_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext


def probes_line(c: Comparison) -> str:
    """"over 7 pods on ports 53, 80 (TCP and UDP) and ICMP": protocols sharing ports are grouped.

    >>> from npkit.diff import compare
    >>> from npkit.engine import Engine
    >>> from npkit.model import Cluster, Pod
    >>> e = Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),)))
    >>> probes_line(compare(e, e, [(80, "TCP"), (53, "UDP"), (80, "UDP"), (None, "ICMP")]))
    'over 1 pod on port 80 (TCP), ports 53, 80 (UDP) and ICMP'
    """
    ports: dict[str, list[int]] = {}
    other: list[str] = []
    for port, proto in c.probes:
        if port is None:
            other.append(proto)
        else:
            ports.setdefault(proto, []).append(port)
    groups: dict[tuple[int, ...], list[str]] = {}
    for proto, numbers in ports.items():
        groups.setdefault(tuple(sorted(set(numbers))), []).append(proto)
    parts = [ngettext("port {ports} ({protocols})", "ports {ports} ({protocols})", len(nums)).format(
        ports=", ".join(map(str, nums)), protocols=series(protos)) for nums, protos in groups.items()]
    return ngettext("over {n} pod on {probes}", "over {n} pods on {probes}", len(c.pods)).format(
        n=len(c.pods), probes=series(parts + other))


def _side(side: SideVerdict) -> str:
    template = _("egress of {endpoint}: {decision}") if side.direction == "Egress" else \
        _("ingress of {endpoint}: {decision}")
    return template.format(endpoint=side.endpoint, decision=side.decision.text)


def _verdict_lines(before: bool, v: Verdict, indent: str) -> list[str]:
    if before:
        head = _("before: ALLOWED") if v.allowed else _("before: DENIED")
    else:
        head = _("after: ALLOWED") if v.allowed else _("after: DENIED")
    return [f"{indent}{head}",
            f"{indent}  {_side(v.egress)}",
            f"{indent}  {_side(v.ingress)}"]


def render_change(c: Comparison, change: Change, explain: bool = True) -> str:
    """One changed connection; with `explain`, why before and why after, side by side."""
    lines = [f"  {change.label}"]
    if explain:
        before, after = c.verdicts(change)
        lines += _verdict_lines(True, before, "    ") + _verdict_lines(False, after, "    ")
    return "\n".join(lines)


def render_comparison(c: Comparison, explain: bool = True) -> str:
    """Summary line, what was compared, then newly allowed and newly denied connections."""
    lines = [c.summary(), _("compared {probes}").format(probes=probes_line(c))]
    titles = (_("newly allowed ({n}):"), _("newly denied ({n}):"))
    for title, changes in zip(titles, (c.newly_allowed, c.newly_denied), strict=True):
        if changes:
            lines += ["", title.format(n=len(changes))]
            lines += [render_change(c, ch, explain) for ch in changes]
    return "\n".join(lines)


def _change_json(c: Comparison, change: Change) -> dict[str, Any]:
    before, after = c.verdicts(change)
    return {"from": change.src, "to": change.dst, "port": change.port, "protocol": change.protocol,
            "before": verdict_to_json(before), "after": verdict_to_json(after)}


def comparison_to_json(c: Comparison) -> dict[str, Any]:
    """The comparison as plain data: summary, probes, pods and every change with both verdicts."""
    return {
        "summary": c.summary(),
        "equivalent": c.equivalent,
        "pods": list(c.pods),
        "probes": [{"port": port, "protocol": proto} for port, proto in c.probes],
        "newly_allowed": [_change_json(c, ch) for ch in c.newly_allowed],
        "newly_denied": [_change_json(c, ch) for ch in c.newly_denied],
    }


def comparison_html(c: Comparison, limit: int = 50) -> str:
    """A notebook table of changes (at most `limit`), each with the deciding side before and after."""
    e = html.escape
    if c.equivalent:
        return f"<p><b>{e(c.summary())}</b> ({e(probes_line(c))})</p>"
    rows = []
    for change in (c.newly_allowed + c.newly_denied)[:limit]:
        before, after = c.verdicts(change)
        colour = "#1a7f37" if change.after else "#b00020"
        cells = [f"<small>{e(_side(v.egress))}<br>{e(_side(v.ingress))}</small>" for v in (before, after)]
        now = _("allowed now") if change.after else _("denied now")
        rows.append(
            f"<tr><td style='color:{colour};white-space:nowrap'>{e(now)}</td>"
            f"<td style='white-space:nowrap'>{e(change.label)}</td>"
            + "".join(f"<td style='text-align:left'>{cell}</td>" for cell in cells) + "</tr>"
        )
    more = len(c.changes) - limit
    tail = "<p>" + e(ngettext("… and {n} more", "… and {n} more", more).format(n=more)) + "</p>" if more > 0 else ""
    header = (_("connection"), _("before"), _("after"))
    head = "<tr><th></th>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"
    return f"<p><b>{e(c.summary())}</b> ({e(probes_line(c))})</p><table>{head}{''.join(rows)}</table>{tail}"
