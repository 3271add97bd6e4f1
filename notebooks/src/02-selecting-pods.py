# %% [markdown]
# # 02 · Selecting pods
#
# A NetworkPolicy never names a pod. It names **labels**, with a *label selector*, and applies to
# whatever pods carry them, now and later. This notebook goes through the chapter's three forms of
# selector (*选择 Pod*) and the operators of `matchExpressions`, in the **selector lab**: type a
# selector, see which pods light up, hover over a pod (or pick it under *why*) for the reason.

# %% [markdown] lang="zh-CN"
# # 02 · 选择 Pod
#
# NetworkPolicy 从不直接点名某个 Pod。它点名的是**标签**：通过标签选择器，策略适用于带有这些标签的所有 Pod，无论是现在的还是以后创建的。本笔记本在**选择器试验台**中逐一讲解本章“选择 Pod”中的三种写法，以及 `matchExpressions` 的各个运算符：输入一个选择器，看看哪些 Pod 亮起来；把鼠标悬停在某个 Pod 上（或者在“原因”下选中它），就能看到原因。

# %%
from npkit.course import Exercise, intro, model_cluster
from npkit.course.questions import choice, predict
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import SelectorLab, SelectorLabState, show_matrix

intro("02")

# %%
cluster = model_cluster()


def selected(selector: str, namespace: str = "default") -> tuple[str, ...]:
    # 位于 namespace 的策略中，这个 podSelector 选中的 Pod（即选择器试验台显示的结果）  #en: the pods a podSelector picks for a policy in `namespace` (what the lab shows)
    return SelectorLabState(cluster, selector, namespace=namespace).selection.pods

# %% [markdown]
# ## matchLabels
#
# The chapter's first selector, `# 选择标签 app=web 的 Pod` (select the pods labelled `app=web`):
#
# ```yaml
# podSelector:
#   matchLabels:
#     app: web
# ```
#
# **Predict:** two pods of the model cluster carry `app: web`: `default/web` and `frontend/web`. For
# a policy in namespace `default`, which does this selector pick?

# %% [markdown] lang="zh-CN"
# ## matchLabels
#
# 本章的第一个选择器，`# 选择标签 app=web 的 Pod`：
#
# ```yaml
# podSelector:
#   matchLabels:
#     app: web
# ```
#
# **预测：** 模型集群中有两个 Pod 带有 `app: web`：`default/web` 和 `frontend/web`。对于命名空间 `default` 中的策略，这个选择器会选中哪一个？

# %%
WEB = "matchLabels:\n  app: web\n"
options = ["neither", "default/web only", "frontend/web only", "both"]
picked = {(): "neither", ("default/web",): "default/web only", ("frontend/web",): "frontend/web only",
          ("default/web", "frontend/web"): "both"}[selected(WEB)]
choice("02-match-labels", options, picked, more=lambda: SelectorLab(cluster, WEB))

# %% tags=["check"]
assert selected(WEB) == ("default/web",)
assert selected(WEB, namespace="frontend") == ("frontend/web",)

# %% [markdown]
# ### Several labels
#
# **Predict:** how many pods does `matchLabels: {app: web, role: frontend}` select in `default`?
# (`default/frontend` carries `app: frontend, role: frontend`.)

# %% [markdown] lang="zh-CN"
# ### 多个标签
#
# **预测：** `matchLabels: {app: web, role: frontend}` 在 `default` 中选中几个 Pod？（`default/frontend` 带有 `app: frontend, role: frontend`。）

# %%
TWO_LABELS = "matchLabels:\n  app: web\n  role: frontend\n"
choice("02-two-labels", ["none", "one", "two"], ["none", "one", "two"][len(selected(TWO_LABELS))],
       more=lambda: SelectorLab(cluster, TWO_LABELS))

# %% tags=["check"]
assert selected(TWO_LABELS) == ()  # no pod has both
assert selected("matchLabels:\n  app: frontend\n  role: frontend\n") == ("default/frontend",)

# %% [markdown]
# ## The empty selector {}
#
# `# 选择所有 Pod(空选择器)` — *select every pod (the empty selector)*:
#
# ```yaml
# podSelector: {}
# ```
#
# An empty selector has no requirement, so every pod meets it: every pod **of the policy's
# namespace**. It is not "nothing"; that trips people up in both directions.

