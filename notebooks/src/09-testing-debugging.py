# %% [markdown]
# # 09 · Testing and debugging
#
# A policy is only as good as what the dataplane does with it. The chapter tests with
# `kubectl exec … wget`, inspects with `calicoctl` and `iptables`, asks Felix for its status and
# turns on a `Log` policy. This notebook does each of these, side by side with the evaluator:
# it **predicts** a matrix, **probes** it on a real dataplane when one is available, explains a
# surprising cell, and reads the rules the dataplane generated.

# %% [markdown] lang="zh-CN"
# # 09 · 测试与调试
#
# 策略好不好，要看数据平面如何执行它。本章用 `kubectl exec … wget` 测试，用 `calicoctl` 和 `iptables`
# 查看，向 Felix 查询状态，并启用一个 `Log` 策略。本笔记本把这些逐一做一遍，并与评估器对照：先**预测**
# 矩阵，在有真实数据平面时再**探测**它，解释一个出人意料的单元格，最后阅读数据平面生成的规则。

# %%
import os

from npkit.course import Exercise, chapter_example, intro
from npkit.course.questions import choice, predict, question
from npkit.engine import Engine
from npkit.lab import LabError, local_opt_in, open_lab
from npkit.loading import load_string
from npkit.widgets import show_verdict

intro("09")

# %% [markdown]
# ## The chapter's kubectl tests
#
# The chapter tests a policy the way a user would: open a connection from one pod to another
# and see what happens. Its first walkthrough (a default deny in namespace `policy-test`):
#
# ```bash
# kubectl create namespace policy-test                       # 创建测试命名空间 (create the test namespace)
# kubectl run web --image=nginx -n policy-test --labels=app=web                 # 创建两个 Pod (two pods)
# kubectl run client --image=busybox -n policy-test --command -- sleep 3600
# kubectl wait --for=condition=Ready pod/web pod/client -n policy-test          # 等待 Pod 就绪 (wait until ready)
# WEB_IP=$(kubectl get pod web -n policy-test -o jsonpath='{.status.podIP}')
# kubectl exec -n policy-test client -- wget -qO- --timeout=2 http://$WEB_IP    # 测试连通性(应该成功) (should succeed)
# kubectl apply -f default-deny.yaml                                            # 应用默认拒绝策略 (apply the default deny)
# kubectl exec -n policy-test client -- wget -qO- --timeout=2 http://$WEB_IP    # 再次测试(应该失败) (should fail)
# kubectl delete namespace policy-test                                          # 清理 (clean up)
# ```
#
# and its second (namespace `np-demo`: only `frontend` may reach `web`):
#
# ```bash
# kubectl create namespace np-demo                                              # 创建环境 (set up)
# kubectl run web --image=nginx -n np-demo --labels=app=web,tier=backend
# kubectl run frontend --image=busybox -n np-demo --labels=app=frontend --command -- sleep 3600
# kubectl run other --image=busybox -n np-demo --labels=app=other --command -- sleep 3600
# kubectl wait --for=condition=Ready pod -l app -n np-demo
# kubectl apply -f allow-frontend.yaml                        # 应用策略:只允许 frontend 访问 web (only frontend may reach web)
# WEB_IP=$(kubectl get pod web -n np-demo -o jsonpath='{.status.podIP}')
# kubectl exec -n np-demo frontend -- wget -qO- --timeout=2 http://$WEB_IP      # frontend 可以访问 → 输出 nginx 页面 (the nginx page)
# kubectl exec -n np-demo other -- wget -qO- --timeout=2 http://$WEB_IP         # other 不能访问 → 超时 (times out)
# kubectl delete namespace np-demo                                              # 清理 (clean up)
# ```
#
# What each outcome of `wget -qO- --timeout=2` means:
#
# | you see | it means |
# |---|---|
# | the nginx page (`<!DOCTYPE html>…`) | **allowed**: both the client's egress and the server's ingress let the connection through |
# | `wget: download timed out` (after 2 s) | **dropped** by policy: Calico and kindnet drop silently, so the client waits |
# | `Connection refused` | allowed by policy, but nothing listens on that port (the pod's kernel answered) |
# | `wget: bad address` | name resolution failed: the client's egress to DNS is blocked (notebook 05) |
#
# Two rules for honest tests: always open a **new** connection (established connections survive
# a policy change), and test from a **pod**, never from the node: Calico always lets a node reach
# its own pods, so kubelet's probes keep working.
#
# The chapter's comments say what its `wget`s should show. **Predict** what they do not say: after
# the default deny, can `web` open a connection to `client`, the other way round?

