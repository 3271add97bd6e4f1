"""NP401-NP406: order, shadowing, Log, the tier's implicit deny and priority ties."""

from __future__ import annotations

from .conftest import BASELINE, run


def calico(name: str, spec: str, namespace: str | None = "app") -> str:
    kind = "NetworkPolicy" if namespace else "GlobalNetworkPolicy"
    meta = f"{{name: {name}, namespace: {namespace}}}" if namespace else f"{{name: {name}}}"
    return f"apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata: {meta}\nspec:\n{spec}"


TIER = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: %s\n"


# -- NP401 tier-order ----------------------------------------------------------------------------
def test_tier_without_order_is_reported():
    [f] = run(TIER % "{}", "NP401")
    assert (f.obj.kind, f.obj.name) == ("Tier", "security") and "after" in f.message and "kube-baseline" in f.message


def test_tier_with_order_is_clean():
    assert not run(TIER % "{order: 100}", "NP401")


# -- NP402 policy-order --------------------------------------------------------------------------
DENY_SCANNER = """\
  selector: app == 'backend'
  ingress:
  - action: Deny
    source: {selector: app == 'frontend'}
"""


def test_calico_policy_without_order_after_kubernetes_policies_is_a_warning():
    [f] = run(BASELINE + "---\n" + calico("deny-ingress-frontend-to-backend", DENY_SCANNER), "NP402")
    assert f.severity == "warning" and "cannot take back what they allow" in f.message


def test_alone_in_its_tier_it_is_only_info():
    [f] = run(calico("deny-ingress-frontend-to-backend", DENY_SCANNER), "NP402")
    assert f.severity == "info" and "the next policy added will silently go first" in f.message


def test_policy_with_order_is_clean():
    assert not run(BASELINE + "---\n" + calico("deny-x", "  order: 100\n" + DENY_SCANNER), "NP402")


# -- NP403 shadowed-rule -------------------------------------------------------------------------
SHADOWED = """\
  order: 100
  selector: app == 'backend'
  types: [Ingress]
  ingress:
  - action: Deny
    source: {selector: %s}
  - action: Allow
    source: {selector: app == 'frontend'}
"""


def test_rule_after_a_rule_that_decides_all_its_connections_is_shadowed():
    [f] = run(calico("deny-ingress-to-backend", SHADOWED % "all()"), "NP403")
    assert (f.severity, f.path) == ("warning", "spec.ingress[1]")
    assert f.message.startswith("spec.ingress[1] (Allow from app == 'frontend' in namespace app) can never match: "
                                "spec.ingress[0] (Deny from all() in namespace app) already decides")
    assert "Its Allow never happens" in f.message and "move it above spec.ingress[0]" in f.fix


def test_rule_after_a_narrower_rule_is_clean():
    assert not run(calico("deny-ingress-to-backend", SHADOWED % "app == 'db'"), "NP403")


def test_a_rule_that_also_sees_addresses_outside_the_cluster_is_not_shadowed_by_a_selector():
    # selector: all() in a GlobalNetworkPolicy matches every pod, but no address outside the cluster
    spec = "  order: 100\n  selector: app == 'backend'\n  ingress:\n  - action: Deny\n    source: {selector: all()}\n"
    assert not run(calico("deny-ingress-to-backend", spec + "  - action: Allow\n", None), "NP403")
    assert run(calico("deny-ingress-to-backend", spec + "  - action: Allow\n    source: {selector: app == 'db'}\n",
                      None), "NP403")


def test_same_action_is_only_redundant():
    spec = SHADOWED.replace("action: Deny", "action: Allow") % "all()"
    [f] = run(calico("allow-ingress-to-backend", spec), "NP403")
    assert f.severity == "info" and "redundant" in f.message


def test_an_earlier_policy_in_the_tier_shadows_across_policies():
    first = calico("deny-ingress-to-all", "  order: 10\n  selector: all()\n  ingress:\n  - action: Deny\n", None)
    second = calico("allow-ingress-frontend-to-backend",
                    "  order: 20\n  selector: app == 'backend'\n  ingress:\n  - action: Allow\n"
                    "    source: {selector: app == 'frontend'}\n")
    [f] = run(first + "---\n" + second, "NP403")
    assert f.obj.name == "allow-ingress-frontend-to-backend"
    assert "GlobalNetworkPolicy deny-ingress-to-all spec.ingress[0] (Deny everything)" in f.message


UNRELATED = calico("deny-ingress-db-to-backend", "  order: 2000\n  selector: app == 'backend'\n  ingress:\n"
                   "  - action: Deny\n    source: {selector: app == 'db'}\n")


def test_kubernetes_rules_never_shadow_each_other():
    # The same DNS rule twice, in a tier that also has an ordered policy, so the tier is analysed.
    copy = BASELINE.split("---\n")[2].replace("allow-egress-to-kube-dns, namespace: app", "copy, namespace: app")
    assert not run(BASELINE + "---\n" + copy + "---\n" + UNRELATED, "NP403")


