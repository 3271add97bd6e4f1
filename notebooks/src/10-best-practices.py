# %% [markdown]
# # 10 · Best practices
#
# The chapter ends with three habits (最佳实践 — best practices): a default deny in every
# namespace, DNS allowed explicitly, and names that say what a policy does. This notebook checks
# them with `npkit.lint`, a linter that asks the evaluator rather than reading YAML: it lints a
# realistic set of policies, fixes the findings one at a time (proving with `npkit.diff.compare`
# that each fix changed exactly what it should), and then turns the linter on the chapter's own
# examples.

# %%
from npkit.course import Exercise, chapter_example, chapter_examples, intro, model_cluster, overview
from npkit.course.questions import choice, question
from npkit.course.review import review
from npkit.diff import compare, render_comparison
from npkit.engine import Engine
from npkit.lint import Findings, lint
from npkit.loading import load_string
from npkit.widgets import show_connections

intro("10")

# %% [markdown]
# We use the `monitoring` view of the course cluster: Prometheus and Grafana in namespace
# `monitoring`, the `web` server Prometheus scrapes in `default`, the cluster DNS in
# `kube-system`, and `x/fake-dns`, a pod in an ordinary namespace that carries kube-dns's label
# `k8s-app: kube-dns`, as anyone allowed to create pods could do.

# %%
cluster = model_cluster("monitoring")
overview("monitoring")

# %%
def engine_with(*texts: str) -> Engine:
    """The monitoring cluster with these policies applied."""
    return Engine(cluster.merged(load_string("\n---\n".join(texts), filename="policies.yaml")))

# %% tags=["check"]
assert {p.key for p in cluster.pods} == {"default/web", "monitoring/prometheus", "monitoring/grafana",
                                          "kube-system/coredns", "x/fake-dns"}

# %% [markdown]
# ## 1. A default deny in every namespace
#
# 每个命名空间应用默认拒绝 — apply a default deny in each namespace. The chapter's policy:

# %%
print(chapter_example("default-deny-all"))

# %% [markdown]
# It has no `metadata.namespace`, so it lands in one namespace, the one `kubectl` is pointed at
# (`default` here). **Predict:** with it applied, can `default/web` open a connection to
# `monitoring/grafana` on TCP 3000?

# %%
deny_default = engine_with(chapter_example("default-deny-all"))
question("10-deny-one-namespace", deny_default, "default/web", "monitoring/grafana", 3000,
         more=lambda: show_connections(deny_default, [("default/web", "monitoring/grafana", 3000),
                                                      ("x/fake-dns", "monitoring/grafana", 3000),
                                                      ("monitoring/prometheus", "default/web", 80)]))

# %% tags=["check"]
assert not deny_default.allowed("default/web", "monitoring/grafana", 3000)
assert deny_default.allowed("monitoring/prometheus", "monitoring/grafana", 3000)  # monitoring: still open
assert deny_default.allowed("x/fake-dns", "monitoring/grafana", 3000)
assert not deny_default.allowed("monitoring/prometheus", "default/web", 80)  # default: closed

# %% [markdown]
# ## 2. Allow DNS, pinned to kube-system, on UDP *and* TCP
#
# A default deny of egress blocks DNS too (notebook 05). The chapter's best-practice rule
# (通常需要允许 DNS — you usually need to allow DNS) selects kube-dns by the namespace's
# built-in name label, which the API server sets and nobody can fake. Wrapped in a policy named
# by the chapter's convention:

# %%
print(chapter_example("allow-dns-kube-system"))

# %% [markdown]
# **Predict:** with `default-deny-all` and this policy in `default`, can `default/web` reach
# kube-dns on **TCP** 53?

# %%
dns_udp_only = engine_with(chapter_example("default-deny-all"), chapter_example("allow-dns-kube-system"))
question("10-dns-tcp", dns_udp_only, "default/web", "kube-system/coredns", 53, "TCP")

