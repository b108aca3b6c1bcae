"""``surveyapp analyze``: the analysis contract on plain CSV files.

:mod:`surveyapp.responses.csv_layout` and :mod:`surveyapp.indices.margins_file` turn
RESPONSES.csv and MARGINS.csv into the arrays of :mod:`analysis`, checking them against
the questionnaire; :mod:`.command` is the click command and the JSON/table output.
"""

from surveyapp.csvtable import InputError
from surveyapp.indices.margins_file import read_margins
from surveyapp.responses.csv_layout import read_responses

__all__ = ["InputError", "read_margins", "read_responses"]
