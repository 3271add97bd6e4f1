"""Calico rules (projectcalico.org/v3 `Rule`, `EntityRule`), read and checked like Calico 3.32 does.

The checks are those of libcalico-go/lib/validator/v3/validator.go (validateRule,
validateEntityRule, validatePort, validateHTTPRule) and of the CEL rules on the API types
(api/pkg/apis/projectcalico/v3/policy_common.go). Where they differ from the docs the code
wins (docs/semantics/calico.md, where the sources disagree), e.g. rule `nets` need a prefix length although the field
type would take a bare address, because validateRule parses them with net.ParseCIDR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from npkit.i18n import messages
from npkit.model import CalicoRule, EntityRule, HTTPMatch, HTTPPath, ICMPMatch, PortRange, ServiceAccountMatch
from npkit.model.calico import Action
from npkit.selectors.calico import Global, SelectorSyntaxError, parse

from . import validation
from .fields import Field, Fields, describe
from .validation import IPNetwork
from .yamlio import Scalar

RULE_FIELDS = frozenset({"action", "ipVersion", "protocol", "icmp", "notProtocol", "notICMP", "source",
                         "destination", "http", "metadata"})
ENTITY_FIELDS = frozenset({"nets", "notNets", "selector", "notSelector", "namespaceSelector", "ports",
                           "notPorts", "serviceAccounts", "services"})
ICMP_FIELDS = frozenset({"type", "code"})
HTTP_FIELDS = frozenset({"methods", "paths"})
HTTP_PATH_FIELDS = frozenset({"exact", "prefix"})
SERVICE_ACCOUNT_FIELDS = frozenset({"names", "selector"})
SERVICE_FIELDS = frozenset({"name", "namespace"})
RULE_METADATA_FIELDS = frozenset({"annotations"})

ACTIONS: dict[str, Action] = {"Allow": "Allow", "Deny": "Deny", "Log": "Log", "Pass": "Pass"}
PROTOCOL_NAMES = ("TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite")
PORT_PROTOCOLS = ("TCP", "UDP", "SCTP", 6, 17, 132)  # numorstring.Protocol.SupportsPorts
ICMP_PROTOCOLS = {"ICMP": 4, 1: 4, "ICMPv6": 6, 58: 6}  # protocol -> the only ipVersion it works with
MAX_SELECTOR_CHARS = 1024
MAX_PORTS = 50
MAX_NETS = 256
MAX_HTTP_ITEMS = 20
MAX_HTTP_PATH_CHARS = 1024
# The CEL rule tests `contains('global(')`, so any text with it counts, even inside a quoted value.
GLOBAL_CALL = "global("
# Matches what a learner means by a range but Calico reads as a port name.
_DASHED_RANGE = re.compile(r"\d+\s*-\s*\d+\Z")

Direction = Literal["ingress", "egress"]
_ = messages("npkit").gettext


def read_selector(field: Field | None) -> str | None:
    """A Calico selector, its syntax checked; None when absent, empty or invalid.

    A syntax error carries the column inside the value and a caret line under it.
    """
    if field is None:
        return None
    text = field.as_str()
    if not text:  # "" is what Calico stores for "no selector"
        return None
    if len(text) > MAX_SELECTOR_CHARS:
        field.error(_("a selector may have at most {limit} characters (it has {n})").format(limit=MAX_SELECTOR_CHARS,
                                                                                            n=len(text)))
        return None
    try:
        parse(text)
    except SelectorSyntaxError as err:
        field.error(_("invalid selector: {error}").format(error=err), column=err.column)
        return None
    return text


def forbid_global(field: Field | None, text: str | None) -> None:
    """Report `global()` outside a rule's namespaceSelector, where Calico refuses it."""
    if field is not None and text is not None and GLOBAL_CALL in text:
        field.error(_("global() can only be used as the whole namespaceSelector of a rule's source or destination (to "
                      "reach GlobalNetworkSets and host endpoints)"))


@dataclass
class RuleScope:
    """What a rule's checks need to know about where it is."""

    direction: Direction
    is_global: bool  # in a GlobalNetworkPolicy, where Service matches need a namespace


def read_rules(spec: Fields, direction: Direction, is_global: bool) -> tuple[CalicoRule, ...]:
    """The `ingress` or `egress` rules of a policy spec; invalid rules are reported and left out."""
    scope = RuleScope(direction, is_global)
    rules = (read_rule(item, scope) for item in spec.get_list(direction) or ())
    return tuple(rule for rule in rules if rule is not None)


