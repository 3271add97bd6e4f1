"""compare() also answers for single connections outside the pod matrix (addresses outside the cluster)."""

from npkit.course import chapter_example, model_cluster
from npkit.diff import compare
from npkit.engine import Engine
from npkit.loading import load_string


def test_connections_to_outside_addresses_are_compared():
    base = model_cluster("app")
    deny_out = base.merged(load_string(chapter_example("default-deny-egress")))
    fixed = deny_out.merged(load_string(chapter_example("allow-external-db")))
    connection = ("default/backend", "10.100.0.5", 5432, "TCP")
    result = compare(Engine(deny_out), Engine(fixed), [(80, "TCP")], [connection])
    assert [c.label for c in result.newly_allowed] == ["default/backend → 10.100.0.5 TCP/5432"]
    assert result.compared == len(result.pods) ** 2 + 1
    same = compare(Engine(fixed), Engine(fixed), [(80, "TCP")], [connection])
    assert same.equivalent and "equivalent" in same.summary()
