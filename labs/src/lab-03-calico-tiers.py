# %% [markdown]
# # Lab 3 — Calico tiers, order, Deny and Pass on a live cluster
#
# The chapter shows a Tier `security`, a GlobalNetworkPolicy `block-malicious-ips` in it, the namespaced
# `explicit-deny-with-log`, and `deny-external-egress`. Here you apply them one by one on the **Calico**
# cluster (`npkit lab up --cni calico`) and watch what they really do, including something the chapter
# does not say: **a tier ends with an implicit Deny** for every endpoint its policies select, unless the
# tier's `defaultAction` is `Pass`. Every Calico version does this; what Calico 3.29 added to open-source
# Calico is `Tier` objects and `defaultAction`, so this lab needs Calico ≥ 3.29 (the lab cluster runs
# 3.32; on 3.29–3.31 a policy in tier `security` must be named `security.<name>`).
#
# Two lab additions to the chapter's YAML: the lab copies live in namespace `shop` instead of `default`,
# and each *global* policy gets `namespaceSelector: npkit.io/lab == 'lab-03'`, so it only touches this
# lab's namespaces. (Applied to a whole cluster, the chapter's `security` tier as written would cut DNS and
# the Calico API server; npkit refuses to apply a global policy that reaches outside the lab.)

# %% [markdown] lang="zh-CN"
# # 实验 3：在真实集群上体验 Calico 的 Tier、order、Deny 与 Pass
#
# 本章展示了一个 Tier `security`、其中的 GlobalNetworkPolicy `block-malicious-ips`、命名空间作用域的 `explicit-deny-with-log`，以及 `deny-external-egress`。在这里，你要在 **Calico** 集群（`npkit lab up --cni calico`）上逐条应用它们，看看它们实际做了什么，包括本章没有说的一点：**每个 Tier 都以一个隐式的 Deny 结束**，它作用于该 Tier 中的策略所选择的每个端点，除非这个 Tier 的 `defaultAction` 是 `Pass`。每个 Calico 版本都是如此；Calico 3.29 为开源版 Calico 带来的是 `Tier` 对象和 `defaultAction`，所以本实验需要 Calico ≥ 3.29（实验集群运行的是 3.32；在 3.29–3.31 上，`security` Tier 中的策略必须命名为 `security.<name>`）。
#
# 实验对本章的 YAML 做了两处补充：实验用的副本放在命名空间 `shop` 而不是 `default` 中；每条*全局*策略都加上了 `namespaceSelector: npkit.io/lab == 'lab-03'`，使它只影响本实验的命名空间。（如果把本章原样写出的 `security` Tier 应用到整个集群，它会切断 DNS 和 Calico API 服务器的流量；npkit 拒绝应用作用范围超出实验的全局策略。）

# %% [markdown]
# ## Where this lab runs
#
# The lab opens a **backend**, and its card says which one and what enforces what you are about to
# see:
#
# - **kind with Calico** (`npkit lab up --cni calico`): real pods, and the result is enforced by
#   **Felix**, Calico's agent: the real thing. (On a kind cluster without Calico, kindnet ignores
#   Calico objects; the lab then only predicts, and says so.)
# - **local**, only when you ask for it (the button below, or `NPKIT_LAB_BACKEND=local` before starting
#   JupyterLab): network namespaces and nftables rules **created on this machine** (needs
#   root; all removed at clean-up). They are **npkit's own nftables rendering of Calico's rules**,
#   enforced by the kernel, **not Felix**: when observed equals predicted here, npkit agrees with the
#   kernel about npkit's reading of Calico; only kind with Calico checks it against Felix.
# - otherwise **predict**: nothing runs, and every matrix is the evaluator's, labelled *predicted, not
#   observed* (Binder, a laptop without Docker).
#
# Every step shows the prediction; on an observing backend it also shows what really connected,
# beside it, and explains any cell that differs.