# %% [markdown] lang="zh-CN"
# ## 本章的 kubectl 测试
#
# 本章像用户那样测试策略：从一个 Pod 向另一个 Pod 发起连接，看看会发生什么。第一个演练（在命名空间
# `policy-test` 中应用默认拒绝）：
#
# ```bash
# # 创建测试命名空间
# kubectl create namespace policy-test
# # 创建两个 Pod
# kubectl run web --image=nginx -n policy-test --labels=app=web
# kubectl run client --image=busybox -n policy-test --command -- sleep 3600
# # 等待 Pod 就绪
# kubectl wait --for=condition=Ready pod/web pod/client -n policy-test
# # 测试连通性(应该成功)
# WEB_IP=$(kubectl get pod web -n policy-test -o jsonpath='{.status.podIP}')
# kubectl exec -n policy-test client -- wget -qO- --timeout=2 http://$WEB_IP
# # 应用默认拒绝策略
# kubectl apply -f default-deny.yaml
# # 再次测试(应该失败)
# kubectl exec -n policy-test client -- wget -qO- --timeout=2 http://$WEB_IP
# # 清理
# kubectl delete namespace policy-test
# ```
#
# 第二个演练（命名空间 `np-demo`：只有 `frontend` 可以访问 `web`）：
#
# ```bash
# # 创建环境
# kubectl create namespace np-demo
# kubectl run web --image=nginx -n np-demo --labels=app=web,tier=backend
# kubectl run frontend --image=busybox -n np-demo --labels=app=frontend --command -- sleep 3600
# kubectl run other --image=busybox -n np-demo --labels=app=other --command -- sleep 3600
# kubectl wait --for=condition=Ready pod -l app -n np-demo
# # 应用策略:只允许 frontend 访问 web
# kubectl apply -f allow-frontend.yaml
# WEB_IP=$(kubectl get pod web -n np-demo -o jsonpath='{.status.podIP}')
# # frontend 可以访问
# kubectl exec -n np-demo frontend -- wget -qO- --timeout=2 http://$WEB_IP
# # 输出 nginx 页面
# # other 不能访问
# kubectl exec -n np-demo other -- wget -qO- --timeout=2 http://$WEB_IP
# # 超时
# # 清理
# kubectl delete namespace np-demo
# ```
#
# `wget -qO- --timeout=2` 的各种结果分别意味着什么：
#
# | 你看到的 | 含义 |
# |---|---|
# | nginx 页面（`<!DOCTYPE html>…`） | **允许**：客户端的出站方向和服务器的入站方向都放行了该连接 |
# | `wget: download timed out`（2 秒后） | 被策略**丢弃**：Calico 和 kindnet 都是静默丢弃，所以客户端一直等待 |
# | `Connection refused` | 策略允许，但该端口上没有进程在监听（由 Pod 的内核作出应答） |
# | `wget: bad address` | 域名解析失败：客户端到 DNS 的出站流量被阻断（笔记本 05） |
#
# 要让测试结果可信，有两条规则：始终发起**新**连接（已建立的连接在策略变更后依然存在）；从 **Pod**
# 中测试，不要从节点上测试：Calico 总是允许节点访问它自己的 Pod，这样 kubelet 的探针才能继续工作。
#
# 本章的注释已经写明了两次 `wget` 应有的结果。下面预测注释没有说的：
#
# **预测：** 应用默认拒绝之后，`web` 能否反过来向 `client` 发起连接？

# %%
POLICY_TEST = """\
# The pods the chapter's `kubectl run` commands create in namespace policy-test.
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: policy-test, labels: {app: web}}
spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: policy-test, labels: {run: client}}
spec: {containers: [{name: client, image: busybox}]}
"""
print(chapter_example("default-deny-policy-test"))
first_walkthrough = Engine(load_string(POLICY_TEST + "---\n" + chapter_example("default-deny-policy-test")))
question("09-first-walkthrough", first_walkthrough, "policy-test/web", "policy-test/client", 80)

# %% tags=["check"]
assert not first_walkthrough.allowed("policy-test/client", "policy-test/web", 80)  # wget times out
assert not first_walkthrough.allowed("policy-test/web", "policy-test/client", 80)  # podSelector {}: every pod
assert first_walkthrough.allowed("policy-test/client", "8.8.8.8", 443)  # egress is untouched

# %% [markdown]
# **Predict** the second walkthrough: which of these cells are allowed on TCP 80?

# %% [markdown] lang="zh-CN"
# **预测：** 第二个演练中，在 TCP 80 上，下面哪些单元格是允许的？

# %%
NP_DEMO = """\
# The pods the chapter's `kubectl run` commands create in namespace np-demo.
apiVersion: v1
kind: Namespace
metadata:
  name: np-demo
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: np-demo
  labels: {app: web, tier: backend}
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - {name: http, containerPort: 80}
---
apiVersion: v1
kind: Pod
metadata:
  name: frontend
  namespace: np-demo
  labels: {app: frontend}
spec:
  containers:
  - {name: frontend, image: busybox}
---
apiVersion: v1
kind: Pod
metadata:
  name: other
  namespace: np-demo
  labels: {app: other}
spec:
  containers:
  - {name: other, image: busybox}
"""
np_demo = load_string(NP_DEMO, filename="np-demo.yaml")
print(chapter_example("allow-frontend"))
walkthrough = Engine(np_demo.merged(load_string(chapter_example("allow-frontend"))))
predict("09-second-walkthrough", walkthrough, 80)

