# %% [markdown]
# # Welcome to npkit
#
# This course teaches **Kubernetes NetworkPolicy** and **Calico's policy extensions** with a live
# evaluator: every policy you read or write is applied to a small model cluster, and every
# verdict comes with its explanation. Run each cell with **Shift+Enter**, top to bottom.

# %% [markdown] lang="zh-CN"
# # 欢迎使用 npkit
#
# 本课程借助一个实时的评估器讲授 **Kubernetes NetworkPolicy** 和 **Calico 的策略扩展**：你读到或写下的每条策略，都会应用到一个小型模型集群上，每个判定都附带解释。请用 **Shift+Enter** 自上而下逐个运行单元格。

# %%
from npkit.course import Exercise, external, intro, model_cluster, overview
from npkit.course.questions import question
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import Playground, PlaygroundState, SelectorLab, show_matrix

intro("00")

# %% [markdown]
# ## The course
#
# Every notebook and lab, with the time it takes. Your answers and first tries are kept between
# sessions (in your user data folder); mark a notebook done with the button at its end and it gets a
# tick here. `npkit.course.reset_progress()` starts over.

# %% [markdown] lang="zh-CN"
# ## 课程
#
# 这里列出所有笔记本和实验，以及各自所需的时间。你的答案和首次作答会跨会话保留（保存在你的用户数据目录中）；用笔记本末尾的按钮把它标记为已完成，这里就会打上勾。`npkit.course.reset_progress()` 可以让你从头开始。

# %%
from npkit.course import course_home

course_home()

# %% [markdown]
# ## The model cluster
#
# Every notebook uses the same cluster: 16 pods in 7 namespaces, each placed to serve an
# example from the chapter. `default` holds the application (web, frontend, backend, api, db,
# and a `suspicious` scanner); `frontend` and `myproject` carry the `project` labels the
# chapter's namespace selectors look for; `monitoring` has a `role: monitor` pod; `x` and `y`
# (labels `name: x`, `name: y`) hold the pods `a` and `b` of the AND-vs-OR examples; and
# `kube-system` runs the cluster DNS. A few addresses outside the cluster stand in for an
# external database and the internet.

# %% [markdown] lang="zh-CN"
# ## 模型集群
#
# 每个笔记本都使用同一个集群：7 个命名空间中的 16 个 Pod，每个 Pod 的位置都是为本章的某个示例安排的。`default` 中是应用本身（web、frontend、backend、api、db，以及一个带 `suspicious` 标签的扫描器）；`frontend` 和 `myproject` 带有本章的命名空间选择器所要查找的 `project` 标签；`monitoring` 中有一个 `role: monitor` 的 Pod；`x` 和 `y`（标签 `name: x`、`name: y`）中是 AND 与 OR 示例所用的 Pod `a` 和 `b`；`kube-system` 运行集群 DNS。另有几个集群外部的地址，分别代表外部数据库和互联网。

# %%
overview()

# %% tags=["check"]
cluster = model_cluster()
assert len(cluster.pods) == 16
assert cluster.namespaces["x"].labels["name"] == "x"
assert cluster.pod("kube-system/coredns").labels == {"k8s-app": "kube-dns"}
assert external()["external-db"].ip == "10.100.0.5"

# %% [markdown]
# ## The reachability matrix
#
# A matrix answers one question for every pair of pods: *may the row's pod open a new
# connection to the column's pod, on this port?* Rows are sources, columns destinations,
# grouped by namespace. ✓ is allowed, · is denied.
#
# With no NetworkPolicy at all, no pod is *isolated*: every pod may reach every other, so every
# cell is ✓.

# %% [markdown] lang="zh-CN"
# ## 可达性矩阵
#
# 矩阵对每一对 Pod 回答同一个问题：“在这个端口上，行上的 Pod 能否向列上的 Pod 发起新连接？”行是来源，列是目标，按命名空间分组。✓ 表示允许，· 表示拒绝。
#
# 在完全没有 NetworkPolicy 的情况下，没有任何 Pod **被隔离**：每个 Pod 都能访问其他所有 Pod，所以每个单元格都是 ✓。

# %%
cluster = model_cluster()
open_view = show_matrix(cluster, 80)
open_view

# %% tags=["check"]
assert open_view.matrix.allowed.all()

