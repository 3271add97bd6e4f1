"""The engine's compiled program, rendered as an nftables ruleset the way Felix renders it.

Nothing here decides what a policy means: tiers, policy order, which pods a policy selects
(`Engine.subjects`) and which pods or addresses a peer names (each endpoint set's `mask`
and `address_blocks`) all come from the engine. This module only lays them out as chains:

* `forward` (base chain, hook forward, in the node namespace): accept established and
  related packets, drop invalid ones, then jump to the source pod's `fw-<iface>` chain
  (its egress pipeline) and the destination pod's `tw-<iface>` chain (its ingress
  pipeline) through the verdict maps `from-wl-dispatch` / `to-wl-dispatch`.
* `fw-<iface>` / `tw-<iface>` (Felix's `cali-fw-` / `cali-tw-`): for each tier with a
  policy for this pod, "Start of tier" clears the pass mark, each policy is a jump guarded
  by "pass mark clear", "Return if policy accepted" follows it, and "End of tier … Drop if no
  policies passed packet" closes the tier unless its default action is Pass. A packet no tier
  decided reaches the profile rule, which accepts (Calico's namespace profile).
* `pi-<policy>` / `po-<policy>` (Felix's `cali-pi-` / `cali-po-`): one chain per policy and
  direction. Each rule does what actions.py says its action does, in marks: Allow sets the
  accept mark and returns, Pass sets the pass mark and returns, Deny drops, Log counts the
  packet and sends it to NFLOG group `LOG_GROUP`, then goes on.

Selectors become named sets of addresses (Felix's ipsets); named ports become per-pod
`address . protocol . port` sets (Felix's `hash:ip,port`). Every rule carries a comment
naming the policy and rule it came from, and a counter.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ....engine import Engine
from ....engine.actions import END_OF_TIERS, RULE_EFFECT, Effect, end_of_tier
from ....engine.matchers.base import Constant, Criterion
from ....engine.matchers.peers import PeerCriterion
from ....engine.matchers.ports import AllPortsOf, NamedPort, PortCriterion, PortNumbers
from ....engine.matchers.traffic import HTTPIs, ICMPIs, IPVersionIs, ProtocolIs
from ....engine.probe import protocol_number
from ....engine.program import CompiledPolicy, CompiledRule, CompiledTier, Direction
from ....i18n import language, messages
from ....model.spans import merge_spans, span_text
from ...backend import LabError

_ = messages("npkit-tools").gettext

# The ruleset's comments stay English: they are Felix's own words (`End of tier … Drop if no policies passed
# packet`), which the course quotes and compares with a Calico node's iptables-save.
TABLE = "npkit"
ACCEPT_MARK = 0x10000  # Felix's accept and pass bits (docs/semantics/calico.md)
PASS_MARK = 0x20000
LOG_GROUP = 1
LOG_PREFIX = "calico-packet: "
_ALL_PORTS = (0, 65535)
_NFT_PROTOCOLS = {1: "icmp", 6: "tcp", 17: "udp", 58: "ipv6-icmp", 132: "sctp", 136: "udplite"}



def _comment(text: str) -> str:
    text = text.replace('"', "'").replace("\n", " ")
    return f'comment "{text[:120]}"'


def _mark_test(bit: int, is_set: bool) -> str:
    return f"meta mark & 0x{bit:08x} == 0x{bit if is_set else 0:08x}"


def policy_id(policy: CompiledPolicy) -> str:
    """Felix 3.32's policy ID: kind, namespace, name (`knp/x/allow-web`, `gnp/block`)."""
    ref = policy.ref
    if policy.family == "kubernetes":
        kind = "knp"
    elif policy.family == "cnp":
        kind = "cnp"
    else:
        kind = "np" if ref.namespace else "gnp"
    return "/".join(p for p in (kind, ref.namespace, ref.name) if p)


def policy_title(policy: CompiledPolicy) -> str:
    """How comments name a policy: its kind as the API spells it, and its name."""
    ref = policy.ref
    kind = f"Calico {ref.kind}" if policy.family == "calico" and ref.kind == "NetworkPolicy" else ref.kind
    return f"{kind} {ref.qualified_name}"


@dataclass
class NftSet:
    name: str
    type: str
    elements: list[str]
    comment: str

    def render(self) -> str:
        lines = [f"\tset {self.name} {{", f"\t\ttype {self.type}", "\t\tflags interval",
                 f"\t\t{_comment(self.comment)}"]
        if self.elements:
            lines.append("\t\telements = { " + ", ".join(self.elements) + " }")
        lines.append("\t}")
        return "\n".join(lines)


@dataclass
class Ruleset:
    """An nftables script for the node namespace, and where each pod's pipeline starts."""

    text: str
    pod_chains: dict[str, tuple[str, str]]  # pod key → (egress chain fw-…, ingress chain tw-…)
    log_prefixes: dict[str, str]  # log prefix → "GlobalNetworkPolicy x spec.ingress[0]"


