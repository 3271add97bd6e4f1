# %% [markdown]
# # 05 · Default deny
#
# The chapter's first patterns are policies **without rules**: `default-deny-ingress` and
# `default-deny-egress`, and, among its best practices, `default-deny-all` in every namespace. A
# policy with no rules allows nothing, yet it does something: it *isolates* the pods it selects.
# This notebook shows that isolation, what it breaks, and how to fix it.
#
# It uses the application namespace `default` (web, frontend, backend, api, db, scanner) and the
# cluster DNS, `kube-system/coredns`.

# %% [markdown] lang="zh-CN"
# # 05 · 默认拒绝
#
# 本章最先给出的几个模式是**没有规则**的策略：`default-deny-ingress` 和
# `default-deny-egress`；在最佳实践中，还有在每个命名空间都应用的
# `default-deny-all`。没有规则的策略什么也不允许，却并非什么都不做：它会**隔离**所选中的
# Pod。本笔记本展示这种隔离、它会破坏什么，以及如何修复。
#
# 这里使用应用命名空间 `default`（web、frontend、backend、api、db、scanner）和集群 DNS
# `kube-system/coredns`。

# %%
from npkit.course import Exercise, chapter_example, external, intro, model_cluster, overview
from npkit.course.questions import choice, predict, question
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import show_changes, show_connections, show_matrix, show_verdict

intro("05")

# %%
cluster = model_cluster("app")
OUTSIDE = external("app")
APP = [p for p in Engine(cluster).pods if p.startswith("default/")]
overview("app")

# %% [markdown]
# ## Isolation: a policy that selects a pod, and no rule
#
# The chapter's `default-deny-ingress`, with its comments:

# %% [markdown] lang="zh-CN"
# ## 隔离：选中了 Pod，却没有规则的策略
#
# 本章的 `default-deny-ingress`，连同它的注释：

# %%
DENY_INGRESS = chapter_example("default-deny-ingress")
print(DENY_INGRESS)

# %% [markdown]
# `# 没有 ingress 规则 = 拒绝所有入站` — *no ingress rules = deny all inbound*. Precisely: the policy
# selects every pod of its namespace (`podSelector: {}`) for `Ingress`, which makes them
# ingress-isolated, and it contributes no rule, so nothing is allowed in, unless another policy
# allows it.
#
# **Predict:** applied in `default`, which connections between these three pods stay allowed on
# TCP 80?

# %% [markdown] lang="zh-CN"
# 本章的注释写道：`# 没有 ingress 规则 = 拒绝所有入站`。准确地说：该策略针对 `Ingress`
# 选中了所在命名空间的每个 Pod（`podSelector: {}`），使它们在入站方向被隔离；它又没有提供任何规则，所以除非另有策略允许，任何流量都进不来。
#
# **预测：** 在 `default` 中应用它之后，这三个 Pod 之间哪些 TCP 80 连接仍然被允许？

# %%
deny_ingress = cluster.merged(load_string(DENY_INGRESS, filename="default-deny-ingress.yaml"))
engine = Engine(deny_ingress)
open_80 = show_matrix(cluster, 80).matrix
predict("05-deny-ingress", deny_ingress, 80, pods=["default/frontend", "default/web", "kube-system/coredns"],
        more=lambda: show_matrix(engine, 80, before=open_80))

# %% tags=["check"]
assert not engine.allowed("default/frontend", "default/web", 80)  # same namespace: denied too
assert not engine.allowed("kube-system/coredns", "default/web", 80)
assert engine.allowed("default/web", "kube-system/coredns", 80)  # kube-system is not isolated
assert engine.allowed("default/web", "default/web", 80)  # a pod always reaches itself

# %% [markdown]
# ## Which namespace? The chapter's policy does not say
#
# `default-deny-ingress` has no `metadata.namespace`. `kubectl apply -f` then puts it in the namespace
# of your current context (`kubectl config view --minify -o jsonpath='{..namespace}'`), or the one
# given with `-n`. The same file isolates different pods depending on where your terminal points.
#
# **Predict:** you apply it while your context points at `kube-system`. Can `default/frontend`
# still reach `default/web`?

