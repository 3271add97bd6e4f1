# %% [markdown]
# # 07 · Calico policy
#
# Calico enforces Kubernetes NetworkPolicy, and adds its own policy kinds on top: ordered
# **tiers**, policies with an **order**, and rules with explicit actions **Allow, Deny, Pass and
# Log**. This notebook goes through the chapter's Calico examples, evaluates each one, and shows
# where a real cluster (Calico 3.29 and later) does more than the chapter says.

# %%
from npkit.course import Exercise, chapter_example, external, intro, model_cluster
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.model import InputError
from npkit.widgets import Playground, Predict, Question, SelectorLab, show_connections, show_matrix, show_verdict
from npkit.widgets.selector_lab import GLOBAL

intro("07")

# %%
cluster = model_cluster("app")
MALICIOUS, INTERNET = external()["malicious"].ip, external()["internet"].ip


def engine_with(*texts: str, l7: bool = False) -> Engine:
    """The app cluster (namespace default and the cluster DNS) with these objects applied."""
    return Engine(cluster.merged(load_string("\n---\n".join(texts))), l7=l7)


open_engine = engine_with()
open_80 = show_matrix(open_engine, 80).matrix
assert (MALICIOUS, INTERNET) == ("1.2.3.4", "8.8.8.8") and open_80.allowed.all()

# %% [markdown]
# ## Calico next to Kubernetes NetworkPolicy
#
# The chapter's table (Calico 提供了超越 K8s 原生 NetworkPolicy 的功能 — Calico goes beyond native
# NetworkPolicy), with what npkit lets you see for each row:
#
# | 功能 (feature) | K8s NetworkPolicy | Calico NetworkPolicy | in npkit |
# |---|---|---|---|
# | 命名空间作用域 (scope) | 是 (namespaced) | 是 + GlobalNetworkPolicy | both kinds load and evaluate; `deny-external-egress` below |
# | 规则顺序 (rule order) | 无(并集) none: the union of allows | 有(Tier + Order) tiers, then order | every explanation lists tiers and orders; the trace below |
# | 拒绝规则 (deny rules) | 隐式 implicit: isolation | 显式 Allow/Deny/Pass/Log | `explicit-deny-with-log`, Pass below |
# | 应用层策略 (application layer) | 否 no | 是(HTTP、DNS) | HTTP only with Istio + Dikastes: `Engine(..., l7=True)`; `allow-specific-http` below |
# | 日志 (logging) | 否 no | 是 the `Log` action | `verdict.ingress.logged` / `.egress.logged`; notebook 09 |
# | 主机端点 (host endpoints) | 否 no | 是 HostEndpoint | loaded and skipped with a warning: npkit models pods |
# | 全局策略 (global policies) | 否 no | 是 GlobalNetworkPolicy | as the first row |
# | ICMP 规则 (ICMP rules) | 有限 limited | 完整 full: type and code | `protocol: ICMP` with `icmp: {type, code}`; probes with `icmp_type=` |
#
# Kubernetes NetworkPolicies live inside Calico's model: each becomes a policy in tier `default`
# at order 1000, with Allow rules only. The tiers every Calico 3.32 cluster has:

# %%
tiers = [(t.name, t.order, t.default_action) for t in open_engine.program.tiers]
assert tiers == [("kube-admin", 1000, "Pass"), ("default", 1_000_000, "Deny"), ("kube-baseline", 10_000_000, "Pass")]
for name, order, action in tiers:
    print(f"tier {name:14} order {order:>12,.0f}   default action {action}")

# %% [markdown]
# ## The Calico selector language
#
# Calico selectors are expressions, not `matchLabels` maps: `app == 'web'`, `app != 'web'`,
# `app in {'web', 'api'}`, `has(suspicious)`, `!has(suspicious)`, `all()`, joined with `&&`,
# `||` and parentheses. Values are always quoted. A Calico `NetworkPolicy` selects pods of its own
# namespace only; a `GlobalNetworkPolicy` selects pods of every namespace.
#
# **Predict:** in a GlobalNetworkPolicy, which pods of the course cluster does
# `app in {'web', 'api'} && !has(suspicious)` select? Then edit the selector, or pick a namespace
# to see the scope of a namespaced policy.

# %%
selector_lab = SelectorLab(model_cluster(), "app in {'web', 'api'} && !has(suspicious)", mode="calico",
                           namespace=GLOBAL)
