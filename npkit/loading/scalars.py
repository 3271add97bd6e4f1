"""YAML scalars read as kubectl reads them, not as PyYAML does.

kubectl (and calicoctl) turn YAML into JSON with sigs.k8s.io/yaml, which decodes it with
go-yaml v2 (go.yaml.in/yaml/v2, `resolve.go`) and then marshals the result with Go's
encoding/json; the API server decodes that JSON into the typed object. Both YAML readers
claim YAML 1.1, but they resolve unquoted scalars differently, and the difference changes
verdicts (`port: 1e2` is the number 100 to kubectl and the port name "1e2" to PyYAML):

=================  ==========================  =======================================
written            PyYAML                      kubectl (go-yaml v2, then JSON)
=================  ==========================  =======================================
1e2, 1E2, 5.       "1e2" (text), 5.0           100, 5: an integral float is a JSON integer
0o17, 08           "0o17", "08" (text)         15, 8 (Go's base-0 integers; 08 is a float)
y, Y, n, N         "y", "n" (text)             true, false
190:20:30          685230 (base 60)            "190:20:30" (text; go-yaml drops base 60)
.inf, .nan         inf, nan                    an error: JSON has no infinity or NaN
key `on:`          True (a boolean key)        "true" (JSON keys are text)
=================  ==========================  =======================================

Both agree on 0x1F (31), 017 (15, octal), +80, .5, 1_000, yes/on/true, ~/null and
empty, and keep timestamps such as 2024-01-01 as text. Only plain (unquoted, untagged)
scalars are resolved: quoted ones and block scalars are always text.

>>> [resolve_plain(t) for t in ("1e2", "0x1F", "0o17", "017", "+80", ".5", "y", "~", "1_000", "web")]
[100, 31, 15, 15, 80, 0.5, True, None, 1000, 'web']
>>> json_key(True), json_key(100), json_key(1.5)
('true', '100', '1.5')
"""

from __future__ import annotations

import math
import re
from typing import Final

import numpy as np

STR, INT, FLOAT, BOOL, NULL, TIMESTAMP = (f"tag:yaml.org,2002:{t}" for t in
                                          ("str", "int", "float", "bool", "null", "timestamp"))


class _NotJSON:
    """The value of `.inf` and `.nan`: go-yaml reads them, but JSON (and so kubectl) cannot carry them."""

    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Final = _NotJSON()

# go-yaml's resolveMap: plain scalars it resolves by spelling alone, to (tag, value).
_BY_SPELLING: dict[str, tuple[str, object]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), (BOOL, True)),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), (BOOL, False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), (NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
}
_NUMBER_START = frozenset("+-0123456789")
# strconv.ParseInt(s, 0, 64) syntax, after go-yaml removed every "_".
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
# go-yaml's yamlStyleFloat, also applied after removing "_".
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
# strconv.ParseFloat of a plain scalar that starts with "." (Go allows "_" between digits).
_DOT_FLOAT = re.compile(r"\.[0-9]+(_[0-9]+)*([eE][-+]?[0-9]+(_[0-9]+)*)?\Z")
_INT64 = 2**63
_UINT64 = 2**64
_JSON_INTEGRAL = 1e21  # Go's encoding/json writes floats below this without an exponent
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def resolve(text: str) -> tuple[str, object]:
    """(YAML tag, value) go-yaml v2 gives the plain scalar `text` (floats not yet turned into JSON)."""
    if text in _BY_SPELLING:
        return _BY_SPELLING[text]
    first = text[:1]
    if first == ".":
        if _DOT_FLOAT.match(text):
            number = float(text)
            if not math.isinf(number):  # Go's ParseFloat fails on overflow: the text stays text
                return FLOAT, number
    elif first in _NUMBER_START:
        return _resolve_number(text)
    return STR, text


def _resolve_number(text: str) -> tuple[str, object]:
    plain = text.replace("_", "")
    match = _GO_INT.match(plain)
    if match:
        sign, digits = match.groups()
        magnitude = int(digits, 8) if digits[:1] == "0" and digits[1:2].isdigit() else int(digits, 0)
        value = -magnitude if sign == "-" else magnitude
        if -_INT64 <= value < _INT64 or (not sign and value < _UINT64):  # ParseInt, then ParseUint
            return INT, value
    if _YAML_FLOAT.match(plain):
        number = float(plain)
        if not math.isinf(number):
            return FLOAT, number
    return STR, text


def to_json(value: object) -> object:
    """The value the API server decodes after kubectl's JSON round trip: integral floats become integers."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return NOT_JSON
        if value.is_integer() and abs(value) < _JSON_INTEGRAL:
            return int(value)
    return value


def resolve_plain(text: str) -> object:
    """The value kubectl sends for the plain scalar `text` (NOT_JSON for .inf and .nan, which it cannot)."""
    return to_json(resolve(text)[1])


def resolve_tagged(tag: str, text: str) -> tuple[bool, object]:
    """(accepted, value) of `text` with an explicit standard tag (`!!int "8080"`), as go-yaml decodes it.

    go-yaml refuses a tag the text does not fit ("cannot decode !!str `web` as a !!int"), except that
    an integer is accepted as a float.

    >>> resolve_tagged(INT, "0x50"), resolve_tagged(INT, "web"), resolve_tagged(STR, "80")
    ((True, 80), (False, 'web'), (True, '80'))
    """
    if tag == STR:
        return True, text
    found, value = resolve(text)
    if tag == TIMESTAMP:
        return _is_timestamp(text), text  # timestamps stay text when decoded without a Go type
    if found == tag or (tag == FLOAT and found == INT):
        return True, to_json(value)
    return False, text


_TIME = r"[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?"
_TIMESTAMP = re.compile(rf"[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}([Tt]{_TIME}(Z|[-+][0-9]{{2}}:[0-9]{{2}})| {_TIME})?\Z")


def _is_timestamp(text: str) -> bool:
    """The formats go-yaml v2 accepts as timestamps (its allowedTimestampFormats)."""
    return bool(_TIMESTAMP.match(text))


def json_key(value: object) -> str | None:
    """The text of a mapping key after kubectl's JSON conversion; None for a null key, which it refuses.

    >>> json_key("app"), json_key(False), json_key(31), json_key(-math.inf), json_key(1e39), json_key(None)
    ('app', 'false', '31', '-.inf', '.inf', None)
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value) or abs(value) > _FLOAT32_MAX:  # beyond float32, Go formats it as ±Inf
            return ".inf" if value > 0 else "-.inf"
        return _go_float32_g(value)
    return None


def _go_float32_g(number: float) -> str:
    """strconv.FormatFloat(number, 'g', -1, 32): the shortest float32 digits, %e for exponents < -4 or >= 6."""
    scientific = np.format_float_scientific(np.float32(number), unique=True, trim="-")
    mantissa, _, exponent = scientific.partition("e")
    if -4 <= int(exponent) < 6:
        return np.format_float_positional(np.float32(number), unique=True, trim="-")
    return f"{mantissa}e{exponent}"
