# %% [markdown]
# # Welcome to npkit
#
# This course teaches **Kubernetes NetworkPolicy** and **Calico's policy extensions** with a live
# evaluator: every policy you read or write is applied to a small model cluster, and every
# verdict comes with its explanation. Run each cell with **Shift+Enter**, top to bottom.

# %%
from npkit.course import Exercise, external, intro, model_cluster, overview
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import Playground, Question, SelectorLab, show_matrix

intro("00")

# %% [markdown]
# ## The course
#
# Every notebook and lab, with the time it takes. Your answers and first tries are kept between
# sessions (in your user data folder); mark a notebook done with the button at its end and it gets a
# tick here. `npkit.course.reset_progress()` starts over.

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

# %%
overview()

# %%
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
# With no NetworkPolicy at all, nothing is isolated, so every cell is ✓.

# %%
open_matrix = show_matrix(cluster, 80).matrix
assert open_matrix.allowed.all()
show_matrix(cluster, 80)

# %% [markdown]
# ## Predict first
#
# The course asks you to **predict before you look**. Here is a first policy: it selects the
# pods labelled `app: a` in namespace `x` and isolates them for ingress, with one rule that lets
# in the pods of the same namespace.
#
# Can `y/a` still open a connection to `x/a` on TCP port 80? Answer with the buttons; the
# explanation follows.

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
with_policy = cluster.merged(load_string(FIRST_POLICY))
Question(with_policy, "y/a", "x/a", 80)

# %% [markdown]
# The matrix with the policy applied. Cells marked `*` changed compared with the open cluster:
# only the column of `x/a` lost its ✓, except for the pods of namespace `x`.

# %%
engine = Engine(with_policy)
assert not engine.allowed("y/a", "x/a", 80) and engine.allowed("x/b", "x/a", 80)
view = show_matrix(engine, 80, before=open_matrix)
assert int(view.flipped.sum()) == 14  # 16 pods, minus x/a and x/b
view

# %% [markdown]
# If you would rather look than read, the same matrix comes as a heatmap (changed cells
# outlined) or as a graph of the allowed connections.

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
# Try it: change `podSelector: {}` in the rule to `podSelector: {matchLabels: {app: b}}`, or
# misspell `Ingress`.

# %%
playground = Playground(model_cluster("and-or"), FIRST_POLICY)
playground

# %%
assert not playground.state.stale
assert not playground.state.matrix["y/a", "x/a"]

# %% [markdown]
# ## The selector lab
#
# Policies pick pods with label selectors. The selector lab shows which namespaces and pods a
# selector picks, and for each pod why (hover over it, or choose it under *why*). Edit the
# selector, switch to a Calico selector expression, or pick the namespace the policy lives in.

# %%
lab = SelectorLab(cluster, "matchLabels:\n  app: web\n")
lab

# %%
assert lab.state.selection.pods == ("default/web",)  # a podSelector only looks in its own namespace

# %% [markdown]
# ## Exercises
#
# Exercises give you a task, an editor and a **Check** button. The checker never compares your
# YAML with a model answer: it applies your policies to the cluster and compares the verdicts,
# connection by connection, with those of a reference solution. Any policies that behave the
# same pass, and when they do not, you see exactly which connections differ, with a hint.
# Hints come one at a time; the solution only if you ask for it (twice).
#
# A first one:

# %%
first = Exercise.get("00-first-policy")
first.show()

# %%
assert not first.check(first.starter_yaml).passed  # the starter lets nothing in

# %% [markdown]
# ## What next
#
# Notebook [`01-anatomy`](01-anatomy.ipynb) takes the chapter's `example-policy` apart, one field at a time.

# %%
from npkit.course import what_next

what_next("00")
