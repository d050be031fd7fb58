"""Regional statistics: indicators computed in SQL by the aggregator, read by the dashboards and reports.

:mod:`definitions` says what an indicator is, :mod:`indicators` holds one query module per indicator,
:mod:`recompute` replaces a snapshot in one transaction, :mod:`jobs` runs it in the arq worker,
:mod:`figures` turns numerators and denominators into what people read, :mod:`reports` builds the
monitoring report and the analytic note. The written definitions are in docs/statistics.md.
"""
