# %% [markdown]
# # 07 · Calico policy
#
# Calico enforces Kubernetes NetworkPolicy, and adds its own policy kinds on top: ordered
# **tiers**, policies with an **order**, and rules with explicit actions **Allow, Deny, Pass and
# Log**. This notebook goes through the chapter's Calico examples, evaluates each one, and shows
# where a real cluster does more than the chapter says.
#
# ## Which Calico runs these examples
#
# The chapter's Calico objects are not all available everywhere (sources in `docs/sources.md`):
#
# - **`Tier` objects and a tier's `defaultAction`** came to open-source Calico in **3.29**. Before,
#   only Calico Enterprise had tiers, so the chapter's `tier: security` needs Calico ≥ 3.29. Every
#   Calico, 3.29 or older, ends the policies of a tier that applies to a pod with a drop (below):
#   before 3.29 there was just the one implicit tier, and it ends the same way.
# - On **3.29–3.31** a policy in a tier other than `default` must be **named `<tier>.<name>`**
#   (`security.block-malicious-ips`); 3.32 drops that rule (the old names are migrated).
# - `projectcalico.org/v3` objects are applied with **`calicoctl apply`**, or with **`kubectl`**
#   once the Calico API server is installed (operator installs include it); plain `kubectl` on a
#   cluster without it says *no matches for kind "GlobalNetworkPolicy"*.
# - Calico **3.32** has three built-in tiers: `kube-admin`, `default`, `kube-baseline`
#   (notebook 08). npkit models 3.32.

# %%
from npkit.course import Exercise, chapter_example, external, intro, model_cluster
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.model import InputError
from npkit.course.questions import choice, predict, question
from npkit.widgets import SelectorLab, SelectorLabState, show_connections, show_matrix, show_verdict
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

# %% tags=["check"]
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
for name, order, action in tiers:
    print(f"tier {name:14} order {order:>12,.0f}   default action {action}")

# %% tags=["check"]
assert tiers == [("kube-admin", 1000, "Pass"), ("default", 1_000_000, "Deny"), ("kube-baseline", 10_000_000, "Pass")]

# %% [markdown]
# A name with the 3.29–3.31 tier prefix and one without are the same policy to npkit (and to 3.32,
# which migrates the old names). The chapter's `block-malicious-ips`, both ways:

# %%
PREFIXED = chapter_example("block-malicious-ips").replace("name: block-malicious-ips", "name: security.block-malicious-ips")
for text in (chapter_example("block-malicious-ips"), PREFIXED):
    policy = load_string(text).calico_policies[0]
    print(f"{policy.name:34} tier {policy.tier}, order {policy.order}")

# %% [markdown]
# ## The Calico selector language
#
# Calico selectors are expressions, not `matchLabels` maps: `app == 'web'`, `app != 'web'`,
# `app in {'web', 'api'}`, `has(suspicious)`, `!has(suspicious)`, `all()`, joined with `&&`,
# `||` and parentheses. Values are always quoted. A Calico `NetworkPolicy` selects pods of its own
# namespace only; a `GlobalNetworkPolicy` selects pods of every namespace.
#
# **Predict:** in a GlobalNetworkPolicy, which pods of the course cluster does
# `app in {'web', 'api'} && !has(suspicious)` select?

# %%
SELECTOR = "app in {'web', 'api'} && !has(suspicious)"
picked = SelectorLabState(model_cluster(), SELECTOR, mode="calico", namespace=GLOBAL).selection.pods
candidates = ["default/web", "default/api", "frontend/web", "default/scanner", "default/frontend"]
choice("07-calico-selector", candidates, [c for c in candidates if c in picked], multiple=True,
       more=lambda: SelectorLab(model_cluster(), SELECTOR, mode="calico", namespace=GLOBAL))

# %% tags=["check"]
selector_lab = SelectorLab(model_cluster(), SELECTOR, mode="calico", namespace=GLOBAL)
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
question("07-deny-external", deny_external, "default/frontend", "default/web", 80,
         more=lambda: show_matrix(deny_external, 80, before=open_80))

