"""Calico ends every tier with an implicit Deny for the endpoints its policies select (every version:
before 3.29 open-source Calico had one implicit tier, which ended the same way).

A policy that only denies (or logs) some traffic therefore cuts all other traffic of the
pods it selects, unless another policy of the same tier allows or passes it. That is the
course's correction to the chapter's block-malicious-ips, deny-external-egress and
log-denied (README, "The course").
"""

from __future__ import annotations

from collections.abc import Iterator

from ...engine import CompiledRule
from ...engine.actions import RULE_EFFECT
from ...i18n import N_, messages
from ..context import LintContext, listing
from ..registry import Hit, lint_rule

_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext


def _lets_through(rule: CompiledRule) -> bool:
    """Whether a rule can let traffic past the tier's end: it allows, or passes to the next tier."""
    effect = RULE_EFFECT[rule.action]
    return effect.decides is True or effect.ends_tier


@lint_rule("NP405", "tier-end-deny", "warning",
           N_("a Calico policy only denies or logs, and the tier's implicit deny then drops all other traffic "
              "of the pods it selects"), needs_pods=True)
def tier_end_deny(ctx: LintContext) -> Iterator[Hit]:
    for tier in ctx.engine.program.tiers:
        if tier.default_action != "Deny":
            continue
        for compiled in tier.policies:
            policy = ctx.model.get(compiled.ref)
            if compiled.family != "calico" or policy is None:
                continue
            for direction in sorted(compiled.directions):
                rules = compiled.rules(direction)
                if not rules or any(_lets_through(r) for r in rules):
                    continue  # no rules: a deliberate deny-all; Allow or Pass: it lets something through
                cut = ctx.engine.subjects[id(compiled)] & ctx.engine.universe.endpoints
                for other in tier.policies:
                    if other is compiled or direction not in other.directions:
                        continue
                    # Pods a rule of another policy lets through are fine; pods a Kubernetes policy
                    # isolates are cut off by that policy already, by design.
                    if other.family == "kubernetes" or any(
                            _lets_through(r) for r in other.rules(direction)):
                        cut &= ~ctx.engine.subjects[id(other)]
                if not cut.any():
                    continue
                pods = ctx.pod_keys(cut)
                way = direction.lower()
                actions = "/".join(sorted({r.action for r in rules}))
                message = _tier_end_message(way == "ingress", len(pods)).format(
                    policy=compiled.ref, actions=actions, tier=tier.title, n=len(pods), pods=listing(pods))
                if way == "ingress":
                    fix = _("add `- action: Pass` as the last ingress rule, so the next tier (or the Kubernetes "
                            "policies) decides")
                else:
                    fix = _("add `- action: Pass` as the last egress rule, so the next tier (or the Kubernetes "
                            "policies) decides")
                if tier.name != "default":
                    fix = _("{fix}; or give tier {tier} `defaultAction: Pass`").format(fix=fix, tier=tier.name)
                yield Hit(message, fix, policy, f"spec.{way}[{len(rules) - 1}]")


def _tier_end_message(ingress: bool, n: int) -> str:
    if ingress:
        return ngettext(
            "{policy} only has {actions} rules for ingress, and nothing else in {tier} allows or passes the ingress "
            "of {n} pod it selects ({pods}). Calico ends the tier with an implicit Deny, so every other ingress "
            "connection of these pods is dropped too, not only the ones its rules name.",
            "{policy} only has {actions} rules for ingress, and nothing else in {tier} allows or passes the ingress "
            "of {n} pods it selects ({pods}). Calico ends the tier with an implicit Deny, so every other ingress "
            "connection of these pods is dropped too, not only the ones its rules name.", n)
    return ngettext(
        "{policy} only has {actions} rules for egress, and nothing else in {tier} allows or passes the egress of "
        "{n} pod it selects ({pods}). Calico ends the tier with an implicit Deny, so every other egress connection "
        "of these pods is dropped too, not only the ones its rules name.",
        "{policy} only has {actions} rules for egress, and nothing else in {tier} allows or passes the egress of "
        "{n} pods it selects ({pods}). Calico ends the tier with an implicit Deny, so every other egress connection "
        "of these pods is dropped too, not only the ones its rules name.", n)
