"""What a lab creates on the cluster, and the one rule for changing it: only what the lab created.

Every object a lab writes carries `npkit.io/lab=<lab id>`. Cluster-wide objects (namespaces,
GlobalNetworkPolicies, GlobalNetworkSets, Tiers, ClusterNetworkPolicies) may collide with
objects that were there before: such an object is never replaced, relabelled or deleted — the
lab refuses, naming it. Objects inside the lab's own namespaces belong to the lab.

Clean-up deletes what carries the lab's label, each with a UID precondition (the UID this
process recorded when it created the object, else the one just listed), so an object that
was replaced in between is left alone. Order matters: namespaces first, waiting until they are
gone (their Calico policies may sit in the lab's tiers), then cluster-wide policies and network
sets, tiers last — Calico refuses to delete a tier that still holds a policy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..i18n import messages
from .guard import LAB_LABEL, ForeignObject, lab_selector, owned_by
from .kube import CALICO_API, Kube, KubeError, describe

_tools = messages("npkit-tools")
_, ngettext = _tools.gettext, _tools.ngettext

CNP_API = "policy.networking.k8s.io/v1alpha2"
# Cluster-wide kinds a lab may create, in the order clean-up deletes them (tiers last).
CLUSTER_SCOPED = (
    (CALICO_API, "GlobalNetworkPolicy"), (CALICO_API, "StagedGlobalNetworkPolicy"), (CNP_API, "ClusterNetworkPolicy"),
    (CALICO_API, "GlobalNetworkSet"), (CALICO_API, "Tier"),
)
# Namespaced Calico kinds that can sit in a tier (tier.go in Calico's clientv3 checks these).
TIER_MEMBERS = ((CALICO_API, "NetworkPolicy"), (CALICO_API, "StagedNetworkPolicy"),
                (CALICO_API, "GlobalNetworkPolicy"), (CALICO_API, "StagedGlobalNetworkPolicy"))

Key = tuple[str, str, str | None, str]  # apiVersion, kind, namespace, name
Wait = Callable[[Callable[[], list[str]], str, float], None]  # wait(check, what, timeout)
Report = Callable[[str], None]


def _uid(obj: dict[str, Any] | None) -> str | None:
    return ((obj or {}).get("metadata") or {}).get("uid")


def _key(manifest: dict[str, Any]) -> Key:
    meta = manifest["metadata"]
    return manifest["apiVersion"], manifest["kind"], meta.get("namespace"), meta["name"]


class TierNotEmpty(Exception):
    """A tier the lab created still holds policies it did not create; the message names them."""


class LabObjects:
    """Creates, updates and removes one lab's objects through `kube`."""

    def __init__(self, kube: Kube, lab_id: str):
        self.kube = kube
        self.lab_id = lab_id
        self.created: dict[Key, str] = {}  # what this process created or updated → its UID

    # -- writing ---------------------------------------------------------------------------
    def put(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Create the object, or update it when this lab created it; ForeignObject otherwise."""
        if manifest["metadata"].get("namespace") is None:
            return self._create_or_replace(manifest, check=True)
        self._check_namespace(manifest)
        if manifest["apiVersion"] == CALICO_API:
            # create-or-replace, not server-side apply: SSA of a new Calico policy failed with NotFound
            # in 3.32.0 (projectcalico/calico#12841, fixed in 3.32.1); this works on every release.
            return self._create_or_replace(manifest, check=False)
        live = self.kube.apply(manifest)
        self._record(manifest, live)
        return live

    def check_writable(self, manifests: list[dict[str, Any]]) -> None:
        """Before writing anything: ForeignObject naming every cluster-wide object in the way."""
        foreign = []
        for manifest in manifests:
            api, kind, namespace, name = _key(manifest)
            if namespace is not None:
                continue
            existing = self.kube.get(api, kind, name)
            if existing is not None:
                try:
                    self._check_ours(manifest, existing)
                except ForeignObject:
                    foreign.append(describe(manifest))
        if foreign:
            raise ForeignObject(ngettext(
                "{objects} already exists on the cluster and was not created by lab {lab_id} (no label "
                "{label}={lab_id}); npkit never replaces or deletes what it did not create. Rename it in the scenario, "
                "or remove the existing one yourself if it is a leftover.",
                "{objects} already exist on the cluster and were not created by lab {lab_id} (no label "
                "{label}={lab_id}); npkit never replaces or deletes what it did not create. Rename them in the "
                "scenario, or remove the existing ones yourself if they are leftovers.", len(foreign)).format(
                    objects=", ".join(foreign), lab_id=self.lab_id, label=LAB_LABEL))

    def _create_or_replace(self, manifest: dict[str, Any], check: bool) -> dict[str, Any]:
        api, kind, namespace, name = _key(manifest)
        existing = self.kube.get(api, kind, name, namespace)
        if existing is None:
            try:
                live = self.kube.create(manifest)
            except KubeError as e:
                if e.status != 409:
                    raise
                existing = self.kube.get(api, kind, name, namespace)  # made by someone else meanwhile
                if existing is None:
                    raise
            else:
                self._record(manifest, live)
                return live
        if check:
            self._check_ours(manifest, existing)
        version = (existing.get("metadata") or {}).get("resourceVersion")
        body = {**manifest, "metadata": {**manifest["metadata"], "resourceVersion": version}}
        live = self.kube.replace(body)
        self._record(manifest, live)
        return live

    def _check_ours(self, manifest: dict[str, Any], existing: dict[str, Any]) -> None:
        recorded = self.created.get(_key(manifest))
        labels = (existing.get("metadata") or {}).get("labels")
        if owned_by(labels, self.lab_id) and recorded in (None, _uid(existing)):
            return
        raise ForeignObject(_(
            "{object} already exists on the cluster and was not created by lab {lab_id} (it has no label "
            "{label}={lab_id}); npkit never replaces or deletes what it did not create. Rename it in the scenario, "
            "or remove the existing one yourself if it is a leftover (`{command}`).").format(
                object=describe(manifest), lab_id=self.lab_id, label=LAB_LABEL,
                command=f"kubectl delete {manifest['kind'].lower()} {manifest['metadata']['name']}"))

    def _check_namespace(self, manifest: dict[str, Any]) -> None:
        namespace = manifest["metadata"]["namespace"]
        if ("v1", "Namespace", None, namespace) in self.created:
            return
        live = self.kube.get("v1", "Namespace", namespace)
        if live is None or not owned_by((live.get("metadata") or {}).get("labels"), self.lab_id):
            raise ForeignObject(_("refusing to write {object}: namespace {namespace} was not created by lab {lab_id}; "
                                  "labs change only their own namespaces").format(
                                      object=describe(manifest), namespace=namespace, lab_id=self.lab_id))

    def _record(self, manifest: dict[str, Any], live: dict[str, Any] | None) -> None:
        uid = _uid(live)
        if uid:
            self.created[_key(manifest)] = uid

    # -- removing --------------------------------------------------------------------------
    def remove(self, manifest: dict[str, Any]) -> bool:
        """Delete one object of this lab (missing is fine); False when there was nothing to delete."""
        api, kind, namespace, name = _key(manifest)
        live = self.kube.get(api, kind, name, namespace)
        if live is None:
            return False
        if namespace is None:
            self._check_ours(manifest, live)
        else:
            self._check_namespace(manifest)
        self.created.pop(_key(manifest), None)
        return self.kube.delete(api, kind, name, namespace, uid=_uid(live))

    def teardown(self, wait: Wait, report: Report = lambda message: None) -> list[str]:
        """Delete everything of this lab; returns the namespaces removed. Safe to repeat."""
        selector = lab_selector(self.lab_id)
        namespaces = [n for n in self.kube.list("v1", "Namespace", label_selector=selector) if self._mine(n)]
        for ns in namespaces:
            report(_("deleting namespace {name}").format(name=ns["metadata"]["name"]))
            self._delete(("v1", "Namespace", None, ns["metadata"]["name"]), ns)
        names = [ns["metadata"]["name"] for ns in namespaces]
        # Namespace deletion is asynchronous; what they hold (Calico policies in the lab's tiers
        # too) is gone only when they are, and the next deploy may reuse the names.
        wait(lambda: [_("namespace {name} (terminating)").format(name=n) for n in names
                      if self.kube.get("v1", "Namespace", n)], _("namespace deletion"), 300)
        for api, kind in CLUSTER_SCOPED:
            if not self.kube.has_api(api, kind):
                continue
            for obj in self.kube.list(api, kind, label_selector=selector):
                if self._mine(obj):
                    report(_("deleting {object}").format(object=f"{kind} {obj['metadata']['name']}"))
                    self._delete((api, kind, None, obj["metadata"]["name"]), obj)
        self.created.clear()
        return names

    def _mine(self, obj: dict[str, Any]) -> bool:
        """Labelled as this lab's (never trust the server-side filter alone)."""
        return owned_by((obj.get("metadata") or {}).get("labels"), self.lab_id)

    def _delete(self, key: Key, live: dict[str, Any]) -> None:
        api, kind, namespace, name = key
        recorded = self.created.get(key)
        if recorded is not None and recorded != _uid(live):
            return  # replaced by someone else since this lab made it: not ours to delete
        try:
            self.kube.delete(api, kind, name, namespace, uid=recorded or _uid(live))
        except KubeError as e:
            if e.status == 409:
                return  # the UID precondition failed: a different object now has that name
            if kind == "Tier" and "non-empty tier" in str(e):
                raise TierNotEmpty(self._tier_members_message(name)) from None
            raise

    def _tier_members_message(self, tier: str) -> str:
        members = []
        for api, kind in TIER_MEMBERS:
            if not self.kube.has_api(api, kind):
                continue
            for obj in self.kube.list(api, kind):
                if (obj.get("spec") or {}).get("tier") == tier:
                    meta = obj["metadata"]
                    members.append(f"{kind} {meta['namespace'] + '/' if meta.get('namespace') else ''}{meta['name']}")
        shown = ", ".join(members[:8]) + (" ..." if len(members) > 8 else "") or _(
            "policies that are still terminating")
        return _("Tier {tier} was created by lab {lab_id}, but Calico refuses to delete a tier that still holds "
                 "policies, and it holds some the lab did not create: {policies}. Delete or move them, then run the "
                 "clean-up again (`npkit lab clean --lab-id {lab_id}`).").format(tier=tier, lab_id=self.lab_id,
                                                                                 policies=shown)