# %% tags=["check"]
why = show_verdict(deny_external, "default/frontend", "default/web", 80)
assert not why.allowed and why.verdict.egress.decision.kind == "end-of-tier"
assert not deny_external.allowed("default/web", "kube-system/coredns", 53, "UDP")
view = show_matrix(deny_external, 80, before=open_80)
assert all(src == dst for src, dst in view.matrix.pairs(True))  # every pod reaches only itself

# %% [markdown]
# ### The end of a tier, in the engine's words
#
# The whole explanation of `frontend → web`: read the egress side, tier by tier.

# %%
show_verdict(deny_external, "default/frontend", "default/web", 80)

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
question("07-pass-in-default", passing, "default/web", "default/backend", 8080)

# %% tags=["check"]
assert passing.allowed("default/web", "default/backend", 8080)
assert not engine_with(chapter_example("default-deny-egress")).allowed("default/web", "default/backend", 8080)
assert not passing.allowed("default/web", INTERNET, 443)

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
connections

# %% tags=["check"]
assert connections.allowed == (False, True, True)
assert not guarded_with_k8s.allowed("default/web", "default/backend", 8080)  # the Kubernetes deny still holds
assert (show_matrix(guarded, 80).matrix.allowed == open_80.allowed).all()

# %% [markdown]
# ### What "not private" still cuts
#
# `notNets` lists the three RFC 1918 ranges. Two other ranges that clusters use are not in them,
# and the guarded policy denies them too:
#
# - **169.254.0.0/16, link-local**: NodeLocal DNSCache answers on 169.254.20.10, and cloud
#   metadata services on 169.254.169.254. With NodeLocal DNSCache, pods send their DNS queries
#   there, so this "internet block" breaks DNS.
# - **100.64.0.0/10, shared address space** (carrier-grade NAT): used by some cloud VPCs, pod
#   networks and VPN overlays.
#
# **Predict:** with `egress-guard` as above, can `default/web` send a DNS query to NodeLocal
# DNSCache at 169.254.20.10 on UDP 53?

# %%
LINK_LOCAL = [("default/web", "169.254.20.10", 53, "UDP"), ("default/web", "169.254.169.254", 80),
              ("default/web", "100.64.0.10", 443), ("default/web", "10.100.0.5", 5432)]
question("07-link-local", guarded, "default/web", "169.254.20.10", 53, "UDP",
         more=lambda: show_connections(guarded, LINK_LOCAL))

# %% tags=["check"]
assert show_connections(guarded, LINK_LOCAL).allowed == (False, False, False, True)

# %% [markdown]
# The fix is to list them in `notNets` when the cluster needs them (here both):

# %%
WIDER = GUARDED.replace("      - 192.168.0.0/16\n", "      - 192.168.0.0/16\n      - 169.254.0.0/16   # link-local\n"
                        "      - 100.64.0.0/10    # shared address space\n")
wider = engine_with(EGRESS_GUARD, WIDER)
show_connections(wider, LINK_LOCAL + [("default/web", INTERNET, 443)])

# %% tags=["check"]
assert WIDER != GUARDED
assert show_connections(wider, LINK_LOCAL + [("default/web", INTERNET, 443)]).allowed == (True, True, True, True, False)

# %% [markdown]
# ## Tiers: `security` and `block-malicious-ips`
#
# A Tier groups policies and runs before or after others by its `order`. The chapter creates a
# tier `security` (order 100, before `default`) and a GlobalNetworkPolicy in it (order 10) that
# denies ingress from the network `1.2.3.0/24` (恶意 IP — malicious IPs).

# %%
print(chapter_example("block-malicious-ips"))

# %% [markdown]
# **Predict:** with it applied (on Calico ≥ 3.29), can `default/frontend` reach `default/web` on
# TCP 80?

