"""Loading stays fast on large inputs: nothing quadratic in the number of objects."""

from __future__ import annotations

import time

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


def test_five_thousand_pods_and_a_thousand_policies_in_a_few_seconds():
    text = big_manifest()
    assert len(text) > 1_500_000
    start = time.perf_counter()
    cluster = load_string(text)
    elapsed = time.perf_counter() - start
    assert (len(cluster.pods), len(cluster.network_policies), len(cluster.namespaces)) == (5000, 1000, 50)
    assert len({p.ip for p in cluster.pods}) == 5000
    assert elapsed < 10, f"took {elapsed:.1f}s"


def test_time_grows_linearly():
    def timed(n: int) -> float:
        text = big_manifest(pods=n, policies=n // 5)
        start = time.perf_counter()
        load_string(text)
        return time.perf_counter() - start

    small, large = timed(500), timed(4000)
    assert large < small * 8 * 2.5  # 8x the input; quadratic work would be ~64x
