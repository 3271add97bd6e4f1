"""The tier algorithm, defined once: what each step of a side's evaluation does to its state.

A side is the source's egress pipeline or the destination's ingress pipeline. It starts
undecided and runs tiers in order; in a tier, the policies that select the endpoint, in order;
in a policy, its rules, in order (docs/semantics/calico.md, "The pipeline"). Each step has an
`Effect` on the side:

- a rule that matches: its action's effect (`RULE_EFFECT`): Allow and Deny decide the side,
  Pass skips the rest of the tier, Log records the packet and evaluation goes on;
- a rule that does not match, a policy none of whose rules match: no effect (`NO_MATCH`);
- a tier none of whose policies selects the endpoint: skipped, default action and all (`SKIPPED_TIER`);
- the end of a tier reached undecided and not passed: the tier's default action (`end_of_tier`):
  Deny decides, Pass goes on to the next tier;
- the end of the tiers, still undecided: allowed (`END_OF_TIERS`; Calico's namespace profile,
  Kubernetes' "not isolated").

The scalar explainer (evaluate.py), the vectorised matrix (vector.py) and the nftables
compiler (lab/backends/local/nft.py) all read this table; each keeps only its representation
of the state (booleans with a trace, numpy masks, packet marks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Action = Literal["Allow", "Deny", "Pass", "Log"]
TierDefault = Literal["Deny", "Pass"]
PolicyOutcome = Literal["allow", "deny", "pass", "no-match", "not-reached"]
TierOutcome = Literal["allow", "deny", "pass", "end-of-tier-deny", "default-pass", "skipped"]


@dataclass(frozen=True)
class Effect:
    """What one step does to an undecided side."""

    decides: bool | None = None  # True: allowed, False: denied; None: the side stays undecided
    ends_tier: bool = False  # the rest of this tier is skipped (the side stays undecided)
    logs: bool = False  # the packet is recorded and evaluation goes on


RULE_EFFECT: Mapping[Action, Effect] = {
    "Allow": Effect(decides=True),
    "Deny": Effect(decides=False),
    "Pass": Effect(ends_tier=True),
    "Log": Effect(logs=True),
}
NO_MATCH = Effect()
SKIPPED_TIER = Effect()
END_OF_TIERS = Effect(decides=True)
_TIER_DEFAULT: Mapping[TierDefault, Effect] = {"Deny": Effect(decides=False), "Pass": Effect()}

# How traces name what a policy (and so its tier) did when a rule with this action matched, and how a
# tier ended when none did.
ACTION_OUTCOME: Mapping[Action, Literal["allow", "deny", "pass"]] = {"Allow": "allow", "Deny": "deny", "Pass": "pass"}
TIER_END_OUTCOME: Mapping[TierDefault, TierOutcome] = {"Deny": "end-of-tier-deny", "Pass": "default-pass"}


def end_of_tier(default_action: TierDefault) -> Effect:
    """The effect of reaching the end of a tier undecided without a Pass: the tier's default action.

    >>> end_of_tier("Deny").decides, end_of_tier("Pass").decides
    (False, None)
    """
    return _TIER_DEFAULT[default_action]


def decides(action: Action) -> bool:
    """Whether a matching rule with `action` ends the side's evaluation (Allow, Deny)."""
    return RULE_EFFECT[action].decides is not None