selector_lab

# %%
assert selector_lab.state.selection.pods == ("default/api", "default/web", "frontend/web")
namespaced = SelectorLab(model_cluster(), "app == 'web'", mode="calico", namespace="default")
assert namespaced.state.selection.pods == ("default/web",)  # frontend/web is out of a namespaced policy's reach

# %% [markdown]
# ## GlobalNetworkPolicy `deny-external-egress`
#
# The chapter blocks egress to the internet for every pod: `selector: all()`, one rule that
# denies destinations **not** in the private ranges.

# %%
print(chapter_example("deny-external-egress"))

# %% [markdown]
# **Predict:** the rule only denies public addresses. Can `default/frontend` still reach
# `default/web` (a private 10.244.x address) on TCP 80?

# %%
deny_external = engine_with(chapter_example("deny-external-egress"))
Question(deny_external, "default/frontend", "default/web", 80)

# %% [markdown]
# No, and no pod reaches any other pod, nor the cluster DNS. The explanation says why: the
# policy has no `tier`, so it sits in tier `default`; it selects every pod for egress, so tier
# `default` now *applies* to every pod's egress; its one rule does not match a private address;
# and **a tier that applies to a pod but decides nothing ends with Deny** (Calico 3.29 and later:
# "End of tier default. Drop if no policies passed packet"). The chapter's policy cuts all egress,
# not only the internet.

# %%
why = show_verdict(deny_external, "default/frontend", "default/web", 80)
assert not why.allowed and why.verdict.egress.decision.kind == "end-of-tier"
assert not deny_external.allowed("default/web", "kube-system/coredns", 53, "UDP")
view = show_matrix(deny_external, 80, before=open_80)
assert all(src == dst for src, dst in view.matrix.pairs(True))  # every pod reaches only itself
why

# %%
view

# %% [markdown]
# ### A tempting fix: a final `Pass` rule
#
# `Pass` ends the current tier and moves on to the next one. Add `- action: Pass` as the last
# rule, so private destinations leave tier `default` instead of hitting its end. But tier
# `default` is also where the namespace's Kubernetes NetworkPolicies live.
#
# **Predict:** namespace `default` also has the chapter's `default-deny-egress`. With the
# passing `deny-external-egress`, can `default/web` reach `default/backend` on TCP 8080?

# %%
PASSING = chapter_example("deny-external-egress") + "  - action: Pass\n"
print(PASSING)
passing = engine_with(chapter_example("default-deny-egress"), PASSING)
Question(passing, "default/web", "default/backend", 8080)

# %% [markdown]
# Yes, it can: the Kubernetes default deny is gone. Its "isolated unless allowed" *is* the end
# of tier `default`, and the Pass skips that end. In tier `default`, Pass is not a harmless "go
# on": it lets traffic skip the Kubernetes policies.

# %%
assert passing.allowed("default/web", "default/backend", 8080)
assert not engine_with(chapter_example("default-deny-egress")).allowed("default/web", "default/backend", 8080)
assert not passing.allowed("default/web", INTERNET, 443)
show_verdict(passing, "default/web", "default/backend", 8080)

# %% [markdown]
# ### The fix: a tier of its own that passes
#
# Put the policy in its own tier, ordered **before** `default` (lower order) and with
# `defaultAction: Pass`. Public destinations are denied there; everything else passes on to tier
# `default`, where the Kubernetes policies decide exactly as before.

# %%
EGRESS_GUARD = """\
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: egress-guard
spec:
  order: 100            # before tier default (1,000,000)
  defaultAction: Pass   # what it does not deny goes on to the next tier
"""
GUARDED = chapter_example("deny-external-egress").replace("spec:\n", "spec:\n  tier: egress-guard\n", 1)
print(EGRESS_GUARD + "---\n" + GUARDED)
guarded = engine_with(EGRESS_GUARD, GUARDED)
guarded_with_k8s = engine_with(EGRESS_GUARD, GUARDED, chapter_example("default-deny-egress"))
connections = show_connections(guarded, [
    ("default/web", INTERNET, 443),
    ("default/web", "default/backend", 8080),
    ("default/web", "kube-system/coredns", 53, "UDP"),
])
assert connections.allowed == (False, True, True)
assert not guarded_with_k8s.allowed("default/web", "default/backend", 8080)  # the Kubernetes deny still holds
assert (show_matrix(guarded, 80).matrix.allowed == open_80.allowed).all()
connections

