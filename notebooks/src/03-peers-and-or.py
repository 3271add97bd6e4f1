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

# %%
from npkit.course import Exercise, external, intro, model_cluster
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.model import InputError
from npkit.course.questions import predict, question
from npkit.widgets import SelectorLab, SelectorLabState, show_changes, show_connections, show_matrix

intro("03")

# %%
cluster = model_cluster()  # 16 pods, 7 namespaces
and_or = model_cluster("and-or")  # default/web, monitoring, and the pods a and b of namespaces x and y
OUTSIDE = external()

# %% [markdown]
# ## podSelector: pods of the policy's own namespace
#
# A peer with only a `podSelector` matches pods **in the policy's namespace**, never elsewhere. The
# selector lab reads a peer as one `from` entry of a policy in the namespace you choose:

# %%
SelectorLab(cluster, "podSelector:\n  matchLabels:\n    app: web\n")

# %% tags=["check"]
assert SelectorLabState(cluster, "podSelector:\n  matchLabels:\n    app: web\n").selection.pods == ("default/web",)

# %% [markdown]
# ## namespaceSelector: every pod of some namespaces
#
# The chapter's *跨命名空间选择* (selecting across namespaces) starts with
# `# 允许来自标签 project=frontend 的命名空间` — allow the namespaces labelled `project=frontend`:

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
  # chapter: 允许来自标签 project=frontend 的命名空间 (from the namespaces labelled project=frontend)
  - from:
    - namespaceSelector:
        matchLabels:
          project: frontend
"""
with_ns = cluster.merged(load_string(FROM_PROJECT_FRONTEND))

# %% [markdown]
# **Predict:** `default/frontend` lives in the same namespace as `web`. Can it still reach `web` on
# TCP 80?

# %%
engine = Engine(with_ns)
question("03-namespace-selector", with_ns, "default/frontend", "default/web", 80,
         more=lambda: show_matrix(engine, 80, before=show_matrix(cluster, 80).matrix))

# %% tags=["check"]
assert engine.allowed("frontend/client", "default/web", 80) and engine.allowed("frontend/web", "default/web", 80)
assert not engine.allowed("default/frontend", "default/web", 80)  # namespace default has no project label

# %% [markdown]
# ### Every namespace: namespaceSelector {}
#
# To pick namespaces by name, use the label the API server puts on every namespace,
# `kubernetes.io/metadata.name: <name>`. And `namespaceSelector: {}` on its own matches every pod of
# every namespace, but nothing outside the cluster. That is the difference from a rule with no
# `from` at all:

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
  # chapter: 允许特定 CIDR (allow a specific CIDR)
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
  # chapter: 排除部分地址 (exclude some addresses)
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
  # chapter: 允许来自 Pod A 或 Pod B(OR) (from pod A or pod B)
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
  # chapter: 允许来自命名空间 X 中的 Pod A(AND) (pod A in namespace X)
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

# %%
predict("03-and", with_and, 80, pods=["default/web", "x/a", "x/b", "y/a"])

# %% tags=["check"]
both = Engine(with_and)
assert both.allowed("x/a", "default/web", 80)
assert not both.allowed("x/b", "default/web", 80) and not both.allowed("y/a", "default/web", 80)

# %% [markdown]
# ### The dash trap
#
# Add one dash in front of `podSelector` and the single peer becomes two: *every pod of namespace
# x*, **or** *pods labelled `app: a` in the policy's own namespace `default`*.
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
# ### The combined example, and its wrong comment
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
    # 条件 1: 命名空间 X 中的 Pod A(AND) (condition 1: pod A in namespace X, AND)
    - namespaceSelector:
        matchLabels:
          name: x
      podSelector:
        matchLabels:
          app: a
    # 条件 2: 任何命名空间的 Pod B(OR with 条件1) (condition 2: pod B from any namespace, OR) — not so!
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
# | `ipBlock` | addresses in `cidr` and not in `except`, **pod addresses included** |
# | no `from` at all | everything, inside and outside the cluster |
#
# ## What next
#
# Notebook [`04-ports`](04-ports.ipynb) narrows rules by port: protocols, named ports and port ranges.

# %%
from npkit.course import what_next

what_next("03")
