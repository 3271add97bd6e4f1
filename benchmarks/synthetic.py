"""Synthetic clusters for benchmarks: namespaces, pods with labels from a small vocabulary,
and policies mixing pod / namespace selectors, matchExpressions, ipBlocks, numeric and named ports.

Seeded, so every run measures the same cluster.
"""

from __future__ import annotations

import random

from npkit.model import (
    CalicoPolicy,
    CalicoRule,
    Cluster,
    ContainerPort,
    EntityRule,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    Pod,
    PolicyPort,
    PortRange,
    Requirement,
    Rule,
    Tier,
)
from npkit.model.calico import BUILTIN_TIERS

APPS = ("web", "api", "db", "cache", "queue", "auth", "search", "billing")
TIERS_LABELS = ("frontend", "backend", "data")
ENVS = ("prod", "staging", "dev")
PORTS = (ContainerPort(80, "TCP", "http"), ContainerPort(443, "TCP", "https"), ContainerPort(5432, "TCP", "pg"),
         ContainerPort(53, "UDP", "dns"), ContainerPort(8080, "TCP", "metrics"))


def _namespaces(rng: random.Random, n: int) -> dict[str, Namespace]:
    out = {}
    for i in range(n):
        name = f"ns{i}"
        out[name] = Namespace(name, {"kubernetes.io/metadata.name": name, "env": rng.choice(ENVS),
                                     "team": f"t{i % 7}"})
    return out


def _pods(rng: random.Random, n: int, namespaces: list[str]) -> tuple[Pod, ...]:
    pods = []
    for i in range(n):
        labels = {"app": rng.choice(APPS), "tier": rng.choice(TIERS_LABELS)}
        if rng.random() < 0.3:
            labels["version"] = rng.choice(("v1", "v2"))
        ports = tuple(rng.sample(PORTS, rng.randint(1, 3)))
        ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        pods.append(Pod(f"p{i}", rng.choice(namespaces), labels, ports, ip=ip))
    return tuple(pods)


def _selector(rng: random.Random) -> LabelSelector:
    r = rng.random()
    if r < 0.4:
        return LabelSelector.of({"app": rng.choice(APPS)})
    if r < 0.7:
        return LabelSelector.of({"app": rng.choice(APPS), "tier": rng.choice(TIERS_LABELS)})
    if r < 0.9:
        return LabelSelector((), (Requirement("app", "In", tuple(sorted(rng.sample(APPS, 2)))),))
    return LabelSelector((), (Requirement("version", rng.choice(("Exists", "DoesNotExist"))),))


def _peer(rng: random.Random) -> Peer:
    r = rng.random()
    if r < 0.45:
        return Peer(pod_selector=_selector(rng))
    if r < 0.65:
        return Peer(namespace_selector=LabelSelector.of({"env": rng.choice(ENVS)}))
    if r < 0.9:
        return Peer(pod_selector=_selector(rng), namespace_selector=LabelSelector.of({"team": f"t{rng.randrange(7)}"}))
    return Peer(ip_block=IPBlock("10.0.0.0/16", ("10.0.1.0/24",)))


def _ports(rng: random.Random) -> tuple[PolicyPort, ...]:
    r = rng.random()
    if r < 0.3:
        return ()
    if r < 0.6:
        return (PolicyPort("TCP", rng.choice((80, 443, 5432))),)
    if r < 0.85:
        return (PolicyPort("TCP", rng.choice(("http", "https", "pg"))),)
    return (PolicyPort("TCP", 8000, 8100), PolicyPort("UDP", 53))


def k8s_cluster(pods: int, policies: int, seed: int = 1) -> Cluster:
    """`pods` pods in pods/25 namespaces with `policies` Kubernetes NetworkPolicies."""
    rng = random.Random(seed)
    namespaces = _namespaces(rng, max(1, pods // 25))
    names = list(namespaces)
    nps = []
    for i in range(policies):
        rules = tuple(Rule(tuple(_peer(rng) for _ in range(rng.randint(1, 2))), _ports(rng))
                      for _ in range(rng.randint(0, 2)))
        types = rng.choice((("Ingress",), ("Ingress",), ("Egress",), ("Ingress", "Egress")))
        nps.append(NetworkPolicy(f"np{i}", rng.choice(names), _selector(rng), types,
                                 rules if "Ingress" in types else (), rules if "Egress" in types else ()))
    return Cluster(namespaces=namespaces, pods=_pods(rng, pods, names), network_policies=tuple(nps))


def _calico_selector(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"app == '{rng.choice(APPS)}'"
    if r < 0.7:
        return f"app == '{rng.choice(APPS)}' && tier != '{rng.choice(TIERS_LABELS)}'"
    if r < 0.9:
        a, b = rng.sample(APPS, 2)
        return f"app in {{'{a}', '{b}'}}"
    return "has(version)"


def calico_cluster(pods: int, policies: int, tiers: int = 5, seed: int = 2) -> Cluster:
    """`pods` pods and `policies` Calico policies spread over `tiers` tiers, mixed actions."""
    rng = random.Random(seed)
    namespaces = _namespaces(rng, max(1, pods // 25))
    names = list(namespaces)
    tier_objs = {t.name: t for t in BUILTIN_TIERS}
    user = [Tier(f"tier{i}", float(100 * (i + 1)), "Pass" if i % 2 else "Deny") for i in range(tiers - 1)]
    tier_objs.update({t.name: t for t in user})
    tier_names = [t.name for t in user] + ["default"]
    cps = []
    for i in range(policies):
        rules = []
        for _ in range(rng.randint(1, 3)):
            action = rng.choice(("Allow", "Allow", "Deny", "Pass", "Log"))
            if rng.random() < 0.7:
                src = EntityRule(selector=_calico_selector(rng))
            else:
                src = EntityRule(nets=("10.0.0.0/16",))
            dst = EntityRule(ports=(PortRange(80, 80), PortRange(8000, 8100))) if rng.random() < 0.4 else EntityRule()
            proto = "TCP" if dst.ports else rng.choice((None, "TCP", "UDP"))
            rules.append(CalicoRule(action, protocol=proto, source=src, destination=dst))
        is_global = rng.random() < 0.3
        cps.append(CalicoPolicy(
            f"cp{i}", None if is_global else rng.choice(names), tier=rng.choice(tier_names),
            order=float(rng.randrange(1, 1000)) if rng.random() < 0.9 else None,
            selector=_calico_selector(rng), types=("Ingress",) if rng.random() < 0.6 else ("Ingress", "Egress"),
            ingress=tuple(rules), egress=tuple(rules[:1]),
        ))
    return Cluster(namespaces=namespaces, pods=_pods(rng, pods, names), calico_policies=tuple(cps),
                   tiers=tier_objs)
