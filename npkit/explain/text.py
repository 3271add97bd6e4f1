"""A verdict as text a learner can follow: each side, tier by tier, policy by policy, rule by rule."""

from __future__ import annotations

from ..engine import PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict
from ..i18n import N_, messages

_ = messages("npkit").gettext

OK, NO = "✓", "✗"

# How a policy's and a tier's outcomes are said (marked here, translated where shown); html.py uses the same words.
POLICY_OUTCOME: dict[str, str] = {
    "allow": N_("allows"), "deny": N_("denies"), "pass": N_("passes to the next tier"),
    "no-match": N_("no rule matched"), "not-reached": N_("not reached (an earlier policy decided)"),
}
TIER_END: dict[str, str] = {
    "end-of-tier-deny": N_("end of tier: nothing decided, the tier's default Deny applies"),
    "default-pass": N_("end of tier: nothing decided, the tier's default Pass moves on"),
    "pass": N_("passed: evaluation continues with the next tier"),
}
# The same ends in Kubernetes words (the view for clusters without Calico objects).
TIER_END_KUBERNETES: dict[str, str] = {
    "end-of-tier-deny": N_("no rule of these policies allows it: the pod is isolated, so the connection is denied"),
    "default-pass": N_("no rule matched: on to the next tier"),
    "pass": N_("passed: on to the next tier"),
}


def policy_outcome(outcome: str) -> str:
    """What a policy did, in words ("allows", "no rule matched", ...)."""
    return _(POLICY_OUTCOME[outcome])


def order_text(order: float | None) -> str:
    if order is None:
        return _("no order (last)")
    shown = f"{int(order):,}" if float(order).is_integer() else f"{order:g}"
    return _("order {order}").format(order=shown)


def policy_where(p: PolicyTrace, view: str) -> str:
    """What follows a policy's name in parentheses ("" for none): its order, or a CNP's priority."""
    if view == "calico":
        return _(" ({order})").format(order=order_text(p.order))
    if p.family == "cnp" and p.order is not None:
        return _(" (priority {priority})").format(priority=int(p.order))
    return ""


def rule_action(rule: RuleTrace, family: str, view: str) -> str:
    """The action to name after a rule ("" for a NetworkPolicy rule in Kubernetes words: it can only allow)."""
    return "" if view == "kubernetes" and family == "kubernetes" else rule.action


def rule_head(rule: RuleTrace, family: str, view: str) -> str:
    """A rule's field path, its name and its action: `spec.ingress[0] (allow-web) Accept`."""
    head = _("{path} ({name})").format(path=rule.path, name=rule.name) if rule.name else rule.path
    action = rule_action(rule, family, view)
    return f"{head} {action}" if action else head


def tier_end(t: TierTrace, view: str) -> str | None:
    """The line that closes a tier, if any."""
    ending = (TIER_END_KUBERNETES if view == "kubernetes" else TIER_END).get(t.outcome)
    return _(ending) if ending else None


def _rule_lines(rule: RuleTrace, indent: str, family: str, view: str) -> list[str]:
    template = _("{rule}: matches") if rule.matched else _("{rule}: does not match")
    lines = [indent + template.format(rule=rule_head(rule, family, view))]
    for c in rule.checks:
        lines.append(f"{indent}  {OK if c.ok else NO} {c.text}")
    if not rule.checks:
        lines.append(f"{indent}  {OK} " + _("the rule has no conditions: it matches every connection"))
    for n in rule.notes:
        if rule.checks:  # rule-less notes are already said by the line above
            lines.append(f"{indent}  " + _("note: {note}").format(note=n))
    return lines


def _policy_lines(p: PolicyTrace, indent: str, view: str) -> list[str]:
    head = _("{policy}{where}: {outcome}").format(policy=p.ref, where=policy_where(p, view),
                                                    outcome=policy_outcome(p.outcome))
    lines = [indent + head]
    if p.outcome != "not-reached" and not p.rules:
        lines.append(f"{indent}  " + _("(no rules for this direction)"))
    for r in p.rules:
        lines += _rule_lines(r, indent + "  ", p.family, view)
    for n in p.notes:
        lines.append(f"{indent}  " + _("note: {note}").format(note=n))
    return lines


