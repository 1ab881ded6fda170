"""A letter's facts against its case: fact slots (``slots``) and slotting a signed
letter (``slotting``), extracting doses, dates and codes from text (``extract``), the case's
key facts and recall (``key_facts``) and the grounding check that flags what the case does not
support (``grounding``). Stands on ``store`` and below; generation, evaluation and the desk
use it.
"""