# %% [markdown] lang="zh-CN"
# ## 空选择器 {}
#
# `# 选择所有 Pod(空选择器)`：
#
# ```yaml
# podSelector: {}
# ```
#
# 空选择器没有任何要求，所以每个 Pod 都满足它：也就是**策略所在命名空间中的**每个 Pod。它并不表示“什么都不选”；这一点常常让人出错，两个方向的误解都有。

# %%
SelectorLab(cluster, "{}")

# %% tags=["check"]
assert selected("{}") == ("default/api", "default/backend", "default/db", "default/frontend", "default/scanner",
                          "default/web")
assert selected("matchLabels: {}") == selected("{}")  # an empty matchLabels is the same
assert "kube-system/coredns" not in selected("{}")

# %% [markdown]
# ## matchExpressions: In
#
# `# 使用表达式` — *using expressions*:
#
# ```yaml
# podSelector:
#   matchExpressions:
#   - key: app
#     operator: In
#     values: [web, api]
# ```
#
# `In` matches pods whose `app` label has one of the values: an OR over values, inside one
# requirement.

# %% [markdown] lang="zh-CN"
# ## matchExpressions：In
#
# `# 使用表达式`：
#
# ```yaml
# podSelector:
#   matchExpressions:
#   - key: app
#     operator: In
#     values: [web, api]
# ```
#
# `In` 匹配 `app` 标签取值为其中之一的 Pod：这是在单个条件内部、对取值的 OR。

# %%
IN = "matchExpressions:\n- key: app\n  operator: In\n  values: [web, api]\n"
SelectorLab(cluster, IN)

# %% tags=["check"]
assert selected(IN) == ("default/api", "default/web")

# %% [markdown]
# ## NotIn, Exists, DoesNotExist
#
# The other three operators: `NotIn` (the label has none of the values), `Exists` (the label is
# there, whatever its value) and `DoesNotExist` (the label is absent). `Exists` and `DoesNotExist`
# take no `values`.
#
# **Predict:** `default/api` has no `role` label at all. Which of these selectors pick it?

# %% [markdown] lang="zh-CN"
# ## NotIn、Exists、DoesNotExist
#
# 另外三个运算符：`NotIn`（标签的取值不是其中任何一个）、`Exists`（标签存在，不论取值）和 `DoesNotExist`（标签不存在）。`Exists` 和 `DoesNotExist` 不带 `values`。
#
# **预测：** `default/api` 根本没有 `role` 标签。下面哪些选择器会选中它？

# %%
NOT_IN = "matchExpressions:\n- key: role\n  operator: NotIn\n  values: [frontend]\n"
DOES_NOT_EXIST = "matchExpressions:\n- key: role\n  operator: DoesNotExist\n"
EXISTS = "matchExpressions:\n- key: role\n  operator: Exists\n"
SELECTORS = {"role NotIn [frontend]": NOT_IN, "role DoesNotExist": DOES_NOT_EXIST, "role Exists": EXISTS}
choice("02-missing-label", list(SELECTORS), [n for n, s in SELECTORS.items() if "default/api" in selected(s)],
       multiple=True, more=lambda: SelectorLab(cluster, NOT_IN))

# %% tags=["check"]
assert "default/api" in selected(NOT_IN)  # no role label at all: NotIn holds
assert selected(NOT_IN) == ("default/api", "default/backend", "default/db", "default/scanner", "default/web")
assert selected(DOES_NOT_EXIST) == ("default/api", "default/backend", "default/scanner", "default/web")
assert selected("matchExpressions:\n- key: suspicious\n  operator: Exists\n") == ("default/scanner",)

# %% [markdown]
# ## Everything in one selector is ANDed
#
# `matchLabels` and every entry of `matchExpressions` must all hold. There is no OR between them;
# OR comes from the values of `In`, or from several peers or policies (notebook 03).

# %% [markdown] lang="zh-CN"
# ## 同一个选择器中的条件全部是 AND
#
# `matchLabels` 以及 `matchExpressions` 中的每一项都必须同时满足。它们之间没有 OR；OR 来自 `In` 的多个取值，或者来自多个对等点、多条策略（笔记本 03）。

# %%
BOTH = """\
matchLabels:
  app: web
matchExpressions:
- key: role
  operator: DoesNotExist
"""
SelectorLab(cluster, BOTH)

# %% tags=["check"]
assert selected(BOTH) == ("default/web",)
assert selected(BOTH.replace("DoesNotExist", "Exists")) == ()  # web has no role label

