"""`ClientKube` on the real `kubernetes` client, against a small local API server and a stub
websocket: parallel execs leave the client usable, nothing is sent before the first call, failures
are KubeErrors with the reason, and npkit works without the client installed."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

pytest.importorskip("kubernetes")

from kubernetes.stream import ws_client  # noqa: E402 - after the skip
from websocket import ABNF, WebSocketBadStatusException  # noqa: E402

from npkit.cluster.kube import ClientKube, KubeError  # noqa: E402

CONTEXT = "kind-npkit-lab"
DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
         "verbs": ["get", "list"]}]},
    "/version": {"major": "1", "minor": "35", "emulationMajor": "1", "emulationMinor": "35",
                 "minCompatibilityMajor": "1", "minCompatibilityMinor": "34", "gitVersion": "v1.35.0",
                 "gitCommit": "66452049f3d692768c39c797b21b793dce80314e", "gitTreeState": "clean",
                 "buildDate": "2025-12-17T12:32:06Z", "goVersion": "go1.25.5", "compiler": "gc",
                 "platform": "linux/amd64"},
    "/api/v1/namespaces": {"kind": "NamespaceList", "apiVersion": "v1", "metadata": {},
                           "items": [{"metadata": {"name": "default"}}]},
}


class ApiServer:
    """A tiny API server: discovery, /version and a namespace list; every request is recorded."""

    def __init__(self, status: int = 200):
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                outer.requests.append(self.path)
                path = self.path.split("?")[0].rstrip("/")
                body = DISCOVERY.get(path)
                code = status if body is not None else 404
                if code != 200:
                    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code,
                            "message": "the server is currently unable to handle the request"
                            if code == 503 else "not found", "reason": "ServiceUnavailable"}
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def kubeconfig(tmp_path, monkeypatch, server: str) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text(textwrap.dedent(f"""\
        apiVersion: v1
        kind: Config
        current-context: {CONTEXT}
        clusters: [{{name: {CONTEXT}, cluster: {{server: "{server}"}}}}]
        users: [{{name: {CONTEXT}, user: {{token: lab-token}}}}]
        contexts: [{{name: {CONTEXT}, context: {{cluster: {CONTEXT}, user: {CONTEXT}}}}}]
        """))
    monkeypatch.setenv("KUBECONFIG", str(path))


@pytest.fixture
def api(tmp_path, monkeypatch):
    server = ApiServer()
    kubeconfig(tmp_path, monkeypatch, server.url)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # the dynamic client's discovery cache
    yield server
    server.close()


class StubWebSocket:
    """What `websocket.WebSocket` gives `kubernetes.stream.ws_client.WSClient`: a socket to poll and
    channel frames (stdout, then the exit status on the error channel), then a close frame."""

    def __init__(self, stdout: str):
        self.subprotocol = "v4.channel.k8s.io"
        self.connected = True
        status = json.dumps({"metadata": {}, "status": "Success"})
        self._frames = [b"\x01" + stdout.encode(), b"\x03" + status.encode()]
        self.sock, self._peer = socket.socketpair()
        self._peer.send(b"x" * (len(self._frames) + 1))  # readable until every frame was taken

    def getheaders(self):
        return {}

    def recv_data_frame(self, control_frame=False):
        self.sock.recv(1)
        if self._frames:
            return ABNF.OPCODE_BINARY, SimpleNamespace(data=self._frames.pop(0))
        self.connected = False
        return ABNF.OPCODE_CLOSE, SimpleNamespace(data=b"")

    def send(self, *args, **kwargs):
        pass

    def close(self, **kwargs):
        self.connected = False
        self.sock.close()
        self._peer.close()


def stub_websockets(monkeypatch, parallel: int):
    """Replace only the websocket connection: every exec waits until `parallel` of them are open at
    once, as overlapping probes are; a plain request sent as a websocket fails as a real one does."""
    barrier = threading.Barrier(parallel, timeout=10)

    def create_websocket(configuration, url, headers=None):
        if "/exec" not in url:
            raise WebSocketBadStatusException("Handshake status 200 OK", 200)
        barrier.wait()
        return StubWebSocket("ok\n")

    monkeypatch.setattr(ws_client, "create_websocket", create_websocket)


def test_parallel_execs_leave_the_client_usable_for_plain_requests(api, monkeypatch):
    # kubernetes.stream swaps the request method of the client it is given while an exec runs;
    # overlapping execs on one shared client used to leave it swapped for good (kubernetes-client/python#928).
    workers = 8
    stub_websockets(monkeypatch, workers)
    kube = ClientKube(CONTEXT)
    assert kube.version() == "v1.35.0"
    shared = kube._api
    results: list = []

    def probe() -> None:
        results.append(kube.exec("shop", "client", "c", ["true"], 5))

    for _ in range(3):
        results.clear()
        threads = [threading.Thread(target=probe) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert [r.returncode for r in results] == [0] * workers and {r.stdout for r in results} == {"ok\n"}
        assert "call_api" not in vars(shared) or shared.call_api.__func__ is type(shared).call_api
        assert [n["metadata"]["name"] for n in kube.list("v1", "Namespace")] == ["default"]
        assert kube.version() == "v1.35.0"


def test_nothing_is_sent_before_the_first_call(api):
    kube = ClientKube(CONTEXT)
    assert kube.server == api.url and api.requests == []
    kube.version()
    assert [r.rstrip("/") for r in api.requests] == ["/version"]


def test_an_api_answering_an_http_error_is_a_kube_error_with_its_status(tmp_path, monkeypatch):
    server = ApiServer(status=503)
    kubeconfig(tmp_path, monkeypatch, server.url)
    try:
        with pytest.raises(KubeError, match="reading the server version: the server is currently unable") as e:
            ClientKube(CONTEXT).version()
        assert e.value.status == 503
    finally:
        server.close()


def test_an_api_that_does_not_answer_is_a_kube_error_naming_the_server(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kubeconfig(tmp_path, monkeypatch, f"http://127.0.0.1:{port}")
    kube = ClientKube(CONTEXT)
    kube._api.configuration.retries = 0  # the default retries only make the test slower
    with pytest.raises(KubeError, match=f"the API server http://127.0.0.1:{port} does not answer") as e:
        kube.version()
    assert e.value.status is None


def test_a_missing_context_is_a_kube_error_that_says_how_to_make_it(tmp_path, monkeypatch):
    kubeconfig(tmp_path, monkeypatch, "https://127.0.0.1:6443")
    with pytest.raises(KubeError, match="no kube context 'kind-other'.*npkit lab up"):
        ClientKube("kind-other")


BLOCK_KUBERNETES = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "kubernetes" or name.startswith("kubernetes."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Block())
"""


