"""A small facade over the official `kubernetes` client: the only code here that calls the API.

`Kube` is what the lab needs (apply, delete, get, list, exec, logs); `ClientKube` implements
it for one explicitly named kube context, never "whatever is current". Tests use a fake.
Kubernetes objects go in by server-side apply; Calico's projectcalico.org/v3 objects by
create-or-replace, because server-side apply of a new Calico policy failed with NotFound in
Calico 3.32.0 (projectcalico/calico#12841, fixed in 3.32.1) and must not break a lab on
a slightly different install.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from ..errors import KubeError  # defined with the others in npkit.errors; importable from here too

FIELD_MANAGER = "npkit"
CALICO_API = "projectcalico.org/v3"


@dataclass(frozen=True)
class ExecResult:
    """A command run in a container. `returncode` None: it did not finish or could not start."""

    returncode: int | None
    stdout: str = ""
    stderr: str = ""


class Kube(Protocol):
    context: str | None
    server: str | None

    def version(self) -> str: ...

    def apply(self, manifest: dict) -> None: ...

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool: ...

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None: ...

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[dict]: ...

    def exec(self, namespace: str, pod: str, container: str | None, argv: Sequence[str],
             timeout: float) -> ExecResult: ...

    def logs(self, namespace: str, pod: str, container: str | None = None, tail: int | None = None) -> str: ...

    def has_api(self, api_version: str, kind: str) -> bool: ...


def kubeconfig_files() -> list[Path]:
    """The kubeconfig files kubectl would read (KUBECONFIG, else ~/.kube/config)."""
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path("~/.kube/config").expanduser()]


def read_contexts(files: Sequence[Path] | None = None) -> tuple[str | None, dict[str, str | None]]:
    """(current context, {context: API server URL}) merged over the kubeconfig files, first wins."""
    current: str | None = None
    clusters: dict[str, str | None] = {}
    contexts: dict[str, str] = {}
    for path in files if files is not None else kubeconfig_files():
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(doc, dict):
            continue
        current = current or doc.get("current-context") or None
        for c in doc.get("clusters") or ():
            clusters.setdefault(c.get("name"), (c.get("cluster") or {}).get("server"))
        for c in doc.get("contexts") or ():
            contexts.setdefault(c.get("name"), (c.get("context") or {}).get("cluster"))
    return current, {name: clusters.get(cluster) for name, cluster in contexts.items()}


class ClientKube:
    """`Kube` on the official client, bound to one named context."""

    def __init__(self, context: str):
        from kubernetes import client, config, dynamic

        _, servers = read_contexts()
        if context not in servers:
            raise KubeError(f"no kube context {context!r} in {', '.join(map(str, kubeconfig_files()))}; "
                            "run `npkit lab up` to create the lab cluster")
        self.context: str | None = context
        self.server: str | None = servers[context]
        self._api = config.new_client_from_config(context=context)
        self._client = client
        self._dynamic = dynamic.DynamicClient(self._api)

    # -- helpers ---------------------------------------------------------------------------
    def _resource(self, api_version: str, kind: str):
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        try:
            return self._dynamic.resources.get(api_version=api_version, kind=kind)
        except ResourceNotFoundError:
            raise KubeError(f"the cluster does not serve {kind} ({api_version})") from None

    @staticmethod
    def _error(e: Exception, what: str) -> KubeError:
        body = getattr(e, "body", None)
        message = str(e)
        if body:
            try:
                message = yaml.safe_load(body).get("message") or message
            except (yaml.YAMLError, AttributeError):
                pass
        return KubeError(f"{what}: {message}")

    # -- Kube ------------------------------------------------------------------------------
    def version(self) -> str:
        info = self._client.VersionApi(self._api).get_code(_request_timeout=5)
        return info.git_version

    def apply(self, manifest: dict) -> None:
        from kubernetes.client.exceptions import ApiException

        api_version, kind = manifest["apiVersion"], manifest["kind"]
        meta = manifest["metadata"]
        what = f"{kind} {meta.get('namespace') + '/' if meta.get('namespace') else ''}{meta['name']}"
        resource = self._resource(api_version, kind)
        try:
            if api_version == CALICO_API:
                try:
                    resource.create(body=manifest, namespace=meta.get("namespace"))
                except ApiException as e:
                    if e.status != 409:
                        raise
                    current = resource.get(name=meta["name"], namespace=meta.get("namespace"))
                    body = {**manifest, "metadata": {**meta, "resourceVersion": current.metadata.resourceVersion}}
                    resource.replace(body=body, namespace=meta.get("namespace"))
            else:
                resource.server_side_apply(body=manifest, name=meta["name"], namespace=meta.get("namespace"),
                                           field_manager=FIELD_MANAGER, force_conflicts=True)
        except ApiException as e:
            raise self._error(e, f"applying {what}") from None

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool:
        from kubernetes.client.exceptions import ApiException

        try:
            self._resource(api_version, kind).delete(name=name, namespace=namespace)
        except ApiException as e:
            if e.status == 404:
                return False
            raise self._error(e, f"deleting {kind} {name}") from None
        return True

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None:
        from kubernetes.client.exceptions import ApiException

        try:
            return self._resource(api_version, kind).get(name=name, namespace=namespace).to_dict()
        except ApiException as e:
            if e.status == 404:
                return None
            raise self._error(e, f"reading {kind} {name}") from None

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[dict]:
        from kubernetes.client.exceptions import ApiException

        try:
            result = self._resource(api_version, kind).get(namespace=namespace, label_selector=label_selector)
        except ApiException as e:
            raise self._error(e, f"listing {kind}") from None
        return [item.to_dict() for item in result.items]

    def exec(self, namespace: str, pod: str, container: str | None, argv: Sequence[str],
             timeout: float) -> ExecResult:
        from kubernetes.client.exceptions import ApiException
        from kubernetes.stream import stream

        core = self._client.CoreV1Api(self._api)
        try:
            resp = stream(core.connect_get_namespaced_pod_exec, pod, namespace, container=container,
                          command=list(argv), stderr=True, stdin=False, stdout=True, tty=False,
                          _preload_content=False)
        except ApiException as e:
            return ExecResult(None, "", str(self._error(e, f"exec in {namespace}/{pod}")))
        try:
            resp.run_forever(timeout=timeout)
            out, err = resp.read_stdout(), resp.read_stderr()
            try:
                code = resp.returncode
            except (KeyError, IndexError, TypeError, ValueError, yaml.YAMLError):
                code = None  # the error channel held a failure without an exit code
            return ExecResult(code, out, err)
        finally:
            resp.close()

    def logs(self, namespace: str, pod: str, container: str | None = None, tail: int | None = None) -> str:
        from kubernetes.client.exceptions import ApiException

        try:
            return self._client.CoreV1Api(self._api).read_namespaced_pod_log(
                pod, namespace, container=container, tail_lines=tail)
        except ApiException as e:
            raise self._error(e, f"reading logs of {namespace}/{pod}") from None

    def has_api(self, api_version: str, kind: str) -> bool:
        try:
            self._resource(api_version, kind)
        except KubeError:
            return False
        return True
