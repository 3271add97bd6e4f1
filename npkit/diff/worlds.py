"""The two worlds `npkit diff` compares: the same pods and namespaces, each side's policies."""

from __future__ import annotations

from ..model import Cluster


def before_and_after(old: Cluster, new: Cluster) -> tuple[Cluster, Cluster]:
    """(before, after) from what -f and --against loaded.

    Pods, namespaces, network sets and tiers come from both sides (each side's own version
    wins on its side), so a file of policies alone can be compared against a full cluster;
    policies come from their own side only, so a policy missing from NEW counts as deleted.

    >>> from npkit.model import NetworkPolicy, Pod
    >>> old = Cluster(pods=(Pod("a", "x"),), network_policies=(NetworkPolicy("p", "x"),))
    >>> before, after = before_and_after(old, Cluster())
    >>> [p.key for p in after.pods], len(before.network_policies), len(after.network_policies)
    (['x/a'], 1, 0)
    """
    before = new.with_policies(()).merged(old)
    after = old.with_policies(()).merged(new)
    return before, after
