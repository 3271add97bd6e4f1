# %% [markdown]
# # 07 · Calico policy
#
# Calico enforces Kubernetes NetworkPolicy, and adds its own policy kinds on top: ordered
# **tiers**, policies with an **order**, and rules with explicit actions **Allow, Deny, Pass and
# Log**. This notebook goes through the chapter's Calico examples, evaluates each one, and shows
# where a real cluster does more than the chapter says.
#
# ## Which Calico runs these examples
#
# The chapter's Calico objects are not all available everywhere (sources in `docs/sources.md`):
#
# - **`Tier` objects and a tier's `defaultAction`** came to open-source Calico in **3.29**. Before,
#   only Calico Enterprise had tiers, so the chapter's `tier: security` needs Calico ≥ 3.29. Every
#   Calico version, from 3.29 on and before it, ends a tier that applies to a pod with a drop
#   unless the tier's `defaultAction` is `Pass` (below): before 3.29 there was just the one
#   implicit tier, and it ends the same way.
# - On **3.29–3.31** a policy in a tier other than `default` must be **named `<tier>.<name>`**
#   (`security.block-malicious-ips`); 3.32 drops that rule (the old names are migrated).
# - `projectcalico.org/v3` objects are applied with **`calicoctl apply`**, or with **`kubectl`**
#   once the Calico API server is installed (operator installs include it; 3.32 also offers, as a
#   tech preview, to serve the v3 API as plain CRDs without it); plain `kubectl` on a cluster
#   with neither says *no matches for kind "GlobalNetworkPolicy"*.
# - Calico **3.32** has three built-in tiers: `kube-admin`, `default`, `kube-baseline`
#   (notebook 08). npkit models 3.32.

# %% [markdown] lang="zh-CN"
# # 07 · Calico 策略
#
# Calico 负责实施 Kubernetes NetworkPolicy，并在此之上增加了自己的策略类型：有顺序的 **Tier**、带 **order**（顺序）的策略，以及带显式动作 **Allow、Deny、Pass
# 和 Log** 的规则。本笔记本逐一讲解本章的 Calico 示例，对每个示例求值，并指出真实集群在哪些地方比本章所说的做得更多。
#
# ## 这些示例需要哪个版本的 Calico
#
# 本章的 Calico 对象并非在所有环境中都可用（来源见 `docs/sources.md`）：
#
# - **`Tier` 对象以及 Tier 的 `defaultAction`** 在 **3.29** 版本进入开源 Calico。在此之前只有 Calico
#   Enterprise 有 Tier，所以本章的 `tier: security` 需要 Calico ≥ 3.29。每个 Calico 版本（无论是 3.29
#   起还是更早）都会这样处理：当某个 Tier 适用于一个 Pod 时，除非该 Tier 的 `defaultAction` 是
#   `Pass`，否则该 Tier 的策略走完后以丢弃告终（见下文）；3.29 之前只有唯一一个隐式的 Tier，它的结尾也是一样。
# - 在 **3.29–3.31** 中，位于 `default` 以外的 Tier 中的策略必须**命名为 `<tier>.<name>`**（如
#   `security.block-malicious-ips`）；3.32 取消了这条规定（旧名称会被迁移）。
# - `projectcalico.org/v3` 对象用 **`calicoctl apply`** 应用；安装了 Calico API 服务器之后，也可以用 **`kubectl`**（通过
#   operator 安装时会包含它；3.32 还以技术预览的形式提供了不需要它、直接以 CRD 提供 v3 API
#   的方式）。在两者都没有的集群上，直接用 `kubectl` 会报错 *no matches for kind
#   "GlobalNetworkPolicy"*。
# - Calico **3.32** 有三个内置 Tier：`kube-admin`、`default` 和 `kube-baseline`（见笔记本 08）。npkit
#   按 3.32 建模。

# %%
from npkit.course import Exercise, chapter_example, external, intro, model_cluster
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.model import InputError
from npkit.course.questions import choice, predict, question
from npkit.widgets import SelectorLab, SelectorLabState, show_connections, show_matrix, show_verdict
from npkit.widgets.selector_lab import GLOBAL

intro("07")

# %%
cluster = model_cluster("app")
MALICIOUS, INTERNET = external()["malicious"].ip, external()["internet"].ip


def engine_with(*texts: str, l7: bool = False) -> Engine:
    """The app cluster (namespace default and the cluster DNS) with these objects applied."""
    return Engine(cluster.merged(load_string("\n---\n".join(texts))), l7=l7)


open_engine = engine_with()
open_80 = show_matrix(open_engine, 80).matrix

# %% tags=["check"]
assert (MALICIOUS, INTERNET) == ("1.2.3.4", "8.8.8.8") and open_80.allowed.all()

# %% [markdown]
# ## Calico next to Kubernetes NetworkPolicy
#
# The chapter's table (Calico 提供了超越 K8s 原生 NetworkPolicy 的功能 — Calico goes beyond native
# NetworkPolicy), with what npkit lets you see for each row:
#
# | 功能 (feature) | K8s NetworkPolicy | Calico NetworkPolicy | in npkit |
# |---|---|---|---|
# | 命名空间作用域 (scope) | 是 (namespaced) | 是 + GlobalNetworkPolicy | both kinds load and evaluate; `deny-external-egress` below |
# | 规则顺序 (rule order) | 无(并集) none: the union of allows | 有(Tier + Order) tiers, then order | every explanation lists tiers and orders; the trace below |
# | 拒绝规则 (deny rules) | 隐式 implicit: isolation | 显式 Allow/Deny/Pass/Log | `explicit-deny-with-log`, Pass below |
# | 应用层策略 (application layer) | 否 no | 是(HTTP、DNS) | HTTP only with Istio + Dikastes: `Engine(..., l7=True)`; `allow-specific-http` below |
# | 日志 (logging) | 否 no | 是 the `Log` action | `verdict.ingress.logged` / `.egress.logged`; notebook 09 |
# | 主机端点 (host endpoints) | 否 no | 是 HostEndpoint | loaded and skipped with a warning: npkit models pods |
# | 全局策略 (global policies) | 否 no | 是 GlobalNetworkPolicy | as the first row |
# | ICMP 规则 (ICMP rules) | 有限 limited | 完整 full: type and code | `protocol: ICMP` with `icmp: {type, code}`; probes with `icmp_type=` |
#
# Kubernetes NetworkPolicies live inside Calico's model: each becomes a policy in tier `default`
# at order 1000, with Allow rules only. The tiers every Calico 3.32 cluster has:

