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

from ...i18n import N_, messages
from ...model import AnyPolicy, CalicoPolicy, ClusterNetworkPolicy, NetworkPolicy
from ..context import LintContext, group_by_cause, listing
from ..registry import Hit, lint_rule
from ..what_if import DNS_NAMESPACE, ELSEWHERE, WhatIf, is_kube_dns

_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext


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
    if side is v.egress:
        template = _("{src} → {dst} {protocol}/53, egress of {src}: {decision}")
    else:
        template = _("{src} → {dst} {protocol}/53, ingress of {dst}: {decision}")
    return template.format(src=src, dst=dst, protocol=protocol, decision=side.decision.text), blame


def _assumed(ctx: LintContext) -> str:
    w: WhatIf = ctx.what_if
    notes = []
    if w.assumed_dns:
        notes.append(_(" (No kube-dns pod was loaded, so npkit assumed one: {pod}, labelled k8s-app=kube-dns, "
                       "serving UDP and TCP 53.)").format(pod=w.kube_dns[0]))
    if not ctx.has_pods:
        notes.append(_(" (No pods were loaded: npkit asked about a new, unlabelled pod in each namespace.)"))
    return "".join(notes)


def _shown(ctx: LintContext, key: str) -> str:
    w: WhatIf = ctx.what_if
    if not ctx.has_pods and key in w.new_pods.values():
        return _("a new pod in namespace {namespace}").format(namespace=key.split("/")[0])
    return key


def _allow_dns_fix(policy: AnyPolicy) -> str:
    if isinstance(policy, CalicoPolicy):
        return (_("add egress rules that allow DNS to kube-dns before any Deny, e.g.") + "\n"
                "- action: Allow\n  protocol: UDP\n  destination:\n"
                "    namespaceSelector: kubernetes.io/metadata.name == 'kube-system'\n"
                "    selector: k8s-app == 'kube-dns'\n    ports: [53]\n"
                + _("and the same rule with protocol: TCP"))
    if isinstance(policy, ClusterNetworkPolicy):
        return _("add an egress rule before the others: action: Accept, to: pods with namespaceSelector "
                 "kubernetes.io/metadata.name=kube-system and podSelector k8s-app=kube-dns, "
                 "protocols: udp and tcp destinationPort 53")
    ns = policy.namespace if isinstance(policy, NetworkPolicy) else "<namespace>"
    return (_("allow DNS to kube-dns, UDP and TCP, e.g.") + "\n"
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


def _restricted(n: int, some: bool, also_tcp: bool, kube_dns_ingress: bool) -> str:
    """"x/a is restricted for egress and cannot reach kube-dns (...) on UDP 53", one sentence per case."""
    if some:
        return ngettext("{pods} is restricted for egress and can reach only {reachable} of the {total} kube-dns pods "
                        "on UDP 53 (the kube-dns Service sends each query to any of them)",
                        "{pods} are restricted for egress and can reach only {reachable} of the {total} kube-dns "
                        "pods on UDP 53 (the kube-dns Service sends each query to any of them)", n)
    if kube_dns_ingress:  # kube-dns's own ingress policies drop the queries
        if also_tcp:
            return ngettext("{pods} is restricted for egress, and the ingress policies of kube-dns keep them from "
                            "reaching kube-dns ({dns}) on UDP 53 or TCP 53",
                            "{pods} are restricted for egress, and the ingress policies of kube-dns keep them from "
                            "reaching kube-dns ({dns}) on UDP 53 or TCP 53", n)
        return ngettext("{pods} is restricted for egress, and the ingress policies of kube-dns keep them from "
                        "reaching kube-dns ({dns}) on UDP 53",
                        "{pods} are restricted for egress, and the ingress policies of kube-dns keep them from "
                        "reaching kube-dns ({dns}) on UDP 53", n)
    if also_tcp:
        return ngettext("{pods} is restricted for egress and cannot reach kube-dns ({dns}) on UDP 53 or TCP 53",
                        "{pods} are restricted for egress and cannot reach kube-dns ({dns}) on UDP 53 or TCP 53", n)
    return ngettext("{pods} is restricted for egress and cannot reach kube-dns ({dns}) on UDP 53",
                    "{pods} are restricted for egress and cannot reach kube-dns ({dns}) on UDP 53", n)


@lint_rule("NP101", "dns-egress", "error",
           N_("pods whose egress is restricted cannot reach kube-dns on UDP 53: name lookups fail"))
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
        own_egress = any(policy is p for p in first.egress_policies)
        restricted = _restricted(len(keys), some, also_tcp, not own_egress).format(
            pods=listing(shown), reachable=len(w.kube_dns) - len(first.udp_missing), total=len(w.kube_dns),
            dns=listing(w.kube_dns))
        message = _("{restricted}: name lookups fail, so connecting by name (service.namespace) breaks even where "
                    "the connection itself is allowed. For example, {example}.{assumed}").format(
            restricted=restricted, example=reasons[keys[0]], assumed=_assumed(ctx))
        if own_egress:
            fix = _allow_dns_fix(policy)
        else:
            fix = _("let DNS in: give {policy} an ingress rule that allows UDP and TCP 53 from every pod that needs "
                    "names (usually from all namespaces)").format(policy=policy.ref)
        yield Hit(message, fix, policy, _types_path(policy))


@lint_rule("NP102", "dns-tcp", "warning",
           N_("pods reach kube-dns on UDP 53 but not on TCP 53: large DNS answers fail"))
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
        message = _("{pods} can reach kube-dns on UDP 53 but not on TCP 53. DNS switches to TCP when an answer does "
                    "not fit in a UDP packet (many records, DNSSEC, long names), so those lookups "
                    "fail.{assumed}").format(pods=listing(shown), assumed=_assumed(ctx))
        if rule_path:
            if isinstance(policy, CalicoPolicy):
                fix = _("add a copy of {rule} with protocol: TCP").format(rule=rule_path)
            else:
                fix = _("add {{protocol: TCP, port: 53}} to {rule}.ports, next to UDP 53").format(rule=rule_path)
            path = f"{rule_path}.ports" if isinstance(policy, NetworkPolicy) else rule_path
        else:
            fix, path = _allow_dns_fix(policy), _types_path(policy)
        yield Hit(message, fix, policy, path)


@lint_rule("NP104", "dns-any-namespace", "warning",
           N_("the DNS rule trusts the label k8s-app=kube-dns in every namespace, not only kube-system"))
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
        if reached:
            example = ngettext("{pods} already does", "{pods} already do", len(reached)).format(pods=listing(reached))
        else:
            example = _("npkit tried a pod labelled k8s-app=kube-dns in a new namespace ({namespace}), and it "
                        "received the queries while an unlabelled pod next to it did not").format(namespace=ELSEWHERE)
        message = _("{rule} lets {pods} send DNS queries to any pod labelled k8s-app=kube-dns in any namespace. "
                    "Whoever can create pods in some namespace can answer their lookups: {example}.").format(
            rule=rule_path, pods=listing(shown), example=example)
        if isinstance(policy, CalicoPolicy):
            fix = _("set the rule's destination namespaceSelector: kubernetes.io/metadata.name == 'kube-system'")
        elif isinstance(policy, ClusterNetworkPolicy):
            fix = _("use a pods peer with namespaceSelector kubernetes.io/metadata.name=kube-system")
        else:
            fix = _("pin the namespace in the same peer: namespaceSelector: {matchLabels: "
                    "{kubernetes.io/metadata.name: kube-system}} (the API server sets that label on every "
                    "namespace, so it cannot be faked)")
        yield Hit(message, fix, policy, rule_path)
