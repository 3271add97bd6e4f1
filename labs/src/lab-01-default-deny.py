# %% [markdown]
# # Lab 1 — Default deny, for real
#
# The chapter's first hands-on section creates a namespace `policy-test` with two pods, checks that
# `client` reaches `web`, applies a **default deny** for ingress, and checks again. In this lab you do
# the same on a lab backend, and for every step you first **predict** the result, then see the
# evaluator's prediction beside what the backend observed (the lab's card, shown when the lab opens,
# says what enforces it).
#
# What you need: nothing for the prediction-only mode; for the real thing, a kind cluster
# (`npkit lab up`, about 5 minutes the first time; see *Running the labs*).

# %% [markdown] lang="zh-CN"
# # 实验 1：默认拒绝，动手实测
#
# 本章的第一个动手实验创建命名空间 `policy-test` 和两个 Pod，先确认 `client` 能访问 `web`，再应用入站方向的**默认拒绝**策略，然后再测一次。本实验在一个实验后端上做同样的事：每一步都**先预测**结果，再把评估器的预测与后端实际观测到的结果并排对照（实验打开时显示的卡片会说明由谁实施）。
#
# 需要什么：仅预测模式什么都不需要；要真正运行，需要一个 kind 集群（`npkit lab up`，第一次大约 5 分钟；参见*运行实验*）。

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
lab = open_lab("lab-01", SCENARIOS / "lab-01-policy-test.yaml", local=opt_in)
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
# ## Step 1 — Deploy the scenario
#
# The scenario is the same YAML the evaluator reads: `scenarios/lab-01-policy-test.yaml`. On a cluster,
# each pod runs **agnhost** serving its declared ports (web: TCP/80, like the chapter's nginx), and the
# pods' real IPs are read back into the model. The chapter does this with:
#
# ```bash
# kubectl create namespace policy-test
# kubectl run web --image=nginx -n policy-test --labels=app=web
# kubectl run client --image=busybox -n policy-test --command -- sleep 3600
# kubectl wait --for=condition=Ready pod/web pod/client -n policy-test
# ```

# %% [markdown] lang="zh-CN"
# ## 第 1 步：部署场景
#
# 场景就是评估器读取的那份 YAML：`scenarios/lab-01-policy-test.yaml`。在集群上，每个 Pod 都运行 **agnhost**，在它声明的端口上提供服务（web：TCP/80，相当于本章中的 nginx），Pod 的真实 IP 会被读回模型。本章用下面的命令完成这一步：
#
# ```bash
# kubectl create namespace policy-test
# kubectl run web --image=nginx -n policy-test --labels=app=web
# kubectl run client --image=busybox -n policy-test --command -- sleep 3600
# kubectl wait --for=condition=Ready pod/web pod/client -n policy-test
# ```

# %%
print(scenario_text(SCENARIOS / "lab-01-policy-test.yaml"))
cluster = lab.deploy()

# %% [markdown]
# ## Step 2 — Before any policy
#
# **Predict:** with no NetworkPolicy in `policy-test`, can `client` open a connection to `web` on TCP/80?
#
# The cell probes every pair on the lab's backend first; your answer opens the result. `✓` means the
# connection got through, `·` that it was dropped. On an observing backend the observed matrix stands
# to the right; a cell marked `!` would differ from the prediction.

# %% [markdown] lang="zh-CN"
# ## 第 2 步：还没有任何策略时
#
# **预测：** `policy-test` 中还没有任何 NetworkPolicy，`client` 能否在 TCP/80 上与 `web` 建立连接？
#
# 这个单元格会先在实验后端上探测每一对 Pod；作答之后才显示结果。`✓` 表示连接成功；`·` 表示连接被丢弃。在能观测的后端上，观测到的矩阵显示在右侧；如果某个单元格标有 `!`，说明它与预测不一致。

# %%
before = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
question("L1-before", lab.cluster, "policy-test/client", "policy-test/web", 80, more=lambda: before)

# %% tags=["check"]
# No policy selects either pod, so nothing is isolated: every connection is allowed.
assert before.predicted["policy-test/client", "policy-test/web"]
assert before.predicted["policy-test/web", "policy-test/client"]
assert before.agree, before.render_text()   # on an observing backend: reality matched, cell by cell

# %% [markdown]
# ## Step 3 — The default deny
#
# `scenarios/lab-01-default-deny.yaml` is the chapter's policy, printed below. Read which pods its
# `podSelector: {}` selects, which direction its `policyTypes` isolates, and what its rules allow.
#
# **Predict:** after applying it, which connections between the two pods are allowed? The cell applies
# the policy and probes every pair; your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 第 3 步：默认拒绝
#
# `scenarios/lab-01-default-deny.yaml` 就是本章的策略，打印在下面。读一读：它的 `podSelector: {}` 选中了哪些 Pod，`policyTypes` 隔离了哪个方向，它的规则又允许了什么。
#
# **预测：** 应用这条策略之后，两个 Pod 之间的哪些连接是允许的？这个单元格会应用策略并探测每一对 Pod；作答之后才显示结果。

