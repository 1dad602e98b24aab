"""Post-processing of noisy measures (costs no privacy: it only uses noisy values and the
public noise scales).

* :func:`project` makes a group of cells add up to a better-known total and, for counts,
  stay non-negative: the least-squares projection onto {x >= 0, sum x = total} (the same
  idea as the Census TopDown algorithm: estimate the top, then make the parts agree).
* :func:`fieller_interval` is the confidence set of a ratio of two noisy totals (Fieller
  1954): {p : (N - pD)^2 <= z^2 (var_N + p^2 var_D)}. Unlike the delta method it is honest
  near 0 and 1 and tells when the denominator is too noisy to bound the ratio at all.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Vector = NDArray[np.float64]


def project(values: Vector, total: float, *, non_negative: bool) -> Vector:
    """The closest vector (least squares) to ``values`` that sums to ``total`` (and is
    non-negative when asked)."""
    n = values.shape[0]
    if n == 0:
        return values
    if not non_negative:
        return np.asarray(values - (values.sum() - total) / n, dtype=np.float64)
    total = max(total, 0.0)
    if total == 0.0:
        return np.zeros_like(values)
    # Projection onto the scaled simplex (Held, Wolfe & Crowder; Duchi et al. 2008).
    ordered = np.sort(values)[::-1]
    cumulative = np.cumsum(ordered) - total
    index = np.arange(1, n + 1)
    candidates = ordered - cumulative / index > 0
    rank = int(index[candidates][-1])
    shift = cumulative[rank - 1] / rank
    return np.asarray(np.maximum(values - shift, 0.0), dtype=np.float64)


def projected_variance(cell_variance: float, n: int, total_variance: float) -> float:
    """Noise variance of a cell after the linear part of :func:`project` (equal variances):
    the cell keeps (1 - 1/n) of its own noise and gets 1/n^2 of the total's. Clipping at
    zero only moves a cell towards a non-negative truth."""
    if n <= 1:
        return total_variance
    return cell_variance * (1.0 - 1.0 / n) + total_variance / n**2


def fieller_interval(
    numerator: float, denominator: float, var_numerator: float, var_denominator: float, z: float
) -> tuple[float, float] | None:
    """The (1 - alpha) confidence interval of numerator/denominator, or None when the
    denominator is not significantly above zero (the set is then unbounded)."""
    a = denominator**2 - z**2 * var_denominator
    if a <= 0:
        return None
    b = -2.0 * numerator * denominator
    c = numerator**2 - z**2 * var_numerator
    disc = max(b * b - 4.0 * a * c, 0.0)
    root = math.sqrt(disc)
    return (-b - root) / (2.0 * a), (-b + root) / (2.0 * a)
