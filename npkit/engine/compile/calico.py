"""Calico NetworkPolicy / GlobalNetworkPolicy → compiled policy, with Calico's selector scoping.

The scoping rules are docs/semantics/calico.md's (from libcalico-go's update processors):
a namespaced policy's selectors are confined to its namespace, `namespaceSelector`
matches namespace labels (Calico prefixes them with `pcns.`), and `notSelector` is kept
unscoped as a separate negative match.
"""

from __future__ import annotations

from ...i18n import LazyText, messages
from ...model import CalicoPolicy, CalicoRule, EntityRule, PortRange
from ...selectors import calico as cs
from ..matchers.base import Constant, Criterion, End
from ..matchers.endpoints import CalicoSelection, Networks
from ..matchers.peers import PeerCriterion
from ..matchers.ports import NamedPort, PortCriterion, PortMatcher, PortNumbers
from ..matchers.traffic import HTTPIs, ICMPIs, IPVersionIs, ProtocolIs
from ..probe import protocol_name
from ..program import CompiledPolicy, CompiledRule

NS_LABEL = "projectcalico.org/namespace"
_ = messages("npkit").gettext
pgettext = messages("npkit").pgettext
SA_LABEL = "projectcalico.org/serviceaccount"


def _namespace_scope(text: str) -> cs.Selector:
    """A rule's namespaceSelector as Calico rewrites it (pcns. prefix, all() / global())."""
    return cs.parse(text).prefixed("pcns.").substitute(all_=cs.has(NS_LABEL), global_=cs.not_(cs.has(NS_LABEL)))


def policy_selector(policy: CalicoPolicy) -> tuple[cs.Selector, LazyText]:
    """The effective selector of the endpoints a policy applies to, and how to show it (in the language of
    the moment it is shown: the nftables compiler shows it in English)."""
    sel = cs.parse(policy.selector)
    if policy.namespace is not None:
        parts = [sel, cs.eq(NS_LABEL, policy.namespace)]
    else:
        parts = [sel]
        if policy.namespace_selector is not None:
            parts.append(cs.parse(policy.namespace_selector).prefixed("pcns."))
    effective = cs.and_(*parts)
    if policy.namespace is None and policy.namespace_selector is not None:
        effective = effective.substitute(all_=cs.has(NS_LABEL))
    if policy.service_account_selector is not None:
        effective = cs.and_(effective, cs.parse(policy.service_account_selector).prefixed("pcsa."))
        if policy.namespace is None:
            effective = effective.substitute(all_=cs.has(SA_LABEL))
    return effective, LazyText(lambda: _policy_words(policy))


def _policy_words(policy: CalicoPolicy) -> str:
    """The endpoints a policy applies to, in words: "selector app == 'web' in namespace x"."""
    written = policy.selector.strip() or "all()"
    if policy.namespace is not None:
        shown = _("selector {selector} in namespace {namespace}").format(selector=written, namespace=policy.namespace)
    elif policy.namespace_selector is not None:
        shown = _("selector {selector} in namespaces matching {namespaces}").format(
            selector=written, namespaces=policy.namespace_selector)
    else:
        shown = _("selector {selector} (all namespaces)").format(selector=written)
    if policy.service_account_selector is not None:
        shown = _("{endpoints} running as service accounts matching {selector}").format(
            endpoints=shown, selector=policy.service_account_selector)
    return shown


def _named_port_protocol(rule: CalicoRule) -> str | None:
    """The protocol a named port resolves with: None (any) unless the rule names a protocol.

    Calico 3.32.1 felix/calc/rule_scanner.go ruleToParsedRule: ipsetmember.ProtocolAny without a
    protocol, else ProtocolFrom(protocol), which is UDP or SCTP when the rule says so and TCP otherwise;
    the named-port index then keeps each container port with its own protocol.
    """
    if rule.protocol is None:
        return None
    name = protocol_name(rule.protocol)
    return name if name in ("UDP", "SCTP") else "TCP"


