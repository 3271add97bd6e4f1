"""Rule conditions on who is at the other end: any of a list of endpoint sets."""

from __future__ import annotations

from dataclasses import dataclass

from ..probe import Probe, Traffic
from ..universe import Mask, Universe
from .base import Check, Criterion, End
from .endpoints import EndpointSet, any_mask


@dataclass(frozen=True)
class PeerCriterion(Criterion):
    """The endpoint at `end` belongs to at least one of `sets` (or to none, when `negate`).

    `field` is the YAML field the sets came from ("from", "to", "source.selector", ...);
    when `indexed`, each set is one list entry and explanations name it `field[i]`.
    """

    end: End
    sets: tuple[EndpointSet, ...]
    field: str
    path: str = ""
    indexed: bool = True
    negate: bool = False

    def _name(self, i: int) -> str:
        return f"{self.field}[{i}]" if self.indexed else self.field

    def test(self, probe: Probe, u: Universe) -> Check:
        ep = self.endpoint(probe)
        reasons = []
        for i, s in enumerate(self.sets):
            ok, why = s.check(ep, u)
            if ok:
                if self.negate:
                    return Check(False, f"{self._name(i)} ({s.describe()}) excludes it: {why}", self.path)
                return Check(True, f"{self._name(i)} ({s.describe()}): {why}", f"{self.path}.{self._name(i)}")
            reasons.append(f"{self._name(i)} ({s.describe()}): {why}")
        if self.negate:
            return Check(True, f"{self.field}: {ep} is not excluded", self.path)
        return Check(False, "; ".join(reasons) or f"{self.field} is empty", self.path)

    def mask(self, traffic: Traffic, u: Universe) -> Mask:
        m = any_mask(self.sets, u)
        return ~m if self.negate else m

    def describe(self) -> str:
        inner = " or ".join(s.describe() for s in self.sets)
        return f"{self.field} not ({inner})" if self.negate else f"{self.field} {inner}"
