"""What a lab result rests on: which software enforced the observed matrix, and which truth the
prediction it is compared with was checked against. Shown by the CLI, the compare view and
the lab notebooks, so a learner never takes npkit agreeing with itself for Calico agreeing with npkit.

* kind + Calico: Felix programmed the rules; observed = predicted checks npkit against Calico.
* kind + kindnet: kube-network-policies enforced Kubernetes NetworkPolicy.
* local: npkit's *own* nftables rendering, enforced by this machine's kernel. For Calico
  objects that checks npkit against itself (plus the kernel), not against Felix. For
  Kubernetes NetworkPolicy the semantics rest on upstream's e2e truth tables (a translated
  sample is in tests/data/conformance/k8s), which the evaluator and the local backend pass.
* predict: nothing is observed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, messages
from ..model import Cluster

_ = messages("npkit-tools").gettext

# Each sentence whole (a translation orders it its own way); `Provenance.text` keeps the English, the
# stable form JSON carries, and `Provenance.translated` says it in the current language.
LOCAL_CALICO = N_("observed on npkit's nftables rendering of Calico's rules, enforced by the kernel — not on Felix; "
                  "where it agrees with the prediction, npkit agrees with itself, not necessarily with Calico")
LOCAL_KUBERNETES = N_("observed on npkit's nftables rendering of the Kubernetes policies, enforced by this machine's "
                      "kernel (no Kubernetes, no CNI); the rules follow Kubernetes' upstream e2e NetworkPolicy truth "
                      "tables (a translated sample ships in tests/data/conformance/k8s), which npkit's evaluator "
                      "passes")
LOCAL_GENERIC = N_("observed on npkit's own nftables rendering of the policies, enforced by this machine's kernel — "
                   "no Kubernetes, no CNI, no Felix")
KIND_CALICO = N_("observed on a kind cluster, enforced by Calico (Felix) — a real Calico dataplane; where it agrees "
                 "with the prediction, npkit agrees with Calico")
KIND_KINDNET = N_("observed on a kind cluster, enforced by kindnet (kube-network-policies, Kubernetes NetworkPolicy "
                  "only); the prediction rests on Kubernetes' upstream e2e NetworkPolicy truth tables (a translated "
                  "sample ships in tests/data/conformance/k8s), which npkit's evaluator passes")
PREDICTED = N_("PREDICTED, NOT OBSERVED: nothing is run; the matrices are npkit's evaluator's")
OTHER_BACKEND = N_("observed on the {backend} backend")


def uses_calico(cluster: Cluster) -> bool:
    """Whether a Calico object (policy, non-built-in tier, network set) takes part in the result."""
    return bool(cluster.calico_policies or cluster.network_sets
                or any(not t.builtin for t in cluster.tiers.values()))


@dataclass(frozen=True)
class Provenance:
    """Who enforced a lab result and what it rests on, in one sentence (`text`)."""

    backend: str
    observed: bool
    text: str

    @property
    def translated(self) -> str:
        """`text` in the current language (what the CLI, the card and the notebooks show)."""
        if self.text == OTHER_BACKEND.format(backend=self.backend):
            return _(OTHER_BACKEND).format(backend=self.backend)
        return _(self.text)

    @property
    def not_on_calico(self) -> bool:
        """True when Calico objects were enforced by something other than Calico."""
        return self.text == LOCAL_CALICO


def provenance(backend: str, dataplane: str, cluster: Cluster | None = None, observed: bool = True,
               calico: bool | None = None) -> Provenance:
    """The provenance of a result from `backend` (enforcing `dataplane`) for the objects of `cluster`
    (or, without a cluster, for a lab that is or is not about Calico; None: not known yet)."""
    if calico is None and cluster is not None:
        calico = uses_calico(cluster)
    if not observed or backend == "predict":
        return Provenance(backend, False, PREDICTED)
    if backend == "local":
        if calico is None:
            return Provenance(backend, True, LOCAL_GENERIC)
        return Provenance(backend, True, LOCAL_CALICO if calico and dataplane == "calico" else LOCAL_KUBERNETES)
    if backend == "kind":
        return Provenance(backend, True, KIND_CALICO if dataplane == "calico" else KIND_KINDNET)
    return Provenance(backend, True, OTHER_BACKEND.format(backend=backend))
