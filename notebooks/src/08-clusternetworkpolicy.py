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

# %% [markdown] lang="zh-CN"
# # 08 · ClusterNetworkPolicy
#
# 本笔记本的内容超出了本章的范围。NetworkPolicy
# 属于某个命名空间，而且只能允许流量；命名空间的所有者就能编写它。集群管理员需要更多：命名空间所有者无法解除的护栏，以及所有者可以覆盖的默认规则。Calico
# 的回答是 Tier（笔记本 07）；Kubernetes 自己的回答是
# **ClusterNetworkPolicy**（`policy.networking.k8s.io/v1alpha2`，来自 SIG Network 的 network-policy-api
# 项目，仍处于 alpha 阶段），由 Calico 3.32 和单独部署的 kube-network-policies 实施。（kind 的默认 CNI
# kindnet 内置了一份 kube-network-policies，但它只实施 NetworkPolicy；详见下文。）

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

# %% [markdown] lang="zh-CN"
# ## NetworkPolicy 前后的三个阶段
#
# ClusterNetworkPolicy 属于两个 Tier 之一：**Admin** 在所有 NetworkPolicy 之前评估，**Baseline**
# 在其之后评估。规则的动作有 `Accept`、`Deny` 和 `Pass`（跳过该 Tier 的其余部分）；同一 Tier 中的策略按
# `priority`（0 到 1000）执行，数值小的先执行。
#
# | 顺序 | ClusterNetworkPolicy | Calico 3.32 的 Tier | 如果其中没有任何规则作出决定 |
# |---|---|---|---|
# | 1 | `tier: Admin` | `kube-admin`（order 1,000） | Pass：交给下一阶段 |
# | 2 | NetworkPolicy（命名空间作用域） | `default`（order 1,000,000） | Deny（仅对 NetworkPolicy 选中的 Pod） |
# | 3 | `tier: Baseline` | `kube-baseline`（order 10,000,000） | Pass |
# | 4 | 无人作出决定 | 命名空间的 profile `kns.<namespace>` | Allow |
#
# 评估器有两个数据平面：`"kubernetes"`（上游 API，即 NetworkPolicy 和 ClusterNetworkPolicy，按
# kube-network-policies 的实施方式）和 `"calico"`。两者列出的是同样的三个阶段：

# %%
cluster = model_cluster("and-or")
for dataplane in ("kubernetes", "calico"):
    tiers = Engine(cluster, dataplane).program.tiers
    print(f"{dataplane:10}: " + "  →  ".join(t.name for t in tiers))

# %% tags=["check"]
assert [t.name for t in Engine(cluster, "kubernetes").program.tiers] == ["kube-admin", "default", "kube-baseline"]

# %% [markdown]
# We use the AND-vs-OR view of the course cluster: namespaces `x` and `y` (pods `a` and `b`
# in each), `monitoring` (`prometheus` with `role: monitor`, and `grafana`), and `default/web`.
# Every namespace carries `kubernetes.io/metadata.name: <its name>`, set by the API server.

# %% [markdown] lang="zh-CN"
# 我们使用课程集群的 AND/OR 视图：命名空间 `x` 和 `y`（各有 Pod `a` 和 `b`）、`monitoring`（带
# `role: monitor` 的 `prometheus`，以及 `grafana`），还有 `default/web`。每个命名空间都带有 API
# 服务器设置的标签 `kubernetes.io/metadata.name: <命名空间名称>`。

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

# %% [markdown] lang="zh-CN"
# ## Admin `Deny`：命名空间所有者无法解除的护栏
#
# 管理员规定：命名空间 `y` 永远不得访问命名空间 `x`。`x` 的所有者对此并不知情，编写了一个允许 `y` 进入的
# NetworkPolicy。

# %%
ADMIN_DENY = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: deny-ingress-y-to-x
spec:
  tier: Admin
  priority: 20
  subject:                       # 保护命名空间 x 的所有 Pod  #en: protects every pod of namespace x
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

# %% [markdown] lang="zh-CN"
# **预测：** 两者都应用后，`y/a` 能否通过 TCP 80 访问 `x/a`？

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

# %% [markdown] lang="zh-CN"
# ## Admin `Accept`：监控总能进入
#
# Admin Tier 中的 `Accept` 同样是最终决定，但只对它所决定的那一侧有效：无论被保护的 Pod 的 NetworkPolicy
# 怎么写，这些 Pod 都接受该连接。这里允许 Prometheus（命名空间 `monitoring` 中带 `role: monitor` 的
# Pod）抓取每个 Pod 的指标。（`Accept` 决定的是目标的*入站*方向；来源的出站方向仍然单独评估。）

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
    namespaces: {}               # 所有命名空间  #en: every namespace
  ingress:
  - name: accept-prometheus
    action: Accept
    from:
    - pods:                      # 一个对等点，两个选择器  #en: one peer, both selectors
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

