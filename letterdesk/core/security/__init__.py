"""Protection of patient data: the encrypted store's key in the OS keyring or from a
passphrase (``encryption``), asking for passphrases and deriving keys from them with scrypt
(``passphrase``), and the guard that lets nothing leave the machine (``netguard``).

Stands on ``foundation``; the store and the process start-up use it.
"""