# %% [markdown]
# ## Who enforces a policy?
#
# A NetworkPolicy is a request, not a mechanism. The API server stores it; the **network plugin**
# (the CNI: Calico, Cilium, kube-router, kindnet in kind ≥ 0.24, …) is what drops packets. On a
# cluster whose plugin does not implement NetworkPolicy (flannel on its own, for example), every
# policy below is accepted without a word and changes nothing: the matrix stays the open one
# above. This course shows what a plugin that **enforces** NetworkPolicy does; the labs check it
# on a real one and start with a canary that fails loudly when nothing enforces.
#
# npkit reads a policy the way the API server does, so you can check that it is *valid* before
# asking what it *does*: a mistake stops `load_string` with its line and field path, as `kubectl
# apply` would refuse it. This one loads; npkit lists what it read:

# %% [markdown] lang="zh-CN"
# ## 谁来实施策略？
#
# NetworkPolicy 是一项请求，而不是一种机制。API 服务器只负责保存它；真正丢弃数据包的是**网络插件**（CNI：Calico、Cilium、kube-router、kind 0.24 及以上版本中的 kindnet 等）。如果集群的网络插件不实现 NetworkPolicy（例如单独使用的 flannel），下面的每条策略都会被悄无声息地接受，却什么也不会改变：矩阵仍然是上面那个全部开放的矩阵。本课程展示的是**实施** NetworkPolicy 的插件会做什么；实验会在真实的插件上验证这一点，并且一开始先运行一个“金丝雀”检查：如果没有任何组件在实施策略，它会明确报错。
#
# npkit 读取策略的方式与 API 服务器相同，所以在追问策略“做了什么”之前，你可以先确认它是否“有效”：如果有错误，`load_string` 会像 `kubectl apply` 拒绝它时那样停下来，并指出出错的行和字段路径。下面这条策略可以正常读入，npkit 列出它读到的对象：

# %%
FIRST_POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-namespace-x-to-a
  namespace: x
