# %% [markdown]
# # 10 · Best practices
#
# The chapter ends with three habits (最佳实践 — best practices): a default deny in every
# namespace, DNS allowed explicitly, and names that say what a policy does. This notebook checks
# them with `npkit.lint`, a linter that asks the evaluator rather than reading YAML: it lints a
# realistic set of policies, fixes the findings one at a time (proving with `npkit.diff.compare`
# that each fix changed exactly what it should), and then turns the linter on the chapter's own
# examples.

# %% [markdown] lang="zh-CN"
# # 10 · 最佳实践
#
# 本章以三条最佳实践收尾：每个命名空间都应用默认拒绝，显式允许 DNS，以及用名称说明策略的作用。本笔记本用
# `npkit.lint` 检查这几条。这个 lint 工具不是读 YAML，而是向评估器提问：它先对一组贴近实际的策略运行
# lint，一次修复一条检查发现（并用 `npkit.diff.compare` 证明每次修复恰好改变了应该改变的内容），最后再把
# lint 用在本章自己的示例上。

# %%
from collections import Counter

from npkit.course import Exercise, chapter_example, chapter_examples, intro, model_cluster, overview
from npkit.course.questions import choice, question
from npkit.course.review import review
from npkit.diff import compare
from npkit.engine import Engine
from npkit.lint import Findings, lint
from npkit.loading import load_string
from npkit.widgets import show_changes, show_connections

intro("10")

# %% [markdown]
# We use the `monitoring` view of the course cluster: Prometheus and Grafana in namespace
# `monitoring`, the `web` server Prometheus scrapes in `default`, the cluster DNS in
# `kube-system`, and `x/fake-dns`, a pod in an ordinary namespace that carries kube-dns's label
# `k8s-app: kube-dns`, as anyone allowed to create pods could do.

# %% [markdown] lang="zh-CN"
# 我们使用课程集群的 `monitoring` 视图：命名空间 `monitoring` 中的 Prometheus 和 Grafana，`default` 中被
# Prometheus 抓取指标的 `web` 服务器，`kube-system` 中的集群 DNS，以及
# `x/fake-dns`：普通命名空间中一个带有 kube-dns 标签 `k8s-app: kube-dns` 的 Pod，任何有权创建 Pod
# 的人都能这样做。

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

# %% [markdown] lang="zh-CN"
# ## 1. 每个命名空间都应用默认拒绝
#
# 本章写道：每个命名空间应用默认拒绝。本章给出的策略：

# %%
print(chapter_example("default-deny-all"))

# %% [markdown]
# It has no `metadata.namespace`, so it lands in one namespace, the one `kubectl` is pointed at
# (`default` here). **Predict:** with it applied, can `default/web` open a connection to
# `monitoring/grafana` on TCP 3000?

# %% [markdown] lang="zh-CN"
# 它没有 `metadata.namespace`，所以只会落在一个命名空间中，即 `kubectl` 当前指向的那个（这里是
# `default`）。**预测：** 应用它之后，`default/web` 能否通过 TCP 3000 向 `monitoring/grafana` 发起连接？

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
# ## 2. Allow DNS, pinned to kube-system
#
# A default deny of egress blocks DNS too (notebook 05). The chapter's best-practice rule
# (通常需要允许 DNS — you usually need to allow DNS) selects kube-dns by the namespace's
# built-in name label, which the API server sets and nobody can fake. Wrapped in a policy named
# by the chapter's convention:

# %% [markdown] lang="zh-CN"
# ## 2. 允许 DNS：固定到 kube-system
#
# 出站默认拒绝也会阻断 DNS（笔记本 05）。本章的最佳实践规则（“通常需要允许
# DNS”）通过命名空间内置的名称标签来选择 kube-dns，这个标签由 API
# 服务器设置，无人能够伪造。按照本章的命名约定包装成一个策略：

# %%
print(chapter_example("allow-dns-kube-system"))

# %% [markdown]
# **Predict:** with `default-deny-all` and this policy in `default`, can `default/web` reach
# kube-dns on **TCP** 53?

# %% [markdown] lang="zh-CN"
# **预测：** `default` 中有 `default-deny-all` 和这个策略时，`default/web` 能否通过 **TCP** 53 访问
# kube-dns？

# %%
dns_udp_only = engine_with(chapter_example("default-deny-all"), chapter_example("allow-dns-kube-system"))
queries = [("default/web", "kube-system/coredns", 53, "UDP"), ("default/web", "kube-system/coredns", 53, "TCP"),
           ("default/web", "x/fake-dns", 53, "UDP")]
pinned_view = show_connections(dns_udp_only, queries)
question("10-dns-tcp", dns_udp_only, "default/web", "kube-system/coredns", 53, "TCP", more=lambda: pinned_view)

