# %% [markdown]
# # Lab 4 — Debugging a Calico policy
#
# The chapter ends with debugging tools: `calicoctl`, the iptables rules Felix generates, Felix's status,
# and a `log-denied` policy "to enable policy logging". In this lab you turn that policy on, probe what
# it does to an application that worked, and find out why with three tools: the **evaluator's explanation**,
# the **packet log**, and the **generated rules**. Then you fix it properly.

# %% [markdown] lang="zh-CN"
# # 实验 4：调试 Calico 策略
#
# 本章最后介绍了调试工具：`calicoctl`、Felix 生成的 iptables 规则、Felix 的状态，以及一条用来“启用 Calico 策略日志”的 `log-denied` 策略。在本实验中，你会启用这条策略，探测它对一个原本正常的应用有什么影响，然后用三种工具找出原因：**评估器的解释**、**数据包日志**和**生成的规则**。最后，再正确地修复它。

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
lab = open_lab("lab-04", SCENARIOS / "lab-04-debug.yaml", needs="calico", local=opt_in)
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
# ## Step 1 — A working application
#
# Namespace `debug`: `web` serves TCP/80; `client` may reach it; `intruder` may not. The application's
# own policy, `allow-ingress-client-to-web`, says exactly that.

# %% [markdown] lang="zh-CN"
# ## 第 1 步：一个正常工作的应用
#
# 命名空间 `debug`：`web` 在 TCP/80 上提供服务；`client` 可以访问它；`intruder` 不可以。应用自己的策略 `allow-ingress-client-to-web` 规定的正是这一点。

# %%
cluster = lab.deploy()
lab.apply(SCENARIOS / "lab-04-allow-client-to-web.yaml")
working = lab.check(port=80)
print(working)

# %% tags=["check"]
assert working.predicted["debug/client", "debug/web"] and not working.predicted["debug/intruder", "debug/web"]
assert working.agree, working.render_text()

# %% [markdown]
# ## Step 2 — Turn on the chapter's `log-denied`
#
# The chapter applies this to "enable policy logging": a GlobalNetworkPolicy in tier `default`, order
# 9999, selecting `all()`, with a single `Log` rule per direction. Log rules never decide anything.
#
# **Predict:** once it is applied, does `client → web` still work? The cell applies it and probes every
# pair; your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 第 2 步：启用本章的 `log-denied`
#
# 本章应用这条策略来“启用 Calico 策略日志”：它是一条 GlobalNetworkPolicy，位于 `default` Tier，order 为 9999，选择 `all()`，每个方向只有一条 `Log` 规则。Log 规则从不做任何决定。
#
# **预测：** 应用之后，`client → web` 还能连通吗？这个单元格会应用它并探测每一对 Pod；作答之后才显示结果。

# %%
print(scenario_text(SCENARIOS / "lab-04-log-denied.yaml"))
expected = after("lab-04-log-denied.yaml")
lab.apply(SCENARIOS / "lab-04-log-denied.yaml")
broken = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
question("L4-log-denied", expected, "debug/client", "debug/web", 80, more=lambda: broken)

# %% tags=["check"]
import numpy as np

off_diagonal = ~np.eye(len(broken.predicted.pods), dtype=bool)
assert not broken.predicted.allowed[off_diagonal].any()   # every pod-to-pod connection is dropped
assert broken.agree, broken.render_text()

# %% [markdown]
# ## Step 3 — Find out why
#
# **The explanation.** Follow `client → web` through both sides. Which side denies? Which tier? Which
# policy was "selecting" the pod?

# %% [markdown] lang="zh-CN"
# ## 第 3 步：找出原因
#
# **解释。** 沿着 `client → web` 把两侧都看一遍。是哪一侧拒绝的？在哪个 Tier？是哪条策略“选择”了这个 Pod？

# %%
why = lab.engine.verdict("debug/client", "debug/web", 80)
print(lab.explain("debug/client", "debug/web", port=80))

# %% tags=["check"]
assert not why.egress.allowed and why.egress.decision.kind == "end-of-tier"
assert why.egress.logged   # the Log rule did fire; it just does not decide

