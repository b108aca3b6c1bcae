"""Plan indicators: the targets of the government plans and how each stands.

* :mod:`.catalogue` — the plan files (``plans/*.yaml``), read and checked with every
  problem at its line;
* :mod:`.values` — the values a bureau enters per period (a correction is a new row,
  audited), one at a time or from a CSV file;
* :mod:`.bound` — the values computed instead (a sector's satisfaction index or rate
  from :mod:`surveyapp.indices`);
* :mod:`.progress` — the status of a value against the line from baseline to target
  (pure);
* :mod:`.report` — every indicator with its value and status, and its values over
  periods, for the command line, the plan pages, the API and the bulletin;
* :mod:`.access` — which account may enter which indicator's values;
* :mod:`.bulletin` — the bulletin's plan-progress section and its pinned inputs.

A service: it imports no blueprint (import-linter contract).
"""

from .access import may_enter, may_see_value, refused_rows
from .bound import BoundValue, bound_value, latest_bound_value
from .catalogue import (
    BINDINGS,
    Binding,
    Indicator,
    Plan,
    PlanError,
    builtin_dir,
    current_plans,
    discover,
    load_plan,
    load_plans,
    read_plan,
    satisfaction_targets,
    validate_files,
)
from .progress import DEFAULT_TOLERANCE_PP, STATUSES, Progress, Trajectory, progress
from .report import (
    NOT_COMPUTED,
    IndicatorStatus,
    SeriesPoint,
    indicator_series,
    plan_overview,
    plan_progress_as_of,
    plan_status,
    trajectory_of,
)
from .values import (
    EntryError,
    ImportOutcome,
    ValueEntry,
    check_entry,
    current_values,
    enter_value,
    import_values,
    period_span,
    read_values,
    value_history,
)

__all__ = [
    "BINDINGS",
    "DEFAULT_TOLERANCE_PP",
    "NOT_COMPUTED",
    "STATUSES",
    "Binding",
    "BoundValue",
    "EntryError",
    "ImportOutcome",
    "Indicator",
    "IndicatorStatus",
    "Plan",
    "PlanError",
    "Progress",
    "SeriesPoint",
    "Trajectory",
    "ValueEntry",
    "bound_value",
    "builtin_dir",
    "check_entry",
    "current_plans",
    "current_values",
    "discover",
    "enter_value",
    "import_values",
    "indicator_series",
    "latest_bound_value",
    "load_plan",
    "load_plans",
    "may_enter",
    "may_see_value",
    "period_span",
    "plan_overview",
    "plan_progress_as_of",
    "plan_status",
    "progress",
    "read_plan",
    "read_values",
    "refused_rows",
    "satisfaction_targets",
    "trajectory_of",
    "validate_files",
    "value_history",
]
