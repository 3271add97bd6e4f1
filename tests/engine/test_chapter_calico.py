"""The chapter's Calico examples, with the matrices derived by hand in the comments.

Pods: default/web (app=web, TCP 80), default/frontend (app=frontend), default/sus (app=client,
suspicious=true), default/api (app=api, TCP 8080), other/frontend (app=frontend), other/client.
Outside addresses: 1.2.3.4 (in the "malicious" 1.2.3.0/24), 8.8.8.8 (internet), 192.168.5.5 (private).

README's course section warns that since Calico 3.29 every tier ends with an implicit deny for the endpoints
its policies select; several of these examples, as written, therefore cut far more than they name.
Each test shows the written behaviour and then the fix the notebooks teach.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from npkit.engine import Engine
from npkit.loading import load_string

CHAPTER = Path(__file__).resolve().parents[2] / "npkit" / "data" / "chapter"

PODS = """
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
metadata: {name: sus, namespace: default, labels: {app: client, suspicious: "true"}}
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
spec: {containers: [{name: c, image: busybox}]}
status: {podIP: 10.0.1.2}
"""


def engine(*names: str, extra: str = "", l7: bool = False) -> Engine:
    texts = [PODS] + [(CHAPTER / f"{n}.yaml").read_text() for n in names] + ([extra] if extra else [])
    return Engine(load_string("\n---\n".join(texts)), "calico", l7)


def off_diagonal(m: np.ndarray) -> np.ndarray:
    return m[~np.eye(len(m), dtype=bool)]


def allowed(e: Engine, src: str, dst: str, port: int = 80, **kw) -> bool:
    return e.verdict(src, dst, port, **kw).allowed


# -- deny-external-egress ------------------------------------------------------------------------
def test_deny_external_egress_as_written_cuts_all_egress():
    # GlobalNetworkPolicy, tier default, no order, selector all(), Egress:
    #   rule 0: Deny to destinations NOT in 10/8, 172.16/12, 192.168/16.
    # Every pod is selected for egress in tier default.
    #   pod → 8.8.8.8:      rule 0 matches → Deny.
    #   pod → pod (10.x):   rule 0 does not match (10.x is private) → no rule matched →
    #                       end of tier default → Deny.
    #   pod → 192.168.5.5:  likewise → Deny.
    # Matrix: every off-diagonal cell denied.
    e = engine("deny-external-egress")
    assert not off_diagonal(e.reachability(80)).any()
    assert not allowed(e, "default/web", "8.8.8.8") and not allowed(e, "default/web", "192.168.5.5")
    v = e.verdict("default/frontend", "default/web", 80)
    assert v.egress.decision.kind == "end-of-tier" and v.ingress.allowed


def test_deny_external_egress_fixed_in_its_own_tier_that_passes():
    # The fix: a tier ahead of default whose default action is Pass. Private destinations match no
    # rule, the tier passes them on, and the default tier (Kubernetes policies) decides as before.
    #   pod → pod: allowed;  pod → 192.168.5.5: allowed;  pod → 8.8.8.8: denied.
    fixed = (CHAPTER / "deny-external-egress.yaml").read_text().replace("spec:\n", "spec:\n  tier: egress-guard\n", 1)
    tier = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: egress-guard}\nspec: {order: 100, defaultAction: Pass}"
    e = Engine(load_string("\n---\n".join([PODS, tier, fixed])))
    assert off_diagonal(e.reachability(80)).all()
    assert allowed(e, "default/web", "192.168.5.5") and not allowed(e, "default/web", "8.8.8.8")


# -- Tier security + block-malicious-ips --------------------------------------------------------
def test_block_malicious_ips_as_written_denies_all_ingress():
    # Tier security (order 100, defaultAction unset = Deny); block-malicious-ips in it, order 10,
    # selector all(), Ingress: rule 0 Deny from 1.2.3.0/24.
    #   1.2.3.4 → pod:   rule 0 → Deny.
    #   pod → pod:       no rule matched → end of tier security → Deny (before tier default is reached).
    #   8.8.8.8 → pod:   likewise → Deny.
    # Matrix: every off-diagonal cell denied.
    e = engine("block-malicious-ips")
    assert not off_diagonal(e.reachability(80)).any()
    assert not allowed(e, "8.8.8.8", "default/web")
    tiers = [(t.name, t.outcome) for t in e.verdict("default/frontend", "default/web", 80).ingress.tiers]
    assert tiers == [("security", "end-of-tier-deny")]


def test_block_malicious_ips_with_default_action_pass_blocks_only_the_bad_network():
    # Fix: defaultAction: Pass on the tier. Unmatched traffic passes to the next tier; nothing else
    # selects the pods, so the namespace profile allows. Matrix: all allowed; only 1.2.3.x denied.
    text = (CHAPTER / "block-malicious-ips.yaml").read_text().replace("  order: 100\n", "  order: 100\n  defaultAction: Pass\n", 1)
    e = Engine(load_string(PODS + "\n---\n" + text))
    assert off_diagonal(e.reachability(80)).all()
    assert not allowed(e, "1.2.3.4", "default/web") and allowed(e, "8.8.8.8", "default/web")


# -- explicit-deny-with-log -------------------------------------------------------------------------
def test_explicit_deny_with_log():
    # NetworkPolicy default/explicit-deny-with-log, tier default, selector app == 'web', Ingress:
    #   rule 0 Log from suspicious == 'true';  rule 1 Deny from the same;  rule 2 Allow from app == 'frontend'.
    # Rule selectors of a namespaced policy only match pods of its namespace (default).
    #   default/frontend → web: rule 2 → allowed.
    #   default/sus → web:      rule 0 logs, rule 1 denies.
    #   default/api → web:      no rule → end of tier default → denied.
    #   other/frontend → web:   app=frontend but namespace other → no rule → denied.
    # Pods other than web are not selected: all their ingress stays allowed.
    e = engine("explicit-deny-with-log")
    m, pods = e.reachability(80), e.pods
    web = pods.index("default/web")
    assert [p for i, p in enumerate(pods) if m[i, web] and i != web] == ["default/frontend"]
    v = e.verdict("default/sus", "default/web", 80)
    assert not v.allowed and v.ingress.logged == ("NetworkPolicy default/explicit-deny-with-log spec.ingress[0]",)
    assert v.ingress.decision.rule == "spec.ingress[1]"
    others = [i for i in range(len(pods)) if i != web]
    assert m[np.ix_(others, others)].all()


# -- allow-specific-http -----------------------------------------------------------------------------
def test_allow_specific_http_is_an_l4_allow_without_istio():
    # GlobalNetworkPolicy, tier default, selector app == 'api', Ingress: rule 0 Allow with only an
    # http match (GET/POST; exact /api/v1/users, prefix /api/v1/products).
    # Felix ignores http: rule 0 has no other condition, so it allows everything into api.
    e = engine("allow-specific-http")
    assert off_diagonal(e.reachability(8080)).all()
    assert allowed(e, "8.8.8.8", "default/api", 8080, http_method="DELETE", http_path="/admin")


def test_allow_specific_http_with_l7_enforcement():
    # With Istio + Dikastes (the evaluator's l7 option) only matching requests are allowed; anything
    # else reaches the end of tier default → denied.
    e = engine("allow-specific-http", l7=True)
    assert allowed(e, "default/web", "default/api", 8080, http_method="GET", http_path="/api/v1/users")
    assert allowed(e, "default/web", "default/api", 8080, http_method="POST", http_path="/api/v1/products/42")
    assert not allowed(e, "default/web", "default/api", 8080, http_method="GET", http_path="/api/v1/users/7")
    assert not allowed(e, "default/web", "default/api", 8080, http_method="DELETE", http_path="/api/v1/users")
    assert not allowed(e, "default/web", "default/api", 8080)


# -- log-denied ------------------------------------------------------------------------------------
def test_log_denied_as_written_denies_everything_it_logs():
    # GlobalNetworkPolicy log-denied, tier default, order 9999, selector all(), Ingress and Egress,
    # each with a single Log rule. Log never decides, so after it every pod reaches the end of tier
    # default in both directions → Deny. Matrix: every off-diagonal cell denied, and logged.
    e = engine("log-denied")
    assert not off_diagonal(e.reachability(80)).any()
    v = e.verdict("default/frontend", "default/web", 80)
    assert v.egress.logged and v.egress.decision.kind == "end-of-tier"


def test_log_denied_after_kubernetes_allows_still_cuts_their_egress():
    # A Kubernetes policy (order 1000, before 9999) allows frontend → web on ingress; but frontend's
    # egress is decided by log-denied alone → denied. Allowed traffic needs an allow on both sides.
    e = engine("log-denied", extra="""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ingress-frontend-to-web, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 80}]}]""")
    v = e.verdict("default/frontend", "default/web", 80)
    assert v.ingress.allowed and not v.egress.allowed
