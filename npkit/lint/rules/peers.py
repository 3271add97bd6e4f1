"""The shape of Kubernetes rules: the AND-versus-OR dash, allow-all rules hiding among specific
ones, and ipBlocks that also contain pod addresses."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...engine.compile.k8s import peer_set
from ...i18n import N_, messages
from ...loading.addresses import POD_RANGE, range_of
from ...model import NetworkPolicy, Peer, Pod
from ...selectors import k8s
from ..context import LintContext, listing, pods
from ..registry import Hit, lint_rule

_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext

DIRECTIONS = (("ingress", "from"), ("egress", "to"))


def _ns_only(p: Peer) -> bool:
    return p.namespace_selector is not None and p.pod_selector is None and p.ip_block is None


def _pod_only(p: Peer) -> bool:
    return p.pod_selector is not None and p.namespace_selector is None and p.ip_block is None


@lint_rule("NP301", "and-or-peers", "warning",
           N_("a namespaceSelector-only peer next to a podSelector-only peer: two peers (OR), maybe meant as one "
              "(AND)"))
def and_or_peers(ctx: LintContext) -> Iterator[Hit]:
    u = ctx.engine.universe
    for policy in ctx.cluster.network_policies:
        for key, field in DIRECTIONS:
            for r, rule in enumerate(getattr(policy, key)):
                for i in range(len(rule.peers) - 1):
                    a, b = rule.peers[i], rule.peers[i + 1]
                    if not ((_ns_only(a) and _pod_only(b)) or (_pod_only(a) and _ns_only(b))):
                        continue
                    ns_peer, pod_peer = (a, b) if _ns_only(a) else (b, a)
                    ns_text = k8s.describe(ns_peer.namespace_selector)
                    pod_text = k8s.describe(pod_peer.pod_selector)
                    base = f"spec.{key}[{r}].{field}"
                    if key == "ingress":
                        template = _("{first} and {second} are two peers, so either one lets a pod in (OR): every pod "
                                     "in namespaces matching {namespaces}, or pods matching {pods} in namespace "
                                     "{namespace}. If you meant pods matching {pods} in namespaces matching "
                                     "{namespaces} (AND), they must be one peer.")
                    else:
                        template = _("{first} and {second} are two peers, so either one lets a pod out (OR): every "
                                     "pod in namespaces matching {namespaces}, or pods matching {pods} in namespace "
                                     "{namespace}. If you meant pods matching {pods} in namespaces matching "
                                     "{namespaces} (AND), they must be one peer.")
                    message = template.format(first=f"{field}[{i}]", second=f"{field}[{i + 1}]", namespaces=ns_text,
                                              pods=pod_text, namespace=policy.namespace)
                    if ctx.has_pods:
                        both = Peer(pod_peer.pod_selector, ns_peer.namespace_selector)
                        either = peer_set(a, policy.namespace).mask(u) | peer_set(b, policy.namespace).mask(u)
                        anded = peer_set(both, policy.namespace).mask(u)
                        message += _(" With the loaded pods, OR matches {either}; AND would match {both}.").format(
                            either=pods(int(either.sum())), both=int(anded.sum()))
                    second = "podSelector" if pod_peer is b else "namespaceSelector"
                    fix = _("for AND, delete the `-` in front of {selector} in {second} and indent it under {first}; "
                            "for OR, keep both peers (this finding is then only a reminder)").format(
                        selector=second, first=f"{field}[{i}]", second=f"{field}[{i + 1}]")
                    yield Hit(message, fix, policy, f"{base}[{i + 1}]")


def _allows_all(policy: NetworkPolicy, key: str, r: int) -> str | None:
    rule = getattr(policy, key)[r]
    if rule.peers or rule.ports:
        return None
    field = "from" if key == "ingress" else "to"
    written = f"spec.{key}[{r}].{field}" in policy.field_lines
    return f"`{field}: []`" if written else "`{}`"


@lint_rule("NP302", "allow-all-rule", "warning",
           N_("a rule that allows everything (`{}` or `from: []`) sits among specific rules, which then restrict "
              "nothing"))
def allow_all_rule(ctx: LintContext) -> Iterator[Hit]:
    for policy in ctx.cluster.network_policies:
        for key, _field in DIRECTIONS:
            rules = getattr(policy, key)
            if len(rules) < 2:
                continue
            for r in range(len(rules)):
                shape = _allows_all(policy, key, r)
                if shape is None:
                    continue
                others = [f"spec.{key}[{o}]" for o in range(len(rules)) if o != r]
                if key == "ingress":
                    template = _("{rule} is {shape}: it allows every connection from any source, inside or outside "
                                 "the cluster, on every port and protocol. Rules are ORed, so {others} restrict "
                                 "nothing: this policy allows everything.")
                else:
                    template = _("{rule} is {shape}: it allows every connection to any destination, inside or "
                                 "outside the cluster, on every port and protocol. Rules are ORed, so {others} "
                                 "restrict nothing: this policy allows everything.")
                message = template.format(rule=f"spec.{key}[{r}]", shape=shape, others=listing(others))
                fix = _("delete {rule} if the other rules say what you mean; if you do mean allow-all, delete the "
                        "other rules so the policy says so").format(rule=f"spec.{key}[{r}]")
                yield Hit(message, fix, policy, f"spec.{key}[{r}]")


def _assigned_range(hit: list[Pod]) -> str:
    """Where the loader put pods without an address: kind's pod range, or 10.0.0.0/8 past 32,512 of them."""
    network = range_of(hit)
    return _("{network}, kind's pod range").format(network=network) if network == POD_RANGE else str(network)


