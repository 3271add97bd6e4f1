# %% [markdown]
# # 03 · Peers, and the AND vs OR trap
#
# The `from` of an ingress rule (and the `to` of an egress rule) is a list of **peers**. A peer is a
# `podSelector`, a `namespaceSelector`, both together, or an `ipBlock`; the rule matches when **any**
# peer of the list matches. Inside one peer, a `namespaceSelector` and a `podSelector` must **both**
# match. Whether two selectors form one peer or two is decided by a single character of YAML, the
# dash, and that is where most policy bugs come from.
#
# Each chapter fragment below is wrapped in the smallest complete policy that makes it evaluable;
# the comment above each says which fragment it is.

# %% [markdown] lang="zh-CN"
# # 03 · 对等点，以及 AND 与 OR 的陷阱
#
# 入站规则的 `from`（以及出站规则的 `to`）是一个**对等点**列表。对等点可以是一个 `podSelector`、一个 `namespaceSelector`、两者的组合，或者一个 `ipBlock`；列表中只要有**任一**对等点匹配，规则就匹配。在同一个对等点内部，`namespaceSelector` 和 `podSelector` 必须**同时**匹配。两个选择器构成的是一个对等点还是两个，取决于 YAML 中的一个字符——短横线，而大多数策略错误正是由此而来。
#
# 下面本章的每个片段都被包装成可以评估的最小完整策略；每个片段上方的注释说明它是本章的哪一个片段。

# %%
from npkit.course import Exercise, external, intro, model_cluster
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.model import InputError
from npkit.course.questions import predict, question
from npkit.widgets import SelectorLab, SelectorLabState, show_changes, show_connections, show_matrix

intro("03")

# %%
cluster = model_cluster()  # 7 个命名空间中的 16 个 Pod  #en: 16 pods, 7 namespaces
and_or = model_cluster("and-or")  # default/web、monitoring，以及命名空间 x 和 y 中的 Pod a、b  #en: default/web, monitoring, and the pods a and b of namespaces x and y
OUTSIDE = external()

# %% [markdown]
# ## podSelector: pods of the policy's own namespace
#
# A peer with only a `podSelector` matches pods **in the policy's namespace**, never elsewhere. The
# selector lab reads a peer as one `from` entry of a policy in the namespace you choose:

# %% [markdown] lang="zh-CN"
# ## podSelector：策略所在命名空间中的 Pod
#
# 只含 `podSelector` 的对等点匹配**策略所在命名空间中**的 Pod，从不匹配其他地方的 Pod。选择器试验台把对等点当作某条策略中的一个 `from` 条目来读取，策略所在的命名空间由你选择：

# %%
SelectorLab(cluster, "podSelector:\n  matchLabels:\n    app: web\n")

# %% tags=["check"]
assert SelectorLabState(cluster, "podSelector:\n  matchLabels:\n    app: web\n").selection.pods == ("default/web",)

# %% [markdown]
# ## namespaceSelector: every pod of some namespaces
#
# The chapter's *跨命名空间选择* (selecting across namespaces) starts with
# `# 允许来自标签 project=frontend 的命名空间` — allow the namespaces labelled `project=frontend`:

# %% [markdown] lang="zh-CN"
# ## namespaceSelector：某些命名空间中的所有 Pod
#
# 本章的“跨命名空间选择”从 `# 允许来自标签 project=frontend 的命名空间` 开始：

# %%
FROM_PROJECT_FRONTEND = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-project-frontend-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  # 允许来自标签 project=frontend 的命名空间
  - from:
    - namespaceSelector:
        matchLabels:
          project: frontend
