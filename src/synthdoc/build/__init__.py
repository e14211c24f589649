"""The build stage: the pipeline from a project to its outputs (pipeline) — load, check, plan which
outputs changed (manifest, changes), render each format, put them in place as one transaction under a
lock — the no-op fast path (quickcheck) and ``synthdoc watch`` (watching).

May import: every stage below it: core, bibliography, sources, render, check, word.
"""
