# %% [markdown]
# # 04 · Ports
#
# A rule's `ports` narrow it: the connection must match one of the entries, by **protocol** and
# **port**. The chapter's *端口匹配* (port matching) lists four kinds of entry: a TCP port, a UDP
# port, a **named** port, and a port **range**. A matrix answers one port at a time, so this notebook
# also uses a *port table*: one source, several destinations, several ports side by side.

# %% [markdown] lang="zh-CN"
# # 04 · 端口
#
# 规则中的 `ports` 会收窄这条规则：连接必须在**协议**和**端口**上与其中某一项匹配。本章的“端口匹配”列出了四种条目：TCP
# 端口、UDP 端口、**命名端口**和**端口范围**。可达性矩阵一次只回答一个端口，所以本笔记本还会用到**端口表**：一个来源、多个目标、多个端口并排显示。

# %%
from npkit.course import Exercise, external, intro, model_cluster
from npkit.course.questions import choice, question
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.model import InputError
from npkit.widgets import Playground, PortTable, show_connections

intro("04")

# %%
cluster = model_cluster()
DEFAULT_PODS = ["default/api", "default/backend", "default/db", "default/frontend", "default/scanner", "default/web"]


def ingress_policy(name: str, ports: str) -> str:
    # 一条策略：在入站方向隔离 default 的每个 Pod，并放行来自任何地方、发往给定 ports 列表的连接  #en: a policy that isolates every pod of `default` for ingress and lets in, from anywhere, the given `ports:` list
    # 规则没有 from：只由端口决定（ports 按规则的缩进写）  #en: no `from`: only the ports decide (ports indented for a rule)
    return f"""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {name}
  namespace: default
spec:
  podSelector: {{}}
  policyTypes:
  - Ingress
  ingress:
  - ports:
{ports}"""

# %% [markdown]
# ## Protocol and port
#
# The chapter's first two entries: `# TCP 端口 80` (TCP port 80), and UDP port 53.

# %% [markdown] lang="zh-CN"
# ## 协议与端口
#
# 本章的前两项：`# TCP 端口 80`，以及 UDP 端口 53。

# %%
TCP_AND_UDP = ingress_policy("allow-ingress-tcp-80-udp-53", """\
    # TCP 端口 80
    - protocol: TCP
      port: 80
    - protocol: UDP
      port: 53
""")
tcp_udp = Engine(cluster.merged(load_string(TCP_AND_UDP)))

# %% [markdown]
# **Predict:** DNS is "port 53". Can `x/a` open a **TCP** connection to port 53 of `default/db`?

# %% [markdown] lang="zh-CN"
# **预测：** DNS 就是“53 端口”。`x/a` 能否向 `default/db` 的 53 端口发起 **TCP** 连接？

# %%
PROBES = [(80, "TCP"), (80, "UDP"), (53, "UDP"), (53, "TCP"), (443, "TCP")]
question("04-tcp-53", tcp_udp, "x/a", "default/db", 53, "TCP",
         more=lambda: PortTable(tcp_udp, "x/a", PROBES, dsts=["default/web", "default/db"]))

# %% tags=["check"]
table = PortTable(tcp_udp, "x/a", PROBES, dsts=["default/web", "default/db"])
assert table.reachable("default/db") == ("TCP/80", "UDP/53")  # the protocol is part of the port
assert table.reachable("default/web") == ("TCP/80", "UDP/53")

# %% [markdown]
# ### Whether anything listens
#
# The policy does not care whether anything listens: `db` runs no DNS server, yet UDP 53 is allowed
# to it. On a real cluster a **TCP** probe tells the two apart by how it fails: *connection
# refused* means the policy let the packet through and nothing listened; a *timeout* means it was
# dropped (Calico drops what a policy denies). A UDP probe gets no such clear answer.
#
# ## The misplaced comment
#
# In the chapter, the UDP entry carries the comment `# UDP 端口范围(需要 K8s 1.25+)` — "UDP port
# **range** (needs Kubernetes 1.25+)". The entry is a single port, 53, and a single port has worked
# on every version. The range is the chapter's last entry (`endPort`), below. Port 53 alone, with
# its neighbours:

