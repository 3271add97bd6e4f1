# %% [markdown]
# # Lab 2 — Only the frontend may reach the web server
#
# The chapter's second walkthrough: namespace `np-demo` with `web` (labels `app=web, tier=backend`),
# `frontend` and `other`, and a policy **allow-frontend** that lets only `frontend` reach `web` on TCP/80.
# As in lab 1: predict each step, then compare the evaluator's prediction with what the lab's backend
# observes.

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
lab = open_lab("lab-02", SCENARIOS / "lab-02-np-demo.yaml", local=opt_in)
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
# ## Step 1 — Deploy `np-demo`
#
# The chapter's commands (`kubectl run web --labels=app=web,tier=backend ...`, `frontend`, `other`) become
# the scenario file below; npkit deploys it and reads back the pods' IPs.

# %%
print((SCENARIOS / "lab-02-np-demo.yaml").read_text())
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
# policy on *web's ingress* change what *web* may send?) and `other → frontend`.

# %%
print((SCENARIOS / "lab-02-allow-frontend.yaml").read_text())
predict("L2-allow-frontend", after("lab-02-allow-frontend.yaml"), 80)

# %% [markdown]
# ### Apply and probe

# %%
lab.apply(SCENARIOS / "lab-02-allow-frontend.yaml")
allowed = lab.check(port=80)
print(allowed)

# %% tags=["check"]
assert allowed.predicted["np-demo/frontend", "np-demo/web"]        # the one allowed peer
assert not allowed.predicted["np-demo/other", "np-demo/web"]       # isolated, no rule for it: TIMEOUT
assert allowed.predicted["np-demo/web", "np-demo/frontend"]        # web's egress is not selected
assert allowed.predicted["np-demo/other", "np-demo/frontend"]      # frontend is not selected at all
assert allowed.agree, allowed.render_text()

# %% [markdown]
# ## Another port
#
# The rule names TCP/80 only. **Predict:** can `frontend` reach `web` on TCP/8080?

# %%
question("L2-other-port", lab.cluster, "np-demo/frontend", "np-demo/web", 8080)

# %% [markdown]
# ### Probe TCP/8080
#
# Nothing listens on 8080. On a cluster, a connection that policy lets through is answered with a reset
# (REFUSED); one that policy drops times out. npkit counts REFUSED from a pod that does not serve the port
# as "got through".

# %%
other_port = lab.check(port=8080)
print(other_port)
print(lab.explain("np-demo/frontend", "np-demo/web", port=8080, verbose=False))

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

# %% [markdown]
# ## Clean up
#
# This removes the lab's namespaces (only those labelled `npkit.io/lab=lab-02`) and everything in
# them. It is safe to run twice, and it also runs by itself if a step fails or you interrupt it.
# The cluster stays up for the next lab; `npkit lab down` deletes it.

# %%
lab.teardown()

# %% [markdown]
# ## What next
#
# [Lab 3](lab-03-calico-tiers.ipynb), or back to the [course home](../notebooks/00-welcome.ipynb).

# %%
from npkit.course import what_next

what_next("L2", here="labs")