# %% [markdown] lang="zh-CN"
# ## Calico 与 Kubernetes NetworkPolicy 对比
#
# 本章的对比表（“Calico 提供了超越 K8s 原生 NetworkPolicy 的功能”），每一行都附上了在 npkit
# 中可以看到的内容：
#
# | 功能 | K8s NetworkPolicy | Calico NetworkPolicy | 在 npkit 中 |
# |---|---|---|---|
# | 命名空间作用域 | 是 | 是 + GlobalNetworkPolicy | 两种类型都能加载和求值；见下文的 `deny-external-egress` |
# | 规则顺序 | 无(并集) | 有(Tier + Order) | 先按 Tier、再按 order；每条解释都会列出 Tier 和 order，见下文的追踪 |
# | 拒绝规则 | 隐式 | 显式 Allow/Deny/Pass/Log | Kubernetes 的拒绝来自隔离；见下文的 `explicit-deny-with-log` 和 Pass |
# | 应用层策略 | 否 | 是(HTTP、DNS) | HTTP 只在装有 Istio + Dikastes 时生效：`Engine(..., l7=True)`；见下文的 `allow-specific-http` |
# | 日志 | 否 | 是 | 即 `Log` 动作：`verdict.ingress.logged` / `.egress.logged`；见笔记本 09 |
# | 主机端点 | 否 | 是 | 即 HostEndpoint：会被加载，但会被跳过并给出警告，因为 npkit 只对 Pod 建模 |
# | 全局策略 | 否 | 是 | 即 GlobalNetworkPolicy，同第一行 |
# | ICMP 规则 | 有限 | 完整 | 完整是指可按 type 和 code 匹配：`protocol: ICMP` 加 `icmp: {type, code}`；探测时用 `icmp_type=` |
#
# Kubernetes NetworkPolicy 也在 Calico 的模型之内：每一条都成为 Tier `default` 中 order 为 1000
# 的一条策略，只含 Allow 规则。每个 Calico 3.32 集群都有的 Tier 如下：

# %%
tiers = [(t.name, t.order, t.default_action) for t in open_engine.program.tiers]
for name, order, action in tiers:  # a Tier's name, spec.order and spec.defaultAction
    print(f"{name + ':':15} order: {order:<10.0f} defaultAction: {action}")

# %% tags=["check"]
assert tiers == [("kube-admin", 1000, "Pass"), ("default", 1_000_000, "Deny"), ("kube-baseline", 10_000_000, "Pass")]

# %% [markdown]
# A name with the 3.29–3.31 tier prefix and one without are the same policy to npkit (and to 3.32,
# which migrates the old names). The chapter's `block-malicious-ips`, both ways:

# %% [markdown] lang="zh-CN"
# 对 npkit 来说（对会迁移旧名称的 3.32 也一样），带有 3.29–3.31 式 Tier
# 前缀的名称和不带前缀的名称指的是同一条策略。本章的 `block-malicious-ips`，两种写法：

# %%
PREFIXED = chapter_example("block-malicious-ips").replace("name: block-malicious-ips", "name: security.block-malicious-ips")
for text in (chapter_example("block-malicious-ips"), PREFIXED):
    policy = load_string(text).calico_policies[0]
    print(f"name: {policy.name:34} tier: {policy.tier}  order: {policy.order:g}")

# %% [markdown]
# ## The Calico selector language
#
# Calico selectors are expressions, not `matchLabels` maps: `app == 'web'`, `app != 'web'`,
# `app in {'web', 'api'}`, `has(suspicious)`, `!has(suspicious)`, `all()`, joined with `&&`,
# `||` and parentheses. Values are always quoted. A Calico `NetworkPolicy` selects pods of its own
# namespace only; a `GlobalNetworkPolicy` selects pods of every namespace.
#
# **Predict:** in a GlobalNetworkPolicy, which pods of the course cluster does
# `app in {'web', 'api'} && !has(suspicious)` select?

# %% [markdown] lang="zh-CN"
# ## Calico 选择器语言
#
# Calico 选择器是表达式，而不是 `matchLabels` 那样的映射：`app == 'web'`、`app != 'web'`、`app in
# {'web', 'api'}`、`has(suspicious)`、`!has(suspicious)`、`all()`，并可以用 `&&`、`||`
# 和括号组合。值总是要加引号。Calico `NetworkPolicy` 只选择它所在命名空间中的
# Pod；`GlobalNetworkPolicy` 选择所有命名空间中的 Pod。
#
# **预测：** 在 GlobalNetworkPolicy 中，`app in {'web', 'api'} && !has(suspicious)`
# 会选中课程集群中的哪些 Pod？

# %%
SELECTOR = "app in {'web', 'api'} && !has(suspicious)"
picked = SelectorLabState(model_cluster(), SELECTOR, mode="calico", namespace=GLOBAL).selection.pods
candidates = ["default/web", "default/api", "frontend/web", "default/scanner", "default/frontend"]
choice("07-calico-selector", candidates, [c for c in candidates if c in picked], multiple=True,
       more=lambda: SelectorLab(model_cluster(), SELECTOR, mode="calico", namespace=GLOBAL))

# %% tags=["check"]
selector_lab = SelectorLab(model_cluster(), SELECTOR, mode="calico", namespace=GLOBAL)
assert selector_lab.state.selection.pods == ("default/api", "default/web", "frontend/web")
namespaced = SelectorLab(model_cluster(), "app == 'web'", mode="calico", namespace="default")
assert namespaced.state.selection.pods == ("default/web",)  # frontend/web is out of a namespaced policy's reach