@dataclass
class _Entity:
    """A `source` or `destination` as read, with the fields the rule-level checks look at."""

    rule: EntityRule = EntityRule()
    nets: list[tuple[Field, list[IPNetwork]]] = field(default_factory=list)  # nets, notNets
    ports: list[tuple[Field, list[tuple[PortRange, Field]]]] = field(default_factory=list)  # ports, notPorts
    services: Field | None = None
    service_namespace: str | None = None


def read_rule(item: Field, scope: RuleScope) -> CalicoRule | None:
    """One rule; None when it has errors (they are reported)."""
    rule = item.as_map(RULE_FIELDS)
    if rule is None:
        return None
    errors_before = item.report.error_count
    action = _read_action(rule)
    protocol = _read_protocol(rule.get("protocol"))
    not_protocol = _read_protocol(rule.get("notProtocol"))
    ip_version = _read_ip_version(rule.get("ipVersion"))
    icmp = _read_icmp(rule.get("icmp"))
    not_icmp = _read_icmp(rule.get("notICMP"))
    source = _read_entity(rule.get("source"))
    destination = _read_entity(rule.get("destination"))
    http = _read_http(rule.get("http"))
    _read_metadata(rule.get("metadata"))

    _check_ports_need_protocol(protocol, (source, destination))
    _check_icmp(rule, protocol, not_protocol, ip_version)
    _check_address_families(ip_version, (source, destination))
    if http is not None:
        _check_http(rule, action, protocol, scope)
    _check_services(source, destination, scope)
    if item.report.error_count > errors_before or action is None:
        return None
    src, dst = (_service_fallback(e, action) for e in (source, destination))
    return CalicoRule(action, protocol, not_protocol, icmp, not_icmp, src, dst, http, ip_version)


# -- scalar fields -----------------------------------------------------------------------


def _read_action(rule: Fields) -> Action | None:
    action = rule.get_str("action", required=True)
    if action is None or action in ACTIONS:
        return ACTIONS.get(action) if action is not None else None
    same = [a for a in ACTIONS if a.lower() == action.lower()]
    hint = _('; write "{value}" (actions are case-sensitive)').format(value=same[0]) if same else ""
    rule.at("action").error(_('must be one of Allow, Deny, Log, Pass, not "{value}"{hint}').format(value=action,
                                                                                                  hint=hint))
    return None


def _read_protocol(field: Field | None) -> str | int | None:
    """A protocol name in Calico's exact spelling, or a number 1-255 (a string of digits counts)."""
    if field is None or field.refused:
        return None
    node = field.node
    value = node.value if isinstance(node, Scalar) else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)  # numorstring.Protocol.NumValue converts digits
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 255:
            return value
        field.error(_("a protocol number must be between 1 and 255, not {value}").format(value=value))
        return None
    if isinstance(value, str):
        if value in PROTOCOL_NAMES:
            return value
        same = [p for p in PROTOCOL_NAMES if p.lower() == value.lower()]
        hint = _('; write "{value}" (Calico protocol names are case-sensitive)').format(value=same[0]) if same else ""
        field.error(_('must be one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255, not "{value}"'
                      "{hint}").format(value=value, hint=hint))
        return None
    field.error(_("must be a protocol name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite) or a number 1-255, not "
                  "{actual}").format(actual=describe(node)))
    return None


def _read_ip_version(field: Field | None) -> int | None:
    if field is None:
        return None
    version = field.as_int()
    if version is not None and version not in (4, 6):
        field.error(_("must be 4 or 6, not {value}").format(value=version))
        return None
    return version


def _read_icmp(field: Field | None) -> ICMPMatch | None:
    if field is None:
        return None
    icmp = field.as_map(ICMP_FIELDS)
    if icmp is None:
        return None
    values: dict[str, int | None] = {}
    for name, highest in (("type", 254), ("code", 255)):
        value = icmp.get_int(name)
        if value is not None and not 0 <= value <= highest:
            icmp.at(name).error(_("must be between 0 and {highest}, not {value}").format(highest=highest, value=value))
            value = None
        values[name] = value
    if "code" in icmp and "type" not in icmp:
        icmp.at("code").error(_("an ICMP code needs a type as well (the kernel matches code only within a type), e.g. "
                                "type: 3, code: 1"))
    return ICMPMatch(values["type"], values["code"])