# %% [markdown]
# The **egress** of `client` is denied. Before `log-denied`, no policy selected `client` for egress, so
# its namespace profile allowed everything. `log-denied` selects `all()` for Ingress *and* Egress, so now
# the `default` tier applies to every pod in both directions; its only rule is `Log`, which does not
# decide; and a tier in which nothing decided ends with **Deny**, on every Calico version. The policy
# meant to *observe* denials *creates* them.
#
# **The packet log.** Calico writes Log rules as kernel log lines with the prefix `calico-packet`.
# On kind: `docker exec npkit-lab-worker dmesg | grep calico-packet` (a kind node is a container with its
# own network namespace; the host kernel drops its LOG lines unless you run
# `sudo sysctl -w net.netfilter.nf_log_all_netns=1` first). Felix's own log is
# `kubectl logs -n calico-system -l k8s-app=calico-node -c calico-node | grep -i policy` — note
# `calico-system`, not the chapter's `kube-system`: the operator install puts Calico there.

# %% [markdown] lang="zh-CN"
# `client` 的**出站**被拒绝了。在应用 `log-denied` 之前，没有任何策略在出站方向选择 `client`，所以由它的命名空间 profile 允许一切流量。`log-denied` 在 Ingress *和* Egress 两个方向上选择 `all()`，于是 `default` Tier 现在在两个方向上都作用于每个 Pod；它唯一的规则是 `Log`，而 `Log` 不做决定；一个没有任何规则做出决定的 Tier 以 **Deny** 结束，每个 Calico 版本都是如此。这条本想*观察*拒绝的策略，反而*制造*了拒绝。
#
# **数据包日志。** Calico 把 Log 规则写成带有前缀 `calico-packet` 的内核日志行。在 kind 上：`docker exec npkit-lab-worker dmesg | grep calico-packet`（kind 节点是一个拥有自己网络命名空间的容器；除非先运行 `sudo sysctl -w net.netfilter.nf_log_all_netns=1`，否则宿主机内核会丢弃它的 LOG 日志行）。Felix 自己的日志是 `kubectl logs -n calico-system -l k8s-app=calico-node -c calico-node | grep -i policy`。注意是 `calico-system`，而不是本章写的 `kube-system`：用 operator 安装时，Calico 位于 `calico-system` 中。

# %%
from npkit.lab import LabError

if lab.observes:
    try:
        print(lab.logs(tail=20))
    except LabError as e:
        print(e)
else:
    # Predicted, not observed: the evaluator knows which Log rules a probe would hit.
    for src, dst in [("debug/client", "debug/web"), ("debug/intruder", "debug/web")]:
        v = lab.engine.verdict(src, dst, 80)
        print(f"{src} → {dst}:", "; ".join(v.egress.logged + v.ingress.logged))

# %% [markdown]
# **The generated rules.** With the iptables dataplane, Felix turns policy into chains: `cali-tw-<interface>` is a pod's
# ingress pipeline, `cali-fw-<interface>` its egress; each tier starts with `Start of tier …` and ends with
# `End of tier … Drop if no policies passed packet`. On kind:
# `docker exec npkit-lab-worker iptables-save -t filter | grep -E 'cali-(tw|fw|pi|po)'`, or `npkit lab rules debug/client`.
# Look for the end-of-tier drop in `client`'s egress chain. (With Calico's eBPF dataplane there are no
# `cali-*` chains: read the policy with `calico-node -bpf policy dump <interface> all` in the calico-node
# pod. On the local backend, `npkit lab rules` prints npkit's own nftables rendering, not Felix's rules.
# A backend that only predicts generates no rules: the explanation above shows the same tiers.)

# %% [markdown] lang="zh-CN"
# **生成的规则。** 使用 iptables 数据平面时，Felix 把策略转换为链：`cali-tw-<interface>` 是 Pod 的入站处理流水线，`cali-fw-<interface>` 是它的出站流水线；每个 Tier 以 `Start of tier …` 开始，以 `End of tier … Drop if no policies passed packet` 结束。在 kind 上：`docker exec npkit-lab-worker iptables-save -t filter | grep -E 'cali-(tw|fw|pi|po)'`，或者 `npkit lab rules debug/client`。在 `client` 的出站链中找到 Tier 末尾的丢弃规则。（使用 Calico 的 eBPF 数据平面时没有 `cali-*` 链：在 calico-node Pod 中用 `calico-node -bpf policy dump <interface> all` 查看策略。在 local 后端上，`npkit lab rules` 打印的是 npkit 自己的 nftables 渲染，而不是 Felix 的规则。仅预测的后端不会生成任何规则：上面的解释列出的是同样的 Tier。）

