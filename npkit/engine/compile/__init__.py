"""Lowering every policy family onto one program of tiers, policies and rules."""

from __future__ import annotations

from ...errors import CompileError
from ...model import Cluster, Tier
from ..program import DATAPLANES, CompiledPolicy, CompiledTier, Dataplane, Program
from .calico import compile_calico_policy
from .cnp import compile_cluster_network_policy
from .k8s import compile_network_policy

# Under the kubernetes dataplane (what kube-network-policies, the upstream reference implementation,
# enforces) the same three tiers exist under the names ClusterNetworkPolicy gives them.
KUBERNETES_TITLES = {
    "kube-admin": "Admin tier (ClusterNetworkPolicy)",
    "default": "NetworkPolicy tier",
    "kube-baseline": "Baseline tier (ClusterNetworkPolicy)",
}


def compile_program(cluster: Cluster, dataplane: Dataplane = "calico", l7: bool = False) -> Program:
    """Compile every policy of `cluster` for `dataplane` ("calico" or "kubernetes")."""
    if dataplane not in DATAPLANES:
        raise ValueError(f"unknown dataplane {dataplane!r}; choose one of {', '.join(DATAPLANES)}")
    compiled: list[CompiledPolicy] = [compile_network_policy(p) for p in cluster.network_policies]
    compiled += [compile_cluster_network_policy(p, dataplane) for p in cluster.cluster_network_policies]
    notes: list[str] = []
    tiers: dict[str, Tier] = {n: t for n, t in cluster.tiers.items() if t.builtin}
    if dataplane == "calico":
        compiled += [compile_calico_policy(p, l7) for p in cluster.calico_policies]
        tiers = dict(cluster.tiers)
    elif cluster.calico_policies or len(cluster.tiers) > len(tiers) or cluster.network_sets:
        notes.append(
            "Calico objects (projectcalico.org/v3) have no effect on the kubernetes dataplane: it enforces "
            "only NetworkPolicy and ClusterNetworkPolicy, as kube-network-policies does (kind's built-in "
            "kindnet enforces NetworkPolicy alone)"
        )
    enforced = [p for p in compiled if not p.staged]
    staged = tuple(p for p in compiled if p.staged)
    if staged:
        notes.append("staged policies are shown but never enforced")
    by_tier: dict[str, list[CompiledPolicy]] = {}
    for p in enforced:
        if p.tier not in tiers:
            raise CompileError(f"{p.ref} names tier {p.tier!r}, which does not exist")
        by_tier.setdefault(p.tier, []).append(p)
    out = []
    for name, tier in tiers.items():
        policies = tuple(sorted(by_tier.get(name, ()), key=lambda p: p.sort_key))
        title = KUBERNETES_TITLES.get(name, name) if dataplane == "kubernetes" else f"tier {name}"
        out.append(CompiledTier(name, tier.order, tier.default_action, policies, title))
    out.sort(key=lambda t: t.sort_key)
    return Program(tuple(out), dataplane, l7, staged, tuple(notes))
