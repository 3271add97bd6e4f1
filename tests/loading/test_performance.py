"""Large inputs load completely and correctly (how fast: benchmarks/bench_loading.py)."""

from __future__ import annotations

from npkit.loading import load_string


def big_manifest(pods: int = 5000, policies: int = 1000) -> str:
    docs = []
    for i in range(pods):
        docs.append(f"""apiVersion: v1
kind: Pod
metadata:
  name: pod-{i}
  namespace: ns{i % 50}
  labels:
    app: app-{i % 100}
    tier: "t{i % 3}"
spec:
  containers:
  - name: c
    image: nginx
    ports:
    - name: http
      containerPort: 80
      protocol: TCP
""")
    for i in range(policies):
        docs.append(f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np-{i}
  namespace: ns{i % 50}
spec:
  podSelector:
    matchLabels:
      app: app-{i % 100}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {{key: tier, operator: In, values: [t0, t1]}}
      namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: ns{i % 50}
    - ipBlock:
        cidr: 10.0.0.0/8
        except: [10.1.0.0/16]
    ports:
    - port: 80
    - port: http
    - port: 8000
      endPort: 9000
  egress:
  - to:
    - namespaceSelector: {{}}
""")
    return "---\n".join(docs)


def test_five_thousand_pods_and_a_thousand_policies_load_with_distinct_addresses():
    text = big_manifest()
    assert len(text) > 1_500_000
    cluster = load_string(text)
    assert (len(cluster.pods), len(cluster.network_policies), len(cluster.namespaces)) == (5000, 1000, 50)
    assert len({p.ip for p in cluster.pods}) == 5000
