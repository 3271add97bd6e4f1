# %% [markdown]
# # 05 · Default deny
#
# The chapter's first patterns are policies **without rules**: `default-deny-ingress` and
# `default-deny-egress`, and, among its best practices, `default-deny-all` in every namespace. A
# policy with no rules allows nothing, yet it does something: it *isolates* the pods it selects.
# This notebook shows that isolation, what it breaks (DNS first), and how to fix it.
#
# It uses the application namespace `default` (web, frontend, backend, api, db, scanner) and the
# cluster DNS, `kube-system/coredns`.

# %%
from npkit.course import Exercise, chapter_example, external, intro, model_cluster, overview
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import Predict, Question, show_changes, show_connections, show_matrix, show_verdict

intro("05")

# %%
cluster = model_cluster("app")
OUTSIDE = external("app")
APP = [p for p in Engine(cluster).pods if p.startswith("default/")]
overview("app")

# %% [markdown]
# ## Isolation: a policy that selects a pod, and no rule
#
# The chapter's `default-deny-ingress`, with its comments:

# %%
DENY_INGRESS = chapter_example("default-deny-ingress")
print(DENY_INGRESS)

# %% [markdown]
# `# 没有 ingress 规则 = 拒绝所有入站` — *no ingress rules = deny all inbound*. Precisely: the policy
# selects every pod of its namespace (`podSelector: {}`) for `Ingress`, which makes them
# ingress-isolated, and it contributes no rule, so nothing is allowed in, unless another policy
# allows it. Egress is untouched.
#
# **Predict:** applied in `default`, which connections between these three pods stay allowed on
# TCP 80?

# %%
deny_ingress = cluster.merged(load_string(DENY_INGRESS, filename="default-deny-ingress.yaml"))
Predict(deny_ingress, 80, pods=["default/frontend", "default/web", "kube-system/coredns"])

# %%
engine = Engine(deny_ingress)
assert not engine.allowed("default/frontend", "default/web", 80)  # same namespace: denied too
assert not engine.allowed("kube-system/coredns", "default/web", 80)
assert engine.allowed("default/web", "kube-system/coredns", 80)  # kube-system is not isolated
assert engine.allowed("default/web", "default/web", 80)  # a pod always reaches itself
view = show_matrix(engine, 80, before=show_matrix(cluster, 80).matrix)
view

# %% [markdown]
# Every column of `default` is closed; rows are untouched. A connection from `web` to `db` fails now
# because `db`'s ingress is closed, not because `web` may not send.
#
# ## Which namespace? The chapter's policy does not say
#
# `default-deny-ingress` has no `metadata.namespace`. `kubectl apply -f` then puts it in the namespace
# of your current context (`kubectl config view --minify -o jsonpath='{..namespace}'`), or the one
# given with `-n`. The same file isolates different pods depending on where your terminal points.
#
# **Predict:** you apply it while your context points at `kube-system`. Can `default/frontend`
# still reach `default/web`?

# %%
in_kube_system = cluster.merged(load_string(DENY_INGRESS, default_namespace="kube-system"))
Question(in_kube_system, "default/frontend", "default/web", 80)

# %%
wrong_place = show_changes(deny_ingress, in_kube_system, [(80, "TCP"), (53, "UDP")])
assert Engine(in_kube_system).allowed("default/frontend", "default/web", 80)  # default is open
assert not Engine(in_kube_system).allowed("default/web", "kube-system/coredns", 53, "UDP")  # DNS is not!
assert "default/web → kube-system/coredns UDP/53" in wrong_place.denied_now
show_matrix(in_kube_system, 53, "UDP", before=show_matrix(cluster, 53, "UDP").matrix)  # UDP/53: DNS

# %% [markdown]
# Applied in the wrong place, the policy leaves the application open **and** isolates the cluster
# DNS: every pod of the cluster loses name resolution. The fix: write the namespace in the YAML, and
# apply one copy per namespace (the chapter's best practice: *每个命名空间应用默认拒绝*, a default
# deny in every namespace):
#
# ```yaml
# metadata:
#   name: default-deny-ingress
#   namespace: default
# ```
#
# npkit, like `kubectl` with a fresh context, reads a policy without a namespace as being in
# `default`; the rest of this notebook relies on that.
#
# ## default-deny-egress
#
# The chapter's second default deny:

