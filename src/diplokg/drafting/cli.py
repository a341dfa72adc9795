"""`diplokg draft SOURCE.txt`: write a first draft of a source's facts, every proposal with its evidence."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from diplokg.errors import DiplokgError


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
    parser.add_argument("--abbreviation", help="evidence abbreviation (default: initials of the file name's words)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from diplokg.anchor import anchor_facts, render_anchors
    from diplokg.drafting.extract import draft_text
    from diplokg.drafting.gazetteer import load_gazetteer
    from diplokg.drafting.writer import explain, render
    from diplokg.fileio import check_output, write_atomically
    from diplokg.paths import default_layout

    layout = default_layout()
    source = Path(args.source)
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
    if output != "-" and Path(output).exists() and not args.force:
        raise DiplokgError(f"{output}: a facts file already exists; pass --force to overwrite it, or -o to write "
                           "the draft elsewhere.")
    draft = draft_text(text, source.stem, load_gazetteer(layout), args.abbreviation)
    content = render(draft).encode("utf-8")
    write_atomically(output, lambda stream: stream.write(content))
    if args.explain:
        print(explain(draft), file=sys.stderr, end="")
    if output == "-":
        return 0
    target = Path(output)
    in_project = target.resolve().parent == layout.facts_dir.resolve() and \
        (layout.sources_dir / f"{source.stem}.txt").exists()
    if in_project:
        anchors = render_anchors(target, anchor_facts(target, layout))
        anchors_path = layout.anchors_dir / target.name
        write_atomically(anchors_path, lambda stream: stream.write(anchors))
        print(f"wrote {target} ({len(draft.nodes)} proposals) and {anchors_path}", file=sys.stderr)
    else:
        print(f"wrote {target} ({len(draft.nodes)} proposals); anchors are written when the draft is in "
              f"{layout.facts_dir} and its text in {layout.sources_dir}", file=sys.stderr)
    return 0
