"""Letters as documents: the signed letter as DOCX on the letterhead (``docx``,
``letterhead``), its provenance (``provenance``) and training pairs for fine-tuning
(``training_pairs``). A top-floor package: nothing in the core imports it.
"""
