"""The matcher protocol: every condition a rule or policy can impose is one small object.

A matcher answers two questions the same way: for one probe (`test`, with a sentence
saying why) and for every pod at once (`mask`, a numpy bool array over the universe).
The per-probe answer feeds explanations; the mask feeds reachability matrices. The
property tests hold the two to the same answer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ...i18n import tidy
from ..probe import Endpoint, Probe, Traffic
from ..universe import Mask, Universe

End = Literal["src", "dst"]


@dataclass(frozen=True)
class Check:
    """The outcome of one matcher on one probe, with a sentence a learner can read."""

    ok: bool
    text: str
    path: str = ""  # field path in the policy, e.g. "spec.ingress[0].from[1]"

    def __post_init__(self) -> None:
        if not self.text.isascii():  # translated: a filled-in template leaves no space between Chinese words
            object.__setattr__(self, "text", tidy(self.text))


class Criterion(ABC):
    """One condition of a rule on a packet.

    `end` names the packet end the condition inspects ("src", "dst"), or None when it only
    looks at the traffic itself (protocol, ICMP type, HTTP).
    """

    # Subclasses define both (as dataclass fields or class constants).
    end: End | None
    path: str

    @abstractmethod
    def test(self, probe: Probe, u: Universe) -> Check:
        """Does the probe satisfy this condition, and why."""

    @abstractmethod
    def mask(self, traffic: Traffic, u: Universe) -> Mask | bool:
        """For every pod standing at `end`, whether the condition holds (a bool if `end` is None)."""

    @abstractmethod
    def describe(self) -> str:
        """The condition in words, e.g. "from podSelector role=frontend"."""

    @property
    def reads_traffic(self) -> bool:
        """Whether the answer can change with the traffic (protocol, port, ICMP type, HTTP request).

        Conditions without an `end` look only at the traffic; a condition on an endpoint answers
        the same for every kind of traffic unless a subclass says otherwise (ports: PortCriterion).
        Masks of conditions that do not read the traffic can be reused from one kind to the next.
        """
        return self.end is None

    def endpoint(self, probe: Probe) -> Endpoint:
        return probe.src if self.end == "src" else probe.dst


@dataclass(frozen=True)
class Constant(Criterion):
    """A condition whose answer is fixed when the rule is compiled, with the reason (a rule failed closed).

    `holds` True: the rule matches every packet its other conditions allow; False: it never matches.
    """

    end: None = field(default=None, init=False, repr=False)  # looks at nothing

    holds: bool
    reason: str
    path: str = ""

    def test(self, probe: Probe, u: Universe) -> Check:
        return Check(self.holds, self.reason, self.path)

    def mask(self, traffic: Traffic, u: Universe) -> bool:
        return self.holds

    @property
    def reads_traffic(self) -> bool:
        return False

    def describe(self) -> str:
        return self.reason


def full(u: Universe, value: bool) -> Mask:
    """A mask with the same answer for every pod."""
    return np.full(u.size, value, dtype=bool)
