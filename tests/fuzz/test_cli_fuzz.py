"""Seeded fuzzing of every `npkit` command with mutations of the repository's own YAML.

Each input is a manifest file of the repository (chapter examples, lab scenarios, course
data, the conformance cases), given together with an unchanged file of pods (so that the
policies select something), and changed by a few random mutations: lines deleted, repeated, swapped or
re-indented, values replaced by YAML's tricky scalars (`y`, `1e2`, `.inf`, `0o17`, anchors,
tags ...) and by out-of-range numbers, addresses and selectors, keys moved between objects,
characters and bytes inserted (invalid UTF-8 too), documents spliced in from other files,
files cut short. Every command then runs on it in-process, and must end with exit code 0,
1 (findings: lint, diff) or 2 (invalid input), never an internal error (70), a traceback,
or a hang.

The run is bounded by time: NPKIT_FUZZ_SECONDS (default 60, as in `make test`); set it
higher for a longer run, and NPKIT_FUZZ_SEED to explore other inputs (default fixed, so a
failure reproduces). A failing input is kept in tests/artifacts/fuzz/ and named in the
assertion message. The figures (inputs, runs per command, outcomes) are printed at the end
(`pytest -s` shows them).
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from npkit.cli.main import COMMANDS, main
from npkit.loading import load
from npkit.model import InputError

ROOT = Path(__file__).resolve().parents[2]
KEPT = ROOT / "tests" / "artifacts" / "fuzz"  # failing inputs (git ignores tests/artifacts)
CANDIDATES = sorted(p for pattern in ("npkit/data/chapter/*.yaml", "labs/scenarios/*.yaml", "npkit/data/course/*.yaml",
                                      "tests/data/conformance/k8s/*.yaml") for p in ROOT.glob(pattern))
SECONDS = float(os.environ.get("NPKIT_FUZZ_SECONDS", "60"))
SEED = int(os.environ.get("NPKIT_FUZZ_SEED", "20251206"))
RUN_TIMEOUT = 60  # seconds for one command on one input: far beyond what these small inputs need

# Values that keep the YAML well-formed: they test what npkit makes of them.
SCALARS = [
    "", "~", "null", "y", "n", "yes", "off", "true", "1e2", "1.5", "5.", "0x1F", "0o17", "017", "08", "+80", ".5",
    "1_000", ".inf", "-.inf", ".nan", "0", "-1", "65535", "65536", "70000", "9223372036854775808", "1e400",
    "190:20:30", "2024-01-01", "'y'", '"1e2"', "[]", "{}", "[80, http]", "{a: b}", "!!int 80", "!!str 80",
    "10.0.0.300/24", "10.0.0.5/24", "::1/129", "0.0.0.0/0", "::ffff:10.0.0.1/128", "010.0.0.1/32", "10.244.0.0/16",
    "\"all()\"", "global()", "\"!all()\"", "app == 'web'", "app = web", "has(", "\"k8s-app == 'kube-dns'\"",
    "Allow", "Deny", "Pass", "Log", "Accept", "Ingress", "Egress", "TCP", "UDP", "SCTP", "ICMP", "ICMPv6", "tcp",
    "http", "HTTP", "dns", "a" * 300, "kube-system", "default", "x" * 64, "-bad-", "a b", "\u00e9t\u00e9", "\U0001F600",
]
# Values that break the YAML itself, or use what npkit refuses (tags, dangling aliases).
BREAKING = ["&anchor x", "*anchor", "*nothing", "!!binary aGk=", "!!int web", "!custom x", "|\n  block", "'",
            '"unterminated', "a: b: c", "- - -", "? x"]
INSERTED = [":", "- ", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`", ",", "?",
            "\t", "\n", " ", "---\n", "...\n", "<<: *a\n", "\u0085", "\ufeff", "\u2028", "\x00", "\x7f"]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def _replace_value(rng: random.Random, text: str, _corpus: list[str]) -> str:
    lines = _lines(text)
    values = [n for n, line in enumerate(lines) if ": " in line]
    i = rng.choice(values) if values else rng.randrange(len(lines))
    line = lines[i]
    cut = line.find(": ")
    head = line[: cut + 2] if cut >= 0 else line[: len(line) - len(line.lstrip(" -"))]
    lines[i] = head + rng.choice(BREAKING if rng.random() < 0.1 else SCALARS) + "\n"
    return "".join(lines)


def _move_key(rng: random.Random, text: str, corpus: list[str]) -> str:
    """A line of another file, at this line's indentation: fields where they do not belong."""
    donor = rng.choice(_lines(rng.choice(corpus)))
    lines = _lines(text)
    i = rng.randrange(len(lines))
    indent = len(lines[i]) - len(lines[i].lstrip(" "))
    lines.insert(i, " " * indent + donor.lstrip(" "))
    return "".join(lines)