# %% [markdown] lang="zh-CN"
# ## 哪个命名空间？本章的策略没有写
#
# `default-deny-ingress` 没有 `metadata.namespace`。这时 `kubectl apply -f`
# 会把它放进当前上下文的命名空间（`kubectl config view --minify -o jsonpath='{..namespace}'`），或者
# `-n` 指定的命名空间。同一个文件，终端指向哪里，被隔离的 Pod 就不同。
#
# **预测：** 你在上下文指向 `kube-system` 时应用了它。`default/frontend` 还能访问 `default/web` 吗？

# %%
in_kube_system = cluster.merged(load_string(DENY_INGRESS, default_namespace="kube-system"))
question("05-wrong-namespace", in_kube_system, "default/frontend", "default/web", 80,
         more=lambda: show_changes(deny_ingress, in_kube_system, [(80, "TCP"), (53, "UDP")]))

# %% tags=["check"]
wrong_place = show_changes(deny_ingress, in_kube_system, [(80, "TCP"), (53, "UDP")])
assert Engine(in_kube_system).allowed("default/frontend", "default/web", 80)  # default is open
assert not Engine(in_kube_system).allowed("default/web", "kube-system/coredns", 53, "UDP")  # DNS is not!
assert "default/web → kube-system/coredns UDP/53" in wrong_place.denied_now

# %% [markdown]
# ## Write the namespace down
#
# The fix: write the namespace in the YAML, and apply one copy per namespace (the chapter's best
# practice: *每个命名空间应用默认拒绝*, a default deny in every namespace):
#
# ```yaml
# metadata:
#   name: default-deny-ingress
#   namespace: default
# ```
#
# npkit, like `kubectl` with a fresh context, reads a policy without a namespace as being in
# `default`; the rest of this notebook relies on that.
#
# ## default-deny-egress
#
# The chapter's second default deny:

# %% [markdown] lang="zh-CN"
# ## 把命名空间写进 YAML
#
# 修复方法：在 YAML 中写明命名空间，并为每个命名空间各应用一份（这正是本章的最佳实践“每个命名空间应用默认拒绝”）：
#
# ```yaml
# metadata:
#   name: default-deny-ingress
#   namespace: default
# ```
#
# npkit 与使用全新上下文的 `kubectl` 一样，把没有命名空间的策略视为位于 `default`
# 中；本笔记本的其余部分都以此为前提。
#
# ## default-deny-egress
#
# 本章的第二个默认拒绝策略：

# %%
DENY_EGRESS = chapter_example("default-deny-egress")
print(DENY_EGRESS)
deny_egress = cluster.merged(load_string(DENY_EGRESS, filename="default-deny-egress.yaml"))

# %% [markdown]
# `# 没有 egress 规则 = 拒绝所有出站` — *no egress rules = deny all outbound*. **Predict:** can
# `default/frontend` still reach `default/web` on TCP 80?

# %% [markdown] lang="zh-CN"
# 本章的注释写道：`# 没有 egress 规则 = 拒绝所有出站`。**预测：** `default/frontend` 还能通过 TCP 80
# 访问 `default/web` 吗？

# %%
egress_connections = [("default/frontend", "default/web", 80), ("default/web", OUTSIDE["external-db"].ip, 5432),
                      ("kube-system/coredns", "default/web", 80)]
question("05-deny-egress", deny_egress, "default/frontend", "default/web", 80,
         more=lambda: show_connections(deny_egress, egress_connections))

# %% tags=["check"]
assert show_connections(deny_egress, egress_connections).allowed == (False, False, True)

# %% [markdown]
# ## policyTypes must be written out
#
# Note `policyTypes: [Egress]` in the chapter's policy. Without `policyTypes`, Kubernetes assumes
# `Ingress` (and adds `Egress` only for a policy **with** egress rules), so the same policy with
# that line left out becomes an ingress deny:

