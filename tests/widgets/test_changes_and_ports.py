"""show_changes (what a policy changes) and PortTable (several ports from one source), on the model cluster."""

from __future__ import annotations

import pytest

from npkit.course import chapter_example, model_cluster
from npkit.loading import load_string
from npkit.widgets.changes import show_changes
from npkit.widgets.ports import PortTable

NAMED_PORT = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ingress-http, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - protocol: TCP
      port: http
"""


def test_show_changes_lists_the_connections_a_policy_opens_and_closes():
    base = model_cluster("app")
    deny = base.merged(load_string(chapter_example("default-deny-egress"), default_namespace="default"))
    fixed = deny.merged(load_string(chapter_example("allow-dns"), default_namespace="default"))
    view = show_changes(deny, fixed, [(53, "UDP"), (80, "TCP")])
    assert set(view.allowed_now) == {f"{p} → kube-system/coredns UDP/53" for p in
                                     ["default/api", "default/backend", "default/db", "default/frontend",
                                      "default/scanner", "default/web"]}
    assert view.denied_now == ()
    assert repr(view).startswith("6 newly allowed, 0 newly denied")
    assert "default/web → kube-system/coredns UDP/53" in view._repr_html_()
    assert show_changes(fixed, fixed).equivalent


def test_changes_with_one_reason_are_one_group_counted_by_namespace():
    cluster = model_cluster()
    deny = cluster.merged(load_string(chapter_example("default-deny-egress"), default_namespace="default"))
    view = show_changes(cluster, deny, [(80, "TCP"), (53, "UDP")])
    assert len(view.denied_now) == 180
    [group] = view.groups
    assert group.heading == "180 connections denied now" and "default/default-deny-egress" in group.reason
    assert group.by_namespace()[0] == ("default", "default", 60)
    text = repr(view)
    assert len(text.splitlines()) < 16 and text.count("default-deny-egress") == 1  # said once, not 180 times
    assert "… and 177 more" in text
    html = view._repr_html_()
    assert html.count("default-deny-egress") == 1 and "<details>" in html  # the full list is folded away


def test_a_port_table_resolves_a_named_port_on_each_destination():
    cluster = model_cluster().merged(load_string(NAMED_PORT))
    table = PortTable(cluster, "x/a", [(80, "TCP"), (8080, "TCP")],
                      dsts=["default/web", "default/backend", "default/db"])
    assert table.reachable("default/web") == ("TCP/80",)      # web's http is 80
    assert table.reachable("default/backend") == ("TCP/8080",)  # backend's http is 8080
    assert table.reachable("default/db") == ()                # db has no port named http
    assert "which default/backend resolves to TCP/8080, not 80" in table.explain("default/backend", "TCP/80")
    text = repr(table)
    assert text.splitlines()[2].startswith("default/web") and "✓" in text.splitlines()[2]


def test_a_port_table_takes_addresses_outside_the_cluster_and_rejects_unknown_probes():
    cluster = model_cluster("app").merged(load_string(chapter_example("allow-external-db")))
    table = PortTable(cluster, "default/backend", [(5432, "TCP")], dsts=["10.100.0.5", "8.8.8.8"])
    assert table["10.100.0.5", (5432, "TCP")] and not table["8.8.8.8", "TCP/5432"]
    with pytest.raises(KeyError, match="TCP/80"):
        table["10.100.0.5", (80, "TCP")]