# %% [markdown] lang="zh-CN"
# ## 本实验在哪里运行
#
# 实验会打开一个**后端**，它的卡片会说明用的是哪个后端，以及接下来你看到的结果由谁实施：
#
# - **kind + Calico**（`npkit lab up --cni calico`）：Pod 是真实的，结果由 Calico 的代理 **Felix** 实施，这是真正的检验。（在没有 Calico 的 kind 集群上，kindnet 会忽略 Calico 对象；这时实验只做预测，并会明确说明。）
# - **local**：只在你明确要求时使用（点击下面的按钮，或在启动 JupyterLab 之前设置 `NPKIT_LAB_BACKEND=local`）：在**本机上创建**网络命名空间和 nftables 规则（需要 root 权限；清理时全部删除）。这些规则是 **npkit 自己对 Calico 规则的 nftables 渲染**，由内核实施，**而不是 Felix**：在这里观测与预测一致，只能说明按照 npkit 对 Calico 的理解，内核与 npkit 的结论相同；只有 kind + Calico 才会拿它与 Felix 对照检验。
# - 其他情况下是 **predict**：什么都不运行，每个矩阵都来自评估器，并标注为*仅预测，未观测*（Binder、没有 Docker 的电脑）。
#
# 每一步都会显示预测；在能观测的后端上，还会在预测旁边显示实际的连通情况，并解释每个与预测不一致的单元格。

# %%
from pathlib import Path

from npkit.course import scenario_text
from npkit.course.questions import choice, predict, question
from npkit.lab import local_opt_in, open_lab
from npkit.loading import load_string

# The scenario files sit next to this notebook (labs/scenarios/); read them, they are plain YAML.
SCENARIOS = next(p for p in (Path("scenarios"), Path("../scenarios"), Path("labs/scenarios")) if p.is_dir())  # either edition


def after(name: str):
    """What the lab's cluster would be with scenario file `name` applied (for predictions)."""
    path = SCENARIOS / name
    return lab.cluster.merged(load_string(path.read_text(encoding="utf-8"), filename=path.name))


opt_in = local_opt_in()  # the button: nothing runs on this machine unless you click it
opt_in

# %% [markdown]
# Click the button only if you want the lab to create network namespaces and nftables rules on this
# machine; otherwise leave it, and the lab runs on your kind cluster, or predicts. Then run the next
# cell: it opens the lab and shows its card (what it covers, how long, where it runs, what the results
# rest on).

# %% [markdown] lang="zh-CN"
# 只有当你希望实验在本机上创建网络命名空间和 nftables 规则时，才点击这个按钮；否则不用管它，实验会在你的 kind 集群上运行，或者只做预测。然后运行下一个单元格：它会打开实验，并显示实验卡片（涵盖哪些内容、需要多长时间、在哪里运行、结果依据什么）。

# %%
lab = open_lab("lab-03", SCENARIOS / "lab-03-shop.yaml", needs="calico", local=opt_in)
lab.intro()

# %% [markdown]
# ## First: is policy enforced at all?
#
# A cluster whose network plugin ignores NetworkPolicy accepts every policy without complaint and
# then enforces nothing. The **enforcement canary** catches that before the lesson: it starts two
# pods, checks that one reaches the other, applies a deny-all, and checks that the next connection
# **fails**. If it does not, it stops with the likely cause (old kind, WSL2 kernel, a CNI without policy).

# %% [markdown] lang="zh-CN"
# ## 首先：策略真的被实施了吗？
#
# 如果集群的网络插件忽略 NetworkPolicy，它会照单全收每一条策略，却什么也不实施。**金丝雀检查**会在正式内容开始之前发现这种情况：它启动两个 Pod，确认一个能访问另一个，应用一条拒绝所有流量的策略（deny-all），再确认下一次连接**失败**。如果连接没有失败，它会停下来并给出可能的原因（kind 版本过旧、WSL2 内核、不支持策略的 CNI）。

# %%
canary = lab.canary()

# %% [markdown]
# ## Step 1 — Deploy `shop`
#
# `web` serves TCP/80; `frontend` is a normal client; `scanner` carries `suspicious: "true"`.

# %% [markdown] lang="zh-CN"
# ## 第 1 步：部署 `shop`
#
# `web` 在 TCP/80 上提供服务；`frontend` 是普通的客户端；`scanner` 带有标签 `suspicious: "true"`。

# %%
cluster = lab.deploy()
base = lab.check(port=80)
print(base)

# %% tags=["check"]
assert base.predicted.allowed.all()   # no policy yet: everything allowed
assert base.agree, base.render_text()

# %% [markdown]
# ## Step 2 — The `security` tier, as the chapter writes it
#
# `block-malicious-ips` (policy order 10, in tier `security`, whose own order is 100: before tier
# `default`) denies ingress from `1.2.3.0/24` and says nothing else. None of our pods is in that range.
#
# **Predict:** does `frontend → web` still work after you apply it? The cell applies it and probes
# every pair; your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 第 2 步：按本章原样写出的 `security` Tier
#
# `block-malicious-ips`（策略 order 为 10，位于 `security` Tier 中；该 Tier 自身的 order 为 100，排在 `default` Tier 之前）拒绝来自 `1.2.3.0/24` 的入站流量，除此之外什么也没说。我们的 Pod 都不在这个地址范围内。
#
# **预测：** 应用它之后，`frontend → web` 还能连通吗？这个单元格会应用它并探测每一对 Pod；作答之后才显示结果。

