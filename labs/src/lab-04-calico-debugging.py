# %% [markdown]
# # Lab 4 — Debugging: why is this flow dropped?
#
# The chapter ends with debugging tools: `calicoctl`, the iptables rules Felix generates, Felix's status,
# and a `log-denied` policy "to enable policy logging". In this lab you turn that policy on, watch it
# break an application that worked, and find out why with three tools: the **evaluator's explanation**,
# the **packet log**, and the **generated rules**. Then you fix it properly.

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

# %%
from pathlib import Path

from npkit.course.questions import choice, predict, question
from npkit.lab import local_opt_in, open_lab
from npkit.loading import load_string

# The scenario files sit next to this notebook (labs/scenarios/); read them, they are plain YAML.
SCENARIOS = Path("scenarios") if Path("scenarios").is_dir() else Path("labs/scenarios")


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

# %%
canary = lab.canary()

# %% [markdown]
# ## Step 1 — A working application
#
# Namespace `debug`: `web` serves TCP/80; `client` may reach it; `intruder` may not. The application's
# own policy, `allow-ingress-client-to-web`, says exactly that.

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
# **Predict:** once it is applied, does `client → web` still work?

# %%
print((SCENARIOS / "lab-04-log-denied.yaml").read_text())
question("L4-log-denied", after("lab-04-log-denied.yaml"), "debug/client", "debug/web", 80)

# %% [markdown]
# ### Apply and probe

# %%
lab.apply(SCENARIOS / "lab-04-log-denied.yaml")
broken = lab.check(port=80)
print(broken)

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
# pod. On the local backend, `npkit lab rules` prints npkit's own nftables rendering, not Felix's rules.)

# %%
if lab.observes:
    try:
        print(lab.rules("debug/client"))
    except LabError as e:
        print(e)
else:
    print("predicted, not observed: no rules were generated. The tiers that apply to client's egress:")
    for tier in why.egress.tiers:
        print(f"  {tier.title}: {[str(p.ref) for p in tier.policies]} → {tier.outcome}")

# %% [markdown]
# ## Step 4 — A tempting fix, and why it is wrong
#
# Lab 3 fixed the `security` tier with a final `Pass`. Try the same here: `Log`, then `Pass`.
#
# **Predict:** `client → web` comes back. What about `intruder → web`?

# %%
question("L4-pass-trap", after("lab-04-log-denied-pass.yaml"), "debug/intruder", "debug/web", 80)

# %% [markdown]
# ### Apply, probe, explain

# %%
lab.apply(SCENARIOS / "lab-04-log-denied-pass.yaml")
passing = lab.check(port=80)
print(passing)
print(lab.explain("debug/intruder", "debug/web", verbose=False))

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

# %%
print((SCENARIOS / "lab-04-log-denied-fixed.yaml").read_text())
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

# %%
lab.teardown()

# %% [markdown]
# ## What next
#
# That was the last lab. The [course home](../notebooks/00-welcome.ipynb) shows what you have done.

# %%
from npkit.course import what_next

what_next("L4", here="labs")
