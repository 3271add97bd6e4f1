"""The local lab backend: pods in Linux network namespaces, policies enforced by nftables.

`NPKIT_LAB_BACKEND=local` forces it; the automatic choice takes it when no kind cluster is
reachable and `local_preflight()` finds Linux, root, `ip`, `nft`, and a namespace it can create.
"""

from .backend import LocalBackend
from .naming import lab_name
from .preflight import local_preflight

__all__ = ["LocalBackend", "lab_name", "local_preflight"]
