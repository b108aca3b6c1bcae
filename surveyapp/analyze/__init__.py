"""``surveyapp analyze``: the analysis contract on plain CSV files.

:mod:`.csv_input` turns RESPONSES.csv and MARGINS.csv into the arrays of
:mod:`analysis`, checking them against the questionnaire; :mod:`.command` is the click
command and the JSON/table output.
"""

from .csv_input import InputError, read_margins, read_responses

__all__ = ["InputError", "read_margins", "read_responses"]
