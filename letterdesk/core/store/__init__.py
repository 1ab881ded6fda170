"""The store: the encrypted SQLite (SQLCipher) database and every query on it.

``database`` opens it (one writer, many readers: ``single_writer``; the key put on the file:
``keying``) and holds the cases; ``migrations`` its schema versions; ``letters`` letters and
their revisions; ``ratings`` physicians' ratings; ``model_versions`` the model versions and
which is the default; ``studies`` blinded comparison studies; ``drafts`` the drafted letters
and ratings the evaluation measures; ``training_data`` what the learning loop reads (signed
letters, their drafts, the default model's chat template); ``audit`` the audit trail;
``backup`` encrypted backups. Stands on ``cases``, ``security`` and ``foundation``; every
package above reads and writes through it, and no SQL is written anywhere else.
"""
