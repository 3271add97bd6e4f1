"""The same pipeline as evaluate.py (actions.py's steps), for every pair of pods at once.

Each rule is split into the conditions on the local endpoint (the pod whose pipeline runs)
and those on the remote one. Pods whose pipelines are identical — same policies selecting
them, same local conditions holding — share one verdict vector, computed once over all
remote pods with numpy. The property tests check every cell against evaluate.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .actions import END_OF_TIERS, RULE_EFFECT, Effect, end_of_tier
from .matchers.base import Criterion
from .probe import Endpoint, Probe, Traffic
from .program import CompiledPolicy, CompiledRule, Direction, Program
from .universe import Mask, Universe

MaskTable = dict[int, tuple[Criterion, "Mask | bool"]]  # criterion id → (criterion, its mask for this traffic)


class MaskCache:
    """Masks of conditions: for one kind of traffic (`current`), and for every kind (`fixed`).

    A condition that does not read the traffic (Criterion.reads_traffic) has the same mask for
    every kind, so an engine keeps those across matrices: `connlist` asks for several.
    """

    def __init__(self, fixed: MaskTable | None = None):
        self.fixed: MaskTable = {} if fixed is None else fixed
        self.current: MaskTable = {}

    def get(self, c: Criterion, traffic: Traffic, u: Universe) -> Mask | bool:
        key = id(c)
        hit = self.current.get(key) or self.fixed.get(key)
        if hit is None:
            hit = (c, _uniform(c.mask(traffic, u), u))  # keep c alive so id() stays unique
            (self.current if c.reads_traffic else self.fixed)[key] = hit
        return hit[1]


@dataclass
class _Rule:
    local: Mask | bool
    remote: Mask | bool
    decides: bool | None  # what the rule does where it matches (actions.py Effect), unpacked for speed
    ends_tier: bool

    @classmethod
    def of(cls, effect: Effect, local: Mask | bool, remote: Mask | bool) -> _Rule:
        return cls(local, remote, effect.decides, effect.ends_tier)

    @property
    def acts(self) -> bool:
        """Whether the rule can change anything: it matches somewhere and decides or passes (not a Log)."""
        return self.local is not False and self.remote is not False and (self.decides is not None or self.ends_tier)


def _split(rule: CompiledRule, local_end: str, traffic: Traffic, u: Universe, cache: MaskCache) -> _Rule:
    local: Mask | bool = True
    remote: Mask | bool = True
    for c in rule.criteria:
        m = cache.get(c, traffic, u)
        if c.end is None or c.end == local_end:
            local = _and(local, m)
        else:
            remote = _and(remote, m)
    return _Rule.of(RULE_EFFECT[rule.action], local, remote)


def _uniform(m: Mask | bool, u: Universe) -> Mask | bool:
    """A mask that says the same for every pod as a plain bool (never np.bool_: this module tests `is True`)."""
    if not isinstance(m, np.ndarray):
        return bool(m)
    if m.all() or not m.any():
        return bool(m.all()) if u.size else True
    return m


def _and(a: Mask | bool, b: Mask | bool) -> Mask | bool:
    if a is True:
        return b
    if b is True:
        return a
    if a is False or b is False:
        return False
    both: Mask = a & b
    return both


def rule_masks(rule: CompiledRule, direction: Direction, traffic: Traffic, u: Universe,
               extra_remote: Sequence[Endpoint] = ()) -> tuple[Mask, Mask]:
    """The cells `rule` matches for `traffic`, as (local, remote): it matches exactly local × remote.

    `local` has one entry per pod (the pod whose pipeline runs: the source for Egress, the
    destination for Ingress); `remote` one per pod, then one per `extra_remote` endpoint
    (addresses outside the cluster, tested one by one). Every condition of a rule looks at
    one end or at the traffic, which is why the matched cells always form a product.
    """
    local_end = "src" if direction == "Egress" else "dst"
    split = _split(rule, local_end, traffic, u, MaskCache())
    local = np.array(np.broadcast_to(split.local, (u.size,)), dtype=bool)
    remote = np.array(np.broadcast_to(split.remote, (u.size,)), dtype=bool)
    if extra_remote:
        remote_criteria = [c for c in rule.criteria if c.end is not None and c.end != local_end]
        here = Endpoint("(local pod)", "")  # remote criteria never look at it
        outside = [
            all(c.test(Probe(here, ep, traffic) if local_end == "src" else Probe(ep, here, traffic), u).ok
                for c in remote_criteria)
            for ep in extra_remote
        ]
        remote = np.concatenate([remote, np.array(outside, dtype=bool)])
    return local, remote


def side_matrix(program: Program, u: Universe, traffic: Traffic, direction: Direction,
                subjects: dict[int, Mask], cache: MaskCache | None = None) -> np.ndarray:
    """allowed[local, remote] for one direction: egress rows are sources, ingress rows destinations."""
    n = u.size
    local_end = "src" if direction == "Egress" else "dst"
    cache = MaskCache() if cache is None else cache
    policies: list[tuple[int, CompiledPolicy]] = []  # (tier position, policy) in evaluation order
    for t_pos, tier in enumerate(program.tiers):
        policies += [(t_pos, p) for p in tier.policies if direction in p.directions]
    if not policies or n == 0:
        return np.ones((n, n), dtype=bool)
    split = ([_split(r, local_end, traffic, u, cache) for r in p.rules(direction)] for _, p in policies)
    rules = [[r for r in rs if r.acts] for rs in split]  # a Log or a rule that never matches changes nothing
    selected = np.stack([subjects[id(p)] for _, p in policies])  # policies × pods
    local_rows = [r.local for rs in rules for r in rs if not isinstance(r.local, bool)]
    key_rows = [selected, u.endpoints[None, :]]
    if local_rows:
        key_rows.append(np.stack(local_rows))
    keys = np.ascontiguousarray(np.packbits(np.concatenate(key_rows), axis=0).T)
    # Each pod's key as one opaque value: np.unique sorts those 20x faster than rows (axis=0).
    _, first, inverse = np.unique(keys.view(np.dtype((np.void, keys.shape[1]))).ravel(),
                                  return_index=True, return_inverse=True)
    vectors = np.empty((len(first), n), dtype=bool)
    tier_ends = [end_of_tier(t.default_action).decides for t in program.tiers]
    for cls, i in enumerate(first):
        applying = np.flatnonzero(selected[:, i]).tolist()  # the policies that select this pod, in order
        vectors[cls] = _pipeline(tier_ends, [(policies[k][0], rules[k]) for k in applying], i, u)
    return vectors[inverse.reshape(-1)]


def _pipeline(tier_ends: list[bool | None], applying: list[tuple[int, list[_Rule]]], i: int,
              u: Universe) -> np.ndarray:
    """Verdicts of local pod `i`'s pipeline for every remote pod: actions.py's steps over masks.

    `applying` lists (tier position, rules) of each policy that selects the pod, in evaluation
    order (a tier with none of them is skipped). `undecided` holds the remote pods whose side is
    still open, `passed` those a Pass took out of the current tier, `allowed` those an Allow
    decided; `tier_ends` is each tier's end-of-tier effect (end_of_tier(...).decides).
    """
    n = u.size
    if not u.endpoints[i]:
        return np.ones(n, dtype=bool)  # host-network pods have no pipeline
    allowed = np.zeros(n, dtype=bool)
    undecided = np.ones(n, dtype=bool)
    current_tier: int | None = None
    passed = np.zeros(n, dtype=bool)
    for t_pos, policy_rules in applying:
        if t_pos != current_tier:
            if current_tier is not None:
                allowed, undecided = _end_tier(tier_ends[current_tier], allowed, undecided, passed)
            current_tier, passed = t_pos, np.zeros(n, dtype=bool)
        for r in policy_rules:
            if r.local is not True and (r.local is False or not r.local[i]):
                continue
            m = undecided & ~passed
            if r.remote is not True:
                m &= r.remote
            if r.decides is not None:
                if r.decides:
                    allowed |= m
                undecided &= ~m
            if r.ends_tier:
                passed |= m
    if current_tier is not None:
        allowed, undecided = _end_tier(tier_ends[current_tier], allowed, undecided, passed)
    if END_OF_TIERS.decides:
        allowed |= undecided
    return allowed


def _end_tier(decides: bool | None, allowed: np.ndarray, undecided: np.ndarray,
              passed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """After a tier: what reached its end without a Pass gets the tier's default action."""
    if decides is None:
        return allowed, undecided
    if decides:
        allowed = allowed | (undecided & ~passed)
    return allowed, undecided & passed


def reachability(program: Program, u: Universe, traffic: Traffic, subjects: dict[int, Mask],
                 fixed: MaskTable | None = None) -> np.ndarray:
    """allowed[src, dst] over all pods: the source's egress and the destination's ingress.

    `fixed` keeps the masks of conditions that do not read the traffic from one call to the next.
    """
    cache = MaskCache(fixed)
    egress = side_matrix(program, u, traffic, "Egress", subjects, cache)
    ingress = side_matrix(program, u, traffic, "Ingress", subjects, cache)
    out: np.ndarray = egress & ingress.T
    np.fill_diagonal(out, True)  # self traffic never leaves the pod
    return out
