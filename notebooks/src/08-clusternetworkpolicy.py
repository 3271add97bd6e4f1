# %% [markdown]
# # 08 · ClusterNetworkPolicy
#
# Beyond the chapter. A NetworkPolicy belongs to a namespace and can only allow; whoever owns the
# namespace can write one. Cluster administrators need more: guardrails that no namespace owner
# can lift, and defaults that owners may override. Calico answers with tiers (notebook 07);
# Kubernetes' own answer is **ClusterNetworkPolicy** (`policy.networking.k8s.io/v1alpha2`, from
# SIG Network's network-policy-api project, still alpha), enforced by Calico 3.32 and by
# kube-network-policies deployed on its own. (The copy of kube-network-policies built into kind's
# default CNI, kindnet, enforces NetworkPolicy only; more on that below.)

# %%
from npkit.course import Exercise, intro, model_cluster
from npkit.course.questions import predict, question
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import Playground, show_matrix, show_verdict

intro("08")

# %% [markdown]
# ## Three layers around NetworkPolicy
#
# A ClusterNetworkPolicy sits in one of two tiers: **Admin**, evaluated before any
# NetworkPolicy, or **Baseline**, evaluated after. Rules have actions `Accept`, `Deny` and `Pass`
# (skip the rest of the tier); policies of a tier run by `priority`, 0 to 1000, lowest first.
#
# | order | ClusterNetworkPolicy | Calico 3.32 tier | if nothing in it decides |
# |---|---|---|---|
# | 1 | `tier: Admin` | `kube-admin` (order 1,000) | Pass: on to the next layer |
# | 2 | NetworkPolicy (namespaced) | `default` (order 1,000,000) | Deny, for the pods a NetworkPolicy selects |
# | 3 | `tier: Baseline` | `kube-baseline` (order 10,000,000) | Pass |
# | 4 | nothing decided | the namespace profile `kns.<namespace>` | Allow |
#
# The evaluator has two dataplanes: `"kubernetes"` (the upstream APIs, NetworkPolicy and
# ClusterNetworkPolicy, as kube-network-policies enforces them) and `"calico"`. They name the same
# three layers:

# %%
cluster = model_cluster("and-or")
for dataplane in ("kubernetes", "calico"):
    tiers = Engine(cluster, dataplane).program.tiers
    print(f"{dataplane:10}: " + "  →  ".join(t.title for t in tiers))

# %% tags=["check"]
assert [t.name for t in Engine(cluster, "kubernetes").program.tiers] == ["kube-admin", "default", "kube-baseline"]

# %% [markdown]
# We use the AND-vs-OR view of the course cluster: namespaces `x` and `y` (pods `a` and `b`
# in each), `monitoring` (`prometheus` with `role: monitor`, and `grafana`), and `default/web`.
# Every namespace carries `kubernetes.io/metadata.name: <its name>`, set by the API server.

# %%
def engine_with(*texts: str, dataplane: str = "kubernetes") -> Engine:
    """The and-or cluster with these objects applied, on the kubernetes dataplane unless asked."""
    return Engine(cluster.merged(load_string("\n---\n".join(texts))), dataplane)  # type: ignore[arg-type]


print(", ".join(engine_with().pods))

# %% [markdown]
# ## Admin `Deny`: a guardrail namespace owners cannot lift
#
# The administrators decide that namespace `y` must never reach namespace `x`. The owner of `x`,
# unaware, writes a NetworkPolicy that lets `y` in.

# %%
ADMIN_DENY = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: deny-ingress-y-to-x
spec:
  tier: Admin
  priority: 20
  subject:                       # whom the policy protects: every pod of namespace x
    namespaces:
      matchLabels:
        kubernetes.io/metadata.name: x
  ingress:
  - name: deny-from-y
    action: Deny
    from:
    - namespaces:
        matchLabels:
          kubernetes.io/metadata.name: "y"
"""
OWNER = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-from-y
  namespace: x
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          name: "y"
"""

# %% [markdown]
# **Predict:** with both applied, can `y/a` reach `x/a` on TCP 80?

# %%
guarded = engine_with(ADMIN_DENY, OWNER)
question("08-admin-deny", guarded, "y/a", "x/a", 80, dataplane="kubernetes")