def test_a_kubernetes_rule_covered_partly_by_another_kubernetes_rule_is_not_shadowed():
    def allow_to(name: str, selector: str) -> str:
        return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: app}}\n"
                f"spec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{podSelector: {selector}}}]\n")
    deny_db = calico("deny-egress-to-db", "  order: 10\n  selector: all()\n  types: [Egress]\n  egress:\n"
                     "  - action: Deny\n    destination: {selector: app == 'db'}\n", None)
    text = "---\n".join([allow_to("a", "{matchLabels: {app: frontend}}"), deny_db,
                         allow_to("b", "{matchExpressions: [{key: app, operator: In, values: [frontend, db]}]}")])
    assert not run(text, "NP403")  # b's cells: db (denied first) and frontend (a allows too, but a is no order)


def test_an_ordered_policy_can_shadow_a_kubernetes_rule():
    deny = calico("deny-egress-to-all", "  order: 10\n  selector: all()\n  types: [Egress]\n  egress:\n"
                  "  - action: Deny\n", None)
    copy = BASELINE.split("---\n")[2].replace("allow-egress-to-kube-dns, namespace: app", "copy, namespace: app")
    found = run(BASELINE + "---\n" + copy + "---\n" + deny, "NP403")
    assert {f.obj.name for f in found} == {"allow-egress-to-kube-dns", "copy"}
    for f in found:  # only the ordered policy decides for them: the other Kubernetes copy is no cause
        deciders = f.message.split("can never match: ")[1].split(" already")[0]
        assert deciders.startswith("GlobalNetworkPolicy deny-egress-to-all spec.egress[0]")
        assert "NetworkPolicy app/" not in deciders


# -- NP404 log-no-decision -----------------------------------------------------------------------
def test_log_not_followed_by_a_decision_shows_what_happens_next():
    spec = "  order: 10\n  selector: app == 'backend'\n  ingress:\n  - action: Log\n    source: {selector: app == 'frontend'}\n"
    [f] = run(calico("log-ingress-frontend-to-backend", spec), "NP404")
    assert f.path == "spec.ingress[0]"
    assert "For example, app/frontend → app/backend" in f.message and "is logged here and then denied" in f.message


def test_log_followed_by_deny_with_the_same_match_is_clean():
    spec = ("  order: 10\n  selector: app == 'backend'\n  ingress:\n  - action: Log\n"
            "    source: {selector: app == 'frontend'}\n  - action: Deny\n    source: {selector: app == 'frontend'}\n")
    assert not run(calico("deny-ingress-frontend-to-backend", spec), "NP404")


def test_without_pods_only_a_log_rule_with_nothing_after_it_is_reported():
    spec = "  order: 10\n  selector: app == 'backend'\n  ingress:\n  - action: Log\n"
    [f] = run(calico("log-x", spec), "NP404", cluster="")
    assert "For example" not in f.message
    assert not run(calico("log-x", spec + "  - action: Deny\n    source: {selector: x == 'y'}\n"), "NP404", cluster="")


# -- NP405 tier-end-deny -------------------------------------------------------------------------
BLOCK = """\
  tier: security
  order: 10
  selector: all()
  types: [Ingress]
  ingress:
  - action: Deny
    source: {nets: [1.2.3.0/24]}
"""


def test_deny_only_policy_cuts_all_other_traffic_at_the_end_of_its_tier():
    [f] = run(TIER % "{order: 100}" + "---\n" + calico("deny-ingress-from-malicious-ips", BLOCK, None), "NP405")
    assert f.path == "spec.ingress[0]" and "5 pods" in f.message and "implicit Deny" in f.message
    assert "action: Pass" in f.fix and "defaultAction: Pass" in f.fix


def test_a_final_pass_rule_is_clean():
    text = TIER % "{order: 100}" + "---\n" + calico("deny-ingress-from-malicious-ips", BLOCK + "  - action: Pass\n", None)
    assert not run(text, "NP405")


def test_pods_a_kubernetes_policy_isolates_are_not_counted():
    deny = calico("deny-ingress-from-malicious-ips", BLOCK.replace("  tier: security\n", ""), None)
    [f] = run(BASELINE.split("---\n")[0] + "---\n" + deny, "NP405")  # default-deny-all in app only
    assert "2 pods" in f.message and "app/" not in f.message  # monitoring/prometheus, kube-system/coredns


def test_a_tier_that_passes_by_default_is_clean():
    text = TIER % "{order: 100, defaultAction: Pass}" + "---\n" + calico("deny-ingress-from-malicious-ips", BLOCK, None)
    assert not run(text, "NP405")


# -- NP406 priority-tie --------------------------------------------------------------------------
def cnp(name: str, priority: int, action: str) -> str:
    return f"""\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: {name}}}
spec:
  tier: Admin
  priority: {priority}
  subject:
    namespaces: {{matchLabels: {{kubernetes.io/metadata.name: app}}}}
  ingress:
  - action: {action}
    from:
    - namespaces: {{matchLabels: {{purpose: monitoring}}}}
"""


def test_equal_priority_with_different_actions_is_an_error():
    [f] = run(cnp("deny-ingress-from-monitoring", 10, "Deny") + "---\n" + cnp("allow-ingress-from-monitoring", 10, "Accept"),
              "NP406")
    assert f.severity == "error" and f.path == "spec.priority" and "implementation" in f.message


def test_equal_priority_with_the_same_action_is_a_warning():
    [f] = run(cnp("deny-a", 10, "Deny") + "---\n" + cnp("deny-b", 10, "Deny"), "NP406")
    assert f.severity == "warning"


def test_different_priorities_are_clean():
    assert not run(cnp("deny-a", 10, "Deny") + "---\n" + cnp("allow-b", 11, "Accept"), "NP406")
