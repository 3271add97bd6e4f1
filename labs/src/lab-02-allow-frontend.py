# %% [markdown]
# # Lab 2 — Only the frontend may reach the web server
#
# The chapter's second walkthrough: namespace `np-demo` with `web` (labels `app=web, tier=backend`),
# `frontend` and `other`, and a policy **allow-frontend** that lets only `frontend` reach `web` on TCP/80.
# As in lab 1: predict each step, then compare the evaluator's prediction with what the lab's backend
# observes.

# %% [markdown] lang="zh-CN"
# # 实验 2：只有 frontend 能访问 web 服务器
#
# 这是本章的第二个演练：命名空间 `np-demo` 中有 `web`（标签 `app=web, tier=backend`）、`frontend` 和 `other`，还有一条策略 **allow-frontend**，只允许 `frontend` 在 TCP/80 上访问 `web`。和实验 1 一样：每一步先预测，再把评估器的预测与实验后端观测到的结果对照。

# %% [markdown]
# ## Where this lab runs
#
# The lab opens a **backend**, and its card says which one and what enforces what you are about to
# see:
#
# - **kind**, when your lab cluster runs (`npkit lab up`, see *Running the labs*): real pods, and the
#   result is enforced by the cluster's network plugin, Calico's Felix or kind's own kindnet (both
#   enforce Kubernetes NetworkPolicy);
# - **local**, only when you ask for it (the button below, or `NPKIT_LAB_BACKEND=local` before starting
#   JupyterLab): network namespaces and nftables rules **created on this machine** (needs
#   root; all removed at clean-up). They are npkit's own rendering of the policies, enforced by the
#   kernel. For Kubernetes NetworkPolicy that is a meaningful check: npkit's semantics are held to the
#   upstream e2e truth tables;
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
# - **kind**：你的实验集群在运行时使用（`npkit lab up`，参见*运行实验*）。Pod 是真实的，结果由集群的网络插件实施，即 Calico 的 Felix 或 kind 自带的 kindnet（两者都实施 Kubernetes NetworkPolicy）；
# - **local**：只在你明确要求时使用（点击下面的按钮，或在启动 JupyterLab 之前设置 `NPKIT_LAB_BACKEND=local`）：在**本机上创建**网络命名空间和 nftables 规则（需要 root 权限；清理时全部删除）。这些规则是 npkit 自己对策略的渲染，由内核实施。对 Kubernetes NetworkPolicy 来说，这是有意义的检验：npkit 的语义以上游 e2e 测试的真值表为准；
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
lab = open_lab("lab-02", SCENARIOS / "lab-02-np-demo.yaml", local=opt_in)
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
# ## Step 1 — Deploy `np-demo`
#
# The chapter's commands (`kubectl run web --labels=app=web,tier=backend ...`, `frontend`, `other`) become
# the scenario file below; npkit deploys it and reads back the pods' IPs.

# %% [markdown] lang="zh-CN"
# ## 第 1 步：部署 `np-demo`
#
# 本章的命令（`kubectl run web --labels=app=web,tier=backend ...`、`frontend`、`other`）变成了下面的场景文件；npkit 部署它，并读回各个 Pod 的 IP。

# %%
print(scenario_text(SCENARIOS / "lab-02-np-demo.yaml"))
cluster = lab.deploy()
before = lab.check(port=80)
print(before)

# %% tags=["check"]
assert before.predicted["np-demo/other", "np-demo/web"]   # nothing isolated yet
assert before.agree, before.render_text()

# %% [markdown]
# ## Step 2 — allow-frontend
#
# Read the policy. It selects `app: web`, lists `Ingress` in `policyTypes`, and allows one peer
# (`podSelector: app=frontend`, same namespace) on TCP/80.
#
# **Predict** the whole matrix: `frontend → web`, `other → web`, but also `web → frontend` (does a
# policy on *web's ingress* change what *web* may send?) and `other → frontend`. The cell applies the
# policy and probes every pair; your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 第 2 步：allow-frontend
#
# 先读一读这条策略。它选择 `app: web`，在 `policyTypes` 中列出 `Ingress`，并允许一个对等点（`podSelector: app=frontend`，同一命名空间）访问 TCP/80。
#
# **预测**整个矩阵：`frontend → web`、`other → web`，还有 `web → frontend`（作用于 *web 入站方向*的策略，会改变 *web* 能发出的流量吗？）以及 `other → frontend`。这个单元格会应用策略并探测每一对 Pod；作答之后才显示结果。

# %%
print(scenario_text(SCENARIOS / "lab-02-allow-frontend.yaml"))
expected = after("lab-02-allow-frontend.yaml")
lab.apply(SCENARIOS / "lab-02-allow-frontend.yaml")
allowed = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
predict("L2-allow-frontend", expected, 80, more=lambda: allowed)

