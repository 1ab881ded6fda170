"""How good the letters are: metrics from ratings and corrections (``metrics``),
blinded comparisons of model versions (``study``) and the report with its tables and charts
(``report``). A top-floor package: nothing in the core imports it.
"""