# %% [markdown]
# ### Pinned, or any namespace
#
# The chapter's own `allow-dns` (notebook 06) has TCP 53. That `allow-dns`, however, matches `k8s-app: kube-dns` with `namespaceSelector: {}`, in **any**
# namespace. Compare what the two variants let `web` send DNS queries to:

# %%
chapter_allow_dns = engine_with(chapter_example("default-deny-all"), chapter_example("allow-dns"))
queries = [("default/web", "kube-system/coredns", 53, "UDP"), ("default/web", "kube-system/coredns", 53, "TCP"),
           ("default/web", "x/fake-dns", 53, "UDP")]
pinned_view = show_connections(dns_udp_only, queries)
any_namespace_view = show_connections(chapter_allow_dns, queries)
any_namespace_view

# %% tags=["check"]
assert pinned_view.allowed == (True, False, False)  # pinned, but UDP only
assert any_namespace_view.allowed == (True, True, True)  # UDP and TCP, but the impostor answers too

# %% [markdown]
# The best practice is both: pinned to `kubernetes.io/metadata.name: kube-system`, on UDP and TCP
# 53.
#
# ## 3. Names that say what a policy does
#
# 推荐的策略命名 — the recommended naming:
#
# ```
# <action>-<direction>-<source/dest>-to/from-<target>
# ```
#
# with the chapter's examples `allow-ingress-frontend-to-backend`, `deny-egress-to-internet` and
# `allow-ingress-from-monitoring`. A name is for the people who run `kubectl get networkpolicy`;
# it changes nothing in what the policy does.
#
# **Predict:** which of these names follow the convention?

# %%
NAMES = ["allow-ingress-frontend-to-backend", "allow-frontend-to-backend", "deny-egress-to-internet",
         "allow-ingress-from-monitoring", "block-malicious-ips", "default-deny-all", "web-policy"]
named = "\n---\n".join(
    f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: default}}\n"
    "spec: {podSelector: {}, policyTypes: [Ingress]}" for name in NAMES)
naming = lint(load_string(named, filename="names.yaml"), only=["naming"])
flagged = {f.obj.name: f.fix for f in naming}
choice("10-names", NAMES, [n for n in NAMES if n not in flagged], multiple=True,
       more=lambda: naming)

# %% tags=["check"]
assert set(flagged) == {"allow-frontend-to-backend", "block-malicious-ips", "web-policy"}
assert "allow-ingress-frontend-to-backend" in flagged["allow-frontend-to-backend"]

# %% [markdown]
# ### Renaming
#
# Renaming a policy means creating the new one and then deleting the old one: apply the new name
# first, so there is no moment without the policy.
#
# ## Lint a realistic set
#
# The monitoring team wrote these policies: a default deny and DNS for their namespace, Grafana
# reading Prometheus, Prometheus scraping `web`, and, in `default`, a policy letting monitoring in.
# They work, mostly. **Predict:** read them, then say how many findings the linter will report.

# %%
MONITORING = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
  namespace: monitoring
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: dns
  namespace: monitoring
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: grafana-to-prometheus
  namespace: monitoring
spec:
  podSelector:
    matchLabels:
      app: prometheus
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: grafana
    ports:
    - protocol: TCP
      port: 9090
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-grafana-to-prometheus
  namespace: monitoring
spec:
  podSelector:
    matchLabels:
      app: grafana
  policyTypes:
  - Egress
  egress:
  - to:
    - podSelector:
        matchLabels:
          app: prometheus
    ports:
    - protocol: TCP
      port: 9090
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-prometheus-to-web
  namespace: monitoring
spec:
  podSelector:
    matchLabels:
      app: prometheus
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: default
    - podSelector:
        matchLabels:
          app: web
    ports:
    - protocol: TCP
      port: 80
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-from-monitoring
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: monitor
    ports:
    - protocol: TCP
      port: 80
