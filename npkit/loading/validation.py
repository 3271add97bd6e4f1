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

from npkit.i18n import messages
from npkit.model import PROTOCOLS_WITH_PORTS
from npkit.model.addresses import ipv4_value

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
NameRule = Callable[[str], list[str]]

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_LABEL_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\Z")
_PORT_NAME_CHARS = re.compile(r"[-a-z0-9]+\Z")
_ = messages("npkit").gettext
# Every rule of port_name at once: a letter somewhere, words of a-z0-9 joined by single '-'.
_VALID_PORT_NAME = re.compile(r"(?=[0-9-]*[a-z])[a-z0-9]+(-[a-z0-9]+)*\Z")


def dns1123_label(value: str) -> list[str]:
    """Namespace names and other single DNS labels (RFC 1123), at most 63 characters.

    >>> dns1123_label("team-a"), dns1123_label("a.b")
    ([], ['must not contain dots'])
    """
    problems = []
    if not value:
        return [_("must not be empty")]
    if len(value) > 63:
        problems.append(_("must be at most {limit} characters (it has {n})").format(limit=63, n=len(value)))
    if not _DNS1123_LABEL.match(value):
        if _DNS1123_SUBDOMAIN.match(value):
            problems.append(_("must not contain dots"))
        else:
            problems.append(_("must use only lowercase letters, digits and '-', and start and end with a letter or "
                              "digit (e.g. 'my-name')"))
    return problems


def dns1123_subdomain(value: str) -> list[str]:
    """Most object names: lowercase DNS subdomain (RFC 1123), at most 253 characters.

    >>> dns1123_subdomain("allow-web.v2"), len(dns1123_subdomain("allow_web"))
    ([], 1)
    """
    if not value:
        return [_("must not be empty")]
    problems = []
    if len(value) > 253:
        problems.append(_("must be at most {limit} characters (it has {n})").format(limit=253, n=len(value)))
    if not _DNS1123_SUBDOMAIN.match(value):
        problems.append(_("must use only lowercase letters, digits, '-' and '.', and start and end with a letter or "
                          "digit (e.g. 'example.com')"))
    return problems


def label_key(value: str) -> list[str]:
    """A label key ("qualified name"): optional DNS-subdomain prefix and '/', then a name of at most 63.

    >>> label_key("app.kubernetes.io/name"), label_key("app/")
    ([], ['the name part after the prefix must not be empty'])
    """
    if not value:
        return [_("a label key must not be empty")]
    if value.count("/") > 1:
        return [_("a label key may contain at most one '/', between a DNS-subdomain prefix and the name "
                  "(e.g. 'example.com/my-key')")]
    problems = []
    prefix, slash, name = value.rpartition("/")
    if slash:
        if not prefix:
            problems.append(_("the prefix before '/' must not be empty"))
        else:
            problems.extend(_("the prefix before '/' {problem}").format(problem=p) for p in dns1123_subdomain(prefix))
    if name and len(name) <= 63 and _LABEL_NAME.match(name):
        return problems  # the usual case: nothing to say, so nothing translated
    # Translators: {where} is "the name part after the prefix" or "a label key", the subject of the sentence
    where = _("the name part after the prefix") if slash else _("a label key")
    if not name:
        problems.append(_("{where} must not be empty").format(where=where))
        return problems
    if len(name) > 63:
        problems.append(_("{where} must be at most 63 characters (it has {n})").format(where=where, n=len(name)))
    if not _LABEL_NAME.match(name):
        problems.append(_("{where} must use only letters, digits, '-', '_' and '.', and start and end with a letter "
                          "or digit").format(where=where))
    return problems


def label_value(value: str) -> list[str]:
    """A label value: empty, or at most 63 letters, digits, '-', '_', '.' starting and ending alphanumeric.

    >>> label_value(""), label_value("v1.2"), len(label_value("-x"))
    ([], [], 1)
    """
    problems = []
    if len(value) > 63:
        problems.append(_("a label value must be at most 63 characters (it has {n})").format(n=len(value)))
    if value and not _LABEL_NAME.match(value):
        problems.append(_("a label value must use only letters, digits, '-', '_' and '.', and start and end with a "
                          "letter or digit"))
    return problems


def port_number(value: int) -> list[str]:
    """A TCP/UDP/SCTP port number: 1 to 65535.

    >>> port_number(80), port_number(0)
    ([], ['must be between 1 and 65535'])
    """
    return [] if 1 <= value <= 65535 else [_("must be between 1 and 65535")]