# %% [markdown]
# ## GlobalNetworkPolicy `deny-external-egress`
#
# The chapter blocks egress to the internet for every pod: `selector: all()`, one rule that
# denies destinations **not** in the private ranges.

# %% [markdown] lang="zh-CN"
# ## GlobalNetworkPolicy `deny-external-egress`
#
# 本章为每个 Pod 阻止了通往互联网的出站流量：`selector: all()`，加上一条规则，拒绝**不在**私有地址范围内的目标。

# %%
print(chapter_example("deny-external-egress"))

# %% [markdown]
# **Predict:** the rule only denies public addresses. Can `default/frontend` still reach
# `default/web` (a private 10.244.x address) on TCP 80?

# %% [markdown] lang="zh-CN"
# **预测：** 这条规则只拒绝公网地址。`default/frontend` 还能通过 TCP 80 访问 `default/web`（一个私有的 10.244.x
# 地址）吗？

# %%
deny_external = engine_with(chapter_example("deny-external-egress"))
question("07-deny-external", deny_external, "default/frontend", "default/web", 80,
         more=lambda: show_matrix(deny_external, 80, before=open_80))

# %% tags=["check"]
why = show_verdict(deny_external, "default/frontend", "default/web", 80)
assert not why.allowed and why.verdict.egress.decision.kind == "end-of-tier"
assert not deny_external.allowed("default/web", "kube-system/coredns", 53, "UDP")
view = show_matrix(deny_external, 80, before=open_80)
assert all(src == dst for src, dst in view.matrix.pairs(True))  # every pod reaches only itself

# %% [markdown]
# ### A tempting fix: a final `Pass` rule
#
# `Pass` ends the current tier and moves on to the next one. Add `- action: Pass` as the last
# rule, so private destinations leave tier `default` instead of hitting its end. But tier
# `default` is also where the namespace's Kubernetes NetworkPolicies live.
#
# **Predict:** namespace `default` also has the chapter's `default-deny-egress`. With the
# passing `deny-external-egress`, can `default/web` reach `default/backend` on TCP 8080?

# %% [markdown] lang="zh-CN"
# ### 一个诱人的修复：最后加一条 `Pass` 规则
#
# `Pass` 结束当前 Tier，转到下一个 Tier。把 `- action: Pass` 加为最后一条规则，私有目标就会离开 Tier
# `default`，而不是走到它的末尾。但 Tier `default` 也正是该命名空间的 Kubernetes NetworkPolicy
# 所在的地方。
#
# **预测：** 命名空间 `default` 中还有本章的 `default-deny-egress`。加上带 Pass 的
# `deny-external-egress` 之后，`default/web` 能通过 TCP 8080 访问 `default/backend` 吗？

# %%
PASSING = chapter_example("deny-external-egress") + "  - action: Pass\n"
print(PASSING)
passing = engine_with(chapter_example("default-deny-egress"), PASSING)
question("07-pass-in-default", passing, "default/web", "default/backend", 8080)

# %% tags=["check"]
assert passing.allowed("default/web", "default/backend", 8080)
assert not engine_with(chapter_example("default-deny-egress")).allowed("default/web", "default/backend", 8080)
assert not passing.allowed("default/web", INTERNET, 443)

# %% [markdown]
# ### The fix: a tier of its own that passes
#
# Put the policy in its own tier, ordered **before** `default` (lower order) and with
# `defaultAction: Pass`. Public destinations are denied there; everything else passes on to tier
# `default`, where the Kubernetes policies decide exactly as before.

# %% [markdown] lang="zh-CN"
# ### 修复：放进一个会 Pass 的独立 Tier
#
# 把这条策略放进它自己的 Tier，排在 `default` **之前**（order 更小），并设置 `defaultAction:
# Pass`。公网目标在这里被拒绝；其余流量都交给 Tier `default`，由 Kubernetes 策略像以前一样做出判定。

# %%
EGRESS_GUARD = """\
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: egress-guard
spec:
  order: 100            # 在 Tier default（1,000,000）之前  #en: before tier default
  defaultAction: Pass   # 未拒绝的流量交给下一个 Tier  #en: what it does not deny goes on to the next tier
"""
GUARDED = chapter_example("deny-external-egress").replace("spec:\n", "spec:\n  tier: egress-guard\n", 1)
print(EGRESS_GUARD + "---\n" + GUARDED)
guarded = engine_with(EGRESS_GUARD, GUARDED)
guarded_with_k8s = engine_with(EGRESS_GUARD, GUARDED, chapter_example("default-deny-egress"))
connections = show_connections(guarded, [
    ("default/web", INTERNET, 443),
    ("default/web", "default/backend", 8080),
    ("default/web", "kube-system/coredns", 53, "UDP"),
])
connections

# %% tags=["check"]
assert connections.allowed == (False, True, True)
assert not guarded_with_k8s.allowed("default/web", "default/backend", 8080)  # the Kubernetes deny still holds
assert (show_matrix(guarded, 80).matrix.allowed == open_80.allowed).all()

# %% [markdown]
# ### Link-local and shared addresses
#
# `notNets` lists the three RFC 1918 ranges. Two other ranges that clusters use are not in them:
#
# - **169.254.0.0/16, link-local**: NodeLocal DNSCache answers on 169.254.20.10, and cloud
#   metadata services on 169.254.169.254. With NodeLocal DNSCache, pods send their DNS queries
#   there.
# - **100.64.0.0/10, shared address space** (carrier-grade NAT): used by some cloud VPCs, pod
#   networks and VPN overlays.
#
# **Predict:** with `egress-guard` as above, can `default/web` send a DNS query to NodeLocal
# DNSCache at 169.254.20.10 on UDP 53?