# %% tags=["check"]
assert allowed.predicted["np-demo/frontend", "np-demo/web"]        # the one allowed peer
assert not allowed.predicted["np-demo/other", "np-demo/web"]       # isolated, no rule for it: TIMEOUT
assert allowed.predicted["np-demo/web", "np-demo/frontend"]        # web's egress is not selected
assert allowed.predicted["np-demo/other", "np-demo/frontend"]      # frontend is not selected at all
assert allowed.agree, allowed.render_text()

# %% [markdown]
# ## Another port
#
# **Predict:** with `allow-frontend` applied, can `frontend` reach `web` on TCP/8080?
#
# Nothing listens on 8080. On a cluster, a connection that policy lets through is answered with a reset
# (REFUSED); one that policy drops times out. npkit counts REFUSED from a pod that does not serve the port
# as "got through". The cell probes TCP/8080 first; your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 换一个端口
#
# **预测：** 应用了 `allow-frontend` 之后，`frontend` 能否在 TCP/8080 上访问 `web`？
#
# 8080 端口上没有任何服务在监听。在集群上，策略放行的连接会收到一个重置（REFUSED）；策略丢弃的连接会超时。如果目标 Pod 并没有在该端口提供服务，npkit 把 REFUSED 算作“连接已通过”。这个单元格会先探测 TCP/8080；作答之后才显示结果。

# %%
other_port = lab.check(port=8080)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
question("L2-other-port", lab.cluster, "np-demo/frontend", "np-demo/web", 8080, more=lambda: other_port)

# %% tags=["check"]
assert not other_port.predicted["np-demo/frontend", "np-demo/web"]
assert other_port.agree, other_port.render_text()

# %% [markdown]
# ## The raw experience (optional, in a terminal, after the clean-up cell)
#
# ```bash
# kubectl create namespace np-demo
# kubectl run web --image=nginx -n np-demo --labels=app=web,tier=backend
# kubectl run frontend --image=busybox -n np-demo --labels=app=frontend --command -- sleep 3600
# kubectl run other --image=busybox -n np-demo --labels=app=other --command -- sleep 3600
# kubectl wait --for=condition=Ready pod -l app -n np-demo
# kubectl apply -f labs/scenarios/lab-02-allow-frontend.yaml
# WEB_IP=$(kubectl get pod web -n np-demo -o jsonpath='{.status.podIP}')
# kubectl exec -n np-demo frontend -- wget -qO- --timeout=2 http://$WEB_IP   # the nginx page
# kubectl exec -n np-demo other -- wget -qO- --timeout=2 http://$WEB_IP      # download timed out
# kubectl delete namespace np-demo
# ```

# %% [markdown] lang="zh-CN"
# ## 原汁原味的体验（可选，在终端中，在清理单元格之后运行）
#
# ```bash
# kubectl create namespace np-demo
# kubectl run web --image=nginx -n np-demo --labels=app=web,tier=backend
# kubectl run frontend --image=busybox -n np-demo --labels=app=frontend --command -- sleep 3600
# kubectl run other --image=busybox -n np-demo --labels=app=other --command -- sleep 3600
# kubectl wait --for=condition=Ready pod -l app -n np-demo
# kubectl apply -f labs/scenarios/lab-02-allow-frontend.yaml
# WEB_IP=$(kubectl get pod web -n np-demo -o jsonpath='{.status.podIP}')
# kubectl exec -n np-demo frontend -- wget -qO- --timeout=2 http://$WEB_IP   # 输出 nginx 页面
# kubectl exec -n np-demo other -- wget -qO- --timeout=2 http://$WEB_IP      # 超时
# kubectl delete namespace np-demo
# ```

# %% [markdown]
# ## Clean up
#
# This removes the lab's namespaces (only those labelled `npkit.io/lab=lab-02`) and everything in
# them. It is safe to run twice, and it also runs by itself if a step fails or you interrupt it.
# The cluster stays up for the next lab; `npkit lab down` deletes it.

# %% [markdown] lang="zh-CN"
# ## 清理
#
# 这会删除实验的命名空间（只删除带有标签 `npkit.io/lab=lab-02` 的命名空间）及其中的一切。运行两次也是安全的；如果某一步失败或者你中断了它，清理也会自动运行。集群会保留下来，供下一个实验使用；`npkit lab down` 会删除它。

# %%
lab.teardown()

# %% [markdown]
# ## What next
#
# [Lab 3](lab-03-calico-tiers.ipynb), or back to the [course home](../notebooks/00-welcome.ipynb).

# %% [markdown] lang="zh-CN"
# ## 接下来
#
# [实验 3](lab-03-calico-tiers.ipynb)，或者回到[课程首页](../../notebooks/zh-CN/00-welcome.ipynb)。

# %%
from npkit.course import what_next

what_next("L2", here="labs")
