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
from npkit.course.questions import choice, predict, question
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import show_changes, show_connections, show_matrix, show_verdict

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
# allows it.
#
# **Predict:** applied in `default`, which connections between these three pods stay allowed on
# TCP 80?

# %%
deny_ingress = cluster.merged(load_string(DENY_INGRESS, filename="default-deny-ingress.yaml"))
engine = Engine(deny_ingress)
open_80 = show_matrix(cluster, 80).matrix
predict("05-deny-ingress", deny_ingress, 80, pods=["default/frontend", "default/web", "kube-system/coredns"],
        more=lambda: show_matrix(engine, 80, before=open_80))

# %% tags=["check"]
assert not engine.allowed("default/frontend", "default/web", 80)  # same namespace: denied too
assert not engine.allowed("kube-system/coredns", "default/web", 80)
assert engine.allowed("default/web", "kube-system/coredns", 80)  # kube-system is not isolated
assert engine.allowed("default/web", "default/web", 80)  # a pod always reaches itself

# %% [markdown]
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
question("05-wrong-namespace", in_kube_system, "default/frontend", "default/web", 80,
         more=lambda: show_changes(deny_ingress, in_kube_system, [(80, "TCP"), (53, "UDP")]))

# %% tags=["check"]
wrong_place = show_changes(deny_ingress, in_kube_system, [(80, "TCP"), (53, "UDP")])
assert Engine(in_kube_system).allowed("default/frontend", "default/web", 80)  # default is open
assert not Engine(in_kube_system).allowed("default/web", "kube-system/coredns", 53, "UDP")  # DNS is not!
assert "default/web → kube-system/coredns UDP/53" in wrong_place.denied_now

# %% [markdown]
# ### The DNS of the whole cluster
#
# Applied in the wrong place, the policy also isolates the cluster DNS. The UDP 53 matrix, against
# the open cluster:

# %%
show_matrix(in_kube_system, 53, "UDP", before=show_matrix(cluster, 53, "UDP").matrix)

# %% [markdown]
# Every pod of the cluster loses name resolution. The fix: write the namespace in the YAML, and
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
# `default/frontend` still reach `default/web` on TCP 80?

# %%
egress_connections = [("default/frontend", "default/web", 80), ("default/web", OUTSIDE["external-db"].ip, 5432),
                      ("kube-system/coredns", "default/web", 80)]
question("05-deny-egress", deny_egress, "default/frontend", "default/web", 80,
         more=lambda: show_connections(deny_egress, egress_connections))

# %% tags=["check"]
assert show_connections(deny_egress, egress_connections).allowed == (False, False, True)

# %% [markdown]
# ### policyTypes must be written out
#
# Note `policyTypes: [Egress]` in the chapter's policy. Without `policyTypes`, Kubernetes assumes
# `Ingress` (and adds `Egress` only for a policy **with** egress rules), so the same policy with
# that line left out becomes an ingress deny:

# %%
NO_TYPES = DENY_EGRESS.replace("  policyTypes:\n  - Egress\n", "")
no_types = Engine(cluster.merged(load_string(NO_TYPES)))
print(show_changes(deny_egress, no_types, [(80, "TCP")]).comparison.summary())

# %% tags=["check"]
assert NO_TYPES != DENY_EGRESS
assert no_types.allowed("default/web", OUTSIDE["external-db"].ip, 5432)  # egress open again
assert not no_types.allowed("kube-system/coredns", "default/web", 80)  # ... and ingress closed

# %% [markdown]
# ## DNS breaks
#
# **Predict:** under `default-deny-egress`, can `default/web` send a DNS query to the cluster DNS,
# `kube-system/coredns`, on UDP 53?

# %%
question("05-dns-breaks", deny_egress, "default/web", "kube-system/coredns", 53, "UDP")

# %% tags=["check"]
why = show_verdict(deny_egress, "default/web", "kube-system/coredns", 53, "UDP")
assert not why.allowed and not why.verdict.egress.allowed and why.verdict.ingress.allowed  # egress denies

# %% [markdown]
# ### Why it matters first
#
# On a real cluster this is the first thing that breaks: pods talk to each other by name
# (`db.default.svc.cluster.local`), names need DNS, and every lookup now times out, so even
# connections a later policy allows fail. (Pods send queries to the `kube-dns` Service's address;
# it is translated to a CoreDNS pod's address before policy is checked, which is why the rule below
# names the CoreDNS **pods**, by their label `k8s-app: kube-dns`.)
#
# ## The fix: allow-dns
#
# The chapter's `allow-dns` lets every pod of the namespace reach the DNS pods on UDP and TCP 53:

# %%
ALLOW_DNS = chapter_example("allow-dns")
print(ALLOW_DNS)
fixed = deny_egress.merged(load_string(ALLOW_DNS, filename="allow-dns.yaml"))