# %% [markdown] lang="zh-CN"
# ### 链路本地地址与共享地址空间
#
# `notNets` 列出了 RFC 1918 的三个地址范围。集群会用到的另外两个范围不在其中：
#
# - **169.254.0.0/16，链路本地地址**：NodeLocal DNSCache 在 169.254.20.10 上应答，云平台的元数据服务在 169.254.169.254
#   上。使用 NodeLocal DNSCache 时，Pod 会把 DNS 查询发到那里。
# - **100.64.0.0/10，共享地址空间**（运营商级 NAT）：一些云上的 VPC、Pod 网络和 VPN 覆盖网络会用到它。
#
# **预测：** 在上面的 `egress-guard` 之下，`default/web` 能否通过 UDP 53 向位于 169.254.20.10 的
# NodeLocal DNSCache 发送 DNS 查询？

# %%
LINK_LOCAL = [("default/web", "169.254.20.10", 53, "UDP"), ("default/web", "169.254.169.254", 80),
              ("default/web", "100.64.0.10", 443), ("default/web", "10.100.0.5", 5432)]
question("07-link-local", guarded, "default/web", "169.254.20.10", 53, "UDP",
         more=lambda: show_connections(guarded, LINK_LOCAL))

# %% tags=["check"]
assert show_connections(guarded, LINK_LOCAL).allowed == (False, False, False, True)

# %% [markdown]
# ### Listing them in `notNets`
#
# When the cluster needs these ranges, list them in `notNets` too (here both):

# %% [markdown] lang="zh-CN"
# ### 把它们列进 `notNets`
#
# 集群需要这些范围时，把它们也列进 `notNets`（这里两个都加上）：

# %%
WIDER = GUARDED.replace("      - 192.168.0.0/16\n", "      - 192.168.0.0/16\n      - 169.254.0.0/16   # 链路本地 (link-local)\n"
                        "      - 100.64.0.0/10    # 共享地址空间 (shared address space)\n")
wider = engine_with(EGRESS_GUARD, WIDER)
show_connections(wider, LINK_LOCAL + [("default/web", INTERNET, 443)])

# %% tags=["check"]
assert WIDER != GUARDED
assert show_connections(wider, LINK_LOCAL + [("default/web", INTERNET, 443)]).allowed == (True, True, True, True, False)

# %% [markdown]
# ## Tiers: `security` and `block-malicious-ips`
#
# A Tier groups policies and runs before or after others by its `order`. The chapter creates a
# tier `security` (order 100, before `default`) and a GlobalNetworkPolicy in it (order 10) that
# denies ingress from the network `1.2.3.0/24` (恶意 IP — malicious IPs).

# %% [markdown] lang="zh-CN"
# ## Tier：`security` 与 `block-malicious-ips`
#
# Tier 把策略编成一组，并按自己的 `order` 排在其他 Tier 之前或之后执行。本章创建了 Tier
# `security`（order 100，在 `default` 之前），并在其中放了一条 GlobalNetworkPolicy（order
# 10），拒绝来自网段 `1.2.3.0/24`（本章注释：“恶意 IP”）的入站流量。

# %%
print(chapter_example("block-malicious-ips"))

# %% [markdown]
# **Predict:** with it applied (on Calico ≥ 3.29), can `default/frontend` reach `default/web` on
# TCP 80?

# %% [markdown] lang="zh-CN"
# **预测：** 应用之后（Calico ≥ 3.29），`default/frontend` 能通过 TCP 80 访问 `default/web` 吗？

# %%
security = engine_with(chapter_example("block-malicious-ips"))
SECURITY = [(MALICIOUS, "default/web", 80), (INTERNET, "default/web", 80), ("default/frontend", "default/web", 80)]
question("07-security-tier", security, "default/frontend", "default/web", 80,
         more=lambda: show_connections(security, SECURITY))

# %% tags=["check"]
assert show_connections(security, SECURITY).allowed == (False, False, False)
trace = security.verdict("default/frontend", "default/web", 80).ingress.tiers
assert [(t.name, t.outcome) for t in trace] == [("security", "end-of-tier-deny")]

# %% [markdown]
# ## Explicit Deny and Log: `explicit-deny-with-log`
#
# A Calico rule has an action. Rules run **in order**, and the first that matches decides, except
# `Log`: it writes a log line and evaluation goes on with the next rule.

# %% [markdown] lang="zh-CN"
# ## 显式 Deny 与 Log：`explicit-deny-with-log`
#
# Calico 规则带有动作。规则**按顺序**执行，第一条匹配的规则做出判定；`Log`
# 例外：它写一行日志，然后继续评估下一条规则。

# %%
print(chapter_example("explicit-deny-with-log"))

# %% [markdown]
# Three rules: log the suspicious pods, deny them, allow the frontend. `default/scanner` carries
# the label `suspicious: "true"`.
#
# **Predict** the TCP 80 matrix of these four pods, then *Reveal*:

# %% [markdown] lang="zh-CN"
# 三条规则：记录可疑 Pod 的日志，拒绝它们，允许 frontend。`default/scanner` 带有标签 `suspicious:
# "true"`。
#
# **预测**这四个 Pod 的 TCP 80 矩阵，然后按“揭晓”：

# %%
deny_with_log = engine_with(chapter_example("explicit-deny-with-log"))
predict("07-deny-with-log", deny_with_log, 80, pods=["default/web", "default/frontend", "default/scanner", "default/api"],
        more=lambda: show_verdict(deny_with_log, "default/scanner", "default/web", 80))

# %% tags=["check"]
scanner = deny_with_log.verdict("default/scanner", "default/web", 80)
assert not scanner.allowed and scanner.ingress.decision.rule == "spec.ingress[1]"
assert scanner.ingress.logged == ("NetworkPolicy default/explicit-deny-with-log spec.ingress[0]",)
assert deny_with_log.allowed("default/frontend", "default/web", 80)
assert not deny_with_log.allowed("default/api", "default/web", 80)
assert deny_with_log.allowed("default/scanner", "default/api", 80)

