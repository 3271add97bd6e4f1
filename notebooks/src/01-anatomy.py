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

# %% [markdown] lang="zh-CN"
# # 01 · NetworkPolicy 剖析
#
# 本章开篇就说明了 NetworkPolicy 是什么：“NetworkPolicy 是 Kubernetes 原生的网络安全策略资源,用于控制 Pod 的入站(Ingress)和出站(Egress)流量。”本笔记本把本章的 `example-policy` 逐个字段拆开，并展示每个字段对模型集群中真实连接的影响。
#
# 有一点本章视为理所当然：策略由集群的**网络插件**来实施。不支持 NetworkPolicy 的插件（例如单独使用的 flannel）会照样保存每条策略，然后忽略它。下文所讲的一切，都是实施 NetworkPolicy 的插件的行为（见笔记本 00）。

# %%
from npkit.course import Exercise, chapter_example, external, intro, model_cluster
from npkit.course.questions import choice, predict, question
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.widgets import AfterAnswer, Part, PolicyToggles, show_changes, show_connections, show_matrix

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

# %% [markdown] lang="zh-CN"
# ## 六个概念
#
# 本章的概念表，加上每个字段在下面的示例中的取值：
#
# | 概念 | 说明（本章） | 具体含义 | 在 `example-policy` 中 |
# |---|---|---|---|
# | `podSelector` | 选择策略适用的 Pod | 策略所在命名空间中、策略适用的那些 Pod | `app: web` |
# | `policyTypes` | 策略类型:Ingress、Egress 或两者 | 策略隔离哪些方向 | 两者 |
# | `ingress` | 入站规则 | 针对**进入** Pod 的连接的规则 | 一条规则 |
# | `egress` | 出站规则 | 针对从 Pod **发出**的连接的规则 | 一条规则 |
# | `from` / `to` | 流量来源/目标 | 谁可以连进来（`from`），或者可以被连接（`to`），即**对等点**（peer） | 三个对等点 / 一个对等点 |
# | `ports` | 允许的端口 | 规则允许的端口（及协议） | TCP 80 / TCP 5432 |

# %% [markdown]
# ## The chapter's example-policy
#
# Here it is, rebuilt with correct indentation (the chapter's copy lost it), with the chapter's
# numbered comments and their English:

# %% [markdown] lang="zh-CN"
# ## 本章的 example-policy
#
# 下面就是这个示例，缩进已经修正（本章中的版本丢失了缩进），并保留了本章带编号的注释：

# %%
EXAMPLE = chapter_example("example-policy")
print(EXAMPLE)

# %% [markdown]
# In words: (1) it applies to the pods labelled `app: web` **in namespace `default`**; (2) it
# isolates them in both directions; (3) it lets in TCP 80 from pods labelled `role: frontend` of
# `default`, from every pod of the namespaces labelled `project: myproject`, and from the addresses
# in 172.17.0.0/16 except 172.17.1.0/24; (4) it lets them open TCP 5432 to the `role: db` pods of
# `default`. Nothing else.

# %% [markdown] lang="zh-CN"
# 换句话说：（1）它适用于 **`default` 命名空间中**带有 `app: web` 标签的 Pod；（2）在两个方向上隔离这些 Pod；（3）允许以下来源连接它们的 TCP 80：`default` 中带有 `role: frontend` 标签的 Pod、带有 `project: myproject` 标签的命名空间中的所有 Pod，以及 172.17.0.0/16 中除 172.17.1.0/24 以外的地址；（4）允许它们向 `default` 中带有 `role: db` 标签的 Pod 发起 TCP 5432 连接。除此之外一概不允许。

# %% [markdown]
# ## Predict first
#
# **Predict:** with `example-policy` applied, which of these five pods can open a TCP/80
# connection to which? Click the cells you expect to be **allowed**, then press *Reveal*. (Think
# about which pods the policy selects, and in which direction.)

# %% [markdown] lang="zh-CN"
# ## 先预测
#
# **预测：** 应用 `example-policy` 之后，这五个 Pod 中哪些能向哪些发起 TCP/80 连接？点击你认为会被**允许**的单元格，然后按“揭晓”。（想一想策略选中了哪些 Pod，以及是在哪个方向上。）

