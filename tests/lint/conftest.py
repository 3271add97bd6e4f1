"""A small cluster for lint tests: an application namespace, monitoring, and cluster DNS.

Pods have fixed addresses; each test adds the policies it needs and usually runs one rule.
"""

from __future__ import annotations

import pytest

from npkit.lint import Findings, lint
from npkit.loading import load_string

CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {purpose: monitoring}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: app, labels: {app: frontend}}
spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 80}]}]}
status: {podIP: 10.244.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: app, labels: {app: backend}}
spec: {containers: [{name: c, image: agnhost, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.244.1.11}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: app, labels: {app: db}}
spec: {containers: [{name: c, image: postgres, ports: [{name: postgres, containerPort: 5432}]}]}
status: {podIP: 10.244.1.12}
---
apiVersion: v1
kind: Pod
metadata: {name: prometheus, namespace: monitoring, labels: {app: prometheus, role: monitor}}
spec: {containers: [{name: c, image: prometheus, ports: [{name: web, containerPort: 9090}]}]}
status: {podIP: 10.244.2.10}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  containers:
  - name: coredns
    image: coredns
    ports:
    - {name: dns, containerPort: 53, protocol: UDP}
    - {name: dns-tcp, containerPort: 53, protocol: TCP}
status: {podIP: 10.244.0.10}
"""

DEFAULT_DENY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: %s}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
"""

ALLOW_DNS = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-egress-to-kube-dns, namespace: %s}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
"""

# Both user namespaces locked down with DNS: the background most tests add one policy to.
BASELINE = "---\n".join([DEFAULT_DENY % "app", DEFAULT_DENY % "monitoring", ALLOW_DNS % "app",
                         ALLOW_DNS % "monitoring"])


def run(policies: str = "", *rules: str, cluster: str = CLUSTER, **kw) -> Findings:
    """Lint CLUSTER plus `policies` (YAML text, file name policies.yaml), only `rules` if given."""
    text = cluster + ("---\n" + policies if policies.strip() else "")
    return lint(load_string(text, "policies.yaml"), only=rules or None, **kw)


@pytest.fixture
def lint_yaml():
    return run