def _read_metadata(field: Field | None) -> None:
    """Rule `metadata`: annotations only, which never change matching; their keys are still checked."""
    metadata = field.as_map(RULE_METADATA_FIELDS) if field is not None else None
    annotations = metadata.get("annotations") if metadata is not None else None
    for key, value in ((annotations.as_str_map() or {}) if annotations is not None else {}).items():
        value.invalid(validation.label_key(key.lower()), key)


# -- source / destination ----------------------------------------------------------------


def _read_entity(field: Field | None) -> _Entity:
    if field is None:
        return _Entity()
    entity = field.as_map(ENTITY_FIELDS)
    if entity is None:
        return _Entity()
    out = _Entity()
    nets = _read_nets(entity, "nets", out)
    not_nets = _read_nets(entity, "notNets", out)
    selector_field = entity.get("selector")
    selector = read_selector(selector_field)
    forbid_global(selector_field, selector)
    not_selector = read_selector(entity.get("notSelector"))
    namespace_selector = _read_namespace_selector(entity.get("namespaceSelector"))
    ports = _read_ports(entity, "ports", out)
    not_ports = _read_ports(entity, "notPorts", out)
    accounts = _read_service_accounts(entity.get("serviceAccounts"))
    _read_services(entity, out)
    if out.services is not None:
        _check_service_alone(entity, out.services)
    out.rule = EntityRule(tuple(nets or ()), tuple(not_nets or ()), selector, not_selector, namespace_selector,
                          tuple(ports or ()), tuple(not_ports or ()), accounts)
    return out


def _read_nets(entity: Fields, name: str, out: _Entity) -> list[str] | None:
    items = entity.get_str_list(name)
    if items is None:
        return None
    if len(items) > MAX_NETS:
        entity.at(name).error(_("may list at most {limit} CIDRs (it lists {n})").format(limit=MAX_NETS, n=len(items)))
    networks = []
    seen: dict[IPNetwork, Field] = {}
    for text, item in items:
        network, problems = validation.parse_cidr(text)
        item.invalid(problems)
        if network is None:
            continue
        if name == "notNets" and network.prefixlen == 0:
            item.error(_("notNets {network} excludes every address, so the rule could never match; remove it (leave "
                         "nets and notNets out to match any address)").format(network=network))
        if network in seen:
            item.error(_("{network} is listed twice (first at line {line}); {field} is a set of distinct "
                         "CIDRs").format(network=network, line=seen[network].line, field=name))
        seen.setdefault(network, item)
        networks.append(network)
    out.nets.append((entity.at(name), networks))
    return [str(n) for n in networks]


def _read_namespace_selector(field: Field | None) -> str | None:
    """A rule namespaceSelector: `global()` is allowed, but only on its own."""
    text = read_selector(field)
    if field is not None and text is not None and GLOBAL_CALL in text and not isinstance(parse(text), Global):
        field.error(_("global() cannot be combined with other selectors; write namespaceSelector: global() alone (it "
                      "means: only GlobalNetworkSets and host endpoints, which have no namespace)"))
        return None
    return text


def _read_ports(entity: Fields, name: str, out: _Entity) -> list[PortRange] | None:
    items = entity.get_list(name)
    if items is None:
        return None
    if len(items) > MAX_PORTS:
        entity.at(name).error(_("may list at most {limit} ports or ranges (it lists {n})").format(limit=MAX_PORTS,
                                                                                                 n=len(items)))
    ports = [(port, item) for port, item in ((read_port(item), item) for item in items) if port is not None]
    out.ports.append((entity.at(name), ports))
    return [port for port, _ in ports]


def read_port(item: Field) -> PortRange | None:
    """A Calico port: a number, a "first:last" range, or a named port (numorstring.PortFromString)."""
    node = item.node
    if item.refused:
        return None
    if not isinstance(node, Scalar) or isinstance(node.value, (bool, float)) or node.value is None:
        item.error(_('must be a port number, a range such as "8000:8080", or a port name, not {actual}').format(
            actual=describe(node)))
        return None
    value = node.value  # unquoted 20:30 is text, as kubectl reads it (PyYAML alone would say 1230)
    if isinstance(value, int):
        return _port_number(item, value)
    text = str(value)
    if text.isascii() and text.isdigit():
        return _port_number(item, int(text))
    first, colon, last = text.partition(":")
    if colon and first.isascii() and first.isdigit() and last.isascii() and last.isdigit():
        low, high = _port_number(item, int(first)), _port_number(item, int(last))
        if low is None or high is None or low.first is None or high.first is None:
            return None
        if low.first > high.first:
            item.error(_('the range "{range}" starts after it ends; write "{reversed}"').format(range=text,
                                                                                              reversed=f"{last}:{first}"))
            return None
        return PortRange(low.first, high.first)
    problems = validation.port_name(text)
    if _DASHED_RANGE.match(text):
        problems = [_('Calico writes a port range with a colon: "{range}"').format(
            range=text.replace("-", ":").replace(" ", ""))]
    item.invalid(problems, text)
    return None if problems else PortRange(name=text)