"""
with_ns = cluster.merged(load_string(FROM_PROJECT_FRONTEND))

# %% [markdown]
# **Predict:** `default/frontend` lives in the same namespace as `web`. Can it still reach `web` on
# TCP 80?

# %% [markdown] lang="zh-CN"
# **预测：** `default/frontend` 与 `web` 位于同一个命名空间。它还能在 TCP 80 上访问 `web` 吗？

# %%
engine = Engine(with_ns)
question("03-namespace-selector", with_ns, "default/frontend", "default/web", 80,
         more=lambda: show_matrix(engine, 80, before=show_matrix(cluster, 80).matrix))

# %% tags=["check"]
assert engine.allowed("frontend/client", "default/web", 80) and engine.allowed("frontend/web", "default/web", 80)
assert not engine.allowed("default/frontend", "default/web", 80)  # namespace default has no project label

# %% [markdown]
# ## Every namespace: namespaceSelector {}
#
# To pick namespaces by name, use the label the API server puts on every namespace,
# `kubernetes.io/metadata.name: <name>`. And `namespaceSelector: {}` on its own matches every pod of
# every namespace, but nothing outside the cluster. That is the difference from a rule with no
# `from` at all:

# %% [markdown] lang="zh-CN"
# ## 所有命名空间：namespaceSelector {}
#
# 要按名称挑选命名空间，请使用 API 服务器为每个命名空间加上的标签 `kubernetes.io/metadata.name: <name>`。而单独的 `namespaceSelector: {}` 匹配每个命名空间中的每个 Pod，但不匹配集群外部的任何东西。这正是它与完全没有 `from` 的规则的区别：

# %%
ANY_POD = FROM_PROJECT_FRONTEND.replace("""    - namespaceSelector:
        matchLabels:
          project: frontend
