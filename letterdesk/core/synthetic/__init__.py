"""Synthetic cases and their reference letters: the demo data, the training
corpus of the demo model and the tests' cases. Nothing here is real patient data.

``generator`` writes cases, ``letters`` their house-style letters, ``catalogue`` reads the
clinical vocabulary they draw on from ``resources/synthetic/catalogue.toml``. Stands on
``foundation``; only the benchmark command of the app imports it.
"""