# %% [markdown]
# ## Pinned, or any namespace
#
# The chapter's own `allow-dns` (notebook 06) has TCP 53. That `allow-dns`, however, matches
# `k8s-app: kube-dns` with `namespaceSelector: {}`, in **any** namespace. What it lets `web` send
# DNS queries to (the pinned variant's answers are in the reveal above):

# %% [markdown] lang="zh-CN"
# ## 固定命名空间，还是任意命名空间
#
# 本章自己的 `allow-dns`（笔记本 06）包含 TCP 53。但这个 `allow-dns` 用 `namespaceSelector: {}` 匹配
# `k8s-app: kube-dns`，即**任意**命名空间中的此类 Pod。它允许 `web` 向谁发送 DNS
# 查询（固定命名空间的写法见上面揭晓的内容）：

# %%
chapter_allow_dns = engine_with(chapter_example("default-deny-all"), chapter_example("allow-dns"))
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

# %% [markdown] lang="zh-CN"
# 最佳实践是两者兼顾：固定到 `kubernetes.io/metadata.name: kube-system`，并且允许 UDP 和 TCP 53。
#
# ## 3. 用名称说明策略的作用
#
# 本章推荐的策略命名：
#
# ```
# <action>-<direction>-<source/dest>-to/from-<target>
# ```
#
# 本章的示例有 `allow-ingress-frontend-to-backend`、`deny-egress-to-internet` 和
# `allow-ingress-from-monitoring`。名称是给运行 `kubectl get networkpolicy`
# 的人看的；它不会改变策略的任何行为。
#
# **预测：** 下面哪些名称符合这个约定？

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

# %% [markdown] lang="zh-CN"
# ### 重命名
#
# 重命名策略意味着先创建新策略，再删除旧策略：先应用新名称的策略，这样就不会出现没有策略的空档。
#
# ## 对一组贴近实际的策略运行 lint
#
# 监控团队编写了下面这些策略：为自己的命名空间设置默认拒绝和 DNS，允许 Grafana 读取 Prometheus，允许
# Prometheus 抓取 `web`，并在 `default` 中用一个策略放行监控流量。它们大体上能工作。**预测：**
# 读一读这些策略，然后说说 lint 工具会报告多少条检查发现。

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
# ## What the linter found
#
# `review(…, files=[…])` is `npkit.lint` reporting on your own file: findings about the course
# cluster's objects (a namespace with no default deny) keep their object and lose the location of
# data files you never opened.

# %% [markdown] lang="zh-CN"
# ## lint 工具发现了什么
#
# `review(…, files=[…])` 就是 `npkit.lint`
# 针对你自己的文件作出报告：关于课程集群中对象的检查发现（某个命名空间没有默认拒绝）保留所涉及的对象，但不显示你从未打开过的数据文件中的位置。

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

# %% [markdown] lang="zh-CN"
# 每条检查发现都会指出对象、字段、行号、从流量角度看哪里有问题，以及一个修复建议（展开上面的控件可以看到完整列表）。分组如下：
#
# | 规则 | 发现的问题 |
# |---|---|
# | NP103 `default-deny` | 命名空间 `default` 和 `x` 没有默认拒绝 |
# | NP102 `dns-tcp`、NP104 `dns-any-namespace` | DNS 规则：只有 UDP，而且匹配任意命名空间中的 `k8s-app: kube-dns`（`x/fake-dns`） |
# | NP301 `and-or-peers`、NP202 `peer-matches-nothing` | Prometheus 的出站规则有两个对等点（OR），第二个在 `monitoring` 中查找 `app: web`；`web` 的入站规则在 `default` 中查找 `role: monitor` |
# | NP901 `naming` | `deny`、`dns`、`grafana-to-prometheus` |
#
# Prometheus 完全无法抓取 `web`：

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
# ### Names first
#
# Renaming changes no traffic:

# %% [markdown] lang="zh-CN"
# ## 一次修复一处，并证明每次修复
#
# `compare(before, after, probes)` 在两组策略下，就每个探测端口向评估器询问 Pod
# 之间的每条连接，并列出结果发生变化的连接。一次修复是正确的，当且仅当它恰好改变了应该改变的内容，别无其他。
#
# ### 先改名称
#
# 重命名不会改变任何流量：

# %%
PROBES = [(53, "UDP"), (53, "TCP"), (80, "TCP"), (3000, "TCP"), (9090, "TCP")]
RENAMED = (MONITORING.replace("  name: deny\n", "  name: default-deny-all\n")
           .replace("  name: dns\n", "  name: allow-egress-to-kube-dns\n")
           .replace("  name: grafana-to-prometheus\n", "  name: allow-ingress-grafana-to-prometheus\n"))
renamed = engine_with(RENAMED)
step = compare(broken, renamed, PROBES)
show_changes(broken, renamed, PROBES)

# %% tags=["check"]
assert step.equivalent