# %%
print(scenario_text(SCENARIOS / "lab-01-default-deny.yaml"))
expected = after("lab-01-default-deny.yaml")
lab.apply(SCENARIOS / "lab-01-default-deny.yaml")
denied = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
predict("L1-default-deny", expected, 80, more=lambda: denied)

# %% tags=["check"]
assert not denied.predicted["policy-test/client", "policy-test/web"]   # dropped: web is isolated
assert not denied.predicted["policy-test/web", "policy-test/client"]   # and so is client
assert denied.predicted["policy-test/web", "policy-test/web"]          # a pod talking to itself never leaves it
assert denied.agree, denied.render_text()

# %% [markdown]
# ## Why?
#
# The evaluator explains every cell. Read the ingress side: which policy isolates `web`, and why no rule
# lets `client` in. On a real cluster, a dropped connection shows as **TIMEOUT** (the packet vanished),
# not REFUSED (which would mean something answered "no").

# %% [markdown] lang="zh-CN"
# ## 为什么？
#
# 评估器会解释每一个单元格。请看入站一侧：是哪条策略隔离了 `web`，又为什么没有任何规则放行 `client`。在真实集群上，被丢弃的连接表现为 **TIMEOUT**（数据包消失了），而不是 REFUSED（那意味着有一方明确回答了“不”）。

# %%
print(lab.explain("policy-test/client", "policy-test/web", port=80))

# %% [markdown]
# ## The raw experience (optional, in a terminal)
#
# Run the chapter's commands yourself against the kind cluster — after the clean-up cell below, because
# npkit only deploys into namespaces it created (it labels them `npkit.io/lab=lab-01`):
#
# ```bash
# kubectl config use-context kind-npkit-lab
# kubectl create namespace policy-test
# kubectl run web --image=nginx -n policy-test --labels=app=web
# kubectl run client --image=busybox -n policy-test --command -- sleep 3600
# kubectl wait --for=condition=Ready pod/web pod/client -n policy-test
# WEB_IP=$(kubectl get pod web -n policy-test -o jsonpath='{.status.podIP}')
# kubectl exec -n policy-test client -- wget -qO- --timeout=2 http://$WEB_IP      # the nginx page
# kubectl apply -f labs/scenarios/lab-01-default-deny.yaml
# kubectl exec -n policy-test client -- wget -qO- --timeout=2 http://$WEB_IP      # wget: download timed out
# kubectl delete namespace policy-test
# ```
#
# You should see the nginx welcome page first, then `wget: download timed out` — the same two cells as above.

# %% [markdown] lang="zh-CN"
# ## 原汁原味的体验（可选，在终端中）
#
# 在 kind 集群上亲手运行本章的命令。请在下面的清理单元格之后再运行，因为 npkit 只会部署到它自己创建的命名空间中（它给这些命名空间加上标签 `npkit.io/lab=lab-01`）：
#
# ```bash
# kubectl config use-context kind-npkit-lab
# kubectl create namespace policy-test
# kubectl run web --image=nginx -n policy-test --labels=app=web
# kubectl run client --image=busybox -n policy-test --command -- sleep 3600
# kubectl wait --for=condition=Ready pod/web pod/client -n policy-test
# WEB_IP=$(kubectl get pod web -n policy-test -o jsonpath='{.status.podIP}')
# kubectl exec -n policy-test client -- wget -qO- --timeout=2 http://$WEB_IP      # 输出 nginx 页面
# kubectl apply -f labs/scenarios/lab-01-default-deny.yaml
# kubectl exec -n policy-test client -- wget -qO- --timeout=2 http://$WEB_IP      # wget: download timed out
# kubectl delete namespace policy-test
# ```
#
# 你应该先看到 nginx 的欢迎页面，然后看到 `wget: download timed out`，与上面的两个单元格一致。

# %% [markdown]
# ## Clean up
#
# This removes the lab's namespaces (only those labelled `npkit.io/lab=lab-01`) and everything in
# them. It is safe to run twice, and it also runs by itself if a step fails or you interrupt it.
# The cluster stays up for the next lab; `npkit lab down` deletes it.

# %% [markdown] lang="zh-CN"
# ## 清理
#
# 这会删除实验的命名空间（只删除带有标签 `npkit.io/lab=lab-01` 的命名空间）及其中的一切。运行两次也是安全的；如果某一步失败或者你中断了它，清理也会自动运行。集群会保留下来，供下一个实验使用；`npkit lab down` 会删除它。

# %%
lab.teardown()

# %% [markdown]
# ## What next
#
# [Lab 2](lab-02-allow-frontend.ipynb), or back to the [course home](../notebooks/00-welcome.ipynb).

# %% [markdown] lang="zh-CN"
# ## 接下来
#
# [实验 2](lab-02-allow-frontend.ipynb)，或者回到[课程首页](../../notebooks/zh-CN/00-welcome.ipynb)。

# %%
from npkit.course import what_next

what_next("L1", here="labs")
