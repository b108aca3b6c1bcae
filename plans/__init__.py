"""The shipped plan files (``*.yaml``), read by :mod:`surveyapp.plans`.

Data only: this file makes the folder a package so that ``pip install .`` installs the
files beside ``surveyapp`` (where :func:`surveyapp.plans.builtin_dir` finds them).
"""