# %% [markdown] lang="zh-CN"
# ### 有没有程序在监听
#
# 策略并不关心目标上有没有程序在监听：`db` 上并没有运行 DNS 服务器，但发往它的 UDP 53
# 仍然是允许的。在真实集群上，**TCP** 探测可以从失败的方式区分这两种情况：*connection
# refused*（连接被拒绝）表示策略放行了数据包，只是没有程序在监听；*超时*则表示数据包被丢弃了（Calico
# 会丢弃策略拒绝的数据包）。UDP 探测得不到这样明确的答案。
#
# ## 放错位置的注释
#
# 本章给 UDP 这一项写的注释是 `# UDP 端口范围(需要 K8s 1.25+)`。可这一项只是单个端口
# 53，而单个端口在所有版本上都能用。端口范围是本章的最后一项（`endPort`），见下文。下面单看 53
# 端口及其相邻端口：

# %%
PortTable(tcp_udp, "x/a", [(52, "UDP"), (53, "UDP"), (54, "UDP")], dsts=["default/db"])

# %% tags=["check"]
assert tcp_udp.allowed("x/a", "default/db", 53, "UDP")
assert not tcp_udp.allowed("x/a", "default/db", 52, "UDP") and not tcp_udp.allowed("x/a", "default/db", 54, "UDP")

# %% [markdown]
# ## Named ports resolve on the destination pod
#
# `# 命名端口` (named port): `port: http` names a container port instead of a number. Which number it
# means is looked up **on the destination pod of each connection**. In the model cluster, `web` and
# `frontend` call port 80 `http`, while `backend` and `api` call 8080 `http`; `db` has no port
# called `http`.

# %% [markdown] lang="zh-CN"
# ## 命名端口在目标 Pod 上解析
#
# `# 命名端口`：`port: http` 写的是容器端口的名字，而不是数字。它代表哪个数字，要**在每个连接的目标
# Pod 上**查找。在模型集群中，`web` 和 `frontend` 把 80 端口命名为 `http`，而 `backend` 和 `api` 把
# 8080 端口命名为 `http`；`db` 没有名为 `http` 的端口。

# %%
NAMED = ingress_policy("allow-ingress-http", """\
    # 命名端口
    - protocol: TCP
      port: http
""")
named = Engine(cluster.merged(load_string(NAMED)))
print(NAMED)

# %% [markdown]
# **Predict:** can `x/a` reach `default/backend` on TCP 80?

# %% [markdown] lang="zh-CN"
# **预测：** `x/a` 能否通过 TCP 80 访问 `default/backend`？

# %%
ports = PortTable(named, "x/a", [(80, "TCP"), (8080, "TCP"), (5432, "TCP")], dsts=DEFAULT_PODS)
question("04-named-port", named, "x/a", "default/backend", 80, more=lambda: ports)

# %% tags=["check"]
assert ports.reachable("default/web") == ("TCP/80",) and ports.reachable("default/frontend") == ("TCP/80",)
assert ports.reachable("default/backend") == ("TCP/8080",) and ports.reachable("default/api") == ("TCP/8080",)
assert ports.reachable("default/db") == () and ports.reachable("default/scanner") == ()

# %% [markdown]
# ## Named ports in egress rules
#
# In an **egress** rule the destination is the peer, so the name is looked up on the pod being
# connected to. An address outside the cluster has no container ports, so a named port never matches
# it:

# %% [markdown] lang="zh-CN"
# ## 出站规则中的命名端口
#
# 在**出站**规则中，目标就是对等点，所以名字要在被连接的那个 Pod
# 上查找。集群外部的地址没有容器端口，因此命名端口永远不会匹配它：

# %%
EGRESS_NAMED = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-backend-http
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: backend
  policyTypes:
  - Egress
  egress:
  - ports:
    - protocol: TCP
      port: http
