# %% [markdown]
# # 06 · Common patterns, step by step
#
# The chapter gives four policies you will write again and again: `allow-same-namespace`,
# `allow-frontend-to-backend`, `allow-external-db` and `allow-dns`. This notebook applies each
# one to the application namespace, then builds a **zero-trust namespace** from them one step at
# a time, watching the matrix change at every step.

# %% [markdown] lang="zh-CN"
# # 06 · 常见模式，逐步搭建
#
# 本章给出了四个你会反复编写的策略：`allow-same-namespace`、`allow-frontend-to-backend`、`allow-external-db`
# 和 `allow-dns`。本笔记本先把它们逐一应用到应用命名空间，再用它们一步一步搭建一个**零信任命名空间**，每一步都观察矩阵的变化。

# %%
from npkit.course import Exercise, chapter_example, external, intro, model_cluster, overview
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.course.questions import choice, predict, question
from npkit.widgets import show_connections, show_matrix, show_verdict

intro("06")

# %% [markdown]
# ## The application namespace
#
# We use the `app` view of the course cluster: the six pods of namespace `default` and the
# cluster DNS in `kube-system`, plus two addresses outside the cluster: the external database
# `10.100.0.5` and a public address. The backend serves TCP 8080, the database pod TCP 5432.
#
# The chapter's policies have no `metadata.namespace`; `kubectl apply` puts them in the namespace
# of your current context, and npkit, like a fresh cluster, uses `default` (notebook 05).

# %% [markdown] lang="zh-CN"
# ## 应用命名空间
#
# 我们使用课程集群的 `app` 视图：命名空间 `default` 中的六个 Pod 和 `kube-system` 中的集群
# DNS，外加两个集群外部的地址：外部数据库 `10.100.0.5` 和一个公网地址。backend 在 TCP 8080
# 上提供服务，数据库 Pod 在 TCP 5432 上。
#
# 本章的策略都没有 `metadata.namespace`；`kubectl apply` 会把它们放进当前上下文的命名空间，而 npkit
# 与全新的集群一样使用 `default`（见笔记本 05）。

# %%
cluster = model_cluster("app")
overview("app")

# %%
def engine_with(*texts: str) -> Engine:
    """The app cluster with these policies applied (YAML texts), ready for questions."""
    return Engine(cluster.merged(load_string("\n---\n".join(texts))))


EXTERNAL_DB = external("app")["external-db"].ip
INTERNET = external("app")["internet"].ip
open_engine = engine_with()

# %% tags=["check"]
assert EXTERNAL_DB == "10.100.0.5" and open_engine.reachability(8080).all()

# %% [markdown]
# ## Pattern 1: `allow-same-namespace`
#
# `podSelector: {}` selects every pod of the namespace; the one rule lets in `podSelector: {}`
# (同命名空间的所有 Pod — every pod of the same namespace).

# %% [markdown] lang="zh-CN"
# ## 模式 1：`allow-same-namespace`
#
# `podSelector: {}` 选中命名空间中的每个 Pod；唯一的一条规则放行 `podSelector:
# {}`，即本章注释所说的“同命名空间的所有 Pod”。

# %%
print(chapter_example("allow-same-namespace"))

# %% [markdown]
# **Predict:** with this policy applied, can the cluster DNS pod `kube-system/coredns` still open a
# connection to `default/web` on TCP 80?

# %% [markdown] lang="zh-CN"
# **预测：** 应用这条策略后，集群 DNS 的 Pod `kube-system/coredns` 还能通过 TCP 80 向 `default/web`
# 发起连接吗？

# %%
same_namespace = engine_with(chapter_example("allow-same-namespace"))
question("06-same-namespace", same_namespace, "kube-system/coredns", "default/web", 80,
         more=lambda: show_matrix(same_namespace, 80, before=show_matrix(open_engine, 80).matrix))

# %% tags=["check"]
assert not same_namespace.allowed("kube-system/coredns", "default/web", 80)
assert same_namespace.allowed("default/frontend", "default/web", 80)
assert same_namespace.allowed("default/web", "kube-system/coredns", 80)  # egress untouched; coredns is not selected
assert not same_namespace.allowed(INTERNET, "default/web", 80)
view = show_matrix(same_namespace, 80, before=show_matrix(open_engine, 80).matrix)
assert int(view.flipped.sum()) == 6  # only coredns's row into the six pods of default

# %% [markdown]
# ## Pattern 2: `allow-frontend-to-backend`
#
# Only the frontend may reach the backend, and only on TCP 8080.

# %% [markdown] lang="zh-CN"
# ## 模式 2：`allow-frontend-to-backend`
#
# 只有 frontend 可以访问 backend，而且只能通过 TCP 8080。

