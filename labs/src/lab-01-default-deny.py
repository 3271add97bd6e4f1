# %% [markdown]
# # Lab 1 — Default deny, for real
#
# The chapter's first hands-on section creates a namespace `policy-test` with two pods, checks that
# `client` reaches `web`, applies a **default deny** for ingress, and checks again. In this lab you do
# the same on a lab backend, and for every step you first **predict** the result, then see the
# evaluator's prediction beside what the backend observed (the banner below says what enforces it).
#
# What you need: nothing for the prediction-only mode; for the real thing, a kind cluster
# (`npkit lab up`, about 5 minutes the first time; see *Running the labs*).

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
lab = open_lab("lab-01", SCENARIOS / "lab-01-policy-test.yaml", local=opt_in)
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

# %%
print((SCENARIOS / "lab-01-policy-test.yaml").read_text())
cluster = lab.deploy()

# %% [markdown]
# ## Step 2 — Before any policy
#
# **Predict:** with no NetworkPolicy in `policy-test`, can `client` open a connection to `web` on TCP/80?

# %%
question("L1-before", lab.cluster, "policy-test/client", "policy-test/web", 80)

# %% [markdown]
# ### Probe it
#
# `✓` means the connection got through; `·` that it was dropped. On an observing backend the observed
# matrix stands to the right; a cell marked `!` would differ from the prediction.

# %%
before = lab.check(port=80)
print(before)

# %% tags=["check"]
# No policy selects either pod, so nothing is isolated: every connection is allowed.
assert before.predicted["policy-test/client", "policy-test/web"]
assert before.predicted["policy-test/web", "policy-test/client"]
assert before.agree, before.render_text()   # on an observing backend: reality matched, cell by cell

# %% [markdown]
# ## Step 3 — The default deny
#
# `scenarios/lab-01-default-deny.yaml` is the chapter's policy: `podSelector: {}` selects every pod of the
# namespace, `policyTypes: [Ingress]` makes them **isolated for ingress**, and there is no ingress rule,
# so nothing is allowed in.
#
# **Predict:** after applying it, which connections between the two pods are allowed?

# %%
print((SCENARIOS / "lab-01-default-deny.yaml").read_text())
predict("L1-default-deny", after("lab-01-default-deny.yaml"), 80)

# %% [markdown]
# ### Apply and probe

# %%
lab.apply(SCENARIOS / "lab-01-default-deny.yaml")
denied = lab.check(port=80)
print(denied)

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

# %% [markdown]
# ## Clean up
#
# This removes the lab's namespaces (only those labelled `npkit.io/lab=lab-01`) and everything in
# them. It is safe to run twice, and it also runs by itself if a step fails or you interrupt it.
# The cluster stays up for the next lab; `npkit lab down` deletes it.

# %%
lab.teardown()

# %% [markdown]
# ## What next
#
# [Lab 2](lab-02-allow-frontend.ipynb), or back to the [course home](../notebooks/00-welcome.ipynb).

# %%
from npkit.course import what_next

what_next("L1", here="labs")
