"""The store: the encrypted SQLite (SQLCipher) file or the department's PostgreSQL database,
and every query on them.

``database`` opens it and holds the cases; ``sqlcipher`` the file's connection (one writer,
many readers: ``single_writer``; the key put on the file: ``keying``); ``postgres`` the
department store's connection (the store's SQL translated once), ``connection`` what both
offer; ``department`` its roles, grants and row rules; ``journal`` corrections kept on the
workstation until the department store has them; ``moving`` a workstation's store copied
in; ``migrations`` its schema versions; ``letters`` letters and their revisions; ``ratings``
physicians' ratings; ``model_versions`` the model versions and which is the default;
``studies`` blinded comparison studies; ``drafts`` the drafted letters and ratings the
evaluation measures; ``training_data`` what the learning loop reads (signed letters, their
drafts, the default model's chat template); ``audit`` the audit trail; ``backup`` encrypted
backups. Stands on ``cases``, ``security`` and ``foundation``; every package above reads and
writes through it, and no SQL is written anywhere else.
"""
