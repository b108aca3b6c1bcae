"""The gettext catalogs: complete for zh and en, nothing unused, compiled (tools/catalogs.py),
and a check that does fail on each kind of problem."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[2]


def _load_tool():
    spec = importlib.util.spec_from_file_location("catalogs_tool", ROOT / "tools" / "catalogs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


catalogs = _load_tool()


def test_the_repository_catalogs_are_complete_used_and_compiled():
    assert catalogs.problems() == []


def test_every_domain_has_entries_and_both_languages():
    for domain in catalogs.DOMAINS:
        assert len(catalogs.extracted(domain)) > 10, domain.name
        for lang in catalogs.LANGS:
            assert domain.po(lang).exists() and domain.mo(lang).exists()


def _po(path: Path, lang: str, entries: dict[str, str], fuzzy: tuple[str, ...] = ()) -> Catalog:
    catalog = Catalog(locale=lang, domain="demo", fuzzy=False)
    for key, text in entries.items():
        catalog.add(key, text, flags=("fuzzy",) if key in fuzzy else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, no_location=True)
    path.write_bytes(buffer.getvalue())
    return catalog


def test_the_check_names_every_kind_of_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogs, "ROOT", tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    (src / "view.py").write_text(
        'from x import t, N_\nt("hello", "zh")\nt("missing", "en")\nN_("greet")\nt("wrong")\n',
        encoding="utf-8",
    )
    domain = catalogs.Domain("demo", tmp_path / "translations", src, [("**.py", "python")])
    zh = _po(
        domain.po("zh"),
        "zh",
        {"hello": "你好", "greet": "欢迎 {name}", "gone": "旧的", "wrong": "错 {x}"},
        fuzzy=("greet",),
    )
    _po(domain.po("en"), "en", {"hello": "", "greet": "Welcome {name}", "wrong": "Wrong {y}"})
    domain.mo("zh").write_bytes(catalogs.compiled(zh))  # up to date
    domain.mo("en").write_bytes(b"stale")

    found = "\n".join(catalogs.problems([domain]))

    assert "zh/LC_MESSAGES/demo.po: no entry for 'missing'" in found
    assert "en/LC_MESSAGES/demo.po: no entry for 'missing'" in found
    assert "'gone' is no longer used" in found
    assert "'greet' is fuzzy" in found
    assert "en/LC_MESSAGES/demo.po: 'hello' has no translation" in found
    assert "en/LC_MESSAGES/demo.mo: not the compiled .po" in found
    assert "zh/LC_MESSAGES/demo.mo" not in found
    assert "'wrong' has other placeholders per language (zh: ['x'], en: ['y'])" in found

    catalogs.update([domain])
    catalogs.compile_all([domain])
    after = "\n".join(catalogs.problems([domain]))
    assert (
        "no entry" not in after
        and "no longer used" not in after
        and "not the compiled" not in after
    )
    assert "'missing' has no translation" in after  # update adds it, a translator fills it


def test_a_message_with_a_context_is_its_own_entry(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogs, "ROOT", tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    (src / "words.py").write_text('pN_("schema word", "empty")\n', encoding="utf-8")
    domain = catalogs.Domain(
        "demo", tmp_path / "translations", src, [("**.py", "python")], {"pN_": ((1, "c"), 2)}
    )
    for lang in catalogs.LANGS:
        _po(domain.po(lang), lang, {"empty": "空"})  # the same id without the context
    found = "\n".join(catalogs.problems([domain]))
    assert "no entry for 'empty' (context 'schema word')" in found
    assert "'empty' is no longer used" in found
    catalogs.update([domain])
    catalog = catalogs._read(domain.po("zh"), "zh")
    assert [(m.context, m.id) for m in catalog if m.id] == [("schema word", "empty")]
