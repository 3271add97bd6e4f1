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
# The cell below chooses a **backend** and prints a banner saying which:
#
# - **kind** — your local kind cluster (`npkit lab up`, see *Running the labs*): real pods, a real CNI;
# - **local** — Linux network namespaces and nftables on this machine (needs root), no Docker;
# - **predict** — nothing runs; every matrix is the evaluator's and is labelled *predicted, not observed*
#   (Binder, a laptop without Docker).
#
# `NPKIT_LAB_BACKEND=kind|local|predict` forces a choice. Every step below shows the prediction; on an
# observing backend it also shows what really connected, beside it, and explains any cell that differs.
#
# This lab needs Calico (Log rules and tiers); on kindnet it falls back to prediction.

# %%
from pathlib import Path
from npkit.lab import LabSession

# The scenario files sit next to this notebook (labs/scenarios/); read them, they are plain YAML.
SCENARIOS = Path("scenarios") if Path("scenarios").is_dir() else Path("labs/scenarios")
lab = LabSession("lab-04", SCENARIOS / "lab-04-debug.yaml", needs="calico")

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
lab.apply(SCENARIOS / "lab-04-log-denied.yaml")
broken = lab.check(port=80)
print(broken)

# %%
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
assert not why.egress.allowed and why.egress.decision.kind == "end-of-tier"
assert why.egress.logged   # the Log rule did fire; it just does not decide

# %% [markdown]
# The **egress** of `client` is denied. Before `log-denied`, no policy selected `client` for egress, so
# its namespace profile allowed everything. `log-denied` selects `all()` for Ingress *and* Egress, so now
# the `default` tier applies to every pod in both directions; its only rule is `Log`, which does not
# decide; and a tier in which nothing decided ends with **Deny** (Calico ≥ 3.29). The policy meant to
# *observe* denials *creates* them.
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
# **The generated rules.** Felix turns policy into iptables chains: `cali-tw-<interface>` is a pod's
# ingress pipeline, `cali-fw-<interface>` its egress; each tier starts with `Start of tier …` and ends with
# `End of tier … Drop if no policies passed packet`. On kind:
# `docker exec npkit-lab-worker iptables-save -t filter | grep -E 'cali-(tw|fw|pi|po)'`, or `npkit lab rules debug/client`.
# Look for the end-of-tier drop in `client`'s egress chain.

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
lab.apply(SCENARIOS / "lab-04-log-denied-pass.yaml")
passing = lab.check(port=80)
print(passing)
assert passing.predicted["debug/client", "debug/web"]
assert passing.predicted["debug/intruder", "debug/web"]   # the application's isolation is gone!
assert passing.agree, passing.render_text()
print(lab.explain("debug/intruder", "debug/web", verbose=False))

# %% [markdown]
# Kubernetes NetworkPolicies live in the `default` tier too (order 1000), and their "isolated unless
# allowed" *is* the default tier's end-of-tier Deny. A `Pass` in the default tier skips that Deny, so
# `intruder` gets in. In the default tier, Pass is not a harmless "carry on".
#
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
