"""A letter's facts against its case: fact slots (``slots``) and slotting a signed
letter (``slotting``), extracting doses, dates and codes from text (``extract``, with its drug
vocabulary ``drugs``), what a case states (``case_facts``), the case's key facts and recall
(``key_facts``), the grounding check that flags what the case does not support
(``grounding``), its findings (``findings``) and signing off with them in the audit trail
(``sign_off``). Stands on ``store`` and below; generation, evaluation and the desk use it.
"""
