"""kind's command line: list, create and delete clusters, list nodes; and the kind configs' pod subnet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import KindError  # defined with the others in npkit.errors; importable here too
from ..i18n import messages
from .runner import Result, Runner

_ = messages("npkit-tools").gettext

CNIS = ("calico", "kindnet")
DEFAULT_NAME = "npkit-lab"
KNOWN_ISSUES = "https://kind.sigs.k8s.io/docs/user/known-issues/"
KIND_DEFAULT_POD_SUBNET = "10.244.0.0/16"  # kind's default when a config names none
CREATE_TIMEOUT = 1800.0  # the first run pulls a ~1 GB node image; output is streamed meanwhile


def context_name(cluster: str) -> str:
    """The kubeconfig context kind creates for a cluster.

    >>> context_name("npkit-lab")
    'kind-npkit-lab'
    """
    return f"kind-{cluster}"


def config_path(cluster_dir: Path, cni: str) -> Path:
    """cluster/kind-calico.yaml or cluster/kind-kindnet.yaml."""
    if cni not in CNIS:
        raise ValueError(_("unknown CNI {cni}; choose one of {choices}").format(cni=repr(cni), choices=", ".join(CNIS)))
    return cluster_dir / f"kind-{cni}.yaml"


def pod_subnet(config: Path) -> str:
    """`networking.podSubnet` of a kind config (kind's default when it names none)."""
    try:
        doc = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise KindError(_("cannot read the kind config {path}: {error}").format(path=config, error=e)) from None
    networking = doc.get("networking") if isinstance(doc, dict) else None
    return str((networking or {}).get("podSubnet") or KIND_DEFAULT_POD_SUBNET)


def create_argv(name: str, config: Path, image: str, wait: str = "0s") -> list[str]:
    """`kind create cluster` for the lab (the node image is always the pinned one).

    >>> create_argv("lab", Path("c.yaml"), "kindest/node:v1")
    ['kind', 'create', 'cluster', '--name', 'lab', '--config', 'c.yaml', '--image', 'kindest/node:v1', '--wait', '0s']
    """
    # --wait 0s: with the default CNI disabled the nodes stay NotReady until Calico runs,
    # so readiness is waited for afterwards, with progress, by npkit itself.
    return ["kind", "create", "cluster", "--name", name, "--config", str(config), "--image", image, "--wait", wait]


def failure(what: str, result: Result) -> KindError:
    """A KindError for a failed kind command: kind's own ERROR line and output tail, and the link."""
    return KindError(_("{command} failed: {reason}\n  (kind's known issues: {url})").format(
        command=what, reason=result.message(), url=KNOWN_ISSUES))


@dataclass
class Kind:
    runner: Runner

    def clusters(self) -> list[str]:
        """Names of existing kind clusters; KindError when kind cannot tell (e.g. docker is down)."""
        out = self.runner.run(["kind", "get", "clusters"], timeout=30)
        if not out.ok:
            raise failure("`kind get clusters`", out)
        # "No kind clusters found." goes to stderr; stdout lists one name per line.
        return [line.strip() for line in out.stdout.splitlines() if line.strip()]

    def exists(self, name: str) -> bool:
        return name in self.clusters()

    def create(self, name: str, config: Path, image: str, on_line: Callable[[str], None] = lambda line: None,
               timeout: float = CREATE_TIMEOUT) -> None:
        """Create a cluster, streaming kind's output; on any failure nothing of it is left.

        kind deletes its nodes itself when a step fails, but not when it is stopped from outside
        (a timeout); a half-made cluster would be reused by the next `up`, so delete it here too.
        """
        try:
            result = self.runner.stream(create_argv(name, config, image), on_line, timeout)
        except BaseException:  # Ctrl-C while kind works: its nodes would stay, half made
            self.delete(name)
            raise
        if result.ok:
            return
        if "already exist for a cluster with the name" not in result.stderr + result.stdout:
            self.delete(name)  # never a cluster that was there before this call
        raise failure(f"`kind create cluster --name {name}`", result)

    def delete(self, name: str) -> None:
        """Delete a cluster; deleting one that does not exist succeeds (kind says so)."""
        result = self.runner.run(["kind", "delete", "cluster", "--name", name], timeout=300)
        if not result.ok:
            raise failure(f"`kind delete cluster --name {name}`", result)

    def nodes(self, name: str) -> list[str]:
        """Node container names, e.g. npkit-lab-control-plane, npkit-lab-worker."""
        out = self.runner.run(["kind", "get", "nodes", "--name", name], timeout=30)
        if not out.ok:
            raise failure(f"`kind get nodes --name {name}`", out)
        return [line.strip() for line in out.stdout.splitlines() if line.strip()]