# %% [markdown]
# ## Mistakes the API server rejects
#
# Operators are case-sensitive, `In` and `NotIn` need `values`, and labels written straight under
# `podSelector` (without `matchLabels`) are an unknown field. The lab reports each with its line and
# field path, as `kubectl apply` would refuse it. Try them in any lab above; here they are:

# %% [markdown] lang="zh-CN"
# ## API 服务器会拒绝的错误
#
# 运算符区分大小写；`In` 和 `NotIn` 必须带 `values`；直接写在 `podSelector` 下面（没有 `matchLabels`）的标签是未知字段。试验台会报告每个错误及其行号和字段路径，就像 `kubectl apply` 会拒绝它们一样。你可以在上面任何一个试验台中试试；这里把它们列出来：

# %%
for wrong in ["matchExpressions:\n- key: app\n  operator: in\n  values: [web]\n",
              "matchExpressions:\n- key: app\n  operator: In\n",
              "app: web\n"]:
    print(SelectorLabState(cluster, wrong).errors[0])

# %% tags=["check"]
for wrong in ["matchExpressions:\n- key: app\n  operator: in\n  values: [web]\n",
              "matchExpressions:\n- key: app\n  operator: In\n", "app: web\n"]:
    assert SelectorLabState(cluster, wrong).errors, wrong

# %% [markdown]
# ## What selecting does to traffic
#
# Selecting a pod *isolates* it for the policy's types. Here is a policy that selects `app In [web,
# api]` for ingress and lets in only pods of its own namespace (`podSelector: {}` in the rule).
#
# **Predict:** among these four pods, which connections on TCP 80 stay allowed? Mark them, then
# Reveal.

# %% [markdown] lang="zh-CN"
# ## 选择对流量的影响
#
# 选中一个 Pod，就会在策略的类型所对应的方向上**隔离**它。下面这条策略在入站方向选中 `app In [web, api]`，并且只放行它自己命名空间中的 Pod（规则中的 `podSelector: {}`）。
#
# **预测：** 在这四个 Pod 之间，哪些 TCP 80 上的连接仍然允许？把它们标出来，然后揭晓。

# %%
SELECTED = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-default-to-web-and-api
  namespace: default
spec:
  podSelector:
    matchExpressions:
    - key: app
      operator: In
      values: [web, api]
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector: {}
"""
with_policy = cluster.merged(load_string(SELECTED))
engine = Engine(with_policy)
open_matrix = show_matrix(cluster, 80).matrix
predict("02-selected-traffic", with_policy, 80, pods=["default/api", "default/backend", "default/web", "x/a"],
        more=lambda: show_matrix(engine, 80, before=open_matrix))

# %% tags=["check"]
assert not engine.allowed("x/a", "default/api", 80) and not engine.allowed("x/a", "default/web", 80)
assert engine.allowed("x/a", "default/backend", 80)  # backend is not selected: not isolated
assert engine.allowed("default/backend", "default/web", 80)  # same namespace: the rule lets it in
changed = show_matrix(engine, 80).matrix.differences(open_matrix)
assert {dst for _, dst, _, _ in changed} == {"default/api", "default/web"}

# %% [markdown]
# ## Exercise: a selector from nothing
#
# The editor starts empty. Write a selector, press **Check**: the checker reads it in every
# namespace and compares the pods it picks with the goal, pod by pod.

# %% [markdown] lang="zh-CN"
# ## 练习：从零写一个选择器
#
# 编辑器一开始是空的。写一个选择器，然后按**检查**：检查器会在每个命名空间中读取它，并逐个 Pod 地将它选中的 Pod 与目标进行比较。

# %%
unlabelled = Exercise.get("02-unlabelled-pods")
unlabelled.show()

# %% tags=["check"]
assert unlabelled.check(unlabelled.solution()).passed

# %% [markdown]
# ## What next
#
# Notebook [`03-peers-and-or`](03-peers-and-or.ipynb) turns from the pods a policy applies to, to the peers its rules let
# in: pods, namespaces and addresses, and the YAML dash that decides between AND and OR.

# %% [markdown] lang="zh-CN"
# ## 下一步
#
# 笔记本 [`03-peers-and-or`](03-peers-and-or.ipynb) 从策略适用的 Pod，转向其规则所放行的对等点：Pod、命名空间和地址，以及决定 AND 还是 OR 的那个 YAML 短横线。

# %%
from npkit.course import what_next

what_next("02")
