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
lab = open_lab("lab-03", SCENARIOS / "lab-03-shop.yaml", needs="calico", local=opt_in)
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
# ## Step 1 — Deploy `shop`
#
# `web` serves TCP/80; `frontend` is a normal client; `scanner` carries `suspicious: "true"`.

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
# **Predict:** does `frontend → web` still work after you apply it?

# %%
print((SCENARIOS / "lab-03-security-tier.yaml").read_text())
question("L3-security-tier", after("lab-03-security-tier.yaml"), "shop/frontend", "shop/web", 80)

# %% [markdown]
# ### Apply, probe, explain

# %%
lab.apply(SCENARIOS / "lab-03-security-tier.yaml")
tiered = lab.check(port=80)
print(tiered)
print(lab.explain("shop/frontend", "shop/web"))

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
# **Predict:** after the fix, is the matrix back to all-allowed?

# %%
print((SCENARIOS / "lab-03-security-tier-fixed.yaml").read_text())
from npkit.engine import Engine

all_allowed = bool(Engine(after("lab-03-security-tier-fixed.yaml")).reachability(80).all())
choice("L3-pass-fix", ["yes, all allowed again", "no, some stay denied"],
       "yes, all allowed again" if all_allowed else "no, some stay denied")

# %% [markdown]
# ### Apply and probe

# %%
lab.apply(SCENARIOS / "lab-03-security-tier-fixed.yaml")
fixed = lab.check(port=80)
print(fixed)

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
# **Predict** the matrix: `frontend → web`? `scanner → web`? And `web → scanner`?

# %%
predict("L3-explicit-deny", after("lab-03-explicit-deny-with-log.yaml"), 80)

# %% [markdown]
# ### Apply and probe

# %%
lab.apply(SCENARIOS / "lab-03-explicit-deny-with-log.yaml")
ordered = lab.check(port=80)
print(ordered)
print(lab.explain("shop/scanner", "shop/web", verbose=False))

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
# **Predict:** can `frontend` still reach `web`?

# %%
question("L3-deny-external", after("lab-03-deny-external-egress.yaml"), "shop/frontend", "shop/web", 80)

# %% [markdown]
# ### Apply, probe, explain

# %%
lab.apply(SCENARIOS / "lab-03-deny-external-egress.yaml")
egress = lab.check(port=80)
print(egress)
print(lab.explain("shop/frontend", "shop/web", verbose=False))

# %% tags=["check"]
assert not egress.predicted.allowed[off_diagonal].any()   # the default tier's own end-of-tier Deny, on egress
assert egress.agree, egress.render_text()

# %% [markdown]
# ### The fix for the egress policy
#
# Move the rule to the `security` tier and end it with `Pass` (a `Pass` inside the *default* tier would
# also skip the Deny that makes Kubernetes NetworkPolicies isolate pods: lab 4 shows that trap).

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
