"""Derived figures kept current on write (DESIGN §15).

A KPR's ``current_value``/``achievement``/``progress``/``score`` and its SMART report, a goal's ``progress`` and an
evaluation's ``results_score``/``final_score``/``rating`` are stored columns. Every writer that changes one of their
inputs calls ``app.figures.service`` in the same transaction; the figures come from the one pure engine
(``app.scoring.engine``, ``app.smart.check``), set-based and in chunks for bulk changes. Reads then fetch them;
``?as_of=`` reads still compute from history.
"""
