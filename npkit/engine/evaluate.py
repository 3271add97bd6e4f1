"""One probe through the pipeline, recording every step: the scalar form of actions.py (docs/semantics/calico.md).

For each side (source egress, destination ingress): tiers in order; in each tier the
policies that select the endpoint for that direction, in order; in each policy its rules
in order. What each step does to the side is actions.py's table; this module keeps the
trace a learner reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..i18n import messages
from .actions import ACTION_OUTCOME, END_OF_TIERS, RULE_EFFECT, TIER_END_OUTCOME, TierOutcome, end_of_tier
from .probe import Endpoint, Probe
from .program import CompiledPolicy, CompiledRule, CompiledTier, Direction, Program
from .universe import Universe
from .verdict import Decision, PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict

Selects = Callable[[CompiledPolicy, Endpoint], bool]
_ = messages("npkit").gettext


def run_rule(rule: CompiledRule, probe: Probe, u: Universe) -> RuleTrace:
    """Test every condition of `rule` (all of them, so explanations can list each)."""
    checks = tuple(c.test(probe, u) for c in rule.criteria)
    matched = all(c.ok for c in checks)
    return RuleTrace(rule.index, rule.verb or rule.action, rule.path, matched, checks, rule.name, rule.notes)


def _unenforced(direction: Direction, ep: Endpoint) -> SideVerdict:
    if ep.pod is None:
        why = _("{endpoint} is outside the cluster: no policy applies on this side").format(endpoint=ep)
    else:
        why = _("{endpoint} uses the host network: network policy does not apply to it").format(endpoint=ep)
    return SideVerdict(direction, ep.key, False, True, Decision("not-enforced", True, why))


class _Side:
    """One side's run through the tiers: the traces so far, what was logged, and the decision once made."""

    def __init__(self, u: Universe, probe: Probe, direction: Direction, ep: Endpoint):
        self.u, self.probe, self.direction, self.ep = u, probe, direction, ep
        self.tiers: list[TierTrace] = []
        self.logged: list[str] = []
        self.decision: Decision | None = None

    def policy(self, policy: CompiledPolicy, notes: tuple[str, ...]) -> tuple[PolicyTrace, CompiledRule | None]:
        """Run a policy's rules until one has an effect beyond logging; that rule, or None (no match)."""
        rules: list[RuleTrace] = []
        for rule in policy.rules(self.direction):
            trace = run_rule(rule, self.probe, self.u)
            rules.append(trace)
            if not trace.matched:
                continue  # NO_MATCH
            effect = RULE_EFFECT[rule.action]
            if effect.logs:
                self.logged.append(f"{policy.ref} {rule.path}")
            if effect.decides is not None or effect.ends_tier:
                outcome = ACTION_OUTCOME[rule.action]
                return PolicyTrace(policy.ref, policy.family, policy.order, outcome, tuple(rules), notes), rule
        return PolicyTrace(policy.ref, policy.family, policy.order, "no-match", tuple(rules), notes), None

    def tier(self, tier: CompiledTier, applicable: list[CompiledPolicy]) -> None:
        """Run the policies of a tier that select the endpoint, then the tier's end."""
        traces: list[PolicyTrace] = []
        outcome: TierOutcome | None = None
        tied = _ties(applicable)
        for policy in applicable:
            notes = policy.notes + tied.get(id(policy), ())
            if outcome is not None:
                traces.append(PolicyTrace(policy.ref, policy.family, policy.order, "not-reached", notes=notes))
                continue
            trace, rule = self.policy(policy, notes)
            traces.append(trace)
            if rule is not None:
                outcome = ACTION_OUTCOME[rule.action]
                allowed = RULE_EFFECT[rule.action].decides
                if allowed is not None:
                    self.decision = _rule_decision(allowed, tier, policy, rule)
        if outcome is None:
            outcome = TIER_END_OUTCOME[tier.default_action]
            allowed = end_of_tier(tier.default_action).decides
            if allowed is False:
                self.decision = _end_of_tier(tier.name, tier.title, applicable, self.ep, self.direction)
        self.tiers.append(TierTrace(tier.name, tier.title, tier.order, tier.default_action, outcome, tuple(traces)))


def evaluate_side(program: Program, u: Universe, probe: Probe, direction: Direction, selects: Selects) -> SideVerdict:
    """Run the egress pipeline of the source or the ingress pipeline of the destination (see actions.py)."""
    ep = probe.src if direction == "Egress" else probe.dst
    if ep.pod is None or ep.pod.host_network:
        return _unenforced(direction, ep)
    staged = tuple(p.ref for p in program.staged if direction in p.directions and selects(p, ep))
    side = _Side(u, probe, direction, ep)
    for tier in program.tiers:
        in_direction = [p for p in tier.policies if direction in p.directions]
        applicable = [p for p in in_direction if selects(p, ep)]
        if applicable:
            side.tier(tier, applicable)
        elif in_direction:  # SKIPPED_TIER: shown, but its default action does not apply
            side.tiers.append(TierTrace(tier.name, tier.title, tier.order, tier.default_action, "skipped", ()))
        if side.decision is not None:
            break
    decision = side.decision
    if decision is None:
        decision = _default_allow(program, ep, direction, any(t.outcome != "skipped" for t in side.tiers))
    return SideVerdict(direction, ep.key, True, decision.allowed, decision, tuple(side.tiers),
                       tuple(side.logged), staged)


