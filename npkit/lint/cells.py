"""Which connections each rule sees, as cells (local pod, remote endpoint) per probe.

The engine gives each rule's matched cells as a product local × remote (`Engine.rule_masks`);
here they are narrowed to the pods the rule's policy selects, over the lint probes: every
loaded pod, the addresses standing for the blocks the policies name (`LintContext.outside`),
and one port per class of ports the policies treat alike (`LintContext.traffic`). The
shadowing and Log rules compare these sets; they never evaluate a rule themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import CompiledPolicy, CompiledRule, Endpoint, Traffic, Verdict
from ..engine.actions import RULE_EFFECT
from ..engine.program import Direction
from .context import LintContext


@dataclass(frozen=True, eq=False)
class Slot:
    """One rule in evaluation order, with the pods its policy applies to."""

    policy: CompiledPolicy
    rule: CompiledRule
    selected: np.ndarray

    @property
    def decides(self) -> bool:
        """Whether the rule ends evaluation where it matches (not a Log rule)."""
        return RULE_EFFECT[self.rule.action] != RULE_EFFECT["Log"]


def slots(ctx: LintContext, policies: list[CompiledPolicy], direction: Direction) -> list[Slot]:
    """The rules of `policies` for `direction`, in the order the pipeline tries them."""
    u = ctx.engine.universe
    out: list[Slot] = []
    for p in policies:
        if direction not in p.directions:
            continue
        selected = ctx.engine.subjects[id(p)] & u.endpoints
        out += [Slot(p, r, selected) for r in p.rules(direction)]
    return out


def cells(ctx: LintContext, slot: Slot, direction: Direction, traffic: Traffic) -> tuple[np.ndarray, np.ndarray]:
    """(local, remote) cells the slot's rule matches for `traffic`, local narrowed to selected pods."""
    key = ("cells", id(slot.rule), direction, traffic)
    local, remote = ctx.memo(key, lambda: ctx.engine.rule_masks(slot.rule, direction, traffic, ctx.outside))
    return local & slot.selected, remote


def remote_endpoint(ctx: LintContext, j: int) -> Endpoint | str:
    """Column j of a remote mask: a pod key, or an outside address."""
    n = ctx.engine.universe.size
    return ctx.engine.pods[j] if j < n else ctx.outside[j - n].key


def verdict_for(ctx: LintContext, direction: Direction, local: int, remote: int, traffic: Traffic) -> Verdict:
    """The engine's verdict for one cell."""
    here = ctx.engine.pods[local]
    there = remote_endpoint(ctx, remote)
    src, dst = (here, there) if direction == "Egress" else (there, here)
    return ctx.engine.verdict(src, dst, traffic.port, traffic.protocol,
                              icmp_type=traffic.icmp_type, icmp_code=traffic.icmp_code)
