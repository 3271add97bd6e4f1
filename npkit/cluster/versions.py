"""The pinned versions of the kind lab, read from `cluster/versions.env` (the only place they live)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..i18n import messages

_ = messages("npkit-tools").gettext

# cluster/ sits at the repository root, next to the npkit package; NPKIT_CLUSTER_DIR overrides.
_DEFAULT_DIR = Path(__file__).resolve().parents[2] / "cluster"
_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
_REQUIRED = ("KIND_VERSION", "KIND_MIN_VERSION", "KIND_NODE_IMAGE", "CALICO_VERSION",
             "CALICO_MANIFEST_BASE", "AGNHOST_IMAGE", "KUBECTL_MIN_VERSION")


def cluster_dir() -> Path:
    """Where the kind configs and versions.env are."""
    return Path(os.environ.get("NPKIT_CLUSTER_DIR") or _DEFAULT_DIR)


def parse_version(text: str) -> tuple[int, ...]:
    """`v0.31.0`, `kind v0.24.0 go1.22 linux/amd64` or `1.35.0-dispatcher` → numbers.

    >>> parse_version("kind v0.24.0 go1.22.6 linux/amd64"), parse_version("v1.35.0-rc.1")
    ((0, 24, 0), (1, 35, 0))
    """
    m = re.search(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text)
    if m is None:
        raise ValueError(f"no version number in {text!r}")
    return tuple(int(x) for x in m.groups(default="0"))


@dataclass(frozen=True)
class Versions:
    kind: str
    kind_min: str
    node_image: str
    calico: str
    calico_manifest_base: str
    agnhost_image: str
    kubectl_min: str

    def calico_manifests(self) -> tuple[str, ...]:
        """URLs to `kubectl create`, in order, for an operator install: the CRDs, then the operator.
        (The operator's custom resources come from cluster/calico-custom-resources.yaml.)

        >>> v = Versions("", "", "", "v3.32.0", "https://x", "", "")
        >>> [u.rsplit("/", 1)[1] for u in v.calico_manifests()]
        ['v1_crd_projectcalico_org.yaml', 'tigera-operator.yaml']
        """
        base = f"{self.calico_manifest_base}/{self.calico}/manifests"
        minor = parse_version(self.calico)[:2]
        # The CRD bundle was renamed in 3.32 and did not exist before 3.30.
        if minor >= (3, 32):
            crds: tuple[str, ...] = ("v1_crd_projectcalico_org.yaml",)
        elif minor >= (3, 30):
            crds = ("operator-crds.yaml",)
        else:
            crds = ()
        return tuple(f"{base}/{name}" for name in (*crds, "tigera-operator.yaml"))


def load_versions(path: Path | None = None) -> Versions:
    """Read versions.env; a missing file or key is an error that names it."""
    path = path or cluster_dir() / "versions.env"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise FileNotFoundError(_("cannot read the pinned versions file {path}: {error}; set NPKIT_CLUSTER_DIR to the "
                                  "repository's cluster/ folder").format(path=path, error=e.strerror or e)) from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(_("{path}:{line}: expected KEY=value, got {text}").format(path=path, line=number,
                                                                                      text=repr(line)))
        values[m.group(1)] = m.group(2).strip()
    missing = [k for k in _REQUIRED if not values.get(k)]
    if missing:
        raise ValueError(_("{path}: missing {keys}").format(path=path, keys=", ".join(missing)))
    return Versions(values["KIND_VERSION"], values["KIND_MIN_VERSION"], values["KIND_NODE_IMAGE"],
                    values["CALICO_VERSION"], values["CALICO_MANIFEST_BASE"], values["AGNHOST_IMAGE"],
                    values["KUBECTL_MIN_VERSION"])