# %% [markdown]
# ## Tiers: `security` and `block-malicious-ips`
#
# A Tier groups policies and runs before or after others by its `order`. The chapter creates a
# tier `security` (order 100, before `default`) and a GlobalNetworkPolicy in it (order 10) that
# denies ingress from the network `1.2.3.0/24` (恶意 IP — malicious IPs).

# %%
print(chapter_example("block-malicious-ips"))

# %% [markdown]
# **Predict:** can `default/frontend` reach `default/web` on TCP 80 now? Can the public address
# 8.8.8.8?

# %%
security = engine_with(chapter_example("block-malicious-ips"))
Question(security, "default/frontend", "default/web", 80)

# %% [markdown]
# Neither can: the same end-of-tier Deny, in tier `security` this time. The tier's default action
# is Deny (it is not set), `block-malicious-ips` selects `all()`, and its only rule matches
# `1.2.3.0/24` alone. Every other connection ends the tier undecided: dropped, before tier
# `default` is even reached. You fix it in the exercise at the end.

# %%
connections = show_connections(security, [
    (MALICIOUS, "default/web", 80),
    (INTERNET, "default/web", 80),
    ("default/frontend", "default/web", 80),
])
assert connections.allowed == (False, False, False)
trace = security.verdict("default/frontend", "default/web", 80).ingress.tiers
assert [(t.name, t.outcome) for t in trace] == [("security", "end-of-tier-deny")]
connections

# %% [markdown]
# ## Explicit Deny and Log: `explicit-deny-with-log`
#
# A Calico rule has an action. Rules run **in order**, and the first that matches decides, except
# `Log`: it writes a log line and evaluation goes on with the next rule.

# %%
print(chapter_example("explicit-deny-with-log"))

# %% [markdown]
# Three rules: log the suspicious pods, deny them, allow the frontend. `default/scanner` carries
# the label `suspicious: "true"`.
#
# **Predict** the TCP 80 matrix of these four pods, then *Reveal*:

# %%
deny_with_log = engine_with(chapter_example("explicit-deny-with-log"))
Predict(deny_with_log, 80, pods=["default/web", "default/frontend", "default/scanner", "default/api"])

# %% [markdown]
# Only the frontend reaches `web`. The scanner is logged by rule 0 and denied by rule 1; `api`
# matches no rule and meets the end of tier `default` (the policy isolates `web` for ingress).
# The other pods are not selected, so nothing changes for them.

# %%
scanner = deny_with_log.verdict("default/scanner", "default/web", 80)
assert not scanner.allowed and scanner.ingress.decision.rule == "spec.ingress[1]"
assert scanner.ingress.logged == ("NetworkPolicy default/explicit-deny-with-log spec.ingress[0]",)
assert deny_with_log.allowed("default/frontend", "default/web", 80)
assert not deny_with_log.allowed("default/api", "default/web", 80)
assert deny_with_log.allowed("default/scanner", "default/api", 80)
show_verdict(deny_with_log, "default/scanner", "default/web", 80)

# %% [markdown]
# ## Order: who decides first
#
# Inside a tier, policies run by `order`, lowest first; **no order means last**. Kubernetes
# NetworkPolicies have order 1000. `explicit-deny-with-log` has no order, so it runs after them.
#
# **Predict:** namespace `default` also has the chapter's `allow-same-namespace`. Is the scanner
# still denied (and logged) on its way to `web`?

# %%
with_k8s = engine_with(chapter_example("explicit-deny-with-log"), chapter_example("allow-same-namespace"))
Question(with_k8s, "default/scanner", "default/web", 80)

# %% [markdown]
# The scanner gets in, unlogged: `allow-same-namespace` (order 1000) allowed it before the Calico
# policy (no order, so last) was reached. An explicit Deny only wins if it comes first. The fix is
# one line: `order: 100`. Try it in the playground: add `  order: 100` under `spec:` of
# `explicit-deny-with-log` and watch the cell `default/scanner → default/web` flip back. Click a
# cell to see the whole explanation.

# %%
assert with_k8s.allowed("default/scanner", "default/web", 80)
assert not with_k8s.verdict("default/scanner", "default/web", 80).ingress.logged
ORDERED = chapter_example("explicit-deny-with-log").replace("spec:\n", "spec:\n  order: 100\n", 1)
ordered = engine_with(ORDERED, chapter_example("allow-same-namespace"))
assert not ordered.allowed("default/scanner", "default/web", 80)
assert ordered.verdict("default/scanner", "default/web", 80).ingress.logged
order_playground = Playground(cluster, chapter_example("explicit-deny-with-log") + "---\n"
                              + chapter_example("allow-same-namespace"))
