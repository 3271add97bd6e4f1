# %% [markdown]
# # 02 · Selecting pods
#
# A NetworkPolicy never names a pod. It names **labels**, with a *label selector*, and applies to
# whatever pods carry them, now and later. This notebook goes through the chapter's three forms of
# selector (*选择 Pod*) and the operators of `matchExpressions`, in the **selector lab**: type a
# selector, see which pods light up, hover over a pod (or pick it under *why*) for the reason.

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
    """The pods a podSelector picks for a policy in `namespace` (what the lab shows)."""
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

# %%
from npkit.course import what_next

what_next("02")