# %% [markdown]
# **Predict:** added next to `default-deny-egress`, which of these connections does it open?

# %%
PROBES = [(53, "UDP"), (53, "TCP"), (80, "TCP"), (5432, "TCP")]
dns = show_changes(deny_egress, fixed, PROBES)
candidates = ["default/web → kube-system/coredns UDP/53", "default/web → kube-system/coredns TCP/53",
              "default/web → default/db UDP/53", "default/web → default/db TCP/5432",
              "kube-system/coredns → default/web UDP/53"]
choice("05-allow-dns-opens", candidates, [c for c in candidates if c in dns.allowed_now], multiple=True,
       more=lambda: dns)

# %% tags=["check"]
assert set(dns.allowed_now) == {f"{p} → kube-system/coredns {proto}/53" for p in APP for proto in ("UDP", "TCP")}
assert not dns.denied_now

# %% [markdown]
# ### allow-dns isolates too
#
# `allow-dns` selects every pod for `Egress`, so on its own, without `default-deny-egress`, it is
# itself a default deny of everything but DNS. Against the open namespace:

# %%
alone = show_changes(cluster, cluster.merged(load_string(ALLOW_DNS)), PROBES)
print(alone.comparison.summary())

# %% tags=["check"]
assert "default/web → default/db TCP/5432" in alone.denied_now
assert not alone.allowed_now  # it allowed DNS, which was open anyway

# %% [markdown]
# ### Both UDP and TCP 53
#
# A DNS answer that does not fit in one UDP packet comes back *truncated* (the TC flag), and the
# client asks again over **TCP**. With UDP 53 alone that second query is dropped, every time: not
# "some lookups at random", but **every answer too large for a UDP packet** (many records, DNSSEC,
# long TXT records), zone transfers, and any resolver configured to use TCP (`options use-vc`). The
# chapter's best-practice variant (*通常需要允许 DNS*) lists UDP 53 alone; notebook 10 takes it apart.
# The difference:

# %%
UDP_ONLY = chapter_example("allow-dns-kube-system")
udp_only = deny_egress.merged(load_string(UDP_ONLY))
show_connections(udp_only, [("default/web", "kube-system/coredns", 53, "UDP"),
                            ("default/web", "kube-system/coredns", 53, "TCP")])

# %% tags=["check"]
assert Engine(udp_only).allowed("default/web", "kube-system/coredns", 53, "UDP")
assert not Engine(udp_only).allowed("default/web", "kube-system/coredns", 53, "TCP")

# %% [markdown]
# ## Exercise: default deny, but keep DNS
#
# Your turn: isolate `default` both ways and keep DNS working. The checker's cluster has two extra
# things to catch a rule that is too wide: `tools/dnsmasq`, a pod that answers on port 53 without
# being the cluster DNS, and the public resolver 8.8.8.8.

# %%
exercise = Exercise.get("05-default-deny-dns")
exercise.show()

# %% tags=["check"]
assert not exercise.check(exercise.starter_yaml).passed  # the starter breaks DNS
assert exercise.check(exercise.solution()).passed

# %% [markdown]
# ## deny-all: both directions in one policy
#
# Among the best practices, `# 每个命名空间应用默认拒绝` (apply a default deny in every namespace)
# comes as one policy with both types. Compared with the two default denies together, it changes
# nothing:

# %%
DENY_ALL = chapter_example("default-deny-all")
print(DENY_ALL)
deny_all = cluster.merged(load_string(DENY_ALL))
pair = cluster.merged(load_string(DENY_INGRESS)).merged(load_string(DENY_EGRESS))
same = show_changes(pair, deny_all, PROBES)
same

# %% tags=["check"]
assert same.equivalent  # one policy with both types = the two default denies together

# %% [markdown]
# It needs `allow-dns` beside it just as much. **Predict:** with `default-deny-all` **and**
# `allow-dns` in `default`, which connections among these three pods are allowed on UDP 53?

# %%
deny_all_dns = deny_all.merged(load_string(ALLOW_DNS))
predict("05-deny-all-dns", deny_all_dns, 53, "UDP", pods=["default/db", "default/web", "kube-system/coredns"])

# %% tags=["check"]
final = Engine(deny_all_dns)
assert final.allowed("default/web", "kube-system/coredns", 53, "UDP")
assert final.allowed("default/db", "kube-system/coredns", 53, "UDP")
assert not final.allowed("default/web", "default/db", 53, "UDP")  # web may only send DNS to DNS pods
assert not final.allowed("kube-system/coredns", "default/web", 53, "UDP")  # web's ingress is closed

# %% [markdown]
# ## What a default deny does not stop
#
# A default deny does not stop everything on a real cluster: a pod always reaches itself, replies
# to allowed connections flow back, and most network plugins (Calico among them) let a node reach
# its own pods, so the kubelet's health probes keep working. It stops every **new** connection
# between pods, and to and from the outside, that no policy allows.
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
