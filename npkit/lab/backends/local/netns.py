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

The state file `/run/npkit/<lab>/state.json` is written *before* anything is created, so
`down` finds the leftovers of a run that crashed half-way; it also scans /run/netns for the
lab's name prefix, so even a lost state file leaves nothing behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace

from ...backend import LabError
from . import naming
from .system import delete_netns, ip_batch, list_netns, netns_pids, run, write_sysctls

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
    lab: str
    node: str
    owner_pid: int = 0
    owner_start: str = ""
    pods: dict[str, PodPlace] = field(default_factory=dict)
    policies: list[str] = field(default_factory=list)  # what the loaded ruleset enforces, for `status`

    def to_json(self) -> dict:
        return {"lab": self.lab, "node": self.node, "owner_pid": self.owner_pid, "owner_start": self.owner_start,
                "pods": {k: asdict(p) for k, p in self.pods.items()}, "policies": self.policies}

    @classmethod
    def from_json(cls, doc: dict) -> LabState:
        pods = {k: PodPlace(**p) for k, p in doc.get("pods", {}).items()}
        return cls(doc["lab"], doc["node"], doc.get("owner_pid", 0), doc.get("owner_start", ""), pods,
                   list(doc.get("policies", [])))


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
        return None  # damaged: clean-up falls back to the name prefix


def save_state(state: LabState) -> None:
    os.makedirs(state_dir(state.lab), exist_ok=True)
    path = os.path.join(state_dir(state.lab), "state.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state.to_json(), f, indent=1)
    os.replace(tmp, path)


def owner_alive(state: LabState) -> bool:
    return bool(state.owner_pid) and process_start(state.owner_pid) == state.owner_start


@contextmanager
def locked(lab: str):
    """Hold the lab's lock file (between processes) for a check-and-update of its state."""
    os.makedirs(state_dir(lab), exist_ok=True)
    fd = os.open(os.path.join(state_dir(lab), "lock"), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def claim(lab: str, node: str, timeout: float, waiting: Callable[[int], None]) -> LabState:
    """Make this process the lab's owner, first waiting (calling `waiting(pid)`) while another
    live process has a scenario deployed in it: two runs of one lab must not share its pods."""
    deadline = time.monotonic() + timeout
    me = os.getpid()
    while True:
        with locked(lab):
            state = load_state(lab)
            if state is None or node not in list_netns():
                state = LabState(lab, node, pods=state.pods if state else {})
            if state.owner_pid in (0, me) or not owner_alive(state):
                state.owner_pid, state.owner_start = me, process_start(me)
                save_state(state)
                return state
        if time.monotonic() > deadline:
            raise LabError(f"local lab {lab} is in use by process {state.owner_pid}, which has a scenario "
                           f"deployed in it; wait until it finishes (or stop it), or use another lab id")
        waiting(state.owner_pid)
        time.sleep(0.2)


def release(state: LabState) -> None:
    """Nothing of ours is deployed any more: another process may take the lab."""
    with locked(state.lab):
        current = load_state(state.lab)
        if current is None or current.owner_pid in (0, os.getpid()):
            state.owner_pid, state.owner_start = 0, ""
            save_state(state)


def lab_in_use(lab: str) -> bool:
    """Whether a live process still owns lab `lab` (another run's preflight counts too)."""
    if lab.startswith("preflight-") and lab[len("preflight-"):].isdigit():
        return os.path.exists(f"/proc/{lab[len('preflight-'):]}")
    state = load_state(lab)
    return state is not None and owner_alive(state)


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


def create_pods(lab: str, places: list[PodPlace]) -> None:
    """Namespaces, veths, addresses and routes for `places` (all at once: one `ip` per namespace)."""
    node = naming.node_netns(lab)
    existing = set(list_netns())
    # Leftovers with our names (a crashed run): start clean.
    remove_pods([replace(p, server_pid=None) for p in places if p.netns in existing], lab)
    _delete_links(node, [p.iface for p in places])
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
    """Everything of lab `lab`: processes, pod namespaces, then the node; returns what was removed."""
    state = load_state(lab)
    removed = []
    if state is not None:
        for p in state.pods.values():
            if p.server_pid:
                kill_pid(p.server_pid, f"--lab {lab}")
    prefix = naming.netns_prefix(lab)
    names = [n for n in list_netns() if n.startswith(prefix)]
    node = naming.node_netns(lab)
    for name in sorted(names, key=lambda n: n == node):  # pods first, the node last
        kill_netns_processes(name)
        delete_netns(name)
        removed.append(name)
    shutil.rmtree(state_dir(lab), ignore_errors=True)
    return removed


def labs_present() -> set[str]:
    """Every lab with a namespace or a state directory on this machine."""
    labs = {naming.lab_of_netns(n) for n in list_netns()} - {None}
    try:
        labs |= {d for d in os.listdir(STATE_ROOT) if naming.LAB_NAME.match(d)}
    except FileNotFoundError:
        pass
    return labs  # type: ignore[return-value]


def wait_gone(names: list[str], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(n in list_netns() for n in names):
        time.sleep(0.05)
    left = [n for n in names if n in list_netns()]
    if left:
        raise LabError(f"network namespaces still present after clean-up: {', '.join(left)}")
