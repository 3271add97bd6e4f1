"""npkit check: validate inputs and summarise what they contain."""

from __future__ import annotations

import argparse

from ..common import add_dataplane, add_inputs, engine_for, load_inputs


def register(sub) -> None:
    p = sub.add_parser("check", help="validate policies and show what they select",
                       description="Validate the inputs like the API server would and summarise them.")
    add_inputs(p)
    add_dataplane(p)
    p.set_defaults(run=run)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def run(args: argparse.Namespace) -> int:
    cluster = load_inputs(args)
    engine = engine_for(args, cluster)
    counts = [
        _plural(len(cluster.namespaces), "namespace"),
        _plural(len(cluster.pods), "pod"),
        _plural(len(cluster.network_policies), "NetworkPolicy"),
    ]
    if cluster.calico_policies:
        counts.append(_plural(len(cluster.calico_policies), "Calico policy"))
    if cluster.cluster_network_policies:
        counts.append(_plural(len(cluster.cluster_network_policies), "ClusterNetworkPolicy"))
    user_tiers = [t for t in cluster.tiers.values() if not t.builtin]
    if user_tiers:
        counts.append(_plural(len(user_tiers), "tier"))
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