# %% tags=["check"]
assert not guarded.allowed("y/a", "x/a", 80)
assert engine_with(OWNER).allowed("y/a", "x/a", 80)
assert show_verdict(guarded, "y/a", "x/a", 80).verdict.ingress.decision.tier == "kube-admin"

# %% [markdown]
# ## Admin `Accept`: monitoring always gets in
#
# An `Accept` in the Admin tier is final too, for its side: the pods it protects accept the
# connection, whatever their NetworkPolicies say. Here Prometheus (`role: monitor` in namespace
# `monitoring`) may scrape every pod. (`Accept` decides the destination's *ingress*; the source's
# egress is still evaluated on its own.)

# %%
ADMIN_ACCEPT = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: accept-ingress-from-monitoring
spec:
  tier: Admin
  priority: 10
  subject:
    namespaces: {}               # every namespace
  ingress:
  - name: accept-prometheus
    action: Accept
    from:
    - pods:                      # one peer, both selectors: role=monitor pods of namespace monitoring
        namespaceSelector:
          matchLabels:
            kubernetes.io/metadata.name: monitoring
        podSelector:
          matchLabels:
            role: monitor
"""

# %% [markdown]
# **Predict** the TCP 80 matrix of these pods with the guardrail, the owner's policy and the
# monitoring rule (`x/a` is isolated by the owner's NetworkPolicy, which only lets `y` in):

# %%
monitored = engine_with(ADMIN_DENY, OWNER, ADMIN_ACCEPT)
predict("08-admin-accept", monitored, 80, pods=["monitoring/prometheus", "monitoring/grafana", "x/a", "y/a"],
        dataplane="kubernetes", more=lambda: show_matrix(monitored, 80, before=show_matrix(guarded, 80).matrix))

# %% tags=["check"]
assert monitored.allowed("monitoring/prometheus", "x/a", 80)  # Accept beats the owner's isolation
assert not monitored.allowed("monitoring/grafana", "x/a", 80)  # no role=monitor: the NetworkPolicy decides
assert not monitored.allowed("y/a", "x/a", 80)  # the guardrail holds

# %% [markdown]
# ## `Pass` and `priority`: handing a decision back to the namespace owner
#
# `Pass` skips the rest of the Admin tier: the connection goes on to the NetworkPolicy layer,
# where the namespace owner decides. Policies run by priority, lowest first, so a `Pass` at
# priority 15 comes before the `Deny` at 20. Here the administrators make an exception for the
# pods `app: a` of namespace `y`.

# %%
ADMIN_PASS = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: pass-ingress-y-a-to-x
spec:
  tier: Admin
  priority: 15                   # before deny-ingress-y-to-x (20)
  subject:
    namespaces:
      matchLabels:
        kubernetes.io/metadata.name: x
  ingress:
  - name: pass-y-a
    action: Pass
    from:
    - pods:
        namespaceSelector:
          matchLabels:
            kubernetes.io/metadata.name: "y"
        podSelector:
          matchLabels:
            app: a
"""

# %% [markdown]
# **Predict:** now, can `y/a` reach `x/a`?

# %%
delegated = engine_with(ADMIN_DENY, OWNER, ADMIN_ACCEPT, ADMIN_PASS)
question("08-admin-pass", delegated, "y/a", "x/a", 80, dataplane="kubernetes")

# %% tags=["check"]
assert delegated.allowed("y/a", "x/a", 80) and not delegated.allowed("y/b", "x/a", 80)
admin = show_verdict(delegated, "y/a", "x/a", 80).verdict.ingress.tiers[0]
assert [(p.ref.name, p.outcome) for p in admin.policies] == [
    ("accept-ingress-from-monitoring", "no-match"), ("pass-ingress-y-a-to-x", "pass"),
    ("deny-ingress-y-to-x", "not-reached")]

# %% [markdown]
# ### Priority, not file order
#
# The Admin tier's policies in priority order, for `y/a → x/a`:

# %%
show_verdict(delegated, "y/a", "x/a", 80)

# %% [markdown]
# Priority decides, not the order of the files: give the Pass priority 25 and the Deny comes
# first again. Two policies of one tier with the **same** priority that select the same pods are
# ordered by the implementation (Calico and npkit go by name); `npkit lint` warns about it (NP406).

# %%
late_pass = engine_with(ADMIN_DENY, OWNER, ADMIN_ACCEPT, ADMIN_PASS.replace("priority: 15", "priority: 25"))
show_verdict(late_pass, "y/a", "x/a", 80, verbose=False)

