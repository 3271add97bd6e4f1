"""DNS under egress isolation (chapter: "通常需要允许 DNS"): can isolated pods still resolve names?

Asked of the engine, not of the YAML: a pod whose egress some policy restricts must reach
every kube-dns pod (label k8s-app=kube-dns in kube-system) on UDP 53 and TCP 53, since the
kube-dns Service may send any query to any of them. With no kube-dns pod loaded, npkit
assumes the standard one and says so; with no pods at all, it asks about a new pod in
each namespace. Any selector form that reaches kube-dns passes: the chapter's
`namespaceSelector: {}` and the best-practice `kubernetes.io/metadata.name: kube-system`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ...model import AnyPolicy, CalicoPolicy, ClusterNetworkPolicy, NetworkPolicy
from ..context import LintContext, group_by_cause, listing
from ..registry import Hit, lint_rule
from ..what_if import DNS_NAMESPACE, ELSEWHERE, WhatIf, is_kube_dns


@dataclass(frozen=True)
class Client:
    """A pod whose egress policies were checked against kube-dns."""

    key: str
    egress_policies: tuple[AnyPolicy, ...]  # model policies selecting it for egress, in evaluation order
    udp_missing: tuple[str, ...]  # kube-dns pods it cannot reach on UDP 53
    tcp_missing: tuple[str, ...]


def _clients(ctx: LintContext) -> list[Client]:
    w: WhatIf = ctx.what_if
    e = w.engine
    if ctx.has_pods:
        keys = [p.key for p in ctx.cluster.pods if not p.host_network and not is_kube_dns(p)]
    else:
        keys = [w.new_pods[n] for n in ctx.user_namespaces if n in w.new_pods]
    udp, tcp = w.reach(53, "UDP"), w.reach(53, "TCP")
    dns = [w.index(k) for k in w.kube_dns]
    egress = [p for p in e.program.policies if "Egress" in p.directions and p.ref in ctx.model]
    out = []
    for key in keys:
        i = w.index(key)
        policies = tuple(ctx.model[p.ref] for p in egress if e.subjects[id(p)][i])
        if not policies:
            continue
        out.append(Client(key, policies,
                          tuple(w.kube_dns[n] for n, d in enumerate(dns) if not udp[i, d]),
                          tuple(w.kube_dns[n] for n, d in enumerate(dns) if not tcp[i, d])))
    return out


def _why(ctx: LintContext, src: str, dst: str, protocol: str) -> tuple[str, list[AnyPolicy]]:
    """Why src → dst on 53 fails: the deciding side's words, and the policies to blame."""
    w: WhatIf = ctx.what_if
    v = w.engine.verdict(src, dst, 53, protocol)
    side = v.egress if not v.egress.allowed else v.ingress
    blame = [ctx.model[r] for r in side.selected_by if r in ctx.model]
    where = f"egress of {src}" if side is v.egress else f"ingress of {dst}"
    return f"{src} → {dst} {protocol}/53, {where}: {side.decision.text}", blame


def _assumed(ctx: LintContext) -> str:
    w: WhatIf = ctx.what_if
    notes = []
    if w.assumed_dns:
        notes.append(f" (No kube-dns pod was loaded, so npkit assumed one: {w.kube_dns[0]}, labelled "
                     "k8s-app=kube-dns, serving UDP and TCP 53.)")
    if not ctx.has_pods:
        notes.append(" (No pods were loaded: npkit asked about a new, unlabelled pod in each namespace.)")
    return "".join(notes)


def _shown(ctx: LintContext, key: str) -> str:
    w: WhatIf = ctx.what_if
    if not ctx.has_pods and key in w.new_pods.values():
        return f"a new pod in namespace {key.split('/')[0]}"
    return key


def _allow_dns_fix(policy: AnyPolicy) -> str:
    if isinstance(policy, CalicoPolicy):
        return ("add egress rules that allow DNS to kube-dns before any Deny, e.g.\n"
                "- action: Allow\n  protocol: UDP\n  destination:\n"
                "    namespaceSelector: kubernetes.io/metadata.name == 'kube-system'\n"
                "    selector: k8s-app == 'kube-dns'\n    ports: [53]\n"
                "and the same rule with protocol: TCP")
    if isinstance(policy, ClusterNetworkPolicy):
        return ("add an egress rule before the others: action: Accept, to: pods with namespaceSelector "
                "kubernetes.io/metadata.name=kube-system and podSelector k8s-app=kube-dns, "
                "protocols: udp and tcp destinationPort 53")
    ns = policy.namespace if isinstance(policy, NetworkPolicy) else "<namespace>"
    return ("allow DNS to kube-dns, UDP and TCP, e.g.\n"
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            f"metadata: {{name: allow-dns, namespace: {ns}}}\n"
            "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n"
            "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n"
            "      podSelector: {matchLabels: {k8s-app: kube-dns}}\n"
            "    ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 53}")


def _types_path(policy: AnyPolicy) -> str:
    if isinstance(policy, NetworkPolicy):
        return "spec.policyTypes"
    if isinstance(policy, CalicoPolicy):
        return "spec.types"
    return "spec.egress"


@lint_rule("NP101", "dns-egress", "error",
           "pods whose egress is restricted cannot reach kube-dns on UDP 53: name lookups fail")