def _port_number(item: Field, number: int) -> PortRange | None:
    problems = [_("a port {problem}").format(problem=p) for p in validation.port_number(number)]
    item.invalid(problems, number)
    return None if problems else PortRange(number, number)


def _read_service_accounts(field: Field | None) -> ServiceAccountMatch | None:
    if field is None:
        return None
    accounts = field.as_map(SERVICE_ACCOUNT_FIELDS)
    if accounts is None:
        return None
    names: list[str] = []
    for name, item in accounts.get_str_list("names") or ():
        if name in names:
            item.error(_('"{name}" is listed twice; names is a set').format(name=name))
        else:
            names.append(name)
    return ServiceAccountMatch(tuple(names), read_selector(accounts.get("selector")))


def _read_services(entity: Fields, out: _Entity) -> None:
    field = entity.get("services")
    services = field.as_map(SERVICE_FIELDS) if field is not None else None
    if services is None:
        return
    out.services = field
    name = services.get_str("name")
    if not name and field is not None:
        field.error(_("must name a Service: services: {name: my-service, namespace: ...}"))
    for key in ("name", "namespace"):
        value = services.get_str(key)
        if value:
            services.at(key).invalid(validation.dns1123_subdomain(value))
    out.service_namespace = services.get_str("namespace")


def _check_service_alone(entity: Fields, services: Field) -> None:
    """Calico matches a Service by its endpoints' addresses, so nothing else may say who the peer is."""
    others = [n for n in ("selector", "notSelector", "namespaceSelector", "serviceAccounts", "nets", "notNets")
              if n in entity]
    if others:
        services.error(_("may not be combined with {fields} in the same source or destination; Calico takes the peer's "
                         "addresses from the Service").format(fields=", ".join(others)))


# -- checks across the fields of a rule --------------------------------------------------


def _check_ports_need_protocol(protocol: str | int | None, entities: tuple[_Entity, ...]) -> None:
    for entity in entities:
        for ports_field, ports in entity.ports:
            if protocol is None:
                for port, item in ports:
                    if port.name is None:
                        item.error(_("port {port} needs a protocol in the rule (protocol: TCP, UDP or SCTP); only "
                                     "named ports may be used without one").format(port=port))
            elif protocol not in PORT_PROTOCOLS:
                ports_field.error(_("protocol {protocol} has no ports; only rules with protocol TCP, UDP or SCTP may "
                                    "list ports").format(protocol=protocol))


def _check_icmp(rule: Fields, protocol: str | int | None, not_protocol: str | int | None,
                ip_version: int | None) -> None:
    icmp = rule.get("icmp")
    if icmp is not None and protocol not in ICMP_PROTOCOLS:
        icmp.error(_("ICMP type and code need protocol: ICMP (or ICMPv6) in the same rule"))
    for value in (protocol, not_protocol):
        needed = ICMP_PROTOCOLS.get(value) if value is not None else None
        if needed is not None and ip_version is not None and ip_version != needed:
            other = "ICMPv6" if needed == 4 else "ICMP"
            rule.at("ipVersion").error(_("protocol {protocol} needs ipVersion {needed} (for IPv{version} use "
                                         "{other})").format(protocol=value, needed=needed, version=ip_version,
                                                            other=other))


def _check_address_families(ip_version: int | None, entities: tuple[_Entity, ...]) -> None:
    """One IP family per rule, and the one ipVersion names (validateRule's scanNets)."""
    seen: set[int] = set()
    for entity in entities:
        for nets_field, networks in entity.nets:
            versions = {n.version for n in networks}
            if ip_version is not None and versions - {ip_version}:
                nets_field.error(_("has IPv{version} CIDRs but the rule says ipVersion: {ip_version}").format(
                    version=min(versions - {ip_version}), ip_version=ip_version))
            elif len(versions) > 1 or (versions and seen and versions != seen):
                nets_field.error(_("mixes IPv4 and IPv6 CIDRs in one rule; write one rule per IP family"))
            seen |= versions