# %% [markdown] lang="zh-CN"
# ## policyTypes 必须写明
#
# 注意本章策略中的 `policyTypes: [Egress]`。没有 `policyTypes` 时，Kubernetes 默认它是
# `Ingress`（只有**带有**出站规则的策略才会再加上 `Egress`），所以同一条策略如果漏掉这一行，就变成了入站方向的拒绝：

# %%
NO_TYPES = DENY_EGRESS.replace("  policyTypes:\n  - Egress\n", "")
no_types = Engine(cluster.merged(load_string(NO_TYPES)))
show_changes(deny_egress, no_types, [(80, "TCP")])

# %% tags=["check"]
assert NO_TYPES != DENY_EGRESS
assert no_types.allowed("default/web", OUTSIDE["external-db"].ip, 5432)  # egress open again
assert not no_types.allowed("kube-system/coredns", "default/web", 80)  # ... and ingress closed

# %% [markdown]
# ## DNS under default-deny-egress
#
# **Predict:** under `default-deny-egress`, can `default/web` send a DNS query to the cluster DNS,
# `kube-system/coredns`, on UDP 53?

# %% [markdown] lang="zh-CN"
# ## default-deny-egress 下的 DNS
#
# **预测：** 在 `default-deny-egress` 之下，`default/web` 能否通过 UDP 53 向集群 DNS
# `kube-system/coredns` 发送 DNS 查询？

# %%
question("05-dns-breaks", deny_egress, "default/web", "kube-system/coredns", 53, "UDP")

# %% tags=["check"]
why = show_verdict(deny_egress, "default/web", "kube-system/coredns", 53, "UDP")
assert not why.allowed and not why.verdict.egress.allowed and why.verdict.ingress.allowed  # egress denies

# %% [markdown]
# ## The fix: allow-dns
#
# The chapter's `allow-dns` lets every pod of the namespace reach the DNS pods on UDP and TCP 53.
# Pods send their queries to the `kube-dns` Service's address, which is translated to a CoreDNS
# pod's address before policy is checked; so the rule names the CoreDNS **pods**, by their label
# `k8s-app: kube-dns`:

# %% [markdown] lang="zh-CN"
# ## 修复：allow-dns
#
# 本章的 `allow-dns` 允许命名空间中的每个 Pod 通过 UDP 53 和 TCP 53 访问 DNS Pod。Pod 把查询发往
# `kube-dns` Service 的地址；在检查策略之前，这个地址已被转换成某个 CoreDNS Pod 的地址，所以这条规则指定的是
# CoreDNS **Pod**，用的是它们的标签 `k8s-app: kube-dns`：

# %%
ALLOW_DNS = chapter_example("allow-dns")
print(ALLOW_DNS)
fixed = deny_egress.merged(load_string(ALLOW_DNS, filename="allow-dns.yaml"))

# %% [markdown]
# **Predict:** added next to `default-deny-egress`, which of these connections does it open?

# %% [markdown] lang="zh-CN"
# **预测：** 与 `default-deny-egress` 一起应用时，它会放开下面哪些连接？

# %%
PROBES = [(53, "UDP"), (53, "TCP"), (80, "TCP"), (5432, "TCP")]
dns = show_changes(deny_egress, fixed, PROBES)
candidates = ["default/web → kube-system/coredns UDP/53", "default/web → kube-system/coredns TCP/53",
              "default/web → default/db UDP/53", "default/web → default/db TCP/5432",
              "kube-system/coredns → default/web UDP/53"]
choice("05-allow-dns-opens", candidates, [c for c in candidates if c in dns.allowed_now], multiple=True,
       more=lambda: dns)

# %% tags=["check"]
assert set(dns.allowed_now) == {f"{p} → kube-system/coredns {proto}/53" for p in APP for proto in ("UDP", "TCP")}
assert not dns.denied_now

# %% [markdown]
# ## allow-dns isolates too
#
# `allow-dns` selects every pod for `Egress`, so on its own, without `default-deny-egress`, it is
# itself a default deny of everything but DNS. Against the open namespace:

