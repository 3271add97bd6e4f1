"""Rule conditions on who is at the other end: any of a list of endpoint sets."""

from __future__ import annotations

from dataclasses import dataclass

from ...i18n import messages
from ..probe import Probe, Traffic
from ..universe import Mask, Universe
from .base import Check, Criterion, End
from .endpoints import EndpointSet, any_mask

_ = messages("npkit").gettext


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
                    text = _("{field} ({what}) excludes it: {why}").format(field=self._name(i), what=s.describe(),
                                                                          why=why)
                    return Check(False, text, self.path)
                text = _("{field} ({what}): {why}").format(field=self._name(i), what=s.describe(), why=why)
                return Check(True, text, f"{self.path}.{self._name(i)}")
            reasons.append(_("{field} ({what}): {why}").format(field=self._name(i), what=s.describe(), why=why))
        if self.negate:
            return Check(True, _("{field}: {endpoint} is not excluded").format(field=self.field, endpoint=ep),
                         self.path)
        return Check(False, _("; ").join(reasons) or _("{field} is empty").format(field=self.field), self.path)

    def mask(self, traffic: Traffic, u: Universe) -> Mask:
        m = any_mask(self.sets, u)
        return ~m if self.negate else m

    def describe(self) -> str:
        inner = _(" or ").join(s.describe() for s in self.sets)
        template = _("{field} not ({sets})") if self.negate else _("{field} {sets}")
        return template.format(field=self.field, sets=inner)
