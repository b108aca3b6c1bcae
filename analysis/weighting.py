"""Weights: raking to population margins, trimming, and Kish's design effect.

Raking (iterative proportional fitting; Deming & Stephan 1940, Deville, Särndal &
Sautory 1993) multiplies the weights, one margin variable after the other, by
``population / weighted sample count`` of each category, and repeats full sweeps until
every margin is reproduced.  It is the calibration estimator with the raking distance
(Deville & Särndal 1992) and gives the weights of R's ``survey::rake()``
(Lumley 2010, ch. 7).

References
----------
Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled
frequency table when the expected marginal totals are known. *Ann. Math. Stat.* 11.
Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling.
*JASA* 87, 376-382.
Deville, J.-C., Särndal, C.-E. & Sautory, O. (1993). Generalized raking procedures in
survey sampling. *JASA* 88, 1013-1020.
Kish, L. (1965). *Survey Sampling*. Wiley. (design effect due to weighting, 11.7)
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .matrix import Categorical, factorize

__all__ = ["Margins", "RakingResult", "kish", "rake", "trim_and_rake"]

FloatArray = NDArray[np.float64]

#: Relative tolerance within which margin variables must agree on the grand total.
GRAND_TOTAL_RTOL = 1e-9


@dataclass(frozen=True)
class Margins:
    """Population totals to weight to: variable → category → population.

    The order of the variables is the order of raking (the order in which they first
    appear in MARGINS.csv).

    Raises ``ValueError`` for a total that is not a positive number, a variable with
    no category, or variables whose totals disagree on the grand total.
    """

    totals: Mapping[str, Mapping[str, float]]

    def __post_init__(self) -> None:
        clean: dict[str, dict[str, float]] = {}
        for var, cats in self.totals.items():
            var = str(var)
            if not cats:
                raise ValueError(f"margins: variable {var} has no category")
            clean[var] = {}
            for cat, pop in cats.items():
                value = float(pop)
                if not math.isfinite(value) or value <= 0:
                    raise ValueError(
                        f"margins: {var}={cat}: the population must be a positive number, not {pop}"
                    )
                clean[var][str(cat)] = value
        if not clean:
            raise ValueError("margins: no variable to weight to")
        grand = {v: math.fsum(c.values()) for v, c in clean.items()}
        first = next(iter(grand))
        for var, total in grand.items():
            if abs(total - grand[first]) > GRAND_TOTAL_RTOL * grand[first]:
                raise ValueError(
                    f"margins: the populations of {var} add up to {total:.15g} but those of "
                    f"{first} to {grand[first]:.15g}; every variable must describe the same population"
                )
        object.__setattr__(self, "totals", clean)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, float]]) -> Margins:
        """Build from ``(variable, category, population)`` rows, keeping first-appearance order.

        A repeated (variable, category) pair raises ``ValueError``.
        """
        totals: dict[str, dict[str, float]] = {}
        for var, cat, pop in rows:
            cats = totals.setdefault(str(var), {})
            if str(cat) in cats:
                raise ValueError(f"margins: {var}={cat} is given twice")
            cats[str(cat)] = float(pop)
        return cls(totals)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.totals)

    @property
    def population(self) -> float:
        """The grand total (that of the first variable)."""
        return math.fsum(next(iter(self.totals.values())).values())


@dataclass(frozen=True)
class RakingResult:
    """Raked weights and how the raking went.

    Attributes
    ----------
    weights : ndarray
        Final weights, one per respondent raked.
    iterations : int
        Full sweeps over the margin variables (of the last raking when trimming).
    converged : bool
        Every margin met to ``tol`` relative within ``max_sweeps`` sweeps.
    max_relative_error : float
        Largest ``|weighted count - population| / population`` over all margins.
    trim : float or None
        The ``k`` of trimming (weights capped at ``k`` times the median), if asked.
    trim_rounds : int
        Trim-and-rerake rounds done.
    trimmed : int
        Weights that were capped in the last round.
    max_weight_ratio : float
        Largest weight over the median weight, after everything.
    """

    weights: FloatArray
    iterations: int
    converged: bool
    max_relative_error: float
    trim: float | None = None
    trim_rounds: int = 0
    trimmed: int = 0
    max_weight_ratio: float = float("nan")


def _margin_codes(
    columns: Mapping[str, ArrayLike | Categorical], margins: Margins
) -> list[tuple[str, NDArray[np.intp], FloatArray]]:
    """For each margin variable: codes of the respondents into its categories and targets."""
    out = []
    for var in margins.variables:
        if var not in columns:
            raise ValueError(f"margins: variable {var} is not a column of the responses")
        codes, levels = factorize(columns[var])
        cats = margins.totals[var]
        counts = np.bincount(codes, minlength=len(levels))
        for lev in levels:
            if lev not in cats:
                raise ValueError(
                    f"margins: category {lev!r} of {var} is in the data but not in the margins"
                )
        present = set(levels)
        for cat in cats:
            if cat not in present:
                raise ValueError(
                    f"margins: category {cat!r} of {var} has a population but no respondent; "
                    "it cannot be weighted to (merge it with a neighbouring category)"
                )
        del counts
        target = np.array([cats[lev] for lev in levels], dtype=np.float64)
        out.append((var, codes, target))
    return out


def _max_rel_error(w: FloatArray, coded: list[tuple[str, NDArray[np.intp], FloatArray]]) -> float:
    err = 0.0
    for _, codes, target in coded:
        got = np.bincount(codes, weights=w, minlength=target.size)
        err = max(err, float(np.max(np.abs(got - target) / target)))
    return err


def _ipf(
    w: FloatArray,
    coded: list[tuple[str, NDArray[np.intp], FloatArray]],
    tol: float,
    max_sweeps: int,
) -> tuple[FloatArray, int, bool, float]:
    err = math.inf
    sweeps = 0
    while sweeps < max_sweeps:
        for _, codes, target in coded:
            got = np.bincount(codes, weights=w, minlength=target.size)
            w *= (target / got)[codes]
        sweeps += 1
        err = _max_rel_error(w, coded)
        if err <= tol:
            return w, sweeps, True, err
    return w, sweeps, False, err


def rake(
    columns: Mapping[str, ArrayLike | Categorical],
    margins: Margins,
    *,
    start: ArrayLike | None = None,
    tol: float = 1e-10,
    max_sweeps: int = 100,
) -> RakingResult:
    """Rake weights to population margins by iterative proportional fitting.

    Starting from ``start`` (default all 1), each sweep runs over the margin
    variables in order; for variable ``v`` with categories ``c`` the weights become

    .. math:: w_i \\leftarrow w_i \\, N_{v,c(i)} / \\sum_{j: c(j) = c(i)} w_j .

    Sweeps stop once every margin is met to ``tol`` relative, or after ``max_sweeps``.

    Parameters
    ----------
    columns : mapping of str to array_like
        The respondents' values of (at least) every margin variable.
    margins : Margins
    start : array_like, optional
        Initial weights (positive).
    tol : float
        Relative tolerance on every margin.
    max_sweeps : int
        Most full sweeps.

    Returns
    -------
    RakingResult

    Raises
    ------
    ValueError
        A margin variable missing from ``columns``, a data category absent from the
        margins, or a margin category with no respondent.
    """
    coded = _margin_codes(columns, margins)
    n = coded[0][1].size
    if n == 0:
        raise ValueError("margins: there is no respondent to weight")
    w = np.ones(n) if start is None else np.array(start, dtype=np.float64)
    if w.shape != (n,) or not np.all(w > 0):
        raise ValueError("raking: the starting weights must be positive, one per respondent")
    w, sweeps, ok, err = _ipf(w, coded, tol, max_sweeps)
    med = float(np.median(w))
    return RakingResult(w, sweeps, ok, err, max_weight_ratio=float(w.max() / med))


def trim_and_rake(
    columns: Mapping[str, ArrayLike | Categorical],
    margins: Margins,
    k: float,
    *,
    tol: float = 1e-10,
    max_sweeps: int = 100,
    max_rounds: int = 50,
) -> RakingResult:
    """Rake, then cap the weights at ``k`` times their median and re-rake, until none exceeds it.

    Each round caps every weight above ``k · median(w)`` at that value and rakes
    again from the capped weights (the raking starts from the trimmed weights, so
    the margins are met again).  Rounds stop when no weight exceeds the cap by more
    than 1e-6 relative, or after ``max_rounds``; ``converged`` then says whether
    the margins are met and the cap respected.  Trimming trades a little bias for
    variance (Potter 1990; Kish 1992).

    References
    ----------
    Potter, F. J. (1990). A study of procedures to identify and trim extreme sampling
    weights. *Proc. Survey Research Methods Section, ASA*, 225-230.
    """
    if not math.isfinite(k) or k <= 1:
        raise ValueError(f"trimming: k must be a number above 1, not {k}")
    res = rake(columns, margins, tol=tol, max_sweeps=max_sweeps)
    coded = _margin_codes(columns, margins)
    w = res.weights
    sweeps, ok, err = res.iterations, res.converged, res.max_relative_error
    rounds = 0
    capped = 0
    capped_ok = False
    while rounds < max_rounds:
        cap = k * float(np.median(w))
        over = w > cap * (1 + 1e-6)
        if not over.any():
            capped_ok = True
            break
        rounds += 1
        capped = int(over.sum())
        w = np.minimum(w, cap)
        w, sweeps, ok, err = _ipf(w, coded, tol, max_sweeps)
    else:
        capped_ok = bool(np.all(w <= k * float(np.median(w)) * (1 + 1e-6)))
    med = float(np.median(w))
    return RakingResult(
        w,
        sweeps,
        ok and capped_ok,
        err,
        trim=float(k),
        trim_rounds=rounds,
        trimmed=capped,
        max_weight_ratio=float(w.max() / med),
    )


def kish(weights: ArrayLike) -> tuple[float, float]:
    """Kish's design effect due to unequal weighting and the effective sample size.

    .. math:: \\mathrm{deff} = n \\sum w_i^2 / (\\sum w_i)^2, \\qquad
              n_\\mathrm{eff} = n / \\mathrm{deff}

    Returns ``(deff, effective_n)``; ``(nan, 0.0)`` for no respondent.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*, section 11.7. Wiley.
    """
    w = np.asarray(weights, dtype=np.float64)
    n = w.size
    if n == 0:
        return float("nan"), 0.0
    s1 = float(w.sum())
    s2 = float(np.dot(w, w))
    deff = n * s2 / (s1 * s1)
    return deff, n / deff
