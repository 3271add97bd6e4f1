"""A verdict as HTML for notebooks: the same trace as the text rendering, as nested lists.

Nothing is recomputed here: every word comes from the Verdict's traces (or from the
phrases text.py uses for them), so the HTML and the terminal always agree.
"""

from __future__ import annotations

from html import escape

from ..engine import PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict
from .text import POLICY_OUTCOME as _OUTCOME
from .text import policy_where, rule_action, tier_detail, tier_end

STYLE = (
    "<style>"
    ".npk-v{font-family:var(--jp-content-font-family,sans-serif);font-size:13px;line-height:1.45}"
    ".npk-v ul{margin:2px 0 2px 0;padding-left:18px}"
    ".npk-v .ok{color:#1a7f37}.npk-v .no{color:#cf222e}.npk-v .dim{color:#6e7781}"
    ".npk-v .head{font-weight:600;font-size:14px}"
    ".npk-v .badge{display:inline-block;padding:0 6px;border-radius:8px;color:#fff;font-weight:600}"
    ".npk-v .badge.ok{background:#1a7f37;color:#fff}.npk-v .badge.no{background:#cf222e;color:#fff}"
    ".npk-v code{font-size:12px}"
    "</style>"
)


def _mark(ok: bool) -> str:
    return '<span class="ok">✓</span>' if ok else '<span class="no">✗</span>'


def _rule(r: RuleTrace, family: str, view: str) -> str:
    name = f" ({escape(r.name)})" if r.name else ""
    action = rule_action(r, family, view)
    state = "matches" if r.matched else '<span class="dim">does not match</span>'
    items = [f"<li>{_mark(c.ok)} {escape(c.text)}</li>" for c in r.checks]
    if not r.checks:
        items.append(f"<li>{_mark(True)} the rule has no conditions: it matches every connection</li>")
    elif r.notes:
        items += [f'<li class="dim">note: {escape(n)}</li>' for n in r.notes]
    head = f"<code>{escape(r.path)}</code>{name}" + (f" <b>{escape(action)}</b>" if action else "")
    return f"<li>{head}: {state}<ul>{''.join(items)}</ul></li>"


def _policy(p: PolicyTrace, view: str) -> str:
    body = [_rule(r, p.family, view) for r in p.rules]
    if p.outcome != "not-reached" and not p.rules:
        body.append('<li class="dim">(no rules for this direction)</li>')
    body += [f'<li class="dim">note: {escape(n)}</li>' for n in p.notes]
    cls = {"allow": "ok", "deny": "no"}.get(p.outcome, "dim")
    where = policy_where(p, view).strip()
    where_html = f' <span class="dim">{escape(where)}</span>' if where else ""
    return (f"<li>{escape(str(p.ref))}{where_html}: "
            f"<span class=\"{cls}\">{_OUTCOME[p.outcome]}</span><ul>{''.join(body)}</ul></li>")


def _tier(t: TierTrace, view: str) -> str:
    detail = tier_detail(t, view)
    if t.outcome == "skipped":
        return f"<li><b>{escape(t.title)}</b>: <span class=\"dim\">{escape(detail)}</span></li>"
    body = [_policy(p, view) for p in t.policies]
    ending = tier_end(t, view)
    if ending:
        body.append(f"<li>→ {escape(ending)}</li>")
    shown = f' <span class="dim">({escape(detail)})</span>' if detail else ""
    return f"<li><b>{escape(t.title)}</b>{shown}<ul>{''.join(body)}</ul></li>"


def render_side_html(side: SideVerdict, verbose: bool = True, view: str = "calico") -> str:
    """One side of a verdict as an HTML block, in `view`'s words (Verdict.view)."""
    what = "Egress of" if side.direction == "Egress" else "Ingress of"
    status = '<span class="ok">allowed</span>' if side.allowed else '<span class="no">DENIED</span>'
    items = []
    if side.enforced and side.isolated_by:
        refs = ", ".join(escape(str(r)) for r in side.isolated_by)
        items.append(f"<li>isolated for {side.direction.lower()} by: {refs}</li>")
    if verbose:
        items += [_tier(t, view) for t in side.tiers]
    items += [f"<li>logged by {escape(e)} (Log does not decide; evaluation went on)</li>" for e in side.logged]
    items += [f'<li class="dim">{escape(str(r))} selects it but is staged: never enforced</li>' for r in side.staged]
    items.append(f"<li>⇒ <b>{escape(side.decision.text)}</b></li>")
    if not side.reached:
        status += ' <span class="dim">(not reached: the egress side dropped the packet; shown for information)</span>'
    return f"<div>{what} <b>{escape(side.endpoint)}</b>: {status}<ul>{''.join(items)}</ul></div>"


def render_verdict_html(verdict: Verdict, verbose: bool = True) -> str:
    """The whole verdict as HTML: headline, both sides, notes (same content as `render_verdict`).

    >>> from npkit.engine import Engine
    >>> from npkit.model import Cluster, Pod
    >>> e = Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))))
    >>> "ALLOWED" in render_verdict_html(e.verdict("x/a", "x/b", 80))
    True
    """
    probe = verdict.probe
    badge = '<span class="badge ok">ALLOWED</span>' if verdict.allowed else '<span class="badge no">DENIED</span>'
    dataplane = (f' <span class="dim">[dataplane: {escape(verdict.dataplane)}]</span>'
                 if verdict.view == "calico" else "")
    parts = [STYLE, '<div class="npk-v">',
             f'<div class="head">{escape(str(probe.src))} → {escape(str(probe.dst))} '
             f'{escape(str(probe.traffic))}: {badge}{dataplane}</div>']
    if probe.is_self:
        parts.append(f"<p>{escape(verdict.summary)}</p>")
    parts += [render_side_html(verdict.egress, verbose, verdict.view),
              render_side_html(verdict.ingress, verbose, verdict.view)]
    parts += [f'<div class="dim">note: {escape(n)}</div>' for n in verdict.notes]
    parts.append("</div>")
    return "".join(parts)