def _delete_line(rng: random.Random, text: str, _corpus: list[str]) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def _repeat_line(rng: random.Random, text: str, _corpus: list[str]) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return "".join(lines)


def _swap_lines(rng: random.Random, text: str, _corpus: list[str]) -> str:
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def _reindent(rng: random.Random, text: str, _corpus: list[str]) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    change = rng.choice(["  ", "    ", "\t", "-2", "-4"])
    if change.startswith("-"):
        width = int(change[1:])
        lines[i] = lines[i][width:] if lines[i].startswith(" " * width) else lines[i]
    else:
        lines[i] = change + lines[i]
    return "".join(lines)


def _insert_characters(rng: random.Random, text: str, _corpus: list[str]) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + "".join(rng.choice(INSERTED) for _ in range(rng.randint(1, 3))) + text[at:]


def _renumber(rng: random.Random, text: str, _corpus: list[str]) -> str:
    """A number in the text replaced by a boundary value."""
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    if not digits:
        return text
    at = rng.choice(digits)
    end = at
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[:at] + rng.choice(["0", "1", "255", "256", "65535", "65536", "4294967296", "99999999999"]) + text[end:]


def _splice(rng: random.Random, text: str, corpus: list[str]) -> str:
    """A document of another file, put in among this file's documents."""
    documents = text.split("\n---\n")
    donor = rng.choice(rng.choice(corpus).split("\n---\n"))
    documents.insert(rng.randrange(len(documents) + 1), donor)
    return "\n---\n".join(documents)


def _truncate(rng: random.Random, text: str, _corpus: list[str]) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _amplify(rng: random.Random, text: str, _corpus: list[str]) -> str:
    """Deep nesting or repeated aliases, the shapes of YAML bombs."""
    if rng.random() < 0.5:
        depth = rng.choice([50, 99, 101, 500])
        return text + "\n---\n" + "[" * depth + "]" * depth + "\n"
    levels = "".join(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]\n" for n in range(1, 8))
    return text + "\n---\nl0: &l0 [x]\n" + levels


# Weighted towards changes that keep the YAML well-formed, which reach the validation and the engine.
MUTATIONS: list[Callable[[random.Random, str, list[str]], str]] = [
    *[_replace_value] * 8, *[_renumber] * 3, *[_delete_line] * 2, _move_key, _repeat_line, _splice, _swap_lines,
    _reindent, _insert_characters, _truncate, _amplify,
]


def mutate(rng: random.Random, text: str, corpus: list[str]) -> bytes:
    """A few mutations of `text`; sometimes bytes that are not UTF-8."""
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        text = rng.choice(MUTATIONS)(rng, text, corpus)
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.03 and data:
        at = rng.randrange(len(data))
        data = data[:at] + bytes([rng.choice([0x80, 0xC3, 0xFF, 0xFE])]) + data[at + 1:]
    return data


class _Hang(BaseException):
    """Raised by the alarm; a BaseException, so that npkit's own handlers cannot take it for an error."""