# %% tags=["check"]
assert not late_pass.allowed("y/a", "x/a", 80)

# %% [markdown]
# ## Baseline: defaults that NetworkPolicy overrides
#
# The Baseline tier runs **after** NetworkPolicy, and only for pods and directions no
# NetworkPolicy selects: a NetworkPolicy always makes the final decision for its pods. That makes
# Baseline the place for a cluster-wide default deny that namespace owners replace with their own
# policies.

# %%
BASELINE = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: baseline-deny-ingress
spec:
  tier: Baseline
  priority: 10
  subject:
    namespaces: {}
  ingress:
  - name: deny-all
    action: Deny
    from:
    - namespaces: {}
"""

# %% [markdown]
# **Predict:** with the Baseline added, can `y/a` still reach `x/a`?

# %%
baseline = engine_with(ADMIN_DENY, OWNER, ADMIN_ACCEPT, ADMIN_PASS, BASELINE)
question("08-baseline", baseline, "y/a", "x/a", 80, dataplane="kubernetes",
         more=lambda: show_matrix(baseline, 80, before=show_matrix(delegated, 80).matrix))

# %% tags=["check"]
assert not baseline.allowed("x/b", "default/web", 80)
assert baseline.allowed("y/a", "x/a", 80)
assert baseline.allowed("monitoring/prometheus", "default/web", 80)
view = show_matrix(baseline, 80, before=show_matrix(delegated, 80).matrix)
assert ("x/b", "default/web") in view.matrix.pairs(False) and not view.matrix["x/b", "x/a"]

# %% [markdown]
# ## `networks` peers match pod addresses too
#
# In egress rules a peer can be `networks:` (CIDRs), like an `ipBlock`. They are not only for
# addresses outside the cluster: a pod whose IP is inside the range matches. Namespace `x`'s pods
# live in `10.244.5.0/24`.
#
# **Predict:** with this policy alone, can `y/a` reach `x/a`?

# %%
NETWORKS = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: deny-egress-y-to-range
spec:
  tier: Admin
  priority: 30
  subject:
    namespaces:
      matchLabels:
        kubernetes.io/metadata.name: "y"
  egress:
  - name: deny-to-10-244-5
    action: Deny
    to:
    - networks: ["10.244.5.0/24"]
"""
networks = engine_with(NETWORKS)
question("08-networks", networks, "y/a", "x/a", 80, dataplane="kubernetes")

# %% tags=["check"]
assert not networks.allowed("y/a", "x/a", 80)  # x/a is 10.244.5.10
assert networks.allowed("y/a", "default/web", 80) and networks.allowed("x/a", "y/a", 80)

# %% [markdown]
# ## The same scenario on both dataplanes
#
# The whole scenario (guardrail, owner's policy, monitoring, the exception and the Baseline) is
# evaluated the same way by kube-network-policies and by Calico 3.32:

# %%
SCENARIO = (ADMIN_DENY, OWNER, ADMIN_ACCEPT, ADMIN_PASS, BASELINE)
on_upstream = show_matrix(engine_with(*SCENARIO, dataplane="kubernetes"), 80, caption="kubernetes dataplane")
on_calico = show_matrix(engine_with(*SCENARIO, dataplane="calico"), 80, caption="calico dataplane")
on_calico

# %% tags=["check"]
assert (on_upstream.matrix.allowed == on_calico.matrix.allowed).all()

# %% [markdown]
# ### What a CNI ignores
#
# A network plugin enforces the kinds it implements and ignores the rest, silently: the API
# server stores the objects (once their CRDs exist), and nothing but the traffic tells you.
#
# The same guardrail written the Calico way: a tier before `default` that passes what it does not
# decide, and a GlobalNetworkPolicy that denies `y` into `x`.
#
# **Predict:** on a cluster without Calico (the `"kubernetes"` dataplane), can `y/a` reach `x/a`
# with these objects applied?

