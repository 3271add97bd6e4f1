# %% [markdown]
# # 09 · Testing and debugging
#
# A policy is only as good as what the dataplane does with it. The chapter tests with
# `kubectl exec … wget`, inspects with `calicoctl` and `iptables`, asks Felix for its status and
# turns on a `Log` policy. This notebook does each of these, side by side with the evaluator:
# it **predicts** a matrix, **probes** it on a real dataplane when one is available, explains a
# surprising cell, and reads the rules the dataplane generated.

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
# **Predict** the first walkthrough's second `wget`: after the default deny, does `client` get
# the page?

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
question("09-first-walkthrough", first_walkthrough, "policy-test/client", "policy-test/web", 80)

# %% tags=["check"]
assert not first_walkthrough.allowed("policy-test/client", "policy-test/web", 80)  # wget times out
assert not first_walkthrough.allowed("policy-test/web", "policy-test/client", 80)  # podSelector {}: every pod
assert first_walkthrough.allowed("policy-test/client", "8.8.8.8", 443)  # egress is untouched

# %% [markdown]
# **Predict** the second walkthrough: which of these cells are allowed on TCP 80?

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
# ## Logging with a Log policy, and a surprising matrix
#
# The chapter turns on policy logging with this GlobalNetworkPolicy (启用 Calico 策略日志 — enable
# Calico policy logging): tier `default`, order 9999, every pod, one `Log` rule per direction.

# %%
print(chapter_example("log-denied"))

# %% [markdown]
# **Predict:** `Log` never decides anything. With `log-denied` applied, can `np-demo/frontend`
# still reach `np-demo/web`?

# %%
with_log = Engine(np_demo.merged(load_string(chapter_example("allow-frontend") + "---\n"
                                             + chapter_example("log-denied"))))
question("09-log-denied", with_log, "np-demo/frontend", "np-demo/web", 80,
         more=lambda: show_verdict(with_log, "np-demo/frontend", "np-demo/web", 80))

# %% [markdown]
# ### Probe it
#
# Apply `log-denied` on the lab's backend and probe every pair again:

# %%
lab.apply(chapter_example("log-denied"))
logged = lab.check(port=80)
print(logged)

# %% tags=["check"]
assert all(src == dst for src, dst in logged.predicted.pairs(True))
if logged.observes:
    assert logged.agree, logged.render_text()
surprise = show_verdict(lab.engine, "np-demo/frontend", "np-demo/web", 80)
assert not surprise.verdict.egress.allowed and surprise.verdict.egress.decision.kind == "end-of-tier"
assert surprise.verdict.egress.logged  # the Log rule fired, and decided nothing

# %% [markdown]
# ### Where the log lines are
#
# A `Log` rule writes to the **kernel log of the node**, prefix
# `calico-packet` (read with `dmesg` or `journalctl -k` on the node), not to calico-node's own
# log: the chapter's `kubectl logs -n kube-system -l k8s-app=calico-node -c calico-node | grep -i
# policy` shows Felix's messages about policies, not packets (and operator installs run
# calico-node in `calico-system`). The local backend collects the lines for you; without an
# observing backend, the evaluator says which Log rules each probe hits:

# %%
if lab.observes:
    try:
        print(lab.logs(tail=6))
    except LabError as error:  # a backend that cannot read the kernel log says why
        print(error)
else:
    print("predicted, not observed: the Log rules each probe would hit")
    for src, dst in [("np-demo/frontend", "np-demo/web"), ("np-demo/other", "np-demo/web")]:
        verdict = lab.engine.verdict(src, dst, 80)
        # a packet the source's egress drops never reaches the destination's ingress rules: the
        # engine then lists no ingress Log hits (and marks that side "not reached")
        hits = verdict.egress.logged + verdict.ingress.logged
        print(f"  {src} → {dst}: " + "; ".join(hits))