# %%
security = engine_with(chapter_example("block-malicious-ips"))
SECURITY = [(MALICIOUS, "default/web", 80), (INTERNET, "default/web", 80), ("default/frontend", "default/web", 80)]
question("07-security-tier", security, "default/frontend", "default/web", 80,
         more=lambda: show_connections(security, SECURITY))

# %% tags=["check"]
assert show_connections(security, SECURITY).allowed == (False, False, False)
trace = security.verdict("default/frontend", "default/web", 80).ingress.tiers
assert [(t.name, t.outcome) for t in trace] == [("security", "end-of-tier-deny")]

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
predict("07-deny-with-log", deny_with_log, 80, pods=["default/web", "default/frontend", "default/scanner", "default/api"],
        more=lambda: show_verdict(deny_with_log, "default/scanner", "default/web", 80))

# %% tags=["check"]
scanner = deny_with_log.verdict("default/scanner", "default/web", 80)
assert not scanner.allowed and scanner.ingress.decision.rule == "spec.ingress[1]"
assert scanner.ingress.logged == ("NetworkPolicy default/explicit-deny-with-log spec.ingress[0]",)
assert deny_with_log.allowed("default/frontend", "default/web", 80)
assert not deny_with_log.allowed("default/api", "default/web", 80)
assert deny_with_log.allowed("default/scanner", "default/api", 80)

# %% [markdown]
# ### A namespaced policy's rule selectors stay in its namespace
#
# `explicit-deny-with-log` is a namespaced Calico `NetworkPolicy`. Its rules' `source.selector:
# suspicious == 'true'` only matches pods **of its own namespace**, `default`, like a bare
# `podSelector` in a Kubernetes rule. A suspicious pod in another namespace is neither logged nor
# denied by rule 1 (it is still dropped here, at the end of the tier, because nothing allows it;
# but the log line you counted on is missing). To reach every namespace, add
# `namespaceSelector: all()` to the rule's `source`, or write a GlobalNetworkPolicy.

# %%
INTRUDER = """apiVersion: v1
kind: Pod
metadata: {name: intruder, namespace: x, labels: {app: intruder, suspicious: "true"}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIP: 10.244.5.66}
"""
ALL_NAMESPACES = chapter_example("explicit-deny-with-log").replace(
    "      selector: suspicious == 'true'", "      selector: suspicious == 'true'\n      namespaceSelector: all()")
for title, policy in (("as in the chapter", chapter_example("explicit-deny-with-log")),
                      ("with namespaceSelector: all()", ALL_NAMESPACES)):
    intruding = Engine(model_cluster().merged(load_string(INTRUDER)).merged(load_string(policy)))
    verdict = intruding.verdict("x/intruder", "default/web", 80)
    print(f"{title:30} x/intruder → default/web: {'allowed' if verdict.allowed else 'denied'}, "
          f"decided by {verdict.ingress.decision.rule or verdict.ingress.decision.kind}, "
          f"logged: {bool(verdict.ingress.logged)}")

# %% tags=["check"]
chapter_way = Engine(model_cluster().merged(load_string(INTRUDER)).merged(
    load_string(chapter_example("explicit-deny-with-log")))).verdict("x/intruder", "default/web", 80)
fixed_way = Engine(model_cluster().merged(load_string(INTRUDER)).merged(
    load_string(ALL_NAMESPACES))).verdict("x/intruder", "default/web", 80)
assert not chapter_way.ingress.logged and fixed_way.ingress.logged
assert fixed_way.ingress.decision.rule == "spec.ingress[1]"

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
question("07-order", with_k8s, "default/scanner", "default/web", 80)

# %% tags=["check"]
assert with_k8s.allowed("default/scanner", "default/web", 80)
assert not with_k8s.verdict("default/scanner", "default/web", 80).ingress.logged