def dns_egress(ctx: LintContext) -> Iterator[Hit]:
    clients = ctx.memo("dns-clients", lambda: _clients(ctx))
    failing = {c.key: c for c in clients if c.udp_missing}
    causes: dict[str, list[AnyPolicy]] = {}
    reasons: dict[str, str] = {}
    for key, c in failing.items():
        reasons[key], blame = _why(ctx, key, c.udp_missing[0], "UDP")
        causes[key] = list(blame) or list(c.egress_policies)
    w: WhatIf = ctx.what_if
    for policy, keys in group_by_cause(causes):
        first = failing[keys[0]]
        shown = [_shown(ctx, k) for k in keys]
        also_tcp = all(failing[k].tcp_missing for k in keys)
        some = len(first.udp_missing) < len(w.kube_dns)
        if some:
            reach = (f"can reach only {len(w.kube_dns) - len(first.udp_missing)} of the {len(w.kube_dns)} "
                     "kube-dns pods on UDP 53 (the kube-dns Service sends each query to any of them)")
        else:
            reach = (f"cannot reach kube-dns ({listing(w.kube_dns)}) on UDP 53"
                     f"{' or TCP 53' if also_tcp else ''}")
        message = (f"{listing(shown)} {'is' if len(keys) == 1 else 'are'} restricted for egress and {reach}: "
                   "name lookups fail, so connecting by name (service.namespace) breaks even where the "
                   f"connection itself is allowed. For example, {reasons[keys[0]]}.{_assumed(ctx)}")
        if any(policy is p for p in first.egress_policies):
            fix = _allow_dns_fix(policy)
        else:  # kube-dns's own ingress policy drops the queries
            message = message.replace(" and cannot reach", ", and the ingress policies of kube-dns keep them "
                                      "from reaching", 1)
            fix = (f"let DNS in: give {policy.ref} an ingress rule that allows UDP and TCP 53 "
                   "from every pod that needs names (usually from all namespaces)")
        yield Hit(message, fix, policy, _types_path(policy))


@lint_rule("NP102", "dns-tcp", "warning",
           "pods reach kube-dns on UDP 53 but not on TCP 53: large DNS answers fail")
def dns_tcp(ctx: LintContext) -> Iterator[Hit]:
    clients = ctx.memo("dns-clients", lambda: _clients(ctx))
    w: WhatIf = ctx.what_if
    causes: dict[str, list[tuple[AnyPolicy, str | None]]] = {}
    for c in clients:
        if c.udp_missing or not c.tcp_missing:
            continue
        # Blame the rule that lets UDP through: that is where TCP 53 belongs.
        v = w.engine.verdict(c.key, c.tcp_missing[0], 53, "UDP")
        d = v.egress.decision
        policy = ctx.model.get(d.policy) if d.policy is not None else None
        causes[c.key] = [(policy, d.rule)] if policy is not None else [(c.egress_policies[0], None)]
    for (policy, rule_path), keys in group_by_cause(causes):
        shown = [_shown(ctx, k) for k in keys]
        message = (f"{listing(shown)} can reach kube-dns on UDP 53 but not on TCP 53. DNS switches to TCP "
                   "when an answer does not fit in a UDP packet (many records, DNSSEC, long names), so "
                   f"those lookups fail.{_assumed(ctx)}")
        if rule_path:
            fix = f"add {{protocol: TCP, port: 53}} to {rule_path}.ports, next to UDP 53"
            if isinstance(policy, CalicoPolicy):
                fix = f"add a copy of {rule_path} with protocol: TCP"
            path = f"{rule_path}.ports" if isinstance(policy, NetworkPolicy) else rule_path
        else:
            fix, path = _allow_dns_fix(policy), _types_path(policy)
        yield Hit(message, fix, policy, path)


@lint_rule("NP104", "dns-any-namespace", "warning",
           "the DNS rule trusts the label k8s-app=kube-dns in every namespace, not only kube-system")
def dns_any_namespace(ctx: LintContext) -> Iterator[Hit]:
    clients = ctx.memo("dns-clients", lambda: _clients(ctx))
    w: WhatIf = ctx.what_if
    udp = w.reach(53, "UDP")
    impostor, stranger = w.index(w.impostor), w.index(w.stranger)
    real_impostors = [p.key for p in ctx.cluster.pods
                      if p.labels.get("k8s-app") == "kube-dns" and p.namespace != DNS_NAMESPACE]
    causes: dict[str, list[tuple[AnyPolicy, str]]] = {}
    for c in clients:
        i = w.index(c.key)
        if c.udp_missing or not udp[i, impostor] or udp[i, stranger]:
            continue
        d = w.engine.verdict(c.key, w.impostor, 53, "UDP").egress.decision
        if d.policy is not None and d.policy in ctx.model and d.rule is not None:
            causes[c.key] = [(ctx.model[d.policy], d.rule)]
    for (policy, rule_path), keys in group_by_cause(causes):
        shown = [_shown(ctx, k) for k in keys]
        reached = [k for k in real_impostors if np.all(udp[[w.index(x) for x in keys], w.index(k)])]
        example = (f"{listing(reached)} already {'does' if len(reached) == 1 else 'do'}" if reached else
                   f"npkit tried a pod labelled k8s-app=kube-dns in a new namespace ({ELSEWHERE}), and "
                   "it received the queries while an unlabelled pod next to it did not")
        message = (f"{rule_path} lets {listing(shown)} send DNS queries to any pod labelled k8s-app=kube-dns "
                   f"in any namespace. Whoever can create pods in some namespace can answer their lookups: "
                   f"{example}.")
        if isinstance(policy, CalicoPolicy):
            fix = "set the rule's destination namespaceSelector: kubernetes.io/metadata.name == 'kube-system'"
        elif isinstance(policy, ClusterNetworkPolicy):
            fix = "use a pods peer with namespaceSelector kubernetes.io/metadata.name=kube-system"
        else:
            fix = ("pin the namespace in the same peer: namespaceSelector: {matchLabels: "
                   "{kubernetes.io/metadata.name: kube-system}} (the API server sets that label on every "
                   "namespace, so it cannot be faked)")
        yield Hit(message, fix, policy, rule_path)