# %% tags=["check"]
assert walkthrough.allowed("np-demo/frontend", "np-demo/web", 80)  # wget prints the nginx page
assert not walkthrough.allowed("np-demo/other", "np-demo/web", 80)  # wget times out
assert walkthrough.allowed("np-demo/web", "np-demo/other", 80)  # other is not isolated: refused, not dropped

# %% [markdown]
# Labs 1 and 2 (`labs/lab-01-default-deny.ipynb`, `labs/lab-02-allow-frontend.ipynb`) run both
# walkthroughs for real, step by step. Here we run the second one on whatever dataplane this
# machine offers.
#
# ## Predicted vs probed
#
# A `LabSession` runs on a **backend**, and its banner says which one and what enforces the
# result:
#
# - **kind**, when the lab's kind cluster is reachable (`npkit lab up`): real pods, enforced by
#   Calico's Felix (or, on a kind cluster without Calico, by kindnet, which enforces
#   NetworkPolicy only);
# - **local**, only when you ask for it (`NPKIT_LAB_BACKEND=local`, `--backend local`, or the
#   button the labs show): network namespaces and nftables rules **on this machine** (needs root).
#   What enforces the result there is *npkit's own nftables rendering* of the policies, checked by
#   the kernel: for Kubernetes NetworkPolicy a faithful test (npkit passes the upstream e2e truth
#   tables), for Calico policies a test of npkit against itself and the kernel, **not of Felix**;
# - otherwise **prediction only**: every matrix is the evaluator's and says *predicted, not
#   observed*.
#
# On an observing backend the session first runs an **enforcement canary**: a deny-all must stop a
# probe, or the cluster is not enforcing policy at all and every result would be meaningless.
#
# The button below is the opt-in to the local backend: nothing is created on this machine unless you
# click it (then run the cell after it).

# %% [markdown] lang="zh-CN"
# 实验 1 和实验
# 2（`labs/zh-CN/lab-01-default-deny.ipynb`、`labs/zh-CN/lab-02-allow-frontend.ipynb`）会一步一步地真实运行这两个演练。这里我们在本机所能提供的数据平面上运行第二个演练。
#
# ## 预测与探测
#
# `LabSession` 运行在某个**后端**上，它的横幅会说明是哪个后端，以及结果由谁实施：
#
# - **kind**：当实验用的 kind 集群可以访问时（`npkit lab up`）。Pod 是真实的，由 Calico 的 Felix
#   实施（在没有 Calico 的 kind 集群上则由 kindnet 实施，它只实施 NetworkPolicy）；
# - **local**：只有在你主动要求时才会使用（`NPKIT_LAB_BACKEND=local`、`--backend local`，或者实验中显示的按钮），在**本机上**创建网络命名空间和
#   nftables 规则（需要 root 权限）。在这里实施结果的是 *npkit 自己把策略渲染成的 nftables
#   规则*，由内核来检验：对 Kubernetes NetworkPolicy 来说，这是一个忠实的测试（npkit 通过了上游 e2e
#   测试的真值表）；对 Calico 策略来说，它只是用内核检验 npkit 自身，**而不是检验 Felix**；
# - 其他情况下**只有预测**：每个矩阵都来自评估器，并标注为*仅预测，未观测*。
#
# 在能够观测的后端上，会话首先运行一次**金丝雀检查**：一个全部拒绝的策略必须挡住一次探测，否则说明集群根本没有实施策略，所有结果都毫无意义。
#
# 下面的按钮用于选择启用本地后端：除非你点击它（然后运行它后面的单元格），否则不会在本机上创建任何东西。

# %%
opt_in = local_opt_in()
opt_in

# %%
lab = open_lab(f"nb-09-{os.getpid()}", np_demo, needs="calico", local=opt_in)  # the pid keeps parallel runs apart
canary = lab.canary()
lab.intro()

# %% [markdown]
# Deploy the three pods, apply `allow-frontend`, and probe every pair on TCP 80. On an observing
# backend you see two matrices, predicted and observed; a cell where they differ is marked `!` and
# explained below them. (Probes to `frontend` and `other` count as allowed when their kernel
# answers "refused": they serve no port, but the packet got through policy.)

# %% [markdown] lang="zh-CN"
# 部署这三个 Pod，应用 `allow-frontend`，然后在 TCP 80 上探测每一对
# Pod。在能够观测的后端上，你会看到预测和观测两个矩阵；两者不一致的单元格标记为
# `!`，并在矩阵下方给出解释。（探测 `frontend` 和 `other`
# 时，如果它们的内核回答“拒绝连接”（refused），也算作允许：它们没有提供任何端口，但数据包已经通过了策略。）

