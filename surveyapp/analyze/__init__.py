"""``surveyapp analyze``: the analysis contract on CSV files (:mod:`.files`) and on a
stored round (:mod:`.stored`), printed by :mod:`.render`; the click command is
:mod:`surveyapp.cli.analyze`."""

from .files import analyze_files
from .render import render, render_change, render_table
from .stored import analyze_stored

__all__ = ["analyze_files", "analyze_stored", "render", "render_change", "render_table"]
