"""The reachability matrix and the per-probe evaluator are two implementations of one pipeline.

They must agree on every cell, for random clusters mixing all three policy families,
under both dataplanes.
"""

from hypothesis import HealthCheck, given, settings

from npkit.engine import Engine
from tests.strategies import TRAFFIC, clusters


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_matrix_cells_equal_per_probe_verdicts(cluster):
    for dataplane in ("calico", "kubernetes"):
        engine = Engine(cluster, dataplane)
        keys = engine.pods
        for protocol, port in TRAFFIC:
            matrix = engine.reachability(port, protocol)
            for i, src in enumerate(keys):
                for j, dst in enumerate(keys):
                    verdict = engine.verdict(src, dst, port, protocol)
                    assert matrix[i, j] == verdict.allowed, (dataplane, protocol, port, src, dst, verdict.summary)
