"""Questionnaires: the YAML format, its validation and the typed model.

Everything else reads questionnaires through :func:`load_questionnaire` (or
:func:`parse_questionnaire`) and the frozen dataclasses of :mod:`.model`.
"""

from .errors import QuestionnaireError
from .files import builtin_dir, discover, validate_files
from .loader import load_questionnaire, parse_questionnaire
from .model import (
    Dimension,
    Item,
    OpenQuestion,
    Option,
    OverallItem,
    Questionnaire,
    RespondentQuestion,
    Scale,
    Text,
)
from .schema import SECTORS, questionnaire_schema

__all__ = [
    "SECTORS",
    "Dimension",
    "Item",
    "OpenQuestion",
    "Option",
    "OverallItem",
    "Questionnaire",
    "QuestionnaireError",
    "RespondentQuestion",
    "Scale",
    "Text",
    "builtin_dir",
    "discover",
    "load_questionnaire",
    "parse_questionnaire",
    "questionnaire_schema",
    "validate_files",
]
