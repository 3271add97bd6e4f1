"""npkit's message catalogs: extract every message, update the zh_CN catalogs, compile them, or check them.

    .venv/bin/python tools/messages.py            # extract + update + compile every domain (`make messages`)
    .venv/bin/python tools/messages.py npkit      # the same for some domains only
    .venv/bin/python tools/messages.py --check    # exit 1 on a stale .po or .mo (what CI checks)
    .venv/bin/python tools/messages.py --stats    # per domain: messages, translated, missing, fuzzy

Domains (one .po file each, so translators never edit the same file): `npkit` (model → lint),
`npkit-tools` (errors, cli, lab, cluster), `npkit-ui` (widgets, course code, and what each outside address
of clusters.yaml stands for, which `overview()` shows), and one per notebook or
lab for its course data: `course-00` … `course-10`, `course-L1` … `course-L4` (its questions'
answer/reveal/prompt/labels, the exercises whose `notebook:` it is — title, task, hints — and its
intro card from notebooks.yaml). The Python code is read by Babel's extractor; the course data by
`extract_course` below, which takes each text exactly as the course layer looks it up (stripped).

Files: npkit/locale/zh_CN/LC_MESSAGES/<domain>.po (translated by people, committed) and .mo (compiled
here, committed too, so an editable install, Binder and a wheel need no build step; --check and
tests/i18n/test_catalogs.py fail when a .mo does not say what its .po says).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "npkit" / "locale"
COURSE = ROOT / "npkit" / "data" / "course"
LANGUAGES = ("zh_CN",)  # every language but English (the messages themselves)
PROJECT = "npkit"
HEADER = """\
# npkit's messages, domain {domain}, in {lang}.
# How to translate: docs/translating.md; the terms: docs/glossary.zh-CN.md.
# After editing: `make messages` (updates and compiles), then `make test`."""

# The Python code of each domain (paths relative to the repository root; a folder means every *.py in it).
CODE_DOMAINS: dict[str, tuple[str, ...]] = {
    "npkit": ("npkit/__init__.py", "npkit/i18n.py", "npkit/model", "npkit/selectors", "npkit/loading",
              "npkit/engine", "npkit/explain", "npkit/matrix", "npkit/diff", "npkit/connlist", "npkit/lint"),
    "npkit-tools": ("npkit/errors.py", "npkit/cli", "npkit/lab", "npkit/cluster"),
    "npkit-ui": ("npkit/widgets", "npkit/course"),
}
# The names Babel extracts (see npkit/i18n.py: messages(domain) returns these functions).
KEYWORDS = {"_": None, "gettext": None, "N_": None, "lazy_gettext": None, "ngettext": (1, 2),
            "pgettext": ((1, "c"), 2)}
COMMENT_TAGS = ("Translators:",)
# The course data's texts: questions/<nb>.yaml entries, exercises/<id>.yaml, notebooks.yaml["<nb>"].
QUESTION_KEYS = ("prompt", "answer", "reveal", "labels")
EXERCISE_KEYS = ("title", "task", "hints")
INTRO_KEYS = ("title", "chapter", "covers")


def course_ids() -> list[str]:
    """Every notebook and lab id of the course map ("00" … "10", "L1" … "L4")."""
    return [str(k) for k in yaml.safe_load((COURSE / "notebooks.yaml").read_text(encoding="utf-8"))]


def domains() -> list[str]:
    """Every domain: the code's, then one per notebook and lab."""
    return [*CODE_DOMAINS, *(f"course-{n}" for n in course_ids())]


def code_files(domain: str) -> list[Path]:
    """The Python files whose messages belong to `domain`."""
    out: list[Path] = []
    for name in CODE_DOMAINS[domain]:
        path = ROOT / name
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


# -- the course data's extractor ---------------------------------------------------------------------------