"""
findings = review(cluster.merged(load_string(MONITORING, filename="monitoring-policies.yaml")),
                  files=["monitoring-policies.yaml"])
BUCKETS = ["none", "one to three", "four to seven", "eight or more"]
choice("10-how-many-findings", BUCKETS,
       BUCKETS[0 if not findings else 1 if len(findings) <= 3 else 2 if len(findings) <= 7 else 3],
       more=lambda: findings)

# %% [markdown]
# ### What the linter found
#
# `review(…, files=[…])` is `npkit.lint` reporting on your own file: findings about the course
# cluster's objects (a namespace with no default deny) keep their object and lose the location of
# data files you never opened.

# %% [markdown]
# Each finding names the object, the field, the line, what is wrong in terms of traffic, and a
# fix (open the widget above for the list). Grouped:
#
# | rule | what it found |
# |---|---|
# | NP103 `default-deny` | namespaces `default` and `x` have no default deny |
# | NP102 `dns-tcp`, NP104 `dns-any-namespace` | the DNS rule: UDP only, and any namespace's `k8s-app: kube-dns` (`x/fake-dns`) |
# | NP301 `and-or-peers`, NP202 `peer-matches-nothing` | Prometheus's egress rule has two peers (OR), and the second looks for `app: web` in `monitoring`; `web`'s ingress rule looks for `role: monitor` in `default` |
# | NP901 `naming` | `deny`, `dns`, `grafana-to-prometheus` |
#
# Prometheus cannot scrape `web` at all:

# %%
broken = engine_with(MONITORING)
print(findings.summary())

# %% tags=["check"]
counts = {rule: len(findings.of(rule)) for rule in ("NP103", "NP102", "NP104", "NP301", "NP202", "NP901")}
assert counts == {"NP103": 2, "NP102": 1, "NP104": 1, "NP301": 1, "NP202": 2, "NP901": 3}
assert len(findings) == sum(counts.values()) and not findings.errors
assert {f.origin.file for f in findings} == {"", "monitoring-policies.yaml"}  # no file the learner never saw
assert not broken.allowed("monitoring/prometheus", "default/web", 80)

# %% [markdown]
# ## Fix one thing at a time, and prove each fix
#
# `compare(before, after, probes)` asks the evaluator about every connection between the pods, on
# each probed port, under both sets of policies, and lists the connections whose answer changed.
# A fix is right when it changes exactly what it should, and nothing else.
#
# **Names first.** Renaming changes no traffic:

# %%
PROBES = [(53, "UDP"), (53, "TCP"), (80, "TCP"), (3000, "TCP"), (9090, "TCP")]
RENAMED = (MONITORING.replace("  name: deny\n", "  name: default-deny-all\n")
           .replace("  name: dns\n", "  name: allow-egress-to-kube-dns\n")
           .replace("  name: grafana-to-prometheus\n", "  name: allow-ingress-grafana-to-prometheus\n"))
renamed = engine_with(RENAMED)
step = compare(broken, renamed, PROBES)
print(step.summary())

# %% tags=["check"]
assert step.equivalent

# %% [markdown]
# **DNS.** Pin the namespace in the same peer, and add TCP 53. **Predict:** which of these
# connections change?

# %%
DNS_FIXED = RENAMED.replace("""\
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
""", """\
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
""")
dns_fixed = engine_with(DNS_FIXED)
step = compare(renamed, dns_fixed, PROBES)
changed = {c.label for c in step.changes}
DNS_OPTIONS = ["monitoring/prometheus → kube-system/coredns TCP/53", "monitoring/prometheus → kube-system/coredns UDP/53",
               "monitoring/prometheus → x/fake-dns UDP/53", "monitoring/grafana → x/fake-dns UDP/53",
               "monitoring/prometheus → default/web TCP/80"]
dns_step = step
choice("10-dns-fix", DNS_OPTIONS, [o for o in DNS_OPTIONS if o in changed], multiple=True,
       more=lambda: render_comparison(dns_step, explain=False))

# %% tags=["check"]
assert {c.label for c in step.newly_allowed} == {"monitoring/grafana → kube-system/coredns TCP/53",
                                                 "monitoring/prometheus → kube-system/coredns TCP/53"}
assert {c.label for c in step.newly_denied} == {"monitoring/grafana → x/fake-dns UDP/53",
                                                "monitoring/prometheus → x/fake-dns UDP/53"}

# %% [markdown]
# **Peers.** Prometheus's egress needs one peer with both selectors (AND: `web` pods in
# namespace `default`), not two; `web`'s ingress needs a `namespaceSelector` in the same peer as
# `role: monitor`. The YAML dash decides (notebook 03).

# %%
PEERS_FIXED = DNS_FIXED.replace("""\
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: default
    - podSelector:
        matchLabels:
          app: web
