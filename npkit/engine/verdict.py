"""The answer to a probe, with the full path that led to it: sides → tiers → policies → rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..model import ObjectRef
from .matchers.base import Check
from .probe import Probe
from .program import View

TierOutcome = Literal["allow", "deny", "pass", "end-of-tier-deny", "default-pass", "skipped"]
PolicyOutcome = Literal["allow", "deny", "pass", "no-match", "not-reached"]


@dataclass(frozen=True)
class RuleTrace:
    """One rule tried against the probe: every condition's check, and whether all held."""

    index: int
    action: str
    path: str
    matched: bool
    checks: tuple[Check, ...]
    name: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyTrace:
    ref: ObjectRef
    family: str
    order: float | None
    outcome: PolicyOutcome
    rules: tuple[RuleTrace, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TierTrace:
    """A tier with policies for this direction: applied (some select the endpoint) or skipped."""

    name: str
    title: str
    order: float | None
    default_action: str
    outcome: TierOutcome
    policies: tuple[PolicyTrace, ...]


@dataclass(frozen=True)
class Decision:
    """What ended a side's evaluation."""

    kind: Literal["rule", "end-of-tier", "default-allow", "not-enforced"]
    allowed: bool
    text: str
    tier: str | None = None
    policy: ObjectRef | None = None
    rule: str | None = None  # field path of the deciding rule


@dataclass(frozen=True)
class SideVerdict:
    """The source's egress or the destination's ingress pipeline."""

    direction: Literal["Egress", "Ingress"]
    endpoint: str
    enforced: bool  # False when there is no pipeline (address outside the cluster, host network)
    allowed: bool
    decision: Decision
    tiers: tuple[TierTrace, ...] = ()
    logged: tuple[str, ...] = ()  # Log rules the probe hit, in order
    staged: tuple[ObjectRef, ...] = ()  # staged policies that select the endpoint (never enforced)
    reached: bool = True  # False: the source's egress dropped the packet; shown for information only

    @property
    def selected_by(self) -> tuple[ObjectRef, ...]:
        """Every enforced policy that selects the endpoint in this direction."""
        return tuple(p.ref for t in self.tiers for p in t.policies)

    @property
    def isolated_by(self) -> tuple[ObjectRef, ...]:
        """Kubernetes NetworkPolicies that isolate the endpoint in this direction."""
        return tuple(p.ref for t in self.tiers for p in t.policies if p.family == "kubernetes")


@dataclass(frozen=True)
class Verdict:
    probe: Probe
    allowed: bool
    egress: SideVerdict
    ingress: SideVerdict
    summary: str
    dataplane: str = "calico"
    notes: tuple[str, ...] = ()
    view: View = "calico"  # the words to explain it in (Program.view)
