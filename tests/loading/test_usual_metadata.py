"""The quick reader of usual metadata (kinds._usual_metadata) changes nothing a user can see.

For any object, loading it with the quick reader and without it gives the same objects (names,
namespaces, labels) and the same diagnostics, word for word and line for line.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npkit.errors import InputError
from npkit.loading import kinds, load_string

KINDS = {
    "Pod": ("v1", {"containers": [{"name": "c", "image": "nginx"}]}),
    "Namespace": ("v1", None),
    "NetworkPolicy": ("networking.k8s.io/v1", {"podSelector": {}}),
}
# Odd values for each metadata field; "missing" takes the field away. One is drawn at a time.
ODDITIES: list[tuple[str, object]] = [
    *[("name", v) for v in ["Web", "a.b", "a_b", "", "x" * 64, "x" * 254, None, 7, True, "-web", "missing"]],
    *[("namespace", v) for v in ["Demo", "a.b", "", None, 5, "x" * 64, "missing", "default"]],
    *[("labels", v) for v in [None, [], "app", {"app": 5}, {"app": None}, {"bad key": "x"}, {"app": "-x"},
                              {"a/b/c": "x"}, {"app": "x" * 64}, {}, {"app.kubernetes.io/name": "web"}]],
    *[(field, v) for field in ("annotations", "uid", "generateName", "nam", "ownerReferences")
      for v in [{"a": "b"}, "x"]],
]


@st.composite
def objects(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(sorted(KINDS)))
    api_version, spec = KINDS[kind]
    metadata: dict[str, object] = {"name": draw(st.sampled_from(["web", "api-1", "db.v2"]))}
    if kind != "Namespace" and draw(st.booleans()):
        metadata["namespace"] = draw(st.sampled_from(["demo", "prod"]))
    if draw(st.booleans()):
        metadata["labels"] = {"app": draw(st.sampled_from(["web", "api", ""])), "tier": "front"}
    if draw(st.integers(0, 2)):  # two thirds have one oddity
        field, value = draw(st.sampled_from(ODDITIES))
        if value == "missing":
            metadata.pop(field, None)
        else:
            metadata[field] = value
    obj: dict[str, object] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if spec is not None:
        obj["spec"] = spec
    return yaml.safe_dump(obj, sort_keys=False)


def outcome(text: str) -> tuple[object, list[str]]:
    """The objects' names, namespaces and labels, and every diagnostic, as a user sees them."""
    try:
        cluster = load_string(text, "object.yaml", default_namespace="team-a")
    except InputError as e:
        return None, [str(d) for d in e.diagnostics]
    objects = [(p.name, p.namespace, p.labels) for p in cluster.pods]
    objects += [(n.name, n.labels) for n in cluster.namespaces.values()]
    objects += [(p.name, p.namespace) for p in cluster.network_policies]
    return objects, [str(d) for d in cluster.diagnostics]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(objects())
def test_the_quick_reader_changes_nothing(full_readers_only, text):
    assert outcome(text) == full_readers_only(outcome, text), text


@pytest.mark.parametrize("metadata", [
    "{name: web, namespace: demo, labels: {app: web}}",
    "{name: web}",  # the default namespace
])
def test_usual_metadata_takes_the_quick_path(full_readers_only, quick_path_taken, metadata):
    """Not a vacuous agreement: usual metadata is read by the quick reader, and agrees."""
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {metadata}\nspec:\n  containers: [{{name: c, image: nginx}}]\n"
    taken = quick_path_taken(kinds, "_usual_metadata")
    assert outcome(text) == full_readers_only(outcome, text)
    assert taken == [True]