def _families(rule: CalicoRule, path: str) -> Criterion | None:
    """The condition that Felix renders the rule for some IP families only, or None when it renders both.

    felix/rules/policy.go FilterRuleToIPVersion (Calico 3.32.1): for each family, a rule whose nets or
    notNets (source or destination) has CIDRs but none of that family is left out entirely, so for
    that family it matches nothing, even where a notNets alone would have "not excluded" the address.
    """
    src, dst = rule.source, rule.destination
    if not (src.nets or src.not_nets or dst.nets or dst.not_nets):
        return None  # no address field: rendered for both families
    families = {4, 6}
    limits = []
    for end, entity in (("source", src), ("destination", dst)):
        for name, nets in (("nets", entity.nets), ("notNets", entity.not_nets)):
            if nets:
                here = {6 if ":" in n else 4 for n in nets}  # Felix's own test (filterNets)
                if here != {4, 6}:
                    limits.append((f"{path}.{end}.{name}", here))
                families &= here
    if rule.ip_version is not None:
        families &= {rule.ip_version}
        limits = [(f, v) for f, v in limits if v != {rule.ip_version}]  # the ipVersion condition says it
    if not limits:
        return None
    field = limits[0][0]
    if not families:
        return Constant(False, _("{field} and the rule's other address fields name no common IP family: Felix "
                                 "renders the rule for neither IPv4 nor IPv6").format(field=field), field)
    [version] = families
    return IPVersionIs(version, field, _("{field} names IPv{version} CIDRs only").format(field=field, version=version))


def _port_matcher(port: PortRange, named_protocol: str | None) -> PortMatcher:
    if port.name is not None:
        return NamedPort(named_protocol, port.name)
    if port.first is None or port.last is None:
        raise ValueError(_("a Calico port entry needs a name or numbers, not {port}").format(port=repr(port)))
    return PortNumbers(None, port.first, port.last)  # the protocol is the rule's


def _port_matchers(ports: tuple[PortRange, ...], named_protocol: str | None) -> tuple[PortMatcher, ...]:
    return tuple(_port_matcher(p, named_protocol) for p in ports)


def entity_criteria(er: EntityRule, end: End, prefix: str, rule: CalicoRule, namespace: str | None) -> list[Criterion]:
    """Criteria for a rule's `source` (end "src") or `destination` (end "dst")."""
    out: list[Criterion] = []
    if er.nets:
        out.append(PeerCriterion(end, (Networks(er.nets),), f"{prefix}.nets", prefix, indexed=False))
    if er.not_nets:
        out.append(PeerCriterion(end, (Networks(er.not_nets),), f"{prefix}.notNets", prefix,
                                 indexed=False, negate=True))
    if er.has_identity:
        if er.namespace_selector is not None:
            scope: cs.Selector | None = _namespace_scope(er.namespace_selector)
        elif namespace is not None:
            scope = cs.eq(NS_LABEL, namespace)
        else:
            scope = None
        parts = [scope] if scope is not None else []
        if er.service_accounts is not None:
            if er.service_accounts.names:
                names = ", ".join(f"'{n}'" for n in er.service_accounts.names)
                parts.append(cs.parse(f"{SA_LABEL} in {{{names}}}"))
            if er.service_accounts.selector is not None:
                parts.append(cs.parse(er.service_accounts.selector).prefixed("pcsa."))
        if er.selector is not None:
            parts.append(cs.parse(er.selector))
        if parts:
            shown = LazyText(lambda: _entity_words(er, namespace))
            selection = CalicoSelection(cs.and_(*parts), shown)
            out.append(PeerCriterion(end, (selection,), f"{prefix}.selector", prefix, indexed=False))
    if er.not_selector is not None:
        sel = CalicoSelection(cs.parse(er.not_selector), er.not_selector)
        out.append(PeerCriterion(end, (sel,), f"{prefix}.notSelector", prefix, indexed=False, negate=True))
    named = _named_port_protocol(rule)
    if er.ports:
        out.append(PortCriterion(_port_matchers(er.ports, named), f"{prefix}.ports", f"{prefix}.ports", end))
    if er.not_ports:
        out.append(PortCriterion(_port_matchers(er.not_ports, named), f"{prefix}.notPorts", f"{prefix}.notPorts", end,
                                 negate=True))
    return out


