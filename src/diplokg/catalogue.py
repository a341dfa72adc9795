"""The catalogue of saved SPARQL queries (queries/NN-slug.rq) and their typed parameters.

Each file opens with a header of `# key: value` lines:

    # title: Who attended an event, by delegation
    # description: ...
    # param: event (iri) = event:2021-08-11-lunch-meeting -- the event to list
    # example: diplokg query attendees-by-delegation --param event=event:2021-08-11-lunch-meeting

A parameter is a variable of the query; its value is bound as an RDF term (never pasted into
the query text). Types: iri, string, langstring (text@lang), date, integer, decimal, boolean; a string
may list the only values it takes: `# param: sides (string: different|any) = different -- ...`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.fileio import folder_files, read_text
from diplokg.prefixes import PREFIX_IRIS, expand_curie
from diplokg.sparqltext import query_form, variables

XSD = PREFIX_IRIS["xsd"]
PARAM_LINE = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)(?::\s*(?P<choices>[^)]*))?\)\s*"
                        r"(?:=\s*(?P<default>\S+))?\s*(?:--\s*(?P<doc>.*))?$")
TYPES = {"iri", "string", "langstring", "date", "integer", "decimal", "boolean"}


@dataclass(frozen=True)
class Parameter:
    """A typed parameter of a saved query, bound to the query variable of the same name."""

    name: str
    type: str
    default: str | None
    description: str
    choices: tuple[str, ...] = ()  # the only values allowed, if the header lists them: `(string: said|printed)`

    def term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value given on the command line or in a URL, checked against the type."""
        try:
            if self.choices and raw not in self.choices:
                raise ValueError(f"{raw!r} is not one of {', '.join(self.choices)}")
            return parse_term(self.type, raw)
        except ValueError as error:
            raise DiplokgError(f"Parameter {self.name!r} ({self.type}): {error}") from None


