"""The kinds npkit reads, keyed by (API group, kind), and how to add one.

Adding a kind
-------------
Write a module `npkit/loading/<family>.py` with one function per kind, registered with
`@register`, and add the module's name to KIND_MODULES below if it is not there yet
(`calico` and `cnp` already are; a listed module that does not exist yet is skipped), and
to GROUP_MODULES under the kinds' API group (tests/loading/test_kinds.py checks both).
A simplified version of calico.py's NetworkSet::

    from npkit.model import NetworkSet
    from . import validation
    from .kinds import Manifest, register

    @register("projectcalico.org", "NetworkSet", ("v3",))
    def load_network_set(obj: Manifest) -> list[NetworkSet]:
        spec = obj.spec({"nets"})  # an unknown field is an error, with a suggestion
        nets = []
        for text, field in (spec.get_str_list("nets") or []) if spec else []:
            field.invalid(validation.parse_cidr(text)[1])  # with file, line, object, path and value
            nets.append(text)
        meta = obj.meta
        return [NetworkSet(meta.name, meta.namespace, meta.labels, tuple(nets), obj.origin)]

The framework has already checked apiVersion and kind, the top-level fields (`apiVersion`,
`kind`, `metadata`, `spec`; pass `top_fields=` for others such as `status`) and the whole
of `metadata` (name by `name_rule`, namespace, labels, annotations); `obj.meta` holds the
result, with the namespace defaulted. Read the rest through `obj.root` / `obj.spec()`
(see fields.py): report every problem on the Field it concerns (`field.error(...)`), never
raise, and return what you could build; when the object has errors the load fails anyway
and nothing you return is used. Put the API server's rules for values in validation.py
(pure functions), so all families share them. Return model objects: Namespace, Pod,
NetworkPolicy, CalicoPolicy, ClusterNetworkPolicy, Tier or NetworkSet. The loader files
them into the Cluster, replaces an earlier object of the same group, kind, namespace and
name (with a warning), and creates implicit Namespaces for the namespaces they name.
Rules that span objects (a policy naming a Tier defined in another file) go in a function
decorated with `@cross_check`, which runs once every document has been read.

A KindSpec registered with `load` None is a placeholder: its objects get a "not supported
yet" warning instead of an unknown-kind error; registering the kind replaces it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from npkit.i18n import messages
from npkit.model import Diagnostic, ObjectRef, Origin

from . import validation
from .fields import Fields, Report, scalar_text
from .labels import read_labels, usual_labels
from .spelling import closest, did_you_mean
from .yamlio import Mapping as MappingNode

_ = messages("npkit").gettext
KIND_MODULES = ("k8s", "workloads", "calico", "cnp", "nodes")  # modules under npkit.loading that register kinds

DEFAULT_TOP_FIELDS = frozenset({"apiVersion", "kind", "metadata", "spec"})
METADATA_FIELDS = frozenset({
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
    "ownerReferences", "finalizers", "managedFields",
})

LoadFunction = Callable[["Manifest"], Iterable[object]]


@dataclass(frozen=True)
class KindSpec:
    """How to read one kind. `load` None: npkit knows the kind but cannot read it yet."""

    group: str  # "" for the core group (apiVersion "v1")
    kind: str
    versions: tuple[str, ...]  # the first is the one to recommend
    load: LoadFunction | None = None
    namespaced: bool = True
    name_rule: validation.NameRule = validation.dns1123_subdomain
    top_fields: frozenset[str] = DEFAULT_TOP_FIELDS

    @property
    def api_versions(self) -> tuple[str, ...]:
        return tuple(f"{self.group}/{v}" if self.group else v for v in self.versions)


@dataclass(frozen=True)
class ObjectMeta:
    """The parts of `metadata` npkit uses. `namespace` is None for cluster-scoped kinds."""

    name: str
    namespace: str | None
    labels: dict[str, str]
    annotations: dict[str, str]


@dataclass
class Manifest:
    """One object handed to a kind's load function."""

    kind: KindSpec
    api_version: str
    root: Fields  # the whole object; top-level keys already checked against kind.top_fields
    meta: ObjectMeta
    report: Report

    @cached_property
    def origin(self) -> Origin:
        return Origin(self.report.file, self.root.line)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind.kind, self.meta.name, self.meta.namespace)

    def spec(self, known: Collection[str] | None, *, required: bool = False,
             misplaced: Mapping[str, str] | None = None) -> Fields | None:
        """`spec` read as a mapping with the given field names (None when absent); see Field.as_map."""
        return self.root.get_map("spec", known, required=required, misplaced=misplaced)


