"""What every rule may ask about the cluster being linted: the engine, lines, probes, pods."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ..diff.probes import probe_traffic
from ..engine import CompiledPolicy, Endpoint, Engine, Traffic
from ..engine.program import Dataplane
from ..i18n import messages, series
from ..model import AnyPolicy, Cluster, ObjectRef, Origin
from .registry import Subject

if TYPE_CHECKING:
    from .what_if import WhatIf

_T = TypeVar("_T")
_C = TypeVar("_C")  # a cause to blame: a policy, or (policy, rule path)

# Namespaces the platform owns: a default deny there breaks the cluster, so NP103 leaves them alone.
SYSTEM_NAMESPACES = frozenset({
    "kube-system", "kube-public", "kube-node-lease", "calico-system", "calico-apiserver",
    "tigera-operator", "local-path-storage",
})
OUTSIDE_EXAMPLE = "203.0.113.7"  # TEST-NET-3: stands for "somewhere on the internet"
_LAST_PART = re.compile(r"(\.[^.\[]+|\[\d+\])$")
_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext


def locate(subject: Subject, path: str) -> Origin:
    """File and line of `path` inside `subject`, or of the nearest enclosing field, or of the object."""
    if subject is None:
        return Origin("")  # about the input as a whole: no file
    lines: dict[str, int] = getattr(subject, "field_lines", None) or {}
    current = path
    while current:
        if current in lines:
            return Origin(subject.origin.file, lines[current])
        shorter = _LAST_PART.sub("", current)
        if shorter == current:
            break
        current = shorter
    return subject.origin


def listing(items: Sequence[str], limit: int = 4) -> str:
    """"a, b and c" — at most `limit` items, then "and N more".

    >>> listing(["x/a", "x/b", "x/c", "x/d", "x/e", "x/f"])
    'x/a, x/b, x/c, x/d and 2 more'
    """
    items = list(items)
    if len(items) <= limit:
        return series(items)
    more = len(items) - limit
    return ngettext("{items} and {n} more", "{items} and {n} more", more).format(items=_(", ").join(items[:limit]),
                                                                                 n=more)


def pods(n: int) -> str:
    """"1 pod", "3 pods"."""
    return ngettext("{n} pod", "{n} pods", n).format(n=n)


class LintContext:
    """The cluster under lint and the engine's answers about it, computed once and shared by rules."""

    def __init__(self, cluster: Cluster, dataplane: Dataplane = "calico", l7: bool = False):
        self.cluster = cluster
        self.dataplane = dataplane
        self.l7 = l7
        self.engine = Engine(cluster, dataplane, l7)
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """`compute()` once per lint run, shared by the rules that need the same answer."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: _T = self._memo[key]
        return value

    @property
    def has_pods(self) -> bool:
        return bool(self.cluster.pods)

    @cached_property
    def _compiled(self) -> dict[ObjectRef, CompiledPolicy]:
        program = self.engine.program
        return {p.ref: p for p in program.policies + program.staged}

    def compiled(self, policy: AnyPolicy) -> CompiledPolicy | None:
        """The engine's compiled form of `policy` (None when the dataplane ignores it)."""
        return self._compiled.get(policy.ref)

    def selected(self, policy: AnyPolicy) -> np.ndarray | None:
        """Which pods (engine order) `policy` applies to; None when the dataplane ignores it."""
        compiled = self.compiled(policy)
        return None if compiled is None else self.engine.subjects[id(compiled)]

    @cached_property
    def model(self) -> dict[ObjectRef, AnyPolicy]:
        """Model object of every policy, by ObjectRef."""
        return {p.ref: p for p in self.cluster.policies}

    def pod_keys(self, mask: np.ndarray) -> list[str]:
        return [self.engine.pods[i] for i in np.flatnonzero(mask)]

    @cached_property
    def traffic(self) -> tuple[Traffic, ...]:
        """Probes that tell every port entry of the loaded policies apart (see diff.probes)."""
        return probe_traffic([self.engine])

    @cached_property
    def outside(self) -> tuple[Endpoint, ...]:
        """Addresses outside the cluster standing for every address block the policies name.

        For each CIDR the compiled rules name (ipBlock and its excepts, nets, notNets, networks,
        network sets a selector reaches): its first and last address, unless a pod has it; plus
        one public address. Remote ends of rules are tested on these too.
        """
        taken = {pod.ip for pod in self.cluster.pods}
        addresses: dict[str, None] = {}  # insertion-ordered set
        for text in self.engine.criteria.cidrs:
            net = ipaddress.ip_network(text)
            for address in (str(net.network_address), str(net.broadcast_address)):
                if address not in taken:
                    addresses.setdefault(address)
        if OUTSIDE_EXAMPLE not in taken:
            addresses.setdefault(OUTSIDE_EXAMPLE)
        return tuple(Endpoint(a, a) for a in addresses)

    @cached_property
    def what_if(self) -> WhatIf:
        """The cluster with made-up pods that rules about defaults and DNS probe (see what_if.py)."""
        from .what_if import build_what_if  # only rules about defaults and DNS need it

        return build_what_if(self.cluster, self.dataplane, self.l7)

    @cached_property
    def user_namespaces(self) -> tuple[str, ...]:
        """Namespaces of the loaded cluster that are not the platform's own, sorted."""
        return tuple(sorted(n for n in self.cluster.namespaces if n not in SYSTEM_NAMESPACES))


def _identity(cause: object) -> object:
    # Model objects compare by identity (eq=False); tuples of them and strings by value.
    if isinstance(cause, tuple):
        return tuple(_identity(c) for c in cause)
    if cause is None or isinstance(cause, (str, int, float)):
        return cause
    return id(cause)


def group_by_cause(causes: Mapping[str, Sequence[_C]]) -> list[tuple[_C, list[str]]]:
    """Few findings for many pods: repeatedly pick the cause shared by most remaining pods.

    `causes` maps each pod to the objects that could be blamed (in preference order).

    >>> group_by_cause({"x/a": ["p", "q"], "x/b": ["q"], "x/c": ["p"]})
    [('p', ['x/a', 'x/c']), ('q', ['x/b'])]
    """
    left = {k: [(_identity(c), c) for c in v] for k, v in causes.items() if v}
    out: list[tuple[_C, list[str]]] = []
    while left:
        counts: dict[object, int] = {}
        first_seen: dict[object, _C] = {}
        for options in left.values():
            for key, c in options:
                counts[key] = counts.get(key, 0) + 1
                first_seen.setdefault(key, c)
        best = max(first_seen, key=lambda k: counts[k])
        pods = sorted(k for k, options in left.items() if any(key == best for key, _ in options))
        out.append((first_seen[best], pods))
        for k in pods:
            del left[k]
    return out