# %% [markdown] lang="zh-CN"
# ## allow-dns 同样会隔离
#
# `allow-dns` 针对 `Egress` 选中了每个 Pod，所以即使单独使用、没有
# `default-deny-egress`，它本身也是一个默认拒绝：除 DNS 外一律拒绝。与没有任何策略的命名空间对比：

# %%
alone = show_changes(cluster, cluster.merged(load_string(ALLOW_DNS)), PROBES)
alone

# %% tags=["check"]
assert "default/web → default/db TCP/5432" in alone.denied_now
assert not alone.allowed_now  # it allowed DNS, which was open anyway

# %% [markdown]
# ## Both UDP and TCP 53
#
# A DNS answer that does not fit in one UDP packet comes back *truncated* (the TC flag), and the
# client asks again over **TCP**. With UDP 53 alone that second query is dropped, every time: not
# "some lookups at random", but **every answer too large for a UDP packet** (many records, DNSSEC,
# long TXT records), zone transfers, and any resolver configured to use TCP (`options use-vc`). The
# chapter's best-practice variant (*通常需要允许 DNS*) lists UDP 53 alone; notebook 10 takes it apart.
# The difference:

# %% [markdown] lang="zh-CN"
# ## UDP 和 TCP 53 都要允许
#
# 一个 UDP 数据包装不下的 DNS 应答会以*截断*形式返回（带 TC 标志），客户端随后改用 **TCP**
# 重新查询。只允许 UDP 53 时，这第二次查询每次都会被丢弃：受影响的不是“随机的一部分查询”，而是**所有一个
# UDP 数据包装不下的应答**（记录很多、DNSSEC、很长的 TXT 记录），还有区域传送，以及任何配置为使用 TCP
# 的解析器（`options use-vc`）。本章最佳实践中的版本（“通常需要允许 DNS”）只列出了 UDP 53；笔记本 10
# 会详细剖析它。两者的差别：

# %%
UDP_ONLY = chapter_example("allow-dns-kube-system")
udp_only = deny_egress.merged(load_string(UDP_ONLY))
show_connections(udp_only, [("default/web", "kube-system/coredns", 53, "UDP"),
                            ("default/web", "kube-system/coredns", 53, "TCP")])

# %% tags=["check"]
assert Engine(udp_only).allowed("default/web", "kube-system/coredns", 53, "UDP")
assert not Engine(udp_only).allowed("default/web", "kube-system/coredns", 53, "TCP")

# %% [markdown]
# ## Exercise: default deny, but keep DNS
#
# Your turn: isolate `default` both ways and keep DNS working. The checker's cluster has three
# extra things to catch a rule that is too wide: `tools/dnsmasq`, a pod that answers on port 53
# without being the cluster DNS; `kube-system/metrics-server`, a pod of the DNS namespace that is
# not DNS; and the public resolver 8.8.8.8.

# %% [markdown] lang="zh-CN"
# ## 练习：默认拒绝，但保留 DNS
#
# 轮到你了：在两个方向上隔离 `default`，同时让 DNS 继续工作。为了抓出过宽的规则，检查器使用的集群多了三样东西：`tools/dnsmasq`，一个在
# 53 端口应答、却并非集群 DNS 的 Pod；`kube-system/metrics-server`，与 DNS 同在一个命名空间、却不是 DNS 的 Pod；以及公共解析器 8.8.8.8。

# %%
exercise = Exercise.get("05-default-deny-dns")
exercise.show()

# %% tags=["check"]
assert not exercise.check(exercise.starter_yaml).passed  # the starter breaks DNS
assert exercise.check(exercise.solution()).passed

# %% [markdown]
# ## deny-all: both directions in one policy
#
# Among the best practices, `# 每个命名空间应用默认拒绝` (apply a default deny in every namespace)
# comes as one policy with both types. Compared with the two default denies together, it changes
# nothing:

# %% [markdown] lang="zh-CN"
# ## deny-all：一条策略管两个方向
#
# 在最佳实践中，`# 每个命名空间应用默认拒绝` 是一条同时包含两种类型的策略。与两个默认拒绝策略合在一起相比，它没有任何区别：