_REGISTRY: dict[tuple[str, str], KindSpec] = {}

# Real kinds npkit does not model: skipped with a warning, never taken for a misspelling
# of a kind it reads (Job is two edits from Pod).
OTHER_KNOWN_KINDS = frozenset({
    "APIService", "Binding", "BGPConfiguration", "BGPPeer", "CSIDriver", "CSINode", "CSIStorageCapacity",
    "CertificateSigningRequest", "ClusterInformation", "ClusterRole", "ClusterRoleBinding", "ComponentStatus",
    "ConfigMap", "ControllerRevision", "CustomResourceDefinition", "Endpoints", "EndpointSlice", "Event",
    "FelixConfiguration", "Gateway", "GatewayClass", "GRPCRoute", "HTTPRoute", "HorizontalPodAutoscaler",
    "HostEndpoint", "IPAMBlock", "IPPool", "IPReservation", "Ingress", "IngressClass",
    "KubeControllersConfiguration", "Lease", "LimitRange", "MutatingWebhookConfiguration",
    "PersistentVolume", "PersistentVolumeClaim",
    "PodDisruptionBudget", "PodTemplate", "PriorityClass", "ReplicationController", "ResourceQuota", "Role",
    "RoleBinding", "RuntimeClass", "Secret", "Service", "ServiceAccount", "StorageClass", "TCPRoute",
    "TLSRoute", "UDPRoute", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration", "VolumeAttachment",
})


def register(
    group: str,
    kind: str,
    versions: tuple[str, ...],
    *,
    namespaced: bool = True,
    name_rule: validation.NameRule = validation.dns1123_subdomain,
    top_fields: Collection[str] = DEFAULT_TOP_FIELDS,
) -> Callable[[LoadFunction], LoadFunction]:
    """Decorator: make the function the loader of `group`/`kind` (see the module docstring)."""

    def decorate(load: LoadFunction) -> LoadFunction:
        key = (group, kind)
        existing = _REGISTRY.get(key)
        if existing is not None and existing.load is not None and existing.load is not load:
            where = existing.load.__module__
            raise ValueError(f"{kind} ({group or 'core'}) is already registered by {where}")
        _REGISTRY[key] = KindSpec(
            group, kind, tuple(versions), load, namespaced, name_rule, frozenset(top_fields))
        return load

    return decorate


# The modules that register the kinds of each API group. A manifest's group decides which readers are
# imported, so Kubernetes manifests alone never import the Calico readers (and their selector parser).
GROUP_MODULES: dict[str, tuple[str, ...]] = {
    "": ("k8s", "nodes"), "networking.k8s.io": ("k8s",), "apps": ("workloads",), "batch": ("workloads",),
    "projectcalico.org": ("calico",), "policy.networking.k8s.io": ("cnp",),
}
_imported: set[str] = set()


def _import_readers(names: Iterable[str]) -> None:
    for name in names:
        if name in _imported:
            continue
        module = f"{__package__}.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:  # a real import error inside an existing module
                raise
        _imported.add(name)


def load_kind_modules() -> None:
    """Import the modules in KIND_MODULES once, so that every kind is registered."""
    _import_readers(KIND_MODULES)


