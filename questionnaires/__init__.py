"""The shipped questionnaires (``*.yaml``), read by :mod:`surveyapp.questionnaire`.

Data only: this file makes the folder a package so that ``pip install .`` installs the
files beside ``surveyapp`` (where :func:`surveyapp.questionnaire.builtin_dir` finds them).
"""
