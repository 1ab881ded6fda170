"""The physician's desk: importing cases (``importing``), the worklist of letters
to write, check and sign (``worklist``) and the demo cases (``demo``). A top-floor package:
nothing in the core imports it.
"""
