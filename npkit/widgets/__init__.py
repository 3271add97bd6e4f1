"""Notebook widgets for the course. Every widget asks the engine; none re-implements semantics.

Each widget is a plain-Python state object (what pytest drives) plus a thin view: ipywidgets
for buttons and text, and three browser widgets through anywidget (`frontend.py`, sources in
`js/`): a CodeMirror 6 editor for every YAML and selector input, the matrix table with its
diagram, and the guard that turns a widget whose kernel is gone into "run this cell to
continue". Widgets remember the learner's answers through `memory.current()` (the course
installs its progress file there); they never import `npkit.course`.

Show a widget by making it the last expression of a cell. Its `text/plain` form is a stable
summary (the matrix as text, the selection, the score), so notebooks under
nbval stay deterministic; the learner sees the interactive view.

Usage guide for notebook authors
--------------------------------
Setup, in the notebook's first code cell::

    from npkit.course import intro, model_cluster, external, overview, Exercise
    from npkit.engine import Engine
    from npkit.loading import load_string
    from npkit.widgets import Playground, SelectorLab, Predict, Question, show_matrix
    intro("03")                        # what the notebook covers, about how long it takes
    cluster = model_cluster()          # or model_cluster("and-or") / ("app") / ("best-practices")
    overview("and-or")                 # namespaces, pods, labels, IPs, ports, outside addresses
    with_policy = cluster.merged(load_string(POLICY_YAML))   # a cluster with the chapter's policy

Policy playground: YAML editor, validation inline, matrix redrawn on every edit, flipped
cells starred, click a cell (or pick from / to and press Explain) for the explanation::

    pg = Playground(cluster, POLICY_YAML, probes=[(80, "TCP"), (53, "UDP")],
                    addresses=[external()["malicious"].ip])   # outside addresses to explain too
    pg                                 # display
    # in a checked cell: pg.state.edit(OTHER_YAML); assert pg.state.matrix["x/a", "default/web"]

Selector lab: which namespaces and pods a selector picks, and why::

    SelectorLab(cluster, "matchLabels:\\n  app: web\\n")              # a podSelector in `default`
    SelectorLab(cluster, "namespaceSelector: {}\\npodSelector: {matchLabels: {role: monitor}}")
    SelectorLab(cluster, "app in {'web', 'api'}", mode="calico")      # a Calico selector

Matrix view: in JupyterLab the interactive table (sticky labels, namespaces that fold above 12
pods, theme colours) with its diagram, a click on a cell or an arrow explains it; an HTML table
elsewhere, and the stable `npkit matrix` table as text/plain; matplotlib renderings too::

    view = show_matrix(with_policy, port=80)   # or show_matrix(engine, 80, before=old_view.matrix)
    view.heatmap()                             # Figure; view.graph() draws the allowed edges
    # pure functions of a Matrix, too: matrix_html, matrix_text, heatmap, graph

A predict-first cell: the learner commits before the engine answers. For one connection::

    Question(with_policy, "x/b", "default/web", 80)

for a whole (small) matrix, scored, with an explanation for each wrong cell::

    Predict(with_policy, 80, pods=["default/web", "x/a", "x/b", "y/b"])   # keep it to 3-6 pods

and, so the notebook still checks itself under nbval, assert the truth in the *next* cell
(the learner has answered by then)::

    assert not Engine(with_policy).allowed("y/b", "default/web", 80)

Never print a verdict or a solution in a cell the learner has not asked for: widgets keep
the answer out of their text/plain until the learner has answered.

One connection's explanation (HTML in the notebook, the `npkit explain` text in plain output)::

    show_verdict(with_policy, "x/b", "default/web", 80)     # .allowed, .verdict for asserts

several connections, one line each, e.g. to and from addresses outside the cluster::

    show_connections(with_policy, [("default/backend", "10.100.0.5", 5432), ("1.2.3.4", "default/web", 80)])

What a change of policy changes (the `npkit diff` comparison), and one source probed on
several ports (named ports, ranges)::

    show_changes(cluster_before, cluster_after, probes=[(80, "TCP")])   # .allowed_now, .denied_now
    PortTable(with_policy, "x/a", [(80, "TCP"), (8080, "TCP")], dsts=["default/web"])

A policy taken apart: a checkbox per part (a field path), the playground shows the result::

    toggles = PolicyToggles(cluster, POLICY_YAML, [Part("spec.ingress[0].from[1]", "from myproject")])
    toggles.state.effect("spec.ingress[0].from[1]")   # what that part does, for a checked cell

Exercises are data in npkit/data/course/exercises/<id>.yaml (id, title, notebook, cluster,
probes, external, requires, task, hints, starter, solution); add a file and it is
picked up (tests/course checks every reference passes and every starter fails)::

    Exercise.get("03-and-or").show()   # task, editor, Check, Hint, Show solution (asks twice)
    Exercise.get("03-and-or").check(text).passed      # grading in code
    Exercise.get("03-and-or").playground()            # a Playground on the exercise's cluster
"""

from .changes import ChangesView, show_changes
from .exercise import ExerciseView
from .frontend import CodeEditor
from .grid import MatrixGrid
from .overview import ClusterOverview
from .playground import Playground, PlaygroundState
from .ports import PortTable
from .predict import Predict, PredictState, Question, QuestionState
from .render import MatrixView, graph, heatmap, matrix_html, matrix_text
from .reveal import AfterAnswer
from .selector_lab import SelectorLab, SelectorLabState
from .show import MatrixPanel, show_matrix
from .toggles import Part, PolicyToggles, TogglesState
from .verdict import ConnectionsView, VerdictView, show_connections, show_verdict

__all__ = [
    "AfterAnswer", "ClusterOverview", "ExerciseView", "MatrixGrid", "MatrixView", "Playground", "PlaygroundState",
    "Predict",
    "PredictState", "Question", "QuestionState", "SelectorLab", "SelectorLabState", "graph", "heatmap",
    "matrix_html", "matrix_text", "show_matrix", "show_verdict", "VerdictView",
    "show_connections", "ConnectionsView", "show_changes", "ChangesView", "PortTable", "Part", "PolicyToggles",
    "TogglesState", "CodeEditor", "MatrixPanel",
]