""", """    - namespaceSelector: {}
""")
any_pod = Engine(cluster.merged(load_string(ANY_POD)))
show_connections(any_pod, [("y/b", "default/web", 80), (OUTSIDE["internet"].ip, "default/web", 80)])

# %% tags=["check"]
assert all(any_pod.allowed(p, "default/web", 80) for p in any_pod.pods)
assert not any_pod.allowed(OUTSIDE["internet"].ip, "default/web", 80)  # not a pod: not matched

# %% [markdown]
# ## A specific pod from any namespace
#
# `# 允许来自任何命名空间的特定 Pod` — allow a specific pod from any namespace. **One** peer holds
# both selectors (no dash before `podSelector`): any namespace **and** `role: monitor`.
#
# ```yaml
# from:
# - namespaceSelector: {}
#   podSelector:
#     matchLabels:
#       role: monitor
# ```

# %% [markdown] lang="zh-CN"
# ## 来自任意命名空间的特定 Pod
#
# `# 允许来自任何命名空间的特定 Pod`：**一个**对等点同时包含两个选择器（`podSelector` 前面没有短横线）：任意命名空间，**并且** `role: monitor`。
#
# ```yaml
# from:
# - namespaceSelector: {}
#   podSelector:
#     matchLabels:
#       role: monitor
# ```

# %%
SelectorLab(cluster, "namespaceSelector: {}\npodSelector:\n  matchLabels:\n    role: monitor\n")

# %% tags=["check"]
MONITOR = "namespaceSelector: {}\npodSelector:\n  matchLabels:\n    role: monitor\n"
assert SelectorLabState(cluster, MONITOR).selection.pods == ("monitoring/prometheus",)  # grafana has no role

# %% [markdown]
# ### Exercise: only monitors, from any namespace
#
# The starter below was meant to be exactly this example, but it has one dash too many. Check it
# first to see which connections it gets wrong, then fix it.

# %% [markdown] lang="zh-CN"
# ### 练习：只放行监控 Pod，来自任意命名空间
#
# 下面的初始 YAML 本来就是要写成这个示例，但它多了一个短横线。先检查一下，看看它在哪些连接上出错，然后修正它。

# %%
monitor_exercise = Exercise.get("03-monitor-any-namespace")
monitor_exercise.show()

# %% tags=["check"]
assert not monitor_exercise.check(monitor_exercise.starter_yaml).passed  # the extra dash lets everyone in
assert monitor_exercise.check(monitor_exercise.solution()).passed

# %% [markdown]
# ## Both selectors in one peer: AND
#
# The chapter's `# 组合条件(AND 逻辑)` (combined conditions, AND): namespaces labelled
# `project: frontend` **and** pods labelled `role: web`.

# %% [markdown] lang="zh-CN"
# ## 一个对等点中的两个选择器：AND
#
# 本章的 `# 组合条件(AND 逻辑)`：命名空间带有 `project: frontend` 标签，**并且** Pod 带有 `role: web` 标签。

# %%
FRONTEND_WEB = "namespaceSelector:\n  matchLabels:\n    project: frontend\npodSelector:\n  matchLabels:\n    role: web\n"
SelectorLab(cluster, FRONTEND_WEB)

# %% tags=["check"]
assert SelectorLabState(cluster, FRONTEND_WEB).selection.pods == ("frontend/web",)  # not frontend/client

# %% [markdown]
# ## ipBlock: addresses
#
# The chapter's *基于 IP 地址范围* (by IP address range) has two fragments: `# 允许特定 CIDR`
# (allow a CIDR) with `10.0.0.0/8`, and `# 排除部分地址` (exclude some addresses) with
# `172.17.0.0/16` except `172.17.1.0/24`. Here they are as two policies on `web`:

# %% [markdown] lang="zh-CN"
# ## ipBlock：地址
#
# 本章的“基于 IP 地址范围”有两个片段：`# 允许特定 CIDR`，使用 `10.0.0.0/8`；以及 `# 排除部分地址`，使用 `172.17.0.0/16` 并排除 `172.17.1.0/24`。下面把它们写成作用于 `web` 的两条策略：

# %%
FROM_10 = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-10-8-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  # 允许特定 CIDR
  - from:
    - ipBlock:
        cidr: 10.0.0.0/8
"""
FROM_172_EXCEPT = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-172-17-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  # 排除部分地址
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
"""
from_10 = Engine(cluster.merged(load_string(FROM_10)))
from_172 = Engine(cluster.merged(load_string(FROM_172_EXCEPT)))

# %% [markdown]
# **Predict:** the `ipBlock` 10.0.0.0/8 was written for "the internal network". The pods of the
# model cluster have addresses in 10.244.0.0/16 (`y/b` is 10.244.6.11). Can `y/b` reach `web`
# under `allow-ingress-10-8-to-web`?

# %% [markdown] lang="zh-CN"
# **预测：** `ipBlock` 10.0.0.0/8 的本意是“内部网络”。模型集群中 Pod 的地址位于 10.244.0.0/16 内（`y/b` 是 10.244.6.11）。在 `allow-ingress-10-8-to-web` 之下，`y/b` 能访问 `web` 吗？

# %%
question("03-ipblock-pods", from_10, "y/b", "default/web", 80,
         more=lambda: show_connections(from_10, [("y/b", "default/web", 80),
                                                 (OUTSIDE["external-db"].ip, "default/web", 80),
                                                 (OUTSIDE["internet"].ip, "default/web", 80)]))

# %% tags=["check"]
assert all(from_10.allowed(p, "default/web", 80) for p in from_10.pods)  # every pod: 10.244.x.x
assert from_10.allowed(OUTSIDE["external-db"].ip, "default/web", 80)
assert not from_10.allowed(OUTSIDE["internet"].ip, "default/web", 80)

# %% [markdown]
# ### except
#
# **Predict:** under `allow-ingress-172-17-to-web`, can 172.17.1.10 reach `web`?

# %% [markdown] lang="zh-CN"
# ### except
#
# **预测：** 在 `allow-ingress-172-17-to-web` 之下，172.17.1.10 能访问 `web` 吗？

# %%
probes = [(OUTSIDE[name].ip, "default/web", 80) for name in ("docker-bridge", "docker-excluded")]
question("03-ipblock-except", from_172, OUTSIDE["docker-excluded"].ip, "default/web", 80,
         more=lambda: show_connections(from_172, probes))

# %% tags=["check"]
assert show_connections(from_172, probes).allowed == (True, False)
assert not from_172.allowed("y/b", "default/web", 80)  # 10.244.6.11 is outside 172.17.0.0/16

# %% [markdown]
# ### An except outside the cidr
#
# An `except` entry must lie inside the `cidr`; the API server refuses anything else, and so does
# npkit, with the line and field path:

# %% [markdown] lang="zh-CN"
# ### 位于 cidr 之外的 except
#
# `except` 中的条目必须位于 `cidr` 之内；API 服务器会拒绝其他任何写法，npkit 也会拒绝，并给出行号和字段路径：

# %%
try:
    load_string(FROM_172_EXCEPT.replace("172.17.1.0/24", "172.18.1.0/24"), filename="except-outside.yaml")
except InputError as e:
    refused = e
    print(e)

# %% tags=["check"]
assert "ipBlock.except[0]" in str(refused)

# %% [markdown]
# ### Exercise: outside the cluster only
#
# Pod addresses change, and a pod network often sits inside the "internal" range. Make `web`
# accept the company network outside the cluster, and no pod:

# %% [markdown] lang="zh-CN"
# ### 练习：只放行集群外部
#
# Pod 地址会变，而 Pod 网络又常常位于“内部”地址范围之内。让 `web` 接受集群外部的公司网络，但不接受任何 Pod：

# %%
outside_exercise = Exercise.get("03-outside-only")
outside_exercise.show()

# %% tags=["check"]
assert not outside_exercise.check(outside_exercise.starter_yaml).passed

# %% [markdown]
# ## AND versus OR: the dash decides
#
# Now the chapter's three AND/OR examples, on a smaller cluster: `default/web`, two monitoring pods,
# and namespaces `x` and `y` (labels `name: x`, `name: y`), each with a pod `a` (`app: a`) and a pod
# `b` (`app: b`).
#
# ### OR: two peers
#
# `# 允许来自 Pod A 或 Pod B(OR)` — allow pod A **or** pod B: two list items under `from`. The
# fragment has no namespace, and a `podSelector` peer only looks in the policy's namespace, so it is
# placed here in namespace `x`, on every pod of `x`:

# %% [markdown] lang="zh-CN"
# ## AND 与 OR：短横线说了算
#
# 下面是本章的三个 AND/OR 示例，换用一个更小的集群：`default/web`、两个监控 Pod，以及命名空间 `x` 和 `y`（标签 `name: x`、`name: y`），每个命名空间中各有一个 Pod `a`（`app: a`）和一个 Pod `b`（`app: b`）。
#
# ### OR：两个对等点
#
# `# 允许来自 Pod A 或 Pod B(OR)`：`from` 下的两个列表项。这个片段没有指定命名空间，而 `podSelector` 对等点只在策略所在的命名空间中查找，所以这里把它放在命名空间 `x` 中，作用于 `x` 的每个 Pod：

# %%
OR_EXAMPLE = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-a-or-b
  namespace: x
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  # 允许来自 Pod A 或 Pod B(OR)
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: a
    - podSelector:
        matchLabels:
          app: b
"""
with_or = and_or.merged(load_string(OR_EXAMPLE))

