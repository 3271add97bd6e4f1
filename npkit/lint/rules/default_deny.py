"""A default deny in every namespace (chapter: "每个命名空间应用默认拒绝").

Asked of the engine with a made-up pod: would a new, unlabelled pod in the namespace refuse
a connection from a stranger (an unlabelled pod in an unlabelled namespace) on a port no
policy names, and be refused when it connects to one? Any policy family counts: a
NetworkPolicy with `podSelector: {}`, a Calico GlobalNetworkPolicy, a Baseline
ClusterNetworkPolicy ending in Deny. Platform namespaces (kube-system, calico-system, ...)
are left alone: a default deny there breaks the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...i18n import N_, messages
from ..context import LintContext
from ..registry import Hit, lint_rule
from ..what_if import WhatIf

_ = messages("npkit").gettext

def _fix(namespace: str, missing: list[str]) -> str:
    types = ", ".join(d.capitalize() for d in missing)
    name = "default-deny-all" if len(missing) == 2 else f"default-deny-{missing[0]}"
    text = (_("add a default deny to namespace {namespace}, then allow what it needs:").format(namespace=namespace)
            + "\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            f"metadata: {{name: {name}, namespace: {namespace}}}\n"
            f"spec:\n  podSelector: {{}}\n  policyTypes: [{types}]")
    if "egress" in missing:
        text += "\n" + _("(with egress denied, also allow DNS: see rule NP101)")
    return text


def _message(namespace: str, missing: list[str], because: str, port: int) -> str:
    """What a pod created tomorrow in `namespace` would do, one sentence per combination of open directions."""
    if missing == ["ingress"]:
        template = _("namespace {namespace} has no default deny for ingress: a pod created there tomorrow, with "
                     "labels no policy expects, would accept connections from any pod and any address{because}. "
                     "npkit tried a new unlabelled pod on TCP/{port}, a port no policy names.")
    elif missing == ["egress"]:
        template = _("namespace {namespace} has no default deny for egress: a pod created there tomorrow, with "
                     "labels no policy expects, would open connections to anywhere{because}. npkit tried a new "
                     "unlabelled pod on TCP/{port}, a port no policy names.")
    else:
        template = _("namespace {namespace} has no default deny for ingress or egress: a pod created there "
                     "tomorrow, with labels no policy expects, would accept connections from any pod and any "
                     "address and open connections to anywhere{because}. npkit tried a new unlabelled pod on "
                     "TCP/{port}, a port no policy names.")
    return template.format(namespace=namespace, because=because, port=port)


@lint_rule("NP103", "default-deny", "warning",
           N_("a namespace has no default deny for ingress and/or egress: new pods accept and open any connection"))
def default_deny(ctx: LintContext) -> Iterator[Hit]:
    w: WhatIf = ctx.what_if
    port = w.unused_port
    for name in ctx.user_namespaces:
        new = w.new_pods.get(name)
        if new is None:
            continue
        ingress = w.engine.verdict(w.stranger, new, port, "TCP").ingress
        egress = w.engine.verdict(new, w.stranger, port, "TCP").egress
        missing = [d for d, side in (("ingress", ingress), ("egress", egress)) if side.allowed]
        if not missing:
            continue
        why = []
        for side, its in ((ingress, _("its ingress is {decision}")), (egress, _("its egress is {decision}"))):
            if side.allowed and side.decision.kind == "rule":
                why.append(its.format(decision=side.decision.text))
        because = _(" ({reasons})").format(reasons=_("; ").join(why)) if why else ""
        yield Hit(_message(name, missing, because, port), _fix(name, missing), ctx.cluster.namespaces.get(name))
