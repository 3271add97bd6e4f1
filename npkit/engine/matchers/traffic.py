"""Rule conditions on the traffic itself (Calico): protocol, ICMP type/code, IP version, HTTP."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ...i18n import messages
from ..probe import Probe, Traffic, protocol_name, protocol_number
from ..universe import Mask, Universe
from .base import Check, Criterion, End

TYPE_CHECKING = False  # typing's is not needed: this module loads with the Calico rules that use it
if TYPE_CHECKING:
    from ...model import HTTPMatch, ICMPMatch

_ = messages("npkit").gettext
pgettext = messages("npkit").pgettext


@dataclass(frozen=True)
class ProtocolIs(Criterion):
    """`protocol` (or `notProtocol` when `negate`)."""

    end: None = field(default=None, init=False, repr=False)  # looks at the traffic, not at an endpoint

    protocol: str | int
    negate: bool = False
    path: str = ""

    def _holds(self, traffic: Traffic) -> bool:
        same = protocol_number(traffic.protocol) == protocol_number(self.protocol)
        return same != self.negate

    def test(self, probe: Probe, u: Universe) -> Check:
        field = "notProtocol" if self.negate else "protocol"
        want = protocol_name(self.protocol)
        ok = self._holds(probe.traffic)
        text = _("{field} {protocol}: the probe is {actual}").format(field=field, protocol=want,
                                                                      actual=probe.traffic.protocol)
        return Check(ok, text, self.path)

    def mask(self, traffic: Traffic, u: Universe) -> bool:
        return self._holds(traffic)

    def describe(self) -> str:
        return f"{'notProtocol' if self.negate else 'protocol'} {protocol_name(self.protocol)}"


@dataclass(frozen=True)
class ICMPIs(Criterion):
    """`icmp` / `notICMP`: type (and code) of an ICMP probe."""

    end: None = field(default=None, init=False, repr=False)  # looks at the traffic, not at an endpoint

    icmp: ICMPMatch
    negate: bool = False
    path: str = ""

    def _holds(self, traffic: Traffic) -> bool:
        match = (
            traffic.protocol in ("ICMP", "ICMPv6")
            and traffic.icmp_type == self.icmp.type
            and (self.icmp.code is None or traffic.icmp_code == self.icmp.code)
        )
        return match != self.negate

    def describe(self) -> str:
        code = f" code {self.icmp.code}" if self.icmp.code is not None else ""
        return f"{'notICMP' if self.negate else 'icmp'} type {self.icmp.type}{code}"

    def test(self, probe: Probe, u: Universe) -> Check:
        text = _("{condition}: the probe is {actual}").format(condition=self.describe(), actual=probe.traffic)
        return Check(self._holds(probe.traffic), text, self.path)

    def mask(self, traffic: Traffic, u: Universe) -> bool:
        return self._holds(traffic)


@dataclass(frozen=True)
class IPVersionIs(Criterion):
    """The packet is of one IP family: `ipVersion`, or a rule Felix renders for one family only.

    `because` is empty for the `ipVersion` field; otherwise it says which address field limits
    the rule to this family (Felix renders each rule per family and leaves a rule out of the
    family its nets or notNets have no CIDR of: felix/rules/policy.go FilterRuleToIPVersion).
    """

    version: int
    path: str = ""
    because: str = ""
    end: End = field(default="dst", init=False, repr=False)  # the family is read off the destination address

    def test(self, probe: Probe, u: Universe) -> Check:
        try:
            actual = ipaddress.ip_address(probe.dst.ip).version
        except ValueError:
            text = _("{condition}: {endpoint} has no address").format(condition=self.describe(), endpoint=probe.dst)
            return Check(False, text, self.path)
        if not self.because or actual == self.version:
            text = _("{condition}: the probe is IPv{actual}").format(condition=self.describe(), actual=actual)
            return Check(actual == self.version, text, self.path)
        text = _("{because}: Felix renders this rule for IPv{version} traffic only, so for this IPv{actual} probe "
                 "the rule does not exist").format(because=self.because, version=self.version, actual=actual)
        return Check(False, text, self.path)

    def mask(self, traffic: Traffic, u: Universe) -> Mask | bool:
        return u.family_mask(self.version)

    def describe(self) -> str:
        if self.because:
            return _("{because}: the rule exists for IPv{version} traffic only").format(because=self.because,
                                                                                       version=self.version)
        return f"ipVersion {self.version}"


@dataclass(frozen=True)
class HTTPIs(Criterion):
    """An `http` match. Felix ignores it (L4 only) unless Istio with Dikastes enforces L7.

    With `enforced` False it always holds and says why; with `enforced` True the probe must
    carry a method and path that match.
    """

    end: None = field(default=None, init=False, repr=False)  # looks at the traffic, not at an endpoint

    http: HTTPMatch
    enforced: bool = False
    path: str = ""

    def describe(self) -> str:
        parts = []
        if self.http.methods:
            parts.append(_("methods {methods}").format(methods="/".join(self.http.methods)))
        if self.http.paths:
            paths = ", ".join(f"{p.kind} {p.value}" for p in self.http.paths)
            parts.append(_("paths {paths}").format(paths=paths))
        return "http " + pgettext("conditions", " and ").join(parts or [_("(any)")])

    def _holds(self, traffic: Traffic) -> bool:
        if not self.enforced:
            return True
        if traffic.http_method is None and traffic.http_path is None:
            return False
        if self.http.methods and traffic.http_method not in self.http.methods:
            return False
        if self.http.paths:
            path = traffic.http_path or "/"
            return any(
                path == p.value if p.kind == "exact" else path.startswith(p.value) for p in self.http.paths
            )
        return True

    def test(self, probe: Probe, u: Universe) -> Check:
        if not self.enforced:
            text = _("{condition} is ignored: Felix enforces L4 only; HTTP matching needs Istio with Calico's "
                     "Dikastes, so this rule acts on its other fields alone").format(condition=self.describe())
            return Check(True, text, self.path)
        t = probe.traffic
        if t.http_method is None and t.http_path is None:
            text = _("{condition}: the probe carries no HTTP request").format(condition=self.describe())
            return Check(False, text, self.path)
        text = _("{condition}: the request is {method} {path}").format(condition=self.describe(),
                                                                        method=t.http_method, path=t.http_path)
        return Check(self._holds(t), text, self.path)

    def mask(self, traffic: Traffic, u: Universe) -> bool:
        return self._holds(traffic)
