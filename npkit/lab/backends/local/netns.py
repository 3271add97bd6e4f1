"""The lab's topology in network namespaces, its state file, and clean-up that finds everything.

Like Calico, routed rather than bridged: every pod namespace has `eth0` with the pod's /32
address and a default route via 169.254.1.1; the other end of its veth sits in the node
namespace, which answers ARP for that address by proxy ARP and holds a /32 route per pod.
Packets between pods are therefore *forwarded* by the node namespace, so its nftables
forward hook sees each with the sending and receiving pod's interface, exactly where Felix
hooks its chains. (A bridge would need br_netfilter, a host-wide module setting, for the
IP hooks to see bridged packets.) A blackhole default route ends traffic to addresses
outside the lab: nothing leaves the machine, and the host's own namespace, routes and
firewall are never touched.

Every resource is recorded before it is created. The state file `/run/npkit/<lab>/state.json`
names the node namespace (which holds the lab's nftables table and veths) and each pod's
namespace *before* `ip netns add` runs, so whatever instant a run is killed at (even by
SIGKILL), the next run finds everything it left and removes it. Clean-up deletes only what a
state file records: a namespace npkit did not record is never touched, whatever its name.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from ....i18n import messages
from ...backend import LabError
from . import naming
from .system import delete_netns, ip_batch, list_netns, netns_pids, run, write_sysctls

_ = messages("npkit-tools").gettext

STATE_ROOT = "/run/npkit"
GATEWAY = "169.254.1.1"  # Calico's link-local next hop, answered by proxy ARP


@dataclass
class PodPlace:
    """Where one pod lives: its namespace, veth, address and server process."""

    key: str
    netns: str
    iface: str
    ip: str
    ports: list[str] = field(default_factory=list)  # "TCP/80" ...
    host_network: bool = False
    server_pid: int | None = None


@dataclass
class LabState:
    """What a lab has (or may have) created, written before it is created."""

    lab: str
    node: str
    owner_pid: int = 0
    owner_start: str = ""
    pods: dict[str, PodPlace] = field(default_factory=dict)
    policies: list[str] = field(default_factory=list)  # what the loaded ruleset enforces, for `status`
    lab_id: str = ""  # as the user typed it (`lab` is its namespace-safe form)
    created: float = 0.0  # epoch seconds: the lab's age in `status`
    persistent: bool = False  # made by `up`: stays until `down`; otherwise teardown removes the node too
    kept: bool = False  # left on purpose by `lab run --keep`: not a crash's leftover

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["pods"] = {k: asdict(p) for k, p in self.pods.items()}
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> LabState:
        pods = {k: PodPlace(**p) for k, p in doc.get("pods", {}).items()}
        known = {k: doc[k] for k in ("owner_pid", "owner_start", "lab_id", "created", "persistent", "kept")
                 if k in doc}
        return cls(doc["lab"], doc["node"], pods=pods, policies=list(doc.get("policies", [])), **known)

    def namespaces(self) -> list[str]:
        """Every namespace this state records: pods first, the node last."""
        return [p.netns for p in self.pods.values() if p.netns] + [self.node]


def process_start(pid: int) -> str:
    """The start time of a process (field 22 of /proc/PID/stat): tells a PID from its reuse."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def state_dir(lab: str) -> str:
    return os.path.join(STATE_ROOT, lab)


def load_state(lab: str) -> LabState | None:
    try:
        with open(os.path.join(state_dir(lab), "state.json")) as f:
            return LabState.from_json(json.load(f))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # damaged (it is written atomically, so only by hand): nothing recorded to remove


