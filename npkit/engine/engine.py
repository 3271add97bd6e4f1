"""The one entry point for questions about traffic: verdicts with explanations, and matrices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cached_property
from typing import Any

import numpy as np

from ..i18n import messages
from ..model import Cluster, Pod
from .compile import compile_program
from .criteria import ProgramCriteria
from .probe import Endpoint, Probe, Traffic
from .program import CompiledPolicy, CompiledRule, Dataplane, Direction, Program, View, ViewChoice
from .universe import Mask, Universe
from .vector import LANES, MaskTable, reachability, reachability_lanes, rule_masks

TYPE_CHECKING = False  # typing's is not needed: verdicts and their explanations are imported when first asked for
if TYPE_CHECKING:
    from .verdict import Verdict

_ = messages("npkit").gettext


class Engine:
    """Evaluates a cluster's policies for one dataplane.

    >>> from npkit.model import Cluster, Pod
    >>> e = Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))))
    >>> e.verdict("x/a", "x/b", port=80).allowed
    True
    """

    def __init__(self, cluster: Cluster, dataplane: Dataplane = "calico", l7: bool = False,
                 view: ViewChoice = "auto"):
        self._start(cluster, compile_program(cluster, dataplane, l7, view))

    def _start(self, cluster: Cluster, program: Program) -> None:
        self.cluster = cluster
        self.dataplane: Dataplane = program.dataplane
        self.l7 = program.l7
        self.universe = Universe(cluster)
        self.program = program
        self.view: View = program.view  # the words explanations use (see compile.resolve_view)
        self._fixed_masks: MaskTable = {}  # masks that hold for every kind of traffic (vector.MaskCache)

    def with_pods(self, pods: Iterable[Pod]) -> Engine:
        """The same policies over this cluster with `pods` added (they are not compiled again: no policy
        depends on which pods exist; what each selects is worked out over the new universe).

        >>> from npkit.model import Cluster, Pod
        >>> e = Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),))).with_pods([Pod("b", "x", ip="10.0.0.2")])
        >>> e.pods, e.allowed("x/a", "x/b", 80)
        (('x/a', 'x/b'), True)
        """
        grown = Engine.__new__(Engine)
        grown._start(replace(self.cluster, pods=self.cluster.pods + tuple(pods)), self.program)
        return grown

    @property
    def pods(self) -> tuple[str, ...]:
        """Pod keys (`namespace/name`) in matrix order."""
        return self.universe.keys

    @property
    def notes(self) -> tuple[str, ...]:
        return self.program.notes

    @cached_property
    def criteria(self) -> ProgramCriteria:
        """Every address block, port, named port and protocol the policies name (see criteria.py)."""
        return self.program.criteria(self.universe)

    @cached_property
    def subjects(self) -> dict[int, Mask]:
        """For each policy (by id), which pods it selects; computed once per engine."""
        every = self.program.policies + self.program.staged
        return {id(p): p.subject.mask(self.universe) for p in every}

    def selects(self, policy: CompiledPolicy, ep: Endpoint) -> bool:
        """Whether `policy` applies to the endpoint (a pod of this cluster)."""
        if ep.index is None:
            return False
        return bool(self.subjects[id(policy)][ep.index])

    def endpoint(self, ref: str | Endpoint) -> Endpoint:
        return ref if isinstance(ref, Endpoint) else self.universe.endpoint(ref)

    # **traffic: the other Traffic fields (icmp_type, icmp_code, http_method, http_path, src_port).
    def probe(self, src: str | Endpoint, dst: str | Endpoint, port: int | None = None,
              protocol: str = "TCP", **traffic: Any) -> Probe:
        """A probe from `src` to `dst` (each `namespace/name` or an IP address)."""
        return Probe(self.endpoint(src), self.endpoint(dst), Traffic(protocol, port, **traffic))

    def verdict(self, src: str | Endpoint | Probe, dst: str | Endpoint | None = None,
                port: int | None = None, protocol: str = "TCP", **traffic: Any) -> Verdict:
        """The verdict for one connection, with its full explanation (`src` may be a whole Probe)."""
        if isinstance(src, Probe):
            probe = src
        elif dst is None:
            raise TypeError(_("verdict() needs a destination unless it is given a Probe"))
        else:
            probe = self.probe(src, dst, port, protocol, **traffic)
        from .evaluate import evaluate  # here: matrices and connection lists never need it

        return evaluate(self.program, self.universe, probe, self.selects)

    def allowed(self, src: str | Endpoint | Probe, dst: str | Endpoint | None = None, port: int | None = None,
                protocol: str = "TCP", **traffic: Any) -> bool:
        """Whether the connection is allowed (the verdict without its explanation)."""
        return self.verdict(src, dst, port, protocol, **traffic).allowed

    def reachability(self, port: int | None = None, protocol: str = "TCP", **traffic: Any) -> np.ndarray:
        """allowed[src, dst] for every pair of pods (rows and columns in `pods` order)."""
        t = Traffic(protocol, port, **traffic)
        return reachability(self.program, self.universe, t, self.subjects, self._fixed_masks)

    def reachability_lanes(self, traffics: Sequence[Traffic]) -> np.ndarray:
        """codes[src, dst] for every pair of pods: bit k set when `traffics[k]` is allowed (at most LANES
        kinds of traffic, answered in one pass: the work that does not depend on the traffic is done once).

        >>> from npkit.model import Cluster, Pod
        >>> e = Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))))
        >>> e.reachability_lanes([Traffic("TCP", 80), Traffic("UDP", 53)]).tolist()
        [[3, 3], [3, 3]]
        """
        if not 0 < len(traffics) <= LANES:
            raise ValueError(f"between 1 and {LANES} kinds of traffic at once, not {len(traffics)}")
        return reachability_lanes(self.program, self.universe, traffics, self.subjects, self._fixed_masks)

    def rule_masks(self, rule: CompiledRule, direction: Direction, traffic: Traffic,
                   extra_remote: tuple[Endpoint, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Which (local pod, remote endpoint) cells `rule` matches: local × remote (see vector.rule_masks).

        Only the rule's own conditions count: whether its policy selects the local pod is `subjects`.
        """
        return rule_masks(rule, direction, traffic, self.universe, extra_remote)