def _run(argv: list[str]) -> tuple[int, str]:
    """`npkit ARGV` in this process: (exit code, stderr); a run longer than RUN_TIMEOUT fails the test."""
    out, err = io.StringIO(), io.StringIO()

    def alarm(signum: int, frame: object) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(RUN_TIMEOUT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except _Hang:
        code = -1
    except SystemExit as e:  # argparse; not expected with these command lines
        code = e.code if isinstance(e.code, int) else 2
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, err.getvalue()


def _pods(path: Path) -> list[str]:
    try:
        return [p.key for p in load(path).pods]
    except InputError:
        return []


def _corpus() -> tuple[list[Path], dict[Path, list[str]]]:
    """The manifest files that load (others are no Kubernetes objects), and those with pods, with their pods."""
    files, with_pods = [], {}
    for path in CANDIDATES:
        try:
            cluster = load(path)
        except InputError:
            continue
        files.append(path)
        if cluster.pods:
            with_pods[path] = [p.key for p in cluster.pods]
    return files, with_pods


def _command_lines(rng: random.Random, path: Path, original: Path, pods_file: Path,
                   pods: list[str]) -> dict[str, list[str]]:
    """Each command's line for this input, with its options drawn at random."""
    src, dst = rng.sample(pods, 2) if len(pods) > 1 else ("198.51.100.7", "10.244.0.5")
    inputs = [str(pods_file), str(path)]
    lines = {
        "check": ["check", "-f", *inputs],
        "matrix": ["matrix", "-f", *inputs, "--port", "80", "--port", rng.choice(["53/UDP", "http", "8080"]),
                   "-o", rng.choice(["table", "json"])],
        "explain": ["explain", "-f", *inputs, "--from", src, "--to", dst, "--port", rng.choice(["80", "53/UDP"]),
                    "-o", rng.choice(["text", "json"])],
        "lint": ["lint", "-f", *inputs, "-o", rng.choice(["text", "json"])],
        "diff": ["diff", "-f", str(pods_file), str(original), "--against", *inputs, "-o", rng.choice(["text", "json"])],
        "connlist": ["connlist", "-f", *inputs, "-o", rng.choice(["txt", "json", "csv", "md", "dot"])],
    }
    dataplane = ["--dataplane", rng.choice(["calico", "calico", "kubernetes"])]
    return {name: argv + dataplane for name, argv in lines.items() if name in COMMANDS}


_YAML_REFUSED = ("YAML syntax error", "not UTF-8", "is not allowed in YAML text", "YAML aliases expand",
                 "nested more than", "alias *", "each YAML document must be", "duplicate key", "YAML tag",
                 "mapping key", "JSON can carry", "as !!")


def outcome(name: str, code: int, err: str) -> str:
    """The class of a run's outcome, for the figures: what the user was told."""
    if code in (0, 1):
        return {0: "ok", 1: "findings"}[code]
    if err.startswith(f"npkit {name}: "):
        return "usage"  # e.g. --from names a pod the mutated input no longer has
    errors = [line for line in err.splitlines() if ": error: " in line]
    if any(marker in line for line in errors for marker in _YAML_REFUSED):
        return "yaml"
    return "invalid"


ALLOWED_CODES = {"check": {0, 2}, "matrix": {0, 2}, "explain": {0, 2}, "lint": {0, 1, 2}, "diff": {0, 2},
                 "connlist": {0, 2}}


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM to catch hangs")
def test_no_input_makes_any_command_fail_internally_or_hang(tmp_path, capsys):
    rng = random.Random(SEED)
    corpus, with_pods = _corpus()
    texts = [p.read_text() for p in corpus]
    pod_files = sorted(with_pods)
    outcomes: collections.Counter[tuple[str, str]] = collections.Counter()
    inputs = 0
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        index = rng.randrange(len(corpus))
        original, path = corpus[index], tmp_path / f"input-{inputs}.yaml"
        pods_file = rng.choice(pod_files)
        path.write_bytes(mutate(rng, texts[index], texts))
        inputs += 1
        for name, argv in _command_lines(rng, path, original, pods_file, with_pods[pods_file]).items():
            code, err = _run(argv)
            outcomes[name, outcome(name, code, err)] += 1
            problem = (code == -1 and f"hung for {RUN_TIMEOUT} s") or \
                ("Traceback" in err and "a traceback") or \
                (code not in ALLOWED_CODES[name] and f"exit code {code}")
            if problem:
                KEPT.mkdir(parents=True, exist_ok=True)
                kept = KEPT / f"seed{SEED}-input{inputs}-{name}.yaml"  # given with pods_file, named below
                kept.write_bytes(path.read_bytes())
                pytest.fail(f"npkit {' '.join(argv)} gave {problem} (seed {SEED}, input {inputs}, kept as "
                            f"{kept}, with {pods_file}):\n{err[-3000:]}")
        path.unlink()
    with capsys.disabled():
        print(f"\nfuzz: seed {SEED}, {inputs} inputs from {len(corpus)} files, {sum(outcomes.values())} runs "
              f"in {SECONDS:g} s")
        print("  ok / findings: exit 0 / 1; exit 2 for: yaml (YAML refused: syntax, encoding, limits, "
              "duplicate keys), invalid (objects the API server would refuse), usage (the command line no "
              "longer fits the input)")
        for name in _command_lines(rng, Path("x"), Path("x"), Path("x"), []):
            counts = ", ".join(f"{kind} {outcomes[name, kind]}" for kind in ("ok", "findings", "yaml", "invalid",
                                                                              "usage") if outcomes[name, kind])
            print(f"  {name:9} {counts}")
    assert inputs >= 10