@lint_rule("NP303", "ipblock-pods", "warning",
           N_("an ipBlock contains pod addresses; whether it matches pods differs between network plugins"),
           needs_pods=True)
def ipblock_pods(ctx: LintContext) -> Iterator[Hit]:
    u = ctx.engine.universe
    for policy in ctx.cluster.network_policies:
        for key, field in DIRECTIONS:
            for r, rule in enumerate(getattr(policy, key)):
                for i, peer in enumerate(rule.peers):
                    if peer.ip_block is None:
                        continue
                    inside = peer_set(peer, policy.namespace).mask(u) & u.endpoints
                    if not inside.any():
                        continue
                    hit = [u.pods[j] for j in np.flatnonzero(inside)]
                    shown = [f"{p.key} {p.ip}" for p in hit]
                    block = peer.ip_block.cidr
                    if peer.ip_block.except_:
                        block = _("{cidrs} except {excepts}").format(cidrs=block,
                                                                     excepts=", ".join(peer.ip_block.except_))
                    assigned = ""
                    if all(p.ip_assigned for p in hit):
                        assigned = _(" (addresses npkit assigned in {range}, because the YAML had no "
                                     "status.podIP)").format(range=_assigned_range(hit))
                    message = ngettext(
                        "ipBlock {block} contains the addresses of {n} pod: {pods}{assigned}. The NetworkPolicy API "
                        "leaves it to the network plugin whether ipBlock matches pod traffic (Calico does; others may "
                        "not, and NAT can change the address a pod is seen with), so this rule behaves differently "
                        "from cluster to cluster.",
                        "ipBlock {block} contains the addresses of {n} pods: {pods}{assigned}. The NetworkPolicy API "
                        "leaves it to the network plugin whether ipBlock matches pod traffic (Calico does; others may "
                        "not, and NAT can change the address a pod is seen with), so this rule behaves differently "
                        "from cluster to cluster.", len(hit)).format(block=block, n=len(hit), pods=listing(shown),
                                                                     assigned=assigned)
                    fix = _("select pods with podSelector / namespaceSelector, and keep ipBlock for addresses "
                            "outside the cluster; use `except` to cut the pod range out of a wide block")
                    yield Hit(message, fix, policy, f"spec.{key}[{r}].{field}[{i}].ipBlock")
