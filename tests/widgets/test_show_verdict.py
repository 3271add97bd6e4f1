"""show_verdict: the explanation of one connection, as HTML in notebooks and as the CLI text."""

from __future__ import annotations

from npkit.course import chapter_example, model_cluster
from npkit.explain import render_verdict
from npkit.explain.html import render_verdict_html
from npkit.loading import load_string
from npkit.widgets import show_connections, show_verdict


def test_the_view_shows_the_engines_verdict_as_text_and_html():
    cluster = model_cluster("app").merged(load_string(chapter_example("block-malicious-ips")))
    view = show_verdict(cluster, "default/frontend", "default/web", 80)
    assert not view.allowed
    assert view.verdict.ingress.decision.kind == "end-of-tier"
    assert repr(view) == render_verdict(view.verdict)
    assert view._repr_html_() == render_verdict_html(view.verdict)
    assert "end of tier" in repr(view)


def test_dataplane_and_traffic_details_reach_the_engine():
    cluster = model_cluster("app").merged(load_string(chapter_example("allow-specific-http")))
    assert show_verdict(cluster, "default/web", "default/api", 8080, http_method="DELETE").allowed  # L4 only
    # the kubernetes dataplane (kindnet) ignores Calico objects
    blocked = model_cluster("app").merged(load_string(chapter_example("block-malicious-ips")))
    assert not show_verdict(blocked, "1.2.3.4", "default/web").allowed
    assert show_verdict(blocked, "1.2.3.4", "default/web", dataplane="kubernetes").allowed


def test_terse_view_leaves_out_the_tiers():
    cluster = model_cluster("app").merged(load_string(chapter_example("block-malicious-ips")))
    full, terse = (show_verdict(cluster, "default/frontend", "default/web", verbose=v) for v in (True, False))
    assert "tier security" in repr(full) and "tier security (order" not in repr(terse)


def test_connections_list_each_verdict_in_order_with_its_reason():
    cluster = model_cluster("app").merged(load_string(chapter_example("allow-external-db")))
    view = show_connections(cluster, [("default/backend", "10.100.0.5", 5432), ("default/backend", "10.100.0.5", 80),
                                      ("default/backend", "kube-system/coredns", 53, "UDP")])
    assert view.allowed == (True, False, False)
    lines = repr(view).splitlines()
    assert lines[0].startswith("✓ default/backend → 10.100.0.5") and "allow-external-db spec.egress[0]" in lines[0]
    assert lines[2].startswith("✗ default/backend → kube-system/coredns") and "UDP/53" in lines[2]
    assert view._repr_html_().count("<tr>") == 4
