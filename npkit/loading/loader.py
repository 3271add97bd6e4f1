"""From sources to a Cluster: files, directories, stdin, documents, Lists and duplicates.

Each object is looked up in the kind registry (kinds.py), its metadata checked, and its
kind's load function turns it into model objects. Then the loader replaces earlier
definitions of the same object, adds implicit namespaces, gives pods without an address
one (addresses.py), and either returns the Cluster or raises InputError with every error.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Any, Union

from npkit.errors import InternalError
from npkit.i18n import messages
from npkit.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    Diagnostic,
    InputError,
    Namespace,
    NetworkPolicy,
    NetworkSet,
    ObjectRef,
    Origin,
    Pod,
    Tier,
)
from npkit.model import Node as KubeNode  # yamlio's Node is a YAML node
from npkit.model.diagnostics import Severity

from . import validation
from .addresses import assign_pod_ips, range_of
from .fields import Fields, Report, describe, scalar_text
from .kinds import KindSpec, Manifest, Resolution, read_metadata, resolve, run_cross_checks
from .yamlio import MAX_INPUT_CHARS, Mapping, Node, Scalar, read_documents

Source = Union[str, "os.PathLike[str]"]
YAML_SUFFIXES = (".yaml", ".yml")
LIST_FIELDS = frozenset({"apiVersion", "kind", "metadata", "items"})
_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext


def load(*sources: Source, default_namespace: str = "default") -> Cluster:
    """Load files, directories (their *.yaml / *.yml files, sorted) and "-" (stdin) into a Cluster.

    Raises InputError carrying every error found; warnings and notes are in `Cluster.diagnostics`.
    """
    session = _Session(default_namespace)
    for source in sources:
        session.read_source(source)
    return session.build()


def load_string(text: str, filename: str = "<string>", default_namespace: str = "default") -> Cluster:
    """Load YAML text into a Cluster; `filename` is what diagnostics call it.

    >>> cluster = load_string("apiVersion: v1\\nkind: Namespace\\nmetadata: {name: prod}\\n")
    >>> cluster.namespaces["prod"].labels
    {'kubernetes.io/metadata.name': 'prod'}
    """
    session = _Session(default_namespace)
    session.read_text(text, filename)
    return session.build()


@dataclass
class _Loaded:
    """One object that was read, and the model objects it became."""

    kind: KindSpec
    ref: ObjectRef
    origin: Origin
    outputs: list[object] = field(default_factory=list)


class _Session:
    def __init__(self, default_namespace: str):
        problems = validation.dns1123_label(default_namespace)
        if problems:
            raise ValueError(_("default_namespace {namespace} {problem}").format(namespace=repr(default_namespace),
                                                                                 problem=problems[0]))
        self.default_namespace = default_namespace
        self.diagnostics: list[Diagnostic] = []
        self.objects: dict[tuple[str, str, str | None, str], _Loaded] = {}
        self.resolutions: dict[tuple[str, str], Resolution] = {}  # (apiVersion, kind) -> how to read it

    # -- sources -------------------------------------------------------------------------

    def read_source(self, source: Source) -> None:
        """A file, a directory (its *.yaml / *.yml files) or "-" (stdin); anything else is refused."""
        if source == "-":
            stdin = getattr(sys.stdin, "buffer", sys.stdin)  # tests replace sys.stdin with a StringIO
            self.read_data(stdin.read(MAX_INPUT_CHARS + 1), "<stdin>")
            return
        name = os.fspath(source)
        mode = self.stat(name)
        if mode is None:
            return
        if stat.S_ISDIR(mode):
            self.read_directory(name)
        elif stat.S_ISREG(mode):
            self.read_file(name)
        else:
            self.problem("error", _("{name} is {what}, not a regular file; npkit reads files, directories and - "
                                    "(stdin: `... | npkit check -f -`)").format(name=name, what=_file_type(mode)),
                         name)

    def stat(self, name: str) -> int | None:
        """The mode of `name` (following links), or None after reporting why there is none."""
        try:
            return os.stat(name).st_mode
        except FileNotFoundError:
            self.problem("error", _("no such file or directory: {name}").format(name=name), name)
        except (OSError, ValueError) as err:  # ValueError: a NUL character in the name
            self.problem("error", _("cannot read {name}: {reason}").format(name=name, reason=_reason(err)), name)
        return None

    def read_directory(self, name: str) -> None:
        try:
            with os.scandir(name) as entries:
                found = sorted(e.name for e in entries if e.name.endswith(YAML_SUFFIXES))
        except OSError as err:
            self.problem("error", _("cannot read directory {name}: {reason}").format(name=name, reason=_reason(err)),
                         name)
            return
        files = []
        for entry in found:
            path = os.path.join(name, entry)
            mode = self.stat(path)
            if mode is not None and stat.S_ISREG(mode):
                files.append(path)
            elif mode is not None and not stat.S_ISDIR(mode):  # like kubectl, npkit does not recurse
                self.problem("warning", _("skipped {name}: it is {what}, not a regular file").format(
                    name=path, what=_file_type(mode)), path)
        if not found:
            self.problem("warning", _("no .yaml or .yml files in directory {name}").format(name=name), name)
        for path in files:
            self.read_file(path)

    def read_file(self, name: str) -> None:
        """A regular file. Opened without blocking, and checked again once open, so that a FIFO put in
        its place after the first check cannot make npkit wait forever for a writer."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            self.problem("error", _("no such file or directory: {name}").format(name=name), name)
            return
        except OSError as err:
            self.problem("error", _("cannot read {name}: {reason}").format(name=name, reason=_reason(err)), name)
            return
        with open(fd, "rb") as f:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                self.problem("error", _("{name} is {what}, not a regular file").format(name=name,
                                                                                        what=_file_type(mode)), name)
                return
            try:
                data = f.read(MAX_INPUT_CHARS + 1)
            except OSError as err:  # e.g. EIO, or EISDIR on odd file systems
                self.problem("error", _("cannot read {name}: {reason}").format(name=name, reason=_reason(err)), name)
                return
        self.read_data(data, name)

    def read_data(self, data: bytes | str, name: str) -> None:
        if len(data) > MAX_INPUT_CHARS:
            self.problem("error", _("{name} is larger than {limit} bytes; npkit refuses it").format(
                name=name, limit=f"{MAX_INPUT_CHARS:,}"), name)
            return
        text = data if isinstance(data, str) else _decode(data)
        if text is None:
            self.problem("error", _("{name} is not UTF-8 text").format(name=name), name)
            return
        self.read_text(text, name)

    def problem(self, severity: Severity, message: str, file: str, line: int = 0) -> None:
        self.diagnostics.append(Diagnostic(severity, message, Origin(file, line)))

    # -- documents and objects -----------------------------------------------------------

    def read_text(self, text: str, filename: str) -> None:
        documents, problems = read_documents(text, filename)
        for document in documents:
            root = document.root
            if root is None or (isinstance(root, Scalar) and root.value is None):
                continue  # an empty document, e.g. after a trailing ---
            self.read_object(root, filename)
        # Syntax errors end a file; report them after the objects read before them.
        self.diagnostics.extend(problems)

    def read_object(self, node: Node, filename: str, list_kind: tuple[str, str] | None = None) -> None:
        """One object; `list_kind` is (apiVersion, kind) of a typed list (PodList) it came from."""
        if not isinstance(node, Mapping):
            self.problem("error", _("each YAML document must be a Kubernetes object (a mapping with apiVersion, kind "
                                    "and metadata), not {actual}; separate objects with ---").format(
                actual=describe(node)), filename, node.line)
            return
        entries = node.entries
        api_version = _peek_str(entries, "apiVersion") or (list_kind[0] if list_kind else None)
        kind = _peek_str(entries, "kind") or (list_kind[1] if list_kind else None)
        metadata = entries.get("metadata")
        meta_entries = metadata[1].entries if metadata is not None and type(metadata[1]) is Mapping else {}
        name = _peek_str(meta_entries, "name") or _("(no name)")
        namespace = _peek_str(meta_entries, "namespace")
        report = Report(filename, ObjectRef(kind or _("object"), name, namespace))
        try:
            self._read_object(node, api_version, kind, report)
        finally:  # in line order: the readers go field by field, not line by line
            if report.diagnostics:
                self.diagnostics.extend(sorted(report.diagnostics, key=lambda d: d.origin.line))

    def _read_object(self, node: Mapping, api_version: str | None, kind: str | None, report: Report) -> None:
        if api_version is None and kind is None and not {"apiVersion", "kind"} & node.entries.keys():
            report.error(_("apiVersion and kind are missing; every Kubernetes object needs them"), node.line)
            return
        for field_name, value in (("apiVersion", api_version), ("kind", kind)):
            if value is None:
                entry = node.entries.get(field_name)
                line = entry[0] if entry else node.line
                if entry:
                    message = _("{field} must be a string, not {actual}; every object needs apiVersion and kind")
                else:
                    message = _("{field} is missing; every object needs apiVersion and kind")
                report.error(message.format(field=field_name, actual=describe(entry[1]) if entry else ""), line,
                             field_name)
        if api_version is None or kind is None:
            return
        if kind == "List" or (kind.endswith("List") and len(kind) > 4):
            if self._read_list(node, api_version, kind, report):
                return
        resolution = self.resolutions.get((api_version, kind))
        if resolution is None:  # the same for every object of this apiVersion and kind
            resolution = self.resolutions[api_version, kind] = resolve(api_version, kind)
        if resolution.spec is None:
            entry = node.entries.get(resolution.field)
            line = entry[0] if entry else node.line
            report.add(resolution.severity or "warning", resolution.message, line, resolution.field)
            return
        spec = resolution.spec
        written = report.obj or ObjectRef(spec.kind, _("(no name)"))
        namespace = (written.namespace or self.default_namespace) if spec.namespaced else None
        report.obj = ObjectRef(spec.kind, written.name, namespace)
        root = Fields(node, "", report, spec.top_fields)
        meta = read_metadata(root, spec, self.default_namespace)
        if meta is None:
            return
        obj = Manifest(spec, api_version, root, meta, report)
        ref = obj.ref
        loaded = _Loaded(spec, ref, obj.origin, list(spec.load(obj)) if spec.load is not None else [])
        key = (spec.group, spec.kind, meta.namespace, meta.name)
        previous = self.objects.pop(key, None)
        if previous is not None:
            report.warning(_("{object} is defined twice; this definition replaces the one at {origin}").format(
                object=ref, origin=previous.origin), root.line)
        self.objects[key] = loaded

    def _read_list(self, node: Mapping, api_version: str, kind: str, report: Report) -> bool:
        """Read `kind: List` (kubectl get -o yaml) or a typed list such as PodList; False if neither."""
        item_kind = None
        if kind != "List":
            item_kind = kind[: -len("List")]
            if resolve(api_version, item_kind).spec is None:
                return False
        elif api_version != "v1":
            report.error(_("List needs apiVersion v1, not {api_version}").format(api_version=api_version), node.line,
                         "apiVersion")
            return True
        items = Fields(node, "", report, LIST_FIELDS).get_list("items") or []
        for item in items:
            self.read_object(item.node, report.file, (api_version, item_kind) if item_kind else None)
        return True

    # -- the cluster ---------------------------------------------------------------------

    def build(self) -> Cluster:
        # Rules that span objects (a policy naming a Tier from another file) need every object first.
        outputs = [out for loaded in self.objects.values() for out in loaded.outputs]
        self.diagnostics.extend(run_cross_checks(outputs))
        if any(d.severity == "error" for d in self.diagnostics):
            raise InputError(self.diagnostics)
        buckets: dict[type, list[Any]] = {t: [] for t in _BUCKETS}
        families: dict[str, list[Any]] = {"calico_policies": [], "cluster_network_policies": []}
        sources: dict[int, _Loaded] = {}
        for loaded in self.objects.values():
            for out in loaded.outputs:
                bucket = buckets.get(type(out))
                if bucket is None and len(buckets) == len(_BUCKETS):  # Calico or ClusterNetworkPolicy objects
                    buckets.update((t, families[name]) for t, name in _policy_families().items())
                    bucket = buckets.get(type(out))
                if bucket is None:
                    what = type(out).__name__
                    raise InternalError(f"{loaded.kind.kind} loader returned {what}, not a model object")
                bucket.append(out)
                sources[id(out)] = loaded
        pods = self._unique_pods(buckets[Pod], sources)
        pods, assigned = assign_pod_ips(pods)
        if assigned:
            self.diagnostics.append(_assigned_info(assigned))
        namespaces = self._namespaces(buckets, sources)
        tiers = dict(Cluster().tiers)
        tiers.update((t.name, t) for t in buckets[Tier])
        return Cluster(
            namespaces=namespaces,
            pods=tuple(pods),
            network_policies=tuple(buckets[NetworkPolicy]),
            calico_policies=tuple(families["calico_policies"]),
            cluster_network_policies=tuple(families["cluster_network_policies"]),
            tiers=tiers,
            network_sets=tuple(buckets[NetworkSet]),
            nodes=tuple(buckets[KubeNode]),
            diagnostics=tuple(self.diagnostics),
        )

    def _unique_pods(self, pods: list[Pod], sources: dict[int, _Loaded]) -> list[Pod]:
        """One pod per namespace/name (a Deployment and a Pod may share a name); warn on clashes."""
        by_key: dict[str, Pod] = {}
        for pod in pods:
            earlier = by_key.pop(pod.key, None)
            if earlier is not None:
                old, new = sources[id(earlier)], sources[id(pod)]
                self.diagnostics.append(Diagnostic(
                    "warning", _("{old} ({origin}) and {new} both make pod {pod}; keeping the later one").format(
                        old=old.ref, origin=old.origin, new=new.ref, pod=pod.key), new.origin, new.ref))
            by_key[pod.key] = pod
        seen_ips: dict[str, Pod] = {}
        for pod in by_key.values():
            if pod.ip and not pod.host_network:
                other = seen_ips.setdefault(pod.ip, pod)
                if other is not pod:
                    self.diagnostics.append(Diagnostic(
                        "warning", _("pods {first} and {second} both have IP {ip}; verdicts for that address will be "
                                     "ambiguous").format(first=other.key, second=pod.key, ip=pod.ip),
                        pod.origin, pod.ref, "status.podIP"))
        return list(by_key.values())

    def _namespaces(self, buckets: dict[type, list[Any]], sources: dict[int, _Loaded]) -> dict[str, Namespace]:
        namespaces: dict[str, Namespace] = {ns.name: ns for ns in buckets[Namespace]}
        for kind, objects in buckets.items():
            if kind is Namespace:
                continue
            for obj in objects:
                name = getattr(obj, "namespace", None)
                if name and name not in namespaces:
                    namespaces[name] = Namespace(
                        name, {NAMESPACE_NAME_LABEL: name}, sources[id(obj)].origin, implicit=True)
        return namespaces


