# %% [markdown]
# # 01 · Anatomy of a NetworkPolicy
#
# The chapter opens with what a NetworkPolicy is: *NetworkPolicy 是 Kubernetes 原生的网络安全策略资源,
# 用于控制 Pod 的入站(Ingress)和出站(Egress)流量* — Kubernetes' own resource for controlling the
# traffic that goes **into** a pod (ingress) and **out of** it (egress). This notebook takes the
# chapter's `example-policy` apart, one field at a time, and shows what each field does to real
# connections in the model cluster.
#
# One thing the chapter takes for granted: the policy is enforced by the cluster's **network
# plugin**. A plugin without NetworkPolicy support (flannel alone, for example) stores every policy
# and ignores it. Everything below is what a plugin that enforces NetworkPolicy does (notebook 00).

# %%
from npkit.course import Exercise, chapter_example, external, intro, model_cluster
from npkit.course.questions import choice, predict, question
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import Part, PolicyToggles, show_changes, show_connections, show_matrix

intro("01")

# %% [markdown]
# ## The six concepts
#
# The chapter's concept table, with what each field holds in the example below:
#
# | 概念 (field) | 说明 (chapter) | in English | in `example-policy` |
# |---|---|---|---|
# | `podSelector` | 选择策略适用的 Pod | the pods the policy applies to, in the policy's namespace | `app: web` |
# | `policyTypes` | 策略类型:Ingress、Egress 或两者 | the directions it isolates: Ingress, Egress or both | both |
# | `ingress` | 入站规则 | rules for connections coming **in** | one rule |
# | `egress` | 出站规则 | rules for connections going **out** | one rule |
# | `from` / `to` | 流量来源/目标 | who may connect in (`from`) or be connected to (`to`): the *peers* | three peers / one peer |
# | `ports` | 允许的端口 | the ports (and protocols) a rule allows | TCP 80 / TCP 5432 |

# %% [markdown]
# ## The chapter's example-policy
#
# Here it is, rebuilt with correct indentation (the chapter's copy lost it), with the chapter's
# numbered comments and their English:

# %%
EXAMPLE = chapter_example("example-policy")
print(EXAMPLE)

# %% [markdown]
# In words: (1) it applies to the pods labelled `app: web` **in namespace `default`**; (2) it
# isolates them in both directions; (3) it lets in TCP 80 from pods labelled `role: frontend` of
# `default`, from every pod of the namespaces labelled `project: myproject`, and from the addresses
# in 172.17.0.0/16 except 172.17.1.0/24; (4) it lets them open TCP 5432 to the `role: db` pods of
# `default`. Nothing else.

# %% [markdown]
# ## Predict first
#
# **Predict:** with `example-policy` applied, which of these five pods can open a TCP/80
# connection to which? Click the cells you expect to be **allowed**, then press *Reveal*. (Think
# about which pods the policy selects, and in which direction.)

# %%
cluster = model_cluster()
with_example = cluster.merged(load_string(EXAMPLE, filename="example-policy.yaml"))
engine = Engine(with_example)
open_matrix = show_matrix(cluster, 80).matrix
predict("01-example", with_example, 80,
        pods=["default/api", "default/frontend", "default/web", "frontend/web", "myproject/worker"],
        more=lambda: show_matrix(engine, 80, before=open_matrix))

# %% tags=["check"]
assert engine.allowed("default/frontend", "default/web", 80)  # from[0]: role=frontend in default
assert engine.allowed("myproject/worker", "default/web", 80)  # from[1]: a namespace labelled project=myproject
assert not engine.allowed("default/api", "default/web", 80)  # web is isolated, and api matches no peer
assert not engine.allowed("frontend/web", "default/web", 80)  # its namespace is project=frontend
assert not engine.allowed("default/web", "default/api", 80)  # web's egress: only TCP 5432 to role=db
assert engine.allowed("default/api", "default/frontend", 80)  # pods no policy selects stay open
changed = {(src, dst) for src, dst, _, _ in show_matrix(engine, 80).matrix.differences(open_matrix)}
assert all("default/web" in pair for pair in changed)
assert len(changed) == 2 * 15 - 2  # web's row and column, minus frontend and worker coming in

# %% [markdown]
# ## Take it apart
#
# Each checkbox below is one part of `example-policy`. Untick one and the part leaves the YAML (the
# editor on the left shows the result); the matrix is evaluated again and the cells that changed
# are starred. Switch the probe between TCP/80 and TCP/5432, and click any cell for the
# explanation. Try one part at a time, then combinations.

