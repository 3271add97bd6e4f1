"""Kubernetes core and networking kinds: Namespace (v1), Pod (v1), NetworkPolicy (networking.k8s.io/v1)."""

from __future__ import annotations

from npkit.model import NAMESPACE_NAME_LABEL, Namespace

from . import validation
from .kinds import Manifest, register

NAMESPACE_SPEC_FIELDS = frozenset({"finalizers"})


@register("", "Namespace", ("v1",), namespaced=False, name_rule=validation.dns1123_label,
          top_fields={"apiVersion", "kind", "metadata", "spec", "status"})
def load_namespace(obj: Manifest) -> list[Namespace]:
    """A Namespace; like the API server, npkit sets the label kubernetes.io/metadata.name to its name."""
    obj.spec(NAMESPACE_SPEC_FIELDS)
    labels = dict(obj.meta.labels)
    written = labels.get(NAMESPACE_NAME_LABEL)
    if written is not None and written != obj.meta.name:
        field = obj.root.get_map("metadata", None).get_map("labels", None).get(NAMESPACE_NAME_LABEL)  # type: ignore
        field.warning(f'the API server sets {NAMESPACE_NAME_LABEL} to the namespace name "{obj.meta.name}", '
                      f'not "{written}"')
    labels[NAMESPACE_NAME_LABEL] = obj.meta.name
    return [Namespace(obj.meta.name, labels, obj.origin)]
