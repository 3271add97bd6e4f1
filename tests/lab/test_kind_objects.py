"""The lab changes only what it created: cluster-wide objects are never taken over, clean-up deletes
exactly the lab's objects in an order Calico accepts, against a fake API that answers like the real
one (409 with the object left as it was, asynchronous namespace deletion, non-empty tiers refused)."""

import pytest

from npkit.cluster.guard import ForeignObject
from npkit.cluster.kube import KubeError
from npkit.cluster.objects import LabObjects
from npkit.lab.backend import LabError
from npkit.lab.backends.kind import KindBackend
from npkit.loading import load_string

from .fakes import CALICO, FakeClock, healthy_runner, installed_cluster, roomy_sysctl

SHOP = load_string("""
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
""")
TIERED = load_string("""
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: security.deny-web, namespace: shop}
spec: {tier: security, selector: app == 'web', types: [Ingress], ingress: [{action: Deny}]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.lab-wide}
spec: {tier: security, selector: all(), namespaceSelector: "npkit.io/lab == 'lab-03'", types: [Ingress],
       ingress: [{action: Pass}]}
""")


def backend(kube=None):
    kube = kube or installed_cluster()
    return KindBackend(lab_id="lab-03", runner=healthy_runner(), kube_factory=lambda ctx: kube, clock=FakeClock(),
                       sysctl=roomy_sysctl), kube


def deployed_with_tier():
    b, kube = backend()
    b.deploy(SHOP)
    b.apply_tiers(list(t for t in TIERED.tiers.values() if not t.builtin))
    b.apply(list(TIERED.policies))
    return b, kube


def test_teardown_of_a_tier_holding_namespaced_policies_works_and_leaves_nothing():
    # Calico refuses to delete a tier that still holds a policy; namespace deletion is asynchronous.
    b, kube = deployed_with_tier()
    assert kube.get(CALICO, "NetworkPolicy", "security.deny-web", "shop") is not None
    b.teardown()
    assert kube.get(CALICO, "Tier", "security") is None
    assert kube.get(CALICO, "GlobalNetworkPolicy", "security.lab-wide") is None
    assert "shop" not in kube.namespaces()
    deletes = [c[1] for c in kube.calls if c[0] == "delete"]
    assert deletes.index("Namespace") < deletes.index("GlobalNetworkPolicy") < deletes.index("Tier")


def test_a_tier_still_holding_someone_elses_policy_is_a_clear_message():
    b, kube = deployed_with_tier()
    kube.create({"apiVersion": CALICO, "kind": "GlobalNetworkPolicy", "metadata": {"name": "security.admins"},
                 "spec": {"tier": "security", "selector": "all()"}})
    with pytest.raises(LabError, match="Tier security was created by lab lab-03, but Calico refuses to delete a tier "
                                       "that still holds policies.*GlobalNetworkPolicy security.admins"):
        b.teardown()
    assert kube.get(CALICO, "GlobalNetworkPolicy", "security.admins") is not None


@pytest.mark.parametrize(("kind", "name", "text"), [
    ("GlobalNetworkPolicy", "security.lab-wide", None),
    ("Tier", "security", None),
    ("GlobalNetworkSet", "partners", """
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners}
spec: {nets: [198.51.100.0/24]}
"""),
])
def test_an_existing_cluster_wide_object_is_never_replaced_nor_deleted(kind, name, text):
    b, kube = backend()
    theirs = {"apiVersion": CALICO, "kind": kind, "metadata": {"name": name, "labels": {"owner": "admins"}},
              "spec": {"order": 5} if kind == "Tier" else {}}
    kube.create(theirs)
    before = kube.get(CALICO, kind, name)
    with pytest.raises(LabError, match=f"{kind} {name} already exists on the cluster and was not created by lab "
                                       "lab-03.*never replaces or deletes"):
        if text:
            b.deploy(SHOP.merged(load_string(text)))
        else:
            b.deploy(SHOP)
            b.apply_tiers([t for t in TIERED.tiers.values() if not t.builtin])
            b.apply(list(TIERED.policies))
    assert kube.get(CALICO, kind, name) == before  # no lab label, same spec, same uid
    b.teardown()
    assert kube.get(CALICO, kind, name) == before


