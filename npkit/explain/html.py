"""A verdict as HTML for notebooks: the same trace as the text rendering, as nested lists.

Nothing is recomputed here: every word comes from the Verdict's traces (or from the
phrases text.py uses for them), so the HTML and the terminal always agree. Sentences are
translated whole and escaped; markup goes into their placeholders.
"""

from __future__ import annotations

from html import escape

from ..engine import PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict
from ..i18n import messages
from .text import isolated_by, policy_outcome, policy_where, rule_action, tier_detail, tier_end

_ = messages("npkit").gettext

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


def _note(text: str, tag: str = "li") -> str:
    note = _("note: {note}").format(note=text)
    return f'<{tag} class="dim">{escape(note)}</{tag}>'


def _rule(r: RuleTrace, family: str, view: str) -> str:
    path = f"<code>{escape(r.path)}</code>"
    head = escape(_("{path} ({name})")).format(path=path, name=escape(r.name)) if r.name else path
    action = rule_action(r, family, view)
    if action:
        head += f" <b>{escape(action)}</b>"
    if r.matched:
        line = escape(_("{rule}: matches")).format(rule=head)
    else:  # a rule that does not match is dimmed
        line = '<span class="dim">' + escape(_("{rule}: does not match")).format(rule=head) + "</span>"
    items = [f"<li>{_mark(c.ok)} {escape(c.text)}</li>" for c in r.checks]
    if not r.checks:
        no_conditions = escape(_("the rule has no conditions: it matches every connection"))
        items.append(f"<li>{_mark(True)} {no_conditions}</li>")
    elif r.notes:
        items += [_note(n) for n in r.notes]
    return f"<li>{line}<ul>{''.join(items)}</ul></li>"


def _policy(p: PolicyTrace, view: str) -> str:
    body = [_rule(r, p.family, view) for r in p.rules]
    if p.outcome != "not-reached" and not p.rules:
        none = _("(no rules for this direction)")
        body.append(f'<li class="dim">{escape(none)}</li>')
    body += [_note(n) for n in p.notes]
    cls = {"allow": "ok", "deny": "no"}.get(p.outcome, "dim")
    where = policy_where(p, view)
    where_html = f'<span class="dim">{escape(where)}</span>' if where else ""
    outcome = f'<span class="{cls}">{escape(policy_outcome(p.outcome))}</span>'
    head = escape(_("{policy}{where}: {outcome}")).format(policy=escape(str(p.ref)), where=where_html,
                                                          outcome=outcome)
    return f"<li>{head}<ul>{''.join(body)}</ul></li>"


def _tier(t: TierTrace, view: str) -> str:
    detail = tier_detail(t, view)
    title = f"<b>{escape(t.title)}</b>"
    if t.outcome == "skipped":
        shown = f'<span class="dim">{escape(detail)}</span>'
        return "<li>" + escape(_("{tier}: {detail}")).format(tier=title, detail=shown) + "</li>"
    body = [_policy(p, view) for p in t.policies]
    ending = tier_end(t, view)
    if ending:
        body.append(f"<li>→ {escape(ending)}</li>")
    if detail:
        head = escape(_("{tier} ({detail})")).format(tier=title, detail=f'<span class="dim">{escape(detail)}</span>')
    else:
        head = title
    return f"<li>{head}<ul>{''.join(body)}</ul></li>"


def _side_head(side: SideVerdict) -> str:
    """"Egress of <b>x/a</b>: allowed", the answer coloured."""
    endpoint = f"<b>{escape(side.endpoint)}</b>"
    # Translators: {answer} is "allowed" or "DENIED" in colour (the text explanation's "Egress of x/a: allowed")
    if side.direction == "Egress":
        template = _("Egress of {endpoint}: {answer}")
    else:
        template = _("Ingress of {endpoint}: {answer}")
    if side.allowed:
        answer = '<span class="ok">' + escape(_("allowed")) + "</span>"
    else:
        answer = '<span class="no">' + escape(_("DENIED")) + "</span>"
    head = escape(template).format(endpoint=endpoint, answer=answer)
    if not side.reached:
        reached = _(" (not reached: the egress side dropped the packet; shown for information)")
        head += f' <span class="dim">{escape(reached.strip())}</span>'
    return head


def render_side_html(side: SideVerdict, verbose: bool = True, view: str = "calico") -> str:
    """One side of a verdict as an HTML block, in `view`'s words (Verdict.view)."""
    items = []
    if side.enforced and side.isolated_by:
        items.append(f"<li>{escape(isolated_by(side))}</li>")
    if verbose:
        items += [_tier(t, view) for t in side.tiers]
    logged = _("logged by {rule} (Log does not decide; evaluation went on)")
    items += [f"<li>{escape(logged.format(rule=e))}</li>" for e in side.logged]
    staged = _("{policy} selects it but is staged: never enforced")
    items += [f'<li class="dim">{escape(staged.format(policy=r))}</li>' for r in side.staged]
    items.append(f"<li>⇒ <b>{escape(side.decision.text)}</b></li>")
    return f"<div>{_side_head(side)}<ul>{''.join(items)}</ul></div>"


def render_verdict_html(verdict: Verdict, verbose: bool = True) -> str:
    """The whole verdict as HTML: headline, both sides, notes (same content as `render_verdict`).

    >>> from npkit.engine import Engine
    >>> from npkit.model import Cluster, Pod
    >>> e = Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))))
    >>> "ALLOWED" in render_verdict_html(e.verdict("x/a", "x/b", 80))
    True
    """
    probe = verdict.probe
    if verdict.allowed:
        badge = '<span class="badge ok">' + escape(_("ALLOWED")) + "</span>"
    else:
        badge = '<span class="badge no">' + escape(_("DENIED")) + "</span>"
    # Translators: {answer} is the badge ALLOWED or DENIED (the text explanation's first line, in HTML)
    head = escape(_("{src} → {dst} {traffic}: {answer}")).format(
        src=escape(str(probe.src)), dst=escape(str(probe.dst)), traffic=escape(str(probe.traffic)), answer=badge)
    if verdict.view == "calico":
        shown = _("   [dataplane: {dataplane}]").format(dataplane=verdict.dataplane).strip()
        head += f' <span class="dim">{escape(shown)}</span>'
    parts = [STYLE, '<div class="npk-v">', f'<div class="head">{head}</div>']
    if probe.is_self:
        parts.append(f"<p>{escape(verdict.summary)}</p>")
    parts += [render_side_html(verdict.egress, verbose, verdict.view),
              render_side_html(verdict.ingress, verbose, verdict.view)]
    parts += [_note(n, "div") for n in verdict.notes]
    parts.append("</div>")
    return "".join(parts)
