"""Rules that never get to act: shadowed by earlier rules, and Log rules nothing decides after.

Decided over the loaded cluster with the engine's per-rule cells (cells.py), not from YAML:
a rule is shadowed when, for every probe, every connection it matches (among the pods its
policy selects) is already matched by an earlier deciding rule — Allow, Deny or Pass — of
its own policy or of an earlier policy in the same tier. Kubernetes NetworkPolicies have no
order (their rules are a union), so one never shadows another; an ordered policy (Calico,
ClusterNetworkPolicy) can shadow them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...engine import SideVerdict, Verdict
from ...engine.actions import end_of_tier
from ...engine.program import Direction
from ...i18n import N_, messages
from ..cells import Slot, cells, slots, verdict_for
from ..context import LintContext, listing
from ..registry import Hit, lint_rule
from ..words import rule_label

SCOPE = N_("npkit checked every loaded pod, the address blocks the policies name and every port they name")
_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext


def _ordered(slot: Slot) -> bool:
    return slot.policy.family != "kubernetes"


def _shadowed(ctx: LintContext, ss: list[Slot], direction: Direction) -> dict[int, list[int]]:
    """Shadowed slot index -> indexes of the earlier slots that decide its connections."""
    n, m = ctx.engine.universe.size, ctx.engine.universe.size + len(ctx.outside)
    matched = np.zeros(len(ss), dtype=bool)
    live = np.zeros(len(ss), dtype=bool)
    for t in ctx.traffic:
        cover = np.zeros((n, m), dtype=bool)  # decided by any earlier rule
        cover_ordered = np.zeros((n, m), dtype=bool)  # decided by an earlier rule of an ordered policy
        for j, slot in enumerate(ss):
            local, remote = cells(ctx, slot, direction, t)
            if not (local.any() and remote.any()):
                continue
            matched[j] = True
            if not live[j]:
                seen = cover if _ordered(slot) else cover_ordered
                live[j] = bool((~seen[np.ix_(local, remote)]).any())
            if slot.decides:
                cover[np.ix_(local, remote)] = True
                if _ordered(slot):
                    cover_ordered[np.ix_(local, remote)] = True
    out: dict[int, list[int]] = {}
    for j in (int(x) for x in np.flatnonzero(matched & ~live)):
        deciders = []
        for k in range(j):
            if not ss[k].decides or not (_ordered(ss[j]) or _ordered(ss[k])):
                continue
            for t in ctx.traffic:
                lk, rk = cells(ctx, ss[k], direction, t)
                lj, rj = cells(ctx, ss[j], direction, t)
                if (lk & lj).any() and (rk & rj).any():
                    deciders.append(k)
                    break
        out[int(j)] = deciders
    return out


def _name(slot: Slot, of: Slot) -> str:
    if slot.policy is of.policy:
        return rule_label(slot.rule)
    return f"{slot.policy.ref} {rule_label(slot.rule)}"


def _short_name(slot: Slot, of: Slot) -> str:
    """Like `_name`, without the rule's name and words: "spec.ingress[0]", or "<policy> spec.ingress[0]"."""
    if slot.policy is of.policy:
        return slot.rule.path
    return f"{slot.policy.ref} {slot.rule.path}"


@lint_rule("NP403", "shadowed-rule", "warning",
           N_("a rule can never match: earlier rules already decide every connection it would see "
              "(info when they decide the same way, so it is only redundant)"), needs_pods=True)
