"""diplokg from Python: a runnable tour of the API (the tests run this file).

Run it in a project folder, or anywhere to use the built-in two-source graph:

    python docs/api_example.py
"""

import datetime

import diplokg

# The graph as an rdflib Dataset; inferred=True adds the OWL RL closure (graph .../graph/inferred),
# so that subclass members count too: every dip:Meeting is a schema:Event.
asserted = diplokg.load()
dataset = diplokg.load(inferred=True)
events = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://schema.org/Event> }"
print("events, asserted only:", next(iter(asserted.query(events)))[0])
print("events, with inferences:", next(iter(dataset.query(events)))[0])

# The saved queries and their typed parameters.
for saved in diplokg.saved_queries()[:3]:
    print(saved.name, "-", saved.title, [(p.name, p.type, p.default) for p in saved.parameters])

# A saved query with a parameter: a date given as datetime.date (or "2021-08-01").
table = diplokg.query("planned-events", after=datetime.date(2021, 8, 1))
print(table.columns)
for row in table.rows:  # Python values: str for IRIs and text, datetime.date for dates
    print(row[table.columns.index("date")], row[table.columns.index("label")])
print(table.to_csv().splitlines()[0])

# Ad-hoc SPARQL: diplokg's prefixes (foaf:, person:, ...) are declared for you.
people = diplokg.query("SELECT ?name WHERE { ?p a foaf:Person ; skos:prefLabel ?name } ORDER BY ?name LIMIT 3")
print([name for (name,) in people.rows])

# ASK gives a bool, CONSTRUCT an rdflib Graph.
print("met:", diplokg.query("met", person="person:marcelo-ebrard", other="person:jake-sullivan"))
card = diplokg.query("person-card", person="person:marcelo-ebrard")
print("person card:", len(card), "triples")

# A mistyped parameter is an error, never an empty answer.
try:
    diplokg.query("planned-events", after="2021-13-45")
except diplokg.DiplokgError as error:
    print("error:", error)

# Validation: reason, then the SHACL shapes.
report = diplokg.validate()
print("conforms:", report.conforms, "findings:", len(report.findings))
