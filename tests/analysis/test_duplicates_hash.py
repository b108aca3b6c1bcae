"""Duplicate answer patterns found by hashing rows give the result of sorting them."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from analysis import Categorical, ResponseMatrix

quality = sys.modules["analysis.quality"]


def sorted_duplicates(matrix: ResponseMatrix, columns) -> np.ndarray:
    """The former method: ``np.unique`` over whole rows; every row but the first of its
    value is a duplicate."""
    keys = np.column_stack([part(None) for part in quality._row_parts(matrix, columns)])
    _, first = np.unique(keys, axis=0, return_index=True)
    out = np.ones(matrix.n, dtype=bool)
    out[first] = False
    return out


def random_matrix(rng, n: int, k: int, levels: int) -> ResponseMatrix:
    """Few distinct values, so many rows tie; some unanswered (NaN) scores."""
    scores = rng.integers(1, levels + 1, size=(n, k)).astype(float)
    scores[rng.random((n, k)) < 0.2] = np.nan
    overall = rng.integers(1, 3, size=n).astype(float)
    overall[rng.random(n) < 0.1] = np.nan
    district = Categorical.create(rng.integers(0, 2, n), ["a", "b"])
    gender = np.array(["男", "女"], dtype=object)[rng.integers(0, 2, n)]
    return ResponseMatrix(
        respondent_ids=np.array([f"r{i}" for i in range(n)], dtype=object),
        scores=scores,
        overall=overall,
        columns={"district": district, "gender": gender},
    )


@pytest.mark.parametrize("seed", range(10))
def test_hashed_duplicates_equal_sorted_ones(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4000))
    m = random_matrix(rng, n, int(rng.integers(1, 4)), int(rng.integers(1, 3)))
    for columns in (None, ["district"], []):
        got = quality.duplicates(m, columns)
        want = sorted_duplicates(m, columns)
        assert want.any()  # ties are there to find
        np.testing.assert_array_equal(got, want)


def test_a_nan_payload_does_not_hide_a_duplicate():
    scores = np.array([[1.0, np.nan], [1.0, np.nan]])
    scores[1, 1] = np.float64(np.nan) * -1  # another NaN bit pattern
    m = ResponseMatrix(np.array(["a", "b"], dtype=object), scores, np.array([3.0, 3.0]), {})
    np.testing.assert_array_equal(quality.duplicates(m, None), [False, True])


def test_first_of_hash_matches_the_first_row_of_each_value():
    rng = np.random.default_rng(5)
    h = rng.integers(0, 50, size=5000).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    first = quality.first_of_hash(h)
    _, idx, inv = np.unique(h, return_index=True, return_inverse=True)
    np.testing.assert_array_equal(first, idx[inv])


def test_a_hash_collision_never_flags_a_response(monkeypatch):
    """With every row hashed alike, the exact comparison decides alone."""
    rng = np.random.default_rng(11)
    m = random_matrix(rng, 500, 2, 2)
    monkeypatch.setattr(quality, "_row_hashes", lambda m, cols: np.zeros(m.n, dtype=np.uint64))
    np.testing.assert_array_equal(quality.duplicates(m, None), sorted_duplicates(m, None))


def test_distinct_answer_patterns_get_distinct_hashes():
    """Scores 1-5 differ only in a float's top bits: every one must still reach the hash
    (else distinct rows would collide and go to the slow exact path)."""
    rng = np.random.default_rng(2)
    m = random_matrix(rng, 200_000, 18, 5)
    parts = quality._row_parts(m, None)
    distinct_rows = np.unique(np.column_stack([p(None) for p in parts]), axis=0).shape[0]
    assert np.unique(quality._row_hashes(m, None)).size == distinct_rows
