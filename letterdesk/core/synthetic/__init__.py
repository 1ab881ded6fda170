"""Synthetic cases and their reference letters: the demo data, the training
corpus of the demo model and the tests' cases. Nothing here is real patient data.

``generator`` writes cases, ``letters`` their house-style letters, ``catalogue`` the clinical
vocabulary they draw on. Stands on ``foundation``; the app imports it only for the demo.
"""