# %%
DENY_ALL = chapter_example("default-deny-all")
print(DENY_ALL)
deny_all = cluster.merged(load_string(DENY_ALL))
pair = cluster.merged(load_string(DENY_INGRESS)).merged(load_string(DENY_EGRESS))
same = show_changes(pair, deny_all, PROBES)
same

# %% tags=["check"]
assert same.equivalent  # one policy with both types = the two default denies together

# %% [markdown]
# It needs `allow-dns` beside it just as much. **Predict:** with `default-deny-all` **and**
# `allow-dns` in `default`, which connections among these three pods are allowed on UDP 53?

# %% [markdown] lang="zh-CN"
# 它同样需要搭配 `allow-dns`。**预测：** 当 `default` 中同时有 `default-deny-all` **和** `allow-dns`
# 时，这三个 Pod 之间哪些 UDP 53 连接被允许？

# %%
deny_all_dns = deny_all.merged(load_string(ALLOW_DNS))
predict("05-deny-all-dns", deny_all_dns, 53, "UDP", pods=["default/db", "default/web", "kube-system/coredns"])

# %% tags=["check"]
final = Engine(deny_all_dns)
assert final.allowed("default/web", "kube-system/coredns", 53, "UDP")
assert final.allowed("default/db", "kube-system/coredns", 53, "UDP")
assert not final.allowed("default/web", "default/db", 53, "UDP")  # web may only send DNS to DNS pods
assert not final.allowed("kube-system/coredns", "default/web", 53, "UDP")  # web's ingress is closed

# %% [markdown]
# ## What a default deny does not stop
#
# A default deny does not stop everything on a real cluster: a pod always reaches itself, replies
# to allowed connections flow back, and most network plugins (Calico among them) let a node reach
# its own pods, so the kubelet's health probes keep working. It stops every **new** connection
# between pods, and to and from the outside, that no policy allows.
#
# | policy | isolates | leaves open |
# |---|---|---|
# | `default-deny-ingress` | every pod of its namespace, inbound | all outbound |
# | `default-deny-egress` (with `policyTypes: [Egress]`!) | every pod of its namespace, outbound (DNS too) | all inbound |
# | `default-deny-all` | both | nothing, until allow policies add to it |
# | any of them **without** `metadata.namespace` | the namespace of your kubectl context | — |
#
# Lab `L1` (`labs/lab-01-default-deny.ipynb`) applies the chapter's default deny on a real cluster
# and probes it.
#
# ## What next
#
# Notebook [`06-common-patterns`](06-common-patterns.ipynb) builds on the default deny: it opens, one policy at a time, exactly
# the connections an application needs.

# %% [markdown] lang="zh-CN"
# ## 默认拒绝挡不住什么
#
# 在真实集群上，默认拒绝并不会挡住一切：Pod 总能访问自己，已允许连接的回复流量照常返回，而且大多数网络插件（包括
# Calico）允许节点访问它上面的 Pod，所以 kubelet 的健康探针仍能工作。它挡住的是没有任何策略允许的每一个**新**连接：Pod
# 之间的，以及进出集群外部的。
#
# | 策略 | 隔离什么 | 仍然放开什么 |
# |---|---|---|
# | `default-deny-ingress` | 所在命名空间的每个 Pod，入站方向 | 所有出站 |
# | `default-deny-egress`（要写 `policyTypes: [Egress]`！） | 所在命名空间的每个 Pod，出站方向（包括 DNS） | 所有入站 |
# | `default-deny-all` | 两个方向 | 什么都不放开，直到允许策略在此基础上放行 |
# | 上述任一策略**没有** `metadata.namespace` 时 | kubectl 上下文所在的命名空间 | — |
#
# 实验 `L1`（`labs/zh-CN/lab-01-default-deny.ipynb`）在真实集群上应用本章的默认拒绝策略，并进行探测。
#
# ## 下一步
#
# 笔记本 [`06-common-patterns`](06-common-patterns.ipynb) 在默认拒绝的基础上，一次一条策略，只放开应用真正需要的连接。

# %%
from npkit.course import what_next

what_next("05")
