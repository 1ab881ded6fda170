"""How good the letters are: metrics from ratings and corrections (``metrics``);
blinded comparisons of model versions — set-up and rating (``study``), drafting
(``study_drafting``), statistics (``study_statistics``), results (``study_result``); and the
report — tables (``report_tables``), charts (``report_charts``) and its HTML, PDF and CSV
writers (``report``). A top-floor package: nothing in the core imports it.
"""