# %% [markdown]
# ## A namespaced policy's rule selectors stay in its namespace
#
# `explicit-deny-with-log` is a namespaced Calico `NetworkPolicy`. Its rules' `source.selector:
# suspicious == 'true'` only matches pods **of its own namespace**, `default`, like a bare
# `podSelector` in a Kubernetes rule. A suspicious pod in another namespace is neither logged nor
# denied by rule 1 (it is still dropped here, at the end of the tier, because nothing allows it;
# but the log line you counted on is missing). To reach every namespace, add
# `namespaceSelector: all()` to the rule's `source`, or write a GlobalNetworkPolicy.
#
# A suspicious pod `x/intruder` connects to `default/web`, first under the policy as the chapter
# writes it:

# %% [markdown] lang="zh-CN"
# ## 命名空间级策略的规则选择器只在本命名空间内生效
#
# `explicit-deny-with-log` 是一条命名空间级的 Calico `NetworkPolicy`。其规则中的 `source.selector:
# suspicious == 'true'` 只匹配**它自己所在命名空间** `default` 中的 Pod，就像 Kubernetes 规则里单独的
# `podSelector` 一样。其他命名空间中的可疑 Pod 既不会被记录日志，也不会被规则 1 拒绝（在这里它仍会在
# Tier 末尾被丢弃，因为没有规则允许它；但你指望的那行日志不见了）。若要覆盖所有命名空间，可以在规则的
# `source` 中加上 `namespaceSelector: all()`，或者改写成 GlobalNetworkPolicy。
#
# 一个可疑的 Pod `x/intruder` 连接 `default/web`，先看本章原样的策略：

# %%
INTRUDER = """apiVersion: v1
kind: Pod
metadata: {name: intruder, namespace: x, labels: {app: intruder, suspicious: "true"}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIP: 10.244.5.66}
"""
ALL_NAMESPACES = chapter_example("explicit-deny-with-log").replace(
    "      selector: suspicious == 'true'", "      selector: suspicious == 'true'\n      namespaceSelector: all()")


def intruding(policy: str) -> Engine:
    """The course cluster with x/intruder and this policy."""
    return Engine(model_cluster().merged(load_string(INTRUDER)).merged(load_string(policy)))


show_verdict(intruding(chapter_example("explicit-deny-with-log")), "x/intruder", "default/web", 80, verbose=False)

# %% [markdown]
# and with `namespaceSelector: all()` in the `source` of the rules:

# %% [markdown] lang="zh-CN"
# 再看在规则的 `source` 中加上 `namespaceSelector: all()` 之后：

# %%
show_verdict(intruding(ALL_NAMESPACES), "x/intruder", "default/web", 80, verbose=False)

# %% tags=["check"]
chapter_way = Engine(model_cluster().merged(load_string(INTRUDER)).merged(
    load_string(chapter_example("explicit-deny-with-log")))).verdict("x/intruder", "default/web", 80)
fixed_way = Engine(model_cluster().merged(load_string(INTRUDER)).merged(
    load_string(ALL_NAMESPACES))).verdict("x/intruder", "default/web", 80)
assert not chapter_way.ingress.logged and fixed_way.ingress.logged
assert fixed_way.ingress.decision.rule == "spec.ingress[1]"

# %% [markdown]
# ## Order: who decides first
#
# Inside a tier, policies run by `order`, lowest first; **no order means last**. Kubernetes
# NetworkPolicies have order 1000. `explicit-deny-with-log` has no order, so it runs after them.
#
# **Predict:** namespace `default` also has the chapter's `allow-same-namespace`. Is the scanner
# still denied (and logged) on its way to `web`?

# %% [markdown] lang="zh-CN"
# ## 顺序：谁先判定
#
# 在同一个 Tier 内，策略按 `order` 从小到大执行；**没有 order 的排在最后**。Kubernetes NetworkPolicy
# 的 order 是 1000。`explicit-deny-with-log` 没有 order，所以排在它们之后。
#
# **预测：** 命名空间 `default` 中还有本章的 `allow-same-namespace`。scanner 访问 `web`
# 时，还会被拒绝（并记录日志）吗？

# %%
with_k8s = engine_with(chapter_example("explicit-deny-with-log"), chapter_example("allow-same-namespace"))
question("07-order", with_k8s, "default/scanner", "default/web", 80)

# %% tags=["check"]
assert with_k8s.allowed("default/scanner", "default/web", 80)
assert not with_k8s.verdict("default/scanner", "default/web", 80).ingress.logged

# %% [markdown]
# ## Exercise: make the explicit Deny come first
#
# Change only the Calico policy so that the scanner is denied again. The playground below runs on
# the exercise's cluster, which already has `allow-same-namespace`; its editor holds the Calico
# policy. Edit it, watch the cell `default/scanner → default/web` and click it for the
# explanation; then write your answer in the exercise and press **Check**.

# %% [markdown] lang="zh-CN"
# ## 练习：让显式 Deny 先生效
#
# 只修改 Calico 策略，让 scanner 重新被拒绝。下面的演练场 运行在练习的集群上，该集群已有
# `allow-same-namespace`；编辑器里是那条 Calico 策略。修改它，观察单元格 `default/scanner →
# default/web`，点击它查看解释；然后在练习中写下你的答案，按**检查**。

# %%
order_exercise = Exercise.get("07-order")
order_exercise.playground()

# %%
order_exercise.show()

# %% tags=["check"]
assert not order_exercise.check(order_exercise.starter_yaml).passed
assert order_exercise.check(order_exercise.solution()).passed

