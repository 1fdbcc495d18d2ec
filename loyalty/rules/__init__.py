"""Earning rules evaluated without the database: conditions, points and the reasons a rule is out.

The callers (simulate, trigger, retrigger, the admin) load rules, the member and the rates; the
functions here only compute, so that every case can be tested and replayed exactly.
"""