# %%
cluster = model_cluster()
with_example = cluster.merged(load_string(EXAMPLE, filename="example-policy.yaml"))
engine = Engine(with_example)
open_matrix = show_matrix(cluster, 80).matrix
first = predict("01-example", with_example, 80,
                pods=["default/api", "default/frontend", "default/web", "frontend/web", "myproject/worker"],
                more=lambda: show_matrix(engine, 80, before=open_matrix))
first

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
# are starred (unticking `podSelector` makes it `{}`; `ingress` and `egress` stand for the whole section).
# Switch the probe between TCP/80 and TCP/5432, and click any cell for the explanation. Try one part
# at a time, then combinations. (With every part ticked it shows the answer to the prediction above,
# so it opens once you have answered that.)

# %% [markdown] lang="zh-CN"
# ## 逐个拆开
#
# 下面的每个复选框对应 `example-policy` 的一个部分。取消勾选某一项，这一部分就会从 YAML 中移除（左侧的编辑器显示结果）；矩阵会重新评估，发生变化的单元格标上星号（取消勾选 `podSelector` 会把它变成 `{}`；`ingress` 和 `egress` 代表整个部分）。你可以在 TCP/80 和 TCP/5432 之间切换探测端口，点击任意单元格查看解释。先一次只试一个部分，再试各种组合。（所有部分都勾选时，它显示的正是上面那道预测的答案，所以要等你回答之后才会打开。）

# %%
PARTS = [
    Part("spec.podSelector", "podSelector: app=web", off="podSelector: {}"),
    Part("spec.policyTypes[0]", "policyTypes: Ingress"),
    Part("spec.policyTypes[1]", "policyTypes: Egress"),
    Part("spec.ingress", "ingress"),
    Part("spec.ingress[0].from[0]", "from: podSelector role=frontend"),
    Part("spec.ingress[0].from[1]", "from: namespaceSelector project=myproject"),
    Part("spec.ingress[0].from[2]", "from: ipBlock 172.17.0.0/16"),
    Part("spec.ingress[0].ports", "ingress ports: TCP 80"),
    Part("spec.egress", "egress"),
    Part("spec.egress[0].ports", "egress ports: TCP 5432"),
]
toggles = PolicyToggles(cluster, EXAMPLE, PARTS, probes=[(80, "TCP"), (5432, "TCP")])
AfterAnswer(first, toggles)

# %% [markdown]
# The sections below take one part each. Each asks you to predict what switching exactly that part
# off changes (whatever your checkboxes above say); the widget answers, with the matrix.

# %% [markdown] lang="zh-CN"
# 下面各节每节讲一个部分。每一节都会请你先预测一件事——只关闭这一个部分会带来什么变化（不管你上面的复选框现在是什么状态）；控件会连同矩阵给出答案。

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

# %% [markdown] lang="zh-CN"
# ## 1. podSelector：策略适用于谁
#
# `# 1. 选择策略适用的 Pod`：策略适用于**它自己所在的命名空间中**被 `podSelector` 匹配的 Pod。`frontend/web` 也带有 `app: web`，但策略位于 `default`，所以永远不会涉及它。关键在于“适用”：被选中的 Pod 会**被隔离**，只有规则允许的流量才能通过。
#
# **预测：** 如果 `podSelector` 是 `{}`（`default` 中的每个 Pod），`x/a` 还能在 TCP 80 上访问 `default/api` 吗？

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

# %% [markdown] lang="zh-CN"
# ## 2. policyTypes：隔离哪些方向
#
# `# 2. 策略类型`：被选中的 Pod 只在 `policyTypes` 列出的方向上被隔离。有两点常常出人意料：
#
# - 类型没有被列出的那一部分会被**忽略**，而且没有任何提示：在 `policyTypes: [Ingress]` 之下，`egress` 规则不起任何作用；
# - 省略 `policyTypes` 时，Kubernetes 会自动补上：`Ingress` 总是会补上，`Egress` 只有在策略含有出站规则时才会补上。对这条策略来说，结果还是这两种类型；但对于一条**没有**出站规则的策略（例如出站方向的默认拒绝，见笔记本 05），省略它会隔离错误的方向。
#
# **预测：** 只取消勾选 `policyTypes: Egress`。`default/web` 能向 `default/api` 发起 TCP/80 连接吗？

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

