"""Drafting: `diplokg draft` proposes the facts of a new source text, each with its evidence.

Rules plus gazetteer: the project's own names, printed titles, posts, organisations, places and
topics are the dictionary; spaCy's blank English pipeline splits sentences and its matchers find
the phrases press releases use. Modules: text (sentences, dateline, quotations), gazetteer (what
the project knows), linking (names and titles to known entities), patterns (mentions and titles),
extract (events, delegations, participations, statements), writer (Turtle), cli.
"""
