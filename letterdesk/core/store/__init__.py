"""The store: the encrypted SQLite (SQLCipher) database and every query on it.

``database`` opens it (one writer, many readers: ``single_writer``) and holds the cases;
``migrations`` its schema versions; ``letters`` letters and their revisions; ``ratings``
physicians' ratings; ``audit`` the audit trail; ``backup`` encrypted backups. Stands on
``cases``, ``security`` and ``foundation``; every package above reads and writes through it.
"""