# %% [markdown] lang="zh-CN"
# ## 3. ingress 与 from：谁可以进来
#
# `# 3. 入站规则`：当**某一个 `from` 对等点**匹配来源，**并且某一个 `ports` 条目**匹配端口时，入站规则就放行这个连接。同一条规则中的多个对等点互为备选（OR）：每个对等点都会增加一批来源。笔记本 03 会逐一讲解各种对等点；这里只看三个对等点各自增加了什么。
#
# **预测：** 取消勾选 `from: namespaceSelector project=myproject`。下面哪些连接会丢失？

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

# %% [markdown] lang="zh-CN"
# ### ipBlock：地址
#
# 第三个对等点 `ipBlock` 针对的是**地址**：`cidr: 172.17.0.0/16`，以及 `except: [172.17.1.0/24]`。模型集群中没有哪个 Pod 的地址位于 172.17.0.0/16 内，所以取消勾选它不会改变 Pod 矩阵中的任何单元格。它的效果体现在集群外部的地址上，例如 172.17.0.10、172.17.1.10 和 8.8.8.8。
#
# **预测：** 在完整的 `example-policy` 之下，172.17.1.10 能向 `default/web` 发起 TCP/80 连接吗？

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

# %% [markdown] lang="zh-CN"
# ### 完全没有 from
#
# **预测：** 把三个对等点全部取消勾选，让这条规则完全没有 `from`。现在 `x/a` 能在 TCP 80 上访问 `web` 吗？

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

# %% [markdown] lang="zh-CN"
# ### 完全没有 ingress 部分
#
# 现在改为取消勾选整个 `ingress` 部分，而 `policyTypes` 仍然列出 `Ingress`。原先被 `example-policy` 放行的 Pod 就进不来了：

# %%
toggles.state.effect("spec.ingress")

# %% [markdown]
# ### ports
#
# A rule's `ports` narrow it to those ports; a rule **without** `ports` allows every port and
# protocol. **Predict:** untick `ingress ports: TCP 80`. Which of these connections on TCP/5432
# appear?

# %% [markdown] lang="zh-CN"
# ### ports
#
# 规则的 `ports` 把规则限定在这些端口上；**没有** `ports` 的规则允许所有端口和协议。**预测：** 取消勾选 `ingress ports: TCP 80`。下面哪些 TCP/5432 上的连接会出现？

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
# `# 4. 出站规则` (egress rules) — `web` may open TCP 5432 to the `role: db` pods of `default`.
#
# **Predict:** can `default/web` send a DNS query to the cluster DNS, `kube-system/coredns`, on
# UDP 53?

# %% [markdown] lang="zh-CN"
# 协议、命名端口和端口范围在笔记本 04 中讲解。
#
# ## 4. egress 与 to：Pod 可以连接到哪里
#
# `# 4. 出站规则`：`web` 可以向 `default` 中带有 `role: db` 标签的 Pod 发起 TCP 5432 连接。
#
# **预测：** `default/web` 能否向集群 DNS `kube-system/coredns` 发送 UDP 53 上的 DNS 查询？

# %%
question("01-web-dns", engine, "default/web", "kube-system/coredns", 53, "UDP")

# %% tags=["check"]
assert not engine.allowed("default/web", "kube-system/coredns", 53, "UDP")
assert engine.allowed("default/web", "default/db", 5432)  # what the egress rule is for

# %% [markdown]
# ## The DNS rule the example lacks
#
# On a real cluster that matters: `web` reaches the database as `db.default.svc`, a name it can no
# longer resolve, so the connection the policy allows fails before its first packet. The chapter's
# `allow-dns` (notebooks 05 and 06) is such a rule for a whole namespace. Here is the same rule for
# `web` alone (with `podSelector: {}`, as in `allow-dns`, it would also isolate the egress of every
# other pod of `default`: notebook 05 shows why). Applied next to `example-policy`, it opens exactly
# the DNS connections of `web`:

