# %% [markdown]
# # 04 · Ports
#
# A rule's `ports` narrow it: the connection must match one of the entries, by **protocol** and
# **port**. The chapter's *端口匹配* (port matching) lists four kinds of entry: a TCP port, a UDP
# port, a **named** port, and a port **range**. A matrix answers one port at a time, so this notebook
# also uses a *port table*: one source, several destinations, several ports side by side.

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
    """A policy that isolates every pod of `default` for ingress and lets in, from anywhere, the given
    `ports:` list (YAML indented for a rule). No `from`: only the ports decide."""
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

# %%
TCP_AND_UDP = ingress_policy("allow-ingress-tcp-80-udp-53", """\
    # TCP 端口 80 (TCP port 80)
    - protocol: TCP
      port: 80
    - protocol: UDP
      port: 53
""")
tcp_udp = Engine(cluster.merged(load_string(TCP_AND_UDP)))

# %% [markdown]
# **Predict:** DNS is "port 53". Can `x/a` open a **TCP** connection to port 53 of `default/db`?

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
# to it. On a real cluster you tell the two apart by how the probe fails: *connection refused*
# means the policy let the packet through and nothing listened; a *timeout* means it was dropped.
#
# ## The misplaced comment
#
# In the chapter, the UDP entry carries the comment `# UDP 端口范围(需要 K8s 1.25+)` — "UDP port
# **range** (needs Kubernetes 1.25+)". The entry is a single port, 53, and a single port has worked
# on every version. The range is the chapter's last entry (`endPort`), below. Port 53 alone, with
# its neighbours:

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

# %%
NAMED = ingress_policy("allow-ingress-http", """\
    # 命名端口 (named port)
    - protocol: TCP
      port: http
""")
named = Engine(cluster.merged(load_string(NAMED)))
print(NAMED)

# %% [markdown]
# **Predict:** can `x/a` reach `default/backend` on TCP 80?

# %%
ports = PortTable(named, "x/a", [(80, "TCP"), (8080, "TCP"), (5432, "TCP")], dsts=DEFAULT_PODS)
question("04-named-port", named, "x/a", "default/backend", 80, more=lambda: ports)

# %% tags=["check"]
assert ports.reachable("default/web") == ("TCP/80",) and ports.reachable("default/frontend") == ("TCP/80",)
assert ports.reachable("default/backend") == ("TCP/8080",) and ports.reachable("default/api") == ("TCP/8080",)
assert ports.reachable("default/db") == () and ports.reachable("default/scanner") == ()

# %% [markdown]
# ### In the engine's words
#
# Why `backend` refuses TCP 80 and accepts 8080 under the same entry:

# %%
print(ports.explain("default/backend", "TCP/80"))

# %% [markdown]
# In an **egress** rule the destination is the peer, so the name is looked up on the pod being
# connected to. An address outside the cluster has no container ports, so a named port never matches
# it:

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

# %%
RANGE = ingress_policy("allow-ingress-32000-32768", """\
    # 端口范围(K8s 1.25+) (port range, Kubernetes 1.25+)
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
# ### Ranges the API server refuses
#
# `endPort` needs a numeric `port` and may not be below it; the API server refuses anything else,
# and so does npkit:

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
# the single `port` (the Kubernetes documentation warns of both). After `kubectl apply`, check with
# `kubectl get networkpolicy allow-ingress-32000-32768 -o yaml` that `endPort` is still there, and
# probe a port inside the range. Without it, the rule is this:

# %%
dropped = Engine(cluster.merged(load_string(RANGE.replace("      endPort: 32768\n", ""))))
PortTable(dropped, "x/a", EDGES, dsts=["default/api"])

# %% tags=["check"]
assert PortTable(dropped, "x/a", EDGES, dsts=["default/api"]).reachable("default/api") == ("TCP/32000",)

# %% [markdown]
# ## The chapter's list, all together
#
# The entries of one `ports` list are alternatives: a connection matches if it matches any of them.
# Here is the chapter's whole fragment in one rule (its comments kept, the misplaced one flagged).

# %%
CHAPTER_PORTS = ingress_policy("allow-ingress-chapter-ports", """\
    # TCP 端口 80 (TCP port 80)
    - protocol: TCP
      port: 80
    # UDP 端口范围(需要 K8s 1.25+) — the chapter's comment; this entry is one UDP port, 53, on any version
    - protocol: UDP
      port: 53
    # 命名端口 (named port)
    - protocol: TCP
      port: http
    # 端口范围(K8s 1.25+) (port range, Kubernetes 1.25+)
    - protocol: TCP
      port: 32000
      endPort: 32768
""")
print(CHAPTER_PORTS)

# %% [markdown]
# **Predict:** from `x/a`, which of these reach `default/web`?

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
# ### In the playground
#
# The same policy in the playground, one matrix per probe (it opens on TCP/8080; pick others in the
# *probe* menu). Compare the columns of `web` and `backend`; edit the list and watch the cells change.

# %%
Playground(cluster, CHAPTER_PORTS, probes=[(8080, "TCP"), (80, "TCP"), (53, "UDP"), (32080, "TCP"), (5432, "TCP")])

# %% [markdown]
# ## Exercise: each pod's own http port, and a range
#
# Named ports and `endPort` in one rule. The checker probes nine ports, the range's edges among them.

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

# %%
from npkit.course import what_next

what_next("04")