# %% [markdown] lang="zh-CN"
# **预测：** 护栏、所有者的策略和监控规则同时存在时，这些 Pod 在 TCP 80 上的矩阵是什么样的？（`x/a`
# 被所有者的 NetworkPolicy 隔离，该策略只允许 `y` 进入。）

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
# where the namespace owner decides. Policies of a tier run by `priority`, lowest first. Here the
# administrators make an exception for the pods `app: a` of namespace `y`.

# %% [markdown] lang="zh-CN"
# ## `Pass` 与 `priority`：把决定交还给命名空间所有者
#
# `Pass` 跳过 Admin Tier 的其余部分：连接进入 NetworkPolicy
# 阶段，由命名空间所有者决定。同一 Tier 中的策略按 `priority` 执行，数值小的先执行。这里管理员为命名空间 `y` 中带 `app: a` 的 Pod 开了一个例外。

# %%
ADMIN_PASS = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: pass-ingress-y-a-to-x
spec:
  tier: Admin
  priority: 15
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

# %% [markdown] lang="zh-CN"
# **预测：** 现在，`y/a` 能否访问 `x/a`？

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
# ## Priority, not file order
#
# Priority decides, not the order of the files: give the Pass priority 25 and the Deny comes
# first again. Two policies of one tier with the **same** priority that select the same pods are
# ordered by the implementation (Calico and npkit go by name); `npkit lint` warns about it (NP406).

# %% [markdown] lang="zh-CN"
# ## 看优先级，而不是文件顺序
#
# 起决定作用的是优先级，而不是文件中的顺序：把 Pass 的优先级改为 25，Deny 就又排到了前面。同一 Tier
# 中两个优先级**相同**且选中相同 Pod 的策略，其先后由具体实现决定（Calico 和 npkit 按名称排序）；
# `npkit lint` 会对此发出警告（NP406）。

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

# %% [markdown] lang="zh-CN"
# ## Baseline：可由 NetworkPolicy 覆盖的默认规则
#
# Baseline Tier 在 NetworkPolicy **之后**执行，并且只作用于没有任何 NetworkPolicy 选中的 Pod
# 和方向：对于它所选中的 Pod，NetworkPolicy 总是作出最终决定。因此，Baseline
# 适合放置集群范围的默认拒绝，命名空间所有者再用自己的策略取而代之。

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

# %% [markdown] lang="zh-CN"
# **预测：** 加上 Baseline 之后，`y/a` 还能访问 `x/a` 吗？

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

# %% [markdown] lang="zh-CN"
# ## `networks` 对等点也匹配 Pod 地址
#
# 在出站规则中，对等点可以是 `networks:`（CIDR），类似于 `ipBlock`。它们并不只用于集群外的地址：IP
# 落在该范围内的 Pod 同样匹配。命名空间 `x` 的 Pod 位于 `10.244.5.0/24`。
#
# **预测：** 只应用这个策略时，`y/a` 能否访问 `x/a`？

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

# %% [markdown] lang="zh-CN"
# ## 同一场景，两个数据平面
#
# 整个场景（护栏、所有者的策略、监控、例外和 Baseline）在 kube-network-policies 和 Calico 3.32
# 上的评估结果相同：

# %%
SCENARIO = (ADMIN_DENY, OWNER, ADMIN_ACCEPT, ADMIN_PASS, BASELINE)
on_upstream = show_matrix(engine_with(*SCENARIO, dataplane="kubernetes"), 80, caption="kubernetes dataplane")
on_calico = show_matrix(engine_with(*SCENARIO, dataplane="calico"), 80, caption="calico dataplane")
on_calico

# %% tags=["check"]
assert (on_upstream.matrix.allowed == on_calico.matrix.allowed).all()

# %% [markdown]
# ### A guardrail written the Calico way
#
# The same guardrail written the Calico way: a tier before `default` that passes what it does not
# decide, and a GlobalNetworkPolicy that denies `y` into `x`.
#
# **Predict:** on a cluster without Calico (the `"kubernetes"` dataplane), can `y/a` reach `x/a`
# with these objects applied?

# %% [markdown] lang="zh-CN"
# ### 用 Calico 的方式写护栏
#
# 用 Calico 的方式编写同一个护栏：一个排在 `default` 之前、对自己不作决定的流量执行 Pass 的
# Tier，以及一个拒绝 `y` 进入 `x` 的 GlobalNetworkPolicy。
#
# **预测：** 在没有 Calico 的集群上（`"kubernetes"` 数据平面）应用这些对象后，`y/a` 能否访问 `x/a`？

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
assert any("projectcalico.org/v3" in note for note in upstream.notes)  # the note on Calico objects, in either language

