"""Consumer complaints (消费投诉): intake, handling on working-day deadlines, publicity.

One path for every channel: :func:`intake` (web form, API, a hotline's CSV file through
:func:`read_complaints` / :func:`import_complaints`) stores complaints whole or not at
all.  :func:`transition` walks a case through its states (:mod:`.states`), each step
in the case's history and the audit log.  :func:`case_deadlines`, :func:`overdue` and
:func:`due_soon` count working days by the official holiday calendar
(:mod:`surveyapp.workdays`).  :func:`match_provider` points a complaint that named
its provider by free text at the registry.  :func:`publicity` aggregates what may be published per
provider and month, and :func:`purge_complainant_data` clears names and phones after
the retention period.  Settings: :class:`ComplaintSettings`.
"""

from __future__ import annotations

from surveyapp.complaints.deadlines import (
    CaseDeadlines,
    OpenCase,
    case_deadlines,
    due_soon,
    list_complaints,
    open_case_counts,
    open_cases,
    overdue,
)
from surveyapp.complaints.drafts import (
    CHANNELS,
    ComplaintDraft,
    DraftProblem,
    IntakeError,
    Intaken,
    check_drafts,
    find_by_receipt,
    intake,
)
from surveyapp.complaints.importer import ComplaintsFile, import_complaints, read_complaints
from surveyapp.complaints.matching import MatchError, match_provider
from surveyapp.complaints.publicity import Publicity, PublicityLine, publicity, publicity_csv
from surveyapp.complaints.retention import purge_complainant_data
from surveyapp.complaints.settings import ComplaintSettings
from surveyapp.complaints.states import TRANSITIONS, TransitionError, transition

__all__ = [
    "CHANNELS",
    "TRANSITIONS",
    "CaseDeadlines",
    "ComplaintDraft",
    "ComplaintSettings",
    "ComplaintsFile",
    "DraftProblem",
    "IntakeError",
    "Intaken",
    "MatchError",
    "OpenCase",
    "Publicity",
    "PublicityLine",
    "TransitionError",
    "case_deadlines",
    "check_drafts",
    "due_soon",
    "find_by_receipt",
    "import_complaints",
    "intake",
    "list_complaints",
    "match_provider",
    "open_case_counts",
    "open_cases",
    "overdue",
    "publicity",
    "publicity_csv",
    "purge_complainant_data",
    "read_complaints",
    "transition",
]