_BUCKETS = (Namespace, Pod, NetworkPolicy, Tier, NetworkSet, KubeNode)


def _policy_families() -> dict[type, str]:
    """The model classes of Calico policies and ClusterNetworkPolicy (imported only when such objects exist),
    each with the Cluster field it fills."""
    from npkit.model import CalicoPolicy, ClusterNetworkPolicy

    return {CalicoPolicy: "calico_policies", ClusterNetworkPolicy: "cluster_network_policies"}


def _peek_str(entries: dict[str, tuple[int, Node]], key: str) -> str | None:
    """The text of entry `key` if it is non-empty text, without reporting anything (for naming objects early)."""
    return scalar_text(entries.get(key)) or None


def _file_type(mode: int) -> str:
    """What a non-regular file is, for messages."""
    for test, what in ((stat.S_ISFIFO, _("a FIFO (named pipe)")), (stat.S_ISSOCK, _("a socket")),
                       (stat.S_ISCHR, _("a character device")), (stat.S_ISBLK, _("a block device")),
                       (stat.S_ISDIR, _("a directory"))):
        if test(mode):
            return what
    return _("a special file")


def _reason(err: Exception) -> str:
    return (err.strerror if isinstance(err, OSError) else None) or str(err)


def _decode(data: bytes) -> str | None:
    """Text of a file: UTF-8 (BOM allowed) or UTF-16 with a BOM (what Windows PowerShell writes)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


_SHOWN_ADDRESSES = 5  # an info line names a few assignments; `npkit matrix -o json` lists them all


def _assigned_info(assigned: list[Pod]) -> Diagnostic:
    """One info line about the addresses npkit made up: the first few, and how many more."""
    shown = _(", ").join(f"{p.key} {p.ip}" for p in assigned[:_SHOWN_ADDRESSES])
    rest = len(assigned) - _SHOWN_ADDRESSES
    more = ngettext(" and {n} more (npkit matrix -o json lists them all under assigned_ips)",
                    " and {n} more (npkit matrix -o json lists them all under assigned_ips)", rest).format(
        n=f"{rest:,}") if rest > 0 else ""
    network = range_of(assigned)
    message = ngettext("{n} pod(s) had no status.podIP; npkit gave them addresses in {network}: {pods}{more}",
                       "{n} pod(s) had no status.podIP; npkit gave them addresses in {network}: {pods}{more}",
                       len(assigned)).format(n=f"{len(assigned):,}", network=network, pods=shown, more=more)
    return Diagnostic("info", message, assigned[0].origin, None, "status.podIP")