def _rule_decision(allowed: bool, tier: CompiledTier, policy: CompiledPolicy, rule: CompiledRule) -> Decision:
    if rule.name:
        template = _("allowed by {policy} {rule} ({name})") if allowed else _("denied by {policy} {rule} ({name})")
    else:
        template = _("allowed by {policy} {rule}") if allowed else _("denied by {policy} {rule}")
    text = template.format(policy=policy.ref, rule=rule.path, name=rule.name)
    return Decision("rule", allowed, text, tier.name, policy.ref, rule.path)


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
            text = _("same priority as {policies}: the order between them is implementation-defined (npkit, like "
                     "Calico, goes by name)").format(policies=names)
        else:
            text = _("same order as {policies}: Calico breaks the tie by name, then namespace and kind").format(
                policies=names)
        for p in group:
            notes[id(p)] = (text,)
    return notes


def _end_of_tier(tier: str, title: str, applicable: list[CompiledPolicy], ep: Endpoint,
                 direction: Direction) -> Decision:
    names = ", ".join(str(p.ref) for p in applicable)
    if all(p.family == "kubernetes" for p in applicable):
        if direction == "Ingress":
            template = _("denied: {endpoint} is isolated for ingress by {policies}, "
                         "and no rule of those policies allows this connection")
        else:
            template = _("denied: {endpoint} is isolated for egress by {policies}, "
                         "and no rule of those policies allows this connection")
    else:
        template = _("denied at the end of {tier}: the policies selecting {endpoint} ({policies}) decided nothing, "
                     "and the tier's default is Deny")
    text = template.format(endpoint=ep, policies=names, tier=title)
    return Decision("end-of-tier", False, text, tier)


def _default_allow(program: Program, ep: Endpoint, direction: Direction, any_tier: bool) -> Decision:
    namespace = ep.pod.namespace if ep.pod is not None else ""
    ingress = direction == "Ingress"
    # Whole sentences, one per direction: a translation may place "ingress" where its language needs it.
    if program.view == "calico" and program.dataplane == "calico":
        if any_tier:
            template = _("allowed: every tier selecting {endpoint} passed, so the namespace profile "
                         "kns.{namespace} allows")
        elif ingress:
            template = _("allowed: no policy selects {endpoint} for ingress, so the namespace profile "
                         "kns.{namespace} allows (not isolated)")
        else:
            template = _("allowed: no policy selects {endpoint} for egress, so the namespace profile "
                         "kns.{namespace} allows (not isolated)")
    elif any_tier:
        template = (_("allowed: every tier passed and nothing isolates {endpoint} for ingress; "
                      "Kubernetes allows by default") if ingress else
                    _("allowed: every tier passed and nothing isolates {endpoint} for egress; "
                      "Kubernetes allows by default"))
    elif ingress:
        template = _("allowed: no policy selects {endpoint} for ingress, so it is not isolated")
    else:
        template = _("allowed: no policy selects {endpoint} for egress, so it is not isolated")
    text = template.format(endpoint=ep, namespace=namespace)
    return Decision("default-allow", bool(END_OF_TIERS.decides), text)


def evaluate(program: Program, u: Universe, probe: Probe, selects: Selects) -> Verdict:
    """Both sides of a probe and the combined answer."""
    egress = evaluate_side(program, u, probe, "Egress", selects)
    ingress = evaluate_side(program, u, probe, "Ingress", selects)
    notes = list(program.notes)
    if probe.is_self:
        allowed = True
        summary = _("allowed: {pod} is connecting to itself; the packets never leave its network "
                    "namespace, so network plugins do not apply policy to them").format(pod=probe.src)
        if not (egress.allowed and ingress.allowed):
            notes.append(_("the policies alone would deny this, but self traffic is not subject to policy"))
    else:
        if not egress.allowed:
            # The packet dies on the egress side and never meets the destination's rules: nothing
            # there logs it. The ingress trace stays, for information.
            ingress = replace(ingress, logged=(), reached=False)
        allowed = egress.allowed and ingress.allowed
        summary = _summary(egress, ingress)
    return Verdict(probe, allowed, egress, ingress, summary, program.dataplane, tuple(notes), program.view)


def _summary(egress: SideVerdict, ingress: SideVerdict) -> str:
    """The verdict in one line: what decided each side that counts (both when allowed, the failing ones when not)."""
    if egress.allowed and ingress.allowed:
        template = _("allowed: egress {egress}; ingress {ingress}")
    elif not (egress.allowed or ingress.allowed):
        template = _("denied: egress {egress}; ingress {ingress}")
    elif egress.allowed:
        template = _("denied: ingress {ingress}")
    else:
        template = _("denied: egress {egress}")
    return template.format(egress=egress.decision.text, ingress=ingress.decision.text)
