"""Calico v3 semantics (docs/semantics/calico.md): tiers, order, actions, scoping, rule fields.

The cluster (IPs in comments):
  default (env=prod):  web app=web TCP 80 "http" (10.0.0.1), frontend app=frontend (10.0.0.2),
                       sus app=frontend suspicious=true (10.0.0.3), api app=api TCP 8080 "http" (10.0.0.4)
  other (env=dev):     frontend app=frontend (10.0.1.1), client app=client serviceAccount=robot (10.0.1.2)
Addresses outside: 1.2.3.4 (malicious), 8.8.8.8 (internet), 192.168.5.5 (private).
"""

from __future__ import annotations

import pytest

from npkit.engine import Engine
from npkit.loading import load_string

pytest.importorskip("npkit.loading.calico", reason="the Calico loader has not landed yet")

PODS = """
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {env: dev}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: default, labels: {app: frontend}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: sus, namespace: default, labels: {app: frontend, suspicious: "true"}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: default, labels: {app: api}}
spec: {containers: [{name: c, image: api, ports: [{containerPort: 8080, name: http}]}]}
status: {podIP: 10.0.0.4}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: other, labels: {app: frontend}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: other, labels: {app: client}}
spec: {serviceAccountName: robot, containers: [{name: c, image: busybox}]}
status: {podIP: 10.0.1.2}
"""


def engine(policies: str, dataplane: str = "calico", l7: bool = False) -> Engine:
    return Engine(load_string(PODS + "---\n" + policies), dataplane, l7)


def allowed(e: Engine, src: str, dst: str, port: int | None = 80, protocol: str = "TCP", **kw) -> bool:
    return e.verdict(src, dst, port, protocol, **kw).allowed


def gnp(name: str, body: str) -> str:
    return f"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: {name}}}\nspec:\n{body}"


def cnp(name: str, namespace: str, body: str) -> str:
    head = f"apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {namespace}}}"
    return f"{head}\nspec:\n{body}"


def tier(name: str, order: str | None = None, default: str | None = None) -> str:
    spec = ", ".join(x for x in (f"order: {order}" if order else "", f"defaultAction: {default}" if default else "") if x)
    return f"apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {{name: {name}}}\nspec: {{{spec}}}\n"


def docs(*parts: str) -> str:
    return "\n---\n".join(parts)


def policies_in(e: Engine, tier_name: str) -> list:
    return next(t for t in e.program.tiers if t.name == tier_name).policies


def side_tiers(e: Engine, src: str, dst: str, direction: str = "ingress", port: int = 80) -> list[tuple[str, str]]:
    v = e.verdict(src, dst, port)
    side = v.ingress if direction == "ingress" else v.egress
    return [(t.name, t.outcome) for t in side.tiers]


# -- tiers and order ----------------------------------------------------------------------------
def test_tiers_run_in_order_and_the_first_decision_wins():
    # tier a (order 10) denies frontend → web; tier b (order 20) would allow it.
    e = engine(docs(
        tier("a", "10"), tier("b", "20"),
        gnp("deny", "  tier: a\n  selector: app == 'web'\n  ingress: [{action: Deny, source: {selector: app == 'frontend'}}]"),
        gnp("allow", "  tier: b\n  selector: app == 'web'\n  ingress: [{action: Allow}]"),
    ))
    assert not allowed(e, "default/frontend", "default/web")
    assert side_tiers(e, "default/frontend", "default/web") == [("a", "deny")]


def test_a_tier_without_order_runs_after_every_tier_with_one_even_kube_baseline():
    e = engine(docs(tier("late"), tier("early", "5")))
    names = [t.name for t in e.program.tiers]
    assert names == ["early", "kube-admin", "default", "kube-baseline", "late"]


def test_equal_tier_orders_are_broken_by_name():
    e = engine(docs(tier("zeta", "50"), tier("alpha", "50")))
    assert [t.name for t in e.program.tiers][:2] == ["alpha", "zeta"]


