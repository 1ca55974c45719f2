"""The research tools behind ``scripts/``: reproduce the papers' tables, compare networks at an equal
budget, build the leaderboard and the figures of ``docs/``.

One concern per module (a map: ``docs/getting_started.md``, "The research tools"). Each script in
``scripts/`` calls the ``main`` of one command-line module: ``leaderboard``, ``reproduce``,
``budget_compare``, ``validation_curve``, ``comparison_figure``, ``degradation_stats``.
"""