@dataclass(frozen=True)
class SavedQuery:
    """A saved query: its file, header and text."""

    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    examples: tuple[str, ...]
    text: str
    form: str = field(default="SELECT")

    def bind(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """RDF terms for every parameter: the given value, else the default; unknown names are errors."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            listed = ", ".join(known) or "none"
            raise DiplokgError(f"Query {self.name!r} has no parameter {', '.join(unknown)}; its parameters: {listed}.")
        bound = {}
        for parameter in self.parameters:
            raw = values.get(parameter.name, parameter.default)
            if raw is None:
                raise DiplokgError(
                    f"Query {self.name!r} needs --param {parameter.name}=VALUE ({parameter.type}): {parameter.description}"
                )
            bound[parameter.name] = parameter.term(raw)
        return bound


IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+\Z")
ABSOLUTE = re.compile(r"^(https?|urn|mailto|file|tag|did):", re.IGNORECASE)
NUMBERS = {  # ASCII digits only, and nothing after them (not even a newline): the lexical forms of XSD
    "integer": re.compile(r"^[+-]?[0-9]+\Z"),
    "decimal": re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z"),
    "boolean": re.compile(r"^(true|false)\Z"),
}


def parse_iri(raw: str) -> ox.NamedNode:
    """<IRI>, an absolute http(s)/urn IRI, or a prefixed name with one of diplokg's prefixes."""
    if raw.startswith("<") and raw.endswith(">"):
        iri = raw[1:-1]
    elif ABSOLUTE.match(raw):
        iri = raw
    else:
        iri = expand_curie(raw)
        if iri is None:
            prefix = raw.partition(":")[0]
            known = ", ".join(sorted(PREFIX_IRIS))
            what = f"the prefix {prefix!r} is not one of diplokg's ({known})" if ":" in raw else "it has no prefix"
            raise ValueError(f"{raw!r} is not an IRI: {what}; give <https://...>, https://... or a prefixed name "
                             "such as person:marcelo-ebrard")
    if not IRI.match(iri):
        raise ValueError(f"{raw!r} is not an IRI (give <https://...>, https://... or a prefixed name like person:x)")
    return ox.NamedNode(iri)


def parse_term(kind: str, raw: str) -> ox.NamedNode | ox.Literal:
    """Parse `raw` as an RDF term of the given parameter type; ValueError says why it is not one."""
    if kind == "iri":
        return parse_iri(raw)
    if kind == "string":
        return ox.Literal(raw)
    if kind == "langstring":
        text, sep, lang = raw.rpartition("@")
        if not sep or not re.match(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*\Z", lang):
            raise ValueError(f"{raw!r} is not text@lang")
        return ox.Literal(text, language=lang)
    if kind == "date":
        import datetime

        try:
            day = datetime.date.fromisoformat(raw) if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", raw) else None
        except ValueError:
            day = None
        if day is None:
            raise ValueError(f"{raw!r} is not a date that exists (write YYYY-MM-DD, e.g. 2021-08-11)")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
    if not NUMBERS[kind].match(raw):
        raise ValueError(f"{raw!r} is not an xsd:{kind}")
    return ox.Literal(raw, datatype=ox.NamedNode(XSD + kind))


def parse_header(path: Path, text: str) -> dict[str, list[str]]:
    """The `# key: value` lines at the top of a query file, by key."""
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].strip().partition(":")
        if sep and key.strip().isidentifier():
            header.setdefault(key.strip().lower(), []).append(value.strip())
    for required in ("title", "description"):
        if required not in header:
            raise DiplokgError(f"{path}:1: the query header has no '# {required}:' line.")
    return header


def parse_parameter(path: Path, line: str) -> Parameter:
    """One `# param:` header line."""
    match = PARAM_LINE.match(line)
    if not match or match.group("type") not in TYPES:
        raise DiplokgError(
            f"{path}: bad parameter line {line!r}; write 'name (type) = default -- description' "
            f"with type one of {', '.join(sorted(TYPES))} (a string may list its values: '(string: a|b)')."
        )
    choices = tuple(c.strip() for c in (match.group("choices") or "").split("|") if c.strip())
    parameter = Parameter(match.group("name"), match.group("type"), match.group("default"), match.group("doc") or "",
                          choices)
    if choices and parameter.default is not None and parameter.default not in choices:
        raise DiplokgError(f"{path}: the default {parameter.default!r} of parameter {parameter.name!r} is not one of "
                           f"its values {', '.join(choices)}.")
    return parameter


def read_query(path: Path) -> SavedQuery:
    """Read one saved query file."""
    text = read_text(path, "query file")
    header = parse_header(path, text)
    parameters = tuple(parse_parameter(path, line) for line in header.get("param", []))
    used = variables(text)
    for parameter in parameters:
        if parameter.name not in used:
            raise DiplokgError(f"{path}: the parameter {parameter.name!r} is declared, but the query never uses "
                               f"?{parameter.name}; its value would change nothing.")
    return SavedQuery(
        name=path.stem.split("-", 1)[1] if re.match(r"^\d+-", path.stem) else path.stem,
        path=path,
        title=header["title"][0],
        description=" ".join(header["description"]),
        parameters=parameters,
        examples=tuple(header.get("example", [])),
        text=text,
        form=query_form(text) or "SELECT",
    )


def load_catalogue(queries_dir: Path) -> dict[str, SavedQuery]:
    """Every saved query of a folder, by name, in file order; two files of one name are an error."""
    catalogue: dict[str, SavedQuery] = {}
    for query in (read_query(queries_dir / name) for name in folder_files(queries_dir, ".rq")):
        if query.name in catalogue:
            raise DiplokgError(f"{query.path}: a saved query named {query.name!r} is already in "
                               f"{catalogue[query.name].path.name}; rename one of the two files.")
        catalogue[query.name] = query
    return catalogue


def find_query(catalogue: dict[str, SavedQuery], name: str) -> SavedQuery:
    """The saved query called `name` (or its file stem); an unknown name suggests the closest ones."""
    for query in catalogue.values():
        if name in (query.name, query.path.stem, query.path.name):
            return query
    import difflib

    close = difflib.get_close_matches(name, list(catalogue), n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise DiplokgError(f"No saved query named {name!r}.{hint} Run `diplokg queries` for the catalogue.")