# %% [markdown]
# ### Exercise: make the explicit Deny come first
#
# Change only the Calico policy so that the scanner is denied again. The playground below runs on
# the exercise's cluster, which already has `allow-same-namespace`; its editor holds the Calico
# policy. Edit it, watch the cell `default/scanner → default/web` and click it for the
# explanation; then write your answer in the exercise and press **Check**.

# %%
order_exercise = Exercise.get("07-order")
order_exercise.playground()

# %%
order_exercise.show()

# %% tags=["check"]
assert not order_exercise.check(order_exercise.starter_yaml).passed
assert order_exercise.check(order_exercise.solution()).passed

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
# Put the fixed pieces together: the `egress-guard` tier, `explicit-deny-with-log` with an order
# below 1000 (as in the exercise) and `allow-same-namespace`. Follow `default/scanner → default/web` on TCP 80 through both
# sides, tier by tier: the scanner's egress passes `egress-guard` (no rule matched, default
# Pass), skips `default` (no policy selects it for egress) and ends in its namespace profile;
# `web`'s ingress meets tier `default`, where the Calico policy logs and denies before the
# Kubernetes policy is reached.

# %%
ORDERED = order_exercise.solution()
stack = engine_with(EGRESS_GUARD, GUARDED, ORDERED, chapter_example("allow-same-namespace"))
flow = show_verdict(stack, "default/scanner", "default/web", 80)
flow

# %% tags=["check"]
egress, ingress = flow.verdict.egress, flow.verdict.ingress
assert [(t.name, t.outcome) for t in egress.tiers] == [("egress-guard", "default-pass")] and egress.allowed
assert [(t.name, t.outcome) for t in ingress.tiers] == [("default", "deny")] and not ingress.allowed
assert [p.outcome for p in ingress.tiers[0].policies] == ["deny", "not-reached"]

# %% [markdown]
# The same stack lets the frontend in (explanation below) and keeps public addresses out:

# %%
show_verdict(stack, "default/frontend", "default/web", 80, verbose=False)

# %% tags=["check"]
assert stack.allowed("default/frontend", "default/web", 80) and not stack.allowed("default/frontend", INTERNET, 443)

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
show_verdict(ping, INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_TIMESTAMP, verbose=False)

# %% tags=["check"]
assert ping.allowed(INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_ECHO)
assert not ping.allowed(INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_TIMESTAMP)
assert ping.allowed(INTERNET, "default/web", 80)  # TCP passes on to the next tiers

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
except InputError as error:
    icmp_refused = error
    print(error)

# %% tags=["check"]
assert "ICMP" in str(icmp_refused)

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
except InputError as error:
    domains_refused = error
    print(error)

# %% tags=["check"]
assert [d.severity for d in loaded.diagnostics] == ["warning"]
assert "domains" in str(domains_refused)

# %% [markdown]
# ## NetworkSet and GlobalNetworkSet: address lists with labels
#
# The chapter writes addresses into each rule (`nets: [1.2.3.0/24]`). Calico can also hold them
# in a **`GlobalNetworkSet`** (cluster-wide) or a **`NetworkSet`** (in a namespace): a list of
# CIDRs with labels. A rule then selects the set by its labels, like pods, with `selector:`. A
# security team can update the set without touching any policy. (A namespaced `NetworkSet` is
# matched by the rules of policies in its namespace; a namespaced policy reaches a
# `GlobalNetworkSet` with `namespaceSelector: global()`.)

# %%
BLOCKLIST = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: threat-feed
  labels:
    threat-feed: blocklist
spec:
  nets:
  - 1.2.3.0/24
  - 203.0.113.0/24
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: security
spec:
  order: 100
  defaultAction: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-ingress-from-threat-feed
spec:
  tier: security
  selector: all()
  types:
  - Ingress
  ingress:
  - action: Deny
    source:
      selector: threat-feed == 'blocklist'