def _entity_words(er: EntityRule, namespace: str | None) -> str:
    """Who a rule's source or destination selects, in words: "app == 'db' in namespace x"."""
    words = [er.selector] if er.selector is not None else []
    if er.service_accounts is not None:
        if er.service_accounts.names:
            words.append(_("service account {names}").format(names="/".join(er.service_accounts.names)))
        if er.service_accounts.selector is not None:
            words.append(_("service accounts matching {selector}").format(selector=er.service_accounts.selector))
    who = pgettext("conditions", " and ").join(words) or _("endpoints")
    if er.namespace_selector is not None:
        return _("{endpoints} in namespaces matching {selector}").format(endpoints=who, selector=er.namespace_selector)
    if namespace is not None:
        return _("{endpoints} in namespace {namespace}").format(endpoints=who, namespace=namespace)
    return _("{endpoints} in any namespace").format(endpoints=who)


def compile_rule(rule: CalicoRule, index: int, path: str, namespace: str | None, l7: bool) -> CompiledRule:
    """One Calico rule: every present field must hold."""
    criteria: list[Criterion] = []
    if rule.protocol is not None:
        criteria.append(ProtocolIs(rule.protocol, path=f"{path}.protocol"))
    if rule.not_protocol is not None:
        criteria.append(ProtocolIs(rule.not_protocol, negate=True, path=f"{path}.notProtocol"))
    if rule.icmp is not None:
        criteria.append(ICMPIs(rule.icmp, path=f"{path}.icmp"))
    if rule.not_icmp is not None:
        criteria.append(ICMPIs(rule.not_icmp, negate=True, path=f"{path}.notICMP"))
    if rule.ip_version is not None:
        criteria.append(IPVersionIs(rule.ip_version, path=f"{path}.ipVersion"))
    family = _families(rule, path)
    if family is not None:
        criteria.append(family)
    criteria += entity_criteria(rule.source, "src", f"{path}.source", rule, namespace)
    criteria += entity_criteria(rule.destination, "dst", f"{path}.destination", rule, namespace)
    notes = []
    if rule.http is not None:
        # Dikastes only sees inbound requests, so L7 matching never applies to egress rules.
        enforced = l7 and path.startswith("spec.ingress")
        criteria.append(HTTPIs(rule.http, enforced, f"{path}.http"))
        if not enforced:
            notes.append(_("http match not enforced: without Istio + Dikastes Felix enforces this rule at L4"))
    if not criteria:
        notes.append(_("no match fields: matches every packet"))
    return CompiledRule(index, rule.action, tuple(criteria), path, notes=tuple(notes))


def compile_calico_policy(policy: CalicoPolicy, l7: bool = False) -> CompiledPolicy:
    """Lower a Calico (Global)NetworkPolicy."""
    selector, shown = policy_selector(policy)
    notes = []
    subject = CalicoSelection(selector, shown, network_sets=False)
    if policy.pre_dnat or policy.do_not_track:
        # These only act on host endpoints, which npkit does not model.
        host_only = LazyText(lambda: _("{endpoints} (host endpoints only)").format(endpoints=shown))
        subject = CalicoSelection(cs.not_(cs.all_()), host_only, network_sets=False)
        notes.append(_("preDNAT / doNotTrack policies apply to host endpoints only, never to pods"))
    rules = {
        key: tuple(
            compile_rule(r, i, f"spec.{key}[{i}]", policy.namespace, l7) for i, r in enumerate(getattr(policy, key))
        )
        for key in ("ingress", "egress")
    }
    return CompiledPolicy(
        ref=policy.ref,
        family="calico",
        tier=policy.tier,
        order=policy.order,
        subject=subject,
        directions=frozenset(policy.types),
        ingress=rules["ingress"],
        egress=rules["egress"],
        staged=policy.staged,
        origin=policy.origin,
        notes=tuple(notes),
    )
