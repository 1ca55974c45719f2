"""Does a paper's ablation claim hold here? Seeds summarised as mean ± spread, gaps judged against the noise."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from basicsr_lfdn.research.paper_tables import Row

NO_VALUE = '–'


@dataclass(frozen=True)
class Summary:
    """Measured values of one row over its seeds."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values)

    @property
    def spread(self) -> float | None:
        """Sample standard deviation over seeds; None with fewer than two."""
        return statistics.stdev(self.values) if len(self.values) > 1 else None


def summarize(row: Row, metric: str) -> Summary | None:
    """The metric over the row's measured runs; None when no run is measured."""
    values = tuple(run.metrics[metric] for run in row.runs if metric in run.metrics)
    return Summary(values) if values else None


def measured_gap(row: Summary | None, reference: Summary | None) -> tuple[float | None, float | None]:
    """Row mean minus reference mean, and the noise it is judged against (sum of the two spreads)."""
    if row is None or reference is None:
        return None, None
    noise = None if row.spread is None or reference.spread is None else row.spread + reference.spread
    return row.mean - reference.mean, noise


def verdict(measured: Summary | None, reference: Summary | None, published_gap: float | None) -> str:
    """Does the paper's claim (row minus default network = ``published_gap``) hold here?

    The measured gap is beyond noise when it exceeds the sum of the two rows' spreads (their
    mean ± spread intervals do not overlap). Then it *holds* when it has the paper's sign and is
    *reversed* when it has the other; otherwise it is *within noise*. A published gap of 0 claims
    no difference: a measured one beyond noise *differs*.
    """
    if measured is None or reference is None or published_gap is None:
        return NO_VALUE
    if measured.spread is None or reference.spread is None:
        return f'{NO_VALUE} (needs ≥ 2 seeds)'
    gap = measured.mean - reference.mean
    if abs(gap) <= measured.spread + reference.spread:
        return 'within noise'
    if published_gap == 0:
        return 'differs'
    return 'holds' if (gap > 0) == (published_gap > 0) else 'reversed'


def reference_row(rows: list[Row]) -> Row | None:
    """The row of the default network (no options but its type), against which the paper's gaps are read."""
    return next((row for row in rows if set(row.network) == {'type'}), None)