@dataclass(frozen=True)
class Resolution:
    """The outcome of looking up an apiVersion and kind."""

    spec: KindSpec | None  # set when the object should be read
    severity: Literal["error", "warning"] | None = None
    message: str = ""
    field: Literal["apiVersion", "kind"] = "kind"  # the field the message is about


def resolve(api_version: str, kind: str) -> Resolution:
    """Find how to read `kind` of `api_version`, or say what is wrong with them.

    >>> resolve("v1", "Namespace").spec.kind
    'Namespace'
    >>> resolve("v1", "Namespce").message
    'unknown kind "Namespce"; did you mean "Namespace"?'
    >>> resolve("v1beta1", "Namespace").message
    'Namespace needs apiVersion v1, not v1beta1'
    """
    group, slash, version = api_version.rpartition("/")
    if not version or (slash and not group) or "/" in group or " " in api_version:
        return Resolution(None, "error", _('apiVersion "{api_version}" must look like "v1" or "group/version"').format(
            api_version=api_version), "apiVersion")
    _import_readers(GROUP_MODULES.get(group, ()))
    spec = _REGISTRY.get((group, kind))
    if spec is None:  # not a kind of the group's readers: look at every kind npkit reads
        load_kind_modules()
        spec = _REGISTRY.get((group, kind))
    if spec is not None:
        if version not in spec.versions:
            return Resolution(None, "error", _wrong_version(kind, [spec], api_version), "apiVersion")
        if spec.load is None:
            return Resolution(None, "warning", _("npkit does not read {kind} ({api_version}) yet; skipped it").format(
                kind=kind, api_version=api_version))
        return Resolution(spec)
    same_name = [s for s in _REGISTRY.values() if s.kind == kind]
    if same_name:
        return Resolution(None, "error", _wrong_version(kind, same_name, api_version), "apiVersion")
    if kind in OTHER_KNOWN_KINDS:
        return Resolution(None, "warning", _("npkit does not model {kind} objects; skipped it").format(kind=kind))
    ours = {s.kind for s in _REGISTRY.values()}
    candidates = ours | OTHER_KNOWN_KINDS
    suggestions = sorted({s for variant in _singulars(kind) for s in closest(variant, candidates)})
    if any(s in ours for s in suggestions):
        # A policy skipped because of a typo would give a wrong verdict, so this is an error.
        same = [s for s in suggestions if s.lower() == kind.lower()]
        if same:
            return Resolution(None, "error", _('unknown kind "{kind}"; kinds are case-sensitive, did you mean '
                                               '"{same}"?').format(kind=kind, same=same[0]))
        return Resolution(None, "error", _('unknown kind "{kind}"{hint}').format(kind=kind,
                                                                                 hint=did_you_mean(suggestions)))
    hint = did_you_mean(suggestions)
    return Resolution(None, "warning", _('npkit does not model kind "{kind}"{hint}; skipped it').format(kind=kind,
                                                                                                      hint=hint))


def _singulars(kind: str) -> set[str]:
    """`kind` and what it would be without a plural ending (kubectl resource names are plural)."""
    forms = {kind}
    if kind.lower().endswith("ies"):
        forms.add(kind[:-3] + "y")
    if kind.lower().endswith("s"):
        forms.update((kind[:-1], kind[:-2]))
    return forms


def _wrong_version(kind: str, specs: list[KindSpec], api_version: str) -> str:
    # Kubernetes' own groups first: a learner who wrote extensions/v1beta1 wants networking.k8s.io/v1.
    def kubernetes_first(spec: KindSpec) -> bool:
        return not (spec.group.endswith("k8s.io") or "." not in spec.group)

    ordered = sorted(specs, key=kubernetes_first)
    wanted = _(" or ").join(s.api_versions[0] for s in ordered)
    return _("{kind} needs apiVersion {wanted}, not {api_version}").format(kind=kind, wanted=wanted,
                                                                          api_version=api_version)