"""
egress_named = Engine(cluster.merged(load_string(EGRESS_NAMED)))
db_ip = external()["external-db"].ip
out = show_connections(egress_named, [("default/backend", "default/api", 8080), ("default/backend", "default/web", 80),
                                      ("default/backend", "default/web", 8080), ("default/backend", db_ip, 8080)])
out

# %% tags=["check"]
assert out.allowed == (True, True, False, False)

# %% [markdown]
# ## Port ranges: endPort
#
# `# 端口范围(K8s 1.25+)` (port range): `port: 32000` with `endPort: 32768` is every port from 32000
# to 32768. `api` listens on 32080 (its `grpc` port).
#
# **Predict:** is 32768 itself inside the range?

# %% [markdown] lang="zh-CN"
# ## 端口范围：endPort
#
# `# 端口范围(K8s 1.25+)`：`port: 32000` 加上 `endPort: 32768`，表示从 32000 到 32768
# 的每一个端口。`api` 在 32080 上监听（它的 `grpc` 端口）。
#
# **预测：** 32768 本身在这个范围内吗？

# %%
RANGE = ingress_policy("allow-ingress-32000-32768", """\
    # 端口范围(K8s 1.25+)
    - protocol: TCP
      port: 32000
      endPort: 32768
""")
ranged = Engine(cluster.merged(load_string(RANGE)))
EDGES = [(31999, "TCP"), (32000, "TCP"), (32080, "TCP"), (32768, "TCP"), (32769, "TCP"), (32080, "UDP")]
question("04-range-end", ranged, "x/a", "default/api", 32768,
         more=lambda: PortTable(ranged, "x/a", EDGES, dsts=["default/api"]))

# %% tags=["check"]
edges = PortTable(ranged, "x/a", EDGES, dsts=["default/api"])
assert edges.reachable("default/api") == ("TCP/32000", "TCP/32080", "TCP/32768")  # both ends included

# %% [markdown]
# ## Ranges the API server refuses
#
# `endPort` needs a numeric `port` and may not be below it; the API server refuses anything else,
# and so does npkit:

# %% [markdown] lang="zh-CN"
# ## API 服务器拒绝的范围
#
# `endPort` 要求 `port` 是数字，而且不能小于 `port`；其他写法都会被 API 服务器拒绝，npkit 也一样：

# %%
refusals = []
for wrong in (RANGE.replace("port: 32000", "port: grpc"), RANGE.replace("endPort: 32768", "endPort: 31000")):
    try:
        load_string(wrong, filename="range.yaml")
    except InputError as e:
        refusals.append(str(e))
        print(e)

# %% tags=["check"]
assert len(refusals) == 2 and all("endPort" in r for r in refusals)

# %% [markdown]
# "1.25+" matters on real clusters: `endPort` became stable in Kubernetes 1.25 (beta, on by default,
# since 1.22). An API server without the feature **drops the field silently** and stores the rule
# as port 32000 alone, and a network plugin that does not implement `endPort` applies the rule to
# the single `port` (the Kubernetes documentation warns of the latter). After `kubectl apply`, check with
# `kubectl get networkpolicy allow-ingress-32000-32768 -o yaml` that `endPort` is still there, and
# probe a port inside the range. Without it, the rule is this:

# %% [markdown] lang="zh-CN"
# 在真实集群上，“1.25+” 很重要：`endPort` 在 Kubernetes 1.25 中进入稳定状态（从 1.22 起为
# Beta，默认启用）。不支持该特性的 API 服务器会**静默丢弃这个字段**，把规则存成只有 32000
# 一个端口；没有实现 `endPort` 的网络插件则只把规则应用到单个 `port` 上（Kubernetes
# 文档对后一种情况有警告）。执行 `kubectl apply` 之后，用 `kubectl get networkpolicy
# allow-ingress-32000-32768 -o yaml` 确认 `endPort` 还在，并探测范围内的某个端口。少了
# `endPort`，规则就成了这样：

# %%
dropped = Engine(cluster.merged(load_string(RANGE.replace("      endPort: 32768\n", ""))))
PortTable(dropped, "x/a", EDGES, dsts=["default/api"])

# %% tags=["check"]
assert PortTable(dropped, "x/a", EDGES, dsts=["default/api"]).reachable("default/api") == ("TCP/32000",)

# %% [markdown]
# ## The chapter's list, all together
#
# The entries of one `ports` list are alternatives: a connection matches if it matches any of them.
# Here is the chapter's whole fragment in one rule, its comments kept as the chapter writes them: TCP
# port 80; "UDP port range (needs K8s 1.25+)", the misplaced one above (the entry is one UDP port, 53,
# on any version); named port; port range (K8s 1.25+).

# %% [markdown] lang="zh-CN"
# ## 本章的端口列表，合在一起
#
# 同一个 `ports` 列表中的各项互为备选：连接只要匹配其中任意一项即可。下面把本章的整个片段放进一条规则，注释保持本章的原样：TCP 端口 80；`# UDP 端口范围(需要 K8s 1.25+)`，即上文那条放错位置的注释（这一项只是一个 UDP 端口 53，在任何版本上都可用）；命名端口；端口范围（K8s 1.25+）。

# %%
CHAPTER_PORTS = ingress_policy("allow-ingress-chapter-ports", """\
    # TCP 端口 80
    - protocol: TCP
      port: 80
    # UDP 端口范围(需要 K8s 1.25+)
    - protocol: UDP
      port: 53
    # 命名端口
    - protocol: TCP
      port: http
    # 端口范围(K8s 1.25+)
    - protocol: TCP
      port: 32000
      endPort: 32768