"""
blocklist = engine_with(BLOCKLIST)
show_connections(blocklist, [(MALICIOUS, "default/web", 80), ("203.0.113.9", "default/web", 80),
                             (INTERNET, "default/web", 80), ("default/frontend", "default/web", 80)])

# %% tags=["check"]
assert [blocklist.allowed(s, "default/web", 80) for s in (MALICIOUS, "203.0.113.9", INTERNET, "default/frontend")] \
    == [False, False, True, True]

# %% [markdown]
# ## Application layer: `allow-specific-http`
#
# The chapter allows only `GET` and `POST` to `/api/v1/users` and `/api/v1/products…` on the `api`
# pods.

# %%
print(chapter_example("allow-specific-http"))

# %% [markdown]
# **Predict:** on a cluster with Calico and no service mesh, can `default/web` send
# `DELETE /api/v1/users` to `default/api` on TCP 8080?

# %%
http = engine_with(chapter_example("allow-specific-http"))
delete_allowed = http.allowed("default/web", "default/api", 8080, http_method="DELETE", http_path="/api/v1/users")
choice("07-http", ["allowed", "denied"], "allowed" if delete_allowed else "denied",
       more=lambda: show_verdict(http, "default/web", "default/api", 8080, http_method="DELETE",
                                 http_path="/api/v1/users"))

# %% [markdown]
# ### Felix alone, and with Istio + Dikastes
#
# The evaluator's `l7=True` shows what the rule would do with Istio and Calico's Dikastes installed
# (then it applies to ingress only, and only to Allow rules), next to Felix alone:

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

# %% tags=["check"]
assert all(felix for felix, _ in answers.values())
assert [with_l7 for _, with_l7 in answers.values()] == [True, True, False, False, False]

# %% [markdown]
# ## The end-of-tier Deny, and its fixes
#
# Three of the chapter's Calico examples (`deny-external-egress`, `block-malicious-ips`, and
# notebook 09's `log-denied`) select `all()` and decide only some traffic. On every Calico version
# the rest meets the end of their tier: **Deny** (before 3.29, the end of the one implicit tier).
# The fixes:
#
# - outside tier `default`: a last rule `- action: Pass`, or `defaultAction: Pass` on the tier;
# - inside tier `default`: never Pass (it skips the Kubernetes policies); move the policy to its
#   own tier before `default`, as with `egress-guard` above.
#
# ## Exercise: a security tier that blocks only what it should

# %%
security_tier = Exercise.get("07-security-tier")
security_tier.show()

# %% tags=["check"]
assert security_tier.available
assert not security_tier.check(security_tier.starter_yaml).passed  # the chapter's version cuts all ingress

# %% [markdown]
# ## Exercise: a blocklist from a blank page
#
# A GlobalNetworkSet, a tier that passes, and a policy that denies the set: from nothing.

# %%
blocklist_exercise = Exercise.get("07-blocklist")
blocklist_exercise.show()

# %% tags=["check"]
assert blocklist_exercise.check(blocklist_exercise.solution()).passed

# %% [markdown]
# ## What you saw
#
# - Calico evaluates tiers in order, policies in a tier by order (none = last), rules in a
#   policy top to bottom; Kubernetes policies sit in tier `default` at order 1000.
# - A tier that applies to a pod and decides nothing ends with Deny, on every Calico version:
#   `deny-external-egress` and `block-malicious-ips` cut far more than they name.
# - `Tier` needs Calico ≥ 3.29 (policy names `<tier>.<name>` on 3.29–3.31); v3 objects go in with
#   `calicoctl` or through the Calico API server.
# - A namespaced policy's rule selectors stay in its namespace; network sets give addresses labels.
# - `Pass` skips the rest of a tier; in tier `default` that includes the Kubernetes policies.
# - `Log` never decides; an explicit `Deny` only wins if its policy comes first.
# - `http` matches need Istio + Dikastes; without them `allow-specific-http` is an L4 allow.
#
# Next, notebook [`08-clusternetworkpolicy`](08-clusternetworkpolicy.ipynb): the upstream Kubernetes answer to tiers.

# %%
from npkit.course import what_next

what_next("07")
