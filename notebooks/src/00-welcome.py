# %% [markdown]
# # Welcome to npkit
#
# This course teaches **Kubernetes NetworkPolicy** and **Calico's policy extensions** with a live
# evaluator: every policy you read or write is applied to a small model cluster, and every
# verdict comes with its explanation. Run each cell with **Shift+Enter**, top to bottom.

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
# asking what it *does*:

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
print(f"valid: {len(first_policy.network_policies)} NetworkPolicy, no errors")

# %% [markdown]
# ## Predict first
#
# The course asks you to **predict before you look**. The policy above selects the pods labelled
# `app: a` in namespace `x` and isolates them for ingress, with one rule that lets in the pods of
# the same namespace.
#
# **Predict:** can `y/a` still open a connection to `x/a` on TCP port 80? Answer with the
# buttons; the explanation opens under them.

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

# %%
view = show_matrix(engine, 80, before=open_view.matrix)
view

# %% tags=["check"]
assert int(view.flipped.sum()) == 14  # 16 pods, minus x/a and x/b

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
# Try it: in the rule, replace `- podSelector: {}` with `- namespaceSelector: {}` and watch the
# column of `x/a` fill up with starred ✓ (every pod of every namespace may come in now). Then
# misspell `Ingress` and read the error.

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

# %%
first = Exercise.get("00-first-policy")
first.show()

# %% tags=["check"]
assert not first.check(first.starter_yaml).passed  # the starter lets nothing in

# %% [markdown]
# ## What next
#
# Notebook [`01-anatomy`](01-anatomy.ipynb) takes the chapter's `example-policy` apart, one field at a time.

# %%
from npkit.course import what_next

what_next("00")
