"""Claims, their clusters and the events above them.

Selection, similarity, blocking, scoring, verdicts; mentions, events, event records.
"""
