"""Reading a questionnaire's YAML: the data, and where each key and entry sits in the file.

This is the first check a file goes through: the bytes must be UTF-8, the text YAML,
and every key of a mapping text and unique.  A :class:`Document` keeps the line of
every path so that the later checks can name the line of what they refuse.

A questionnaire is a small, shallow document, and the text may come from anyone with
the editor open, so the reader refuses what only an attack needs, while composing the
document and before anything is built from it: more than :data:`MAX_ALIASES` aliases
(``*name``), an alias inside its own anchor, nesting deeper than :data:`MAX_DEPTH`, and
more than :data:`MAX_NODES` values once aliases are expanded.  A 370-byte "billion
laughs" alias bomb otherwise expands to hundreds of millions of values (33 s and 3 GB),
and 10,000 nested brackets exhaust Python's recursion limit.
"""

from __future__ import annotations

from typing import Any, NoReturn

import yaml

from .errors import Path_, Problem, QuestionnaireError
from .messages import texts

__all__ = [
    "LinedFileError",
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "TooComplex",
    "decode",
    "read_lined",
    "yaml_error",
]

#: Aliases (``*name``) in one document at most; the shipped questionnaires use none.
MAX_ALIASES = 50
#: Nesting of lists and mappings at most; the format itself is seven levels deep
#: (``dimensions[0].items[0].scale.labels.zh[0]``).
MAX_DEPTH = 50
#: Values (keys, scalars, lists, mappings) at most, every alias counted as what it
#: stands for; a large questionnaire has a few thousand.
MAX_NODES = 100_000


class TooComplex(yaml.composer.ComposerError):
    """YAML refused for its aliases, depth or expanded size, at the line where it happens."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that bounds aliases, depth and expanded size while composing.

    Composed nodes keep their marks (PyYAML always does).  ``compose_node`` is where
    PyYAML recurses and where an alias is resolved, so the counts are kept there, before
    any node is constructed or walked.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> values it stands for, when composed

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                _refuse(f"more than {MAX_ALIASES} aliases (*name)", event.start_mark)
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                _refuse(f"alias *{event.anchor} is inside its own anchor", event.start_mark)
            return node
        if self._depth >= MAX_DEPTH:
            _refuse(f"lists and mappings nested more than {MAX_DEPTH} deep", event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._sizes[id(child)] for child in node.value)
        else:
            size = 1
        if size > MAX_NODES and node is not None:
            _refuse(
                f"more than {MAX_NODES} values once aliases (*name) are expanded",
                node.start_mark,
            )
        self._sizes[id(node)] = size
        return node

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date-like value that is no date (``2025-13-01``) is a YAML error at its line,
        not a ValueError from deep inside PyYAML."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value} is not a date ({exc})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _refuse(problem: str, mark: Any) -> NoReturn:
    raise TooComplex(None, None, problem, mark)


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class Document:
    """A parsed YAML document: its data and where each path sits in the file.

    Raises :class:`yaml.YAMLError` for text that is not YAML; problems of the keys
    (not text, duplicated) are collected in :attr:`problems`.
    """

    def __init__(self, text: str) -> None:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            self.data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        if node is not None:
            self.marks[()] = (node.start_mark.line + 1, node.start_mark.column)
            self._index(node, ())

    def _index(self, node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                mark = (key_node.start_mark.line + 1, key_node.start_mark.column)
                if key_node.tag == _MERGE_TAG:
                    continue
                if key_node.tag != _STR_TAG or not isinstance(key_node, yaml.ScalarNode):
                    shown = getattr(key_node, "value", "?")
                    if not isinstance(shown, str):
                        shown = "a list or mapping"
                    self.problems.append(Problem.of(path, "key_not_text", mark[0], shown=shown))
                    continue
                key = key_node.value
                child = (*path, key)
                if key in seen:
                    self.problems.append(
                        Problem.of(child, "duplicate_key", mark[0], key=key, other=seen[key])
                    )
                else:
                    seen[key] = mark[0]
                self.marks.setdefault(child, mark)
                self._index(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, value_node in enumerate(node.value):
                child = (*path, index)
                mark = (value_node.start_mark.line + 1, value_node.start_mark.column)
                self.marks.setdefault(child, mark)
                self._index(value_node, child)

    def mark(self, path: Path_) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest ancestor found in the file."""
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 0))

    def line(self, path: Path_) -> int:
        return self.mark(path)[0]


class LinedFileError(ValueError):
    """A small YAML file (rules, plans, rating forms) refused; ``problems`` are
    ``file:line: what`` lines, every one found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_lined(text: str, source: str) -> tuple[Document, list[str]]:
    """The document of a small YAML file and the problems of its keys, as ``file:line:
    what`` lines; text that is not YAML (or a value such as the date 2025-13-01) raises
    :class:`LinedFileError` at its line.  The one start of every line-numbered format
    besides questionnaires (credit rules, plans, rating forms)."""
    try:
        doc = Document(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or exc
        if isinstance(exc, yaml.constructor.ConstructorError):
            raise LinedFileError([f"{source}:{line}: {problem}"]) from None
        raise LinedFileError([f"{source}:{line}: not YAML ({problem})"]) from None
    return doc, [f"{source}:{p.line or doc.line(p.path)}: {p.message}" for p in doc.problems]


def decode(raw: bytes, source: str) -> str:
    """The text of a file's bytes: UTF-8, a byte-order mark allowed."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _error(source, line, "not_utf8") from None


def _error(source: str, line: int | None, text: str, **values: object) -> QuestionnaireError:
    zh, en = texts(text, **values)
    return QuestionnaireError(source, "", line, en, zh)


def yaml_error(exc: yaml.YAMLError, text: str, source: str) -> QuestionnaireError:
    """The :class:`QuestionnaireError` for YAML that does not parse, at its line.

    PyYAML's own words stay English inside the Chinese text too; what to do is said in
    both languages.
    """
    if isinstance(exc, TooComplex) and exc.problem_mark is not None:
        return _error(source, exc.problem_mark.line + 1, "too_complex", problem=exc.problem)
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        line = exc.problem_mark.line + 1
        problem = exc.problem or "invalid YAML"
        context = exc.context or ""
        if context.startswith("expected") and problem.startswith("but found"):
            detail = f"{context}, {problem}"
        elif context:
            detail = f"{problem} ({context})"
        else:
            detail = problem
        if isinstance(exc, yaml.constructor.ConstructorError):
            return _error(source, line, "yaml_error", detail=detail)
        if "'\\t'" in problem:
            return _error(source, line, "yaml_tab")
        if "flow" in context:
            return _error(source, line, "yaml_quote", detail=detail)
        if "block" in context:
            return _error(source, line, "yaml_indent", detail=detail)
        return _error(source, line, "yaml_syntax", detail=detail)
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        return _error(source, line, "yaml_character", code=f"{exc.character:04x}")
    return _error(source, None, "yaml_syntax", detail=str(exc))