def _texts(node: yaml.Node, keys: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """(line, text) of the string values, and items of lists of strings, under `keys` of a YAML mapping."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if key.value not in keys:
            continue
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for item in items:
            if isinstance(item, yaml.ScalarNode) and str(item.value).strip():
                yield item.start_mark.line + 1, str(item.value).strip()


def _mapping(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def extract_course(fileobj: io.BufferedIOBase, keywords: object, comment_tags: object,
                   options: dict[str, str]) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extraction method for the course data: `options["kind"]` is question, exercise or intro;
    `options["notebook"]` picks the notebook (exercises whose `notebook:` it is, its notebooks.yaml entry)."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    kind, notebook = options["kind"], options["notebook"]
    if kind == "question":
        entries = [(k.value, v) for k, v in root.value] if isinstance(root, yaml.MappingNode) else []
        for name, entry in entries:
            for line, text in _texts(entry, QUESTION_KEYS):
                yield line, "_", text, [f"prediction {notebook}-{name}"]
    elif kind == "exercise":
        owner = _mapping(root, "notebook")
        if owner is not None and str(owner.value) == notebook:
            ident = _mapping(root, "id")
            for line, text in _texts(root, EXERCISE_KEYS):
                yield line, "_", text, [f"exercise {ident.value if ident else '?'}"]
    elif kind == "intro":
        for line, text in _texts(_mapping(root, notebook), INTRO_KEYS):
            yield line, "_", text, [f"intro card of {notebook}"]
    elif kind == "cluster":  # clusters.yaml: what each address outside a model cluster stands for
        for name, entry in root.value if isinstance(root, yaml.MappingNode) else []:
            addresses = _mapping(entry, "external")
            for address, fields in addresses.value if isinstance(addresses, yaml.MappingNode) else []:
                for line, text in _texts(fields, ("what",)):
                    yield line, "_", text, [f"address {address.value} of model cluster {name.value}"]


def _course_sources(notebook: str) -> list[tuple[Path, dict[str, str]]]:
    sources = [(COURSE / "notebooks.yaml", {"kind": "intro"})]
    question_file = COURSE / "questions" / f"{notebook}.yaml"
    if question_file.exists():
        sources.append((question_file, {"kind": "question"}))
    sources += [(p, {"kind": "exercise"}) for p in sorted((COURSE / "exercises").glob("*.yaml"))]
    return [(p, {**o, "notebook": notebook}) for p, o in sources]


# -- extraction, update, compilation -----------------------------------------------------------------------

def template(domain: str) -> Catalog:
    """Every message of `domain` as the code and the course data say it now (a .pot in memory)."""
    catalog = Catalog(project=PROJECT, domain=domain, fuzzy=False)
    if domain in CODE_DOMAINS:
        jobs = [(p, "python", {}) for p in code_files(domain)]
        if domain == "npkit-ui":  # course data the course code shows itself (overview's addresses)
            jobs.append((COURSE / "clusters.yaml", extract_course, {"kind": "cluster", "notebook": ""}))
    else:
        jobs = [(p, extract_course, o) for p, o in _course_sources(domain.removeprefix("course-"))]
    for path, method, options in jobs:
        with path.open("rb") as f:
            for lineno, message, comments, context in extract(method, f, KEYWORDS, COMMENT_TAGS, options):
                where = (path.relative_to(ROOT).as_posix(), lineno)
                catalog.add(message, None, [where], auto_comments=comments, context=context)
    return catalog


def po_path(domain: str, lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def mo_path(domain: str, lang: str) -> Path:
    return po_path(domain, lang).with_suffix(".mo")


def read_catalog(domain: str, lang: str) -> Catalog | None:
    path = po_path(domain, lang)
    if not path.exists():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=domain)


def _po_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # No line numbers (they move with every edit, and would make every change touch the catalog) and
    # no obsolete entries (git keeps history); sorted by where a message first appears.
    write_po(out, catalog, width=100, include_lineno=False, ignore_obsolete=True, sort_by_file=False)
    return out.getvalue()


def _without_dates(text: bytes) -> bytes:
    return b"\n".join(line for line in text.split(b"\n") if not line.startswith((b'"POT-Creation-Date',
                                                                                  b'"PO-Revision-Date')))


def updated(domain: str, lang: str) -> bytes:
    """The .po text `domain` should have in `lang`: the existing translations, updated to the code."""
    fresh = template(domain)
    catalog = read_catalog(domain, lang)
    if catalog is None:
        catalog = Catalog(locale=lang, domain=domain, project=PROJECT, version="", fuzzy=False,
                          copyright_holder="the npkit authors", msgid_bugs_address="",
                          header_comment=HEADER.format(domain=domain, lang=lang))
    catalog.update(fresh, no_fuzzy_matching=False, update_header_comment=False)
    return _po_text(catalog)


def compiled(domain: str, lang: str) -> bytes:
    """The .mo bytes of `domain`'s .po in `lang` (fuzzy entries left out: they show in English)."""
    catalog = read_catalog(domain, lang)
    assert catalog is not None
    # Only what is translated: Babel would fill an untranslated plural with the English singular, and
    # with Chinese's single plural form that would say "3 error" (gettext's own fallback says it right).
    for m in [m for m in catalog if m.id and not _translated(m)]:
        catalog.delete(m.id, context=m.context)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def translations(catalog: Catalog) -> dict[object, object]:
    """What a catalog translates: (context, id) → string, for the messages with a usable translation."""
    out: dict[object, object] = {}
    for m in catalog:
        if m.id and not m.fuzzy and _translated(m):
            out[(m.context, _tuple(m.id))] = _tuple(m.string)
    return out


def _tuple(value: object) -> object:
    """Plural ids and strings as tuples (read_po gives tuples, read_mo lists)."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def write(domain: str, lang: str) -> list[str]:
    """Update and compile one catalog; the files that changed."""
    changed = []
    po = po_path(domain, lang)
    po.parent.mkdir(parents=True, exist_ok=True)
    text = updated(domain, lang)
    if not po.exists() or _without_dates(po.read_bytes()) != _without_dates(text):
        po.write_bytes(text)
        changed.append(po.relative_to(ROOT).as_posix())
    mo = mo_path(domain, lang)
    data = compiled(domain, lang)
    if not mo.exists() or _mo_says(mo.read_bytes()) != _mo_says(data):
        mo.write_bytes(data)
        changed.append(mo.relative_to(ROOT).as_posix())
    return changed


def _mo_says(data: bytes) -> dict[object, object]:
    return translations(read_mo(io.BytesIO(data)))


# -- checks -------------------------------------------------------------------------------------------------

@dataclass
class Status:
    domain: str
    lang: str
    messages: int
    missing: list[str]
    fuzzy: list[str]
    stale: str  # "" when the .po has exactly the messages the code and data have, and the .mo agrees

    @property
    def complete(self) -> bool:
        return not (self.missing or self.fuzzy or self.stale)


def _key(m: Message) -> tuple[object, object]:
    return (m.context, m.id)


def status(domain: str, lang: str) -> Status:
    """How `domain`'s catalog in `lang` stands: stale, and which messages lack a translation or are fuzzy."""
    fresh = {_key(m) for m in template(domain) if m.id}
    catalog = read_catalog(domain, lang)
    if catalog is None:
        return Status(domain, lang, len(fresh), [], [], f"{po_path(domain, lang).name} is missing")
    entries = [m for m in catalog if m.id]
    have = {_key(m) for m in entries}
    stale = ""
    if have != fresh:
        new, gone = len(fresh - have), len(have - fresh)
        stale = f"{new} new and {gone} removed messages since the last `make messages`"
    elif not mo_path(domain, lang).exists() or _mo_says(mo_path(domain, lang).read_bytes()) != translations(
            catalog):
        stale = f"{mo_path(domain, lang).name} is not compiled from its .po"
    missing = [_show(m) for m in entries if not m.fuzzy and not _translated(m)]
    fuzzy = [_show(m) for m in entries if m.fuzzy]
    return Status(domain, lang, len(fresh), missing, fuzzy, stale)


def _translated(m: Message) -> bool:
    return all(m.string) if isinstance(m.string, (list, tuple)) else bool(m.string)


def _show(m: Message) -> str:
    text = m.id[0] if isinstance(m.id, tuple) else m.id
    return text if len(text) < 70 else text[:67] + "..."


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    chosen = [a for a in argv if not a.startswith("--")] or domains()
    unknown = sorted(set(chosen) - set(domains()))
    if unknown:
        print(f"no such domain: {', '.join(unknown)} (choose from {', '.join(domains())})", file=sys.stderr)
        return 2
    if "--check" in flags or "--stats" in flags:
        failed = False
        for domain in chosen:
            for lang in LANGUAGES:
                s = status(domain, lang)
                print(f"{domain:12} {lang}: {s.messages:4} messages, {len(s.missing):4} missing, "
                      f"{len(s.fuzzy):3} fuzzy{'  STALE: ' + s.stale + ' (run `make messages`)' if s.stale else ''}")
                failed |= bool(s.stale)
        return 1 if failed and "--check" in flags else 0
    for domain in chosen:
        for lang in LANGUAGES:
            for path in write(domain, lang):
                print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
