"""Matrix renderings: HTML table, stable text, heatmap and graph all show the same matrix."""

from __future__ import annotations

import re

import numpy as np
import pytest

from npkit.course import model_cluster
from npkit.engine import Engine
from npkit.loading import load_string
from npkit.matrix import reachability, render_table
from npkit.widgets import MatrixView, graph, heatmap, matrix_html, matrix_text, show_matrix

ISOLATE_X_A = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: isolate-a, namespace: x}
spec:
  podSelector: {matchLabels: {app: a}}
  ingress:
  - from:
    - podSelector: {}
"""


@pytest.fixture(scope="module")
def matrices():
    cluster = model_cluster("and-or")
    before = reachability(Engine(cluster), 80)
    after = reachability(Engine(cluster.merged(load_string(ISOLATE_X_A))), 80)
    return before, after


def _cells(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<td class="([^"]*)" title="[^"]*">([^<]*)</td>', html)


def test_html_has_one_cell_per_pair_with_the_engine_answer(matrices):
    _, after = matrices
    cells = _cells(matrix_html(after))
    n = len(after.pods)
    assert len(cells) == n * n
    allowed = [c for c, _ in cells if c.split()[0] == "a"]
    assert len(allowed) == int(after.allowed.sum())
    assert 'title="y/a → x/a TCP/80: denied"' in matrix_html(after)


def test_flipped_cells_are_marked_in_html_and_text(matrices):
    before, after = matrices
    flipped = after.flipped(before)
    assert flipped.sum() == 5  # everyone but x/a and x/b lost x/a
    cells = _cells(matrix_html(after, flipped))
    assert [text for cls, text in cells if "f" in cls.split()] == ["·*"] * 5
    assert matrix_text(after, flipped).count("·*") == 5
    assert "* changed" in matrix_text(after, flipped)


def test_html_groups_columns_by_namespace(matrices):
    _, after = matrices
    html = matrix_html(after)
    spans = {ns: int(n) for n, ns in re.findall(r'<th class="ns" colspan="(\d+)" title="namespace ([^"]+)">', html)}
    assert spans == {"default": 1, "monitoring": 2, "x": 2, "y": 2}
    assert '<div class="npk-m-wrap">' in html and "position:sticky" in html  # labels stay in view when it scrolls


def test_text_is_the_cli_table(matrices):
    _, after = matrices
    assert matrix_text(after) == render_table(after)


def test_heatmap_draws_every_cell_and_outlines_the_flipped_ones(matrices):
    before, after = matrices
    fig = heatmap(after, after.flipped(before))
    ax = fig.axes[0]
    image = ax.get_images()[0].get_array()
    assert np.array_equal(np.asarray(image), after.allowed.astype(int))
    assert len(ax.patches) == 5
    assert [t.get_text() for t in ax.get_yticklabels()] == list(after.pods)


def test_graph_draws_one_arrow_per_allowed_connection_between_different_pods(matrices):
    _, after = matrices
    fig = graph(after)
    arrows = len(fig.axes[0].patches)
    assert arrows == int(after.allowed.sum() - np.trace(after.allowed))
    assert f"{arrows} allowed connections" in fig.axes[0].get_title()


def test_matrix_view_displays_html_and_stable_text(matrices):
    before, after = matrices
    view = MatrixView(after, before)
    assert repr(view) == matrix_text(after, after.flipped(before))
    assert view._repr_html_().count("·*") == 5


def test_show_matrix_takes_a_cluster_or_an_engine():
    cluster = model_cluster("and-or").merged(load_string(ISOLATE_X_A))
    a = show_matrix(cluster, 80)
    b = show_matrix(Engine(cluster), 80, before=reachability(Engine(model_cluster("and-or")), 80))
    assert np.array_equal(a.matrix.allowed, b.matrix.allowed)
    assert not a.flipped.any() and b.flipped.sum() == 5


def test_show_matrix_is_interactive_in_jupyterlab_and_stable_text_elsewhere():
    from npkit.course import model_cluster
    from npkit.widgets import show_matrix

    view = show_matrix(model_cluster(), 80)
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["text/plain"] == repr(view)
    assert "<table" in bundle["text/html"]  # for viewers without widgets
    grid = view.grid
    assert grid is not None and grid.widget.foldable  # 16 pods: namespaces fold
    assert len(grid.widget.diagram["nodes"]) == 16
    grid.buttons["x/a", "default/web"].click()
    assert view.explanation is not None and "x/a → default/web" in view.explanation.value
    assert grid.widget.selected == ["x/a", "default/web"]
