"""What the Kubernetes API server accepts for names, labels, ports and addresses.

Pure functions: each returns a list of plain-language problems (empty when the value is
valid), like the upstream helpers in k8s.io/apimachinery/pkg/util/validation, so the
Kubernetes, Calico and ClusterNetworkPolicy loaders share one set of rules. Messages are
written to be read after `<field path>: Invalid value: "<the value>": ` (Field.invalid adds
that, as the API server does) and say what would be valid.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Union

from npkit.model import PROTOCOLS_WITH_PORTS
from npkit.model.addresses import ipv4_value

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
NameRule = Callable[[str], list[str]]

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_LABEL_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\Z")
_PORT_NAME_CHARS = re.compile(r"[-a-z0-9]+\Z")
# Every rule of port_name at once: a letter somewhere, words of a-z0-9 joined by single '-'.
_VALID_PORT_NAME = re.compile(r"(?=[0-9-]*[a-z])[a-z0-9]+(-[a-z0-9]+)*\Z")


def dns1123_label(value: str) -> list[str]:
    """Namespace names and other single DNS labels (RFC 1123), at most 63 characters.

    >>> dns1123_label("team-a"), dns1123_label("a.b")
    ([], ['must not contain dots'])
    """
    problems = []
    if not value:
        return ["must not be empty"]
    if len(value) > 63:
        problems.append(f"must be at most 63 characters (it has {len(value)})")
    if not _DNS1123_LABEL.match(value):
        if _DNS1123_SUBDOMAIN.match(value):
            problems.append("must not contain dots")
        else:
            problems.append("must use only lowercase letters, digits and '-', "
                            "and start and end with a letter or digit (e.g. 'my-name')")
    return problems


def dns1123_subdomain(value: str) -> list[str]:
    """Most object names: lowercase DNS subdomain (RFC 1123), at most 253 characters.

    >>> dns1123_subdomain("allow-web.v2"), len(dns1123_subdomain("allow_web"))
    ([], 1)
    """
    if not value:
        return ["must not be empty"]
    problems = []
    if len(value) > 253:
        problems.append(f"must be at most 253 characters (it has {len(value)})")
    if not _DNS1123_SUBDOMAIN.match(value):
        problems.append("must use only lowercase letters, digits, '-' and '.', "
                        "and start and end with a letter or digit (e.g. 'example.com')")
    return problems


def label_key(value: str) -> list[str]:
    """A label key ("qualified name"): optional DNS-subdomain prefix and '/', then a name of at most 63.

    >>> label_key("app.kubernetes.io/name"), label_key("app/")
    ([], ['the name part after the prefix must not be empty'])
    """
    if not value:
        return ["a label key must not be empty"]
    if value.count("/") > 1:
        return ["a label key may contain at most one '/', between a DNS-subdomain prefix and the name "
                "(e.g. 'example.com/my-key')"]
    problems = []
    prefix, slash, name = value.rpartition("/")
    if slash:
        if not prefix:
            problems.append("the prefix before '/' must not be empty")
        else:
            problems.extend(f"the prefix before '/' {p}" for p in dns1123_subdomain(prefix))
    where = "the name part after the prefix" if slash else "a label key"
    if not name:
        problems.append(f"{where} must not be empty")
        return problems
    if len(name) > 63:
        problems.append(f"{where} must be at most 63 characters (it has {len(name)})")
    if not _LABEL_NAME.match(name):
        problems.append(f"{where} must use only letters, digits, '-', '_' and '.', "
                        "and start and end with a letter or digit")
    return problems


def label_value(value: str) -> list[str]:
    """A label value: empty, or at most 63 letters, digits, '-', '_', '.' starting and ending alphanumeric.

    >>> label_value(""), label_value("v1.2"), len(label_value("-x"))
    ([], [], 1)
    """
    problems = []
    if len(value) > 63:
        problems.append(f"a label value must be at most 63 characters (it has {len(value)})")
    if value and not _LABEL_NAME.match(value):
        problems.append("a label value must use only letters, digits, '-', '_' and '.', "
                        "and start and end with a letter or digit")
    return problems


def port_number(value: int) -> list[str]:
    """A TCP/UDP/SCTP port number: 1 to 65535.

    >>> port_number(80), port_number(0)
    ([], ['must be between 1 and 65535'])
    """
    return [] if 1 <= value <= 65535 else ["must be between 1 and 65535"]


def port_name(value: str) -> list[str]:
    """A named port (IANA service name): 1-15 of a-z, 0-9, '-', with a letter, no edge or double '-'.

    >>> port_name("http"), port_name("web--1")
    ([], ["a port name must not contain '--'"])
    """
    if len(value) <= 15 and _VALID_PORT_NAME.match(value):
        return []
    problems = []
    if len(value) > 15:
        problems.append(f"a port name must be at most 15 characters (it has {len(value)})")
    if not _PORT_NAME_CHARS.match(value):
        hint = f' (write "{value.lower()}")' if _PORT_NAME_CHARS.match(value.lower()) else ""
        problems.append(f"a port name must use only lowercase letters (a-z), digits and '-'{hint}")
    if not any("a" <= c.lower() <= "z" for c in value):
        hint = "; write a number without quotes for a port number" if value.isdigit() else ""
        problems.append(f"a port name must contain at least one letter (a-z){hint}")
    if "--" in value:
        problems.append("a port name must not contain '--'")
    if value.startswith("-") or value.endswith("-"):
        problems.append("a port name must not begin or end with '-'")
    return problems


def protocol(value: str) -> list[str]:
    """TCP, UDP or SCTP, in capitals.

    >>> protocol("tcp")
    ['must be one of TCP, UDP, SCTP (in capitals)']
    """
    return [] if value in PROTOCOLS_WITH_PORTS else ["must be one of TCP, UDP, SCTP (in capitals)"]


def parse_ip(value: str) -> tuple[IPAddress | None, list[str]]:
    """An IPv4 or IPv6 address as Kubernetes 1.36 accepts it (no leading zeros, no IPv4-mapped IPv6).

    >>> parse_ip("10.0.0.1")[0], parse_ip("010.0.0.1")[1]
    (IPv4Address('10.0.0.1'), ['must be a valid IP address such as 10.9.8.7 or 2001:db8::ffff'])
    """
    number = ipv4_value(value)
    if number is not None:  # the usual case, read without ipaddress's own (slower) parser
        return ipaddress.IPv4Address(number), []
    bad = ["must be a valid IP address such as 10.9.8.7 or 2001:db8::ffff"]
    if "%" in value or value.strip() != value:  # zones and padding are not addresses to the API
        return None, bad
    try:
        ip = ipaddress.ip_address(value)  # refuses IPv4 octets with leading zeros
    except ValueError:
        return None, bad
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return None, [f"must not be an IPv4-mapped IPv6 address; write {ip.ipv4_mapped}"]
    return ip, []


def parse_cidr(value: str) -> tuple[IPNetwork | None, list[str]]:
    """A CIDR as the Kubernetes 1.36 API server accepts it (StrictIPCIDRValidation).

    No leading zeros, no IPv4-mapped IPv6, and no bits set after the prefix length:
    `10.0.0.5/24` is refused (older servers accepted it and meant 10.0.0.0/24).

    >>> parse_cidr("10.0.0.0/8")[0]
    IPv4Network('10.0.0.0/8')
    >>> print(parse_cidr("10.0.0.5/24")[1][0])
    has bits set after the /24 prefix; write 10.0.0.0/24 for the network, or 10.0.0.5/32 for one address
    """
    bad = ["must be a CIDR such as 10.0.0.0/16 or 2001:db8::/64 (an address, '/', a prefix length)"]
    address, slash, length = value.partition("/")
    if not slash or not length.isdigit() or not length.isascii():
        if not slash and parse_ip(value)[0] is not None:
            suffix = 32 if ":" not in value else 128
            return None, [f"needs a prefix length; write {value}/{suffix} for this one address"]
        return None, bad
    if len(length) > 1 and length.startswith("0"):
        return None, ["the prefix length must not have leading zeros"]
    ip, problems = parse_ip(address)
    if ip is None:
        return None, problems if "IPv4-mapped" in problems[0] else bad
    if int(length) > ip.max_prefixlen:
        return None, [f"the prefix length must be at most {ip.max_prefixlen}, not {length}"]
    network = ipaddress.ip_network(f"{ip}/{length}", strict=False)
    if network.network_address != ip:
        return None, [f"has bits set after the /{length} prefix; write {network} for the network, "
                      f"or {ip}/{ip.max_prefixlen} for one address"]
    return network, []


def strictly_inside(inner: IPNetwork, outer: IPNetwork) -> bool:
    """True when `inner` is a proper part of `outer` (same family, longer prefix, inside it).

    >>> import ipaddress as ia
    >>> strictly_inside(ia.ip_network("10.1.0.0/16"), ia.ip_network("10.0.0.0/8"))
    True
    >>> strictly_inside(ia.ip_network("10.0.0.0/8"), ia.ip_network("10.0.0.0/8"))
    False
    """
    return (
        inner.version == outer.version
        and inner.prefixlen > outer.prefixlen
        and inner.network_address in outer
    )


# -- Calico and ClusterNetworkPolicy value rules ------------------------------------------

_CALICO_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_CALICO_POLICY_NAME = re.compile(
    rf"({_CALICO_LABEL}(\.{_CALICO_LABEL})?|(knp|ossg)\.default\.{_CALICO_LABEL}(\.{_CALICO_LABEL})*)\Z")
_CALICO_GLOBAL_POLICY_NAME = re.compile(rf"({_CALICO_LABEL}\.)?{_CALICO_LABEL}\Z")
# kubebuilder Pattern of DomainName in network-policy-api (note its A-z, which also admits [\]^_`).
_DOMAIN_LABEL = "[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?"
_DOMAIN_NAME = re.compile(rf"(\*\.)?({_DOMAIN_LABEL}\.)+{_DOMAIN_LABEL}\.?\Z")


def calico_policy_name(value: str) -> list[str]:
    """A Calico NetworkPolicy name: one DNS label, or two joined by one '.' (libcalico-go validator).

    >>> calico_policy_name("security.allow-web"), len(calico_policy_name("a.b.c"))
    ([], 1)
    """
    problems = dns1123_subdomain(value)
    if not problems and not _CALICO_POLICY_NAME.match(value):
        problems.append("must be one lowercase name of letters, digits and '-', optionally with one '.' "
                        "joining two such names (e.g. 'allow-web' or 'security.allow-web')")
    return problems


def calico_global_policy_name(value: str) -> list[str]:
    """A Calico GlobalNetworkPolicy name: one DNS label, or two joined by one '.'.

    >>> calico_global_policy_name("deny-all"), len(calico_global_policy_name("knp.default.x"))
    ([], 1)
    """
    problems = dns1123_subdomain(value)
    if not problems and not _CALICO_GLOBAL_POLICY_NAME.match(value):
        problems.append("must be one lowercase name of letters, digits and '-', optionally with one '.' "
                        "joining two such names (e.g. 'deny-all' or 'security.deny-all')")
    return problems


def parse_network(value: str, *, bare_ip: bool) -> tuple[IPNetwork | None, list[str]]:
    """A CIDR that may have bits set after the prefix (they are ignored), and with `bare_ip` a plain address.

    Calico NetworkSets (`cidr` validator) take both; ClusterNetworkPolicy `networks` (CEL isCIDR)
    take the first. The result is the network the value stands for.

    >>> parse_network("10.0.0.5/24", bare_ip=False)[0], parse_network("10.0.0.5", bare_ip=True)[0]
    (IPv4Network('10.0.0.0/24'), IPv4Network('10.0.0.5/32'))
    """
    network, problems = parse_cidr(value)
    if network is not None:
        return network, []
    address, slash, length = value.partition("/")
    ip, _ = parse_ip(address)
    if ip is None:
        return None, problems
    if not slash:
        if bare_ip:
            return ipaddress.ip_network(f"{ip}/{ip.max_prefixlen}"), []
        return None, problems
    if length.isascii() and length.isdigit() and not (len(length) > 1 and length.startswith("0")) \
            and int(length) <= ip.max_prefixlen:
        return ipaddress.ip_network(f"{ip}/{length}", strict=False), []
    return None, problems


def domain_name(value: str) -> list[str]:
    """A ClusterNetworkPolicy `domainNames` entry: a DNS name, optionally starting with '*.'.

    >>> domain_name("*.example.com"), len(domain_name("example"))
    ([], 1)
    """
    if _DOMAIN_NAME.match(value):
        return []
    return ["must be a domain name with at least one '.' such as 'example.com', optionally starting "
            "with '*.' to match its subdomains ('*.example.com')"]