def shadowed_rule(ctx: LintContext) -> Iterator[Hit]:
    for tier in ctx.engine.program.tiers:
        if all(p.family == "kubernetes" for p in tier.policies):
            continue
        for direction in ("Ingress", "Egress"):
            ss = slots(ctx, list(tier.policies), direction)
            for j, deciders in _shadowed(ctx, ss, direction).items():
                slot = ss[j]
                policy = ctx.model.get(slot.policy.ref)
                if policy is None or not deciders:
                    continue
                names = [_name(ss[k], slot) for k in deciders]
                same = all(ss[k].rule.action == slot.rule.action for k in deciders)
                if same:
                    template = ngettext(
                        "{rule} can never match: {rules} already decides every connection it would see ({scope}). "
                        "They {action} too, so it is redundant: removing it changes nothing.",
                        "{rule} can never match: {rules} already decide every connection it would see ({scope}). "
                        "They {action} too, so it is redundant: removing it changes nothing.", len(deciders))
                else:
                    template = ngettext(
                        "{rule} can never match: {rules} already decides every connection it would see ({scope}). "
                        "Its {action} never happens.",
                        "{rule} can never match: {rules} already decide every connection it would see ({scope}). "
                        "Its {action} never happens.", len(deciders))
                message = template.format(rule=rule_label(slot.rule), rules=listing(names, 3), scope=_(SCOPE),
                                          action=slot.rule.action)
                if same:
                    fix = _("delete it, unless you keep it as documentation")
                else:
                    fix = _("move it above {rule}, or narrow that rule so it leaves these connections alone; delete "
                            "it if it is not needed").format(rule=_short_name(ss[deciders[0]], slot))
                yield Hit(message, fix, policy, slot.rule.path, "info" if same else None)


def _log_rule_matched(side: SideVerdict, slot: Slot) -> bool:
    """Whether the side's own pipeline hit this Log rule (even if the packet died on the other side first)."""
    return any(
        r.matched and r.path == slot.rule.path
        for t in side.tiers for p in t.policies if p.ref == slot.policy.ref for r in p.rules
    )


def _log_example(ctx: LintContext, slot: Slot, later: list[Slot],
                 direction: Direction) -> tuple[Verdict, SideVerdict] | None:
    """A connection the Log rule really sees that no later rule of its policy decides, with its verdict."""
    tried = 0
    n = ctx.engine.universe.size
    for t in ctx.traffic:
        local, remote = cells(ctx, slot, direction, t)
        if not (local.any() and remote.any()):
            continue
        decided = np.zeros((local.size, remote.size), dtype=bool)
        decided[np.arange(n), np.arange(n)] = True  # a pod talking to itself is never filtered
        for s in later:
            lk, rk = cells(ctx, s, direction, t)
            decided[np.ix_(lk, rk)] = True
        open_cells = np.argwhere(np.outer(local, remote) & ~decided)
        for i, j in open_cells[:8]:
            tried += 1
            v = verdict_for(ctx, direction, int(i), int(j), t)
            side = v.egress if direction == "Egress" else v.ingress
            if _log_rule_matched(side, slot):
                return v, side
        if tried > 40:
            break
    return None


@lint_rule("NP404", "log-no-decision", "warning",
           N_("a Log rule is not followed by a rule that decides the connections it logs"))
def log_no_decision(ctx: LintContext) -> Iterator[Hit]:
    for tier in ctx.engine.program.tiers:
        for compiled in tier.policies:
            policy = ctx.model.get(compiled.ref)
            if policy is None:
                continue
            for direction in ("Ingress", "Egress"):
                ss = slots(ctx, [compiled], direction)
                for j, slot in enumerate(ss):
                    if slot.decides:
                        continue
                    later = [s for s in ss[j + 1:] if s.decides]
                    if end_of_tier(tier.default_action).decides is False:
                        template = _("{rule} only logs: Log never decides, and no later rule of this policy decides "
                                     "the connections it logs, so they go on to the next policy of {tier} and, if none "
                                     "decides, are dropped by its default action {action}.")
                    else:
                        template = _("{rule} only logs: Log never decides, and no later rule of this policy decides "
                                     "the connections it logs, so they go on to the next policy of {tier} and, if none "
                                     "decides, are passed on to the next tier by its default action {action}.")
                    head = template.format(rule=rule_label(slot.rule), tier=tier.title, action=tier.default_action)
                    fix = _("right after it, add a rule with the same match and the action you mean (Deny, as "
                            "explicit-deny-with-log does, or Allow); or a Pass rule to hand them to the next tier")
                    if ctx.has_pods:
                        found = _log_example(ctx, slot, later, direction)
                        if found is None:
                            continue  # every connection it sees is decided after it (or it sees none)
                        v, side = found
                        message = _("{head} For example, {probe} is logged here and then {decision}.").format(
                            head=head, probe=v.probe, decision=side.decision.text)
                    elif later:
                        continue  # without pods, a later deciding rule is the best npkit can check
                    else:
                        message = head
                    yield Hit(message, fix, policy, slot.rule.path)
