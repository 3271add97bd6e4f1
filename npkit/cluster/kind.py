"""kind's command line: list, create and delete clusters, list nodes. Commands only, no policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .runner import Result, Runner

CNIS = ("calico", "kindnet")
DEFAULT_NAME = "npkit-lab"


def context_name(cluster: str) -> str:
    """The kubeconfig context kind creates for a cluster.

    >>> context_name("npkit-lab")
    'kind-npkit-lab'
    """
    return f"kind-{cluster}"


def config_path(cluster_dir: Path, cni: str) -> Path:
    """cluster/kind-calico.yaml or cluster/kind-kindnet.yaml."""
    if cni not in CNIS:
        raise ValueError(f"unknown CNI {cni!r}; choose one of {', '.join(CNIS)}")
    return cluster_dir / f"kind-{cni}.yaml"


def create_argv(name: str, config: Path, image: str, wait: str = "0s") -> list[str]:
    """`kind create cluster` for the lab (the node image is always the pinned one).

    >>> create_argv("lab", Path("c.yaml"), "kindest/node:v1")
    ['kind', 'create', 'cluster', '--name', 'lab', '--config', 'c.yaml', '--image', 'kindest/node:v1', '--wait', '0s']
    """
    # --wait 0s: with the default CNI disabled the nodes stay NotReady until Calico runs,
    # so readiness is waited for afterwards, with progress, by npkit itself.
    return ["kind", "create", "cluster", "--name", name, "--config", str(config), "--image", image, "--wait", wait]


@dataclass
class Kind:
    runner: Runner

    def clusters(self) -> list[str]:
        """Names of existing kind clusters (empty when there are none or kind fails)."""
        out = self.runner.run(["kind", "get", "clusters"], timeout=30)
        if not out.ok:
            return []
        # "No kind clusters found." goes to stderr; stdout lists one name per line.
        return [line.strip() for line in out.stdout.splitlines() if line.strip()]

    def exists(self, name: str) -> bool:
        return name in self.clusters()

    def create(self, name: str, config: Path, image: str) -> Result:
        return self.runner.run(create_argv(name, config, image), timeout=900)

    def delete(self, name: str) -> Result:
        """Delete a cluster; deleting one that does not exist succeeds (kind says so)."""
        return self.runner.run(["kind", "delete", "cluster", "--name", name], timeout=300)

    def nodes(self, name: str) -> list[str]:
        """Node container names, e.g. npkit-lab-control-plane, npkit-lab-worker."""
        out = self.runner.run(["kind", "get", "nodes", "--name", name], timeout=30)
        return [line.strip() for line in out.stdout.splitlines() if line.strip()] if out.ok else []
