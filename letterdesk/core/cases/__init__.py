"""The case: the format a patient's data comes in, its schema and validation (``case``).

``address`` gives the recipient's postal address. Stands on ``foundation`` only; everything
above it reads cases through :class:`case.Case`.
"""