order_playground

# %%
assert order_playground.state.matrix["default/scanner", "default/web"]  # before your edit

# %% [markdown]
# ## Allow, Deny, Pass, Log
#
# | action | what happens | then |
# |---|---|---|
# | `Allow` | this side (egress of the source, or ingress of the destination) is allowed | nothing else is evaluated for this side |
# | `Deny` | the packet is dropped | nothing else is evaluated |
# | `Pass` | the rest of the **tier** is skipped | the next tier that has a policy for the pod; after the last, the namespace profile (allow) |
# | `Log` | a log line (prefix `calico-packet`) | the next rule: Log never decides |
# | *(nothing matched in a tier that applies)* | the tier's `defaultAction`: `Deny` unless set to `Pass` | "End of tier … Drop if no policies passed packet" |
#
# ## One flow, tier by tier
#
# Put the fixed pieces together: the `egress-guard` tier, `explicit-deny-with-log` at order 100
# and `allow-same-namespace`. Follow `default/scanner → default/web` on TCP 80 through both
# sides, tier by tier: the scanner's egress passes `egress-guard` (no rule matched, default
# Pass), skips `default` (no policy selects it for egress) and ends in its namespace profile;
# `web`'s ingress meets tier `default`, where the Calico policy logs and denies before the
# Kubernetes policy is reached.

# %%
stack = engine_with(EGRESS_GUARD, GUARDED, ORDERED, chapter_example("allow-same-namespace"))
flow = show_verdict(stack, "default/scanner", "default/web", 80)
egress, ingress = flow.verdict.egress, flow.verdict.ingress
assert [(t.name, t.outcome) for t in egress.tiers] == [("egress-guard", "default-pass")] and egress.allowed
assert [(t.name, t.outcome) for t in ingress.tiers] == [("default", "deny")] and not ingress.allowed
assert [p.outcome for p in ingress.tiers[0].policies] == ["deny", "not-reached"]
flow

# %% [markdown]
# The same stack lets the frontend in (explanation below) and keeps public addresses out:

# %%
assert stack.allowed("default/frontend", "default/web", 80) and not stack.allowed("default/frontend", INTERNET, 443)
show_verdict(stack, "default/frontend", "default/web", 80, verbose=False)

# %% [markdown]
# ## ICMP, host endpoints and DNS rules
#
# The last rows of the table. **ICMP**: a Kubernetes NetworkPolicy cannot name ICMP at all; a
# rule without `ports` allows every protocol, ICMP included, and a rule with ports allows none
# of it. A Calico rule matches ICMP by type and code. This one, in a tier of its own that passes
# what it does not decide, lets anyone ping `web` (type 8, echo request) and denies other ICMP:

# %%
PING = """\
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: platform
spec:
  order: 200
  defaultAction: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: allow-ingress-ping-to-web
spec:
  tier: platform
  selector: app == 'web'
  types:
  - Ingress
  ingress:
  - action: Allow
    protocol: ICMP
    icmp:
      type: 8        # echo request (ping)
  - action: Deny
    protocol: ICMP   # every other ICMP type
"""
ping = engine_with(PING)
ICMP_ECHO, ICMP_TIMESTAMP = 8, 13
assert ping.allowed(INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_ECHO)
assert not ping.allowed(INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_TIMESTAMP)
assert ping.allowed(INTERNET, "default/web", 80)  # TCP passes on to the next tiers
show_verdict(ping, INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_TIMESTAMP, verbose=False)

# %%
K8S_ICMP = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-ping-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - ports:
    - protocol: ICMP
"""
try:
    load_string(K8S_ICMP, filename="k8s-icmp.yaml")
    raise AssertionError("a NetworkPolicy port with protocol ICMP must be rejected")
except InputError as error:
    print(error)

# %% [markdown]
# **Host endpoints** (a node's interfaces as policy targets) are outside npkit's model: it
# evaluates pods. A HostEndpoint loads with a warning and is skipped. **DNS rules** (domain names
# in a rule) are a feature of the commercial Calico Enterprise and Calico Cloud: the open-source
# API has no `domains` field, and npkit rejects it as an unknown field.

# %%
HOST_ENDPOINT = """\
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata:
  name: node1-eth0
