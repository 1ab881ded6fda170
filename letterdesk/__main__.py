"""``python -m letterdesk`` runs the ``letterdesk`` command."""

import sys

from letterdesk.cli import main

sys.exit(main())
