"""The reader's own pyarrow-to-numpy conversions (pyarrow's import pandas)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from surveyapp.csvtable import booleans, integers, mask, positions, texts

RESPONSES = Path(__file__).resolve().parent / "analysis" / "results" / "responses_A.csv"
QUESTIONNAIRE = Path(__file__).resolve().parent / "analyze" / "data" / "ref_a.yaml"


def test_conversions_equal_pyarrows_own_also_on_slices():
    rng = np.random.default_rng(1)
    words = pa.array([str(x) if x % 3 else " " for x in rng.integers(0, 50, 1000)])
    for arr in (words, words.slice(3, 517), words.slice(999, 1)):
        codes = pc.dictionary_encode(arr).indices
        np.testing.assert_array_equal(integers(codes), codes.to_numpy())
        space = pc.utf8_is_space(arr)
        np.testing.assert_array_equal(booleans(space), space.to_numpy(zero_copy_only=False))
        assert texts(arr).tolist() == arr.to_pylist() and texts(arr).dtype == object
    keep = rng.random(1000) < 0.3
    assert words.filter(mask(keep)).to_pylist() == np.array(words.to_pylist())[keep].tolist()
    rows = np.array([5, 0, 999])
    assert words.take(positions(rows)).to_pylist() == [words[i].as_py() for i in rows]


def test_reading_responses_imports_no_pandas():
    code = (
        "import sys; from surveyapp.csvtable import read_table;"
        "from surveyapp.responses.csv_layout import read_responses;"
        "from surveyapp.questionnaire import load_questionnaire;"
        f"t = read_table({str(RESPONSES)!r}); t.codes(t.header[1]); t.text(t.header[0]);"
        f"read_responses({str(RESPONSES)!r}, load_questionnaire({str(QUESTIONNAIRE)!r}));"
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