# %%
lab.deploy()
lab.apply(chapter_example("allow-frontend"))
probed = lab.check(port=80)
print(probed)

# %% tags=["check"]
assert probed.predicted["np-demo/frontend", "np-demo/web"] and not probed.predicted["np-demo/other", "np-demo/web"]
if probed.observes:
    assert probed.agree, probed.render_text()  # the dataplane did what the engine predicted

# %% [markdown]
# ## Logging with a Log policy
#
# The chapter turns on policy logging with this GlobalNetworkPolicy (启用 Calico 策略日志 — enable
# Calico policy logging): tier `default`, order 9999, every pod, one `Log` rule per direction.

# %% [markdown] lang="zh-CN"
# ## 用 Log 策略记录日志
#
# 本章用下面这个 GlobalNetworkPolicy 启用 Calico 策略日志：Tier `default`，order 9999，选中所有
# Pod，每个方向一条 `Log` 规则。

# %%
print(chapter_example("log-denied"))

# %% [markdown]
# **Predict:** `Log` never decides anything. With `log-denied` applied, can `np-demo/frontend`
# still reach `np-demo/web`? (The cell applies `log-denied` on the lab's backend and probes every
# pair again; your answer opens the result.)

# %% [markdown] lang="zh-CN"
# **预测：** `Log` 从不作出任何决定。应用 `log-denied` 之后，`np-demo/frontend` 还能访问 `np-demo/web`
# 吗？（这个单元格会在实验后端上应用 `log-denied`，并再次探测每一对 Pod；作答后即可看到结果。）

# %%
with_log = Engine(np_demo.merged(load_string(chapter_example("allow-frontend") + "---\n"
                                             + chapter_example("log-denied"))))
lab.apply(chapter_example("log-denied"))
logged = lab.check(port=80)  # 现在探测，作答后显示  #en: probed now, shown once you have answered
question("09-log-denied", with_log, "np-demo/frontend", "np-demo/web", 80, more=lambda: logged)

# %% tags=["check"]
assert all(src == dst for src, dst in logged.predicted.pairs(True))
if logged.observes:
    assert logged.agree, logged.render_text()
surprise = show_verdict(lab.engine, "np-demo/frontend", "np-demo/web", 80)
assert not surprise.verdict.egress.allowed and surprise.verdict.egress.decision.kind == "end-of-tier"
assert surprise.verdict.egress.logged  # the Log rule fired, and decided nothing

# %% [markdown]
# ## Where the log lines are
#
# A `Log` rule writes to the **kernel log of the node**, prefix
# `calico-packet` (read with `dmesg` or `journalctl -k` on the node), not to calico-node's own
# log: the chapter's `kubectl logs -n kube-system -l k8s-app=calico-node -c calico-node | grep -i
# policy` shows Felix's messages about policies, not packets (and operator installs run
# calico-node in `calico-system`). The local backend collects the lines for you; without an
# observing backend, the evaluator says which Log rules each probe hits:

# %% [markdown] lang="zh-CN"
# ## 日志在哪里
#
# `Log` 规则写入的是**节点的内核日志**，前缀为 `calico-packet`（在节点上用 `dmesg` 或 `journalctl -k`
# 查看），而不是 calico-node 自己的日志：本章的
# `kubectl logs -n kube-system -l k8s-app=calico-node -c calico-node | grep -i policy` 显示的是 Felix
# 关于策略的消息，而不是数据包（而且用 operator 安装时，calico-node 运行在 `calico-system`
# 中）。本地后端会替你收集这些日志行；没有能够观测的后端时，评估器会说明每次探测命中了哪些 Log 规则：

# %%
if lab.observes:
    try:
        print(lab.logs(tail=6))
    except LabError as error:  # a backend that cannot read the kernel log says why
        print(error)
else:
    for src, dst in [("np-demo/frontend", "np-demo/web"), ("np-demo/other", "np-demo/web")]:
        verdict = lab.engine.verdict(src, dst, 80)
        # a packet the source's egress drops never reaches the destination's ingress rules: the
        # engine then lists no ingress Log hits (and marks that side "not reached")
        hits = verdict.egress.logged + verdict.ingress.logged
        print(f"{src} → {dst}: " + "; ".join(hits))

# %% [markdown]
# **The fix.** Log only where tier `default` denies anyway: `web`'s ingress, which
# `allow-frontend` isolates. Running after it (9999 > 1000), the Log rule sees exactly what it did
# not allow, and the end of the tier drops it as before. (Lab 4 shows why a final `Pass` is *not*
# the fix here; Calico 3.30 and later also has flow logs, Goldmane and Whisker, that show denied
# flows without any policy.)

