"""The same pipeline as evaluate.py (actions.py's steps), for every pair of pods at once.

Each rule is split into the conditions on the local endpoint (the pod whose pipeline runs)
and those on the remote one. Pods whose pipelines are identical — same policies selecting
them, same local conditions holding — share one verdict vector, computed once over all
remote pods with numpy. The property tests check every cell against evaluate.py.

Several kinds of traffic are answered in one pass, one bit (a *lane*) each: a mask holds, for
every pod, the lanes in which a condition holds, and the pipeline's steps are bitwise, so each
lane evolves exactly as it would alone. `reachability` is the one-lane case; `connlist` asks for
up to LANES kinds at once, and the work that does not depend on the traffic is done once.
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

MaskTable = dict[int, tuple[Criterion, "Mask | bool"]]  # criterion id → (criterion, its mask)
Lanes = np.ndarray | int  # per pod, the lanes (bits) in which something holds; an int when the same for all
LANES = 64  # kinds of traffic one pass can answer (the bits of the widest unsigned dtype)


def lane_dtype(lanes: int) -> type[np.unsignedinteger]:
    """The narrowest unsigned dtype with a bit per lane."""
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        if lanes <= np.iinfo(dtype).bits:
            return dtype
    raise ValueError(f"{lanes} kinds of traffic in one pass; at most {LANES} are supported")


class MaskCache:
    """The lanes of each condition for the kinds of traffic of one pass, and (`fixed`) the masks of
    the conditions that do not read the traffic (Criterion.reads_traffic), the same for every kind:
    an engine keeps those from one pass to the next (`connlist` makes several).
    """

    def __init__(self, traffics: Sequence[Traffic], u: Universe, fixed: MaskTable | None = None):
        self.traffics, self.u = traffics, u
        self.all = (1 << len(traffics)) - 1  # every lane
        self.dtype = lane_dtype(len(traffics))
        self.fixed: MaskTable = {} if fixed is None else fixed
        self.current: dict[int, tuple[Criterion, Lanes]] = {}

    def get(self, c: Criterion) -> Lanes:
        hit = self.current.get(id(c))
        if hit is None:
            lanes = self._of_traffic(c) if c.reads_traffic else self._spread(self._fixed(c))
            hit = self.current[id(c)] = (c, lanes)  # keep c alive so id() stays unique
        return hit[1]

    def _fixed(self, c: Criterion) -> Mask | bool:
        hit = self.fixed.get(id(c))
        if hit is None:
            hit = self.fixed[id(c)] = (c, _uniform(c.mask(self.traffics[0], self.u), self.u))
        return hit[1]

    def _spread(self, m: Mask | bool) -> Lanes:
        """A mask that is the same in every lane."""
        if isinstance(m, bool):
            return self.all if m else 0
        spread: np.ndarray = m.astype(self.dtype) * self.dtype(self.all)
        return spread

    def _of_traffic(self, c: Criterion) -> Lanes:
        uniform = 0
        per_pod: np.ndarray | None = None
        for lane, traffic in enumerate(self.traffics):
            m = _uniform(c.mask(traffic, self.u), self.u)
            if m is True:
                uniform |= 1 << lane
            elif m is not False:
                bits = m.astype(self.dtype) << self.dtype(lane)
                per_pod = bits if per_pod is None else per_pod | bits
        if per_pod is None:
            return uniform
        per_pod |= self.dtype(uniform)
        return int(per_pod[0]) if (per_pod == per_pod[0]).all() else per_pod


@dataclass
class _Rule:
    local: Lanes
    remote: Lanes
    decides: bool | None  # what the rule does where it matches (actions.py Effect), unpacked for speed
    ends_tier: bool

    @classmethod
    def of(cls, effect: Effect, local: Lanes, remote: Lanes) -> _Rule:
        return cls(local, remote, effect.decides, effect.ends_tier)

    @property
    def acts(self) -> bool:
        """Whether the rule can change anything: it matches somewhere and decides or passes (not a Log)."""
        matches = not (isinstance(self.local, int) and self.local == 0) and \
            not (isinstance(self.remote, int) and self.remote == 0)
        return matches and (self.decides is not None or self.ends_tier)


def _split(rule: CompiledRule, local_end: str, cache: MaskCache) -> _Rule:
    local: Lanes = cache.all
    remote: Lanes = cache.all
    for c in rule.criteria:
        m = cache.get(c)
        if c.end is None or c.end == local_end:
            local = _and(local, m, cache.all)
        else:
            remote = _and(remote, m, cache.all)
    return _Rule.of(RULE_EFFECT[rule.action], local, remote)


def _uniform(m: Mask | bool, u: Universe) -> Mask | bool:
    """A mask that says the same for every pod as a plain bool (never np.bool_: this module tests `is True`)."""
    if not isinstance(m, np.ndarray):
        return bool(m)
    if m.all() or not m.any():
        return bool(m.all()) if u.size else True
    return m


def _and(a: Lanes, b: Lanes, every: int) -> Lanes:
    if isinstance(b, int):
        return a & b if isinstance(a, int) else _and_uniform(a, b, every)
    if isinstance(a, int):
        return _and_uniform(b, a, every)
    both: np.ndarray = a & b
    return both


def _and_uniform(per_pod: np.ndarray, lanes: int, every: int) -> Lanes:
    if lanes == every:
        return per_pod
    if not lanes:
        return 0
    both: np.ndarray = per_pod & per_pod.dtype.type(lanes)
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
    split = _split(rule, local_end, MaskCache([traffic], u))  # one lane: 1 where the rule matches
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


def side_matrix(program: Program, u: Universe, direction: Direction, subjects: dict[int, Mask],
                cache: MaskCache) -> np.ndarray:
    """allowed[local, remote] for one direction, in lanes: egress rows are sources, ingress rows destinations."""
    n = u.size
    local_end = "src" if direction == "Egress" else "dst"
    policies: list[tuple[int, CompiledPolicy]] = []  # (tier position, policy) in evaluation order
    for t_pos, tier in enumerate(program.tiers):
        policies += [(t_pos, p) for p in tier.policies if direction in p.directions]
    if not policies or n == 0:
        return np.full((n, n), cache.all, dtype=cache.dtype)
    split = ([_split(r, local_end, cache) for r in p.rules(direction)] for _, p in policies)
    rules = [[r for r in rs if r.acts] for rs in split]  # a Log or a rule that never matches changes nothing
    selected = np.stack([subjects[id(p)] for _, p in policies])  # policies × pods
    columns = [np.packbits(np.concatenate([selected, u.endpoints[None, :]]), axis=0).T]
    local_rows = [r.local for rs in rules for r in rs if not isinstance(r.local, int)]
    if local_rows:  # each pod's lanes of each local condition, as bytes
        columns.append(np.stack(local_rows, axis=1).view(np.uint8))
    keys = np.ascontiguousarray(np.concatenate(columns, axis=1))
    # Each pod's key as one opaque value: np.unique sorts those 20x faster than rows (axis=0).
    _, first, inverse = np.unique(keys.view(np.dtype((np.void, keys.shape[1]))).ravel(),
                                  return_index=True, return_inverse=True)
    vectors = np.empty((len(first), n), dtype=cache.dtype)
    tier_ends = [end_of_tier(t.default_action).decides for t in program.tiers]
    for cls, i in enumerate(first):
        applying = np.flatnonzero(selected[:, i]).tolist()  # the policies that select this pod, in order
        vectors[cls] = _pipeline(tier_ends, [(policies[k][0], rules[k]) for k in applying], i, u, cache)
    return vectors[inverse.reshape(-1)]


def _pipeline(tier_ends: list[bool | None], applying: list[tuple[int, list[_Rule]]], i: int,
              u: Universe, lanes: MaskCache) -> np.ndarray:
    """Verdicts of local pod `i`'s pipeline for every remote pod, in lanes: actions.py's steps over masks.

    `applying` lists (tier position, rules) of each policy that selects the pod, in evaluation
    order (a tier with none of them is skipped). `undecided` holds the remote pods whose side is
    still open, `passed` those a Pass took out of the current tier, `allowed` those an Allow
    decided; `tier_ends` is each tier's end-of-tier effect (end_of_tier(...).decides).
    """
    n, every, dtype = u.size, lanes.all, lanes.dtype
    if not u.endpoints[i]:
        return np.full(n, every, dtype=dtype)  # host-network pods have no pipeline
    allowed = np.zeros(n, dtype=dtype)
    undecided = np.full(n, every, dtype=dtype)
    current_tier: int | None = None
    passed = np.zeros(n, dtype=dtype)
    for t_pos, policy_rules in applying:
        if t_pos != current_tier:
            if current_tier is not None:
                allowed, undecided = _end_tier(tier_ends[current_tier], allowed, undecided, passed)
            current_tier, passed = t_pos, np.zeros(n, dtype=dtype)
        for r in policy_rules:
            here = r.local if isinstance(r.local, int) else int(r.local[i])  # the lanes where it holds for pod i
            if not here:
                continue
            m = undecided & ~passed
            if here != every:
                m &= dtype(here)
            remote = r.remote
            if isinstance(remote, int):
                if remote != every:
                    m &= dtype(remote)
            else:
                m &= remote
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


def reachability_lanes(program: Program, u: Universe, traffics: Sequence[Traffic], subjects: dict[int, Mask],
                       fixed: MaskTable | None = None) -> np.ndarray:
    """codes[src, dst] over all pods: bit k set when the source's egress and the destination's ingress
    both allow `traffics[k]` (at most LANES of them).

    `fixed` keeps the masks of conditions that do not read the traffic from one call to the next.
    """
    cache = MaskCache(traffics, u, fixed)
    egress = side_matrix(program, u, "Egress", subjects, cache)
    ingress = side_matrix(program, u, "Ingress", subjects, cache)
    out: np.ndarray = egress & ingress.T
    np.fill_diagonal(out, cache.all)  # self traffic never leaves the pod
    return out


def reachability(program: Program, u: Universe, traffic: Traffic, subjects: dict[int, Mask],
                 fixed: MaskTable | None = None) -> np.ndarray:
    """allowed[src, dst] over all pods: the source's egress and the destination's ingress."""
    one_lane = reachability_lanes(program, u, [traffic], subjects, fixed)
    allowed: np.ndarray = one_lane.view(bool)  # uint8 0 or 1: the same bytes as bool
    return allowed
