"""The value tests of the Core components as SPARQL expressions over one value node `{v}`.

Both the compiled queries (a FILTER over every value at once) and the per-node checks (one cached
ASK per distinct value) use them, so a component has one definition of what a conforming value is.
"""

from __future__ import annotations

from diplokg.shacl.shapes import RDF, SH, XSD, ShapesGraph, Term

INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    # datatypes oxigraph stores as xsd:integer (oxigraph issue 526), with their inclusive bounds
    "integer": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1),
    "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
CASTABLE = {"boolean", "decimal", "double", "float", "date", "dateTime", "time", "duration",
            "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay"}
NODE_KINDS = {"IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
              "BlankNodeOrIRI": "(isIRI({v}) || isBlank({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
              "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))"}
COMPARISONS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
VALUE_TESTS = ("datatype", "nodeKind", "pattern", "minLength", "maxLength", "languageIn", "in", *COMPARISONS)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def well_formed(datatype: str) -> str:
    """The lexical form of `{v}` casts to `datatype` (an ill-formed literal raises an error)."""
    return f"sameTerm(<{datatype}>(STR({{v}})), <{datatype}>(STR({{v}})))"


def has_datatype(datatype: str) -> str:
    """`{v}` is a well-formed literal of `datatype`."""
    local = datatype.removeprefix(XSD)
    if datatype == RDF + "langString":
        return "(isLiteral({v}) && lang({v}) != '')"
    if datatype.startswith(XSD) and local in INTEGER_RANGES:
        low, high = INTEGER_RANGES[local]
        bounds = "".join(f" && {{v}} {op} {limit}" for op, limit in ((">=", low), ("<=", high)) if limit is not None)
        return (f"(isLiteral({{v}}) && datatype({{v}}) = <{XSD}integer> && "
                f"{well_formed(XSD + 'integer')}{bounds})")
    if datatype.startswith(XSD) and local in CASTABLE:
        return f"(isLiteral({{v}}) && datatype({{v}}) = <{datatype}> && {well_formed(datatype)})"
    return f"(isLiteral({{v}}) && datatype({{v}}) = <{datatype}>)"


def value_test(shapes: ShapesGraph, shape: Term, parameter: str, value: Term) -> str:
    """The expression that holds when `{v}` conforms to the component `parameter` = `value`."""
    if parameter == "datatype":
        return has_datatype(value.value)
    if parameter == "nodeKind":
        return NODE_KINDS[value.value.removeprefix(SH)]
    if parameter == "pattern":
        flags = shapes.value(shape, SH + "flags")
        return f"(!isBlank({{v}}) && REGEX(STR({{v}}), {quoted(value.value)}, {quoted(flags.value if flags else '')}))"
    if parameter in ("minLength", "maxLength"):
        return f"(!isBlank({{v}}) && STRLEN(STR({{v}})) {'>=' if parameter == 'minLength' else '<='} {int(value.value)})"
    if parameter in COMPARISONS:
        return f"({{v}} {COMPARISONS[parameter]} {value})"
    if parameter == "languageIn":
        tags = " || ".join(f"langMatches(lang({{v}}), {quoted(t.value)})" for t in shapes.items(value)) or "false"
        return f"(isLiteral({{v}}) && lang({{v}}) != '' && ({tags}))"
    if parameter == "in":
        return "(" + (" || ".join(f"sameTerm({{v}}, {t})" for t in shapes.items(value)) or "false") + ")"
    raise ValueError(parameter)