# %%
DENY_EGRESS = chapter_example("default-deny-egress")
print(DENY_EGRESS)
deny_egress = cluster.merged(load_string(DENY_EGRESS, filename="default-deny-egress.yaml"))

# %% [markdown]
# `# 没有 egress 规则 = 拒绝所有出站` — *no egress rules = deny all outbound*. **Predict:** can
# `default/frontend` still reach `default/web` on TCP 80? Can `default/web` reach the database outside
# the cluster, 10.100.0.5, on TCP 5432?

# %%
Question(deny_egress, "default/frontend", "default/web", 80)

# %%
out = show_connections(deny_egress, [("default/frontend", "default/web", 80),
                                     ("default/web", OUTSIDE["external-db"].ip, 5432),
                                     ("kube-system/coredns", "default/web", 80)])
assert out.allowed == (False, False, True)  # frontend may not send; outside: no; kube-system → web: yes
out

# %% [markdown]
# Now the **rows** of `default` are closed, and `default`'s pods still accept connections from
# elsewhere. Note `policyTypes: [Egress]`: it must be written out. Without `policyTypes`, Kubernetes
# assumes `Ingress` (and adds `Egress` only for a policy **with** egress rules), so the same policy
# with that line left out becomes an ingress deny:

# %%
NO_TYPES = DENY_EGRESS.replace("  policyTypes:\n  - Egress\n", "")
assert NO_TYPES != DENY_EGRESS
no_types = Engine(cluster.merged(load_string(NO_TYPES)))
assert no_types.allowed("default/web", OUTSIDE["external-db"].ip, 5432)  # egress open again
assert not no_types.allowed("kube-system/coredns", "default/web", 80)  # ... and ingress closed
print(show_changes(deny_egress, no_types, [(80, "TCP")]).comparison.summary())

# %% [markdown]
# ## DNS breaks
#
# **Predict:** under `default-deny-egress`, can `default/web` send a DNS query to the cluster DNS,
# `kube-system/coredns`, on UDP 53?

# %%
Question(deny_egress, "default/web", "kube-system/coredns", 53, "UDP")

# %%
why = show_verdict(deny_egress, "default/web", "kube-system/coredns", 53, "UDP")
assert not why.allowed and not why.verdict.egress.allowed and why.verdict.ingress.allowed  # egress denies
why

# %% [markdown]
# The query dies at `web`'s egress. On a real cluster this is the first thing that breaks: pods talk
# to each other by name (`db.default.svc.cluster.local`), names need DNS, and every lookup now times
# out, so even connections a later policy allows fail. (Pods send queries to the `kube-dns`
# Service's address; it is translated to a CoreDNS pod's address before policy is checked, which is
# why the rule below names the CoreDNS **pods**, by their label `k8s-app: kube-dns`.)
#
# ## The fix: allow-dns
#
# The chapter's `allow-dns` lets every pod of the namespace reach the DNS pods on UDP and TCP 53:

# %%
ALLOW_DNS = chapter_example("allow-dns")
print(ALLOW_DNS)
fixed = deny_egress.merged(load_string(ALLOW_DNS, filename="allow-dns.yaml"))

# %% [markdown]
# **Predict:** added next to `default-deny-egress`, which connections does it open, on UDP 53, TCP
# 53, TCP 80 and TCP 5432?

# %%
PROBES = [(53, "UDP"), (53, "TCP"), (80, "TCP"), (5432, "TCP")]
dns = show_changes(deny_egress, fixed, PROBES)
assert set(dns.allowed_now) == {f"{p} → kube-system/coredns {proto}/53" for p in APP for proto in ("UDP", "TCP")}
assert not dns.denied_now
dns

# %% [markdown]
# Exactly the twelve DNS connections (six pods, two protocols), nothing else. Policies add up:
# `allow-dns` allows, `default-deny-egress` allows nothing, so the union is DNS only.
#
# Two things to know about this fix:
#
# - **`allow-dns` isolates too.** It selects every pod for `Egress`, so on its own, without
#   `default-deny-egress`, it is itself a default deny of everything but DNS:

