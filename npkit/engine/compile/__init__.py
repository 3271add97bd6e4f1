"""Lowering every policy family onto one program of tiers, policies and rules."""

from __future__ import annotations

from ...errors import CompileError
from ...i18n import N_, messages
from ...model import Cluster, Tier
from ..program import DATAPLANES, VIEWS, CompiledPolicy, CompiledTier, Dataplane, Program, View, ViewChoice
from .k8s import compile_network_policy

# In the kubernetes view (and on the kubernetes dataplane, what kube-network-policies, the upstream
# reference implementation, enforces) the three built-in tiers go by the names ClusterNetworkPolicy
# gives them; with no ClusterNetworkPolicy loaded, the NetworkPolicy tier is just "NetworkPolicies".
KUBERNETES_TITLES = {
    "kube-admin": N_("Admin tier (ClusterNetworkPolicy)"),
    "default": N_("NetworkPolicy tier"),
    "kube-baseline": N_("Baseline tier (ClusterNetworkPolicy)"),
}
_ = messages("npkit").gettext


def uses_calico(cluster: Cluster) -> bool:
    """Whether anything Calico-specific is loaded: Calico policies, tiers of its own, network sets, staged
    Kubernetes policies."""
    return bool(cluster.calico_policies or cluster.network_sets or any(not t.builtin for t in cluster.tiers.values())
                or any(p.staged for p in cluster.network_policies))


def resolve_view(cluster: Cluster, dataplane: Dataplane, view: ViewChoice) -> View:
    """The words explanations use: `view` itself, or for "auto" Calico's only when Calico is taught (its
    objects are loaded and enforced, on the calico dataplane)."""
    if view not in VIEWS:
        raise ValueError(_("unknown view {view}; choose one of {views}").format(view=repr(view),
                                                                                views=", ".join(VIEWS)))
    if view != "auto":
        return view
    return "calico" if dataplane == "calico" and uses_calico(cluster) else "kubernetes"


def _title(name: str, view: View, cluster: Cluster) -> str:
    # The program is compiled in the language of the moment, and its titles with it.
    if view == "calico" or name not in KUBERNETES_TITLES:
        return _("tier {name}").format(name=name)
    if name == "default" and not cluster.cluster_network_policies:
        return _("NetworkPolicies")
    return _(KUBERNETES_TITLES[name])


def compile_program(cluster: Cluster, dataplane: Dataplane = "calico", l7: bool = False,
                    view: ViewChoice = "auto") -> Program:
    """Compile every policy of `cluster` for `dataplane` ("calico" or "kubernetes"), explained in `view`."""
    if dataplane not in DATAPLANES:
        raise ValueError(_("unknown dataplane {dataplane}; choose one of {dataplanes}").format(
            dataplane=repr(dataplane), dataplanes=", ".join(DATAPLANES)))
    words = resolve_view(cluster, dataplane, view)
    compiled: list[CompiledPolicy] = [compile_network_policy(p) for p in cluster.network_policies]
    # Each family's compiler is imported when a policy of it is loaded (start-up stays short).
    if cluster.cluster_network_policies:
        from .cnp import compile_cluster_network_policy

        sets = any(s.namespace is not None for s in cluster.network_sets)  # Calico's namespaces peers match them
        compiled += [compile_cluster_network_policy(p, dataplane, sets) for p in cluster.cluster_network_policies]
    notes: list[str] = []
    tiers: dict[str, Tier] = {n: t for n, t in cluster.tiers.items() if t.builtin}
    if dataplane == "calico":
        if cluster.calico_policies:
            from .calico import compile_calico_policy

            compiled += [compile_calico_policy(p, l7) for p in cluster.calico_policies]
        tiers = dict(cluster.tiers)
    elif cluster.calico_policies or len(cluster.tiers) > len(tiers) or cluster.network_sets:
        notes.append(_(
            "Calico objects (projectcalico.org/v3) have no effect on the kubernetes dataplane: it enforces "
            "only NetworkPolicy and ClusterNetworkPolicy, as kube-network-policies does (kind's built-in "
            "kindnet enforces NetworkPolicy alone)"
        ))
    enforced = [p for p in compiled if not p.staged]
    staged = tuple(p for p in compiled if p.staged)
    if staged:
        notes.append(_("staged policies are shown but never enforced"))
    by_tier: dict[str, list[CompiledPolicy]] = {}
    for p in enforced:
        if p.tier not in tiers:
            raise CompileError(_("{policy} names tier {tier}, which does not exist").format(policy=p.ref,
                                                                                              tier=repr(p.tier)))
        by_tier.setdefault(p.tier, []).append(p)
    out = []
    for name, tier in tiers.items():
        policies = tuple(sorted(by_tier.get(name, ()), key=lambda p: p.sort_key))
        out.append(CompiledTier(name, tier.order, tier.default_action, policies, _title(name, words, cluster)))
    out.sort(key=lambda t: t.sort_key)
    return Program(tuple(out), dataplane, l7, staged, tuple(notes), words)