# %% [markdown]
# ## Allow, Deny, Pass, Log
#
# | action | what happens | then |
# |---|---|---|
# | `Allow` | this side (egress of the source, or ingress of the destination) is allowed | nothing else is evaluated for this side |
# | `Deny` | the packet is dropped | nothing else is evaluated |
# | `Pass` | the rest of the **tier** is skipped | the next tier that has a policy for the pod; after the last, the namespace profile (allow) |
# | `Log` | a log line (prefix `calico-packet`) | the next rule: Log never decides |
# | *(nothing matched in a tier that applies)* | the tier's `defaultAction`: `Deny` unless set to `Pass` | "End of tier … Drop if no policies passed packet" |
#
# ## One flow, tier by tier
#
# Put the fixed pieces together: the `egress-guard` tier, `explicit-deny-with-log` with an order
# below 1000 (as in the exercise) and `allow-same-namespace`. Follow `default/scanner → default/web` on TCP 80 through both
# sides, tier by tier: the scanner's egress passes `egress-guard` (no rule matched, default
# Pass), skips `default` (no policy selects it for egress) and ends in its namespace profile;
# `web`'s ingress meets tier `default`, where the Calico policy logs and denies before the
# Kubernetes policy is reached.

# %% [markdown] lang="zh-CN"
# ## Allow、Deny、Pass、Log
#
# | 动作 | 发生什么 | 接下来 |
# |---|---|---|
# | `Allow` | 这一侧（来源的出站，或目标的入站）被允许 | 这一侧不再评估任何其他内容 |
# | `Deny` | 数据包被丢弃 | 不再评估任何其他内容 |
# | `Pass` | 跳过该 **Tier** 中余下的部分 | 转到下一个对该 Pod 有策略的 Tier；最后一个 Tier 之后，交给命名空间的 profile（允许） |
# | `Log` | 写一行日志（前缀为 `calico-packet`） | 继续下一条规则：Log 从不做出判定 |
# | *（在一个适用的 Tier 中没有任何规则匹配）* | 该 Tier 的 `defaultAction`：除非设为 `Pass`，否则为 `Deny` | "End of tier … Drop if no policies passed packet" |
#
# ## 一条流量，逐个 Tier 追踪
#
# 把修复后的几部分合在一起：`egress-guard` Tier、order 小于 1000 的
# `explicit-deny-with-log`（与练习中一样），以及 `allow-same-namespace`。沿着 TCP 80 上的
# `default/scanner → default/web`，逐个 Tier 追踪两侧：scanner 的出站经过
# `egress-guard`（没有规则匹配，默认 Pass），跳过 `default`（没有策略针对出站选中它），最后由它所在命名空间的
# profile 决定；`web` 的入站进入 Tier `default`，在那里，Calico 策略在轮到 Kubernetes
# 策略之前就记录了日志并拒绝了它。

# %%
ORDERED = order_exercise.solution()
stack = engine_with(EGRESS_GUARD, GUARDED, ORDERED, chapter_example("allow-same-namespace"))
flow = show_verdict(stack, "default/scanner", "default/web", 80)
flow

# %% tags=["check"]
egress, ingress = flow.verdict.egress, flow.verdict.ingress
assert [(t.name, t.outcome) for t in egress.tiers] == [("egress-guard", "default-pass")] and egress.allowed
assert [(t.name, t.outcome) for t in ingress.tiers] == [("default", "deny")] and not ingress.allowed
assert [p.outcome for p in ingress.tiers[0].policies] == ["deny", "not-reached"]

# %% [markdown]
# The same stack lets the frontend in (explanation below) and keeps public addresses out:

# %% [markdown] lang="zh-CN"
# 同一组策略放行了 frontend（解释见下），并把公网地址挡在外面：

# %%
show_verdict(stack, "default/frontend", "default/web", 80, verbose=False)

# %% tags=["check"]
assert stack.allowed("default/frontend", "default/web", 80) and not stack.allowed("default/frontend", INTERNET, 443)

# %% [markdown]
# ## ICMP, host endpoints and DNS rules
#
# The last rows of the table. **ICMP**: a Kubernetes NetworkPolicy cannot name ICMP at all; a
# rule without `ports` allows every protocol, ICMP included, and a rule with ports allows none
# of it. A Calico rule matches ICMP by type and code. This one, in a tier of its own that passes
# what it does not decide, lets anyone ping `web` (type 8, echo request) and denies other ICMP:

# %% [markdown] lang="zh-CN"
# ## ICMP、主机端点和 DNS 规则
#
# 对比表的最后几行。**ICMP**：Kubernetes NetworkPolicy 根本无法指定 ICMP；没有 `ports`
# 的规则允许所有协议，包括 ICMP；带有端口的规则则完全不允许 ICMP。Calico 规则可以按 type 和 code 匹配
# ICMP。下面这条策略放在一个独立的 Tier 中，该 Tier 把自己不做判定的流量 Pass 下去；它允许任何来源
# ping `web`（type 8，回显请求），并拒绝其他 ICMP：

# %%
PING = """\
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: platform
spec:
  order: 200
  defaultAction: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: allow-ingress-ping-to-web
spec:
  tier: platform
  selector: app == 'web'
  types:
  - Ingress
  ingress:
  - action: Allow
    protocol: ICMP
    icmp:
      type: 8        # 回显请求，即 ping  #en: echo request
  - action: Deny
    protocol: ICMP   # 其他所有 ICMP 类型  #en: every other ICMP type
"""
ping = engine_with(PING)
ICMP_ECHO, ICMP_TIMESTAMP = 8, 13
show_verdict(ping, INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_TIMESTAMP, verbose=False)

# %% tags=["check"]
assert ping.allowed(INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_ECHO)
assert not ping.allowed(INTERNET, "default/web", None, "ICMP", icmp_type=ICMP_TIMESTAMP)
assert ping.allowed(INTERNET, "default/web", 80)  # TCP passes on to the next tiers

# %%
K8S_ICMP = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-ping-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - ports:
    - protocol: ICMP
