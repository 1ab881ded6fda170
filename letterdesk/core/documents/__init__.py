"""Letters as documents: the signed letter as DOCX on the letterhead (``docx``; what
goes where on the page: ``letter_layout``; the page itself: ``letterhead``), its provenance
(``provenance``) and training pairs for fine-tuning (``training_pairs``). A top-floor
package: nothing in the core imports it.
"""