def _ipv4_networks(texts: Iterable[str]) -> list[ipaddress.IPv4Network]:
    out = []
    for t in texts:
        net = ipaddress.ip_network(t, strict=False)
        if net.version == 4:  # the node's table is `ip`: IPv6 addresses never reach it
            out.append(net)
    return out


def _address_elements(nets: list[ipaddress.IPv4Network]) -> list[str]:
    """Non-overlapping elements (nft rejects overlaps), single addresses without /32."""
    collapsed = ipaddress.collapse_addresses(nets)
    return [str(n.network_address) if n.prefixlen == 32 else str(n) for n in collapsed]


def _unique(base: str, taken: set[str]) -> str:
    """`base`, or the first of `base.2`, `base.3`, … not in `taken`; it joins `taken`."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}.{n}"
    taken.add(name)
    return name


class _Compiler:
    """One ruleset's worth of state: the sets made so far, policy IDs, log prefixes."""

    def __init__(self, engine: Engine, ifaces: dict[str, str]):
        self.engine = engine
        self.u = engine.universe
        self.ifaces = ifaces
        self.sets: list[NftSet] = []
        self.set_names: set[str] = set()
        self.log_prefixes: dict[str, str] = {}
        self.ids: dict[int, str] = {}

    # -- sets ------------------------------------------------------------------------------
    def _new_set(self, base: str, type_: str, elements: list[str], comment: str) -> str:
        name = _unique(base, self.set_names)
        self.sets.append(NftSet(name, type_, elements, comment))
        return name

    def _pod_ips(self, mask: np.ndarray) -> list[str]:
        return [self.u.pods[i].ip for i in np.flatnonzero(mask) if self.u.pods[i].ip]

    # -- criteria --------------------------------------------------------------------------
    def criterion(self, c: Criterion, base: str, rule: CompiledRule, title: str) -> list[str] | None:
        """nft match expressions for one condition ([] when it always holds, None when it never does here)."""
        if isinstance(c, Constant):
            return [] if c.holds else None
        if isinstance(c, PeerCriterion):
            return [self.peer(c, base, rule, title)]
        if isinstance(c, PortCriterion):
            return [self.ports(c, base, rule, title)]
        if isinstance(c, ProtocolIs):
            number = protocol_number(c.protocol)
            return [f"meta l4proto {'!= ' if c.negate else ''}{_NFT_PROTOCOLS.get(number, number)}"]
        if isinstance(c, ICMPIs):
            return [self.icmp(c)]
        if isinstance(c, IPVersionIs):
            # Like Felix, which renders each rule per family: a rule for IPv6 only is absent from this IPv4 table.
            return [] if c.version == 4 else None
        if isinstance(c, HTTPIs):
            if c.enforced:
                raise LabError(_("HTTP (L7) rules need Istio with Calico's Dikastes; the local backend enforces L4 "
                                 "only, like Felix. Run the lab without l7."))
            return []  # Felix ignores http matches without Istio: the rule acts on its other fields
        raise LabError(_("the local backend cannot compile the condition {condition} ({kind})").format(
            condition=repr(c.describe()), kind=type(c).__name__))

    def _field_name(self, c: Criterion, rule: CompiledRule, fallback: str) -> str:
        text = getattr(c, "field", fallback) or fallback
        return text.removeprefix(rule.path + ".")

    def peer(self, c: PeerCriterion, base: str, rule: CompiledRule, title: str) -> str:
        nets = []
        for s in c.sets:
            nets += _ipv4_networks(self._pod_ips(s.mask(self.u)))
            nets += _ipv4_networks(s.address_blocks(self.u))
        field_name = self._field_name(c, rule, "peers")
        with language("en"):  # npkit's words follow the learner's language; the ruleset's comments stay English
            described = c.describe()
        name = self._new_set(f"{base}.{field_name}", "ipv4_addr", _address_elements(nets),
                             f"{title} {rule.path} {field_name}: {described}")
        direction = "saddr" if c.end == "src" else "daddr"
        return f"ip {direction} {'!= ' if c.negate else ''}@{name}"

    def ports(self, c: PortCriterion, base: str, rule: CompiledRule, title: str) -> str:
        wild: dict[str, list[tuple[int, int]]] = {}
        named: set[tuple[str, str, int]] = set()
        has_named = False
        for e in c.entries:
            if isinstance(e, AllPortsOf):
                wild.setdefault(e.protocol, []).append(_ALL_PORTS)
            elif isinstance(e, PortNumbers):
                for p in e.protocols():
                    wild.setdefault(p, []).append((e.first, e.last))
            elif isinstance(e, NamedPort):
                has_named = True
                for i, protocol, number in e.resolved(self.u):
                    if self.u.pods[i].ip:
                        named.add((self.u.pods[i].ip, protocol, number))
            else:
                raise LabError(_("the local backend cannot compile the port entry {entry}").format(
                    entry=repr(e.describe())))
        merged = {p: merge_spans(r) for p, r in wild.items()}
        pairs = [(p.lower(), first, last) for p in sorted(merged) for first, last in merged[p]]
        end = "sport" if c.end == "src" else "dport"
        op = "!= " if c.negate else ""
        if not has_named:
            if not c.negate and len(pairs) == 1:
                proto, first, last = pairs[0]
                if (first, last) == _ALL_PORTS:
                    return f"meta l4proto {proto}"
                return f"{proto} {end} {span_text(first, last)}"
            elements = ", ".join(f"{proto} . {span_text(first, last)}" for proto, first, last in pairs)
            return f"meta l4proto . th {end} {op}{{ {elements} }}"
        covered = [
            (ip, protocol, number) for ip, protocol, number in sorted(named)
            if not any(first <= number <= last for first, last in merged.get(protocol, ()))
        ]
        members = [f"0.0.0.0/0 . {proto} . {span_text(first, last)}" for proto, first, last in pairs]
        members += [f"{ip} . {protocol.lower()} . {number}" for ip, protocol, number in covered]
        field_name = self._field_name(c, rule, "ports")
        with language("en"):  # the ruleset's comments stay English
            described = c.describe()
        name = self._new_set(f"{base}.{field_name}", "ipv4_addr . inet_proto . inet_service", members,
                             f"{title} {rule.path} {field_name}: {described} (named ports resolved per pod)")
        addr = "saddr" if c.end == "src" else "daddr"
        return f"ip {addr} . meta l4proto . th {end} {op}@{name}"

    def icmp(self, c: ICMPIs) -> str:
        code = c.icmp.code
        if not c.negate:
            return f"icmp type {c.icmp.type}" + (f" icmp code {code}" if code is not None else "")
        # "not (ICMP and type T [and code C])": one lookup over protocol, type and code bytes
        if code is None:
            return f"meta l4proto . @th,0,8 != {{ icmp . {c.icmp.type} }}"
        return f"meta l4proto . @th,0,8 . @th,8,8 != {{ icmp . {c.icmp.type} . {code} }}"

    # -- chains ----------------------------------------------------------------------------
    def unique_id(self, policy: CompiledPolicy) -> str:
        """`policy_id`, made unique (two legacy CNP kinds may share a name)."""
        if id(policy) not in self.ids:
            self.ids[id(policy)] = _unique(policy_id(policy), set(self.ids.values()))
        return self.ids[id(policy)]

    def matches(self, rule: CompiledRule, base: str, title: str) -> list[str] | None:
        """The match expressions of all of a rule's conditions; None when the rule can never match here."""
        out: list[str] = []
        for c in rule.criteria:
            more = self.criterion(c, base, rule, title)
            if more is None:
                return None
            out += more
        return out

    def rule_verdict(self, effect: Effect, prefix: str, label: str) -> str:
        """actions.py's effect of a matching rule, in marks: accept or pass mark and return, drop, or log."""
        if effect.logs:
            self.log_prefixes[prefix] = label
            return f'counter log prefix "{prefix}" group {LOG_GROUP}'
        if effect.decides is not None:
            return f"counter meta mark set meta mark | 0x{ACCEPT_MARK:08x} return" if effect.decides else "counter drop"
        return f"counter meta mark set meta mark | 0x{PASS_MARK:08x} return"  # ends the tier

    def policy_chain(self, policy: CompiledPolicy, direction: Direction) -> tuple[str, list[str]]:
        pid = self.unique_id(policy)
        short = "in" if direction == "Ingress" else "out"
        chain = f"{'pi' if direction == 'Ingress' else 'po'}-{pid}"
        title = policy_title(policy)
        lines = [f"\t\t{_comment(f'{title} {direction.lower()}')}"]
        for rule in policy.rules(direction):
            matches = self.matches(rule, f"{pid}/{short}{rule.index}", title)
            with language("en"):  # the ruleset's comments stay English
                rule_label = rule.label
            if matches is None:
                lines.append(f"\t\t# {rule_label}: not rendered, it can never match IPv4 traffic")
                continue
            label = f"{title} {rule_label}: {rule.verb or rule.action}"
            if any(isinstance(c, HTTPIs) for c in rule.criteria):
                label += " (http ignored: L4 only, like Felix)"
            prefix = f"{LOG_PREFIX}{pid} {short}{rule.index}: "[:120]
            verdict = self.rule_verdict(RULE_EFFECT[rule.action], prefix, f"{title} {rule_label}")
            lines.append("\t\t" + " ".join(matches + [verdict, _comment(label)]))
        return chain, lines

    def pod_chain(self, index: int, direction: Direction, policy_chains: dict[tuple[int, str], str]) -> list[str]:
        pod = self.u.pods[index]
        subjects = self.engine.subjects
        side = "egress (packets from the pod)" if direction == "Egress" else "ingress (packets to the pod)"
        lines = [f"\t\t{_comment(f'{pod.key} {side}')}",
                 f"\t\tmeta mark set meta mark & 0x{~(ACCEPT_MARK | PASS_MARK) & 0xFFFFFFFF:08x} "
                 + _comment("Clear accept and pass marks")]
        tier: CompiledTier
        for tier in self.engine.program.tiers:
            applicable = [p for p in tier.policies if direction in p.directions and subjects[id(p)][index]]
            if not applicable:
                continue  # like Felix: a tier with no policy for this pod is left out, default action and all
            lines.append(f"\t\tmeta mark set meta mark & 0x{~PASS_MARK & 0xFFFFFFFF:08x} "
                         + _comment(f"Start of tier {tier.name}"))
            for p in applicable:
                order = "no order" if p.order is None else f"order {p.order:g}"
                lines.append(f"\t\t{_mark_test(PASS_MARK, False)} jump {policy_chains[(id(p), direction)]} "
                             + _comment(f"{policy_title(p)} ({order})"))
                lines.append(f"\t\t{_mark_test(ACCEPT_MARK, True)} return " + _comment("Return if policy accepted"))
            if end_of_tier(tier.default_action).decides is False:  # a default Pass goes on: no rule
                lines.append(f"\t\t{_mark_test(PASS_MARK, False)} counter drop "
                             + _comment(f"End of tier {tier.name}. Drop if no policies passed packet"))
        if self.engine.program.dataplane == "calico":
            profile = f"Profile kns.{pod.namespace}: no tier decided, allow"
        else:
            profile = "No tier decided: not isolated, Kubernetes allows"
        lines.append("\t\t" + self.rule_verdict(END_OF_TIERS, "", "").removesuffix(" return") + " "
                     + _comment(profile))
        return lines

    def ruleset(self) -> Ruleset:
        program = self.engine.program
        chains: list[tuple[str, list[str]]] = []
        policy_chains: dict[tuple[int, str], str] = {}
        for tier in program.tiers:
            for p in tier.policies:
                for direction in ("Ingress", "Egress"):
                    if direction in p.directions:
                        name, lines = self.policy_chain(p, direction)
                        policy_chains[(id(p), direction)] = name
                        chains.append((name, lines))
        pod_chains: dict[str, tuple[str, str]] = {}
        for i, pod in enumerate(self.u.pods):
            iface = self.ifaces.get(pod.key)
            if iface is None or pod.host_network:
                continue  # no workload endpoint: policy never applies to it (engine: "not enforced")
            fw, tw = f"fw-{iface}", f"tw-{iface}"
            chains.append((fw, self.pod_chain(i, "Egress", policy_chains)))
            chains.append((tw, self.pod_chain(i, "Ingress", policy_chains)))
            pod_chains[pod.key] = (fw, tw)
        out = [f"add table ip {TABLE}", f"delete table ip {TABLE}", f"table ip {TABLE} {{"]
        out += [s.render() for s in self.sets]
        for map_name, pick in (("from-wl-dispatch", 0), ("to-wl-dispatch", 1)):
            out.append(f"\tmap {map_name} {{\n\t\ttype ifname : verdict")
            items = [f'"{self.ifaces[k]}" : jump {c[pick]}' for k, c in pod_chains.items()]
            if items:
                out.append("\t\telements = { " + ", ".join(items) + " }")
            out.append("\t}")
        for name, lines in chains:
            out.append(f"\tchain {name} {{")
            out += lines
            out.append("\t}")
        out.append("\tchain forward {")
        out.append("\t\ttype filter hook forward priority filter; policy accept;")
        out.append("\t\tct state established,related accept " + _comment("Accept replies of accepted connections"))
        out.append("\t\tct state invalid drop " + _comment("Drop packets conntrack cannot place"))
        out.append('\t\tiifname vmap @from-wl-dispatch ' + _comment("Egress pipeline of the sending pod (fw-…)"))
        out.append('\t\toifname vmap @to-wl-dispatch ' + _comment("Ingress pipeline of the receiving pod (tw-…)"))
        out.append("\t}")
        out.append("}")
        return Ruleset("\n".join(out) + "\n", pod_chains, self.log_prefixes)


def compile_ruleset(engine: Engine, ifaces: dict[str, str]) -> Ruleset:
    """The nftables ruleset enforcing `engine`'s program for the pods in `ifaces` (pod key → host iface)."""
    return _Compiler(engine, ifaces).ruleset()