def test_policies_in_a_tier_run_by_order_and_a_policy_without_order_runs_last():
    # Both select web; the ordered Deny (order 5) runs before the order-less Allow.
    e = engine(docs(
        gnp("allow-all", "  selector: app == 'web'\n  ingress: [{action: Allow}]"),
        gnp("deny-fe", "  order: 5\n  selector: app == 'web'\n  ingress: [{action: Deny, source: {selector: app == 'frontend'}}]"),
    ))
    assert not allowed(e, "default/frontend", "default/web")
    assert allowed(e, "other/client", "default/web")
    assert [p.ref.name for p in policies_in(e, 'default')] == ["deny-fe", "allow-all"]


def test_calico_deny_before_order_1000_overrides_a_kubernetes_allow_and_after_it_does_not():
    k8s_allow = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all-web, namespace: default}
spec: {podSelector: {matchLabels: {app: web}}, ingress: [{}]}"""
    deny = "  order: {order}\n  selector: app == 'web'\n  ingress: [{{action: Deny, source: {{selector: app == 'frontend'}}}}]"
    before = engine(docs(k8s_allow, gnp("deny", deny.format(order=500))))
    after = engine(docs(k8s_allow, gnp("deny", deny.format(order=2000))))
    assert not allowed(before, "default/frontend", "default/web")
    assert allowed(after, "default/frontend", "default/web")
    kinds = [p.ref.kind for p in policies_in(before, 'default')]
    assert kinds == ["GlobalNetworkPolicy", "NetworkPolicy"]


def test_a_tier_that_selects_nothing_for_the_endpoint_is_skipped_default_action_and_all():
    e = engine(docs(tier("strict", "10"), gnp("only-api", "  tier: strict\n  selector: app == 'api'\n  ingress: []")))
    assert allowed(e, "default/frontend", "default/web")  # strict selects api only
    assert side_tiers(e, "default/frontend", "default/web") == [("strict", "skipped")]
    assert "not isolated" in e.verdict("default/frontend", "default/web", 80).ingress.decision.text
    assert not allowed(e, "default/frontend", "default/api", 8080)  # api: strict's end-of-tier deny


def test_pass_skips_the_rest_of_the_tier_and_goes_on_to_the_next():
    e = engine(docs(
        tier("a", "10"),
        gnp("pass-fe", "  tier: a\n  order: 1\n  selector: app == 'web'\n"
                       "  ingress: [{action: Pass, source: {selector: app == 'frontend'}}]"),
        gnp("deny-all", "  tier: a\n  order: 2\n  selector: app == 'web'\n  ingress: [{action: Deny}]"),
    ))
    # frontend passes tier a (deny-all is skipped); no later tier selects web → profile allows
    assert allowed(e, "default/frontend", "default/web")
    assert side_tiers(e, "default/frontend", "default/web") == [("a", "pass")]
    assert "namespace profile kns.default allows" in e.verdict("default/frontend", "default/web", 80).ingress.decision.text
    assert not allowed(e, "other/client", "default/web")  # not passed: deny-all


def test_pass_reaches_the_kubernetes_policies_of_the_default_tier():
    e = engine(docs(
        tier("a", "10", "Pass"),
        gnp("pass-all", "  tier: a\n  selector: all()\n  ingress: [{action: Pass}]"),
        """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-fe, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}]}]""",
    ))
    assert allowed(e, "default/frontend", "default/web")
    assert not allowed(e, "other/client", "default/web")
    assert side_tiers(e, "other/client", "default/web") == [("a", "pass"), ("default", "end-of-tier-deny")]


def test_tier_default_action_pass_moves_on_when_nothing_matched():
    body = "  tier: a\n  selector: app == 'web'\n  ingress: [{action: Deny, source: {nets: [1.2.3.0/24]}}]"
    deny_tier = engine(docs(tier("a", "10"), gnp("block", body)))
    pass_tier = engine(docs(tier("a", "10", "Pass"), gnp("block", body)))
    assert not allowed(deny_tier, "default/frontend", "default/web")  # end-of-tier deny
    assert allowed(pass_tier, "default/frontend", "default/web")
    assert side_tiers(pass_tier, "default/frontend", "default/web") == [("a", "default-pass")]
    assert not allowed(pass_tier, "1.2.3.4", "default/web")


def test_log_does_not_decide_and_is_recorded():
    e = engine(cnp("log-then-allow", "default",
                   "  selector: app == 'web'\n  ingress: [{action: Log}, {action: Allow, source: {selector: app == 'frontend'}}]"))
    v = e.verdict("default/frontend", "default/web", 80)
    assert v.allowed
    assert v.ingress.logged == ("NetworkPolicy default/log-then-allow spec.ingress[0]",)
    v = e.verdict("default/api", "default/web", 80)
    assert not v.allowed and len(v.ingress.logged) == 1  # logged, then the end-of-tier deny


def test_both_ends_are_evaluated_source_egress_and_destination_ingress():
    e = engine(gnp("no-egress-fe", "  selector: app == 'frontend'\n  types: [Egress]\n  egress: [{action: Deny}]"))
    v = e.verdict("default/frontend", "default/web", 80)
    assert not v.allowed and not v.egress.allowed and v.ingress.allowed


# -- types defaulting ---------------------------------------------------------------------------
@pytest.mark.parametrize("rules,types", [
    ("", ("Ingress",)),
    ("  ingress: [{action: Allow}]\n", ("Ingress",)),
    ("  egress: [{action: Allow}]\n", ("Egress",)),
    ("  ingress: [{action: Allow}]\n  egress: [{action: Allow}]\n", ("Ingress", "Egress")),
])
def test_types_default_from_the_rules_present(rules, types):
    e = engine(gnp("p", "  selector: app == 'web'\n" + rules))
    assert policies_in(e, 'default')[0].directions == frozenset(types)


# -- selector scoping (B.4) --------------------------------------------------------------------
def test_namespaced_policy_selects_only_pods_of_its_namespace():
    e = engine(cnp("deny-fe", "default", "  selector: app == 'frontend'\n  types: [Egress]\n  egress: [{action: Deny}]"))
    assert not allowed(e, "default/frontend", "default/web")
    assert allowed(e, "other/frontend", "default/web")


def test_rule_selector_in_a_namespaced_policy_is_confined_to_that_namespace():
    e = engine(cnp("web", "default", "  selector: app == 'web'\n  ingress: [{action: Allow, source: {selector: app == 'frontend'}}]"))
    assert allowed(e, "default/frontend", "default/web")
    assert not allowed(e, "other/frontend", "default/web")


def test_rule_namespace_selector_matches_namespace_labels_and_names():
    by_label = engine(cnp("web", "default", "  selector: app == 'web'\n  ingress: [{action: Allow, source: "
                                             "{namespaceSelector: env == 'dev', selector: app == 'frontend'}}]"))
    by_name = engine(cnp("web", "default", "  selector: app == 'web'\n  ingress: [{action: Allow, source: "
                                            "{namespaceSelector: projectcalico.org/name == 'other'}}]"))
    assert allowed(by_label, "other/frontend", "default/web") and not allowed(by_label, "default/frontend", "default/web")
    assert not allowed(by_label, "other/client", "default/web")
    assert allowed(by_name, "other/client", "default/web") and not allowed(by_name, "default/api", "default/web")


def test_namespace_selector_all_means_every_namespace_but_not_outside_addresses():
    e = engine(cnp("web", "default", "  selector: app == 'web'\n  ingress: [{action: Allow, source: {namespaceSelector: all()}}]"))
    assert allowed(e, "other/client", "default/web") and allowed(e, "default/api", "default/web")
    assert not allowed(e, "8.8.8.8", "default/web")


def test_not_selector_in_a_namespaced_policy_stays_in_its_namespace():
    # docs/semantics/calico.md, where the sources disagree: the docs say "from anywhere except"; the code adds the namespace.
    e = engine(cnp("web", "default", "  selector: app == 'web'\n  ingress: [{action: Allow, source: {notSelector: app == 'api'}}]"))
    assert allowed(e, "default/frontend", "default/web")
    assert not allowed(e, "default/api", "default/web")
    assert not allowed(e, "other/client", "default/web")  # another namespace: not "anywhere"
    assert not allowed(e, "8.8.8.8", "default/web")


def test_not_selector_in_a_global_policy_means_anywhere_except():
    e = engine(gnp("web", "  selector: app == 'web'\n  ingress: [{action: Allow, source: {notSelector: app == 'api'}}]"))
    assert allowed(e, "other/client", "default/web") and allowed(e, "8.8.8.8", "default/web")
    assert not allowed(e, "default/api", "default/web")


def test_a_rule_without_selectors_matches_any_address_but_selector_all_only_known_endpoints():
    anyone = engine(gnp("web", "  selector: app == 'web'\n  ingress: [{action: Allow}]"))
    known = engine(gnp("web", "  selector: app == 'web'\n  ingress: [{action: Allow, source: {selector: all()}}]"))
    assert allowed(anyone, "8.8.8.8", "default/web")
    assert not allowed(known, "8.8.8.8", "default/web") and allowed(known, "other/client", "default/web")


def test_global_network_set_addresses_match_rule_selectors():
    e = engine(docs(
        "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: bad, labels: {threat: high}}\n"
        "spec: {nets: [1.2.3.0/24]}",
        gnp("block", "  order: 1\n  selector: app == 'web'\n  ingress: [{action: Deny, source: {selector: threat == 'high'}}, "
                     "{action: Allow}]"),
    ))
    assert not allowed(e, "1.2.3.4", "default/web") and allowed(e, "8.8.8.8", "default/web")
    text = e.verdict("1.2.3.4", "default/web", 80).ingress.tiers[0].policies[0].rules[0].checks[0].text
    assert "GlobalNetworkSet bad" in text


def test_selector_operators_on_absent_labels():
    # != and not in match pods without the label (B.2); == and in do not.
    e = engine(gnp("web", "  selector: app == 'web'\n  ingress: [{action: Allow, source: {selector: \"suspicious != 'true'\"}}]"))
    assert allowed(e, "default/frontend", "default/web")  # no suspicious label
    assert not allowed(e, "default/sus", "default/web")
    e = engine(gnp("web", "  selector: app == 'web'\n  ingress: [{action: Allow, source: "
                          "{selector: \"app starts with 'front' && !has(suspicious)\"}}]"))
    assert allowed(e, "other/frontend", "default/web") and not allowed(e, "default/sus", "default/web")


def test_global_policy_namespace_selector_and_service_account_selectors():
    e = engine(gnp("dev-only", "  selector: all()\n  namespaceSelector: env == 'dev'\n  types: [Egress]\n"
                               "  egress: [{action: Deny}]"))
    assert not allowed(e, "other/client", "default/web") and allowed(e, "default/api", "default/web")
    e = engine(gnp("robots", "  selector: app == 'web'\n  ingress: [{action: Allow, source: {serviceAccounts: {names: [robot]}}}]"))
    assert allowed(e, "other/client", "default/web") and not allowed(e, "other/frontend", "default/web")


# -- rule fields --------------------------------------------------------------------------------
def test_protocol_and_not_protocol_by_name_and_number():
    e = engine(gnp("web", "  selector: app == 'web'\n  ingress: [{action: Allow, protocol: 6}, {action: Allow, notProtocol: TCP, "
                          "source: {selector: app == 'api'}}]"))
    assert allowed(e, "default/frontend", "default/web", 80, "TCP")
    assert not allowed(e, "default/frontend", "default/web", 53, "UDP")
    assert allowed(e, "default/api", "default/web", 53, "UDP")


def test_icmp_type_and_code():
    e = engine(gnp("ping", "  selector: app == 'web'\n  ingress: [{action: Allow, protocol: ICMP, icmp: {type: 8, code: 0}}]"))
    assert allowed(e, "default/frontend", "default/web", None, "ICMP", icmp_type=8, icmp_code=0)
    assert not allowed(e, "default/frontend", "default/web", None, "ICMP", icmp_type=13)


def test_nets_and_not_nets():
    e = engine(gnp("web", "  selector: app == 'web'\n  ingress: [{action: Allow, source: {nets: [10.0.0.0/16], "
                          "notNets: [10.0.1.0/24]}}]"))
    assert allowed(e, "default/frontend", "default/web") and not allowed(e, "other/client", "default/web")
    assert allowed(e, "10.0.200.1", "default/web")


def test_ports_ranges_not_ports_and_named_ports():
    e = engine(gnp("api", "  selector: app == 'api'\n  ingress:\n"
                          "  - {action: Allow, protocol: TCP, destination: {ports: ['8000:8100'], notPorts: [8050]}}\n"))
    assert allowed(e, "default/web", "default/api", 8080) and not allowed(e, "default/web", "default/api", 8050)
    assert not allowed(e, "default/web", "default/api", 80)
    named = engine(gnp("api", "  selector: app == 'api'\n  ingress: [{action: Allow, destination: {ports: [http]}}]"))
    assert allowed(named, "default/web", "default/api", 8080)  # http is 8080 on api
    assert not allowed(named, "default/web", "default/api", 80)
    # Calico 3.32: a named port without a protocol matches the protocol the pod gives it (api's http is TCP)
    assert not allowed(named, "default/web", "default/api", 8080, "UDP")


def test_http_match_is_ignored_without_l7_and_enforced_with_it():
    policy = gnp("http", "  selector: app == 'api'\n  ingress:\n  - action: Allow\n    http:\n"
                         "      methods: [GET]\n      paths: [{prefix: /api/v1/products}]\n")
    l4 = engine(policy)
    v = l4.verdict("default/web", "default/api", 8080, http_method="DELETE", http_path="/admin")
    assert v.allowed
    assert "Felix enforces L4 only" in v.ingress.tiers[0].policies[0].rules[0].checks[0].text
    l7 = engine(policy, l7=True)
    assert allowed(l7, "default/web", "default/api", 8080, http_method="GET", http_path="/api/v1/products/7")
    assert not allowed(l7, "default/web", "default/api", 8080, http_method="POST", http_path="/api/v1/products")
    assert not allowed(l7, "default/web", "default/api", 8080)  # not an HTTP request at all


# -- staged policies and the kubernetes dataplane ---------------------------------------------
def test_staged_policies_are_shown_but_never_enforced():
    e = engine("apiVersion: projectcalico.org/v3\nkind: StagedGlobalNetworkPolicy\nmetadata: {name: would-deny}\n"
               "spec:\n  selector: app == 'web'\n  ingress: [{action: Deny}]")
    v = e.verdict("default/frontend", "default/web", 80)
    assert v.allowed
    assert [r.name for r in v.ingress.staged] == ["would-deny"]
    assert any("staged" in n for n in e.notes)


def test_calico_objects_have_no_effect_on_the_kubernetes_dataplane():
    e = engine(gnp("deny-all", "  selector: all()\n  ingress: [{action: Deny}]"), dataplane="kubernetes")
    assert e.reachability(80).all()
    assert any("no effect on the kubernetes dataplane" in n for n in e.notes)


def test_an_ingress_log_rule_never_sees_what_the_source_egress_dropped():
    e = engine(docs(
        gnp("no-egress-fe", "  selector: app == 'frontend'\n  types: [Egress]\n  egress: [{action: Deny}]"),
        cnp("log-web", "default", "  selector: app == 'web'\n  ingress: [{action: Log}, {action: Allow}]"),
    ))
    v = e.verdict("default/frontend", "default/web", 80)
    assert not v.allowed and not v.ingress.reached and v.ingress.logged == ()
    assert v.ingress.allowed  # still shown: the ingress side alone would allow it
    assert e.verdict("default/api", "default/web", 80).ingress.logged  # reached: logged


def test_cluster_network_policy_rules_keep_their_accept_verb():
    e = engine("apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: a}\n"
               "spec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n"
               "  ingress: [{action: Accept, from: [{namespaces: {}}]}]")
    rule = e.verdict("default/api", "default/web", 80).ingress.tiers[0].policies[0].rules[0]
    assert rule.action == "Accept" and rule.matched
