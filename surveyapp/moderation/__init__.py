"""No unreviewed text in a publication.

Anything issued in the bureau's name — a bulletin now; complaint publicity, warnings
and inspection results later — prints a free text a person wrote only when an
evaluator approved it, and only in its publishable form (:mod:`.text`: masked, links
and contact details removed).  Identical texts are one queue entry with their count.

- :mod:`.text` — the key of a text and its publishable form;
- :mod:`.service` — review a set of texts against the stored decisions, approve or
  reject (with a reason; audited), count what was reviewed and approved;
- :mod:`.suggestions` — residents' suggestions of a round, from analysed responses only.

Importing this package registers the
:class:`~surveyapp.models.moderation.ModerationDecision` model.
"""

from .service import (
    Entry,
    Kind,
    ModerationError,
    Status,
    Tally,
    approved,
    count_texts,
    decide,
    review,
    tally,
)
from .suggestions import analysed_suggestions, round_review, round_scope, undecided_texts
from .text import MAX_CHARS, Publishable, normalise, publishable, text_key

__all__ = [
    "MAX_CHARS",
    "Entry",
    "Kind",
    "ModerationError",
    "Publishable",
    "Status",
    "Tally",
    "analysed_suggestions",
    "approved",
    "count_texts",
    "decide",
    "normalise",
    "publishable",
    "review",
    "round_review",
    "round_scope",
    "tally",
    "text_key",
    "undecided_texts",
]
