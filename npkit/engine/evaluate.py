"""One probe through the pipeline, recording every step (docs/semantics/calico.md).

For each side (source egress, destination ingress): tiers in order; in each tier the
policies that select the endpoint for that direction, in order; in each policy its rules
in order. Allow and Deny end the side, Pass ends the tier, Log records and goes on. A tier
whose policies decided nothing ends with its default action (Deny, or Pass). When no tier
decides, the pod's namespace profile allows — Kubernetes' "not isolated".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .probe import Endpoint, Probe
from .program import CompiledPolicy, CompiledRule, Direction, Program
from .universe import Universe
from .verdict import Decision, PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict

Selects = Callable[[CompiledPolicy, Endpoint], bool]


def run_rule(rule: CompiledRule, probe: Probe, u: Universe) -> RuleTrace:
    """Test every condition of `rule` (all of them, so explanations can list each)."""
    checks = tuple(c.test(probe, u) for c in rule.criteria)
    matched = all(c.ok for c in checks)
    return RuleTrace(rule.index, rule.verb or rule.action, rule.path, matched, checks, rule.name, rule.notes)


def _unenforced(direction: Direction, ep: Endpoint) -> SideVerdict:
    if ep.pod is None:
        why = f"{ep} is outside the cluster: no policy applies on this side"
    else:
        why = f"{ep} uses the host network: network policy does not apply to it"
    return SideVerdict(direction, ep.key, False, True, Decision("not-enforced", True, why))


def evaluate_side(program: Program, u: Universe, probe: Probe, direction: Direction, selects: Selects) -> SideVerdict:
    """Run the egress pipeline of the source or the ingress pipeline of the destination."""
    ep = probe.src if direction == "Egress" else probe.dst
    if ep.pod is None or ep.pod.host_network:
        return _unenforced(direction, ep)
    staged = tuple(p.ref for p in program.staged if direction in p.directions and selects(p, ep))
    tiers: list[TierTrace] = []
    logged: list[str] = []
    decision: Decision | None = None
    for tier in program.tiers:
        in_direction = [p for p in tier.policies if direction in p.directions]
        applicable = [p for p in in_direction if selects(p, ep)]
        if not applicable:
            # A tier with nothing selecting the endpoint is skipped, default action and all.
            if in_direction:
                tiers.append(TierTrace(tier.name, tier.title, tier.order, tier.default_action, "skipped", ()))
            continue
        traces: list[PolicyTrace] = []
        outcome = None
        tied = _ties(applicable)
        for policy in applicable:
            notes = policy.notes + tied.get(id(policy), ())
            if outcome is not None:
                traces.append(PolicyTrace(policy.ref, policy.family, policy.order, "not-reached", notes=notes))
                continue
            rules: list[RuleTrace] = []
            result = "no-match"
            for rule in policy.rules(direction):
                trace = run_rule(rule, probe, u)
                rules.append(trace)
                if not trace.matched:
                    continue
                if rule.action == "Log":
                    logged.append(f"{policy.ref} {rule.path}")
                    continue
                result = rule.action.lower()
                break
            traces.append(PolicyTrace(policy.ref, policy.family, policy.order, result, tuple(rules), notes))
            if result != "no-match":
                outcome = result
                if result in ("allow", "deny"):
                    deciding = rules[-1]
                    verb = "allowed" if result == "allow" else "denied"
                    decision = Decision(
                        "rule", result == "allow",
                        f"{verb} by {policy.ref} {deciding.path}" + (f" ({deciding.name})" if deciding.name else ""),
                        tier.name, policy.ref, deciding.path,
                    )
        if outcome is None:
            outcome = "default-pass" if tier.default_action == "Pass" else "end-of-tier-deny"
        tiers.append(TierTrace(tier.name, tier.title, tier.order, tier.default_action, outcome, tuple(traces)))
        if outcome == "end-of-tier-deny":
            decision = _end_of_tier(tier.name, tier.title, applicable, ep, direction)
        if decision is not None:
            break
    if decision is None:
        decision = _default_allow(program, ep, direction, any(t.outcome != "skipped" for t in tiers))
    return SideVerdict(direction, ep.key, True, decision.allowed, decision, tuple(tiers), tuple(logged), staged)


def _ties(applicable: list[CompiledPolicy]) -> dict[int, tuple[str, ...]]:
    """Notes for policies that share an order with another policy selecting the same endpoint."""
    by_order: dict[float | None, list[CompiledPolicy]] = {}
    for p in applicable:
        if p.family != "kubernetes":  # Kubernetes policies are a union: their order never matters
            by_order.setdefault(p.order, []).append(p)
    notes: dict[int, tuple[str, ...]] = {}
    for group in by_order.values():
        if len(group) < 2:
            continue
        names = ", ".join(str(p.ref) for p in group)
        if all(p.family == "cnp" for p in group):
            text = (f"same priority as {names}: the order between them is implementation-defined "
                    "(npkit, like Calico, goes by name)")
        else:
            text = f"same order as {names}: Calico breaks the tie by name, then namespace and kind"
        for p in group:
            notes[id(p)] = (text,)
    return notes


def _end_of_tier(tier: str, title: str, applicable: list[CompiledPolicy], ep: Endpoint,
                 direction: Direction) -> Decision:
    names = ", ".join(str(p.ref) for p in applicable)
    if all(p.family == "kubernetes" for p in applicable):
        text = (
            f"denied: {ep} is isolated for {direction.lower()} by {names}, "
            "and no rule of those policies allows this connection"
        )
    else:
        text = (f"denied at the end of {title}: the policies selecting {ep} ({names}) decided nothing, "
                "and the tier's default is Deny")
    return Decision("end-of-tier", False, text, tier)


def _default_allow(program: Program, ep: Endpoint, direction: Direction, any_tier: bool) -> Decision:
    way = direction.lower()
    if program.dataplane == "calico":
        if any_tier:
            text = f"allowed: every tier selecting {ep} passed, so the namespace profile kns.{ep.pod.namespace} allows"
        else:
            text = (f"allowed: no policy selects {ep} for {way}, so the namespace profile "
                    f"kns.{ep.pod.namespace} allows (not isolated)")
    elif any_tier:
        text = f"allowed: every tier passed and nothing isolates {ep} for {way}; Kubernetes allows by default"
    else:
        text = f"allowed: no policy selects {ep} for {way}, so it is not isolated"
    return Decision("default-allow", True, text)


def evaluate(program: Program, u: Universe, probe: Probe, selects: Selects) -> Verdict:
    """Both sides of a probe and the combined answer."""
    egress = evaluate_side(program, u, probe, "Egress", selects)
    ingress = evaluate_side(program, u, probe, "Ingress", selects)
    notes = list(program.notes)
    if probe.is_self:
        allowed = True
        summary = (
            f"allowed: {probe.src} is connecting to itself; the packets never leave its network "
            "namespace, so network plugins do not apply policy to them"
        )
        if not (egress.allowed and ingress.allowed):
            notes.append("the policies alone would deny this, but self traffic is not subject to policy")
    else:
        if not egress.allowed:
            # The packet dies on the egress side and never meets the destination's rules: nothing
            # there logs it. The ingress trace stays, for information.
            ingress = replace(ingress, logged=(), reached=False)
        allowed = egress.allowed and ingress.allowed
        if allowed:
            summary = f"allowed: egress {egress.decision.text}; ingress {ingress.decision.text}"
        else:
            failing = [s for s in (egress, ingress) if not s.allowed]
            summary = "denied: " + "; ".join(f"{s.direction.lower()} {s.decision.text}" for s in failing)
    return Verdict(probe, allowed, egress, ingress, summary, program.dataplane, tuple(notes))
