# %% [markdown]
# # 06 · Common patterns, step by step
#
# The chapter gives four policies you will write again and again: `allow-same-namespace`,
# `allow-frontend-to-backend`, `allow-external-db` and `allow-dns`. This notebook applies each
# one to the application namespace, then builds a **zero-trust namespace** from them one step at
# a time, watching the matrix change at every step.

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

# %%
print(chapter_example("allow-same-namespace"))

# %% [markdown]
# **Predict:** with this policy applied, can the cluster DNS pod `kube-system/coredns` still open a
# connection to `default/web` on TCP 80?

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

# %%
print(chapter_example("allow-frontend-to-backend"))

# %% [markdown]
# **Predict** the TCP 8080 matrix between these four pods: mark the cells you expect to be
# allowed, then press *Reveal*. (The policy selects only `app: backend`.)

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

# %%
print(chapter_example("allow-external-db"))

# %% [markdown]
# **Predict:** the backend also talks to the database **pod** `default/db` (10.244.1.14) on TCP
# 5432. Does that still work with this policy?

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

# %%
print(chapter_example("allow-dns"))

# %% [markdown]
# **Predict:** `allow-dns` only allows things. Applied on its own to the open namespace, can
# `default/frontend` still reach `default/backend` on TCP 8080?

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

# %%
from npkit.course import what_next

what_next("06")
