"""Protection of patient data: the encrypted store's key in the OS keyring or from a
passphrase (``encryption``) and the guard that lets nothing leave the machine (``netguard``).

Stands on ``foundation``; the store and the command-line start-up use it.
"""