# %%
print(scenario_text(SCENARIOS / "lab-03-security-tier.yaml"))
expected = after("lab-03-security-tier.yaml")
lab.apply(SCENARIOS / "lab-03-security-tier.yaml")
tiered = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
question("L3-security-tier", expected, "shop/frontend", "shop/web", 80, more=lambda: tiered)

# %% tags=["check"]
import numpy as np

off_diagonal = ~np.eye(len(tiered.predicted.pods), dtype=bool)
assert not tiered.predicted.allowed[off_diagonal].any()   # every pod-to-pod connection is now denied
assert tiered.agree, tiered.render_text()

# %% [markdown]
# ## Step 3 — The fix: Pass
#
# A final rule `- action: Pass` ends the tier for everything it did not deny, and evaluation continues
# with the **next tier that has a policy selecting the pod**. Setting `defaultAction: Pass` on the Tier
# would do the same for every policy in it.
#
# **Predict:** after the fix, is the matrix back to all-allowed? The cell applies the fix and probes
# every pair; your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 第 3 步：用 Pass 修复
#
# 在末尾加一条 `- action: Pass` 规则：凡是没有被拒绝的流量，都在这里结束这个 Tier，转到**下一个有策略选择该 Pod 的 Tier** 继续评估。在 Tier 上设置 `defaultAction: Pass`，对其中的每条策略都有同样的效果。
#
# **预测：** 修复之后，矩阵会恢复为全部允许吗？这个单元格会应用修复并探测每一对 Pod；作答之后才显示结果。

# %%
print(scenario_text(SCENARIOS / "lab-03-security-tier-fixed.yaml"))
from npkit.engine import Engine

all_allowed = bool(Engine(after("lab-03-security-tier-fixed.yaml")).reachability(80).all())
lab.apply(SCENARIOS / "lab-03-security-tier-fixed.yaml")
fixed = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
choice("L3-pass-fix", ["yes, all allowed again", "no, some stay denied"],
       "yes, all allowed again" if all_allowed else "no, some stay denied", more=lambda: fixed)

# %% tags=["check"]
assert fixed.predicted.allowed.all()
assert fixed.agree, fixed.render_text()

# %% [markdown]
# ## Step 4 — Explicit Deny, Log and Allow, in order
#
# `explicit-deny-with-log` selects `app == 'web'`: it **logs** traffic from `suspicious == 'true'`,
# **denies** it, and **allows** `app == 'frontend'`. Calico rules run in order and the first Allow or
# Deny wins; Log never decides.
#
# **Predict** the matrix: `frontend → web`? `scanner → web`? And `web → scanner`? The cell applies the
# policy and probes every pair; your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 第 4 步：显式的 Deny、Log 和 Allow，按顺序执行
#
# `explicit-deny-with-log` 选择 `app == 'web'`：它**记录并拒绝**来自 `suspicious == 'true'` 的流量，并**允许** `app == 'frontend'`。Calico 的规则按顺序执行，第一个命中的 Allow 或 Deny 决定结果；Log 从不做决定。
#
# **预测**整个矩阵：`frontend → web`？`scanner → web`？还有 `web → scanner`？这个单元格会应用策略并探测每一对 Pod；作答之后才显示结果。

# %%
expected = after("lab-03-explicit-deny-with-log.yaml")
lab.apply(SCENARIOS / "lab-03-explicit-deny-with-log.yaml")
ordered = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
predict("L3-explicit-deny", expected, 80, more=lambda: ordered)

# %% tags=["check"]
assert ordered.predicted["shop/frontend", "shop/web"]
assert not ordered.predicted["shop/scanner", "shop/web"]
assert ordered.predicted["shop/web", "shop/scanner"]       # the policy only governs web's ingress
assert ordered.agree, ordered.render_text()