# %% [markdown] lang="zh-CN"
# **修复方法。** 只在 Tier `default` 本来就会拒绝的地方记录日志：`web` 的入站方向，它已被 `allow-frontend`
# 隔离。Log 规则在 `allow-frontend` 之后执行（9999 > 1000），看到的恰好是后者没有允许的流量，而 Tier
# 末尾照旧丢弃这些流量。（实验 4 说明了为什么在这里加一条最终的 `Pass` *不是*正确的修复；Calico 3.30
# 及更高版本还提供流日志，即 Goldmane 和 Whisker，无需任何策略就能显示被拒绝的流量。）

# %%
LOG_DENIED_FIXED = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: log-denied
spec:
  tier: default
  order: 9999
  selector: app == 'web'
  namespaceSelector: kubernetes.io/metadata.name == 'np-demo'
  types:
  - Ingress
  ingress:
  - action: Log
"""
lab.apply(LOG_DENIED_FIXED)
fixed = lab.check(port=80)
print(fixed)
if fixed.observes:
    print(lab.logs(tail=1))  # the one probe the fixed policy logged

# %% tags=["check"]
assert (fixed.predicted.allowed == probed.predicted.allowed).all()  # the application works as before
denied = lab.engine.verdict("np-demo/other", "np-demo/web", 80)
assert not denied.allowed and denied.ingress.logged  # and what it denies is logged
assert not lab.engine.verdict("np-demo/frontend", "np-demo/web", 80).ingress.logged
if fixed.observes:
    assert fixed.agree, fixed.render_text()
    newest = lab.logs(tail=1)
    assert "np-demo/other → np-demo/web" in newest and "spec.ingress[0]" in newest

# %% [markdown]
# ## Reading the generated rules
#
# The chapter's `iptables -L -n | grep cali` lists the chains Felix writes on a node. Their names
# tell you what they do:
#
# | chain | what it is |
# |---|---|
# | `cali-tw-<interface>` | **t**o **w**orkload: a pod's ingress pipeline |
# | `cali-fw-<interface>` | **f**rom **w**orkload: a pod's egress pipeline |
# | `cali-pi-…` / `cali-po-…` | one policy's ingress / egress rules (most names are hashed: `cali-pi-_AbCd…`) |
# | `cali-pri-kns.<ns>` / `cali-pro-kns.<ns>` | the namespace profile, inbound / outbound: allow |
# | `cali-from-wl-dispatch`, `cali-to-wl-dispatch` | pick the pod chain by interface name |
#
# Inside a pod chain: `Start of tier <name>` clears the *pass* mark; each policy is a jump,
# followed by `Return if policy accepted` (accept mark `0x10000` set); `End of tier <name>. Drop if
# no policies passed packet` drops what the tier did not decide (pass mark `0x20000` clear); the
# profiles come last. In `iptables -L` the marks read `mark match 0x0/0x20000` (pass not set) and
# `mark match 0x10000/0x10000` (accepted). With the nftables dataplane, `nft list table ip calico`
# shows the same chains, prefixed `filter-`.
#
# The local backend compiles policies to nftables chains of the same shape; ask it for `web`'s (a
# backend that only predicts has none, and says so):

# %% [markdown] lang="zh-CN"
# ## 阅读生成的规则
#
# 本章的 `iptables -L -n | grep cali` 列出 Felix 在节点上写入的链。从链的名称就能看出它们的作用：
#
# | 链 | 作用 |
# |---|---|
# | `cali-tw-<interface>` | **t**o **w**orkload（到工作负载）：一个 Pod 的入站处理流程 |
# | `cali-fw-<interface>` | **f**rom **w**orkload（来自工作负载）：一个 Pod 的出站处理流程 |
# | `cali-pi-…` / `cali-po-…` | 某个策略的入站 / 出站规则（大多数名称经过哈希：`cali-pi-_AbCd…`） |
# | `cali-pri-kns.<ns>` / `cali-pro-kns.<ns>` | 命名空间的 profile，入站 / 出站：允许 |
# | `cali-from-wl-dispatch`、`cali-to-wl-dispatch` | 按接口名称选择对应 Pod 的链 |
#
# 在 Pod 的链中：`Start of tier <name>` 清除 *pass* 标记；每个策略是一次跳转，之后紧跟
# `Return if policy accepted`（已设置接受标记
# `0x10000`）；`End of tier <name>. Drop if no policies passed packet` 丢弃该 Tier
# 没有作出决定的流量（pass 标记 `0x20000` 未设置）；profile 排在最后。在 `iptables -L` 中，这些标记显示为
# `mark match 0x0/0x20000`（未设置 pass）和 `mark match 0x10000/0x10000`（已接受）。使用 nftables
# 数据平面时，`nft list table ip calico` 显示同样的链，名称带有前缀 `filter-`。
#
# 本地后端会把策略编译成结构相同的 nftables 链；我们向它索取 `web` 的链（仅预测的后端没有这些链，它会说明这一点）：

# %%
try:
    rules = lab.rules("np-demo/web")
    print(rules)
except LabError as error:  # prediction only: nothing was generated
    rules = None
    print(error)

# %% [markdown]
# For comparison, an **illustration**, not generated here: what Felix writes for `web`'s ingress on
# a Calico 3.32 node with the iptables dataplane (`iptables -L cali-tw-cali1a2b3c4d5e6 -n`, for
# `np-demo/web` with `allow-frontend` and the fixed `log-denied`; the hashes are invented). The
# first policy chain, `cali-pi-_Kx9f…`, is `allow-frontend` (its rule's comment names the policy);
# the second, `cali-pi-_Pq4L…`, is `log-denied`: `Log` sets no mark, so the tier's `DROP` follows.

# %% [markdown] lang="zh-CN"
# 作为对照，下面是一份**示意**（并非在这里生成）：在使用 iptables 数据平面的 Calico 3.32 节点上，Felix
# 为 `web` 的入站方向写入的规则（`iptables -L cali-tw-cali1a2b3c4d5e6 -n`，对应带有 `allow-frontend`
# 和修复后的 `log-denied` 的 `np-demo/web`；其中的哈希值是虚构的）。第一个策略链 `cali-pi-_Kx9f…`
# 是 `allow-frontend`（其规则的注释写明了策略名称）；第二个 `cali-pi-_Pq4L…` 是 `log-denied`：`Log`
# 不设置任何标记，所以紧接着就是该 Tier 的 `DROP`。

# %%
ILLUSTRATION = """\
Chain cali-tw-cali1a2b3c4d5e6 (1 references)
target          prot opt source     destination
ACCEPT          all  --  0.0.0.0/0  0.0.0.0/0   /* cali:Q8X3… */ ctstate RELATED,ESTABLISHED
DROP            all  --  0.0.0.0/0  0.0.0.0/0   /* cali:V1pD… */ ctstate INVALID
MARK            all  --  0.0.0.0/0  0.0.0.0/0   /* cali:Tm7c… */ MARK and 0xfffcffff
MARK            all  --  0.0.0.0/0  0.0.0.0/0   /* cali:zY0a… */ /* Start of tier default */ MARK and 0xfffdffff
cali-pi-_Kx9f…  all  --  0.0.0.0/0  0.0.0.0/0   /* cali:3bWq… */ mark match 0x0/0x20000
RETURN          all  --  0.0.0.0/0  0.0.0.0/0   /* cali:hH2s… */ /* Return if policy accepted */ mark match 0x10000/0x10000
cali-pi-_Pq4L…  all  --  0.0.0.0/0  0.0.0.0/0   /* cali:Lr8e… */ mark match 0x0/0x20000
RETURN          all  --  0.0.0.0/0  0.0.0.0/0   /* cali:a7Fv… */ /* Return if policy accepted */ mark match 0x10000/0x10000
DROP            all  --  0.0.0.0/0  0.0.0.0/0   /* cali:Z0oK… */ /* End of tier default. Drop if no policies passed packet */ mark match 0x0/0x20000
cali-pri-kns.np-demo  all  --  0.0.0.0/0  0.0.0.0/0   /* cali:b1Xc… */
RETURN          all  --  0.0.0.0/0  0.0.0.0/0   /* cali:9Uu2… */ /* Return if profile accepted */ mark match 0x10000/0x10000
cali-pri-ksa.np-demo.default  all  --  0.0.0.0/0  0.0.0.0/0   /* cali:mE5t… */
RETURN          all  --  0.0.0.0/0  0.0.0.0/0   /* cali:Wd3j… */ /* Return if profile accepted */ mark match 0x10000/0x10000
DROP            all  --  0.0.0.0/0  0.0.0.0/0   /* cali:k6Rn… */ /* Drop if no profiles matched */

