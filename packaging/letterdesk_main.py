"""Entry point of the installed app (the PyInstaller bundle): the ``letterdesk`` command.

The engine runs the model in a "spawn" worker process; in a frozen app that worker is this
same executable, which ``freeze_support`` turns into the worker before the CLI starts.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from letterdesk.cli import main

    sys.exit(main())