# %%
PARTS = [
    Part("spec.podSelector", "podSelector: app=web (off: {})", off="podSelector: {}"),
    Part("spec.policyTypes[0]", "policyTypes: Ingress"),
    Part("spec.policyTypes[1]", "policyTypes: Egress"),
    Part("spec.ingress", "ingress (all of it)"),
    Part("spec.ingress[0].from[0]", "from: podSelector role=frontend"),
    Part("spec.ingress[0].from[1]", "from: namespaceSelector project=myproject"),
    Part("spec.ingress[0].from[2]", "from: ipBlock 172.17.0.0/16"),
    Part("spec.ingress[0].ports", "ingress ports: TCP 80"),
    Part("spec.egress", "egress (all of it)"),
    Part("spec.egress[0].ports", "egress ports: TCP 5432"),
]
toggles = PolicyToggles(cluster, EXAMPLE, PARTS, probes=[(80, "TCP"), (5432, "TCP")])
toggles

# %% [markdown]
# The sections below take one part each. Each asks you to predict what switching exactly that part
# off changes (whatever your checkboxes above say); the widget answers, with the matrix.

# %% [markdown]
# ## 1. podSelector: whom the policy applies to
#
# `# 1. 选择策略适用的 Pod` — the policy applies to the pods **of its own namespace** that
# `podSelector` matches. `frontend/web` carries `app: web` too, but the policy lives in `default`,
# so it never touches it. Applying is what matters: a selected pod becomes *isolated*, and only what
# the rules allow still gets through.
#
# **Predict:** if `podSelector` were `{}` (every pod of `default`), could `x/a` still reach
# `default/api` on TCP 80?

# %%
every_pod = toggles.state.engine("spec.podSelector")
question("01-podselector-empty", every_pod, "x/a", "default/api", 80,
         more=lambda: show_matrix(every_pod, 80, before=show_matrix(engine, 80).matrix))

# %% tags=["check"]
assert not every_pod.allowed("x/a", "default/api", 80)  # api is selected now, and x/a matches no peer
assert every_pod.allowed("x/a", "frontend/web", 80)  # a policy in default never selects pods elsewhere
effect = toggles.state.effect("spec.podSelector")
assert not effect.allowed_now
assert all("default/" in c.src + c.dst for c in effect.comparison.newly_denied)

# %% [markdown]
# ## 2. policyTypes: which directions are isolated
#
# `# 2. 策略类型` — a selected pod is isolated only in the directions `policyTypes` lists. Two
# things surprise people:
#
# - a section whose type is not listed is **ignored**, silently: with `policyTypes: [Ingress]` the
#   `egress` rules do nothing;
# - when `policyTypes` is absent, Kubernetes fills it in: `Ingress` always, `Egress` only if the
#   policy has egress rules. For this policy that gives the same two types; for a policy *without*
#   egress rules (a default deny of egress, notebook 05) leaving it out isolates the wrong direction.
#
# **Predict:** untick `policyTypes: Egress` only. Can `default/web` open TCP/80 to `default/api`?

# %%
no_egress_type = toggles.state.engine("spec.policyTypes[1]")
question("01-no-egress-type", no_egress_type, "default/web", "default/api", 80,
         more=lambda: toggles.state.effect("spec.policyTypes[1]"))

# %% tags=["check"]
effect = toggles.state.effect("spec.policyTypes[1]")
assert "default/web → default/api TCP/80" in effect.allowed_now
assert all(c.src == "default/web" for c in effect.comparison.newly_allowed)  # only web's egress opens
assert not effect.denied_now
assert "default/api → default/web TCP/80" in toggles.state.effect("spec.policyTypes[0]").allowed_now
assert toggles.state.effect("spec.policyTypes[0]", "spec.policyTypes[1]").equivalent  # filled in as before

# %% [markdown]
# ## 3. ingress and from: who may come in
#
# `# 3. 入站规则` — an ingress rule lets a connection in when **one of its `from` peers** matches
# the source **and one of its `ports`** matches the port. The peers of one rule are alternatives
# (OR): each adds sources. Notebook 03 goes through the kinds of peer; here, what each of the three
# adds.
#
# **Predict:** untick `from: namespaceSelector project=myproject`. Which of these connections are
# lost?

# %%
lost = toggles.state.effect("spec.ingress[0].from[1]")
candidates = ["default/frontend → default/web TCP/80", "myproject/worker → default/web TCP/80",
              "frontend/web → default/web TCP/80", "myproject/worker → default/db TCP/80"]
choice("01-lost-peer", candidates, [c for c in candidates if c in lost.denied_now], multiple=True, more=lambda: lost)

# %% tags=["check"]
assert lost.denied_now == ("myproject/worker → default/web TCP/80",)
assert toggles.state.effect("spec.ingress[0].from[0]").denied_now == ("default/frontend → default/web TCP/80",)

