"""Finding questionnaire files and checking a set of them together.

The shipped questionnaires live in the repository's ``questionnaires/`` folder
(:func:`builtin_dir`); the command line and the demo name folders or files, which
:func:`discover` expands and :func:`validate_files` checks, one error per bad file.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import QuestionnaireError
from .loader import load_questionnaire
from .messages import texts
from .model import Text
from .reading import Document

__all__ = ["SUFFIXES", "builtin_dir", "discover", "validate_files"]

SUFFIXES = (".yaml", ".yml")


def builtin_dir() -> Path:
    """The repository's ``questionnaires/`` folder of shipped questionnaires."""
    return Path(__file__).resolve().parents[2] / "questionnaires"


def discover(paths: Iterable[str | Path] | None = None) -> list[Path]:
    """Expand ``paths`` to questionnaire files, each once, in the given order.

    A directory stands for its ``*.yaml`` and ``*.yml`` files (not recursive, sorted
    by name); a file stands for itself.  No paths means :func:`builtin_dir`.  Raises
    :class:`FileNotFoundError` for a path that does not exist.
    """
    if paths is None:
        paths = [builtin_dir()]
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    return list(dict.fromkeys(found))


def validate_files(
    paths: Iterable[str | Path] | None = None,
    *,
    sectors: Mapping[str, Text] | Iterable[str] | None = None,
) -> list[QuestionnaireError]:
    """Check every file of ``paths`` (as for :func:`discover`); one error per bad file.

    All files are checked; a file that cannot be read is reported like a bad one.
    Besides each file's own problems, two files may not share an id and version.
    """
    files: list[Path] = []
    for path in map(Path, [builtin_dir()] if paths is None else paths):
        files.extend(discover([path]) if path.is_dir() else [path])
    errors: list[QuestionnaireError] = []
    seen: dict[tuple[str, int], Path] = {}
    for path in dict.fromkeys(files):
        try:
            questionnaire = load_questionnaire(path, sectors=sectors)
        except QuestionnaireError as exc:
            errors.append(exc)
            continue
        except OSError as exc:
            errors.append(QuestionnaireError(str(path), "", None, exc.strerror or str(exc)))
            continue
        key = (questionnaire.id, questionnaire.version)
        if key in seen:
            zh, en = texts("duplicate_version", qid=key[0], version=key[1], other=seen[key])
            errors.append(QuestionnaireError(str(path), "id", _id_line(path), en, zh))
        else:
            seen[key] = path
    return errors


def _id_line(path: Path) -> int | None:
    doc = Document(path.read_text(encoding="utf-8-sig"))
    return doc.marks.get(("id",), (None, 0))[0]