# %% [markdown]
# **Predict:** which connections between these four pods are allowed on TCP 80?

# %% [markdown] lang="zh-CN"
# **预测：** 这四个 Pod 之间，哪些 TCP 80 上的连接是允许的？

# %%
predict("03-or", with_or, 80, pods=["x/a", "x/b", "y/a", "y/b"])

# %% tags=["check"]
either = Engine(with_or)
assert either.allowed("x/b", "x/a", 80) and either.allowed("x/a", "x/b", 80)  # one peer each
assert not either.allowed("y/a", "x/a", 80) and not either.allowed("y/b", "x/b", 80)  # other namespace
assert either.allowed("x/a", "y/a", 80)  # y is not isolated

# %% [markdown]
# ### AND: one peer with two selectors
#
# `# 允许来自命名空间 X 中的 Pod A(AND)` — allow pod A **in** namespace X: one list item holding
# both selectors. On `default/web`:

# %% [markdown] lang="zh-CN"
# ### AND：一个对等点，两个选择器
#
# `# 允许来自命名空间 X 中的 Pod A(AND)`：一个列表项中同时包含两个选择器。作用于 `default/web`：

# %%
AND_EXAMPLE = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-x-a-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  # 允许来自命名空间 X 中的 Pod A(AND)
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          name: x
      podSelector:
        matchLabels:
          app: a
