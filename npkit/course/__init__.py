"""Course content: the model clusters, notebook introductions and exercises.

    from npkit.course import intro, model_cluster, external, Exercise
    intro("03")                              # first cell: what this covers, ~minutes
    cluster = model_cluster()                # 16 pods in 7 namespaces; model_cluster("and-or") is smaller
    external()["external-db"].ip             # '10.100.0.5': addresses outside the cluster
    overview()                               # namespaces, pods, labels, IPs, ports, outside addresses
    Exercise.get("03-and-or").show()         # task, editor, Check, hints, solution on request
    chapter_example("allow-dns")             # the chapter's YAML, rebuilt (npkit/data/chapter/)
    course_home()                            # every notebook and lab: links, minutes, the learner's ticks
    what_next("03")                          # last cell: a link to the next notebook, "mark as done"
    reset_progress()                         # forget the learner's saved answers and ticks

Data lives in npkit/data/course/ (clusters, notebooks.yaml, exercises/*.yaml).
"""

from .chapter import chapter_example, chapter_examples, scenario_text
from .clusters import Address, cluster_names, external, model_cluster, overview
from .exercises import Exercise, Grade
from .home import course_home, what_next
from .intro import Intro, intro, notebooks
from .progress import Progress, progress, reset_progress

__all__ = [
    "chapter_example", "chapter_examples", "scenario_text", "Address", "cluster_names", "external", "model_cluster",
    "overview",
    "Exercise", "Grade", "Intro", "intro", "notebooks", "Progress", "progress", "reset_progress",
    "course_home", "what_next",
]
