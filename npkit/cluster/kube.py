"""A small facade over the official `kubernetes` client: the only code here that calls the API.

`Kube` is what the lab needs (create, replace, apply, delete, get, list, exec, logs); `ClientKube`
implements it for one explicitly named kube context, never "whatever is current". Tests use a fake.

The `kubernetes` package is an optional extra (`npkit[cluster]`): it is imported on first use
only, and its absence is a KubeError that says how to install it. Building a `ClientKube` reads
the kubeconfig file and nothing more: no credential is used and no request is sent until the
first call, so the safety guard can look at the context's server first.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..errors import KubeError  # defined with the others in npkit.errors; importable here too
from ..i18n import messages

_ = messages("npkit-tools").gettext

FIELD_MANAGER = "npkit"
CALICO_API = "projectcalico.org/v3"
INSTALL_HINT = "pip install 'npkit[cluster]'"


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

    def create(self, manifest: dict[str, Any]) -> dict[str, Any]: ...

    def replace(self, manifest: dict[str, Any]) -> dict[str, Any]: ...

    def apply(self, manifest: dict[str, Any]) -> dict[str, Any]: ...

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None,
               uid: str | None = None) -> bool: ...

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None: ...

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[dict[str, Any]]: ...

    def exec(self, namespace: str, pod: str, container: str | None, argv: Sequence[str],
             timeout: float) -> ExecResult: ...

    def logs(self, namespace: str, pod: str, container: str | None = None, tail: int | None = None) -> str: ...

    def has_api(self, api_version: str, kind: str) -> bool: ...


def describe(manifest: dict[str, Any]) -> str:
    """`Kind ns/name` or `Kind name` of a manifest, for messages.

    >>> describe({"kind": "Tier", "metadata": {"name": "security"}})
    'Tier security'
    """
    meta = manifest.get("metadata") or {}
    namespace = meta.get("namespace")
    return f"{manifest.get('kind')} {namespace + '/' if namespace else ''}{meta.get('name')}"


def _named(kind: str, name: str, namespace: str | None) -> str:
    """`Kind ns/name` or `Kind name`."""
    return f"{kind} {namespace + '/' if namespace else ''}{name}"


def kubeconfig_files() -> list[Path]:
    """The kubeconfig files kubectl would read (KUBECONFIG, else ~/.kube/config)."""
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path("~/.kube/config").expanduser()]


def read_contexts(files: Sequence[Path] | None = None) -> tuple[str | None, dict[str, str | None]]:
    """(current context, {context: API server URL}) merged over the kubeconfig files, first wins.

    Read as plain YAML on purpose: `kubernetes.config` would also run the context's credential
    plugins, and the guard must decide about a context before any of its credentials is used.
    """
    current: str | None = None
    clusters: dict[str, str | None] = {}
    contexts: dict[str, str | None] = {}
    for path in files if files is not None else kubeconfig_files():
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(doc, dict):
            continue
        current = current or doc.get("current-context") or None
        for c in doc.get("clusters") or ():
            if isinstance(c, dict) and c.get("name"):
                clusters.setdefault(str(c["name"]), (c.get("cluster") or {}).get("server"))
        for c in doc.get("contexts") or ():
            if isinstance(c, dict) and c.get("name"):
                contexts.setdefault(str(c["name"]), (c.get("context") or {}).get("cluster"))
    return current, {name: clusters.get(cluster) if cluster else None for name, cluster in contexts.items()}


def import_client() -> Any:
    """The `kubernetes` package, or a KubeError saying how to install it."""
    try:
        import kubernetes
        import kubernetes.client
        import kubernetes.config
        import kubernetes.dynamic
        import kubernetes.stream
    except ImportError as e:
        raise KubeError(_("the Kubernetes client is not installed ({error}); the kind labs need it: {hint}").format(
            error=e, hint=INSTALL_HINT)) from None
    return kubernetes


class ClientKube:
    """`Kube` on the official client, bound to one named context."""

    def __init__(self, context: str):
        servers = read_contexts()[1]
        if context not in servers:
            raise KubeError(_("no kube context {context} in {files}; run `npkit lab up` to create the lab "
                              "cluster").format(context=repr(context), files=", ".join(map(str, kubeconfig_files()))))
        self.context: str | None = context
        self.server: str | None = servers[context]
        self._lock = threading.Lock()
        self._api_client: Any = None
        self._dynamic_client: Any = None

    # -- connection, made on first use ----------------------------------------------------
    @property
    def _api(self) -> Any:
        with self._lock:
            if self._api_client is None:
                k8s = import_client()
                # The same files read_contexts read (the client's own default is fixed at its import).
                files = os.pathsep.join(str(p) for p in kubeconfig_files())
                with self._errors(_("reading the kubeconfig")):
                    self._api_client = k8s.config.new_client_from_config(config_file=files, context=self.context,
                                                                        persist_config=False)
            return self._api_client

    @property
    def _dynamic(self) -> Any:
        api = self._api
        with self._lock:
            if self._dynamic_client is None:
                k8s = import_client()
                with self._errors(_("discovering the cluster's APIs")):
                    self._dynamic_client = k8s.dynamic.DynamicClient(api)
            return self._dynamic_client

    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Every failure of a call as a KubeError: the API's own message, or why nothing answered."""
        from kubernetes.client.exceptions import ApiException
        from kubernetes.config.config_exception import ConfigException
        from urllib3.exceptions import HTTPError

        try:
            yield
        except ApiException as e:
            raise KubeError(_("{what}: {message}").format(what=what, message=_api_message(e)), e.status) from None
        except (HTTPError, OSError) as e:
            reason = getattr(e, "reason", None) or e
            raise KubeError(_("{what}: the API server {server} does not answer ({reason})").format(
                what=what, server=self.server, reason=reason)) from None
        except ConfigException as e:
            raise KubeError(_("{what}: kube context {context}: {error}").format(
                what=what, context=repr(self.context), error=e)) from None
        except ValueError as e:  # an answer the client cannot read (the models validate what they parse)
            raise KubeError(_("{what}: unexpected answer from the API server {server}: {error}").format(
                what=what, server=self.server, error=e)) from None

    def _resource(self, api_version: str, kind: str) -> Any:
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        dynamic = self._dynamic
        try:
            with self._errors(_("looking up {kind} ({api_version})").format(kind=kind, api_version=api_version)):
                return dynamic.resources.get(api_version=api_version, kind=kind)
        except ResourceNotFoundError:
            raise KubeError(_("the cluster does not serve {kind} ({api_version})").format(
                kind=kind, api_version=api_version), 404) from None

    # -- Kube ------------------------------------------------------------------------------
    def version(self) -> str:
        k8s = import_client()
        with self._errors(_("reading the server version")):
            return str(k8s.client.VersionApi(self._api).get_code(_request_timeout=5).git_version)

    def create(self, manifest: dict[str, Any]) -> dict[str, Any]:
        resource = self._resource(manifest["apiVersion"], manifest["kind"])
        with self._errors(_("creating {object}").format(object=describe(manifest))):
            return _dict(resource.create(body=manifest, namespace=manifest["metadata"].get("namespace")))

    def replace(self, manifest: dict[str, Any]) -> dict[str, Any]:
        resource = self._resource(manifest["apiVersion"], manifest["kind"])
        with self._errors(_("replacing {object}").format(object=describe(manifest))):
            return _dict(resource.replace(body=manifest, namespace=manifest["metadata"].get("namespace")))

    def apply(self, manifest: dict[str, Any]) -> dict[str, Any]:
        meta = manifest["metadata"]
        resource = self._resource(manifest["apiVersion"], manifest["kind"])
        with self._errors(_("applying {object}").format(object=describe(manifest))):
            return _dict(resource.server_side_apply(body=manifest, name=meta["name"], namespace=meta.get("namespace"),
                                                    field_manager=FIELD_MANAGER, force_conflicts=True))

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None,
               uid: str | None = None) -> bool:
        """Delete one object; with `uid`, only that very object (the API answers 409 for another one)."""
        resource = self._resource(api_version, kind)
        body = {"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": uid}} if uid else None
        try:
            with self._errors(_("deleting {object}").format(object=_named(kind, name, namespace))):
                resource.delete(name=name, namespace=namespace, body=body)
        except KubeError as e:
            if e.status == 404:
                return False
            raise
        return True

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        resource = self._resource(api_version, kind)
        try:
            with self._errors(_("reading {object}").format(object=_named(kind, name, namespace))):
                return _dict(resource.get(name=name, namespace=namespace))
        except KubeError as e:
            if e.status == 404:
                return None
            raise

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[dict[str, Any]]:
        resource = self._resource(api_version, kind)
        with self._errors(_("listing {kind}").format(kind=kind)):
            result = resource.get(namespace=namespace, label_selector=label_selector)
            return [_dict(item) for item in result.items]

    def exec(self, namespace: str, pod: str, container: str | None, argv: Sequence[str],
             timeout: float) -> ExecResult:
        """Run a command in a container, on an API client of its own.

        `kubernetes.stream.stream` swaps the request method of the client it is given for the
        websocket one while it runs; on a shared client, overlapping execs from several threads
        leave it swapped and every later plain request fails (kubernetes-client/python#928).
        """
        k8s = import_client()
        try:
            with self._errors(_("exec in {pod}").format(pod=f"{namespace}/{pod}")):
                own = k8s.client.ApiClient(configuration=self._api.configuration)
        except KubeError as e:
            return ExecResult(None, "", str(e))
        try:
            core = k8s.client.CoreV1Api(own)
            try:
                with self._errors(_("exec in {pod}").format(pod=f"{namespace}/{pod}")):
                    resp = k8s.stream.stream(core.connect_get_namespaced_pod_exec, pod, namespace,
                                             container=container, command=list(argv), stderr=True, stdin=False,
                                             stdout=True, tty=False, _preload_content=False)
            except KubeError as e:
                return ExecResult(None, "", str(e))
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
        finally:
            own.close()

    def logs(self, namespace: str, pod: str, container: str | None = None, tail: int | None = None) -> str:
        k8s = import_client()
        with self._errors(_("reading logs of {pod}").format(pod=f"{namespace}/{pod}")):
            return str(k8s.client.CoreV1Api(self._api).read_namespaced_pod_log(
                pod, namespace, container=container, tail_lines=tail))

    def has_api(self, api_version: str, kind: str) -> bool:
        try:
            self._resource(api_version, kind)
        except KubeError as e:
            if e.status == 404:
                return False
            raise
        return True


def _dict(instance: Any) -> dict[str, Any]:
    """A dynamic-client ResourceInstance as the plain dict the rest of npkit reads."""
    out: dict[str, Any] = instance.to_dict()
    return out


def _api_message(e: Any) -> str:
    """The API's own message from an ApiException's Status body, else its status and reason."""
    body = getattr(e, "body", None)
    if body:
        try:
            message = (yaml.safe_load(body) or {}).get("message")
        except (yaml.YAMLError, AttributeError):
            message = None
        if message:
            return str(message)
    if e.status == 0:  # the websocket layer's way of saying the connection failed
        return str(e.reason)
    return f"HTTP {e.status} {e.reason}"