def test_npkit_works_without_the_kubernetes_client_and_says_how_to_get_it(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: d, namespace: x}\n"
                      "spec: {podSelector: {}}\n")
    script = BLOCK_KUBERNETES + textwrap.dedent(f"""
        import npkit, npkit.engine, npkit.explain, npkit.matrix, npkit.lint, npkit.diff, npkit.widgets, npkit.course
        import npkit.lab, npkit.lab.backends.kind, npkit.cluster.kube, npkit.cli.main
        from npkit.cli.main import main
        code = main(["check", "-f", {str(policy)!r}])
        assert code in (0, 1), code
        assert not [m for m in sys.modules if m.split(".")[0] == "kubernetes"], "kubernetes was imported"
        from npkit.cluster.kube import ClientKube, KubeError
        import os
        cfg = os.path.join({str(tmp_path)!r}, "kubeconfig")
        open(cfg, "w").write("contexts: [{{name: kind-npkit-lab, context: {{cluster: c}}}}]\\n"
                             "clusters: [{{name: c, cluster: {{server: 'https://127.0.0.1:1'}}}}]\\n")
        os.environ["KUBECONFIG"] = cfg
        try:
            ClientKube("kind-npkit-lab").version()
        except KubeError as e:
            print("MESSAGE:", e)
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "MESSAGE: the Kubernetes client is not installed" in done.stdout
    assert "pip install 'npkit[cluster]'" in done.stdout
