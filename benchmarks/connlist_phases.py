"""Where one `npkit connlist` spends its CPU time, phase by phase; run as a child by bench_connlist.py.

Usage: python benchmarks/connlist_phases.py FILE [--compact]

Prints one JSON object of CPU seconds: `imports` (the modules `npkit connlist` imports, numpy and
PyYAML included; Python's own start is not in it), `yaml` (YAML text to nodes), `objects` (nodes to
the validated cluster), `engine` (every connection over every kind of traffic) and `output` (the
text, written to /dev/null). The garbage collector is paused, as the command pauses it.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

gc.disable()
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command sets it (npkit/cli/main.py)


def main() -> None:
    path, compact = sys.argv[1], "--compact" in sys.argv
    clock = time.process_time
    t0 = clock()
    from npkit.cli.main import build_parser  # what the command imports, in the same order

    build_parser(["connlist", "-f", path])
    from npkit.connlist import WRITERS, connlist
    from npkit.engine import Engine
    from npkit.loading import load
    from npkit.loading.yamlio import read_documents

    t1 = clock()
    cluster = load(path)
    t2 = clock()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    t3 = clock()
    read_documents(text, path)  # again, alone: the YAML part of loading
    t4 = clock()
    result = connlist(Engine(cluster))
    t5 = clock()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        WRITERS["txt"](result, sink.write, compact)
    t6 = clock()
    print(json.dumps({"imports": t1 - t0, "yaml": t4 - t3, "objects": (t2 - t1) - (t4 - t3),
                      "engine": t5 - t4, "output": t6 - t5}))


if __name__ == "__main__":
    main()
