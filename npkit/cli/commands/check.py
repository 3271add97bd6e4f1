"""npkit check: validate inputs and summarise what they contain."""

from __future__ import annotations

import argparse

from ...lint.context import plural
from ..common import Subcommands, add_dataplane, add_inputs, engine_for, load_inputs


def register(sub: Subcommands) -> None:
    p = sub.add_parser("check", description="Validate the inputs like the API server would and summarise them.")
    add_inputs(p)
    add_dataplane(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cluster = load_inputs(args)
    engine = engine_for(args, cluster)
    counts = [
        plural(len(cluster.namespaces), "namespace"),
        plural(len(cluster.pods), "pod"),
        plural(len(cluster.network_policies), "NetworkPolicy", "NetworkPolicies"),
    ]
    if cluster.calico_policies:
        counts.append(plural(len(cluster.calico_policies), "Calico policy", "Calico policies"))
    if cluster.cluster_network_policies:
        counts.append(plural(len(cluster.cluster_network_policies), "ClusterNetworkPolicy",
                             "ClusterNetworkPolicies"))
    user_tiers = [t for t in cluster.tiers.values() if not t.builtin]
    if user_tiers:
        counts.append(plural(len(user_tiers), "tier"))
    print("OK: " + ", ".join(counts))
    for direction in ("Ingress", "Egress"):
        policies = [(p, engine.subjects[id(p)]) for p in engine.program.policies if direction in p.directions]
        rows = []
        for i, key in enumerate(engine.pods):
            refs = [str(p.ref) for p, selected in policies if selected[i]]
            if refs:
                rows.append(f"  {key}: {', '.join(refs)}")
        print(f"{direction.lower()}-isolated pods: {len(rows)} of {len(engine.pods)}")
        for r in rows:
            print(r)
    return 0
