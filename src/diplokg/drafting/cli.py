"""`diplokg draft SOURCE.txt`: write a first draft of a source's facts, every proposal with its evidence."""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from diplokg.errors import DiplokgError

if TYPE_CHECKING:
    from diplokg.paths import Layout

# Evidence IRIs are ev:<abbreviation>-<slug> ('lm' lunch meeting, 'wv' Washington visit; data/README.md).
ABBREVIATION = re.compile(r"[a-z][a-z0-9]{0,15}")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Propose the facts of a new source text in the project's patterns: the source (dateline), people "
        "(linked to known ones by name variants), printed titles and posts, organisations, events, delegations, "
        "participations, quotations and reported statements with their speakers, and topics. Every proposal quotes "
        "its evidence and carries dip:reviewStatus dip:Unreviewed until a curator accepts it. The evidence offsets "
        "are written to data/anchors/ as `diplokg anchor` does.")
    parser.add_argument("source", help="the source text (UTF-8), e.g. data/sources/NEW.txt")
    parser.add_argument("-o", "--output", help="facts file to write (default: data/facts/<stem>.ttl); '-' for stdout")
    parser.add_argument("--force", action="store_true", help="overwrite an existing facts file")
    parser.add_argument("--explain", action="store_true",
                        help="also list what could not be placed and the proposals that most need review (on stderr)")
    parser.add_argument("--abbreviation", help="evidence abbreviation, a short lowercase slug such as 'lm' (default: "
                        "initials of the file name's words)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from diplokg.drafting.extract import draft_text
    from diplokg.drafting.gazetteer import load_gazetteer
    from diplokg.drafting.writer import explain, render
    from diplokg.fileio import check_output, write_atomically
    from diplokg.paths import default_layout

    layout = default_layout()
    source = Path(args.source)
    check_abbreviation(args.abbreviation)
    check_source_name(source)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DiplokgError(f"{source}: cannot read the source text: {error}.") from None
    if not text.strip():
        raise DiplokgError(f"{source}: the source text is empty; there is nothing to draft.")
    if args.output is None and not layout.is_project:
        raise DiplokgError(f"no project here ({layout.origin}), and diplokg never writes into the built-in graph. "
                           "Run `diplokg init DIR` and draft inside it (or pass -C DIR), or give -o FILE.")
    output = args.output or str(layout.facts_dir / f"{source.stem}.ttl")
    check_output(output, layout, [source], writes_into=[layout.facts_dir])
    if output != "-" and Path(output).resolve().parent == layout.facts_dir.resolve():
        check_facts_name(Path(output))
    if output != "-" and Path(output).exists() and not args.force:
        raise DiplokgError(f"{output}: a facts file already exists; pass --force to overwrite it, or -o to write "
                           "the draft elsewhere.")
    draft = draft_text(text, source.stem, load_gazetteer(layout), args.abbreviation)
    content = render(draft).encode("utf-8")
    target = None if output == "-" else Path(output)
    in_project = target is not None and target.resolve().parent == layout.facts_dir.resolve() and \
        (layout.sources_dir / f"{source.stem}.txt").exists()
    # Nothing is written until the draft parses (and, in the project, its quotes anchor): a facts file that
    # does not parse would break every later command.
    anchors = checked(content, target or Path(f"{source.stem}.ttl"), layout, anchor=in_project)
    write_atomically(output, lambda stream: stream.write(content))
    if args.explain:
        print(explain(draft), file=sys.stderr, end="")
    if target is None:
        return 0
    if in_project:
        anchors_path = layout.anchors_dir / target.name
        write_atomically(anchors_path, lambda stream: stream.write(anchors))
        print(f"wrote {target} ({len(draft.nodes)} proposals) and {anchors_path}", file=sys.stderr)
    else:
        print(f"wrote {target} ({len(draft.nodes)} proposals); anchors are written when the draft is in "
              f"{layout.facts_dir} and its text in {layout.sources_dir}", file=sys.stderr)
    return 0


def check_abbreviation(abbreviation: str | None) -> None:
    """--abbreviation starts every evidence IRI (ev:<abbreviation>-<slug>): a short lowercase slug."""
    if abbreviation is not None and not ABBREVIATION.fullmatch(abbreviation):
        raise DiplokgError(f"--abbreviation {abbreviation!r}: the evidence abbreviation starts every evidence IRI "
                           "(ev:<abbreviation>-<slug>), so it must be a short lowercase slug: a letter a-z, then at "
                           "most 15 letters a-z or digits, like 'lm' (lunch meeting) or 'wv' (Washington visit). Leave "
                           "the option out to use the initials of the file name's words.")


def check_source_name(source: Path) -> None:
    """The source's file name names its node, its graph and its facts file: the loader's rule for facts files."""
    from diplokg.drafting.linking import slugify
    from diplokg.loading import source_slug

    try:
        source_slug(source)
        named = not source.stem.endswith(".")  # a Turtle name cannot end with '.' (src:<name>)
    except DiplokgError:
        named = False
    if not named:
        suggestion = slugify(source.stem) or "new-source"
        raise DiplokgError(
            f"{source}: the file name {source.stem!r} cannot name a source: it becomes the source's IRI, its graph "
            f"and its facts file (data/facts/{source.stem}.ttl), so it must use only lowercase ASCII letters, digits, "
            "'-', '_' and '.', starting with a letter or digit and not ending with '.' (e.g. sre-2022-03-03-call.txt). "
            "Nothing was written. "
            f"Rename the text, e.g. to {source.with_name(suggestion + source.suffix)}, and draft it again.") from None


def check_facts_name(output: Path) -> None:
    """A draft written into data/facts/ must have a name the loader accepts (`diplokg build` reads every file there)."""
    from diplokg.loading import source_slug

    try:
        source_slug(output)
    except DiplokgError as error:
        raise DiplokgError(f"{error} Nothing was written; give -o a name like that.") from None


def checked(content: bytes, target: Path, layout: Layout, anchor: bool) -> bytes | None:
    """Parse the draft as the loader does (from a private copy, before anything is written) and, with `anchor`,
    return its anchors file; a draft that does not parse or anchor is an error and nothing is written."""
    from rdflib import Graph

    from diplokg.anchor import anchor_facts, render_anchors
    from diplokg.loading import parse_into

    with tempfile.TemporaryDirectory(prefix="diplokg-draft-") as folder:
        copy = Path(folder) / (target.name if target.suffix == ".ttl" else "draft.ttl")
        copy.write_bytes(content)
        try:
            if anchor:
                return render_anchors(target, anchor_facts(copy, layout))
            parse_into(Graph(), copy, "turtle")
        except DiplokgError as error:
            message = str(error).replace(str(copy), str(target))
            raise DiplokgError(f"the draft of {target.stem} is not valid, so nothing was written: {message} This is "
                               "a fault of `diplokg draft`; please report it with the source text.") from None
    return None