""")
print(CHAPTER_PORTS)

# %% [markdown]
# **Predict:** from `x/a`, which of these reach `default/web`?

# %% [markdown] lang="zh-CN"
# **预测：** 从 `x/a` 出发，下面哪些能到达 `default/web`？

# %%
chapter = Engine(cluster.merged(load_string(CHAPTER_PORTS)))
ALL = [(80, "TCP"), (53, "UDP"), (8080, "TCP"), (32080, "TCP"), (5432, "TCP")]
everything = PortTable(chapter, "x/a", ALL, dsts=DEFAULT_PODS)
choice("04-chapter-list", ["TCP/80", "UDP/53", "TCP/8080", "TCP/32080", "TCP/5432"],
       everything.reachable("default/web"), multiple=True, more=lambda: everything)

# %% tags=["check"]
assert everything.reachable("default/api") == ("TCP/80", "UDP/53", "TCP/8080", "TCP/32080")
assert everything.reachable("default/web") == ("TCP/80", "UDP/53", "TCP/32080")
assert everything.reachable("default/db") == ("TCP/80", "UDP/53", "TCP/32080")  # no http port, no 5432

# %% [markdown]
# ## The chapter's list in the playground
#
# The same policy in the playground, one matrix per probe (it opens on TCP/8080; pick others in the
# *probe* menu). Compare the columns of `web` and `backend`; edit the list and watch the cells change.

# %% [markdown] lang="zh-CN"
# ## 在演练场中查看本章的端口列表
#
# 把同一条策略放进演练场，每个探测一张矩阵（初始显示 TCP/8080；可在“探测”菜单中选择其他探测）。比较
# `web` 和 `backend` 这两列；编辑端口列表，观察单元格如何变化。

# %%
Playground(cluster, CHAPTER_PORTS, probes=[(8080, "TCP"), (80, "TCP"), (53, "UDP"), (32080, "TCP"), (5432, "TCP")])

# %% [markdown]
# ## Exercise: each pod's own http port, and a range
#
# Named ports and `endPort` in one rule. The checker probes nine ports, the range's edges among them,
# between the pods and from a few addresses outside the cluster.

# %% [markdown] lang="zh-CN"
# ## 练习：每个 Pod 自己的 http 端口，再加一个范围
#
# 在一条规则中同时使用命名端口和 `endPort`。检查器会探测九个端口，其中包括范围的两端边界；既探测 Pod 之间的连接，也探测来自几个集群外部地址的连接。

# %%
ports_exercise = Exercise.get("04-ports")
ports_exercise.show()

# %% tags=["check"]
assert not ports_exercise.check(ports_exercise.starter_yaml).passed

# %% [markdown]
# ## What next
#
# Notebook [`05-default-deny`](05-default-deny.ipynb) writes policies with no rules at all: the default denies, and what
# they break.

# %% [markdown] lang="zh-CN"
# ## 下一步
#
# 笔记本 [`05-default-deny`](05-default-deny.ipynb) 编写完全没有规则的策略：默认拒绝策略，以及它们会破坏什么。

# %%
from npkit.course import what_next

what_next("04")
