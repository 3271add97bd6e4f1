"""npkit check: validate inputs and summarise what they contain."""

from __future__ import annotations

import argparse

from ...i18n import messages
from ..common import Subcommands, add_dataplane, add_inputs, engine_for, load_inputs

_tools = messages("npkit-tools")
_, ngettext, pgettext = _tools.gettext, _tools.ngettext, _tools.pgettext


def register(sub: Subcommands) -> None:
    p = sub.add_parser("check", description=_("Validate the inputs like the API server would and summarise them."))
    add_inputs(p)
    add_dataplane(p)
    p.set_defaults(run=run)



def run(args: argparse.Namespace) -> int:
    cluster = load_inputs(args)
    engine = engine_for(args, cluster)
    n = len(cluster.namespaces)
    counts = [ngettext("{n} namespace", "{n} namespaces", n).format(n=n)]
    n = len(cluster.pods)
    counts.append(ngettext("{n} pod", "{n} pods", n).format(n=n))
    n = len(cluster.network_policies)
    counts.append(ngettext("{n} NetworkPolicy", "{n} NetworkPolicies", n).format(n=n))
    if cluster.calico_policies:
        n = len(cluster.calico_policies)
        counts.append(ngettext("{n} Calico policy", "{n} Calico policies", n).format(n=n))
    if cluster.cluster_network_policies:
        n = len(cluster.cluster_network_policies)
        counts.append(ngettext("{n} ClusterNetworkPolicy", "{n} ClusterNetworkPolicies", n).format(n=n))
    user_tiers = [t for t in cluster.tiers.values() if not t.builtin]
    if user_tiers:
        n = len(user_tiers)
        counts.append(ngettext("{n} tier", "{n} tiers", n).format(n=n))
    # Translators: the separator of a list of counts ("2 namespaces, 3 pods"); Chinese uses 、
    print(_("OK: {counts}").format(counts=pgettext("list", ", ").join(counts)))
    for direction in ("Ingress", "Egress"):
        policies = [(p, engine.subjects[id(p)]) for p in engine.program.policies if direction in p.directions]
        rows = []
        for i, key in enumerate(engine.pods):
            refs = [str(p.ref) for p, selected in policies if selected[i]]
            if refs:
                rows.append(f"  {key}: {', '.join(refs)}")
        title = (_("ingress-isolated pods: {n} of {total}") if direction == "Ingress"
                 else _("egress-isolated pods: {n} of {total}"))
        print(title.format(n=len(rows), total=len(engine.pods)))
        for r in rows:
            print(r)
    return 0