# %%
print(chapter_example("allow-frontend-to-backend"))

# %% [markdown]
# **Predict** the TCP 8080 matrix between these four pods: mark the cells you expect to be
# allowed, then press *Reveal*. (The policy selects only `app: backend`.)

# %% [markdown] lang="zh-CN"
# **预测**这四个 Pod 之间的 TCP 8080 矩阵：标出你认为被允许的单元格，然后按“揭晓”。（该策略只选中
# `app: backend`。）

# %%
frontend_to_backend = engine_with(chapter_example("allow-frontend-to-backend"))
predict("06-frontend-to-backend", frontend_to_backend, 8080,
        pods=["default/web", "default/frontend", "default/backend", "default/api"],
        more=lambda: show_matrix(frontend_to_backend, 8080, before=show_matrix(open_engine, 8080).matrix))

# %% tags=["check"]
assert frontend_to_backend.allowed("default/frontend", "default/backend", 8080)
assert not frontend_to_backend.allowed("default/web", "default/backend", 8080)
assert not frontend_to_backend.allowed("default/frontend", "default/backend", 80)
assert frontend_to_backend.allowed("default/backend", "default/web", 8080)  # the backend is not isolated for egress
view = show_matrix(frontend_to_backend, 8080, before=show_matrix(open_engine, 8080).matrix)
assert int(view.flipped.sum()) == 5  # web, api, db, scanner and coredns → backend

# %% [markdown]
# ## Pattern 3: `allow-external-db`
#
# The backend may reach its database outside the cluster: an `ipBlock` for the network
# `10.100.0.0/16` (外部数据库网段 — the external database network), TCP 5432. A matrix only shows
# pods, so for addresses outside the cluster we list connections.

# %% [markdown] lang="zh-CN"
# ## 模式 3：`allow-external-db`
#
# backend 可以访问集群外部的数据库：一个针对网段 `10.100.0.0/16`（本章注释：“外部数据库网段”）的
# `ipBlock`，端口 TCP 5432。矩阵只显示 Pod，所以对集群外部的地址，我们逐条列出连接。

# %%
print(chapter_example("allow-external-db"))

# %% [markdown]
# **Predict:** the backend also talks to the database **pod** `default/db` (10.244.1.14) on TCP
# 5432. Does that still work with this policy?

# %% [markdown] lang="zh-CN"
# **预测：** backend 还会通过 TCP 5432 与数据库 **Pod** `default/db`（10.244.1.14）通信。有了这条策略，这个连接还能通吗？

# %%
external_db = engine_with(chapter_example("allow-external-db"))
EXTERNAL_DB_PROBES = [
    ("default/backend", EXTERNAL_DB, 5432),
    ("default/backend", EXTERNAL_DB, 80),
    ("default/backend", "default/db", 5432),
    ("default/backend", "kube-system/coredns", 53, "UDP"),
    ("default/frontend", EXTERNAL_DB, 5432),
]
question("06-external-db", external_db, "default/backend", "default/db", 5432,
         more=lambda: show_connections(external_db, EXTERNAL_DB_PROBES))

# %% tags=["check"]
connections = show_connections(external_db, EXTERNAL_DB_PROBES)
assert connections.allowed == (True, False, False, False, True)  # frontend is not selected: still open

# %% [markdown]
# ## Pattern 4: `allow-dns`
#
# Every pod may send DNS queries, UDP and TCP 53, to pods labelled `k8s-app: kube-dns` in any
# namespace (`namespaceSelector: {}` next to the `podSelector`, in one peer: AND).

# %% [markdown] lang="zh-CN"
# ## 模式 4：`allow-dns`
#
# 每个 Pod 都可以向任意命名空间中带有标签 `k8s-app: kube-dns` 的 Pod 发送 DNS 查询，UDP 53 和 TCP 53
# 均可（`namespaceSelector: {}` 与 `podSelector` 并列在同一个对等点中：AND 逻辑）。

# %%
print(chapter_example("allow-dns"))

# %% [markdown]
# **Predict:** `allow-dns` only allows things. Applied on its own to the open namespace, can
# `default/frontend` still reach `default/backend` on TCP 8080?

# %% [markdown] lang="zh-CN"
# **预测：** `allow-dns` 里只有允许规则。把它单独应用到没有任何策略的命名空间，`default/frontend`
# 还能通过 TCP 8080 访问 `default/backend` 吗？

# %%
dns_only = engine_with(chapter_example("allow-dns"))
question("06-dns-only", dns_only, "default/frontend", "default/backend", 8080,
         more=lambda: show_matrix(dns_only, 8080, before=show_matrix(open_engine, 8080).matrix))

