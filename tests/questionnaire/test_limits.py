"""YAML that only an attack needs is refused while it is read, before anything is built.

Before these limits, the alias bomb below (under 400 bytes) took over 30 s and 3 GB to
refuse, a recursive alias and 10,000 nested brackets raised ``RecursionError``: each
is now a :class:`QuestionnaireError` at its line, in milliseconds.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyapp.cli import main
from surveyapp.questionnaire import QuestionnaireError, load_questionnaire, parse_questionnaire
from surveyapp.questionnaire.loader import questionnaire_errors
from surveyapp.questionnaire.reading import MAX_ALIASES, MAX_DEPTH, MAX_NODES

MINIMAL = Path(__file__).resolve().parent / "data" / "minimal.yaml"


def _laughs(levels: int, width: int) -> str:
    """The "billion laughs": each level a list of ``width`` aliases of the one before."""
    names = "abcdefghijklmnop"
    lines = [f"a: &a [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        refs = ", ".join([f"*{names[level - 1]}"] * width)
        lines.append(f"{names[level]}: &{names[level]} [{refs}]")
    return "\n".join(lines) + "\n"


ALIAS_BOMB = _laughs(9, 9)  # 9**9 = 387 million values once expanded
WIDE_BOMB = _laughs(6, 10)  # 50 aliases: within the count, 10**6 values once expanded
MANY_ALIASES = "a: &a x\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"


def _refused(text: str) -> QuestionnaireError:
    """Refused, and before anything was expanded: the memory the parse took at its peak
    (the expanded alias bomb took 3 GB) is bounded, not its time (a timed assertion fails
    on a busy machine and proves little)."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        with pytest.raises(QuestionnaireError) as info:
            parse_questionnaire(text, "attack.yaml")
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if not tracing:
            tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB to refuse a {len(text)}-byte file"
    assert [str(e) for e in questionnaire_errors(text, "attack.yaml")] == [str(info.value)]
    return info.value


def test_the_bombs_are_small():
    assert len(ALIAS_BOMB.encode()) < 400 and len(WIDE_BOMB.encode()) < 400
    assert WIDE_BOMB.count("*") == MAX_ALIASES


@pytest.mark.parametrize(("text", "line"), [(ALIAS_BOMB, 6), (WIDE_BOMB, 5)], ids=["9x9", "10x5"])
def test_alias_bomb_is_refused_by_its_expanded_size(text, line):
    err = _refused(text)
    assert (err.file, err.line, err.key) == ("attack.yaml", line, "")
    assert err.message == (
        f"YAML refused: more than {MAX_NODES} values once aliases (*name) are expanded; "
        "a questionnaire needs far less"
    )
    assert str(err).startswith(f"attack.yaml:{line}: YAML refused:")


def test_more_aliases_than_the_bound_are_refused():
    err = _refused(MANY_ALIASES)
    assert (err.line, err.message) == (
        2,
        f"YAML refused: more than {MAX_ALIASES} aliases (*name); a questionnaire needs far less",
    )


def test_alias_inside_its_own_anchor_is_refused():
    err = _refused("id: x\nloop: &loop\n  - 1\n  - *loop\n")
    assert (err.line, err.message) == (
        4,
        "YAML refused: alias *loop is inside its own anchor; a questionnaire needs far less",
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("id: x\ndeep: " + "[" * 10_000 + "]" * 10_000 + "\n", 2),
        ("id: x\ndeep: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", 2),
        ("".join(" " * depth + "a:\n" for depth in range(10_000)), MAX_DEPTH),
        ("".join(" " * depth + "-\n" for depth in range(10_000)), MAX_DEPTH + 1),
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings", "block-lists"],
)
def test_10000_deep_nesting_is_refused_at_its_line(text, line):
    err = _refused(text)
    assert err.line == line
    assert err.message == (
        f"YAML refused: lists and mappings nested more than {MAX_DEPTH} deep; "
        "a questionnaire needs far less"
    )


def test_nesting_up_to_the_limit_is_read():
    text = "id: x\ndeep: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    # read and indexed; refused only by the schema, for the unknown key
    assert _refused(text).message == "unknown key 'deep'"


def test_a_few_anchors_and_aliases_still_work():
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("    zh: [非常不满意", "    zh: &labels [非常不满意")
    text = text.replace("title: 服务", "title: {zh: 服务, x-labels: *labels}")
    text = text.replace("  - id: hygiene\n", "  - &hygiene\n    id: hygiene\n")
    q = parse_questionnaire(text, "anchors.yaml")
    assert q.dimensions[1].title.zh == "服务"


def test_file_and_cli_name_the_file_and_line(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert (info.value.file, info.value.line) == (str(path), 6)

    result = CliRunner().invoke(main, ["questionnaires", "validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:6: YAML refused: more than {MAX_NODES} values once aliases (*name) are "
        "expanded; a questionnaire needs far less\n"
    )