""", """\
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: default
      podSelector:
        matchLabels:
          app: web
""").replace("""\
  - from:
    - podSelector:
        matchLabels:
          role: monitor
""", """\
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: monitoring
      podSelector:
        matchLabels:
          role: monitor
""")
peers_fixed = engine_with(PEERS_FIXED)
step = compare(dns_fixed, peers_fixed, PROBES)
print(render_comparison(step))

# %% tags=["check"]
assert [c.label for c in step.newly_allowed] == ["monitoring/prometheus → default/web TCP/80"]
assert not step.newly_denied

# %% [markdown]
# **A default deny in every namespace.** The same two policies for each namespace, from a small
# template, as a Helm chart or kustomize overlay would stamp them out: `default-deny-all` and
# `allow-egress-to-kube-dns` (pinned, UDP and TCP). `monitoring` has its own already.
#
# **Predict:** can this step allow a connection that was denied before?

# %%
def namespace_baseline(namespace: str) -> str:
    """Default deny, then DNS to kube-dns in kube-system, for one namespace."""
    return f"""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-all
  namespace: {namespace}
spec:
  podSelector: {{}}
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-to-kube-dns
  namespace: {namespace}
spec:
  podSelector: {{}}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
"""


FIXED = "---\n".join([PEERS_FIXED] + [namespace_baseline(ns) for ns in ("default", "x")])
fixed = engine_with(FIXED)
step = compare(peers_fixed, fixed, PROBES)
baseline_step = step
choice("10-baseline-adds", ["yes", "no"], "yes" if step.newly_allowed else "no",
       more=lambda: baseline_step.summary())

# %% tags=["check"]
assert not step.newly_allowed and step.newly_denied
assert all(c.src.split("/")[0] in ("default", "x") or c.dst.split("/")[0] in ("default", "x")
           for c in step.newly_denied)

# %% [markdown]
# ### What still works
#
# DNS and the scrape, checked connection by connection:

# %%
kept = show_connections(fixed, [("monitoring/prometheus", "default/web", 80),
                                ("monitoring/grafana", "monitoring/prometheus", 9090),
                                ("default/web", "kube-system/coredns", 53, "UDP"),
                                ("default/web", "kube-system/coredns", 53, "TCP"),
                                ("monitoring/grafana", "x/fake-dns", 53, "UDP")])
kept

# %% tags=["check"]
assert kept.allowed == (True, True, True, True, False)

# %% [markdown]
# And the linter has nothing left to say:

# %%
clean = review(cluster.merged(load_string(FIXED, filename="monitoring-policies.yaml")), files=["monitoring-policies.yaml"])
print(clean.summary())

# %% tags=["check"]
assert not clean, str(clean)

# %% [markdown]
# ## The chapter's own examples, linted
#
# The same linter over each of the chapter's example policies, alone, on the cluster it is meant
# for (the course cluster; for the two hands-on walkthroughs, the pods their `kubectl run`
# commands create). NP103 is left out here: every example, on its own, leaves most namespaces
# without a default deny.
#
# **Predict:** which example collects the most findings?

# %%
HANDS_ON_PODS = {
    "default-deny-policy-test": """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: policy-test, labels: {app: web}}
spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: policy-test, labels: {run: client}}
spec: {containers: [{name: client, image: busybox}]}
""",
    "allow-frontend": """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: np-demo, labels: {app: web, tier: backend}}
spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: np-demo, labels: {app: frontend}}
spec: {containers: [{name: frontend, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: np-demo, labels: {app: other}}
spec: {containers: [{name: other, image: busybox}]}
""",
}


def lint_example(name: str) -> Findings:
    """One chapter example, linted alone on its cluster, without NP103."""
    base = load_string(HANDS_ON_PODS[name], filename="pods.yaml") if name in HANDS_ON_PODS else model_cluster()
    example = load_string(chapter_example(name), filename=f"{name}.yaml")
    return lint(base.merged(example), ignore=["default-deny"])


chapter_findings = {name: lint_example(name) for name in chapter_examples()}
most = max(chapter_findings, key=lambda n: len(chapter_findings[n]))
choice("10-most-findings", ["example-policy", "allow-dns", "block-malicious-ips", "deny-external-egress", "log-denied"],
       most)

# %% [markdown]
# ### Finding by finding

# %%
for name, found in chapter_findings.items():
    print(f"{name:26} " + (", ".join(f"{f.rule} {f.name}" for f in found) or "no findings"))

# %% [markdown]
# What each finding says about the chapter, and where the course deals with it:
#
# | rule | examples | what it means | where |
# |---|---|---|---|
# | NP101 `dns-egress` | `example-policy`, `default-deny-egress`, `default-deny-all`, `allow-external-db`, `deny-external-egress`, `log-denied` | they restrict egress without allowing DNS: name lookups fail | 05, 06 |
# | NP102 `dns-tcp` | `allow-dns-kube-system` | the best-practice rule lists UDP 53 only | above |
# | NP104 `dns-any-namespace` | `allow-dns` | `namespaceSelector: {}` trusts any namespace's `k8s-app: kube-dns` | above |
# | NP301 `and-or-peers` | `example-policy` | two peers (OR): intended there, and a reminder of the YAML-dash trap | 03 |
# | NP402 `policy-order` | `deny-external-egress`, `explicit-deny-with-log`, `allow-specific-http` | Calico policies without `order` run after the Kubernetes ones | 07 |
# | NP404 `log-no-decision` | `log-denied` | a Log rule with nothing after it that decides | 09 |
# | NP405 `tier-end-deny` | `block-malicious-ips`, `deny-external-egress`, `log-denied` | Deny- or Log-only policies selecting `all()`: the tier's end drops everything else | 07, 09 |
# | NP501 `http-l4-only` | `allow-specific-http` | Felix ignores `http` without Istio + Dikastes | 07 |
# | NP901 `naming` | ten of them | not `<action>-<direction>-…`; even `allow-frontend-to-backend` is `allow-ingress-frontend-to-backend` by the chapter's own rule | above |
#
# `allow-same-namespace`'s only finding is its name; `default-deny-ingress` and the hands-on
# `default-deny` have none once NP103 is set aside (lab 1 shows what they leave open).

# %% tags=["check"]
found = {(name, f.rule) for name, fs in chapter_findings.items() for f in fs}
expected = {
    ("allow-dns", "NP104"), ("allow-dns-kube-system", "NP102"), ("allow-external-db", "NP101"),
    ("allow-external-db", "NP901"), ("allow-frontend", "NP901"), ("allow-frontend-to-backend", "NP901"),
    ("allow-same-namespace", "NP901"), ("allow-specific-http", "NP402"), ("allow-specific-http", "NP501"),
    ("allow-specific-http", "NP901"), ("block-malicious-ips", "NP405"), ("block-malicious-ips", "NP901"),
    ("default-deny-all", "NP101"), ("default-deny-egress", "NP101"), ("deny-external-egress", "NP101"),
    ("deny-external-egress", "NP402"), ("deny-external-egress", "NP405"), ("deny-external-egress", "NP901"),
    ("example-policy", "NP101"), ("example-policy", "NP301"), ("example-policy", "NP901"),
    ("explicit-deny-with-log", "NP402"), ("explicit-deny-with-log", "NP901"), ("log-denied", "NP101"),
    ("log-denied", "NP404"), ("log-denied", "NP405"), ("log-denied", "NP901"),
}
assert found == expected, sorted(found ^ expected)
ranking = sorted(chapter_findings, key=lambda n: -len(chapter_findings[n]))
assert ranking[:2] == ["log-denied", "deny-external-egress"] and len(chapter_findings["log-denied"]) == 6
assert not chapter_findings["default-deny-ingress"] and not chapter_findings["default-deny-policy-test"]

# %% [markdown]
# One of them in full, as `npkit lint` prints it:

# %%
chapter_findings["block-malicious-ips"]

# %% [markdown]
# ## The chapter's summary
#
# 本章介绍了 Kubernetes NetworkPolicy — the chapter introduced Kubernetes NetworkPolicy, and ends:
# NetworkPolicy 是 Kubernetes 安全的重要组成部分,Calico 提供了更强大的策略能力 — NetworkPolicy is
# an important part of Kubernetes security, and Calico provides more powerful policy. What the
# course added on the way:
#
# - A policy selects pods in its own namespace and **isolates** them for its `policyTypes`; its
#   rules then add allows. Allowed means allowed by the source's egress *and* the destination's
#   ingress. (01, 05, 06)
# - Peers: a `podSelector` alone looks in the policy's namespace; the YAML dash decides AND or
#   OR; `ipBlock` also matches pod addresses. (02, 03) Named ports resolve on each pod; `endPort`
#   makes ranges. (04)
# - Default deny per namespace, then DNS (UDP and TCP, pinned to kube-system), then each needed
#   connection on both sides. (05, 06, 10)
# - Calico: tiers (Calico ≥ 3.29) and order, explicit Deny / Pass / Log, and the end-of-tier drop
#   (every version) that makes several chapter examples cut all traffic; HTTP rules only with
#   Istio + Dikastes. (07)
# - ClusterNetworkPolicy: Admin and Baseline tiers, the upstream counterpart of Calico's. (08)
# - Test with new connections from pods; read the explanation, the logs and the generated rules.
#   (09, labs 1–4)
#
# ## Exercise: fix a review's findings

# %%
best_practices = Exercise.get("10-best-practices")
best_practices.show()

# %% tags=["check"]
assert not best_practices.check(best_practices.starter_yaml).passed  # the starter is what the review found
starter_findings = review(best_practices.base.merged(load_string(best_practices.starter_yaml, filename="starter.yaml")),
                          files=["starter.yaml"])
assert {"NP103", "NP104", "NP901"} <= {f.rule for f in starter_findings}

# %% [markdown]
# The checker runs the naming rule for you. To see everything the linter says about your answer,
# paste it into `YOUR_ANSWER` and run the cell: it should come back clean but for the namespace
# the task leaves alone (NP103 on `x`).

# %%
YOUR_ANSWER = best_practices.starter_yaml  # replace with your policies
review(best_practices.base.merged(load_string(YOUR_ANSWER, filename="your-policies.yaml")), files=["your-policies.yaml"])
#
# ## What you saw
#
# - One `default-deny-all` per namespace; DNS pinned to kube-system on UDP and TCP 53; names of
#   the form `<action>-<direction>-<source/dest>-to/from-<target>`.
# - The linter finds what the evaluator can prove: DNS that fails, peers that match nothing,
#   the OR where AND was meant, tiers that deny more than they say.
# - `compare` shows that a fix changed exactly the connections it meant to, and nothing else.
#
# That is the end of the notebooks. The labs ([`labs/`](../labs/lab-01-default-deny.ipynb)) run the chapter's walkthroughs and Calico's
# tiers on a real dataplane.

# %%
from npkit.course import what_next

what_next("10")
