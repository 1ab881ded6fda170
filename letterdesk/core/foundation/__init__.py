"""The ground floor: what every other package uses and that knows nothing of them.

Errors that speak to physicians (``errors``), the clock, where files live (``paths``), atomic
file replacement (``files``), how dates, doses and grades are written (``notation``), a
letter's sections (``sections``), word-level differences (``diffing``) and the site and user
settings (``settings``). Imports nothing else from ``letterdesk``; anything may import it.
"""