# %% [markdown]
# ### ipBlock: addresses
#
# The third peer, `ipBlock`, is about **addresses**: `cidr: 172.17.0.0/16` with `except:
# [172.17.1.0/24]`. No pod of the model cluster has an address in 172.17.0.0/16, so unticking it
# changes no cell of the pod matrix. Its effect shows on addresses outside the cluster, such as
# 172.17.0.10, 172.17.1.10 and 8.8.8.8.
#
# **Predict:** with the whole `example-policy`, can 172.17.1.10 open TCP/80 to `default/web`?

# %%
outside = [(external()[name].ip, "default/web", 80) for name in ("docker-bridge", "docker-excluded", "internet")]
question("01-ipblock-except", engine, external()["docker-excluded"].ip, "default/web", 80,
         more=lambda: show_connections(engine, outside))

# %% tags=["check"]
assert toggles.state.effect("spec.ingress[0].from[2]").equivalent  # no pod changes
assert show_connections(engine, outside).allowed == (True, False, False)
assert show_connections(toggles.state.engine("spec.ingress[0].from[2]"), outside).allowed == (False, False, False)

# %% [markdown]
# ### No from at all
#
# **Predict:** untick all three peers, so the rule has no `from` at all. Can `x/a` reach `web` on
# TCP 80 now?

# %%
NO_PEERS = ("spec.ingress[0].from[0]", "spec.ingress[0].from[1]", "spec.ingress[0].from[2]")
no_from = toggles.state.engine(*NO_PEERS)
question("01-no-from", no_from, "x/a", "default/web", 80,
         more=lambda: show_connections(no_from, [("x/a", "default/web", 80), ("8.8.8.8", "default/web", 80)]))

# %% tags=["check"]
assert no_from.allowed("x/a", "default/web", 80)  # no `from`: every source
assert no_from.allowed("8.8.8.8", "default/web", 80)  # even outside the cluster
no_rules = toggles.state.effect("spec.ingress")  # isolated for ingress, and no rule: nothing comes in
assert set(no_rules.denied_now) == {"default/frontend → default/web TCP/80", "myproject/worker → default/web TCP/80"}
assert not no_rules.allowed_now

# %% [markdown]
# ### No ingress section at all
#
# Now untick the whole `ingress` section instead, while `policyTypes` still lists `Ingress`. The
# pods that `example-policy` let in lose their way in:

# %%
toggles.state.effect("spec.ingress")

# %% [markdown]
# ### ports
#
# A rule's `ports` narrow it to those ports; a rule **without** `ports` allows every port and
# protocol. **Predict:** untick `ingress ports: TCP 80`. Which of these connections on TCP/5432
# appear?

# %%
no_ports = toggles.state.effect("spec.ingress[0].ports")
candidates = ["default/frontend → default/web TCP/5432", "myproject/worker → default/web TCP/5432",
              "default/api → default/web TCP/5432", "default/web → default/db TCP/5432"]
choice("01-no-ports", candidates, [c for c in candidates if c in no_ports.allowed_now], multiple=True,
       more=lambda: no_ports)

# %% tags=["check"]
assert set(no_ports.allowed_now) == {"default/frontend → default/web TCP/5432",
                                     "myproject/worker → default/web TCP/5432"}

# %% [markdown]
# Protocols, named ports and port ranges are notebook 04.
#
# ## 4. egress and to: where the pod may connect
#
# `# 4. 出站规则` — `web` may open TCP 5432 to the `role: db` pods of `default`, and nothing else.
#
# **Predict:** can `default/web` send a DNS query to the cluster DNS, `kube-system/coredns`, on
# UDP 53?

# %%
question("01-web-dns", engine, "default/web", "kube-system/coredns", 53, "UDP")

# %% tags=["check"]
assert not engine.allowed("default/web", "kube-system/coredns", 53, "UDP")
assert engine.allowed("default/web", "default/db", 5432)  # what the egress rule is for

# %% [markdown]
# ### The DNS rule the example lacks
#
# On a real cluster that matters: `web` reaches the database as `db.default.svc`, a name it can no
# longer resolve, so the connection the policy allows fails before its first packet. The chapter's
# `allow-dns` (notebooks 05 and 06) is such a rule for a whole namespace. Here is the same rule for
# `web` alone (with `podSelector: {}`, as in `allow-dns`, it would also isolate the egress of every
# other pod of `default`: notebook 05 shows why). Applied next to `example-policy`, it opens exactly
# the DNS connections of `web`:

# %%
ALLOW_DNS_FOR_WEB = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-web-to-kube-dns
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
"""
with_dns = with_example.merged(load_string(ALLOW_DNS_FOR_WEB))
dns = show_changes(with_example, with_dns, [(53, "UDP"), (53, "TCP"), (80, "TCP")])
dns

# %% tags=["check"]
assert dns.allowed_now == ("default/web → kube-system/coredns UDP/53", "default/web → kube-system/coredns TCP/53")
assert not dns.denied_now

# %% [markdown]
# ## 关键规则 — key rules
#
# The chapter's *关键规则* (key rules) come down to five rules; every cell of every matrix in this
# course follows from them.
#
# 1. **A pod no policy selects is not isolated**: everything may reach it, and it may reach
#    everything.
# 2. **A pod selected by a policy of type Ingress (Egress) is isolated in that direction**: only
#    what some rule allows gets through.
# 3. **Rules only allow, and they add up**: there is no deny rule and no order; what a pod may
#    receive (or send) is the union of the rules of every policy that selects it. So a second
#    policy for an already isolated pod can only add connections. But the **first** policy that
#    selects a pod in a direction takes connections away: it isolates the pod (rule 2).
# 4. **A connection needs both ends**: the source's egress must allow it *and* the destination's
#    ingress.
# 5. **Policies are about opening connections**: the replies of an allowed connection always come
#    back (the dataplane tracks connections). `db → web` is a different connection from `web → db`.
#
# And: a policy, and the `podSelector` of its peers, only look at the policy's **own namespace**.
#
# ### Rule 3: adding can take away
#
# `default/api` is selected by no policy, so `x/a` reaches it. Here is a policy whose only rule
# *allows* something: the frontend into `api`.
#
# **Predict:** with this policy added, can `x/a` still reach `default/api` on TCP 80?

# %%
ALLOW_FRONTEND_TO_API = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-frontend-to-api
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: frontend
"""
with_api = with_example.merged(load_string(ALLOW_FRONTEND_TO_API))
question("01-first-policy-isolates", with_api, "x/a", "default/api", 80,
         more=lambda: show_changes(with_example, with_api, [(80, "TCP")]))

# %% tags=["check"]
first_for_api = show_changes(with_example, with_api, [(80, "TCP")])
assert not first_for_api.allowed_now and "x/a → default/api TCP/80" in first_for_api.denied_now
assert Engine(with_api).allowed("default/frontend", "default/api", 80)

# %% [markdown]
# ### Rule 3: a second policy only adds
#
# `web` is already isolated for ingress by `example-policy`. A second policy that selects `web` and
# lets in `x/a` adds connections and takes none away:

# %%
ALLOW_X_A = """
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
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: x
      podSelector:
        matchLabels:
          app: a
"""
union = show_changes(with_example, with_example.merged(load_string(ALLOW_X_A)), [(80, "TCP"), (5432, "TCP")])
union

# %% tags=["check"]
assert union.allowed_now == ("x/a → default/web TCP/80", "x/a → default/web TCP/5432") and not union.denied_now
assert engine.allowed("y/b", "default/api", 80) and engine.allowed("default/api", "y/b", 80)  # rule 1
assert not engine.allowed("y/b", "default/web", 80) and not engine.allowed("default/web", "y/b", 80)  # rule 2

# %% [markdown]
# The second policy opened `x/a → web` on both ports (its rule has no `ports`) and closed nothing.
#
# ### Rule 4: both ends
#
# **Predict:** `default/frontend` may reach `web` on TCP 80. May it on TCP 5432?

# %%
question("01-both-ends", engine, "default/frontend", "default/web", 5432)

# %% tags=["check"]
assert engine.allowed("default/web", "default/db", 5432)  # web's egress allows it, db is not isolated
assert not engine.allowed("default/frontend", "default/web", 5432)  # web's ingress allows TCP 80 only
assert not engine.allowed("default/db", "default/web", 5432)  # rule 5: another connection

# %% [markdown]
# Rule 4 is in every explanation: *Egress of …* and *Ingress of …*, and both must say allowed.
#
# ## Exercise: write the egress part
#
# The chapter's example, with its part 4 cut off. Write it back, and check it.

# %%
egress_exercise = Exercise.get("01-example-egress")
egress_exercise.show()

# %% tags=["check"]
assert not egress_exercise.check(egress_exercise.starter_yaml).passed
assert egress_exercise.check(egress_exercise.solution()).passed

# %% [markdown]
# ## What next
#
# Notebook [`02-selecting-pods`](02-selecting-pods.ipynb) looks closely at the selectors: `matchLabels`, the empty selector
# `{}`, and `matchExpressions`.

# %%
from npkit.course import what_next

what_next("01")