# %% [markdown]
# ### DNS
#
# Pin the namespace in the same peer, and add TCP 53. **Predict:** which of these connections
# change?

# %% [markdown] lang="zh-CN"
# ### DNS
#
# 在同一个对等点中固定命名空间，并加上 TCP 53。**预测：** 下面哪些连接会发生变化？

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
choice("10-dns-fix", DNS_OPTIONS, [o for o in DNS_OPTIONS if o in changed], multiple=True,
       more=lambda: show_changes(renamed, dns_fixed, PROBES))

# %% tags=["check"]
assert {c.label for c in step.newly_allowed} == {"monitoring/grafana → kube-system/coredns TCP/53",
                                                 "monitoring/prometheus → kube-system/coredns TCP/53"}
assert {c.label for c in step.newly_denied} == {"monitoring/grafana → x/fake-dns UDP/53",
                                                "monitoring/prometheus → x/fake-dns UDP/53"}

# %% [markdown]
# ### Peers
#
# Prometheus's egress needs one peer with both selectors (AND: `web` pods in
# namespace `default`), not two; `web`'s ingress needs a `namespaceSelector` in the same peer as
# `role: monitor`. The YAML dash decides (notebook 03).

# %% [markdown] lang="zh-CN"
# ### 对等点
#
# Prometheus 的出站方向需要的是一个同时带有两个选择器的对等点（AND：命名空间 `default` 中的 `web`
# Pod），而不是两个对等点；`web` 的入站方向需要在 `role: monitor` 所在的同一个对等点中加上
# `namespaceSelector`。决定 AND 还是 OR 的是 YAML 中的短横线（笔记本 03）。

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
show_changes(dns_fixed, peers_fixed, PROBES)

# %% tags=["check"]
assert [c.label for c in step.newly_allowed] == ["monitoring/prometheus → default/web TCP/80"]
assert not step.newly_denied

# %% [markdown]
# ### A default deny in every namespace
#
# The same two policies for each namespace, from a small
# template, as a Helm chart or kustomize overlay would stamp them out: `default-deny-all` and
# `allow-egress-to-kube-dns` (pinned, UDP and TCP). `monitoring` has its own already.
#
# **Predict:** can this step allow a connection that was denied before?

# %% [markdown] lang="zh-CN"
# ### 每个命名空间都应用默认拒绝
#
# 用一个小模板为每个命名空间生成同样的两个策略，就像 Helm chart 或
# kustomize overlay 批量生成那样：`default-deny-all` 和 `allow-egress-to-kube-dns`（固定命名空间，UDP 和
# TCP）。`monitoring` 已经有自己的一套。
#
# **预测：** 这一步能否让之前被拒绝的连接变为允许？

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
choice("10-baseline-adds", ["yes", "no"], "yes" if step.newly_allowed else "no",
       more=lambda: show_changes(peers_fixed, fixed, PROBES))

# %% tags=["check"]
assert not step.newly_allowed and step.newly_denied
assert all(c.src.split("/")[0] in ("default", "x") or c.dst.split("/")[0] in ("default", "x")
           for c in step.newly_denied)

# %% [markdown]
# ### What still works
#
# DNS and the scrape, checked connection by connection:

# %% [markdown] lang="zh-CN"
# ### 哪些仍然可用
#
# 逐条检查 DNS 和指标抓取的连接：

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

# %% [markdown] lang="zh-CN"
# lint 工具再也没有可报告的问题了：

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

# %% [markdown] lang="zh-CN"
# ## 对本章自己的示例运行 lint
#
# 用同一个 lint
# 工具逐一检查本章的每个示例策略，每个示例单独检查，并放在它所针对的集群上（课程集群；两个动手演练则使用其
# `kubectl run` 命令创建的 Pod）。这里不考虑 NP103：每个示例单独来看，都会让大多数命名空间没有默认拒绝。
#
# **预测：** 哪个示例的检查发现最多？

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
# ## Finding by finding

# %% [markdown] lang="zh-CN"
# ## 逐条查看检查发现

# %%
for name, found in chapter_findings.items():
    counts = Counter(f"{f.rule} {f.name}" for f in found)  # log-denied finds NP404 and NP405 once per direction
    print(f"{name:26} " + (", ".join(rule + (f" ×{n}" if n > 1 else "") for rule, n in counts.items()) or "-"))

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