# %% [markdown]
# ## Step 5 — deny-external-egress
#
# The chapter's global policy denies egress to anything outside the private ranges. It has no tier, so
# it lands in `default` (with no order: last there). Our pods' addresses are private.
#
# **Predict:** can `frontend` still reach `web`? The cell applies the policy and probes every pair;
# your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 第 5 步：deny-external-egress
#
# 本章的这条全局策略拒绝访问私有地址范围以外任何目标的出站流量。它没有指定 Tier，所以落在 `default` Tier 中（也没有 order：排在该 Tier 的最后）。我们的 Pod 地址都是私有地址。
#
# **预测：** `frontend` 还能访问 `web` 吗？这个单元格会应用策略并探测每一对 Pod；作答之后才显示结果。

# %%
expected = after("lab-03-deny-external-egress.yaml")
lab.apply(SCENARIOS / "lab-03-deny-external-egress.yaml")
egress = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
question("L3-deny-external", expected, "shop/frontend", "shop/web", 80, more=lambda: egress)

# %% tags=["check"]
assert not egress.predicted.allowed[off_diagonal].any()   # the default tier's own end-of-tier Deny, on egress
assert egress.agree, egress.render_text()

# %% [markdown]
# ## Step 6 — The fix for the egress policy
#
# Move the rule to the `security` tier and end it with `Pass` (a `Pass` inside the *default* tier would
# also skip the Deny that makes Kubernetes NetworkPolicies isolate pods: lab 4 shows that trap).

# %% [markdown] lang="zh-CN"
# ## 第 6 步：修复这条出站策略
#
# 把这条规则移到 `security` Tier 中，并以 `Pass` 结尾（在 *default* Tier 中使用 `Pass`，还会跳过让 Kubernetes NetworkPolicy 隔离 Pod 的那个 Deny：实验 4 会展示这个陷阱）。

# %%
lab.apply(SCENARIOS / "lab-03-deny-external-egress-fixed.yaml")
final = lab.check(port=80)
print(final)

# %% tags=["check"]
assert final.predicted["shop/frontend", "shop/web"] and not final.predicted["shop/scanner", "shop/web"]
assert final.agree, final.render_text()

# %% [markdown]
# ## On the cluster (optional, in a terminal)
#
# ```bash
# kubectl get tiers.projectcalico.org                 # default, kube-admin, kube-baseline, security
# kubectl get globalnetworkpolicies.projectcalico.org
# kubectl get networkpolicies.projectcalico.org -n shop
# ```
# (`kubectl get networkpolicy` lists the Kubernetes kind; the Calico kind needs its full name or
# `caliconetworkpolicy`. Its other short name, `cnp`, is also ClusterNetworkPolicy's on Calico 3.32.)

# %% [markdown] lang="zh-CN"
# ## 在集群上查看（可选，在终端中）
#
# ```bash
# kubectl get tiers.projectcalico.org                 # default, kube-admin, kube-baseline, security
# kubectl get globalnetworkpolicies.projectcalico.org
# kubectl get networkpolicies.projectcalico.org -n shop
# ```
# （`kubectl get networkpolicy` 列出的是 Kubernetes 的这一资源类型；Calico 的同名类型要写全称，或者用
# `caliconetworkpolicy`。它的另一个简称 `cnp` 在 Calico 3.32 上也是 ClusterNetworkPolicy 的简称。）

# %% [markdown]
# ## Clean up
#
# This removes the lab's namespaces (only those labelled `npkit.io/lab=lab-03`) and everything in
# them. It is safe to run twice, and it also runs by itself if a step fails or you interrupt it.
# The cluster stays up for the next lab; `npkit lab down` deletes it.
#
# Cluster-wide objects the lab created (the `security` tier and the global policies) carry the same
# label and are deleted too.

# %% [markdown] lang="zh-CN"
# ## 清理
#
# 这会删除实验的命名空间（只删除带有标签 `npkit.io/lab=lab-03` 的命名空间）及其中的一切。运行两次也是安全的；如果某一步失败或者你中断了它，清理也会自动运行。集群会保留下来，供下一个实验使用；`npkit lab down` 会删除它。
#
# 实验创建的集群范围对象（`security` Tier 和各条全局策略）也带有同一个标签，同样会被删除。

# %%
lab.teardown()

# %% [markdown]
# ## What next
#
# [Lab 4](lab-04-calico-debugging.ipynb), or back to the [course home](../notebooks/00-welcome.ipynb).

# %% [markdown] lang="zh-CN"
# ## 接下来
#
# [实验 4](lab-04-calico-debugging.ipynb)，或者回到[课程首页](../../notebooks/zh-CN/00-welcome.ipynb)。

# %%
from npkit.course import what_next

what_next("L3", here="labs")
