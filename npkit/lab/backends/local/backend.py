"""LocalBackend: labs in Linux network namespaces, policies enforced by nftables, real probes.

What a CNI does, done by npkit on one machine (root, Linux): each pod gets a network
namespace and an address (netns.py), its declared ports get real servers (servers.py,
started by server_pool.py),
the engine's compiled program becomes an nftables ruleset in the node namespace modelled on
Felix (nft.py), and probes are real connections from inside the source pod (prober.py).
Log rules send packets to NFLOG, which `logs()` reads (netlink.py).

It changes this machine, so it runs only when asked (see select.py). Everything it creates is
recorded first (netns.py); each run first removes what crashed runs left, and touches
nothing it did not record. Notes go to the `npkit.lab.local` logger; it never prints and
installs no signal handler (the CLI turns SIGTERM into clean-up).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ....engine import Engine
from ....i18n import N_, messages
from ....model import PROTOCOLS_WITH_PORTS, AnyPolicy, Cluster, NetworkSet, ObjectRef, Pod, Tier
from ...backend import (
    CleanReport,
    LabBackend,
    LabError,
    LabRecord,
    ProbeRequest,
    ProbeResult,
    Progress,
    no_progress,
    uninterrupted,
)
from ...config import LocalConfig
from . import naming, netns
from .naming import lab_name
from .netlink import LoggedPacket, NflogReader, flush_conntrack
from .nft import LOG_GROUP, TABLE, Ruleset, compile_ruleset
from .preflight import local_preflight, local_requirements, sctp_available
from .prober import Attempt, probe_all
from .rules_view import HEADER, pod_rules
from .server_pool import ServerPool
from .system import in_netns, list_netns, nft

_tools = messages("npkit-tools")
_, ngettext = _tools.gettext, _tools.ngettext

CLAIM_TIMEOUT = 180.0  # how long to wait for another run of the same lab to finish
log = logging.getLogger("npkit.lab.local")


class LocalBackend(LabBackend):
    """Labs on this machine: one network namespace per pod, Felix-style nftables, real probes."""

    name = "local"
    settle = 0.0  # `nft -f` is atomic: the new rules hold as soon as apply() returns
    config_type = LocalConfig
    changes = N_("network namespaces and nftables rules on this machine; needs root")  # translated where shown

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
        self._swept = False

    # -- environment --------------------------------------------------------------------------
    def describe(self) -> str:
        if self.dataplane == "calico":
            return _("Linux network namespaces on this machine, policies compiled to nftables (Felix-style chains); "
                     "lab {lab}, node namespace {node}").format(lab=self.lab, node=self.node)
        return _("Linux network namespaces on this machine, policies compiled to nftables (NetworkPolicy and "
                 "ClusterNetworkPolicy only); lab {lab}, node namespace {node}").format(lab=self.lab, node=self.node)

    def preflight(self) -> list[str]:
        return local_preflight()

    def _require(self) -> None:
        problems = self.preflight()
        if problems:
            raise LabError(problems[0])

    def _claim(self, progress: Progress) -> netns.LabState:
        """Own the lab's state (waiting while another live process owns it), after removing what
        crashed runs of any lab left behind (once per backend)."""
        if not self._swept:
            self.sweep(progress)

        def waiting(pid: int) -> None:
            progress(0, 1, _("local lab {lab} is in use by process {pid}; waiting for it to finish").format(
                lab=self.lab, pid=pid))

        self.state = netns.claim(self.lab, self.lab_id, self.node, CLAIM_TIMEOUT, waiting)
        return self.state

    def sweep(self, progress: Progress = no_progress) -> list[str]:
        """Remove every other lab a crashed run left (its owner has exited); returns their ids."""
        self._swept = True
        gone = []
        for lab in sorted(netns.labs_present() - {self.lab}):
            with netns.locked(lab):
                state = netns.load_state(lab)
                if not netns.abandoned(state):
                    continue
                progress(0, 1, _("removing local lab {lab}, left by a run that has exited").format(lab=lab))
                netns.wait_gone(netns.remove_lab(lab))
            log.info(_("removed local lab {lab}, left by a run that has exited").format(
                lab=state.lab_id if state and state.lab_id else lab))
            gone.append(state.lab_id if state and state.lab_id else lab)
        return gone

    def _ensure_node(self, state: netns.LabState, progress: Progress) -> None:
        """The node namespace with the current ruleset (made if missing; its name is already recorded)."""
        if self.node not in list_netns():  # new, or removed by someone's `down`: nothing of ours is in it
            self._close_nflog()
            self.ruleset = None
            progress(0, 2, _("node namespace {node}").format(node=self.node))
            netns.create_node(self.lab)
        if self.ruleset is None:
            self._reload()

    def up(self, progress: Progress = no_progress) -> None:
        """Create the node namespace (reused if present) with an empty ruleset; it stays until `down`.

        Without `up`, `deploy` creates it and `teardown` removes it again.
        """
        self._require()
        with self._lock:
            state = self._claim(progress)
            state.persistent = True
            netns.save_state(state)
            self._ensure_node(state, progress)
            progress(2, 2, _("local lab {lab} is up").format(lab=self.lab))

    def down(self, progress: Progress = no_progress) -> None:
        """Remove this lab, and what crashed runs of any lab left; idempotent. (Other labs made by `up` or
        kept by `--keep` stay: `clean` removes one by its id.)"""
        with self._lock:
            self.servers.stop()
            self._close_nflog()
            if netns.lab_in_use(self.lab, by_others=True):
                state = netns.load_state(self.lab)
                raise LabError(_("local lab {lab} is in use by process {pid}; stop it first (it cleans up when it "
                                 "ends)").format(lab=self.lab, pid=state.owner_pid if state else "?"))
            progress(0, 2, _("removing local lab {lab}").format(lab=self.lab))
            with netns.locked(self.lab):
                removed = netns.remove_lab(self.lab)
            netns.wait_gone(removed)
            others = self.sweep(progress)
            self._forget()
            progress(2, 2, _("removed local lab {lab} and {others}").format(lab=self.lab, others=", ".join(others))
                     if others else _("removed local lab {lab}").format(lab=self.lab))

    def _forget(self) -> None:
        self.state, self.ruleset, self.scenario = None, None, None
        self.policies.clear()
        self.tiers.clear()
        self.network_sets.clear()

    def clean(self, progress: Progress = no_progress) -> CleanReport:
        """Remove everything this lab id recorded on this machine, then look again for anything of it."""
        with self._lock:
            if netns.lab_in_use(self.lab, by_others=True):
                state = netns.load_state(self.lab)
                raise LabError(_("local lab {lab} is in use by process {pid}; it cleans up when it ends (or stop it, "
                                 "then clean again)").format(lab=self.lab_id, pid=state.owner_pid if state else "?"))
            self.servers.stop()
            self._close_nflog()
            state = netns.load_state(self.lab)
            had_dir = self.lab in netns.labs_present()
            progress(0, 1, _("removing local lab {lab}").format(lab=self.lab_id))
            with netns.locked(self.lab):
                removed = netns.remove_lab(self.lab)
            netns.wait_gone(removed)
            self._forget()
            progress(1, 1, _("local lab {lab} removed").format(lab=self.lab_id))
            what = [ngettext("network namespace {names}", "network namespaces {names}", len(removed)).format(
                names=", ".join(removed))] if removed else []
            what += [_("state directory {path}").format(path=netns.state_dir(self.lab))] if had_dir else []
            left = [ngettext("network namespace {names}", "network namespaces {names}", 1).format(names=n)
                    for n in (state.namespaces() if state else []) if n in list_netns()]
            if self.lab in netns.labs_present():
                left.append(_("state directory {path}").format(path=netns.state_dir(self.lab)))
            return CleanReport(self.lab_id, _("this machine"), tuple(what), tuple(left))

    def keep(self) -> None:
        """Leave the deployed lab in place after this process ends (not a crash: the next run keeps it
        until it claims the lab)."""
        with self._lock:
            state = self.state
            if state is None or netns.load_state(self.lab) is None:
                return
            self.servers.stop()  # they would end with this process anyway
            state.kept = True
            netns.release(state)

    def labs(self) -> list[LabRecord]:
        """Every local lab on this machine (found from their recorded state), oldest first."""
        records = []
        now = time.time()
        for lab in netns.labs_present():
            state = netns.load_state(lab)
            created = netns.created_at(lab)
            records.append(_record(lab, state, None if created is None else max(0.0, now - created)))
        return sorted(records, key=lambda r: -(r.age or 0))

    def status(self) -> str:
        """Every local lab on this machine with its age and state (read-only: nothing is created)."""
        lines = []
        problems = local_requirements()
        if problems:
            lines.append(_("local lab backend unavailable: {problem}").format(problem=problems[0]))
        records = self.labs()
        if not records:
            lines.append(_("local lab backend: no lab on this machine"))
        else:
            lines.append(ngettext("local lab backend: {n} lab on this machine", "local lab backend: {n} labs on this "
                                  "machine", len(records)).format(n=len(records)))
            lines += [f"- {r.line()}" for r in records]
            if any(r.abandoned for r in records):
                lines.append("  " + _("(labs left by a run that has exited are removed by the next `npkit lab run` or "
                                      "`lab up`, or now by `npkit lab clean --backend local --lab-id ID`)"))
        stray = netns.unrecorded_namespaces()
        if stray:
            lines.append(_("network namespaces named like npkit's that no lab recorded (left alone): {names}").format(
                names=", ".join(stray)))
        return "\n".join(lines)

    # -- pods ------------------------------------------------------------------------------------
    def deploy(self, scenario: Cluster, progress: Progress = no_progress) -> Cluster:
        """Create the scenario's pods (keeping those that already run unchanged) and their servers."""
        self._require()
        with self._lock:
            state = self._claim(progress)  # first: another run of this lab may be tearing down
            self._ensure_node(state, progress)
            scenario = _with_ips(scenario)
            wanted = {p.key: self._place(p) for p in scenario.pods}
            stale = [place for key, place in state.pods.items()
                     if key not in wanted or not _same_place(place, wanted[key]) or not self.servers.running(key)]
            new = [place for key, place in wanted.items()
                   if key not in state.pods or state.pods[key] in stale]
            total = len(stale) + len(new) + 1
            if stale:
                progress(0, total, ngettext("removing {n} pod(s) that changed", "removing {n} pod(s) that changed",
                                            len(stale)).format(n=len(stale)))
                self._remove_pods(state, stale)
            netns.refuse_taken(new)
            try:
                if new:
                    state.pods.update((place.key, place) for place in new)
                    netns.save_state(state)  # recorded before they exist
                    progress(len(stale), total, ngettext("creating {n} pod namespace(s)", "creating {n} pod "
                                                         "namespace(s)", len(new)).format(n=len(new)))
                    netns.create_pods(self.lab, new)
                    self._start_servers(new, progress, len(stale), total)
                    netns.save_state(state)  # with the servers' process ids
                self.scenario = scenario
                # The scenario's tiers and network sets replace the last scenario's; policies stay.
                self.tiers = dict(scenario.tiers)
                self.network_sets = {s.ref: s for s in scenario.network_sets}
                self._reload()
            except BaseException:
                # leave nothing half-made behind: the new pods go, the rest stays consistent
                uninterrupted(lambda: self._remove_pods(state, new))
                raise
            progress(total, total, ngettext("{n} pod(s) ready", "{n} pod(s) ready", len(wanted)).format(n=len(wanted)))
            return replace(scenario, pods=tuple(replace(p, ip=wanted[p.key].ip) for p in scenario.pods))

    def _remove_pods(self, state: netns.LabState, places: list[netns.PodPlace]) -> None:
        """Stop, then delete, then forget pods (forgotten only once gone: a crash in between leaves
        them recorded for the next run)."""
        self.servers.stop([p.key for p in places])
        netns.remove_pods(places, self.lab)
        for place in places:
            state.pods.pop(place.key, None)
        netns.save_state(state)

    def _place(self, pod: Pod) -> netns.PodPlace:
        ports = sorted({f"{cp.protocol}/{cp.port}" for cp in pod.ports if cp.protocol in PROTOCOLS_WITH_PORTS})
        return netns.PodPlace(pod.key, naming.pod_netns(self.lab, pod.key), naming.host_iface(self.lab, pod.key),
                              pod.ip, ports, pod.host_network)

    def _start_servers(self, places: list[netns.PodPlace], progress: Progress, done: int, total: int) -> None:
        if any(port.startswith("SCTP/") for p in places for port in p.ports) and not sctp_available():
            log.warning(_("this kernel has no SCTP (no sctp module): SCTP ports are not served, and SCTP probes "
                          "report ERROR"))
        count = [done]

        def ready(place: netns.PodPlace, report: dict[str, list[Any]]) -> None:
            for skipped in report["skipped"]:
                log.warning(_("{pod}: cannot serve {port} ({error}); probes to it will fail").format(
                    pod=place.key, port=skipped["port"], error=skipped["error"]))
            count[0] += 1
            opened = report["opened"]
            progress(count[0], total, _("pod {pod} {ip} serving {ports}").format(
                pod=place.key, ip=place.ip, ports=", ".join(opened)) if opened
                else _("pod {pod} {ip} serving no ports").format(pod=place.key, ip=place.ip))

        self.servers.start(places, ready)

    def teardown(self, progress: Progress = no_progress) -> None:
        """Remove the pods, their servers and every policy; the node namespace too unless `up` made it."""
        with self._lock:
            self.servers.stop()
            self.policies.clear()
            self.tiers.clear()
            self.network_sets.clear()
            self.scenario = None
            if netns.load_state(self.lab) is None:
                progress(1, 1, _("local lab {lab}: nothing deployed").format(lab=self.lab))
                return
            state = self._claim(progress)
            if not state.persistent:  # deploy made the node: take everything away
                self._close_nflog()
                progress(0, 1, _("removing local lab {lab}").format(lab=self.lab))
                with netns.locked(self.lab):
                    removed = netns.remove_lab(self.lab)
                netns.wait_gone(removed)
                self.state, self.ruleset = None, None
                progress(1, 1, _("local lab {lab}: pods, policies and its node namespace removed").format(lab=self.lab))
                return
            progress(0, 1, ngettext("removing {n} pod(s)", "removing {n} pod(s)", len(state.pods)).format(
                n=len(state.pods)))
            self._remove_pods(state, list(state.pods.values()))
            if self.node in list_netns():
                self._reload()
            netns.release(state)
            progress(1, 1, _("local lab {lab}: pods and policies removed").format(lab=self.lab))

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
            progress(0, 1, ngettext("compiling {n} policy to nftables", "compiling {n} policies to nftables",
                                    n).format(n=n))
            self._reload()
            progress(1, 1, _("ruleset loaded"))

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
            progress(skipped, total, ngettext("probing {n} connection(s) at once (timeout {timeout:g} s)",
                                              "probing {n} connection(s) at once (timeout {timeout:g} s)",
                                              len(attempts)).format(n=len(attempts), timeout=timeout))
            outcomes = probe_all(attempts, timeout, lambda n: progress(skipped + n, total, _("probed {n}").format(
                n=skipped + n)))
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
                    return _("no packets logged: no applied policy has a Log rule")
                return _("no packets logged yet: the Log rules have not matched a probe (a Log rule only sees packets "
                         "that reach its policy)")
            return "\n".join(list(self._logged)[-tail:])

    def rules(self, pod: str) -> str:
        """The pod's egress and ingress chains, the policy chains they jump to and the sets they use."""
        state = self.state or netns.load_state(self.lab)
        if state is None or self.node not in list_netns():
            raise LabError(_("local lab {lab} is not up: deploy a scenario first (or `npkit lab run --keep`)").format(
                lab=self.lab))
        place = state.pods.get(pod)
        if place is None:
            if state.pods:
                raise LabError(_("pod {pod} is not deployed in local lab {lab} (pods: {known})").format(
                    pod=pod, lab=self.lab, known=", ".join(sorted(state.pods))))
            raise LabError(_("pod {pod} is not deployed in local lab {lab} (pods: none)").format(pod=pod, lab=self.lab))
        text = nft(self.node, "list", "table", "ip", TABLE)
        return _(HEADER) + pod_rules(text, pod, place)

    def __enter__(self) -> LocalBackend:
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()


