"""The gettext catalogs of surveyapp: extract, update, compile and check them.

    python tools/catalogs.py update    # extract the message ids, add new ones to every
                                       # catalog (empty), drop the ones no longer used
    python tools/catalogs.py compile   # .po -> .mo (the .mo files are committed)
    python tools/catalogs.py check     # CI: exit 1 naming every problem

Three domains, each with a Chinese (``zh``) and an English (``en``) catalog; a message id
is a symbolic key (``thanks_title``) that both translate:

- ``messages``: the web pages, the API and the command line (``surveyapp/``, Python code
  and Jinja templates, mapped by ``babel.cfg``);
- ``questionnaire``: the problems of a questionnaire file (``surveyapp/questionnaire/``);
- ``bulletin``: the PDF bulletin (``reports/``, read without Flask).

The check fails on a message id of the code missing from a catalog, an entry no longer
used (obsolete), an empty or fuzzy translation, a ``{placeholder}`` that one language
has and the other has not, and a ``.mo`` that is not the compiled ``.po``.
"""

from __future__ import annotations

import contextlib
import io
import string
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("zh", "en")

#: Calls that take a message id, with its position (None: the first argument).
#: ``t(key, lang)``, ``both(key)`` and ``bilingual(key)`` look a text up; ``N_(key)`` marks an id looked up
#: later; ``_`` and ``gettext`` are the templates'; the others are errors that carry the
#: id of their text (an API error code, a field error, a refused upload ...).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "t": None,
    "N_": None,
    "_": None,
    "gettext": None,
    "both": None,
    "bilingual": None,
    "error_response": (2,),
    "FieldError": None,
    "BadParameter": (2,),
    "DashboardError": (2,),
    "MarginsRejected": None,
    "RoundNotOpen": None,
    "_stop": None,
}


@dataclass(frozen=True)
class Domain:
    name: str
    catalogs: Path  # holds <lang>/LC_MESSAGES/<name>.po and .mo
    sources: Path
    mapping: list[tuple[str, str]]
    keywords: Mapping[str, tuple[int, ...] | None] = field(default_factory=lambda: KEYWORDS)

    def po(self, lang: str) -> Path:
        return self.catalogs / lang / "LC_MESSAGES" / f"{self.name}.po"

    def mo(self, lang: str) -> Path:
        return self.po(lang).with_suffix(".mo")


def _babel_cfg() -> list[tuple[str, str]]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as fileobj:
        method_map, _options = parse_mapping_cfg(fileobj)
    return method_map


DOMAINS = (
    Domain("messages", ROOT / "surveyapp" / "translations", ROOT / "surveyapp", _babel_cfg()),
    Domain(
        "questionnaire",
        ROOT / "surveyapp" / "translations",
        ROOT / "surveyapp" / "questionnaire",
        [("**.py", "python")],
        {"N_": None, "texts": None, "pN_": ((1, "c"), 2)},
    ),
    Domain(
        "bulletin",
        ROOT / "reports" / "translations",
        ROOT / "reports",
        [("**.py", "python")],
        {"N_": None, "t": None, "texts": None},
    ),
)


#: A message: its context (None for most) and its id.
Key = tuple[str | None, str]


def _name(key: Key) -> str:
    context, msgid = key
    return repr(msgid) if context is None else f"{msgid!r} (context {context!r})"


def extracted(domain: Domain) -> dict[Key, list[str]]:
    """Every message of the domain's sources, with where it is used."""
    found: dict[Key, list[str]] = {}
    # Babel warns on stderr at every f-string given to a keyword: those are the ids built
    # at run time, each listed with N_() where it is looked up.
    with contextlib.redirect_stderr(io.StringIO()):
        messages = list(
            extract_from_dir(
                domain.sources, domain.mapping, keywords=domain.keywords, comment_tags=()
            )
        )
    for filename, lineno, message, _comments, context in messages:
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return found


def _key_of(message: Message) -> Key:
    return (message.context, str(message.id))


def _read(path: Path, lang: str) -> Catalog:
    with open(path, "rb") as fileobj:
        return read_po(fileobj, locale=lang)


def _write(path: Path, catalog: Catalog) -> None:
    with open(path, "wb") as fileobj:
        write_po(fileobj, catalog, sort_output=True, no_location=True, width=100)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _fields(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<malformed>"}


def problems(domains: Iterable[Domain] = DOMAINS) -> list[str]:
    """What is wrong with the catalogs, one line each (empty: all is well)."""
    out: list[str] = []
    for domain in domains:
        used = extracted(domain)
        texts: dict[Key, dict[str, str]] = {}
        for lang in LANGS:
            path = domain.po(lang)
            rel = path.relative_to(ROOT)
            if not path.exists():
                out.append(f"{rel}: missing")
                continue
            catalog = _read(path, lang)
            ids = {_key_of(m) for m in catalog if m.id}
            for key in sorted(set(used) - ids, key=_name):
                out.append(f"{rel}: no entry for {_name(key)} (used at {used[key][0]})")
            for key in sorted(ids - set(used), key=_name):
                out.append(f"{rel}: {_name(key)} is no longer used by the code (remove it)")
            for obsolete in catalog.obsolete:
                out.append(f"{rel}: obsolete entry {obsolete!r} (remove it)")
            for message in catalog:
                if not message.id:
                    continue
                if message.fuzzy:
                    out.append(
                        f"{rel}: {_name(_key_of(message))} is fuzzy (check it, drop the flag)"
                    )
                if not message.string:
                    out.append(f"{rel}: {_name(_key_of(message))} has no translation")
                else:
                    texts.setdefault(_key_of(message), {})[lang] = str(message.string)
            mo = domain.mo(lang)
            if not mo.exists() or mo.read_bytes() != compiled(catalog):
                out.append(f"{mo.relative_to(ROOT)}: not the compiled .po (run compile)")
        for key, by_lang in sorted(texts.items(), key=lambda item: _name(item[0])):
            # one language may leave a value out (Chinese has no plural "s"), never add one
            zh, en = (_fields(by_lang.get(lang, "")) for lang in LANGS)
            if not (zh <= en or en <= zh):
                out.append(
                    f"{domain.name}: {_name(key)} has other placeholders per language"
                    f" (zh: {sorted(zh)}, en: {sorted(en)})"
                )
    return out


def update(domains: Iterable[Domain] = DOMAINS) -> None:
    """Add the new message ids to every catalog (to translate) and drop unused ones."""
    for domain in domains:
        used = extracted(domain)
        for lang in LANGS:
            path = domain.po(lang)
            catalog = _read(path, lang)
            for context, msgid in set(used) - {_key_of(m) for m in catalog if m.id}:
                catalog.add(msgid, "", context=context)
                print(f"{path.relative_to(ROOT)}: added {_name((context, msgid))}: translate it")
            for message in list(catalog):
                if message.id and _key_of(message) not in used:
                    catalog.delete(message.id, context=message.context)
                    print(f"{path.relative_to(ROOT)}: removed {_name(_key_of(message))}")
            catalog.obsolete.clear()
            _write(path, catalog)


def compile_all(domains: Iterable[Domain] = DOMAINS) -> None:
    for domain in domains:
        for lang in LANGS:
            catalog = _read(domain.po(lang), lang)
            domain.mo(lang).write_bytes(compiled(catalog))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        if found:
            print(
                f"{len(found)} catalog problem(s): see README, 'Adding or changing a text'",
                file=sys.stderr,
            )
            return 1
        print("catalogs: complete and compiled")
    else:
        print("usage: python tools/catalogs.py update|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