# %% [markdown]
# ### kind's own CNI
#
# **kind's own CNI goes further.** kindnet (kind 0.24 and later) enforces NetworkPolicy, and
# nothing else: it ignores Calico objects *and* ClusterNetworkPolicies. On a default kind
# cluster, the scenario above is only the owner's NetworkPolicy. **Predict:** can `y/b` reach
# `x/a` there?

# %% [markdown] lang="zh-CN"
# ### kind 自带的 CNI
#
# **kind 自带的 CNI 走得更远。** kindnet（kind 0.24 及更高版本）只实施 NetworkPolicy：它既忽略 Calico
# 对象，*也*忽略 ClusterNetworkPolicy。在默认的 kind 集群上，上面的场景只剩下所有者的
# NetworkPolicy。**预测：** 在那里，`y/b` 能否访问 `x/a`？

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
# 3.29–3.31 put AdminNetworkPolicy in tier `adminnetworkpolicy`, and 3.30–3.31
# BaselineAdminNetworkPolicy in `baselineadminnetworkpolicy`); npkit
# reads them as the same thing.
#
# ## Try it
#
# The playground holds the whole scenario on the kubernetes dataplane. Change a priority, turn
# `Deny` into `Pass`, or delete the Baseline, and watch the cells flip. Click a cell for its
# explanation.

# %% [markdown] lang="zh-CN"
# ## Calico Tier 与 ClusterNetworkPolicy 对照
#
# | | Calico | ClusterNetworkPolicy v1alpha2 |
# |---|---|---|
# | Tier | 任意多个，各有 `order` 和 `defaultAction` | 固定两个：Admin 和 Baseline，位于 NetworkPolicy 前后 |
# | Tier 内的顺序 | `order`（数字；未设置则排在最后） | `priority` 0–1000（必填） |
# | 动作 | Allow、Deny、Pass、Log | Accept、Deny、Pass |
# | 保护谁 | `selector`（全局策略另加 `namespaceSelector`） | `subject`：`namespaces` 或 `pods` |
# | 对等点 | 选择器、`nets`、网络集（network set）、服务账号、服务 | `namespaces`、`pods`、`networks`（出站）、`nodes` 和 `domainNames`（实验性） |
# | 由谁实施 | Calico | Calico 3.32、kube-network-policies（kindnet 不实施） |
#
# 较老的集群使用 v1alpha1 的一对资源 AdminNetworkPolicy / BaselineAdminNetworkPolicy（Calico 3.29–3.31
# 把 AdminNetworkPolicy 放在 Tier `adminnetworkpolicy` 中，3.30–3.31 把 BaselineAdminNetworkPolicy 放在
# `baselineadminnetworkpolicy` 中）；npkit
# 把它们当作同一种东西来读取。
#
# ## 动手试试
#
# 下面的演练场在 kubernetes 数据平面上载入了整个场景。改一个优先级、把 `Deny` 改成 `Pass`，或者删掉
# Baseline，观察矩阵中的单元格如何变化。点击某个单元格可以查看它的解释。

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

# %% [markdown] lang="zh-CN"
# ## 练习：所有者无法拒之门外的监控
#
# 从空白编辑器开始，写一个 ClusterNetworkPolicy。检查器的集群中已有所有者的策略：`x` 只允许 `y` 进入，`y`
# 有一个入站默认拒绝策略。

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

# %% [markdown] lang="zh-CN"
# ## 回顾
#
# - Admin 策略在所有 NetworkPolicy 之前执行：其 `Deny` 和 `Accept` 是最终决定，其 `Pass`
#   把决定交给命名空间所有者。优先级数值小的先执行。
# - Baseline 策略在 NetworkPolicy 之后执行，且只作用于没有 NetworkPolicy 选中的 Pod。
# - `networks` 对等点也匹配 Pod 地址。
# - Calico 把这两个 Tier 映射为 `kube-admin` 和 `kube-baseline`，分别位于它的 `default` Tier 前后。
# - CNI 会忽略它没有实现的资源类型：Calico 之外的 CNI 忽略 Calico 对象，kind 自带的 kindnet 还会忽略
#   ClusterNetworkPolicy。
#
# 下一个笔记本：[`09-testing-debugging`](09-testing-debugging.ipynb)，在真实的数据平面上探测，并阅读它生成的规则。

# %%
from npkit.course import what_next

what_next("08")