# %%
CALICO_GUARDRAIL = """\
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: platform
spec:
  order: 500
  defaultAction: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-ingress-y-to-x
spec:
  tier: platform
  order: 20
  namespaceSelector: kubernetes.io/metadata.name == 'x'
  types:
  - Ingress
  ingress:
  - action: Deny
    source:
      namespaceSelector: kubernetes.io/metadata.name == 'y'
"""
calico_only = cluster.merged(load_string(CALICO_GUARDRAIL))
upstream, calico = Engine(calico_only, "kubernetes"), Engine(calico_only, "calico")
question("08-calico-ignored", calico_only, "y/a", "x/a", 80, dataplane="kubernetes",
         more=lambda: show_verdict(calico, "y/a", "x/a", 80))

# %% tags=["check"]
assert upstream.allowed("y/a", "x/a", 80) and not calico.allowed("y/a", "x/a", 80)
assert any("no effect on the kubernetes dataplane" in note for note in upstream.notes)

# %% [markdown]
# **kind's own CNI goes further.** kindnet (kind 0.24 and later) enforces NetworkPolicy, and
# nothing else: it ignores Calico objects *and* ClusterNetworkPolicies. On a default kind
# cluster, the scenario above is only the owner's NetworkPolicy. **Predict:** can `y/b` reach
# `x/a` there?

# %%
kindnet = engine_with(OWNER)  # what kindnet enforces of SCENARIO: the NetworkPolicy alone
question("08-kindnet", kindnet, "y/b", "x/a", 80, dataplane="kubernetes")

# %% tags=["check"]
assert kindnet.allowed("y/b", "x/a", 80) and not engine_with(*SCENARIO).allowed("y/b", "x/a", 80)
assert not kindnet.allowed("monitoring/prometheus", "x/a", 80)  # and no Admin Accept for monitoring either

# %% [markdown]
# ## Calico tiers and ClusterNetworkPolicy side by side
#
# | | Calico | ClusterNetworkPolicy v1alpha2 |
# |---|---|---|
# | tiers | any number, each with an `order` and a `defaultAction` | two fixed: Admin and Baseline, around NetworkPolicy |
# | order inside a tier | `order` (a number; none = last) | `priority` 0–1000 (required) |
# | actions | Allow, Deny, Pass, Log | Accept, Deny, Pass |
# | whom it protects | `selector` (+ `namespaceSelector` for global policies) | `subject`: `namespaces` or `pods` |
# | peers | selectors, `nets`, network sets, service accounts, services | `namespaces`, `pods`, `networks` (egress), `nodes` and `domainNames` (experimental) |
# | enforced by | Calico | Calico 3.32, kube-network-policies (not kindnet) |
#
# Older clusters have the v1alpha1 pair AdminNetworkPolicy / BaselineAdminNetworkPolicy (Calico
# 3.29–3.31 put them in tiers `adminnetworkpolicy` and `baselineadminnetworkpolicy`); npkit
# reads them as the same thing.
#
# ## Try it
#
# The playground holds the whole scenario on the kubernetes dataplane. Change a priority, turn
# `Deny` into `Pass`, or delete the Baseline, and watch the cells flip. Click a cell for its
# explanation.

# %%
playground = Playground(cluster, "---\n".join(SCENARIO), dataplane="kubernetes")
playground

# %% tags=["check"]
assert not playground.state.stale
assert playground.state.matrix["y/a", "x/a"] and not playground.state.matrix["y/b", "x/a"]

# %% [markdown]
# ## Exercise: monitoring that owners cannot lock out
#
# From an empty editor, one ClusterNetworkPolicy. The checker's cluster has the owners' policies:
# `x` lets in `y` only, and `y` has a default deny for ingress.

# %%
cnp_exercise = Exercise.get("08-admin-accept")
cnp_exercise.show()

# %% tags=["check"]
assert cnp_exercise.check(cnp_exercise.solution()).passed

# %% [markdown]
# ## What you saw
#
# - Admin policies run before every NetworkPolicy: their `Deny` and `Accept` are final, their
#   `Pass` hands the decision to the namespace owner. Lower priority runs first.
# - Baseline policies run after NetworkPolicy, only where no NetworkPolicy selects the pod.
# - `networks` peers match pod addresses too.
# - Calico maps the two tiers to `kube-admin` and `kube-baseline` around its `default` tier.
# - A CNI ignores the kinds it does not implement: Calico objects outside Calico, and on kind's
#   own kindnet ClusterNetworkPolicy too.
#
# Next, notebook [`09-testing-debugging`](09-testing-debugging.ipynb): probing a real dataplane and reading what it generated.

# %%
from npkit.course import what_next

what_next("08")