# %% [markdown]
# **The fix.** Log only where tier `default` denies anyway: `web`'s ingress, which
# `allow-frontend` isolates. Running after it (9999 > 1000), the Log rule sees exactly what it did
# not allow, and the end of the tier drops it as before. (Lab 4 shows why a final `Pass` is *not*
# the fix here; Calico 3.30 and later also has flow logs, Goldmane and Whisker, that show denied
# flows without any policy.)

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
# The local backend compiles policies to nftables chains of the same shape; ask it for `web`'s:

# %%
try:
    rules = lab.rules("np-demo/web")
    print(rules)
except LabError as error:
    rules = None
    print(f"{error}.\nShown instead, as an ILLUSTRATION (not generated here): what Felix writes for "
          "web's ingress on a Calico node.")

# %%
ILLUSTRATION = """\
# ILLUSTRATION, not generated here: `iptables -L cali-tw-cali1a2b3c4d5e6 -n` on a Calico 3.32 node
# (iptables dataplane) for np-demo/web with allow-frontend and the fixed log-denied; hashes invented.
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

Chain cali-pi-_Kx9f… (1 references)       <- allow-frontend; the first rule's comment names the policy
MARK  tcp  --  0.0.0.0/0  0.0.0.0/0  /* KubernetesNetworkPolicy np-demo/allow-frontend ingress */ match-set cali40s:… src tcp dpt:80 MARK or 0x10000
RETURN all --  0.0.0.0/0  0.0.0.0/0  mark match 0x10000/0x10000

Chain cali-pi-_Pq4L… (1 references)       <- log-denied: Log does not set a mark, so the tier's DROP follows
LOG   all  --  0.0.0.0/0  0.0.0.0/0  /* GlobalNetworkPolicy log-denied ingress */ LOG flags 0 level 5 prefix "calico-packet: "
"""
if rules is None:
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

# %%
choice("09-ebpf", ["the same cali-tw-… chains as above", "nothing: policy runs in BPF programs",
                   "the chains, but empty"])

# %% [markdown]
# ### Reading policy in eBPF mode
#
# In eBPF mode, `calico-node -bpf policy dump <interface> all` inside the calico-node pod prints
# a pod's compiled policy, with the same tiers, rules and "End of tier" drops. The commands, per
# dataplane:

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
# `kube-system`. Up to Calico 3.31, `calicoctl get networkpolicy` also lists each Kubernetes
# NetworkPolicy, as `knp.default.<name>` at order 1000 in tier `default`.
#
# npkit answers the same question from the evaluator: every tier that has policies, and each
# policy with its order and what it selects, in evaluation order (the first column of
# `calicoctl get … -o wide`):

# %%
for tier in lab.engine.program.tiers:
    for policy in tier.policies:
        order = "(none: last)" if policy.order is None else f"{policy.order:g}"
        print(f"tier {tier.name:8} order {order:12} {str(policy.ref):45} selects {policy.subject.describe()}"
              f"  [{', '.join(sorted(policy.directions))}]")
print("\n" + lab.backend.status())

# %% tags=["check"]
listed = [(t.name, str(p.ref)) for t in lab.engine.program.tiers for p in t.policies]
assert listed == [("default", "NetworkPolicy np-demo/allow-frontend"), ("default", "GlobalNetworkPolicy log-denied")]

# %% [markdown]
# ## Clean up
#
# This removes the lab's pods and policies (on the local backend also its network namespaces);
# it is safe to run twice, and it also runs by itself if a step fails or the kernel exits.

# %%
lab.teardown()
if lab.backend.name == "local":
    lab.backend.down()  # cheap to recreate; a kind cluster, by contrast, is kept for the labs

# %% [markdown]
# ## Exercise: debug this namespace
#
# A set of policies that should let an application work, and does not. The feedback's first line
# names what cuts a connection; fix it, check again, until everything passes.

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

# %%
from npkit.course import what_next

what_next("09")
