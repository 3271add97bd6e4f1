"""Calico projectcalico.org/v3 loading: every validation rule of Calico 3.32 that a learner can hit
(one case each: field path, line of the offending field, plain words), defaults, staged kinds,
tiers across files, and the chapter's examples."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from npkit.loading import load, load_string
from npkit.model import (
    CalicoPolicy,
    CalicoRule,
    EntityRule,
    HTTPMatch,
    HTTPPath,
    ICMPMatch,
    InputError,
    LabelSelector,
    NetworkPolicy,
    PortRange,
    ServiceAccountMatch,
    Tier,
)

CHAPTER = Path(__file__).resolve().parents[2] / "npkit" / "data" / "chapter"  # the chapter examples, package data


def doc(kind: str, spec: str, name: str = "web", namespace: str | None = "prod") -> str:
    """A projectcalico.org/v3 document with `spec` (YAML as written under `spec:`)."""
    meta = f"  name: {name}\n" + (f"  namespace: {namespace}\n" if namespace else "")
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ")
    return f"apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata:\n{meta}spec:\n{body}\n"


def np(spec: str, **kw) -> str:
    return doc("NetworkPolicy", spec, **kw)


def gnp(spec: str, **kw) -> str:
    return doc("GlobalNetworkPolicy", spec, namespace=None, **kw)


def tier(name: str, spec: str = "order: 100") -> str:
    return doc("Tier", spec, name=name, namespace=None)


# (id, documents, field path of the error, text on the error's line, words the message must contain)
INVALID = [
    # -- policy spec --
    ("selector-syntax", np("selector: app = 'web'"), "spec.selector", "selector: app", "two equals signs"),
    ("selector-global", np("selector: global()"), "spec.selector", "selector: global()",
     "global() can only be used"),
    ("sa-selector-global", np("serviceAccountSelector: global()"), "spec.serviceAccountSelector",
     "serviceAccountSelector", "global() can only be used"),
    ("gnp-namespace-selector-global", gnp("namespaceSelector: global()"), "spec.namespaceSelector",
     "namespaceSelector", "global() can only be used"),
    ("types-case", np("types: [ingress]"), "spec.types[0]", "types:", 'write "Ingress"'),
    ("types-twice", np("types:\n- Egress\n- Egress  # again"), "spec.types[1]", "# again", "listed twice"),
    ("types-empty", np("types: []"), "spec.types", "types: []", "leave types out"),
    ("tier-unknown", np("tier: secure"), "spec.tier", "tier: secure", 'tier "secure" does not exist'),
    ("tier-typo", tier("security") + "---\n" + np("tier: securty"), "spec.tier", "tier: securty",
     'did you mean "security"'),
    ("order-text", np("order: high"), "spec.order", "order: high", "must be a number"),
    ("order-quoted", np("order: '100'"), "spec.order", "order:", "remove the quotes"),
    ("performance-hint", np("performanceHints: [Fast]"), "spec.performanceHints[0]", "performanceHints",
     "AssumeNeededOnEveryNode"),
    ("np-no-host-flags", np("doNotTrack: true"), "spec.doNotTrack", "doNotTrack", 'unknown field "doNotTrack"'),
    ("name-two-dots", np("selector: all()", name="a.b.c"), "metadata.name", "name: a.b.c", "optionally with one '.'"),
    ("gnp-name-knp-prefix", gnp("selector: all()", name="knp.default.x"), "metadata.name", "name: knp",
     "optionally with one '.'"),
    # -- GlobalNetworkPolicy host flags --
    ("prednat-egress-rules", gnp("preDNAT: true\napplyOnForward: true\negress:\n- action: Allow"), "spec.egress",
     "egress:", "cannot have egress rules"),
    ("prednat-egress-type", gnp("preDNAT: true\napplyOnForward: true\ntypes: [Egress]"), "spec.types", "types:",
     "cannot have the Egress type"),
    ("prednat-and-donottrack", gnp("preDNAT: true\ndoNotTrack: true\napplyOnForward: true"), "spec.preDNAT",
     "preDNAT: true", "cannot both be true"),
    ("donottrack-needs-forward", gnp("doNotTrack: true"), "spec.doNotTrack", "doNotTrack: true",
     "needs applyOnForward: true"),
    ("prednat-needs-forward", gnp("preDNAT: true"), "spec.preDNAT", "preDNAT: true", "needs applyOnForward: true"),
    # -- staged --
    ("staged-action-case", doc("StagedNetworkPolicy", "stagedAction: set"), "spec.stagedAction", "stagedAction",
     'write "Set"'),
    ("staged-delete-with-rules", doc("StagedNetworkPolicy", "stagedAction: Delete\nselector: all()"),
     "spec.selector", "selector: all()", "must be left out when stagedAction is Delete"),
    # -- rule scalars --
    ("action-missing", np("ingress:\n- protocol: TCP"), "spec.ingress[0].action", "- protocol: TCP",
     "required field action is missing"),
    ("action-case", np("ingress:\n- action: allow"), "spec.ingress[0].action", "action: allow", 'write "Allow"'),
    ("action-unknown", np("ingress:\n- action: Accept"), "spec.ingress[0].action", "action: Accept",
     "one of Allow, Deny, Log, Pass"),
    ("protocol-case", np("ingress:\n- action: Allow\n  protocol: tcp"), "spec.ingress[0].protocol", "protocol: tcp",
     'write "TCP"'),
    ("protocol-unknown", np("ingress:\n- action: Allow\n  protocol: HTTP"), "spec.ingress[0].protocol",
     "protocol: HTTP", "ICMPv6"),
    ("protocol-zero", np("ingress:\n- action: Allow\n  protocol: 0"), "spec.ingress[0].protocol", "protocol: 0",
     "between 1 and 255"),
    ("protocol-too-big", np("egress:\n- action: Allow\n  notProtocol: 256"), "spec.egress[0].notProtocol",
     "notProtocol: 256", "between 1 and 255"),
    ("ip-version", np("ingress:\n- action: Allow\n  ipVersion: 5"), "spec.ingress[0].ipVersion", "ipVersion: 5",
     "must be 4 or 6"),
    # -- ports --
    ("ports-need-protocol", np("ingress:\n- action: Allow\n  destination:\n    ports:\n    - http\n    - 80"),
     "spec.ingress[0].destination.ports[1]", "- 80", "needs a protocol"),
    ("not-ports-need-protocol", np("egress:\n- action: Deny\n  source:\n    notPorts: ['1000:2000']"),
     "spec.egress[0].source.notPorts[0]", "notPorts:", "only named ports"),
    ("ports-with-icmp", np("ingress:\n- action: Allow\n  protocol: ICMP\n  destination:\n    ports: [80]"),
     "spec.ingress[0].destination.ports", "ports: [80]", "protocol ICMP has no ports"),
    ("ports-with-udplite", np("ingress:\n- action: Allow\n  protocol: UDPLite\n  destination:\n    ports: [53]"),
     "spec.ingress[0].destination.ports", "ports: [53]", "protocol UDPLite has no ports"),
    ("port-range-reversed", np("ingress:\n- action: Allow\n  protocol: TCP\n  destination:\n    ports: ['9000:8000']"),
     "spec.ingress[0].destination.ports[0]", "ports:", 'write "8000:9000"'),
    ("port-range-too-high", np("ingress:\n- action: Allow\n  protocol: TCP\n  destination:\n    ports: ['1:70000']"),
     "spec.ingress[0].destination.ports[0]", "ports:", "Invalid value: 70000: a port must be between 1 and 65535"),
    ("port-zero", np("ingress:\n- action: Allow\n  protocol: UDP\n  destination:\n    ports:\n    - 0"),
     "spec.ingress[0].destination.ports[0]", "- 0", "Invalid value: 0: a port must be between 1 and 65535"),
    ("port-dash-range", np("ingress:\n- action: Allow\n  protocol: TCP\n  destination:\n    ports: [80-90]"),
     "spec.ingress[0].destination.ports[0]", "ports:", '"80:90"'),
    ("port-name-invalid", np("ingress:\n- action: Allow\n  protocol: TCP\n  destination:\n    ports: [Web_UI]"),
     "spec.ingress[0].destination.ports[0]", "ports:", "lowercase"),
    ("ports-too-many", np("ingress:\n- action: Allow\n  protocol: TCP\n  destination:\n    ports: ["
                          + ", ".join(str(p) for p in range(1, 52)) + "]"),
     "spec.ingress[0].destination.ports", "ports:", "at most 50"),
    # -- ICMP --
    ("icmp-needs-protocol", np("ingress:\n- action: Allow\n  icmp: {type: 8}"), "spec.ingress[0].icmp", "icmp:",
     "need protocol: ICMP"),
    ("icmp-code-needs-type", np("ingress:\n- action: Allow\n  protocol: ICMP\n  icmp:\n    code: 1"),
     "spec.ingress[0].icmp.code", "code: 1", "needs a type"),
    ("icmp-type-range", np("ingress:\n- action: Allow\n  protocol: ICMP\n  icmp:\n    type: 255"),
     "spec.ingress[0].icmp.type", "type: 255", "between 0 and 254"),
    ("icmp-ipversion", np("ingress:\n- action: Allow\n  protocol: ICMP\n  ipVersion: 6"),
     "spec.ingress[0].ipVersion", "ipVersion: 6", "use ICMPv6"),
    ("icmpv6-ipversion", np("egress:\n- action: Deny\n  notProtocol: ICMPv6\n  ipVersion: 4"),
     "spec.egress[0].ipVersion", "ipVersion: 4", "needs ipVersion 6"),
    # -- HTTP --
    ("http-on-deny", np("ingress:\n- action: Deny\n  http:\n    methods: [GET]"), "spec.ingress[0].http", "http:",
     "only allowed on Allow rules"),
    ("http-with-udp", np("ingress:\n- action: Allow\n  protocol: UDP\n  http: {methods: [GET]}"),
     "spec.ingress[0].protocol", "protocol: UDP", "must use protocol TCP"),
    ("http-in-egress", np("egress:\n- action: Allow\n  http: {methods: [GET]}"), "spec.egress[0].http", "http:",
     "only allowed in ingress rules"),
    ("http-path-no-slash", np("ingress:\n- action: Allow\n  http:\n    paths:\n    - exact: api/v1"),
     "spec.ingress[0].http.paths[0].exact", "exact: api/v1", "must start with /"),
    ("http-path-query", np("ingress:\n- action: Allow\n  http:\n    paths:\n    - prefix: /api?x=1"),
     "spec.ingress[0].http.paths[0].prefix", "prefix: /api", "must not contain '?'"),
    ("http-path-both", np("ingress:\n- action: Allow\n  http:\n    paths:\n    - {exact: /a, prefix: /b}"),
     "spec.ingress[0].http.paths[0]", "- {exact", "exactly one of exact or prefix"),
    ("http-method-twice", np("ingress:\n- action: Allow\n  http:\n    methods:\n    - GET\n    - GET  # again"),
     "spec.ingress[0].http.methods[1]", "# again", "listed twice"),
    # -- nets --
    ("not-nets-everything", np("egress:\n- action: Deny\n  destination:\n    notNets:\n    - 0.0.0.0/0"),
     "spec.egress[0].destination.notNets[0]", "- 0.0.0.0/0", "excludes every address"),
    ("not-nets-everything-v6", np("egress:\n- action: Deny\n  destination:\n    notNets: ['::/0']"),
     "spec.egress[0].destination.notNets[0]", "notNets:", "excludes every address"),
    ("nets-two-families", np("egress:\n- action: Allow\n  source:\n    nets: [10.0.0.0/8]\n  destination:\n"
                             "    nets: ['fd00::/8']"),
     "spec.egress[0].destination.nets", "nets: ['fd00", "mixes IPv4 and IPv6"),
    ("nets-vs-ipversion", np("egress:\n- action: Allow\n  ipVersion: 6\n  destination:\n    nets: [10.0.0.0/8]"),
     "spec.egress[0].destination.nets", "nets: [10", "ipVersion: 6"),
    ("nets-bare-ip", np("ingress:\n- action: Deny\n  source:\n    nets:\n    - 1.2.3.4"),
     "spec.ingress[0].source.nets[0]", "- 1.2.3.4", "write 1.2.3.4/32"),
    ("nets-host-bits", np("ingress:\n- action: Deny\n  source:\n    nets:\n    - 10.0.0.5/24"),
     "spec.ingress[0].source.nets[0]", "- 10.0.0.5/24", "write 10.0.0.0/24"),
    ("nets-too-many", np("ingress:\n- action: Deny\n  source:\n    nets: ["
                         + ", ".join(f"10.{i // 256}.{i % 256}.0/24" for i in range(257)) + "]"),
     "spec.ingress[0].source.nets", "nets:", "at most 256"),
    # -- selectors in rules --
    ("entity-selector-global", np("ingress:\n- action: Allow\n  source:\n    selector: global()"),
     "spec.ingress[0].source.selector", "selector: global()", "global() can only be used"),
    ("entity-namespace-selector-global-and", np("ingress:\n- action: Allow\n  source:\n"
                                                "    namespaceSelector: global() && has(x)"),
     "spec.ingress[0].source.namespaceSelector", "namespaceSelector:", "cannot be combined"),
    ("entity-selector-syntax", np("ingress:\n- action: Allow\n  source:\n    notSelector: \"role in {'a' 'b'}\""),
     "spec.ingress[0].source.notSelector", "notSelector:", "invalid selector"),
    ("service-account-names-twice", np("ingress:\n- action: Allow\n  source:\n    serviceAccounts:\n"
                                       "      names: [api, api]"),
     "spec.ingress[0].source.serviceAccounts.names[1]", "names:", "listed twice"),
    # -- Service matches --
    ("services-with-selector", np("ingress:\n- action: Allow\n  source:\n    selector: app == 'a'\n"
                                  "    services: {name: db}"),
     "spec.ingress[0].source.services", "services:", "may not be combined with selector"),
    ("services-in-egress-source", np("egress:\n- action: Allow\n  source:\n    services: {name: db}"),
     "spec.egress[0].source.services", "services:", "not allowed in the source of an egress rule"),
    ("services-in-ingress-destination", np("ingress:\n- action: Allow\n  destination:\n    services: {name: db}"),
     "spec.ingress[0].destination.services", "services:", "not allowed in the destination"),
    ("services-destination-ports", np("egress:\n- action: Allow\n  protocol: TCP\n  destination:\n"
                                      "    services: {name: db}\n    ports: [5432]"),
     "spec.egress[0].destination.ports", "ports: [5432]", "Service's own ports"),
    ("services-need-name", np("egress:\n- action: Allow\n  destination:\n    services: {namespace: x}"),
     "spec.egress[0].destination.services", "services:", "must name a Service"),
    ("gnp-services-need-namespace", gnp("egress:\n- action: Allow\n  destination:\n    services: {name: db}"),
     "spec.egress[0].destination.services", "services:", "needs a namespace"),
    ("rule-annotation-key", np("ingress:\n- action: Allow\n  metadata:\n    annotations:\n      'a b': x"),
     "spec.ingress[0].metadata.annotations[\"a b\"]", "'a b': x", 'Invalid value: "a b": a label key'),
    # -- tiers --
    ("tier-default-order", tier("default", "order: 100"), "spec.order", "order: 100", "must have order 1000000"),
    ("tier-kube-admin-action", tier("kube-admin", "order: 1000"), "spec.defaultAction", "spec:",
     "must have defaultAction Pass"),
    ("tier-kube-baseline-order-missing", tier("kube-baseline", "defaultAction: Pass"), "spec.order", "spec:",
     "add order: 10000000"),
    ("tier-action-allow", tier("security", "defaultAction: Allow"), "spec.defaultAction", "defaultAction",
     "must be Deny or Pass"),
    ("tier-name-dot", tier("sec.ops"), "metadata.name", "name: sec.ops", "must not contain dots"),
    # -- network sets --
    ("netset-bad-net", doc("NetworkSet", "nets:\n- 10.0.0.0/33"), "spec.nets[0]", "- 10.0.0.0/33", "at most 32"),
    ("netset-twice", doc("GlobalNetworkSet", "nets: [10.0.0.0/8, 10.0.0.0/8]", namespace=None), "spec.nets[1]",
     "nets:", "listed twice"),
]


@pytest.mark.parametrize("text, path, snippet, words", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_calico_objects_are_reported_at_the_field(yaml_loader, text, path, snippet, words):
    errors = [e for e in yaml_loader.errors(text) if e.path == path]
    assert len(errors) == 1, errors
    assert errors[0].origin.line == yaml_loader.line_of(text, snippet)
    assert words in errors[0].message


def test_an_error_names_file_line_kind_namespace_and_name(yaml_loader):
    text = np("ingress:\n- action: Allow\n  protocol: TCP\n  destination:\n    ports: [http, '0:10']")
    error = yaml_loader.error(text)
    assert error.to_json() | {"message": ""} == {
        "severity": "error", "message": "", "file": "test.yaml", "line": 11, "column": None,
        "kind": "NetworkPolicy", "namespace": "prod", "name": "web", "path": "spec.ingress[0].destination.ports[1]"}


def test_a_selector_error_points_at_the_column_with_a_caret(yaml_loader):
    error = yaml_loader.error(np("selector: app == 'web' && tier = 'x'"))
    assert error.column == 22  # the lone '=' inside the selector
    assert error.message.splitlines()[-2:] == ["  app == 'web' && tier = 'x'", " " * 23 + "^"]


def test_every_rule_error_is_reported_in_one_run(yaml_loader):
    errors = yaml_loader.errors(np("ingress:\n- action: allow\n- action: Allow\n  protocol: tcp\n"
                                   "egress:\n- action: Allow\n  icmp: {code: 1}"))
    assert [e.path for e in errors] == ["spec.ingress[0].action", "spec.ingress[1].protocol",
                                        "spec.egress[0].icmp.code", "spec.egress[0].icmp"]


# -- what a valid policy becomes --------------------------------------------------------


def test_defaults_tier_selector_and_order():
    policy = load_string(np("ingress: [{action: Allow}]")).calico_policies[0]
    assert (policy.tier, policy.selector, policy.order, policy.types) == ("default", "", None, ("Ingress",))
    assert (policy.namespace, policy.is_global, policy.staged) == ("prod", False, False)


@pytest.mark.parametrize("rules, types", [
    ("", ("Ingress",)),
    ("ingress: [{action: Allow}]", ("Ingress",)),
    ("egress: [{action: Allow}]", ("Egress",)),
    ("ingress: [{action: Allow}]\negress: [{action: Allow}]", ("Ingress", "Egress")),
], ids=["none", "ingress", "egress", "both"])
def test_types_default_from_the_rules_present(rules, types):
    assert load_string(np("selector: all()\n" + rules)).calico_policies[0].types == types


def test_rules_of_a_direction_missing_from_types_are_flagged():
    cluster = load_string(np("types: [Ingress]\negress: [{action: Deny}]"))
    [warning] = cluster.warnings
    assert (warning.path, warning.origin.line) == ("spec.egress", 8)
    assert "ignored" in warning.message


def test_a_full_rule_is_modelled_field_by_field():
    policy = load_string(gnp("""
        tier: default
        order: 10.5
        selector: role == 'db'
        namespaceSelector: team == 'a'
        serviceAccountSelector: has(x)
        performanceHints: [AssumeNeededOnEveryNode]
        ingress:
        - action: Allow
          protocol: TCP
          notProtocol: 17
          ipVersion: 4
          source:
            nets: [10.0.0.0/8]
            notNets: [10.1.0.0/16]
            selector: app == 'api'
            notSelector: bad == 'true'
            namespaceSelector: global()
            serviceAccounts: {names: [robot], selector: team == 'a'}
          destination:
            ports: [80, '8000:8080', http, '443']
            notPorts: [8001]
          http:
            methods: [GET]
            paths: [{exact: /a}, {prefix: /b}]
          metadata:
            annotations: {why: audit}
        - action: Pass
          protocol: ICMP
          icmp: {type: 8, code: 0}
          notICMP: {type: 3}
        """)).calico_policies[0]
    assert policy.order == 10.5 and policy.namespace_selector == "team == 'a'"
    assert policy.service_account_selector == "has(x)"
    assert policy.ingress == (
        CalicoRule("Allow", "TCP", 17, None, None,
                   EntityRule(("10.0.0.0/8",), ("10.1.0.0/16",), "app == 'api'", "bad == 'true'", "global()",
                              service_accounts=ServiceAccountMatch(("robot",), "team == 'a'")),
                   EntityRule(ports=(PortRange(80, 80), PortRange(8000, 8080), PortRange(name="http"),
                                     PortRange(443, 443)), not_ports=(PortRange(8001, 8001),)),
                   HTTPMatch(("GET",), (HTTPPath("exact", "/a"), HTTPPath("prefix", "/b"))), 4),
        CalicoRule("Pass", "ICMP", icmp=ICMPMatch(8, 0), not_icmp=ICMPMatch(3, None)),
    )


def test_named_ports_need_no_protocol_and_digit_strings_are_numbers():
    rule = load_string(np("ingress:\n- action: Allow\n  protocol: '6'\n  destination: {ports: ['80']}\n"
                          "- action: Allow\n  destination: {ports: [http, metrics]}")).calico_policies[0].ingress
    assert rule[0].protocol == 6 and rule[0].destination.ports == (PortRange(80, 80),)
    assert rule[1].destination.ports == (PortRange(name="http"), PortRange(name="metrics"))


def test_an_unquoted_port_range_is_a_range_not_a_base_60_number():
    # PyYAML reads `20:30` as the YAML 1.1 sexagesimal 1230; Calico's YAML reader keeps the text.
    rule = load_string(np("ingress:\n- action: Allow\n  protocol: TCP\n  destination:\n    ports: [20:30]"))
    assert rule.calico_policies[0].ingress[0].destination.ports == (PortRange(20, 30),)


def test_service_matches_warn_and_fail_closed():
    cluster = load_string(np("""
        ingress:
        - action: Allow
          source: {services: {name: db, namespace: data}}
        - action: Deny
          protocol: TCP
          source: {services: {name: db}, ports: [5432]}
        """))
    allow, deny = cluster.calico_policies[0].ingress
    assert allow.source == EntityRule(selector="!all()")  # selects no endpoint: the Allow never matches
    assert deny.source == EntityRule(ports=(PortRange(5432, 5432),))  # the Deny applies to any source
    warnings = [w for w in cluster.warnings if "Service" in w.message]
    assert [w.path for w in warnings] == ["spec.ingress[0].source.services", "spec.ingress[1].source.services"]


def test_host_flags_load_with_a_note_that_pods_are_unaffected():
    cluster = load_string(gnp("preDNAT: true\napplyOnForward: true\ningress: [{action: Deny}]"))
    policy = cluster.calico_policies[0]
    assert (policy.pre_dnat, policy.apply_on_forward, policy.do_not_track) == (True, True, False)
    assert any("host endpoints" in w.message for w in cluster.warnings)


# -- names and tiers -----------------------------------------------------------------------


def test_a_tier_prefixed_name_is_accepted_with_a_note():
    cluster = load_string(tier("security") + "---\n" + gnp("tier: security\nselector: all()", name="security.deny"))
    [note] = [d for d in cluster.diagnostics if d.severity == "info" and "prefix" in d.message]
    assert (note.path, note.origin.line, note.obj.name) == ("metadata.name", 11, "security.deny")
    plain = load_string(tier("security") + "---\n" + gnp("tier: security", name="deny"))
    assert not [d for d in plain.diagnostics if "prefix" in d.message]


def test_a_tier_defined_later_or_in_another_file_is_found(tmp_path):
    (tmp_path / "a-policy.yaml").write_text(np("tier: security\ningress: [{action: Deny}]"))
    (tmp_path / "b-tier.yaml").write_text(tier("security", "order: 50\ndefaultAction: Pass"))
    cluster = load(tmp_path)
    assert cluster.tiers["security"].order == 50.0 and cluster.tiers["security"].default_action == "Pass"
    assert cluster.calico_policies[0].tier == "security"


def test_a_missing_tier_is_reported_in_the_policys_file(tmp_path):
    (tmp_path / "policy.yaml").write_text(np("tier: security"))
    with pytest.raises(InputError) as info:
        load(tmp_path)
    [error] = info.value.errors
    assert (Path(error.origin.file).name, error.origin.line, error.path) == ("policy.yaml", 7, "spec.tier")


def test_tiers_load_into_the_cluster_next_to_the_builtin_ones():
    cluster = load_string(tier("late", "defaultAction: Pass") + "---\n"
                          + tier("default", "order: 1000000\ndefaultAction: Deny"))
    assert cluster.tiers["late"].order is None  # no order: sorts after every ordered tier
    assert cluster.tiers["late"].default_action == "Pass" and not cluster.tiers["late"].builtin
    assert cluster.tiers["default"].builtin and cluster.tiers["kube-admin"].order == 1000.0


def test_an_old_builtin_tier_name_gets_a_note():
    cluster = load_string(tier("adminnetworkpolicy", "order: 1000\ndefaultAction: Pass"))
    assert isinstance(cluster.tiers["adminnetworkpolicy"], Tier)
    assert any("3.29-3.31" in d.message for d in cluster.diagnostics)


# -- staged kinds ----------------------------------------------------------------------------


def test_staged_calico_policies_load_as_staged_with_a_note():
    cluster = load_string(doc("StagedGlobalNetworkPolicy", "stagedAction: Set\nselector: all()\n"
                              "ingress: [{action: Deny}]", namespace=None))
    policy = cluster.calico_policies[0]
    assert policy.staged and policy.kind == "StagedGlobalNetworkPolicy" and policy.is_global
    [note] = [d for d in cluster.diagnostics if d.severity == "info"]
    assert "never changes traffic" in note.message and "GlobalNetworkPolicy" in note.message


def test_staged_kubernetes_network_policy_uses_the_kubernetes_spec():
    text = ("apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\n"
            "metadata: {name: web, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n"
            "  ingress:\n  - from: [{podSelector: {}}]\n")
    cluster = load_string(text)
    [policy] = cluster.network_policies
    assert isinstance(policy, NetworkPolicy) and policy.staged
    assert policy.pod_selector == LabelSelector.of({"app": "web"}) and policy.policy_types == ("Ingress",)
    assert policy.ref.kind == "StagedKubernetesNetworkPolicy"
    assert any(d.severity == "info" and "staged" in d.message for d in cluster.diagnostics)


def test_staged_delete_loads_nothing_and_says_why():
    cluster = load_string(doc("StagedNetworkPolicy", "stagedAction: Delete\ntier: default"))
    assert cluster.calico_policies == ()
    assert any("removal" in d.message for d in cluster.diagnostics)


def test_staged_delete_of_a_kubernetes_policy_may_keep_empty_fields(yaml_loader):
    head = ("apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\n"
            "metadata: {name: web, namespace: prod}\nspec:\n  stagedAction: Delete\n")
    assert load_string(head + "  podSelector: {}\n").network_policies == ()  # {} is the zero value
    error = yaml_loader.error(head + "  policyTypes: [Egress]\n")
    assert (error.path, error.origin.line) == ("spec.policyTypes", 6)


def test_learn_and_ignore_staged_actions_are_named_in_the_note():
    cluster = load_string(doc("StagedNetworkPolicy", "stagedAction: Learn\nselector: all()"))
    assert cluster.calico_policies[0].staged
    assert any("stagedAction Learn" in d.message for d in cluster.diagnostics)


# -- network sets and kinds npkit skips --------------------------------------------------------


def test_network_sets_keep_labels_and_normalised_nets():
    cluster = load_string(doc("NetworkSet", "nets: [10.0.0.5/24, 192.168.1.1]") + "---\n"
                          + doc("GlobalNetworkSet", "nets: ['2001:DB8::/32']", name="v6", namespace=None))
    local, shared = cluster.network_sets
    assert (local.namespace, local.nets) == ("prod", ("10.0.0.0/24", "192.168.1.1/32"))
    assert (shared.namespace, shared.nets) == (None, ("2001:db8::/32",))


def test_a_network_set_may_not_carry_the_calico_namespace_label(yaml_loader):
    text = ("apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: s\n  namespace: prod\n"
            "  labels:\n    projectcalico.org/namespace: prod\nspec:\n  nets: [10.0.0.0/8]\n")
    error = yaml_loader.error(text)
    assert (error.origin.line, error.path) == (7, 'metadata.labels["projectcalico.org/namespace"]')


@pytest.mark.parametrize("kind, spec", [("HostEndpoint", "node: n1\ninterfaceName: eth0"),
                                        ("Profile", "ingress: [{action: Allow}]")])
def test_host_endpoints_and_profiles_are_skipped_with_a_warning(kind, spec):
    cluster = load_string(doc(kind, spec, name="x", namespace=None))
    [warning] = cluster.warnings
    assert "does not model" in warning.message and warning.obj.kind == kind


def test_pods_keep_their_service_account():
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\n"
            "spec:\n  serviceAccountName: robot\n  containers: [{name: c, image: i}]\n")
    assert load_string(text).pods[0].service_account == "robot"


# -- the chapter's examples ------------------------------------------------------------------


def chapter(name: str):
    return load(CHAPTER / f"{name}.yaml")


def test_chapter_deny_external_egress():
    [policy] = chapter("deny-external-egress").calico_policies
    assert (policy.is_global, policy.selector, policy.types, policy.ingress) == (True, "all()", ("Egress",), ())
    assert policy.egress == (CalicoRule("Deny", destination=EntityRule(
        not_nets=("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))),)


def test_chapter_block_malicious_ips_with_its_tier():
    cluster = chapter("block-malicious-ips")
    assert (cluster.tiers["security"].order, cluster.tiers["security"].default_action) == (100.0, "Deny")
    [policy] = cluster.calico_policies
    assert (policy.tier, policy.order, policy.types) == ("security", 10.0, ("Ingress",))
    assert policy.ingress == (CalicoRule("Deny", source=EntityRule(nets=("1.2.3.0/24",))),)
    assert policy.field_lines["spec.ingress[0].source.nets[0]"] == 22


def test_chapter_explicit_deny_with_log():
    [policy] = chapter("explicit-deny-with-log").calico_policies
    assert (policy.namespace, policy.selector) == ("default", "app == 'web'")
    assert [r.action for r in policy.ingress] == ["Log", "Deny", "Allow"]
    assert [r.source.selector for r in policy.ingress] == ["suspicious == 'true'"] * 2 + ["app == 'frontend'"]


def test_chapter_allow_specific_http():
    [policy] = chapter("allow-specific-http").calico_policies
    assert policy.ingress[0].http == HTTPMatch(
        ("GET", "POST"), (HTTPPath("exact", "/api/v1/users"), HTTPPath("prefix", "/api/v1/products")))


def test_chapter_log_denied():
    [policy] = chapter("log-denied").calico_policies
    assert (policy.tier, policy.order, policy.types) == ("default", 9999.0, ("Ingress", "Egress"))
    assert policy.ingress == policy.egress == (CalicoRule("Log"),)


def test_every_chapter_example_loads_without_warnings():
    cluster = load(CHAPTER)
    assert cluster.warnings == ()
    assert sorted(p.name for p in cluster.calico_policies) == [
        "allow-specific-http", "block-malicious-ips", "deny-external-egress", "explicit-deny-with-log",
        "log-denied"]
    assert all(isinstance(p, CalicoPolicy) for p in cluster.calico_policies)
