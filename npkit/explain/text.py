"""A verdict as text a learner can follow: each side, tier by tier, policy by policy, rule by rule."""

from __future__ import annotations

from ..engine import PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict

OK, NO = "✓", "✗"

# How a policy's and a tier's outcomes are said; html.py uses the same words.
POLICY_OUTCOME = {
    "allow": "allows", "deny": "denies", "pass": "passes to the next tier",
    "no-match": "no rule matched", "not-reached": "not reached (an earlier policy decided)",
}
TIER_END = {
    "end-of-tier-deny": "end of tier: nothing decided, the tier's default Deny applies",
    "default-pass": "end of tier: nothing decided, the tier's default Pass moves on",
    "pass": "passed: evaluation continues with the next tier",
}


def order_text(order: float | None) -> str:
    if order is None:
        return "no order (last)"
    shown = f"{int(order):,}" if float(order).is_integer() else f"{order:g}"
    return f"order {shown}"


def _rule_lines(rule: RuleTrace, indent: str) -> list[str]:
    name = f" ({rule.name})" if rule.name else ""
    if rule.matched:
        head = f"{indent}{rule.path}{name} {rule.action}: matches"
    else:
        head = f"{indent}{rule.path}{name} {rule.action}: does not match"
    lines = [head]
    for c in rule.checks:
        lines.append(f"{indent}  {OK if c.ok else NO} {c.text}")
    if not rule.checks:
        lines.append(f"{indent}  {OK} the rule has no conditions: it matches every connection")
    for n in rule.notes:
        if rule.checks:  # rule-less notes are already said by the line above
            lines.append(f"{indent}  note: {n}")
    return lines


def _policy_lines(p: PolicyTrace, indent: str) -> list[str]:
    outcome = POLICY_OUTCOME[p.outcome]
    lines = [f"{indent}{p.ref} ({order_text(p.order)}): {outcome}"]
    if p.outcome != "not-reached" and not p.rules:
        lines.append(f"{indent}  (no rules for this direction)")
    for r in p.rules:
        lines += _rule_lines(r, indent + "  ")
    for n in p.notes:
        lines.append(f"{indent}  note: {n}")
    return lines


def tier_detail(t: TierTrace, dataplane: str) -> str:
    """What follows a tier's title: that it was skipped, or its order and default action."""
    if t.outcome == "skipped":
        return "skipped (none of its policies selects this pod)"
    # Under the kubernetes dataplane tiers have a fixed place; Calico's order numbers would only confuse.
    where = f"{order_text(t.order)}, " if dataplane == "calico" else ""
    return f"{where}default action {t.default_action}"


def _tier_lines(t: TierTrace, indent: str, dataplane: str) -> list[str]:
    if t.outcome == "skipped":
        return [f"{indent}{t.title}: {tier_detail(t, dataplane)}"]
    lines = [f"{indent}{t.title} ({tier_detail(t, dataplane)})"]
    for p in t.policies:
        lines += _policy_lines(p, indent + "  ")
    ending = TIER_END.get(t.outcome)
    if ending:
        lines.append(f"{indent}  → {ending}")
    return lines


def render_side(side: SideVerdict, verbose: bool = True, dataplane: str = "calico") -> str:
    """One side of a verdict."""
    what = "egress of" if side.direction == "Egress" else "ingress of"
    status = "allowed" if side.allowed else "DENIED"
    lines = [f"{what.capitalize()} {side.endpoint}: {status}"]
    if not side.reached:
        lines[0] += " (not reached: the egress side dropped the packet; shown for information)"
    if side.enforced and side.isolated_by:
        lines.append(f"  isolated for {side.direction.lower()} by: " + ", ".join(str(r) for r in side.isolated_by))
    if verbose:
        for t in side.tiers:
            lines += _tier_lines(t, "  ", dataplane)
    for entry in side.logged:
        lines.append(f"  logged by {entry} (Log does not decide; evaluation went on)")
    for ref in side.staged:
        lines.append(f"  {ref} selects it but is staged: never enforced")
    lines.append(f"  ⇒ {side.decision.text}")
    return "\n".join(lines)


def render_verdict(verdict: Verdict, verbose: bool = True) -> str:
    """The whole verdict: headline, both sides, notes.

    `verbose=False` keeps only each side's decision.
    """
    probe = verdict.probe
    head = f"{probe.src} → {probe.dst}  {probe.traffic}: {'ALLOWED' if verdict.allowed else 'DENIED'}"
    lines = [head + f"   [dataplane: {verdict.dataplane}]", ""]
    if probe.is_self:
        lines += [verdict.summary, ""]
    lines += [render_side(verdict.egress, verbose, verdict.dataplane), "",
              render_side(verdict.ingress, verbose, verdict.dataplane)]
    for n in verdict.notes:
        lines.append(f"note: {n}")
    return "\n".join(lines).rstrip()