# %% [markdown] lang="zh-CN"
# ## 示例缺少的 DNS 规则
#
# 在真实集群上，这一点很要紧：`web` 通过 `db.default.svc` 这个名字访问数据库，而它已经无法解析这个名字了，所以策略允许的连接在发出第一个数据包之前就失败了。本章的 `allow-dns`（笔记本 05 和 06）就是这样一条规则，作用于整个命名空间。下面是只针对 `web` 的同一条规则（如果像 `allow-dns` 那样使用 `podSelector: {}`，它还会隔离 `default` 中其他每个 Pod 的出站方向：笔记本 05 会说明原因）。与 `example-policy` 一起应用后，它恰好打开了 `web` 的 DNS 连接：

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
# The chapter announces *关键规则* (key rules), then goes straight on to the example without
# listing them. Here they are: five rules, and every cell of every matrix in this course follows
# from them.
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
# ### Rule 3: what adding a policy does
#
# `default/api` is selected by no policy, so `x/a` reaches it. Here is a policy whose only rule
# *allows* something: the frontend into `api`.
#
# **Predict:** with this policy added, can `x/a` still reach `default/api` on TCP 80?

# %% [markdown] lang="zh-CN"
# ## 关键规则
#
# 本章写下了“关键规则”这个标题，却没有列出规则，紧接着就是示例。下面把它们补上：一共五条，本课程中每个矩阵的每个单元格都由它们推导而来。
#
# 1. **没有被任何策略选中的 Pod 不被隔离**：任何来源都能访问它，它也能访问任何目标。
# 2. **被类型为 Ingress（Egress）的策略选中的 Pod，在该方向上被隔离**：只有某条规则允许的流量才能通过。
# 3. **规则只会允许，并且可以叠加**：没有拒绝规则，也没有顺序；一个 Pod 能接收（或发送）的，是选中它的所有策略中规则的并集。因此，给一个已经被隔离的 Pod 再加一条策略，只会增加连接。但在某个方向上**第一条**选中该 Pod 的策略会拿走连接：它让该 Pod 被隔离（规则 2）。
# 4. **连接需要两端都允许**：来源的出站方向必须允许它，**并且**目标的入站方向也必须允许它。
# 5. **策略管的是发起连接**：已允许的连接，其回复流量总能返回（数据平面会跟踪连接）。`db → web` 与 `web → db` 是两个不同的连接。
#
# 此外：策略本身，以及其对等点中的 `podSelector`，都只看策略**自己所在的命名空间**。
#
# ### 规则 3：添加一条策略会怎样
#
# 没有任何策略选中 `default/api`，所以 `x/a` 可以访问它。下面这条策略唯一的规则是**允许**某些流量：允许 frontend 进入 `api`。
#
# **预测：** 加上这条策略后，`x/a` 还能在 TCP 80 上访问 `default/api` 吗？

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

# %% [markdown] lang="zh-CN"
# ### 规则 3：第二条策略只会增加
#
# `example-policy` 已经在入站方向隔离了 `web`。再加一条选中 `web` 并放行 `x/a` 的策略，只会增加连接，不会拿走任何连接：

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

# %% [markdown] lang="zh-CN"
# 第二条策略在两个端口上都打开了 `x/a → web`（它的规则没有 `ports`），没有关闭任何连接。
#
# ### 规则 4：两端
#
# **预测：** `default/frontend` 可以在 TCP 80 上访问 `web`。那么在 TCP 5432 上可以吗？

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

# %% [markdown] lang="zh-CN"
# 每个解释中都有规则 4：一段说明来源的出站方向，一段说明目标的入站方向，两者都必须是允许。
#
# ## 练习：写出出站部分
#
# 这是本章的示例，但删掉了第 4 部分。把它写回去，然后检查。

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

# %% [markdown] lang="zh-CN"
# ## 下一步
#
# 笔记本 [`02-selecting-pods`](02-selecting-pods.ipynb) 仔细讲解选择器：`matchLabels`、空选择器 `{}` 和 `matchExpressions`。

# %%
from npkit.course import what_next

what_next("01")
