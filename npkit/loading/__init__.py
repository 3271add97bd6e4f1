"""The loading layer: Kubernetes-style YAML in, a validated `npkit.model.Cluster` out.

`load(*sources)` reads files, directories and "-" (stdin); `load_string(text)` reads text.
Both raise `npkit.model.InputError` carrying every error (file, line, object, field path);
warnings and notes end up in `Cluster.diagnostics`.

Modules: yamlio (safe composing with positions and limits), fields (typed access that
reports instead of raising), validation (the API server's value rules), labels (labels and
label selectors), kinds (the registry; its docstring says how to add a kind), addresses
(pod IPs), loader (sources to Cluster), and one module per family of kinds (k8s, workloads,
calico with calico_rules, cnp). dump turns model objects back into manifests.
"""

from .loader import load, load_string

TYPE_CHECKING = False  # typing's is not needed
if TYPE_CHECKING:
    from .dump import dump_yaml, to_manifest

__all__ = ["dump_yaml", "load", "load_string", "to_manifest"]


def __getattr__(name: str) -> object:
    """`dump_yaml` and `to_manifest`, imported on first use (loading never needs them)."""
    if name not in ("dump_yaml", "to_manifest"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import dump

    value = getattr(dump, name)
    globals()[name] = value
    return value
