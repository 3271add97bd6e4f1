"""LocalBackend: labs in Linux network namespaces, policies enforced by nftables, real probes.

What a CNI does, done by npkit on one machine (root, Linux): each pod gets a network
namespace and an address (netns.py), its declared ports get real servers (servers.py,
started by server_pool.py),
the engine's compiled program becomes an nftables ruleset in the node namespace modelled on
Felix (nft.py), and probes are real connections from inside the source pod (prober.py).
Log rules send packets to NFLOG, which `logs()` reads (netlink.py).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import replace

from ....engine import Engine
from ....model import PROTOCOLS_WITH_PORTS, AnyPolicy, Cluster, NetworkSet, ObjectRef, Tier
from ...backend import LabBackend, LabError, ProbeRequest, ProbeResult, Progress, no_progress
from ...config import LocalConfig
from . import naming, netns
from .naming import lab_name
from .netlink import LoggedPacket, NflogReader, flush_conntrack
from .nft import LOG_GROUP, TABLE, Ruleset, compile_ruleset
from .preflight import local_preflight, sctp_available
from .prober import Attempt, probe_all
from .rules_view import HEADER, pod_rules
from .server_pool import ServerPool
from .system import in_netns, list_netns, nft

CLAIM_TIMEOUT = 180.0  # how long to wait for another run of the same lab to finish


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def catch_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so `finally` blocks and atexit clean-up run (main thread only,
    and only if nobody handles SIGTERM yet). SIGINT already raises KeyboardInterrupt."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


class LocalBackend(LabBackend):
    """Labs on this machine: one network namespace per pod, Felix-style nftables, real probes."""

    name = "local"
    settle = 0.0  # `nft -f` is atomic: the new rules hold as soon as apply() returns
    config_type = LocalConfig
    changes = "network namespaces and nftables rules on this machine; needs root"

    def __init__(self, config: LocalConfig | None = None):
        self.config = config or LocalConfig()
        self.lab_id = self.config.lab_id
        self.lab = lab_name(self.lab_id)
        self.dataplane = self.config.dataplane
        self.node = naming.node_netns(self.lab)
        self.state: netns.LabState | None = None
        self.scenario: Cluster | None = None
        self.policies: dict[ObjectRef, AnyPolicy] = {}
        self.tiers: dict[str, Tier] = {}
        self.network_sets: dict[ObjectRef, NetworkSet] = {}
        self.ruleset: Ruleset | None = None
        self.servers = ServerPool(self.lab)
        self._nflog: NflogReader | None = None
        self._logged: deque[str] = deque(maxlen=10_000)
        self._lock = threading.RLock()
        self._implicit_up = False  # deploy() had to create the node namespace (no explicit up())

    # -- environment --------------------------------------------------------------------------
    def describe(self) -> str:
        what = "Felix-style chains" if self.dataplane == "calico" else "NetworkPolicy and ClusterNetworkPolicy only"
        return (f"Linux network namespaces on this machine, policies compiled to nftables ({what}); "
                f"lab {self.lab}, node namespace {self.node}")

    def preflight(self) -> list[str]:
        return local_preflight()

    def _require(self) -> None:
        problems = self.preflight()
        if problems:
            raise LabError(problems[0])

    def _claim(self, progress: Progress) -> netns.LabState:
        """Own the lab's state (waiting while another live process has a scenario deployed in it)."""
        def waiting(pid: int) -> None:
            progress(0, 1, f"local lab {self.lab} is in use by process {pid}; waiting for it to finish")

        self.state = netns.claim(self.lab, self.node, CLAIM_TIMEOUT, waiting)
        return self.state

    def up(self, progress: Progress = no_progress) -> None:
        """Create the node namespace (reused if present) with an empty ruleset; it stays until `down`.

        Without `up`, `deploy` creates it and `teardown` removes it again.
        """
        self._require()
        catch_sigterm()
        with self._lock:
            progress(0, 2, f"node namespace {self.node}")
            if self.node not in list_netns():  # new (or removed by someone's `down`): nothing of ours is in it
                self._close_nflog()
                self.ruleset = None
            self._claim(progress)  # saves the state before anything is created: `down` finds a half-made lab
            netns.create_node(self.lab)
            if self.ruleset is None:
                self._reload()
            progress(2, 2, f"local lab {self.lab} is up")

    def down(self, progress: Progress = no_progress) -> None:
        """Remove this lab, and every lab whose owning process has gone (a crashed run); idempotent."""
        with self._lock:
            self._implicit_up = False
            self.servers.stop()
            self._close_nflog()
            labs = [self.lab]
            for other in sorted(netns.labs_present() - {self.lab}):
                if not netns.lab_in_use(other):
                    labs.append(other)
            removed: list[str] = []
            for i, lab in enumerate(labs):
                progress(i, len(labs), f"removing local lab {lab}")
                removed += netns.remove_lab(lab)
            netns.wait_gone(removed)
            self.state, self.ruleset, self.scenario = None, None, None
            self.policies.clear()
            self.tiers.clear()
            self.network_sets.clear()
            progress(len(labs), len(labs), f"removed {len(removed)} network namespace(s)"
                     + (f" of lab(s) {', '.join(labs)}" if removed else ""))

    def status(self) -> str:
        problems = self.preflight()
        if problems:
            return f"local lab backend unavailable: {problems[0]}"
        state = self.state or netns.load_state(self.lab)
        if state is None or self.node not in list_netns():
            leftovers = sorted(netns.labs_present())
            extra = f"; other local labs present: {', '.join(leftovers)}" if leftovers else ""
            return f"local lab {self.lab}: down{extra}"
        pods = ", ".join(f"{k} {p.ip}" for k, p in sorted(state.pods.items())) or "no pods"
        if state.owner_pid == 0:
            owner = "idle"
        elif netns.owner_alive(state):
            owner = f"in use by process {state.owner_pid}"
        else:
            owner = "left by a process that has exited"
        n = len(state.policies)
        return (f"local lab {self.lab}: up ({owner}); node namespace {self.node}; {len(state.pods)} pod(s): {pods}; "
                f"{n} polic{'y' if n == 1 else 'ies'} enforced" + (f": {', '.join(state.policies)}" if n else ""))

    # -- pods ------------------------------------------------------------------------------------
    def deploy(self, scenario: Cluster, progress: Progress = no_progress) -> Cluster:
        """Create the scenario's pods (keeping those that already run unchanged) and their servers."""
        self._require()
        with self._lock:
            state = self._claim(progress)  # first: another run of this lab may be tearing down
            if self.node not in list_netns():
                self.up(progress)
                self._implicit_up = True  # then teardown removes the node too: nothing is left
                state = self.state
            scenario = _with_ips(scenario)
            wanted = {p.key: self._place(p) for p in scenario.pods}
            stale = [place for key, place in state.pods.items()
                     if key not in wanted or not _same_place(place, wanted[key]) or not self.servers.running(key)]
            new = [place for key, place in wanted.items()
                   if key not in state.pods or state.pods[key] in stale]
            total = len(stale) + len(new) + 1
            try:
                if stale:
                    progress(0, total, f"removing {len(stale)} pod(s) that changed")
                    self.servers.stop([place.key for place in stale])
                    for place in stale:
                        state.pods.pop(place.key, None)
                    netns.save_state(state)
                    netns.remove_pods(stale, self.lab)
                if new:
                    for place in new:
                        state.pods[place.key] = place
                    netns.save_state(state)
                    progress(len(stale), total, f"creating {len(new)} pod namespace(s)")
                    netns.create_pods(self.lab, new)
                    self._start_servers(new, progress, len(stale), total)
                    netns.save_state(state)
                self.scenario = scenario
                # The scenario's tiers and network sets replace the last scenario's; policies stay.
                self.tiers = dict(scenario.tiers)
                self.network_sets = {s.ref: s for s in scenario.network_sets}
                self._reload()
            except BaseException:
                # leave nothing half-made behind: the new pods go, the rest stays consistent
                self.servers.stop([p.key for p in new])
                for place in new:
                    state.pods.pop(place.key, None)
                netns.remove_pods(new, self.lab)
                netns.save_state(state)
                raise
            progress(total, total, f"{len(wanted)} pod(s) ready")
            return replace(scenario, pods=tuple(replace(p, ip=wanted[p.key].ip) for p in scenario.pods))

    def _place(self, pod) -> netns.PodPlace:
        ports = sorted({f"{cp.protocol}/{cp.port}" for cp in pod.ports if cp.protocol in PROTOCOLS_WITH_PORTS})
        return netns.PodPlace(pod.key, naming.pod_netns(self.lab, pod.key), naming.host_iface(self.lab, pod.key),
                              pod.ip, ports, pod.host_network)

    def _start_servers(self, places: list[netns.PodPlace], progress: Progress, done: int, total: int) -> None:
        if any(port.startswith("SCTP/") for p in places for port in p.ports) and not sctp_available():
            _note("this kernel has no SCTP (no sctp module): SCTP ports are not served, and SCTP probes "
                  "report ERROR")
        count = [done]

        def ready(place: netns.PodPlace, report: dict) -> None:
            for skipped in report["skipped"]:
                _note(f"{place.key}: cannot serve {skipped['port']} ({skipped['error']}); probes to it will fail")
            count[0] += 1
            progress(count[0], total, f"pod {place.key} {place.ip} serving {', '.join(report['opened']) or 'no ports'}")

        self.servers.start(places, ready)

    def teardown(self, progress: Progress = no_progress) -> None:
        """Remove the pods, their servers and every policy; the node namespace stays if `up` made it."""
        with self._lock:
            state = self._claim(progress) if netns.load_state(self.lab) else None
            self.servers.stop()
            self.policies.clear()
            self.tiers.clear()
            self.network_sets.clear()
            self.scenario = None
            if state is None:
                progress(1, 1, f"local lab {self.lab}: nothing deployed")
                return
            places = list(state.pods.values())
            progress(0, 1, f"removing {len(places)} pod(s)")
            netns.remove_pods(places, self.lab)
            prefix = naming.netns_prefix(self.lab)
            leftovers = [n for n in list_netns() if n.startswith(prefix) and n != self.node]
            netns.remove_pods([netns.PodPlace("", n, "", "") for n in leftovers], self.lab)
            state.pods.clear()
            netns.save_state(state)
            if self._implicit_up:  # deploy made the node: take it away as well
                self._close_nflog()
                with netns.locked(self.lab):
                    netns.remove_lab(self.lab)
                self.state, self.ruleset, self._implicit_up = None, None, False
                progress(1, 1, f"local lab {self.lab}: pods, policies and its node namespace removed")
                return
            if self.node in list_netns():
                self._reload()
            netns.release(state)
            progress(1, 1, f"local lab {self.lab}: pods and policies removed")

    # -- policies ------------------------------------------------------------------------------
    def apply_tiers(self, tiers: Sequence[Tier], progress: Progress = no_progress) -> None:
        with self._lock:
            self.tiers.update((t.name, t) for t in tiers)

    def apply(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        """Add or replace policies (Tier and NetworkSet objects are accepted too), then swap the ruleset."""
        with self._lock:
            for obj in policies:
                if isinstance(obj, Tier):
                    self.tiers[obj.name] = obj
                elif isinstance(obj, NetworkSet):
                    self.network_sets[obj.ref] = obj
                else:
                    self.policies[obj.ref] = obj
            n = len(self.policies)
            progress(0, 1, f"compiling {n} polic{'y' if n == 1 else 'ies'} to nftables")
            self._reload()
            progress(1, 1, "ruleset loaded")

    def delete(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        with self._lock:
            for obj in policies:
                self.policies.pop(obj.ref, None)
            self._reload()

    def engine(self) -> Engine:
        """The engine for what this backend enforces now (the deployed pods and applied policies)."""
        base = self.scenario or Cluster()
        cluster = replace(base, tiers={**Cluster().tiers, **self.tiers},
                          network_sets=tuple(self.network_sets.values())).with_policies(self.policies.values())
        return Engine(cluster, self.dataplane)  # type: ignore[arg-type]

    def _compile(self) -> Ruleset:
        try:
            engine = self.engine()
        except ValueError as e:  # e.g. a policy naming a tier nobody created
            raise LabError(str(e)) from None
        state = self.state
        ifaces = {k: p.iface for k, p in state.pods.items()} if state else {}
        return compile_ruleset(engine, ifaces)

    def _reload(self) -> None:
        """Compile what is applied now and swap it in as the node's ruleset."""
        ruleset = self._compile()
        nft(self.node, "-f", "-", input=ruleset.text)
        if self.state is not None:
            self.state.policies = sorted(str(p.ref) for p in self.policies.values())
            netns.save_state(self.state)
        # New rules judge new connections: forget the old ones (a reused source port would otherwise
        # ride on an entry the old rules accepted).
        in_netns(self.node, flush_conntrack)
        self.ruleset = ruleset
        if ruleset.log_prefixes and self._nflog is None:
            self._nflog = in_netns(self.node, NflogReader, LOG_GROUP)

    # -- probing --------------------------------------------------------------------------------
    def probe(self, requests: Sequence[ProbeRequest], timeout: float = 1.0, workers: int = 8,
              progress: Progress = no_progress) -> list[ProbeResult]:
        """Every request as a real new connection from inside the source pod, all in parallel."""
        with self._lock:
            state = self.state
            pods = state.pods if state else {}
            attempts: list[Attempt] = []
            index: list[int] = []
            results: list[ProbeResult | None] = [None] * len(requests)
            for i, r in enumerate(requests):
                src, dst = pods.get(r.src), pods.get(r.dst)
                if src is None or dst is None:
                    missing = r.src if src is None else r.dst
                    results[i] = ProbeResult(r, "ERROR", f"{missing} is not deployed in local lab {self.lab}")
                elif r.port is None or r.protocol not in PROTOCOLS_WITH_PORTS:
                    results[i] = ProbeResult(r, "ERROR", f"the local backend probes TCP, UDP and SCTP ports; "
                                                         f"got {r.protocol} {r.port or 'without a port'}")
                else:
                    attempts.append(Attempt(src.netns, dst.ip, r.port, r.protocol))
                    index.append(i)
            total, skipped = len(requests), len(requests) - len(attempts)
            progress(skipped, total, f"probing {len(attempts)} connection(s) at once (timeout {timeout:g} s)")
            outcomes = probe_all(attempts, timeout, lambda n: progress(skipped + n, total, f"probed {skipped + n}"))
            for i, o in zip(index, outcomes, strict=True):
                results[i] = ProbeResult(requests[i], o.outcome, o.detail)  # type: ignore[arg-type]
            self._collect_logs()
            return [r for r in results if r is not None]

    # -- looking inside -------------------------------------------------------------------------
    def _collect_logs(self) -> None:
        if self._nflog is None:
            return
        ips = {p.ip: k for k, p in (self.state.pods.items() if self.state else ())}
        described = self.ruleset.log_prefixes if self.ruleset else {}
        for packet in self._nflog.drain():
            self._logged.append(_log_line(packet, ips, described))

    def _close_nflog(self) -> None:
        if self._nflog is not None:
            self._nflog.close()
            self._nflog = None
        self._logged.clear()

    def logs(self, tail: int = 200) -> str:
        """Packets that Calico Log rules matched, one line each, newest last (read from NFLOG)."""
        with self._lock:
            self._collect_logs()
            if not self._logged:
                if not (self.ruleset and self.ruleset.log_prefixes):
                    return "no packets logged: no applied policy has a Log rule"
                return ("no packets logged yet: the Log rules have not matched a probe "
                        "(a Log rule only sees packets that reach its policy)")
            return "\n".join(list(self._logged)[-tail:])

    def rules(self, pod: str) -> str:
        """The pod's egress and ingress chains, the policy chains they jump to and the sets they use."""
        state = self.state or netns.load_state(self.lab)
        if state is None or self.node not in list_netns():
            raise LabError(f"local lab {self.lab} is not up: deploy a scenario first (or `npkit lab run --keep`)")
        place = state.pods.get(pod)
        if place is None:
            known = ", ".join(sorted(state.pods)) or "none"
            raise LabError(f"pod {pod} is not deployed in local lab {self.lab} (pods: {known})")
        text = nft(self.node, "list", "table", "ip", TABLE)
        return HEADER + pod_rules(text, pod, place)

    def __enter__(self) -> LocalBackend:
        self.up()
        return self

    def __exit__(self, *exc) -> None:
        self.down()


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr)


def _with_ips(scenario: Cluster) -> Cluster:
    """Check addresses: IPv4, distinct; pods without one get one (npkit's loader normally did)."""
    from ....loading.addresses import assign_pod_ips

    pods, _ = assign_pod_ips(scenario.pods)
    seen: dict[str, str] = {}
    for p in pods:
        if ":" in p.ip:
            raise LabError(f"pod {p.key} has the IPv6 address {p.ip}; the local backend runs IPv4 pods only")
        if p.ip in seen:
            raise LabError(f"pods {seen[p.ip]} and {p.key} both have the address {p.ip}")
        seen[p.ip] = p.key
    return replace(scenario, pods=tuple(pods))


def _same_place(a: netns.PodPlace, b: netns.PodPlace) -> bool:
    return (a.netns, a.iface, a.ip, a.ports, a.host_network) == (b.netns, b.iface, b.ip, b.ports, b.host_network)


def _log_line(packet: LoggedPacket, ips: dict[str, str], described: dict[str, str]) -> str:
    src, dst = ips.get(packet.src, packet.src), ips.get(packet.dst, packet.dst)
    rule = described.get(packet.prefix, "")
    return f"{packet}  ({src} → {dst}{'; ' + rule if rule else ''})"