Chain cali-pi-_Kx9f… (1 references)
MARK  tcp  --  0.0.0.0/0  0.0.0.0/0  /* KubernetesNetworkPolicy np-demo/allow-frontend ingress */ match-set cali40s:… src tcp dpt:80 MARK or 0x10000
RETURN all --  0.0.0.0/0  0.0.0.0/0  mark match 0x10000/0x10000

Chain cali-pi-_Pq4L… (1 references)
LOG   all  --  0.0.0.0/0  0.0.0.0/0  /* GlobalNetworkPolicy log-denied ingress */ LOG flags 0 level 5 prefix "calico-packet: "
"""
print(ILLUSTRATION)

# %% tags=["check"]
assert "End of tier default. Drop if no policies passed packet" in ILLUSTRATION
assert rules is None or "End of tier default. Drop if no policies passed packet" in rules

# %% [markdown]
# ### Three dataplanes, three places to look
#
# Calico programs policy in one of three dataplanes, and each is read differently: **iptables**
# (`iptables-save | grep cali-`, the chains above), **nftables** (`nft list table ip calico`, the
# same chains prefixed `filter-`), and **eBPF**.
#
# **Predict:** on a node running Calico's eBPF dataplane, what does `iptables -L -n | grep cali-tw`
# show for the pods' policies?

# %% [markdown] lang="zh-CN"
# ### 三种数据平面，三个查看位置
#
# Calico
# 把策略下发到三种数据平面之一，每一种的查看方式都不同：**iptables**（`iptables-save | grep cali-`，即上面的链）、**nftables**（`nft list table ip calico`，同样的链，名称带前缀
# `filter-`）以及 **eBPF**。
#
# **预测：** 在运行 Calico eBPF 数据平面的节点上，`iptables -L -n | grep cali-tw` 会显示哪些与 Pod
# 策略有关的内容？

# %%
choice("09-ebpf", ["the same cali-tw-… chains as above", "nothing: policy runs in BPF programs",
                   "the chains, but empty"])

# %% [markdown]
# ### Reading policy in eBPF mode
#
# In eBPF mode, `calico-node -bpf policy dump <interface> all` inside the calico-node pod prints
# a pod's compiled policy, with the same tiers, rules and "End of tier" drops. The commands, per
# dataplane:

# %% [markdown] lang="zh-CN"
# ### 在 eBPF 模式下阅读策略
#
# 在 eBPF 模式下，在 calico-node Pod 中运行 `calico-node -bpf policy dump <interface> all`，可以打印出某个
# Pod 编译后的策略，其中同样有 Tier、规则和“End of tier”丢弃。各数据平面对应的命令如下：

# %%
for dataplane, command in [("iptables", "iptables-save -t filter | grep -E 'cali-(tw|fw|pi|po)-'"),
                           ("nftables", "nft list table ip calico"),
                           ("eBPF", "kubectl exec -n calico-system <calico-node-pod> -c calico-node -- "
                                    "calico-node -bpf policy dump <cali-interface> all")]:
    print(f"{dataplane:9} {command}")

# %% [markdown]
# ## calicoctl and Felix
#
# On a cluster, the chapter's inspection commands (查看 — view):
#
# ```bash
# calicoctl get networkpolicy -A                               # 查看 Calico 策略: every namespace's Calico NetworkPolicies
# calicoctl get networkpolicy <name> -n <namespace> -o yaml    # 查看策略详情: one policy as stored, defaults filled in
# calicoctl get globalnetworkpolicy -o wide                    # (not in the chapter) the global ones, with order and selector
# calicoctl get tier                                           # (not in the chapter) the tiers and their order
# iptables -L -n | grep cali                                   # 查看生成的 iptables 规则: the chains above
# kubectl exec -n kube-system <calico-node-pod> -c calico-node -- calico-node -show-status
# calicoctl node diags                                         # 使用 calicoctl 诊断: a diagnostics bundle to attach to a bug report
# calicoctl apply -f log-denied.yaml                           # the chapter pipes its Calico policies to calicoctl apply
# calicoctl delete globalnetworkpolicy log-denied              # 清理 (clean up)
# ```
#
# `calico-node -show-status` prints the status calico-node reports about itself (the chapter
# calls it Felix's policy cache: 查看 Felix 策略缓存; the policy Felix really programmed is best read
# from the rules above). On operator installs calico-node runs in namespace `calico-system`, not
# `kube-system`. Each Kubernetes NetworkPolicy sits in tier `default` at order 1000;
# Calico 3.31 and earlier name it internally `knp.default.<name>`, a name you will meet in their
# output (3.32 dropped the prefix).
#
# npkit answers the same question from the evaluator: every tier that has policies, and each
# policy with its order and what it selects, in evaluation order (the first column of
# `calicoctl get … -o wide`):

# %% [markdown] lang="zh-CN"
# ## calicoctl 与 Felix
#
# 在集群上，本章用于查看的命令如下：
#
# ```bash
# # 查看 Calico 策略：所有命名空间的 Calico NetworkPolicy
# calicoctl get networkpolicy -A
# # 查看策略详情：存储的策略，已填入默认值
# calicoctl get networkpolicy <name> -n <namespace> -o yaml
# # （本章未列出）全局策略，含 order 和选择器
# calicoctl get globalnetworkpolicy -o wide
# # （本章未列出）各个 Tier 及其 order
# calicoctl get tier
# # 查看生成的 iptables 规则：即上面的链
# iptables -L -n | grep cali
# # 查看 Felix 策略缓存
# kubectl exec -n kube-system <calico-node-pod> -c calico-node -- calico-node -show-status
# # 使用 calicoctl 诊断：生成诊断包，可附在缺陷报告中
# calicoctl node diags
# # 本章把 Calico 策略通过管道交给 calicoctl apply
# calicoctl apply -f log-denied.yaml
# # 清理
# calicoctl delete globalnetworkpolicy log-denied
# ```
#
# `calico-node -show-status` 打印 calico-node 报告的自身状态（本章把这一步称为“查看 Felix 策略缓存”；
# Felix 实际下发了哪些策略，最好从上面的规则中读取）。用 operator 安装时，calico-node 运行在命名空间
# `calico-system` 中，而不是 `kube-system`。每条 Kubernetes NetworkPolicy 都位于 Tier `default` 中，order 为
# 1000；Calico 3.31 及更早的版本在内部把它命名为 `knp.default.<name>`，你会在这些版本的输出中看到这个名称（3.32
# 去掉了这个前缀）。
#
# npkit 用评估器回答同样的问题：列出每个含有策略的 Tier，以及其中每个策略的 order
# 和它选中的对象，按评估顺序排列（即 `calicoctl get … -o wide` 的第一列）：

# %%
for tier in lab.engine.program.tiers:
    for policy in tier.policies:
        order = "-" if policy.order is None else f"{policy.order:g}"  # "-": no order, evaluated last
        types = ", ".join(sorted(policy.directions))
        print(f"tier: {tier.name:8} order: {order:6} {str(policy.ref):42} types: [{types}]")
        print(f"    {policy.subject.describe()}")  # what it selects
print("\n" + lab.backend.status())

# %% tags=["check"]
listed = [(t.name, str(p.ref)) for t in lab.engine.program.tiers for p in t.policies]
assert listed == [("default", "NetworkPolicy np-demo/allow-frontend"), ("default", "GlobalNetworkPolicy log-denied")]

# %% [markdown]
# ## Clean up
#
# This removes the lab's pods and policies (on the local backend also its network namespaces);
# it is safe to run twice, and it also runs by itself if a step fails or the kernel exits.

# %% [markdown] lang="zh-CN"
# ## 清理
#
# 这一步会删除实验的 Pod
# 和策略（在本地后端上还会删除它的网络命名空间）；运行两次也是安全的；如果某一步失败或 Jupyter 内核退出，它也会自动运行。

# %%
lab.teardown()
if lab.backend.name == "local":
    lab.backend.down()  # cheap to recreate; a kind cluster, by contrast, is kept for the labs

# %% [markdown]
# ## Exercise: debug this namespace
#
# A set of policies that should let an application work, and does not. The feedback's first line
# names what cuts a connection; fix it, check again, until everything passes.

# %% [markdown] lang="zh-CN"
# ## 练习：调试这个命名空间
#
# 这里有一组策略，本应让一个应用正常工作，实际却不行。反馈的第一行会指出是什么切断了连接；修复它，再次检查，直到全部通过。

# %%
debug = Exercise.get("09-debug")
debug.show()

# %% tags=["check"]
assert not debug.check(debug.starter_yaml).passed and debug.check(debug.solution()).passed

# %% [markdown]
# ## What you saw
#
# - `wget --timeout=2` tells allowed (the page), dropped (timeout), refused (nothing listens) and
#   DNS failure (bad address) apart; test new connections, from pods.
# - The evaluator's matrix and the probed one agree; where they would not, the cell is marked and
#   explained.
# - The chapter's `log-denied` drops everything it logs, because tier `default` ends with Deny (on
#   every Calico version); log only where the tier denies anyway.
# - The banner says what enforced a result: Felix on kind + Calico, kindnet, or npkit's own
#   nftables rendering on this machine (which checks npkit against the kernel, not against Felix).
# - Felix's chains show the same structure as the explanations: tiers, policies, the end-of-tier
#   drop, profiles.
#
# Next, notebook [`10-best-practices`](10-best-practices.ipynb): lint policies and fix what the linter finds.

# %% [markdown] lang="zh-CN"
# ## 回顾
#
# - `wget --timeout=2` 可以区分允许（拿到页面）、丢弃（超时）、拒绝连接（没有进程监听）和 DNS 失败（bad
#   address）；测试时要用新连接，并从 Pod 中发起。
# - 评估器的矩阵与探测得到的矩阵一致；如果不一致，相应的单元格会被标记并给出解释。
# - 本章的 `log-denied` 会丢弃它记录的所有流量，因为 Tier `default` 以 Deny 结尾（在所有 Calico
#   版本中都是如此）；只在 Tier 本来就会拒绝的地方记录日志。
# - 横幅说明结果由谁实施：kind + Calico 上的 Felix、kindnet，或者本机上 npkit 自己渲染的 nftables
#   规则（它用内核检验 npkit，而不是检验 Felix）。
# - Felix 的链与解释呈现出相同的结构：Tier、策略、Tier 末尾的丢弃、profile。
#
# 下一个笔记本：[`10-best-practices`](10-best-practices.ipynb)，对策略运行 lint，并修复 lint
# 工具发现的问题。

# %%
from npkit.course import what_next

what_next("09")