# %% tags=["check"]
assert not dns_only.allowed("default/frontend", "default/backend", 8080)
assert dns_only.allowed("default/frontend", "kube-system/coredns", 53, "UDP")
assert dns_only.allowed("default/frontend", "kube-system/coredns", 53, "TCP")
assert dns_only.allowed("kube-system/coredns", "default/frontend", 8080)  # ingress untouched

# %% [markdown]
# ## A zero-trust namespace, step by step
#
# Zero trust: nothing is allowed unless a policy says so, in both directions. We start from the
# chapter's best practice `default-deny-all` (here with `namespace: default` written out) and add
# one policy at a time. At each step the matrix shows which cells flipped (starred).
#
# ### Step 1: deny everything, both ways

# %% [markdown] lang="zh-CN"
# ## 逐步搭建零信任命名空间
#
# 零信任：在两个方向上，除非有策略允许，否则一律不允许。我们从本章的最佳实践 `default-deny-all`
# 开始（这里写明了 `namespace: default`），每次添加一条策略。每一步，矩阵都会标出哪些单元格发生了翻转（带星号）。
#
# ### 第 1 步：两个方向全部拒绝

# %%
DENY_ALL = chapter_example("default-deny-all").replace("  name: default-deny-all\n",
                                                       "  name: default-deny-all\n  namespace: default\n")
print(DENY_ALL)
step1 = engine_with(DENY_ALL)
m0_tcp, m0_dns = (show_matrix(open_engine, p, proto).matrix for p, proto in [(8080, "TCP"), (53, "UDP")])
dns1 = show_matrix(step1, 53, "UDP", before=m0_dns)  # for step 2
view = show_matrix(step1, 8080, before=m0_tcp)
view

# %% tags=["check"]
assert all(src == dst for src, dst in view.matrix.pairs(True))  # a pod still reaches itself, nothing else
assert not step1.allowed("default/web", "kube-system/coredns", 53, "UDP")  # DNS is broken
assert step1.allowed("kube-system/coredns", "kube-system/coredns", 8080)
assert not any(dns1.matrix[p, "kube-system/coredns"] for p in step1.pods if p.startswith("default/"))

# %% [markdown]
# ### Step 2: let DNS through
#
# **Predict:** which cells of the **UDP 53** matrix flip when `allow-dns` joins `default-deny-all`?

# %% [markdown] lang="zh-CN"
# ### 第 2 步：放行 DNS
#
# **预测：** `allow-dns` 加入 `default-deny-all` 之后，**UDP 53** 矩阵中哪些单元格会翻转？

# %%
step2 = engine_with(DENY_ALL, chapter_example("allow-dns"))
dns2 = show_matrix(step2, 53, "UDP", before=dns1.matrix)
flips = {(s, d) for s, d in dns2.matrix.pairs(True) if not dns1.matrix[s, d]}
OPTIONS = {"the six queries of default's pods to coredns": all(d == "kube-system/coredns" for _, d in flips),
           "also connections between the pods of default": any(d.startswith("default/") for _, d in flips)}
choice("06-step2-flips", list(OPTIONS), next(o for o, v in OPTIONS.items() if v), more=lambda: dns2)

# %% tags=["check"]
flipped = [(s, d) for s, d in dns2.matrix.pairs(True) if not dns1.matrix[s, d]]
assert sorted(flipped) == sorted((p, "kube-system/coredns") for p in step2.pods if p.startswith("default/"))
assert (show_matrix(step2, 8080).matrix.allowed == show_matrix(step1, 8080).matrix.allowed).all()

# %% [markdown]
# ### Step 3: the frontend may call the backend
#
# Add the chapter's `allow-frontend-to-backend`. **Predict:** can `default/frontend` now reach
# `default/backend` on TCP 8080?

# %% [markdown] lang="zh-CN"
# ### 第 3 步：允许 frontend 调用 backend
#
# 加入本章的 `allow-frontend-to-backend`。**预测：** 现在 `default/frontend` 能通过 TCP 8080 访问
# `default/backend` 了吗？

# %%
step3 = engine_with(DENY_ALL, chapter_example("allow-dns"), chapter_example("allow-frontend-to-backend"))
question("06-step3", step3, "default/frontend", "default/backend", 8080)

# %% tags=["check"]
why = show_verdict(step3, "default/frontend", "default/backend", 8080)
assert why.verdict.ingress.allowed and not why.verdict.egress.allowed
assert not show_matrix(step3, 8080, before=show_matrix(step2, 8080).matrix).flipped.any()

# %% [markdown]
# ### Step 4: the backend's database
#
# Add `allow-external-db`. **Predict:** how many cells of the pod matrix on TCP 5432 flip?

# %% [markdown] lang="zh-CN"
# ### 第 4 步：backend 的数据库
#
# 加入 `allow-external-db`。**预测：** TCP 5432 的 Pod 矩阵中有多少个单元格会翻转？

