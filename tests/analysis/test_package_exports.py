"""The ``analysis`` package exports its entry points without hiding the module that defines them."""

from __future__ import annotations

import importlib
import types

import analysis


def test_the_entry_points_are_exported_and_the_module_stays_reachable():
    pipeline = importlib.import_module("analysis.pipeline")
    assert isinstance(pipeline, types.ModuleType)
    assert analysis.pipeline is pipeline
    assert analysis.run is pipeline.run
    assert analysis.prepare is pipeline.prepare
    assert analysis.Prepared is pipeline.Prepared
    assert {"run", "prepare", "Prepared"} <= set(analysis.__all__)
