# %% [markdown]
# # Lab 3 — Calico tiers, order, Deny and Pass on a live cluster
#
# The chapter shows a Tier `security`, a GlobalNetworkPolicy `block-malicious-ips` in it, the namespaced
# `explicit-deny-with-log`, and `deny-external-egress`. Here you apply them one by one on the **Calico**
# cluster (`npkit lab up --cni calico`) and watch what they really do — including something the chapter
# does not say: since Calico 3.29, **a tier ends with an implicit Deny** for every endpoint its policies
# select, unless the tier's `defaultAction` is `Pass`.
#
# Two lab additions to the chapter's YAML: the lab copies live in namespace `shop` instead of `default`,
# and each *global* policy gets `namespaceSelector: npkit.io/lab == 'lab-03'`, so it only touches this
# lab's namespaces. (Applied to a whole cluster, the chapter's `security` tier as written would cut DNS and
# the Calico API server; npkit refuses to apply a global policy that reaches outside the lab.)

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
# This lab needs Calico: on a kindnet cluster (which enforces Kubernetes NetworkPolicy only) it falls back
# to prediction and says so.

# %%
from pathlib import Path
from npkit.lab import LabSession

# The scenario files sit next to this notebook (labs/scenarios/); read them, they are plain YAML.
SCENARIOS = Path("scenarios") if Path("scenarios").is_dir() else Path("labs/scenarios")
lab = LabSession("lab-03", SCENARIOS / "lab-03-shop.yaml", needs="calico")

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
# ## Step 1 — Deploy `shop`
#
# `web` serves TCP/80; `frontend` is a normal client; `scanner` carries `suspicious: "true"`.

# %%
cluster = lab.deploy()
base = lab.check(port=80)
print(base)
assert base.predicted.allowed.all()   # no policy yet: everything allowed
assert base.agree, base.render_text()

# %% [markdown]
# ## Step 2 — The `security` tier, as the chapter writes it
#
# `block-malicious-ips` (tier `security`, order 100) denies ingress from `1.2.3.0/24` and says nothing
# else. None of our pods is in that range.
#
# **Predict:** does `frontend → web` still work after you apply it?

# %%
print((SCENARIOS / "lab-03-security-tier.yaml").read_text())
lab.apply(SCENARIOS / "lab-03-security-tier.yaml")
tiered = lab.check(port=80)
print(tiered)

# %%
import numpy as np

off_diagonal = ~np.eye(len(tiered.predicted.pods), dtype=bool)
assert not tiered.predicted.allowed[off_diagonal].any()   # every pod-to-pod connection is now denied
assert tiered.agree, tiered.render_text()
print(lab.explain("shop/frontend", "shop/web"))

# %% [markdown]
# Everything stopped. Read the explanation: the `security` tier *applies* to `web` (one of its policies
# selects it), no rule matched, and so the tier's **default action, Deny**, decided. A tier is not a
# filter that lets the rest through: it is a complete verdict for what it selects.
#
# ## Step 3 — The fix: Pass
#
# A final rule `- action: Pass` ends the tier for everything it did not deny, and evaluation continues in
# the next tier (here `default`, and then the namespace profile, which allows). Setting
# `defaultAction: Pass` on the Tier would do the same for every policy in it.
#
# **Predict:** after the fix, is the matrix back to all-allowed?

# %%
print((SCENARIOS / "lab-03-security-tier-fixed.yaml").read_text())
lab.apply(SCENARIOS / "lab-03-security-tier-fixed.yaml")
fixed = lab.check(port=80)
print(fixed)
assert fixed.predicted.allowed.all()
assert fixed.agree, fixed.render_text()

# %% [markdown]
# ## Step 4 — Explicit Deny, Log and Allow, in order
#
# `explicit-deny-with-log` selects `app == 'web'`: it **logs** traffic from `suspicious == 'true'`,
# **denies** it, and **allows** `app == 'frontend'`. Calico rules run in order and the first Allow or
# Deny wins; Log never decides.
#
# **Predict:** `frontend → web`? `scanner → web`? And `web → scanner`?

# %%
lab.apply(SCENARIOS / "lab-03-explicit-deny-with-log.yaml")
ordered = lab.check(port=80)
print(ordered)
assert ordered.predicted["shop/frontend", "shop/web"]
assert not ordered.predicted["shop/scanner", "shop/web"]
assert ordered.predicted["shop/web", "shop/scanner"]       # the policy only governs web's ingress
assert ordered.agree, ordered.render_text()
print(lab.explain("shop/scanner", "shop/web", verbose=False))

# %% [markdown]
# ## Step 5 — deny-external-egress
#
# The chapter's global policy denies egress to anything outside the private ranges. It has no tier, so
# it lands in `default` (with no order: last there). Our pods' addresses are private.
#
# **Predict:** can `frontend` still reach `web`?

# %%
lab.apply(SCENARIOS / "lab-03-deny-external-egress.yaml")
egress = lab.check(port=80)
print(egress)
assert not egress.predicted.allowed[off_diagonal].any()   # the default tier's own end-of-tier Deny, on egress
assert egress.agree, egress.render_text()
print(lab.explain("shop/frontend", "shop/web", verbose=False))

# %% [markdown]
# Same lesson, on egress, in the `default` tier: every pod is now selected for egress, no rule matches a
# private destination, and the default tier's implicit Deny drops it. Here the fix is to move the rule to
# the `security` tier and end it with `Pass` (a `Pass` inside the *default* tier would also skip the Deny
# that makes Kubernetes NetworkPolicies isolate pods — lab 4 shows that trap).

# %%
lab.apply(SCENARIOS / "lab-03-deny-external-egress-fixed.yaml")
final = lab.check(port=80)
print(final)
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
# (`kubectl get networkpolicy` lists the Kubernetes kind; the Calico kind needs its full name or `cnp`.)

# %% [markdown]
# ## Clean up
#
# This removes the lab's namespaces (only those labelled `npkit.io/lab=lab-03`) and everything in
# them. It is safe to run twice, and it also runs by itself if a step fails or you interrupt it.
# The cluster stays up for the next lab; `npkit lab down` deletes it.
#
# Cluster-wide objects the lab created (the `security` tier and the global policies) carry the same
# label and are deleted too.

# %%
lab.teardown()

# %% [markdown]
# ## What next
#
# [Lab 4](lab-04-calico-debugging.ipynb), or back to the [course home](../notebooks/00-welcome.ipynb).

# %%
from npkit.course import what_next

what_next("L3", here="labs")