spec:
  node: node1
  interfaceName: eth0
  expectedIPs: ["192.168.1.10"]
"""
loaded = load_string(HOST_ENDPOINT, filename="host-endpoint.yaml")
assert [d.severity for d in loaded.diagnostics] == ["warning"]
print(loaded.diagnostics[0])
DOMAINS = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: allow-egress-to-example-com
spec:
  selector: all()
  types:
  - Egress
  egress:
  - action: Allow
    destination:
      domains: ["example.com"]
"""
try:
    load_string(DOMAINS, filename="domains.yaml")
    raise AssertionError("domains is not a field of open-source Calico")
except InputError as error:
    print(error)

# %% [markdown]
# ## Application layer: `allow-specific-http`
#
# The chapter allows only `GET` and `POST` to `/api/v1/users` and `/api/v1/products…` on the `api`
# pods.

# %%
print(chapter_example("allow-specific-http"))

# %% [markdown]
# **Predict:** can `default/web` send `DELETE /api/v1/users` to `default/api` on TCP 8080? Decide,
# then run the next cell.

# %%
http = engine_with(chapter_example("allow-specific-http"))
show_verdict(http, "default/web", "default/api", 8080, http_method="DELETE", http_path="/api/v1/users")

# %% [markdown]
# Yes. Felix, Calico's agent on each node, programs iptables or nftables, which see packets, not
# HTTP requests: it **ignores** the `http` match. HTTP matching needs Istio with Calico's
# Dikastes next to each pod's Envoy; without them the rule is an L4 Allow of everything into
# `api`. The evaluator's `l7=True` shows what the rule would do with Istio + Dikastes installed
# (then it applies to ingress only, and only to Allow rules):

# %%
dikastes = engine_with(chapter_example("allow-specific-http"), l7=True)
REQUESTS = [("GET", "/api/v1/users"), ("POST", "/api/v1/products/42"), ("DELETE", "/api/v1/users"),
            ("GET", "/api/v1/users/7"), ("GET", "/admin")]
answers = {}
for method, path in REQUESTS:
    answers[method, path] = tuple(e.allowed("default/web", "default/api", 8080, http_method=method, http_path=path)
                                  for e in (http, dikastes))
    print(f"{method:6} {path:22} Felix alone: {'allowed' if answers[method, path][0] else 'denied':8}"
          f"  with Istio + Dikastes: {'allowed' if answers[method, path][1] else 'denied'}")
assert all(felix for felix, _ in answers.values())
assert [with_l7 for _, with_l7 in answers.values()] == [True, True, False, False, False]

# %% [markdown]
# ## The end-of-tier Deny, and its fixes
#
# Three of the chapter's Calico examples (`deny-external-egress`, `block-malicious-ips`, and
# notebook 09's `log-denied`) select `all()` and decide only some traffic. Since Calico 3.29,
# the rest meets the end of their tier: **Deny**. The fixes:
#
# - outside tier `default`: a last rule `- action: Pass`, or `defaultAction: Pass` on the tier;
# - inside tier `default`: never Pass (it skips the Kubernetes policies); move the policy to its
#   own tier before `default`, as with `egress-guard` above.
#
# ## Exercise: a security tier that blocks only what it should

# %%
security_tier = Exercise.get("07-security-tier")
security_tier.show()

# %%
assert security_tier.available
assert not security_tier.check(security_tier.starter_yaml).passed  # the chapter's version cuts all ingress

# %% [markdown]
# ## What you saw
#
# - Calico evaluates tiers in order, policies in a tier by order (none = last), rules in a
#   policy top to bottom; Kubernetes policies sit in tier `default` at order 1000.
# - A tier that applies to a pod and decides nothing ends with Deny: `deny-external-egress` and
#   `block-malicious-ips` cut far more than they name.
# - `Pass` skips the rest of a tier; in tier `default` that includes the Kubernetes policies.
# - `Log` never decides; an explicit `Deny` only wins if its policy comes first.
# - `http` matches need Istio + Dikastes; without them `allow-specific-http` is an L4 allow.
#
# Next, notebook [`08-clusternetworkpolicy`](08-clusternetworkpolicy.ipynb): the upstream Kubernetes answer to tiers.

# %%
from npkit.course import what_next

what_next("07")
