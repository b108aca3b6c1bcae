"""The error a questionnaire file is refused with, and the located problems behind it.

Every check (:mod:`.reading`, :mod:`.schema_errors`, :mod:`.semantics`) reports
:class:`Problem` objects, each at a path of the document such as
``("dimensions", 2, "weight")``; :mod:`.loader` places them on their line and turns them
into :class:`QuestionnaireError`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .messages import texts

__all__ = ["Path_", "Problem", "QuestionnaireError", "format_key"]

#: Where a value sits in a document: keys and list indexes from the top.
Path_ = tuple[str | int, ...]


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used, with where and why.

    ``key`` is the path of the offending value, such as
    ``dimensions[2].items[0].weight`` ("" for the whole document); ``line`` is 1-based,
    or None when unknown.  ``message`` is English; ``zh`` the same problem in Chinese
    ("" when there is none), which the editor shows first.
    """

    def __init__(self, file: str, key: str, line: int | None, message: str, zh: str = "") -> None:
        super().__init__(file, key, line, message)
        self.file = file
        self.key = key
        self.line = line
        self.message = message
        self.zh = zh

    @property
    def both(self) -> str:
        """The problem as "中文 / English" (the English alone when there is no Chinese)."""
        return f"{self.zh} / {self.message}" if self.zh else self.message

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}" if where else str(self.line)
        parts = [part for part in (where, self.key, self.message) if part]
        return ": ".join(parts)


class Problem(Exception):
    """A located problem, turned into a :class:`QuestionnaireError` by the loader.

    ``line`` overrides the line of ``path`` (a problem of the YAML itself, such as a
    duplicate key); ``kind`` lets :func:`.schema_errors.most_specific` compare problems.
    ``message`` is English and ``zh`` its Chinese (see :mod:`.messages`).
    """

    def __init__(
        self,
        path: Path_,
        message: str,
        line: int | None = None,
        kind: str = "",
        zh: str = "",
    ) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.kind = kind
        self.zh = zh

    @classmethod
    def of(
        cls, path: Path_, text: str, line: int | None = None, kind: str = "", **values: object
    ) -> Problem:
        """The problem of the text ``text`` of :data:`.messages.KINDS` (the ``questionnaire`` catalogs) with its values."""
        zh, en = texts(text, **values)
        return cls(path, en, line, kind, zh)


def format_key(path: Iterable[str | int]) -> str:
    """``("dimensions", 2, "weight")`` -> ``"dimensions[2].weight"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