# %%
step4 = engine_with(DENY_ALL, chapter_example("allow-dns"), chapter_example("allow-frontend-to-backend"),
                      chapter_example("allow-external-db"))
view = show_matrix(step4, 5432, before=show_matrix(step3, 5432).matrix)
STEP4 = [("default/backend", EXTERNAL_DB, 5432), ("default/frontend", EXTERNAL_DB, 5432),
         ("default/backend", INTERNET, 443), ("default/backend", "default/db", 5432)]
choice("06-step4-flips", ["none", "one: backend → db", "six: every pod → db"],
       "none" if not view.flipped.any() else "one: backend → db",
       more=lambda: show_connections(step4, STEP4))

# %% tags=["check"]
assert not view.flipped.any()
assert show_connections(step4, STEP4).allowed == (True, False, False, False)

# %% [markdown]
# ## Exercise: finish the zero-trust namespace
#
# One thing is missing: the frontend still cannot call the backend (step 3). Write the policy that
# opens the **frontend's egress** to the backend on TCP 8080, together with the two allows above.
# The checker compares the verdicts of your policies with the reference on every connection
# between the pods and to the outside addresses, and tells you which ones differ.

# %% [markdown] lang="zh-CN"
# ## 练习：完成零信任命名空间
#
# 还差一样：frontend 仍然无法调用 backend（第 3 步）。编写一条策略，放开 **frontend
# 的出站**，让它能通过 TCP 8080 访问 backend，并连同上面的两条允许策略一起写出。检查器会在 Pod
# 之间以及通往外部地址的每个连接上，把你的策略的判定与参考答案对比，并告诉你哪些不一样。

# %%
zero_trust = Exercise.get("06-zero-trust")
zero_trust.show()

# %% tags=["check"]
assert not zero_trust.check(zero_trust.starter_yaml).passed  # the starter is only deny-all + DNS

# %% [markdown]
# ## Exercise: the backend's way out, from a blank page
#
# No starter this time. Write the backend's egress policy: the external database and the cluster
# DNS, nothing else.

# %% [markdown] lang="zh-CN"
# ## 练习：backend 的出站通路，从空白开始
#
# 这次没有初始 YAML。编写 backend 的出站策略：只允许访问外部数据库和集群 DNS，其他一概不允许。

# %%
external_db_exercise = Exercise.get("06-external-db")
external_db_exercise.show()

# %% tags=["check"]
assert external_db_exercise.check(external_db_exercise.solution()).passed

# %% [markdown]
# ## What you saw
#
# - Every policy that selects a pod isolates it in the directions of its `policyTypes`: even
#   `allow-same-namespace`, `allow-external-db` and `allow-dns` take traffic away.
# - Ports and peers narrow a rule: `allow-frontend-to-backend` opens TCP 8080 only, and only from
#   `app: frontend` of the same namespace.
# - `allow-external-db` does not reach the in-cluster database pod because its address is not in
#   `10.100.0.0/16`, not because an `ipBlock` ignores pods: an `ipBlock` matches any address in its
#   range, pod addresses included (notebook 03). It is *recommended* for addresses outside the
#   cluster, since pod addresses change; selectors are for pods.
# - Under zero trust a connection needs an allow on **both** sides: the source's egress and the
#   destination's ingress.
#
# Next, notebook [`07-calico`](07-calico.ipynb): what Calico adds — ordered tiers, explicit Deny, Pass and Log.

# %% [markdown] lang="zh-CN"
# ## 回顾
#
# - 每条选中某个 Pod 的策略，都会在其 `policyTypes` 所列的方向上隔离该 Pod：即便是
#   `allow-same-namespace`、`allow-external-db` 和 `allow-dns`，也会拿走一部分流量。
# - 端口和对等点会收窄规则：`allow-frontend-to-backend` 只放开 TCP 8080，而且只对同一命名空间中的
#   `app: frontend` 放开。
# - `allow-external-db` 之所以访问不到集群内的数据库 Pod，是因为该 Pod 的地址不在 `10.100.0.0/16`
#   中，而不是因为 `ipBlock` 会忽略 Pod：`ipBlock` 匹配其范围内的任何地址，包括 Pod 地址（见笔记本
#   03）。之所以*建议*把它用于集群外部的地址，是因为 Pod 地址会变；Pod 应该用选择器来选。
# - 在零信任下，一个连接需要**两端**都允许：来源的出站和目标的入站。
#
# 下一步是笔记本 [`07-calico`](07-calico.ipynb)：Calico 增加了什么——有顺序的 Tier，以及显式的
# Deny、Pass 和 Log。

# %%
from npkit.course import what_next

what_next("06")
