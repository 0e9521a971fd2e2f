"""Random durations and arrival times, drawn in batches with NumPy for speed.

Each action draws from its own stream, so that two scenarios run with the same seed see the same
customers and the same durations where nothing changed (common random numbers: the difference
between scenarios is measured more sharply than their figures).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np

from stageline.model import Distribution
from stageline.sim.network import DAY, Network

__all__ = ["BATCH", "arrival_times", "sampler"]

BATCH = 4096


def sampler(
    dist: Distribution | None, rng: np.random.Generator, data: np.ndarray | None = None
) -> Callable[[], list[float]]:
    """A function giving the next batch of draws (as a list, consumed from the end)."""
    if dist is None:
        zeros = [0.0] * BATCH
        return zeros.copy
    kind = dist.kind
    if kind == "fixed":
        fixed = [float(dist.mean or 0.0)] * BATCH
        return fixed.copy
    if kind == "exponential":
        mean = float(dist.mean or 0.0)
        if mean <= 0:
            return sampler(Distribution("fixed", mean=0.0), rng)
        return lambda: rng.exponential(mean, BATCH).tolist()
    if kind == "lognormal":
        m, s = float(dist.mean or 0.0), float(dist.sd or 0.0)
        if m <= 0 or s <= 0:
            return sampler(Distribution("fixed", mean=m), rng)
        sigma2 = math.log1p((s / m) ** 2)
        mu = math.log(m) - sigma2 / 2
        sigma = math.sqrt(sigma2)
        return lambda: rng.lognormal(mu, sigma, BATCH).tolist()
    if kind == "triangular":
        low, mode, high = float(dist.low or 0.0), float(dist.mode or 0.0), float(dist.high or 0.0)
        if high <= low:
            return sampler(Distribution("fixed", mean=low), rng)
        return lambda: rng.triangular(low, mode, high, BATCH).tolist()
    if kind == "uniform":
        low, high = float(dist.low or 0.0), float(dist.high or 0.0)
        return lambda: rng.uniform(low, high, BATCH).tolist()
    if kind == "empirical":
        values = np.asarray(data if data is not None else [0.0], dtype=float) * float(dist.mean or 1.0)
        return lambda: rng.choice(values, BATCH).tolist()
    raise ValueError(f"unknown distribution {kind!r}")  # pragma: no cover - the format refuses it


def arrival_times(
    network: Network, rng: np.random.Generator, horizon: float | None, customers: int | None
) -> np.ndarray:
    """Arrival times from 0, up to ``horizon`` seconds or ``customers`` arrivals."""
    if network.replay:
        times = np.asarray(network.replay, dtype=float)
        times = times - times[0]
        if horizon is not None:
            times = times[times < horizon]
        if customers is not None:
            times = times[:customers]
        return np.asarray(times)
    segments = _day(network)
    if not any(rate > 0 for _, _, rate in segments):
        return np.zeros(0)
    if len(segments) == 1:
        rate = segments[0][2]
        if customers is not None:
            gaps = rng.exponential(1.0 / rate, customers)
            times = np.cumsum(gaps)
            return np.asarray(times[times < horizon] if horizon is not None else times)
        assert horizon is not None
        n = rng.poisson(rate * horizon)
        return np.sort(rng.uniform(0.0, horizon, n))
    # A rate that varies by time of day: Poisson in each window, day after day.
    parts: list[np.ndarray] = []
    count = 0
    day = 0.0
    while True:
        for start, end, rate in segments:
            a, b = day + start, day + end
            if horizon is not None and a >= horizon:
                break
            if horizon is not None:
                b = min(b, horizon)
            n = rng.poisson(rate * (b - a)) if rate > 0 else 0
            if n:
                parts.append(np.sort(rng.uniform(a, b, n)))
                count += n
        day += DAY
        if (horizon is not None and day >= horizon) or (customers is not None and count >= customers):
            break
        if horizon is None and customers is None:  # pragma: no cover - the caller gives one
            break
    times = np.concatenate(parts) if parts else np.zeros(0)
    return np.asarray(times[:customers] if customers is not None else times)


def _day(network: Network) -> list[tuple[float, float, float]]:
    """The day cut into windows of one rate each (one window: a constant rate)."""
    if not network.profile:
        return [(0.0, DAY, network.rate)]
    cuts = sorted({0.0, DAY, *(s for s, _, _ in network.profile), *(e for _, e, _ in network.profile)})
    out = []
    for a, b in itertools.pairwise(cuts):
        rate = network.rate
        for s, e, r in network.profile:
            if s <= a and b <= e:
                rate = r
        out.append((a, b, rate))
    return out
