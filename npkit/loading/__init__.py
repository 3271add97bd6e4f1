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

from .dump import dump_yaml, to_manifest
from .loader import load, load_string

__all__ = ["dump_yaml", "load", "load_string", "to_manifest"]