spec:
  podSelector:
    matchLabels:
      app: a
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector: {}
"""
first_policy = load_string(FIRST_POLICY, filename="first-policy.yaml")
for policy in first_policy.network_policies:
    print(policy.ref)  # 类型 命名空间/名称  #en: kind namespace/name

# %% [markdown]
# ## Predict first
#
# The course asks you to **predict before you look**. The policy above selects the pods labelled
# `app: a` in namespace `x` and isolates them for ingress, with one rule that lets in the pods of
# the same namespace.
#
# **Predict:** can `y/a` still open a connection to `x/a` on TCP port 80? Answer with the
# buttons; the explanation opens under them.

# %% [markdown] lang="zh-CN"
# ## 先预测
#
# 本课程要求你**先预测，再查看**。上面的策略选中命名空间 `x` 中带有 `app: a` 标签的 Pod，将它们在入站方向隔离，并用一条规则放行同一命名空间中的 Pod。
#
# **预测：** `y/a` 还能在 TCP 端口 80 上向 `x/a` 发起连接吗？请用按钮作答；解释会在按钮下方展开。

# %%
with_policy = cluster.merged(first_policy)
question("00-first-policy-y-a", with_policy, "y/a", "x/a", 80)

# %% tags=["check"]
engine = Engine(with_policy)
assert not engine.allowed("y/a", "x/a", 80) and engine.allowed("x/b", "x/a", 80)

# %% [markdown]
# ## What a policy changed
#
# `show_matrix(..., before=...)` compares two matrices: the cells that changed are starred. Here,
# the open cluster against the cluster with the policy: look for the stars in the column of `x/a`.

# %% [markdown] lang="zh-CN"
# ## 策略改变了什么
#
# `show_matrix(..., before=...)` 对比两个矩阵：发生变化的单元格会标上星号。这里对比的是开放的集群和应用了策略的集群：留意 `x/a` 那一列中的星号。

# %%
view = show_matrix(engine, 80, before=open_view.matrix)
view

# %% tags=["check"]
assert int(view.flipped.sum()) == 14  # 16 pods, minus x/a and x/b

# %% [markdown]
# If you would rather look than read, the same matrix comes as a heatmap (changed cells
# outlined) or as a graph of the allowed connections.

# %% [markdown] lang="zh-CN"
# 如果你更喜欢看图，同一个矩阵也可以显示为热力图（变化的单元格带边框），或者显示为由允许的连接构成的关系图。

# %%
view.heatmap()

# %% [markdown]
# ## The policy playground
#
# The playground puts a YAML editor next to the matrix. Every edit is validated: mistakes are
# shown with their line and field path while the last good matrix stays (marked *stale*).
# Cells that flipped with your last edit are starred. **Click any cell** (or choose *from* and
# *to* and press *Explain*) to see why it is allowed or denied: which policies select each
# side, rule by rule.
#
# Try it: in the rule, replace `- podSelector: {}` with `- namespaceSelector: {}` and watch the
# column of `x/a` fill up with starred ✓ (every pod of every namespace may come in now). Then
# misspell `Ingress` and read the error.

# %% [markdown] lang="zh-CN"
# ## 策略演练场
#
# 演练场把 YAML 编辑器和矩阵放在一起。每次编辑都会被校验：错误会连同行号和字段路径一起显示，同时保留最后一次有效的矩阵（标记为“过期”）。因你最近一次编辑而翻转的单元格会标上星号。**点击任意单元格**（或者选好“来源”和“目标”后按“解释”），就能看到它为什么被允许或被拒绝：哪些策略选中了两端，逐条规则地说明。
#
# 动手试试：把规则中的 `- podSelector: {}` 换成 `- namespaceSelector: {}`，看 `x/a` 那一列被带星号的 ✓ 填满（现在每个命名空间的每个 Pod 都能进来了）。然后把 `Ingress` 拼错，读一读错误信息。

# %%
playground = Playground(model_cluster("and-or"), FIRST_POLICY)
playground

# %% tags=["check"]
assert not playground.state.stale and not playground.state.matrix["y/a", "x/a"]
suggested = PlaygroundState(model_cluster("and-or"), FIRST_POLICY)
suggested.edit(FIRST_POLICY.replace("    - podSelector: {}", "    - namespaceSelector: {}"))
assert not suggested.stale and suggested.matrix["y/a", "x/a"] and int(suggested.flipped.sum()) == 5
suggested.edit(FIRST_POLICY.replace("- Ingress", "- Ingres"))
assert suggested.stale

# %% [markdown]
# ## The selector lab
#
# Policies pick pods with label selectors. The selector lab shows which namespaces and pods a
# selector picks, and for each pod why (hover over it, or choose it under *why*). Edit the
# selector, or pick the namespace the policy lives in.

# %% [markdown] lang="zh-CN"
# ## 选择器试验台
#
# 策略用标签选择器来挑选 Pod。选择器试验台显示一个选择器选中了哪些命名空间和 Pod，并对每个 Pod 给出原因（把鼠标悬停在它上面，或者在“原因”下拉框中选中它）。你可以编辑选择器，也可以选择策略所在的命名空间。

# %%
lab = SelectorLab(cluster, "matchLabels:\n  app: web\n")
lab

# %% tags=["check"]
assert lab.state.selection.pods == ("default/web",)  # a podSelector only looks in its own namespace

# %% [markdown]
# ## Exercises
#
# Exercises give you a task, an editor and a **Check** button. The checker never compares your
# YAML with a model answer: it applies your policies to the cluster and compares the verdicts,
# connection by connection, with those of a reference solution. Any policies that behave the
# same pass. When they do not, the first line of the feedback names a connection that differs
# and what in your policies decides it; then come the differences, grouped by namespace.
# Hints come one at a time; the solution only if you ask for it (twice).
#
# A first one:

# %% [markdown] lang="zh-CN"
# ## 练习
#
# 每个练习都有一个任务、一个编辑器和一个**检查**按钮。检查器从不拿你的 YAML 去和某个答案逐字对比：它把你的策略应用到集群上，逐个连接地把判定与参考答案的判定进行比较。只要行为相同，任何写法都能通过。如果行为不同，反馈的第一行会指出一个结果不同的连接，以及你的策略中是哪一部分决定了它；随后按命名空间分组列出所有差异。提示每次给出一条；参考答案只有在你要求时才会显示（需要点两次）。
#
# 先来第一个：

# %%
first = Exercise.get("00-first-policy")
first.show()

# %% tags=["check"]
assert not first.check(first.starter_yaml).passed  # the starter lets nothing in

# %% [markdown]
# ## What next
#
# Notebook [`01-anatomy`](01-anatomy.ipynb) takes the chapter's `example-policy` apart, one field at a time.

# %% [markdown] lang="zh-CN"
# ## 下一步
#
# 笔记本 [`01-anatomy`](01-anatomy.ipynb) 把本章的 `example-policy` 逐个字段拆开讲解。

# %%
from npkit.course import what_next

what_next("00")
