"""Suggestions ("did you mean ...?") for misspelt kinds and field names."""

from __future__ import annotations

from collections.abc import Iterable

from npkit.i18n import messages

_ = messages("npkit").gettext


def edit_distance(a: str, b: str) -> int:
    """Case-sensitive edit distance where swapping two neighbours counts as one edit.

    >>> edit_distance("NetworkPolcy", "NetworkPolicy"), edit_distance("Pdo", "Pod")
    (1, 1)
    """
    # Optimal string alignment: Levenshtein plus adjacent transpositions, which is
    # the most common typing slip ("podSelcetor").
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def max_typos(word: str) -> int:
    """How many edits still count as a typo of `word`: 1 for short words, else 2."""
    return 1 if len(word) <= 4 else 2


def closest(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates `word` is most likely a misspelling of (case-insensitive), best first.

    Empty when nothing is close enough. Ties are all returned, alphabetically.

    >>> closest("podSelecter", ["podSelector", "namespaceSelector", "ipBlock"])
    ['podSelector']
    >>> closest("networkpolicy", ["NetworkPolicy", "Namespace"])
    ['NetworkPolicy']
    >>> closest("Service", ["Pod", "NetworkPolicy"])
    []
    """
    low = word.lower()
    best: list[str] = []
    best_d = None
    for cand in candidates:
        if cand == word:
            continue
        if abs(len(cand) - len(word)) > 2:
            continue  # cheap early out; keeps suggestion lookups linear in practice
        d = edit_distance(low, cand.lower())
        if d > max_typos(cand):
            continue
        if best_d is None or d < best_d:
            best, best_d = [cand], d
        elif d == best_d and cand not in best:
            best.append(cand)
    return sorted(best)


def did_you_mean(options: list[str]) -> str:
    """A short suffix for a message: '; did you mean "a"?' or '' when there is nothing to suggest.

    >>> did_you_mean(["podSelector"])
    '; did you mean "podSelector"?'
    >>> did_you_mean(["Pod", "Node"])
    '; did you mean "Pod" or "Node"?'
    """
    if not options:
        return ""
    return _("; did you mean {options}?").format(options=_(" or ").join(f'"{o}"' for o in options))