# %%
alone = show_changes(cluster, cluster.merged(load_string(ALLOW_DNS)), PROBES)
assert "default/web → default/db TCP/5432" in alone.denied_now
assert not alone.allowed_now  # it allowed DNS, which was open anyway
print(alone.comparison.summary())

# %% [markdown]
# - **Both UDP and TCP 53.** DNS answers too large for one UDP packet are retried over TCP, so a rule
#   with UDP 53 only breaks some lookups at random. The chapter's best-practice variant (*通常需要允许
#   DNS*) lists UDP 53 alone; notebook 10 takes it apart. Here is the difference:

# %%
UDP_ONLY = chapter_example("allow-dns-kube-system")
udp_only = deny_egress.merged(load_string(UDP_ONLY))
assert Engine(udp_only).allowed("default/web", "kube-system/coredns", 53, "UDP")
assert not Engine(udp_only).allowed("default/web", "kube-system/coredns", 53, "TCP")
show_connections(udp_only, [("default/web", "kube-system/coredns", 53, "UDP"),
                            ("default/web", "kube-system/coredns", 53, "TCP")])

# %% [markdown]
# ## Exercise: default deny, but keep DNS
#
# Your turn: isolate `default` both ways and keep DNS working. The checker compares your policies'
# verdicts with a reference on UDP and TCP 53 and on the application's ports.

# %%
exercise = Exercise.get("05-default-deny-dns")
exercise.show()

# %%
assert not exercise.check(exercise.starter_yaml).passed  # the starter breaks DNS
assert exercise.check(exercise.solution()).passed

# %% [markdown]
# ## deny-all: both directions in one policy
#
# Among the best practices, `# 每个命名空间应用默认拒绝` (apply a default deny in every namespace)
# comes as one policy with both types:

# %%
DENY_ALL = chapter_example("default-deny-all")
print(DENY_ALL)
deny_all = cluster.merged(load_string(DENY_ALL))
pair = cluster.merged(load_string(DENY_INGRESS)).merged(load_string(DENY_EGRESS))
same = show_changes(pair, deny_all, PROBES)
assert same.equivalent  # one policy with both types = the two default denies together
same

# %% [markdown]
# It needs `allow-dns` beside it just as much. **Predict:** with `default-deny-all` **and**
# `allow-dns` in `default`, which connections among these three pods are allowed on UDP 53?

# %%
deny_all_dns = deny_all.merged(load_string(ALLOW_DNS))
Predict(deny_all_dns, 53, "UDP", pods=["default/db", "default/web", "kube-system/coredns"])

# %%
final = Engine(deny_all_dns)
assert final.allowed("default/web", "kube-system/coredns", 53, "UDP")
assert final.allowed("default/db", "kube-system/coredns", 53, "UDP")
assert not final.allowed("default/web", "default/db", 53, "UDP")  # web may only send DNS to DNS pods
assert not final.allowed("kube-system/coredns", "default/web", 53, "UDP")  # web's ingress is closed

# %% [markdown]
# A default deny does not stop everything on a real cluster: a pod always reaches itself, the
# kubelet's health probes come from the node and are allowed, and replies to allowed connections
# flow back. It stops every **new** connection between pods, and to and from the outside, that no
# policy allows.
#
# | policy | isolates | leaves open |
# |---|---|---|
# | `default-deny-ingress` | every pod of its namespace, inbound | all outbound |
# | `default-deny-egress` (with `policyTypes: [Egress]`!) | every pod of its namespace, outbound (DNS too) | all inbound |
# | `default-deny-all` | both | nothing, until allow policies add to it |
# | any of them **without** `metadata.namespace` | the namespace of your kubectl context | — |
#
# Lab `L1` (`labs/lab-01-default-deny.ipynb`) applies the chapter's default deny on a real cluster
# and probes it.
#
# ## What next
#
# Notebook [`06-common-patterns`](06-common-patterns.ipynb) builds on the default deny: it opens, one policy at a time, exactly
# the connections an application needs.

# %%
from npkit.course import what_next

what_next("05")