# %%
if lab.observes:
    try:
        print(lab.rules("debug/client"))
    except LabError as e:
        print(e)

# %% [markdown]
# ## Step 4 — A tempting fix: Pass
#
# Lab 3 fixed the `security` tier with a final `Pass`. Try the same here: `Log`, then `Pass`.
#
# **Predict:** `client → web` comes back. What about `intruder → web`? The cell applies it and probes
# every pair; your answer opens the result.

# %% [markdown] lang="zh-CN"
# ## 第 4 步：一个诱人的修复：Pass
#
# 实验 3 用末尾的 `Pass` 修复了 `security` Tier。在这里试试同样的办法：先 `Log`，再 `Pass`。
#
# **预测：** `client → web` 会恢复。那么 `intruder → web` 呢？这个单元格会应用它并探测每一对 Pod；作答之后才显示结果。

# %%
expected = after("lab-04-log-denied-pass.yaml")
lab.apply(SCENARIOS / "lab-04-log-denied-pass.yaml")
passing = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
question("L4-pass-trap", expected, "debug/intruder", "debug/web", 80, more=lambda: passing)

# %% tags=["check"]
assert passing.predicted["debug/client", "debug/web"]
assert passing.predicted["debug/intruder", "debug/web"]   # the application's isolation is gone!
assert passing.agree, passing.render_text()

# %% [markdown]
# ## Step 5 — The fix
#
# Log only where the default tier denies anyway: for the pods (and direction) the application's policies
# isolate — here `web`'s ingress. Running after them (9999 > 1000), the Log rule sees exactly what they did
# not allow, and the end-of-tier Deny drops it as before. (Calico ≥ 3.30 also has flow logs — Goldmane and
# Whisker — that show denied flows without any policy change.)

# %% [markdown] lang="zh-CN"
# ## 第 5 步：正确的修复
#
# 只在 default Tier 本来就会拒绝的地方记录日志，也就是应用的策略所隔离的那些 Pod（及方向），这里是 `web` 的入站。Log 规则排在这些策略之后（9999 > 1000），看到的恰好是它们没有允许的流量，然后 Tier 末尾的 Deny 像以前一样把它丢弃。（Calico ≥ 3.30 还提供流日志，即 Goldmane 和 Whisker，不必修改任何策略就能显示被拒绝的流量。）

# %%
print(scenario_text(SCENARIOS / "lab-04-log-denied-fixed.yaml"))
lab.apply(SCENARIOS / "lab-04-log-denied-fixed.yaml")
fixed = lab.check(port=80)
print(fixed)

# %% tags=["check"]
assert (fixed.predicted.allowed == working.predicted.allowed).all()   # the application behaves as before
assert fixed.agree, fixed.render_text()
denied = lab.engine.verdict("debug/intruder", "debug/web", 80)
assert not denied.allowed and denied.ingress.logged                     # ...and the denied flow is logged
allowed = lab.engine.verdict("debug/client", "debug/web", 80)
assert allowed.allowed and not allowed.ingress.logged                    # allowed flows are not

# %% [markdown]
# ## Clean up
#
# This removes the lab's namespaces (only those labelled `npkit.io/lab=lab-04`) and everything in
# them. It is safe to run twice, and it also runs by itself if a step fails or you interrupt it.
# The cluster stays up for the next lab; `npkit lab down` deletes it.

# %% [markdown] lang="zh-CN"
# ## 清理
#
# 这会删除实验的命名空间（只删除带有标签 `npkit.io/lab=lab-04` 的命名空间）及其中的一切。运行两次也是安全的；如果某一步失败或者你中断了它，清理也会自动运行。集群会保留下来，供下一个实验使用；`npkit lab down` 会删除它。

# %%
lab.teardown()

# %% [markdown]
# ## What next
#
# That was the last lab. The [course home](../notebooks/00-welcome.ipynb) shows what you have done.

# %% [markdown] lang="zh-CN"
# ## 接下来
#
# 这是最后一个实验。[课程首页](../../notebooks/zh-CN/00-welcome.ipynb)会显示你已经完成了哪些内容。

# %%
from npkit.course import what_next

what_next("L4", here="labs")