"""
with_and = and_or.merged(load_string(AND_EXAMPLE))

# %% [markdown]
# **Predict:** which connections between these four pods are allowed on TCP 80?

# %% [markdown] lang="zh-CN"
# **预测：** 这四个 Pod 之间，哪些 TCP 80 上的连接是允许的？

# %%
predict("03-and", with_and, 80, pods=["default/web", "x/a", "x/b", "y/a"])

# %% tags=["check"]
both = Engine(with_and)
assert both.allowed("x/a", "default/web", 80)
assert not both.allowed("x/b", "default/web", 80) and not both.allowed("y/a", "default/web", 80)

# %% [markdown]
# ### The dash trap
#
# Add one dash in front of `podSelector` and the single peer becomes two peers, ORed. Work out
# what each of them matches on its own.
#
# ```yaml
#   - from:
#     - namespaceSelector:
#         matchLabels:
#           name: x
#     - podSelector:        # ← the extra dash
#         matchLabels:
#           app: a
# ```
#
# **Predict:** with the extra dash, can `y/a` (it is `app: a`) reach `web`?

# %% [markdown] lang="zh-CN"
# ### 短横线陷阱
#
# 在 `podSelector` 前面加一个短横线，一个对等点就变成了两个，两者之间是 OR 关系。想一想：它们各自单独匹配哪些 Pod？
#
# ```yaml
#   - from:
#     - namespaceSelector:
#         matchLabels:
#           name: x
#     - podSelector:        # ← 多出来的短横线
#         matchLabels:
#           app: a
# ```
#
# **预测：** 加上这个短横线之后，`y/a`（它带有 `app: a`）能访问 `web` 吗？

# %%
DASH_TRAP = AND_EXAMPLE.replace("      podSelector:\n        matchLabels:\n          app: a\n",
                                "    - podSelector:\n        matchLabels:\n          app: a\n")
with_dash = and_or.merged(load_string(DASH_TRAP))
question("03-dash-trap", with_dash, "y/a", "default/web", 80, more=lambda: show_changes(with_and, with_dash))

# %% tags=["check"]
assert DASH_TRAP != AND_EXAMPLE
trap = show_changes(with_and, with_dash)
assert trap.allowed_now == ("x/b → default/web TCP/80",) and not trap.denied_now
assert not Engine(with_dash).allowed("y/a", "default/web", 80)  # the app=a peer only looks in default

# %% [markdown]
# ### The combined example
#
# The chapter then combines both:
#
# ```yaml
# ingress:
# - from:
#   # 条件 1: 命名空间 X 中的 Pod A(AND)
#   - namespaceSelector:
#       matchLabels:
#         name: x
#     podSelector:
#       matchLabels:
#         app: a
#   # 条件 2: 任何命名空间的 Pod B(OR with 条件1)
#   - podSelector:
#       matchLabels:
#         app: b
# ```
#
# Condition 1 is "pod A in namespace X (AND)"; condition 2 says "**pod B from any namespace** (OR
# with condition 1)". **Predict:** on `default/web`, can `y/b` connect?

# %% [markdown] lang="zh-CN"
# ### 组合示例
#
# 本章接着把两者组合起来：
#
# ```yaml
# ingress:
# - from:
#   # 条件 1: 命名空间 X 中的 Pod A(AND)
#   - namespaceSelector:
#       matchLabels:
#         name: x
#     podSelector:
#       matchLabels:
#         app: a
#   # 条件 2: 任何命名空间的 Pod B(OR with 条件1)
#   - podSelector:
#       matchLabels:
#         app: b
# ```
#
# 条件 1 是“命名空间 X 中的 Pod A”（AND）；条件 2 的注释说的是“**任何命名空间**的 Pod B”（与条件 1 为 OR）。**预测：** 对于 `default/web`，`y/b` 能连接吗？

# %%
COMBINED = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-a-and-b-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  - from:
    # 条件 1: 命名空间 X 中的 Pod A(AND)
    - namespaceSelector:
        matchLabels:
          name: x
      podSelector:
        matchLabels:
          app: a
    # 条件 2: 任何命名空间的 Pod B(OR with 条件1)
    - podSelector:
        matchLabels:
          app: b
"""
with_combined = and_or.merged(load_string(COMBINED))
combined = Engine(with_combined)
question("03-combined", with_combined, "y/b", "default/web", 80,
         more=lambda: show_matrix(combined, 80, before=show_matrix(and_or, 80).matrix))