def _check_http(rule: Fields, action: str | None, protocol: str | int | None, scope: RuleScope) -> None:
    http = rule.get("http")
    assert http is not None
    if action is not None and action != "Allow":
        http.error(_("HTTP matches are only allowed on Allow rules, not on {action} rules").format(action=action))
    if protocol not in (None, "TCP", 6):
        rule.at("protocol").error(_("a rule with an http match must use protocol TCP (or leave protocol out), not "
                                    "{protocol}").format(protocol=protocol))
    if scope.direction == "egress":
        http.error(_("HTTP matches are only allowed in ingress rules (Calico checks requests as they arrive at the "
                     "pod)"))


def _check_services(source: _Entity, destination: _Entity, scope: RuleScope) -> None:
    """Where Service matches may appear (validateNetworkPolicySpec and the CEL rules on Rule)."""
    wrong, right = (destination, source) if scope.direction == "ingress" else (source, destination)
    if wrong.services is not None:
        if scope.direction == "ingress":
            wrong.services.error(_("a Service match is not allowed in the destination of an ingress rule; put it in "
                                   "the source"))
        else:
            wrong.services.error(_("a Service match is not allowed in the source of an egress rule; put it in the "
                                   "destination"))
    if destination.services is not None:
        for ports_field, _ports in destination.ports:
            ports_field.error(_("ports and notPorts may not be used with a destination Service: Calico uses the "
                                "Service's own ports"))
    if right.services is not None:
        if scope.is_global and not right.service_namespace:
            right.services.error(_("in a GlobalNetworkPolicy a Service match needs a namespace"))
        right.services.warning(_(
            "npkit does not evaluate Service matches; it fails closed: an Allow rule with a Service matches nothing "
            "in npkit's verdicts, and any other rule is evaluated as if the Service match were absent (so it matches "
            "more)"))


def _service_fallback(entity: _Entity, action: str | None) -> EntityRule:
    """The EntityRule npkit evaluates for a source/destination with a Service match (fail closed)."""
    if entity.services is None:
        return entity.rule
    rule = entity.rule
    if action == "Allow":
        # `!all()` selects no endpoint, so the rule can never allow anything.
        return EntityRule(selector="!all()", ports=rule.ports, not_ports=rule.not_ports)
    return rule


def _read_http(field: Field | None) -> HTTPMatch | None:
    if field is None:
        return None
    http = field.as_map(HTTP_FIELDS)
    if http is None:
        return None
    methods: list[str] = []
    method_items = http.get_str_list("methods") or []
    if len(method_items) > MAX_HTTP_ITEMS:
        http.at("methods").error(_("may list at most {limit} methods").format(limit=MAX_HTTP_ITEMS))
    for method, item in method_items:
        if method in methods:
            item.error(_('method "{method}" is listed twice').format(method=method))
        elif method != method.upper() and method.upper() in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"):
            item.warning(_('HTTP methods are case-sensitive: "{method}" does not match {upper} requests').format(
                method=method, upper=method.upper()))
        methods.append(method)
    path_items = http.get_list("paths") or []
    paths = [p for p in map(_read_http_path, path_items) if p is not None]
    if len(path_items) > MAX_HTTP_ITEMS:
        http.at("paths").error(_("may list at most {limit} paths").format(limit=MAX_HTTP_ITEMS))
    return HTTPMatch(tuple(methods), tuple(paths))


def _read_http_path(item: Field) -> HTTPPath | None:
    path = item.as_map(HTTP_PATH_FIELDS)
    if path is None:
        return None
    kinds = [k for k in ("exact", "prefix") if k in path]
    if len(kinds) != 1:
        item.error(_("each path must have exactly one of exact or prefix, e.g. - exact: /api/v1/users"))
        return None
    kind = kinds[0]
    value = path.get_str(kind)
    if value is None:
        return None
    value_field = path.get(kind)
    assert value_field is not None
    if len(value) > MAX_HTTP_PATH_CHARS:
        value_field.error(_("a path may have at most {limit} characters").format(limit=MAX_HTTP_PATH_CHARS))
    elif not value.startswith("/") or any(c in value for c in "? #"):
        bad = [repr(c) for c in "? #" if c in value]
        if bad:
            message = _('"{value}" is not a valid HTTP path: it must not contain {chars} (a path such as '
                        "/api/v1/users)")
        else:
            message = _('"{value}" is not a valid HTTP path: it must start with / (a path such as /api/v1/users)')
        value_field.error(message.format(value=value, chars=", ".join(bad)))
        return None
    return HTTPPath("exact" if kind == "exact" else "prefix", value)
