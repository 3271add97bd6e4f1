"""NP001 (no pods), NP501 (http without Istio) and NP901 (naming)."""

from __future__ import annotations

import pytest

from npkit.lint.rules.naming import follows_convention

from .conftest import BASELINE, run
from .test_order import calico
from .test_selection import k8s_policy


# -- NP001 no-pods -------------------------------------------------------------------------------
def test_without_pods_the_skipped_rules_are_listed():
    [f] = run(BASELINE, "NP001", cluster="")
    assert f.severity == "info" and "NP201" in f.message and "NP403" in f.message and f.obj is None
    assert str(f).startswith("info NP001 [no-pods]: no pods were loaded") and f.to_json()["file"] is None


def test_with_pods_nothing_is_skipped():
    assert not run(BASELINE, "NP001")


def test_rules_that_need_pods_do_not_run_without_them():
    nothing = k8s_policy("allow-x", "  podSelector: {matchLabels: {app: nothing}}\n")
    assert not run(nothing, "NP201", cluster="")
    assert run(nothing, "NP201")


# -- NP501 http-l4-only --------------------------------------------------------------------------
HTTP = """\
  order: 10
  selector: app == 'backend'
  types: [Ingress]
  ingress:
  - action: Allow
    http: {methods: [GET]}
"""


def test_http_match_without_istio_is_a_warning():
    [f] = run(calico("allow-ingress-http-to-backend", HTTP), "NP501")
    assert f.path == "spec.ingress[0].http" and "methods GET" in f.message and "Istio" in f.message


def test_with_l7_the_http_match_is_enforced_and_clean():
    assert not run(calico("allow-ingress-http", HTTP), "NP501", l7=True)


def test_rules_without_http_are_clean():
    assert not run(calico("allow-ingress-to-backend", "  order: 1\n  selector: all()\n  ingress:\n  - action: Allow\n"),
                   "NP501")


# -- NP901 naming --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [
    "allow-ingress-frontend-to-backend", "deny-egress-to-internet", "allow-ingress-from-monitoring",
    "default-deny-all", "default-deny-ingress", "allow-dns", "log-egress-to-internet",
])
def test_the_chapter_examples_and_well_known_names_follow_the_convention(name):
    assert follows_convention(name)


@pytest.mark.parametrize("name", ["allow-frontend-to-backend", "web", "allow-ingress", "deny-egress-internet",
                                  "Allow-Ingress-From-X"])
def test_other_names_do_not(name):
    assert not follows_convention(name)


def test_a_bad_name_is_info_with_a_suggestion():
    [f] = run(k8s_policy("allow-same-namespace", "  podSelector: {}\n  ingress:\n  - from: [{podSelector: {}}]\n"),
              "NP901")
    assert (f.severity, f.path) == ("info", "metadata.name")
    assert "allow-ingress-from-same-namespace" in f.fix


def test_a_calico_tier_prefix_is_ignored():
    spec = "  tier: security\n  order: 1\n  selector: all()\n  ingress:\n  - action: Deny\n"
    tier = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100}\n---\n"
    assert not run(tier + calico("security.deny-ingress-from-anywhere", spec, None), "NP901")


# -- the kubernetes dataplane --------------------------------------------------------------------
def test_calico_objects_are_not_linted_where_the_dataplane_ignores_them():
    tier = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {}\n---\n"
    text = tier + calico("allow-ingress-http", HTTP.replace("  order: 10\n", ""))
    assert {f.rule for f in run(text, "NP401", "NP402", "NP501")} == {"NP401", "NP402", "NP501"}
    found = run(text, "NP401", "NP402", "NP501", dataplane="kubernetes")
    assert not found and "no effect on the kubernetes dataplane" in found.notes[0]