# %% [markdown] lang="zh-CN"
# 每条检查发现说明了本章的什么问题，以及课程在哪里讨论它：
#
# | 规则 | 示例 | 含义 | 位置 |
# |---|---|---|---|
# | NP101 `dns-egress` | `example-policy`、`default-deny-egress`、`default-deny-all`、`allow-external-db`、`deny-external-egress`、`log-denied` | 限制了出站却没有允许 DNS：域名解析会失败 | 05、06 |
# | NP102 `dns-tcp` | `allow-dns-kube-system` | 最佳实践规则只列出了 UDP 53 | 上文 |
# | NP104 `dns-any-namespace` | `allow-dns` | `namespaceSelector: {}` 信任任意命名空间中的 `k8s-app: kube-dns` | 上文 |
# | NP301 `and-or-peers` | `example-policy` | 两个对等点（OR）：在那里是有意为之，也提醒你注意 YAML 短横线的陷阱 | 03 |
# | NP402 `policy-order` | `deny-external-egress`、`explicit-deny-with-log`、`allow-specific-http` | 没有 `order` 的 Calico 策略排在 Kubernetes 策略之后执行 | 07 |
# | NP404 `log-no-decision` | `log-denied` | Log 规则之后没有任何作出决定的规则 | 09 |
# | NP405 `tier-end-deny` | `block-malicious-ips`、`deny-external-egress`、`log-denied` | 选中 `all()` 且只有 Deny 或 Log 的策略：Tier 末尾会丢弃其余所有流量 | 07、09 |
# | NP501 `http-l4-only` | `allow-specific-http` | 没有 Istio + Dikastes 时，Felix 会忽略 `http` | 07 |
# | NP901 `naming` | 其中十个 | 不符合 `<action>-<direction>-…`；按照本章自己的规则，就连 `allow-frontend-to-backend` 也应该是 `allow-ingress-frontend-to-backend` | 上文 |
#
# `allow-same-namespace` 唯一的检查发现是它的名称；不考虑 NP103 时，`default-deny-ingress` 和动手演练中的
# `default-deny` 没有任何检查发现（实验 1 展示了它们留下了哪些口子）。

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

# %% [markdown] lang="zh-CN"
# 完整展示其中一个示例的检查发现，格式与 `npkit lint` 的输出相同：

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

# %% [markdown] lang="zh-CN"
# ## 本章小结
#
# 本章介绍了 Kubernetes NetworkPolicy，结尾写道：NetworkPolicy 是 Kubernetes 安全的重要组成部分，Calico
# 提供了更强大的策略能力。课程在此基础上补充了：
#
# - 策略选中自己命名空间中的 Pod，并按其 `policyTypes` **隔离**这些
#   Pod；然后由规则添加允许项。一条连接被允许，意味着来源的出站方向*和*目标的入站方向都允许它。（01、05、06）
# - 对等点：单独的 `podSelector` 只在策略所在的命名空间中查找；YAML 的短横线决定是 AND 还是 OR；`ipBlock`
#   也匹配 Pod 地址。（02、03）命名端口在每个 Pod 上分别解析；`endPort` 表示端口范围。（04）
# - 每个命名空间先默认拒绝，然后允许 DNS（UDP 和 TCP，固定到
#   kube-system），再在两端逐一允许需要的连接。（05、06、10）
# - Calico：Tier（Calico ≥ 3.29）与 order，显式 Deny / Pass / Log，以及 Tier
#   末尾的丢弃（所有版本都有），它使本章的好几个示例切断了全部流量；HTTP 规则只有配合 Istio + Dikastes
#   才生效。（07）
# - ClusterNetworkPolicy：Admin 和 Baseline 两个 Tier，是 Calico Tier 在上游的对应物。（08）
# - 用从 Pod 发起的新连接来测试；阅读解释、日志和生成的规则。（09，实验 1–4）
#
# ## 练习：修复审查发现的问题

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

# %% [markdown] lang="zh-CN"
# 检查器会替你运行命名规则。若想查看 lint 工具对你的答案所说的全部内容，把答案粘贴到 `YOUR_ANSWER`
# 中并运行该单元格：除了题目没有要求处理的命名空间（`x` 上的 NP103）之外，结果应当没有任何检查发现。

# %%
YOUR_ANSWER = best_practices.starter_yaml  # replace with your policies
review(best_practices.base.merged(load_string(YOUR_ANSWER, filename="your-policies.yaml")), files=["your-policies.yaml"])

# %% [markdown]
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

# %% [markdown] lang="zh-CN"
# ## 回顾
#
# - 每个命名空间一个 `default-deny-all`；DNS 固定到 kube-system，UDP 和 TCP 53 都要允许；名称采用
#   `<action>-<direction>-<source/dest>-to/from-<target>` 的形式。
# - lint 工具发现的是评估器能够证明的问题：会失败的 DNS、什么也匹配不到的对等点、本想要 AND 却写成了
#   OR、拒绝范围超出其字面含义的 Tier。
# - `compare` 表明一次修复恰好改变了它想改变的连接，别无其他。
#
# 笔记本到此结束。实验（[`labs/zh-CN/`](../../labs/zh-CN/lab-01-default-deny.ipynb)）在真实的数据平面上运行本章的演练和
# Calico 的 Tier。

# %%
from npkit.course import what_next

what_next("10")