"""
try:
    load_string(K8S_ICMP, filename="k8s-icmp.yaml")
except InputError as error:
    icmp_refused = error
    print(error)

# %% tags=["check"]
assert "ICMP" in str(icmp_refused)

# %% [markdown]
# **Host endpoints** (a node's interfaces as policy targets) are outside npkit's model: it
# evaluates pods. A HostEndpoint loads with a warning and is skipped. **DNS rules** (domain names
# in a rule) are a feature of the commercial Calico Enterprise and Calico Cloud: the open-source
# API has no `domains` field, and npkit rejects it as an unknown field.

# %% [markdown] lang="zh-CN"
# **主机端点**（把节点的网络接口作为策略目标）不在 npkit 的模型之内：npkit 只对 Pod 求值。HostEndpoint
# 加载时会给出一条警告，然后被跳过。**DNS 规则**（在规则中写域名）是商业版 Calico Enterprise 和 Calico
# Cloud 的功能：开源版的 API 没有 `domains` 字段，npkit 会把它当作未知字段拒绝。

# %%
HOST_ENDPOINT = """\
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata:
  name: node1-eth0
spec:
  node: node1
  interfaceName: eth0
  expectedIPs: ["192.168.1.10"]
"""
loaded = load_string(HOST_ENDPOINT, filename="host-endpoint.yaml")
print(loaded.diagnostics[0])
DOMAINS = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: allow-egress-to-example-com
spec:
  selector: all()
  types:
  - Egress
  egress:
  - action: Allow
    destination:
      domains: ["example.com"]
"""
try:
    load_string(DOMAINS, filename="domains.yaml")
except InputError as error:
    domains_refused = error
    print(error)

# %% tags=["check"]
assert [d.severity for d in loaded.diagnostics] == ["warning"]
assert "domains" in str(domains_refused)

# %% [markdown]
# ## NetworkSet and GlobalNetworkSet: address lists with labels
#
# The chapter writes addresses into each rule (`nets: [1.2.3.0/24]`). Calico can also hold them
# in a **`GlobalNetworkSet`** (cluster-wide) or a **`NetworkSet`** (in a namespace): a list of
# CIDRs with labels. A rule then selects the set by its labels, like pods, with `selector:`. A
# security team can update the set without touching any policy. (A namespaced `NetworkSet` is
# matched like a pod of its namespace: by the rule selectors of that namespace's policies, and by
# rules that reach the namespace with a `namespaceSelector` or from a GlobalNetworkPolicy. A
# namespaced policy reaches a `GlobalNetworkSet` with `namespaceSelector: global()`.)

# %% [markdown] lang="zh-CN"
# ## NetworkSet 与 GlobalNetworkSet：带标签的地址列表
#
# 本章把地址直接写进每条规则（`nets: [1.2.3.0/24]`）。Calico 也可以把地址放进 **`GlobalNetworkSet`**（集群范围）或 **`NetworkSet`**（某个命名空间内）：一个带标签的
# CIDR 列表。规则再像选择 Pod 那样，用 `selector:` 按标签选中这个集合。安全团队可以更新集合，而无需改动任何策略。（命名空间级的
# `NetworkSet` 像它所在命名空间中的 Pod 一样被匹配：该命名空间中策略的规则选择器能匹配到它，用
# `namespaceSelector` 覆盖到该命名空间的规则、以及 GlobalNetworkPolicy 的规则也能匹配到它。命名空间级的策略要用
# `namespaceSelector: global()` 才能匹配到 `GlobalNetworkSet`。）

# %%
BLOCKLIST = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: threat-feed
  labels:
    threat-feed: blocklist
spec:
  nets:
  - 1.2.3.0/24
  - 203.0.113.0/24
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: security
spec:
  order: 100
  defaultAction: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-ingress-from-threat-feed
spec:
  tier: security
  selector: all()
  types:
  - Ingress
  ingress:
  - action: Deny
    source:
      selector: threat-feed == 'blocklist'