# %% tags=["check"]
assert combined.allowed("x/a", "default/web", 80)
assert not combined.allowed("y/b", "default/web", 80) and not combined.allowed("x/b", "default/web", 80)

# %% [markdown]
# ### Exercise: make the comment true
#
# The chapter's combined example, as it stands. Change it so that condition 2 does what its
# comment says:

# %% [markdown] lang="zh-CN"
# ### 练习：让注释名副其实
#
# 下面是本章的组合示例，原样照录。修改它，让条件 2 做到它的注释所说的事：

# %%
and_or_exercise = Exercise.get("03-and-or")
and_or_exercise.show()

# %% tags=["check"]
assert not and_or_exercise.check(and_or_exercise.starter_yaml).passed  # the chapter's text, as written
assert and_or_exercise.check(and_or_exercise.solution()).passed

# %% [markdown]
# ## Summary
#
# | peer | matches |
# |---|---|
# | `podSelector` alone | pods of the policy's namespace |
# | `namespaceSelector` alone | every pod of the matching namespaces (`{}`: every namespace) |
# | both, in **one** list item | pods matching the `podSelector` **in** namespaces matching the `namespaceSelector` |
# | two list items | either one |
# | `ipBlock` | addresses in `cidr` and not in `except`, **pod addresses included** (on Calico; not on every plugin) |
# | no `from` at all | everything, inside and outside the cluster |
#
# ## What next
#
# Notebook [`04-ports`](04-ports.ipynb) narrows rules by port: protocols, named ports and port ranges.

# %% [markdown] lang="zh-CN"
# ## 小结
#
# | 对等点 | 匹配 |
# |---|---|
# | 只有 `podSelector` | 策略所在命名空间中的 Pod |
# | 只有 `namespaceSelector` | 匹配的命名空间中的所有 Pod（`{}`：所有命名空间） |
# | 两者位于**同一个**列表项中 | 匹配 `namespaceSelector` 的命名空间**中**、匹配 `podSelector` 的 Pod |
# | 两个列表项 | 其中任一 |
# | `ipBlock` | 位于 `cidr` 内、且不在 `except` 内的地址，**包括 Pod 的地址**（Calico 如此；并非所有插件都这样） |
# | 完全没有 `from` | 一切来源，集群内外都算 |
#
# ## 下一步
#
# 笔记本 [`04-ports`](04-ports.ipynb) 按端口收窄规则：协议、命名端口和端口范围。

# %%
from npkit.course import what_next

what_next("03")
