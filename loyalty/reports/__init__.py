"""Finance reads: streaming CSV, points liability, breakage, partner settlement, dashboard series.

Everything here reads; figures are aggregated in SQL (one grouped query per report), never summed
in Python over transactions, so a year of a million transactions reports in seconds.
"""