"""
blocklist = engine_with(BLOCKLIST)
show_connections(blocklist, [(MALICIOUS, "default/web", 80), ("203.0.113.9", "default/web", 80),
                             (INTERNET, "default/web", 80), ("default/frontend", "default/web", 80)])

# %% tags=["check"]
assert [blocklist.allowed(s, "default/web", 80) for s in (MALICIOUS, "203.0.113.9", INTERNET, "default/frontend")] \
    == [False, False, True, True]

# %% [markdown]
# ## Application layer: `allow-specific-http`
#
# The chapter allows only `GET` and `POST` to `/api/v1/users` and `/api/v1/products…` on the `api`
# pods.

# %% [markdown] lang="zh-CN"
# ## 应用层：`allow-specific-http`
#
# 本章在 `api` Pod 上只允许对 `/api/v1/users` 和 `/api/v1/products…` 发出 `GET` 和 `POST` 请求。

# %%
print(chapter_example("allow-specific-http"))

# %% [markdown]
# **Predict:** on a cluster with Calico and no service mesh, can `default/web` send
# `DELETE /api/v1/users` to `default/api` on TCP 8080?

# %% [markdown] lang="zh-CN"
# **预测：** 在装有 Calico、但没有服务网格的集群上，`default/web` 能否通过 TCP 8080 向 `default/api`
# 发送 `DELETE /api/v1/users`？

# %%
http = engine_with(chapter_example("allow-specific-http"))
delete_allowed = http.allowed("default/web", "default/api", 8080, http_method="DELETE", http_path="/api/v1/users")
choice("07-http", ["allowed", "denied"], "allowed" if delete_allowed else "denied",
       more=lambda: show_verdict(http, "default/web", "default/api", 8080, http_method="DELETE",
                                 http_path="/api/v1/users"))

# %% [markdown]
# ## Felix alone, and with Istio + Dikastes
#
# The evaluator's `l7=True` shows what the rule would do with Istio and Calico's Dikastes installed
# (then it applies to ingress only, and only to Allow rules), next to Felix alone (`✓` allowed, `·`
# denied):

# %% [markdown] lang="zh-CN"
# ## 只有 Felix，以及加上 Istio + Dikastes
#
# 引擎的 `l7=True` 展示了装有 Istio 和 Calico 的 Dikastes 时这条规则会做什么（这时 HTTP
# 匹配只作用于入站，且只作用于 Allow 规则），并与只有 Felix 时对比（`✓` 表示允许，`·` 表示拒绝）：

# %%
dikastes = engine_with(chapter_example("allow-specific-http"), l7=True)
REQUESTS = [("GET", "/api/v1/users"), ("POST", "/api/v1/products/42"), ("DELETE", "/api/v1/users"),
            ("GET", "/api/v1/users/7"), ("GET", "/admin")]
answers = {}
print(f"{'':29} {'Felix':7} Felix + Istio + Dikastes")
for method, path in REQUESTS:
    answers[method, path] = tuple(e.allowed("default/web", "default/api", 8080, http_method=method, http_path=path)
                                  for e in (http, dikastes))
    felix, with_l7 = ("✓" if ok else "·" for ok in answers[method, path])
    print(f"{method:6} {path:22} {felix:7} {with_l7}")

# %% tags=["check"]
assert all(felix for felix, _ in answers.values())
assert [with_l7 for _, with_l7 in answers.values()] == [True, True, False, False, False]

# %% [markdown]
# ## The end-of-tier Deny, and its fixes
#
# Three of the chapter's Calico examples (`deny-external-egress`, `block-malicious-ips`, and
# notebook 09's `log-denied`) select `all()` and decide only some traffic. On every Calico version
# the rest meets the end of their tier: **Deny** (before 3.29, the end of the one implicit tier).
# The fixes:
#
# - outside tier `default`: a last rule `- action: Pass`, or `defaultAction: Pass` on the tier;
# - inside tier `default`: never Pass (it skips the Kubernetes policies); move the policy to its
#   own tier before `default`, as with `egress-guard` above.
#
# ## Exercise: a security tier that blocks only what it should

# %% [markdown] lang="zh-CN"
# ## Tier 末尾的 Deny，及其修复
#
# 本章的三个 Calico 示例（`deny-external-egress`、`block-malicious-ips`，以及笔记本 09 中的
# `log-denied`）都选择 `all()`，却只对一部分流量做出判定。在所有 Calico
# 版本上，其余流量都会走到它们所在 Tier 的末尾：**Deny**（3.29 之前，是那个唯一的隐式 Tier
# 的末尾）。修复方法：
#
# - 在 Tier `default` 之外：最后加一条规则 `- action: Pass`，或者在 Tier 上设置 `defaultAction:
#   Pass`；
# - 在 Tier `default` 之内：绝不要用 Pass（它会跳过 Kubernetes 策略）；把策略移到排在 `default`
#   之前的独立 Tier 中，就像上面的 `egress-guard` 那样。
#
# ## 练习：只拦截该拦截的 security Tier

# %%
security_tier = Exercise.get("07-security-tier")
security_tier.show()

# %% tags=["check"]
assert security_tier.available
assert not security_tier.check(security_tier.starter_yaml).passed  # the chapter's version cuts all ingress

# %% [markdown]
# ## Exercise: a blocklist from a blank page
#
# A GlobalNetworkSet, a tier that passes, and a policy that denies the set: from nothing.

# %% [markdown] lang="zh-CN"
# ## 练习：从零编写封禁列表
#
# 一个 GlobalNetworkSet、一个会 Pass 的 Tier，以及一条拒绝该集合的策略：全部从零写起。

# %%
blocklist_exercise = Exercise.get("07-blocklist")
blocklist_exercise.show()

# %% tags=["check"]
assert blocklist_exercise.check(blocklist_exercise.solution()).passed

# %% [markdown]
# ## What you saw
#
# - Calico evaluates tiers in order, policies in a tier by order (none = last), rules in a
#   policy top to bottom; Kubernetes policies sit in tier `default` at order 1000.
# - A tier that applies to a pod and decides nothing ends with Deny, on every Calico version,
#   unless its `defaultAction` is `Pass`: `deny-external-egress` and `block-malicious-ips` cut
#   far more than they name.
# - `Tier` needs Calico ≥ 3.29 (policy names `<tier>.<name>` on 3.29–3.31); v3 objects go in with
#   `calicoctl`, or with `kubectl` through the Calico API server.
# - A namespaced policy's rule selectors stay in its namespace; network sets give addresses labels.
# - `Pass` skips the rest of a tier; in tier `default` that includes the Kubernetes policies.
# - `Log` never decides; an explicit `Deny` only wins if its policy comes first.
# - `http` matches need Istio + Dikastes; without them `allow-specific-http` is an L4 allow.
#
# Next, notebook [`08-clusternetworkpolicy`](08-clusternetworkpolicy.ipynb): the upstream Kubernetes answer to tiers.

# %% [markdown] lang="zh-CN"
# ## 回顾
#
# - Calico 按顺序评估各个 Tier，Tier 内的策略按 order 排序（没有 order
#   的排最后），策略内的规则从上到下执行；Kubernetes 策略位于 Tier `default` 中，order 为 1000。
# - 一个适用于某个 Pod、却没有做出任何判定的 Tier，除非其 `defaultAction` 是 `Pass`，否则以 Deny
#   结束，所有 Calico 版本都是如此：`deny-external-egress` 和 `block-malicious-ips` 切断的流量远多于它们写明的。
# - `Tier` 需要 Calico ≥ 3.29（在 3.29–3.31 上策略名为 `<tier>.<name>`）；v3 对象要用 `calicoctl` 创建，或者通过
#   Calico API 服务器用 `kubectl` 创建。
# - 命名空间级策略的规则选择器只在本命名空间内生效；NetworkSet 和 GlobalNetworkSet 为地址加上标签。
# - `Pass` 跳过 Tier 中余下的部分；在 Tier `default` 中，这包括 Kubernetes 策略。
# - `Log` 从不做出判定；显式的 `Deny` 只有在它所在的策略先执行时才会生效。
# - `http` 匹配需要 Istio + Dikastes；没有它们，`allow-specific-http` 只是一条 L4 的 Allow 规则。
#
# 下一步是笔记本 [`08-clusternetworkpolicy`](08-clusternetworkpolicy.ipynb)：Kubernetes 上游给出的、与
# Tier 对应的方案。

# %%
from npkit.course import what_next

what_next("07")