def port_name(value: str) -> list[str]:
    """A named port (IANA service name): 1-15 of a-z, 0-9, '-', with a letter, no edge or double '-'.

    >>> port_name("http"), port_name("web--1")
    ([], ["a port name must not contain '--'"])
    """
    if len(value) <= 15 and _VALID_PORT_NAME.match(value):
        return []
    problems = []
    if len(value) > 15:
        problems.append(_("a port name must be at most 15 characters (it has {n})").format(n=len(value)))
    if not _PORT_NAME_CHARS.match(value):
        if _PORT_NAME_CHARS.match(value.lower()):
            problems.append(_('a port name must use only lowercase letters (a-z), digits and \'-\' (write '
                              '"{name}")').format(name=value.lower()))
        else:
            problems.append(_("a port name must use only lowercase letters (a-z), digits and '-'"))
    if not any("a" <= c.lower() <= "z" for c in value):
        if value.isdigit():
            problems.append(_("a port name must contain at least one letter (a-z); write a number without quotes "
                              "for a port number"))
        else:
            problems.append(_("a port name must contain at least one letter (a-z)"))
    if "--" in value:
        problems.append(_("a port name must not contain '--'"))
    if value.startswith("-") or value.endswith("-"):
        problems.append(_("a port name must not begin or end with '-'"))
    return problems


def protocol(value: str) -> list[str]:
    """TCP, UDP or SCTP, in capitals.

    >>> protocol("tcp")
    ['must be one of TCP, UDP, SCTP (in capitals)']
    """
    return [] if value in PROTOCOLS_WITH_PORTS else [_("must be one of TCP, UDP, SCTP (in capitals)")]


def parse_ip(value: str) -> tuple[IPAddress | None, list[str]]:
    """An IPv4 or IPv6 address as Kubernetes 1.36 accepts it (no leading zeros, no IPv4-mapped IPv6).

    >>> parse_ip("10.0.0.1")[0], parse_ip("010.0.0.1")[1]
    (IPv4Address('10.0.0.1'), ['must be a valid IP address such as 10.9.8.7 or 2001:db8::ffff'])
    """
    number = ipv4_value(value)
    if number is not None:  # the usual case, read without ipaddress's own (slower) parser
        return ipaddress.IPv4Address(number), []
    if "%" in value or value.strip() != value:  # zones and padding are not addresses to the API
        return None, _not_an_ip()
    try:
        ip = ipaddress.ip_address(value)  # refuses IPv4 octets with leading zeros
    except ValueError:
        return None, _not_an_ip()
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return None, [_("must not be an IPv4-mapped IPv6 address; write {address}").format(address=ip.ipv4_mapped)]
    return ip, []


def _not_an_ip() -> list[str]:
    return [_("must be a valid IP address such as 10.9.8.7 or 2001:db8::ffff")]


def _not_a_cidr() -> list[str]:
    return [_("must be a CIDR such as 10.0.0.0/16 or 2001:db8::/64 (an address, '/', a prefix length)")]


def parse_cidr(value: str) -> tuple[IPNetwork | None, list[str]]:
    """A CIDR as the Kubernetes 1.36 API server accepts it (StrictIPCIDRValidation).

    No leading zeros, no IPv4-mapped IPv6, and no bits set after the prefix length:
    `10.0.0.5/24` is refused (older servers accepted it and meant 10.0.0.0/24).

    >>> parse_cidr("10.0.0.0/8")[0]
    IPv4Network('10.0.0.0/8')
    >>> print(parse_cidr("10.0.0.5/24")[1][0])
    has bits set after the /24 prefix; write 10.0.0.0/24 for the network, or 10.0.0.5/32 for one address
    """
    address, slash, length = value.partition("/")
    if not slash or not length.isdigit() or not length.isascii():
        if not slash and parse_ip(value)[0] is not None:
            suffix = 32 if ":" not in value else 128
            return None, [_("needs a prefix length; write {cidr} for this one address").format(
                cidr=f"{value}/{suffix}")]
        return None, _not_a_cidr()
    if len(length) > 1 and length.startswith("0"):
        return None, [_("the prefix length must not have leading zeros")]
    ip, problems = parse_ip(address)
    if ip is None:  # an IPv4-mapped address keeps its own message; anything else is not a CIDR
        return None, problems if problems != _not_an_ip() else _not_a_cidr()
    if int(length) > ip.max_prefixlen:
        return None, [_("the prefix length must be at most {limit}, not {length}").format(limit=ip.max_prefixlen,
                                                                                          length=length)]
    network = ipaddress.ip_network(f"{ip}/{length}", strict=False)
    if network.network_address != ip:
        return None, [_("has bits set after the /{length} prefix; write {network} for the network, or {address} for "
                        "one address").format(length=length, network=network, address=f"{ip}/{ip.max_prefixlen}")]
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
        problems.append(_("must be one lowercase name of letters, digits and '-', optionally with one '.' joining two "
                          "such names (e.g. 'allow-web' or 'security.allow-web')"))
    return problems


def calico_global_policy_name(value: str) -> list[str]:
    """A Calico GlobalNetworkPolicy name: one DNS label, or two joined by one '.'.

    >>> calico_global_policy_name("deny-all"), len(calico_global_policy_name("knp.default.x"))
    ([], 1)
    """
    problems = dns1123_subdomain(value)
    if not problems and not _CALICO_GLOBAL_POLICY_NAME.match(value):
        problems.append(_("must be one lowercase name of letters, digits and '-', optionally with one '.' joining two "
                          "such names (e.g. 'deny-all' or 'security.deny-all')"))
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
    ip = parse_ip(address)[0]
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
    return [_("must be a domain name with at least one '.' such as 'example.com', optionally starting with '*.' to "
              "match its subdomains ('*.example.com')")]