def test_an_object_made_by_someone_else_between_the_check_and_the_create_is_not_taken_over():
    kube = installed_cluster()
    objects = LabObjects(kube, "lab-03")
    manifest = {"apiVersion": CALICO, "kind": "GlobalNetworkSet",
                "metadata": {"name": "partners", "labels": {"npkit.io/lab": "lab-03"}}, "spec": {"nets": []}}
    real_get, first = kube.get, [True]

    def racing_get(api, kind, name, namespace=None):
        if first[0]:  # the lab looks: nothing there; then someone creates it before the lab does
            first[0] = False
            kube.create({"apiVersion": CALICO, "kind": "GlobalNetworkSet", "metadata": {"name": "partners"},
                         "spec": {"nets": ["203.0.113.0/24"]}})
            return None
        return real_get(api, kind, name, namespace)

    kube.get = racing_get
    with pytest.raises(ForeignObject, match="GlobalNetworkSet partners already exists"):
        objects.put(manifest)
    assert real_get(CALICO, "GlobalNetworkSet", "partners")["spec"]["nets"] == ["203.0.113.0/24"]


def test_an_object_of_an_earlier_run_of_the_same_lab_is_updated():
    kube = installed_cluster()
    kube.create({"apiVersion": CALICO, "kind": "Tier", "metadata": {"name": "security", "labels": {"npkit.io/lab": "lab-03"}},
                 "spec": {"order": 50}})
    uid = kube.get(CALICO, "Tier", "security")["metadata"]["uid"]
    LabObjects(kube, "lab-03").put({"apiVersion": CALICO, "kind": "Tier",
                                    "metadata": {"name": "security", "labels": {"npkit.io/lab": "lab-03"}},
                                    "spec": {"order": 100}})
    tier = kube.get(CALICO, "Tier", "security")
    assert tier["spec"]["order"] == 100 and tier["metadata"]["uid"] == uid


def test_teardown_leaves_an_object_that_was_replaced_since_the_lab_made_it():
    kube = installed_cluster()
    objects = LabObjects(kube, "lab-03")
    labelled = {"apiVersion": CALICO, "kind": "GlobalNetworkSet",
                "metadata": {"name": "partners", "labels": {"npkit.io/lab": "lab-03"}}, "spec": {"nets": []}}
    objects.put(labelled)
    kube.objects.pop((CALICO, "GlobalNetworkSet", None, "partners"))
    kube.create({**labelled, "spec": {"nets": ["203.0.113.0/24"]}})  # someone recreated it, label and all
    objects.teardown(lambda check, what, timeout: None)
    assert kube.get(CALICO, "GlobalNetworkSet", "partners") is not None


def test_deletes_carry_the_uid_the_lab_saw():
    kube = installed_cluster()
    objects = LabObjects(kube, "lab-03")
    objects.put({"apiVersion": CALICO, "kind": "Tier", "metadata": {"name": "t", "labels": {"npkit.io/lab": "lab-03"}},
                 "spec": {}})
    uid = kube.get(CALICO, "Tier", "t")["metadata"]["uid"]
    seen = []
    real_delete = kube.delete

    def delete(api, kind, name, namespace=None, uid=None):
        seen.append((kind, name, uid))
        return real_delete(api, kind, name, namespace, uid)

    kube.delete = delete
    objects.teardown(lambda check, what, timeout: None)
    assert seen == [("Tier", "t", uid)]


def test_writes_into_a_namespace_the_lab_did_not_create_are_refused():
    objects = LabObjects(installed_cluster(), "lab-03")
    with pytest.raises(ForeignObject, match="namespace kube-system was not created by lab lab-03"):
        objects.put({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": {"name": "x", "namespace": "kube-system"}, "spec": {"podSelector": {}}})


def test_a_failed_tier_delete_that_is_not_about_members_is_passed_on():
    kube = installed_cluster()
    objects = LabObjects(kube, "lab-03")
    objects.put({"apiVersion": CALICO, "kind": "Tier", "metadata": {"name": "t", "labels": {"npkit.io/lab": "lab-03"}},
                 "spec": {}})

    def refuse(*args, **kwargs):
        raise KubeError("deleting Tier t: tiers.projectcalico.org \"t\" is forbidden", 403)

    kube.delete = refuse
    with pytest.raises(KubeError, match="forbidden"):
        objects.teardown(lambda check, what, timeout: None)