def _record(lab: str, state: netns.LabState | None, age: float | None) -> LabRecord:
    """How `status` describes one lab."""
    if state is None:
        return LabRecord(lab, age, _("left by a run that was killed while starting (nothing recorded but its state "
                                     "directory)"), abandoned=True)
    if state.owner_pid and netns.owner_alive(state):
        how = _("in use by process {pid}").format(pid=state.owner_pid)
    elif state.owner_pid:
        how = _("left by a process that has exited (pid {pid})").format(pid=state.owner_pid)
    elif state.kept:
        how = _("kept (npkit lab run --keep)")
    elif state.persistent:
        how = _("up (npkit lab up), idle")
    else:
        how = _("left behind")
    up = state.node in list_netns()
    n = len(state.policies)
    policies = ngettext("{n} policy", "{n} policies", n).format(n=n)
    pods = ngettext("{n} pod(s)", "{n} pod(s)", len(state.pods)).format(n=len(state.pods))
    detail = (_("node namespace {node}, {pods}, {policies}") if up
              else _("node namespace {node} (not created yet), {pods}, {policies}")).format(
        node=state.node, pods=pods, policies=policies)
    return LabRecord(state.lab_id or lab, age, how, detail, netns.abandoned(state))


def _with_ips(scenario: Cluster) -> Cluster:
    """Check addresses: IPv4, distinct; pods without one get one (npkit's loader normally did)."""
    from ....loading.addresses import assign_pod_ips

    pods, _assigned = assign_pod_ips(scenario.pods)
    seen: dict[str, str] = {}
    for p in pods:
        if ":" in p.ip:
            raise LabError(_("pod {pod} has the IPv6 address {ip}; the local backend runs IPv4 pods only").format(
                pod=p.key, ip=p.ip))
        if p.ip in seen:
            raise LabError(_("pods {first} and {second} both have the address {ip}").format(
                first=seen[p.ip], second=p.key, ip=p.ip))
        seen[p.ip] = p.key
    return replace(scenario, pods=tuple(pods))


def _same_place(a: netns.PodPlace, b: netns.PodPlace) -> bool:
    return (a.netns, a.iface, a.ip, a.ports, a.host_network) == (b.netns, b.iface, b.ip, b.ports, b.host_network)


def _log_line(packet: LoggedPacket, ips: dict[str, str], described: dict[str, str]) -> str:
    src, dst = ips.get(packet.src, packet.src), ips.get(packet.dst, packet.dst)
    rule = described.get(packet.prefix, "")
    return f"{packet}  ({src} → {dst}{'; ' + rule if rule else ''})"
