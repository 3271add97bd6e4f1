"""What the local-backend tests share: the skip reason, a lab fixture factory, small scenarios."""

from __future__ import annotations

import itertools
import os

import pytest

from npkit.lab.backends.local import local_preflight
from npkit.model import BUILTIN_TIERS, Cluster, ContainerPort, Namespace, Pod

PROBLEMS = local_preflight()
# One line saying why, e.g. "the local lab backend needs root (...)": pytest -rs shows it.
requires_netns = [
    pytest.mark.netns,
    pytest.mark.skipif(bool(PROBLEMS), reason=PROBLEMS[0] if PROBLEMS else ""),
]
_ids = itertools.count()


def lab_id(tag: str) -> str:
    """A lab id unique to this test process, so parallel runs never share namespaces."""
    return f"t{os.getpid() % 100000}-{tag}-{next(_ids)}"


def scenario(*pods: Pod, tiers=()) -> Cluster:
    namespaces = {p.namespace: Namespace(p.namespace, {"kubernetes.io/metadata.name": p.namespace}) for p in pods}
    return Cluster(namespaces=namespaces, pods=pods,
                   tiers={t.name: t for t in (*BUILTIN_TIERS, *tiers)})


def pod(name: str, ns: str, ip: str, labels=None, ports=(80,), named=None) -> Pod:
    """A pod serving TCP `ports` (and `named`: {name: (port, protocol)})."""
    cps = [ContainerPort(p) for p in ports]
    cps += [ContainerPort(number, protocol, n) for n, (number, protocol) in (named or {}).items()]
    return Pod(name, ns, labels or {}, tuple(cps), ip=ip)