def read_metadata(root: Fields, spec: KindSpec, default_namespace: str) -> ObjectMeta | None:
    """Check `metadata` as the API server does; None when name or namespace is unusable."""
    usual = _usual_metadata(root.node, spec, default_namespace)
    if usual is not None:
        return usual
    metadata = root.get_map("metadata", METADATA_FIELDS, required=True)
    if metadata is None:
        return None
    name = metadata.get_str("name")
    if name is None and "name" not in metadata and "generateName" not in metadata:
        metadata.missing("name")
    elif name is None and "name" not in metadata:
        metadata.missing("name", _("; generateName only works with kubectl create, npkit needs a fixed name"))
    elif name is not None:
        metadata.check("name", spec.name_rule(name))
    namespace: str | None = None
    if spec.namespaced:
        namespace = default_namespace
        if "namespace" in metadata:
            namespace = metadata.get_str("namespace")
            if namespace is not None:
                metadata.check("namespace", validation.dns1123_label(namespace))
    elif "namespace" in metadata:
        metadata.at("namespace").warning(_("{kind} is cluster-scoped; metadata.namespace is ignored").format(
            kind=spec.kind))
    labels = read_labels(metadata.get("labels"))
    annotations: dict[str, str] = {}
    annotations_field = metadata.get("annotations")
    entries = annotations_field.as_str_map() if annotations_field is not None else None
    for key, value in (entries or {}).items():
        value.invalid(validation.label_key(key), key)
        annotations[key] = value.as_str() or ""  # as_str_map checked it is a string
    if name is None or (spec.namespaced and namespace is None):
        return None
    return ObjectMeta(name, namespace, labels, annotations)


_USUAL_METADATA_FIELDS = frozenset({"name", "namespace", "labels"})


def _usual_metadata(node: MappingNode, spec: KindSpec, default_namespace: str) -> ObjectMeta | None:
    """`metadata` of the usual shape, read without a Field per value; None for any other.

    Usual: a valid name, a valid namespace (or none) where the kind has one and none where it has
    not, valid labels, and nothing else. On such metadata read_metadata has nothing to report
    (tests/loading/test_usual_metadata.py holds the two to that); anything else it reads itself.
    """
    entry = node.entries.get("metadata")
    if entry is None or type(entry[1]) is not MappingNode:
        return None
    entries = entry[1].entries
    if not entries.keys() <= _USUAL_METADATA_FIELDS:
        return None
    name = scalar_text(entries.get("name"))
    if name is None or spec.name_rule(name):
        return None
    namespace: str | None = None
    if spec.namespaced:
        namespace = default_namespace
        if "namespace" in entries:
            namespace = scalar_text(entries["namespace"])
            if namespace is None or validation.dns1123_label(namespace):
                return None
    elif "namespace" in entries:
        return None  # read_metadata warns that it is ignored
    labels = usual_labels(entries["labels"][1]) if "labels" in entries else {}
    if labels is None:
        return None
    return ObjectMeta(name, namespace, labels, {})


# -- checks across objects ----------------------------------------------------------------

CrossCheck = Callable[[Sequence[object]], Iterable[Diagnostic]]
_CROSS_CHECKS: list[CrossCheck] = []


def cross_check(check: CrossCheck) -> CrossCheck:
    """Decorator: run `check(objects)` once every document is read, on all the model objects.

    For rules that span objects or files, such as a Calico policy naming a Tier defined
    later: the check returns Diagnostics (with file, line and object) instead of raising.
    """
    if check not in _CROSS_CHECKS:
        _CROSS_CHECKS.append(check)
    return check


def run_cross_checks(objects: Sequence[object]) -> list[Diagnostic]:
    """The diagnostics of every registered cross check, in registration order.

    A check is registered by the module that reads its kinds; a module not imported has read no
    objects, so its checks have nothing to say.
    """
    return [d for check in _CROSS_CHECKS for d in check(objects)]