def save_state(state: LabState) -> None:
    """Write the state atomically (a reader or a crash sees the old file or the new one)."""
    if not state.created:
        state.created = time.time()
    os.makedirs(state_dir(state.lab), exist_ok=True)
    path = os.path.join(state_dir(state.lab), "state.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state.to_json(), f, indent=1)
    os.replace(tmp, path)


def owner_alive(state: LabState) -> bool:
    return bool(state.owner_pid) and process_start(state.owner_pid) == state.owner_start


@contextmanager
def locked(lab: str) -> Iterator[None]:
    """Hold the lab's lock file (between processes) for a check-and-update of its state."""
    os.makedirs(state_dir(lab), exist_ok=True)
    fd = os.open(os.path.join(state_dir(lab), "lock"), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def claim(lab: str, lab_id: str, node: str, timeout: float, waiting: Callable[[int], None]) -> LabState:
    """Make this process the lab's owner (recorded before anything is created), first waiting (calling
    `waiting(pid)`) while another live process owns it: two runs of one lab must not share its pods.
    A lab whose owner died is taken over with everything it recorded, to be cleaned up."""
    deadline = time.monotonic() + timeout
    me = os.getpid()
    while True:
        with locked(lab):
            state = load_state(lab)
            if state is None:
                if node in list_netns():
                    raise LabError(_("network namespace {name} exists but no npkit lab recorded creating it; npkit "
                                     "leaves it alone. Remove it yourself (`ip netns delete {name}`) if it is a "
                                     "leftover of an older npkit, or use another --lab-id").format(name=node))
                state = LabState(lab, node, lab_id=lab_id)
            if state.owner_pid in (0, me) or not owner_alive(state):
                state.owner_pid, state.owner_start, state.kept = me, process_start(me), False
                state.lab_id = state.lab_id or lab_id
                save_state(state)
                return state
        if time.monotonic() > deadline:
            raise LabError(_("local lab {lab} is in use by process {pid}, which has a scenario deployed in it; wait "
                             "until it finishes (or stop it), or use another lab id").format(lab=lab,
                                                                                            pid=state.owner_pid))
        waiting(state.owner_pid)
        time.sleep(0.2)


def release(state: LabState) -> None:
    """Nothing of ours is deployed any more: another process may take the lab."""
    with locked(state.lab):
        current = load_state(state.lab)
        if current is None or current.owner_pid in (0, os.getpid()):
            state.owner_pid, state.owner_start = 0, ""
            save_state(state)


def lab_in_use(lab: str, by_others: bool = False) -> bool:
    """Whether a live process (with `by_others`, one other than this) owns lab `lab`."""
    state = load_state(lab)
    if state is None or (by_others and state.owner_pid == os.getpid()):
        return False
    return owner_alive(state)


def abandoned(state: LabState | None) -> bool:
    """Left behind by a crash: an owner that has exited, or (no state file) a lab killed while starting.
    A lab made by `up` or kept by `--keep` and now idle (no owner) is not abandoned."""
    if state is None:
        return True
    if state.owner_pid:
        return not owner_alive(state)
    return not (state.persistent or state.kept)


def create_node(lab: str) -> str:
    """The node namespace: forwarding on, proxy ARP for every new veth, no way out."""
    node = naming.node_netns(lab)
    if node not in list_netns():
        ip_batch([f"netns add {node}"])
    write_sysctls(node, {
        "ipv4/ip_forward": "1",
        "ipv4/conf/default/proxy_arp": "1",
        "ipv4/conf/all/rp_filter": "0",
        "ipv4/conf/default/rp_filter": "0",
    })
    ip_batch([
        "link set lo up",
        # Proxy ARP answers for an address the node routes through another interface: give the
        # gateway address such a route (it is only ever ARPed for, never sent to).
        f"route replace {GATEWAY}/32 dev lo",
        # Anything not a pod goes nowhere: the lab never reaches the host or the outside.
        "route replace blackhole default",
    ], netns=node)
    return node


def refuse_taken(places: list[PodPlace]) -> None:
    """Before recording new pods: a namespace of that name that exists already is not ours to touch."""
    taken = sorted(set(list_netns()) & {p.netns for p in places})
    if taken:
        raise LabError(_("network namespace(s) {names} exist but no npkit lab recorded creating them; npkit leaves "
                         "them alone. Remove them yourself (`ip netns delete NAME`) if they are leftovers of an older "
                         "npkit, or use another --lab-id").format(names=", ".join(taken)))


def create_pods(lab: str, places: list[PodPlace]) -> None:
    """Namespaces, veths, addresses and routes for `places` (all at once: one `ip` per namespace);
    the caller has recorded them (after `refuse_taken`)."""
    node = naming.node_netns(lab)
    ip_batch([f"netns add {p.netns}" for p in places])
    ip_batch([f"link add {p.iface} type veth peer name eth0 netns {p.netns}" for p in places], netns=node)
    # Answer ARP at once: by default proxy ARP waits up to 0.8 s (and only per interface in a netns).
    write_sysctls(node, {f"ipv4/neigh/{p.iface}/proxy_delay": "0" for p in places})
    for p in places:
        ip_batch([
            "link set lo up",
            f"addr add {p.ip}/32 dev eth0",
            "link set eth0 up",
            f"route add {GATEWAY} dev eth0 scope link",
            f"route add default via {GATEWAY} dev eth0",
        ], netns=p.netns)
    lines = []
    for p in places:
        lines += [f"link set {p.iface} up", f"route replace {p.ip}/32 dev {p.iface}"]
    ip_batch(lines, netns=node)


def kill_pid(pid: int, marker: str) -> None:
    """SIGKILL `pid` if its command line still contains `marker` (so a reused PID is spared)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if marker.encode() not in f.read():
                return
        os.kill(pid, signal.SIGKILL)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass


def kill_netns_processes(netns: str) -> None:
    """Every process living in `netns` (our servers; also a shell a learner opened there)."""
    for pid in netns_pids(netns):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _delete_links(node: str, ifaces: list[str]) -> None:
    """Delete node-side veths now (a deleted namespace frees its veths only later); missing ones are fine."""
    if ifaces and node in list_netns():
        run(["ip", "-force", "-n", node, "-batch", "-"], input="".join(f"link del {i}\n" for i in ifaces),
            check=False)


def remove_pods(places: list[PodPlace], lab: str) -> None:
    """Kill the pods' processes, delete their veths (at once: netns deletion is lazy) and namespaces."""
    for p in places:
        if p.server_pid:
            kill_pid(p.server_pid, f"--lab {lab}")
    _delete_links(naming.node_netns(lab), [p.iface for p in places if p.iface])
    for p in places:
        kill_netns_processes(p.netns)
        delete_netns(p.netns)


def remove_lab(lab: str) -> list[str]:
    """Everything lab `lab` recorded: server processes, pod namespaces, then the node (with its nftables
    table and veths), then the state directory. Returns the namespaces removed."""
    state = load_state(lab)
    removed = []
    if state is not None:
        for p in state.pods.values():
            if p.server_pid:
                kill_pid(p.server_pid, f"--lab {lab}")
        present = set(list_netns())
        for name in state.namespaces():
            if name in present:
                kill_netns_processes(name)
                delete_netns(name)
                removed.append(name)
    shutil.rmtree(state_dir(lab), ignore_errors=True)
    forget_empty_root()
    return removed


def forget_empty_root() -> None:
    """The last lab gone: remove /run/npkit too, leaving /run as it was."""
    try:
        os.rmdir(STATE_ROOT)
    except OSError:
        pass


def labs_present() -> set[str]:
    """Every lab with a state directory on this machine (each records what it created)."""
    try:
        return {d for d in os.listdir(STATE_ROOT) if os.path.isdir(state_dir(d))}
    except FileNotFoundError:
        return set()


def unrecorded_namespaces() -> list[str]:
    """Namespaces named like npkit's that no lab recorded: shown by `status`, never removed."""
    recorded: set[str] = set()
    for lab in labs_present():
        state = load_state(lab)
        if state is not None:
            recorded |= set(state.namespaces())
    return [n for n in list_netns() if naming.lab_of_netns(n) and n not in recorded]


def created_at(lab: str) -> float | None:
    """When lab `lab` was created (its state, else its directory), epoch seconds."""
    state = load_state(lab)
    if state is not None and state.created:
        return state.created
    try:
        return os.stat(state_dir(lab)).st_mtime
    except OSError:
        return None


def wait_gone(names: list[str], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(n in list_netns() for n in names):
        time.sleep(0.05)
    left = [n for n in names if n in list_netns()]
    if left:
        raise LabError(_("network namespaces still present after clean-up: {names}").format(names=", ".join(left)))