def tier_detail(t: TierTrace, view: str) -> str:
    """What follows a tier's title: that it was skipped, or (in Calico's words) its order and default action."""
    if t.outcome == "skipped":
        return _("skipped (none of its policies selects this pod)") if view == "calico" else _("none selects this pod")
    if view == "calico":
        return _("{order}, default action {action}").format(order=order_text(t.order), action=t.default_action)
    return ""  # Kubernetes words: the tier's place is fixed and its end says what happens


def _tier_lines(t: TierTrace, indent: str, view: str) -> list[str]:
    detail = tier_detail(t, view)
    if t.outcome == "skipped":
        return [indent + _("{tier}: {detail}").format(tier=t.title, detail=detail)]
    lines = [indent + (_("{tier} ({detail})").format(tier=t.title, detail=detail) if detail else t.title)]
    for p in t.policies:
        lines += _policy_lines(p, indent + "  ", view)
    ending = tier_end(t, view)
    if ending:
        lines.append(f"{indent}  → {ending}")
    return lines


def render_side(side: SideVerdict, verbose: bool = True, view: str = "calico") -> str:
    """One side of a verdict, in `view`'s words ("kubernetes" or "calico"; Verdict.view)."""
    lines = [_side_title(side)]
    if side.enforced and side.isolated_by:
        lines.append("  " + isolated_by(side))
    if verbose:
        for t in side.tiers:
            lines += _tier_lines(t, "  ", view)
    for entry in side.logged:
        lines.append("  " + _("logged by {rule} (Log does not decide; evaluation went on)").format(rule=entry))
    for ref in side.staged:
        lines.append("  " + _("{policy} selects it but is staged: never enforced").format(policy=ref))
    lines.append(f"  ⇒ {side.decision.text}")
    return "\n".join(lines)


def isolated_by(side: SideVerdict) -> str:
    """"isolated for ingress by: NetworkPolicy x/p, ..." (the Kubernetes policies that isolate the endpoint)."""
    template = (_("isolated for ingress by: {policies}") if side.direction == "Ingress" else
                _("isolated for egress by: {policies}"))
    return template.format(policies=", ".join(str(r) for r in side.isolated_by))


def _side_title(side: SideVerdict) -> str:
    """A side's first line: which side, and its answer."""
    if side.direction == "Egress":
        template = _("Egress of {endpoint}: allowed") if side.allowed else _("Egress of {endpoint}: DENIED")
    else:
        template = _("Ingress of {endpoint}: allowed") if side.allowed else _("Ingress of {endpoint}: DENIED")
    title = template.format(endpoint=side.endpoint)
    if not side.reached:
        title += _(" (not reached: the egress side dropped the packet; shown for information)")
    return title


def headline(verdict: Verdict) -> str:
    """Source, destination, traffic and the answer; the dataplane is named in Calico's words only."""
    probe = verdict.probe
    template = _("{src} → {dst}  {traffic}: ALLOWED") if verdict.allowed else _("{src} → {dst}  {traffic}: DENIED")
    head = template.format(src=probe.src, dst=probe.dst, traffic=probe.traffic)
    if verdict.view == "calico":
        head += _("   [dataplane: {dataplane}]").format(dataplane=verdict.dataplane)
    return head


def render_verdict(verdict: Verdict, verbose: bool = True) -> str:
    """The whole verdict: headline, both sides, notes, in the verdict's view.

    `verbose=False` keeps only each side's decision.
    """
    lines = [headline(verdict), ""]
    if verdict.probe.is_self:
        lines += [verdict.summary, ""]
    lines += [render_side(verdict.egress, verbose, verdict.view), "",
              render_side(verdict.ingress, verbose, verdict.view)]
    for n in verdict.notes:
        lines.append(_("note: {note}").format(note=n))
    return "\n".join(lines).rstrip()
