"""Mentions of people and their printed titles, found by rules a press release follows.

A name is a run of capitalised words that are not title, organisation or function words and lie
outside a known organisation or place name; a single capitalised word is a surname when the text
or the project knows a person by it. Titles come in four shapes: "Title Name" (no comma),
"Name, title", "Name Title" (no comma, the title starting with a title word) and "the title, Name";
list separators (";", "and", "as well as") are told apart from the "and" inside a title by what
follows them. A name inside another person's title ("the advisor to President Joe Biden on
National Security, Jake Sullivan") is embedded: it names a person but is not an item of the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from diplokg.drafting.gazetteer import Gazetteer
from diplokg.drafting.linking import DEMONYMS, fold
from diplokg.drafting.situations import AGREEMENT
from diplokg.drafting.text import Document, Sentence, pipeline


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLE_HEADS = word_set(
    "minister secretary undersecretary under-secretary subsecretary secretary-general director advisor adviser "
    "counselor counsellor chief head commissioner commander coordinator ambassador envoy president vice-president "
    "chargé charge consul consultant researcher officer spokesperson spokesman spokeswoman governor mayor senator "
    "deputy representative attaché attache administrator chair chairman chairwoman chairperson leader manager lady "
    "chancellor premier king queen prince princess attorney judge prosecutor delegate negotiator professor rector "
    "founder ceo fellow analyst economist treasurer comptroller superintendent"
)
TITLE_MODIFIERS = word_set(
    "acting senior junior special general deputy assistant vice executive principal chief first regional legal "
    "foreign interior national federal permanent alternate associate lead d'affaires d’affaires"
)
HONORIFICS = ["vice admiral", "rear admiral", "brigadier general", "lieutenant general", "major general", "general",
              "admiral", "colonel", "captain", "lieutenant", "commander", "ambassador", "dr.", "dr", "mr.", "mr", "mrs.",
              "mrs", "ms.", "ms", "professor", "prof.", "sir", "dame", "lic.", "ing.", "senator", "hon.", "honorable"]
RANKS = {"vice admiral", "rear admiral", "brigadier general", "lieutenant general", "major general", "general",
         "admiral", "colonel", "captain", "lieutenant", "dr.", "dr", "mr.", "mr", "mrs.", "mrs", "ms.", "ms", "prof.",
         "sir", "dame", "lic.", "ing.", "hon.", "honorable"}
ORG_HEADS = word_set(
    "house palace ministry department office embassy consulate institute council center centre agency commission committee "
    "bureau service section unit guard navy army force forces police court congress senate chamber parliament "
    "government presidency secretariat secretaría secretaria directorate administration authority board bank fund "
    "foundation university organization organisation association program programme group corporation company "
    "network alliance union staff school academy division branch mission"
)
STOP_WORDS = word_set(
    "the a an in on at for with by of and to from as this that these those although additionally subsequently "
    "however also furthermore moreover meanwhile finally then today yesterday tomorrow he she it they we i his her "
    "their our its you your mexico mexican mexicans united states us usa america american americans canada canadian "
    "central north south east west northern southern eastern western latin caribbean european europe africa african "
    "asia asian republic union nations kingdom federal national international bilateral regional global human "
    "rights public security civil democracy homeland foreign affairs relations exteriores relaciones economic "
    "economy dialogue high-level level memorandum understanding agreement treaty plan triangle hemisphere border "
    "customs protection management migration migratory domestic policy research consular legal counsel counselor "
    "affairs january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday state mr mrs ms dr sir lic ing honorable excellency his her chargé "
    "d’affaires d'affaires advisors advisers officials delegation delegations team teams english spanish french "
    "portuguese admiral colonel captain lieutenant brigadier administrative social welfare labour labor health "
    "development cooperation trade commerce energy environment education culture tourism agriculture finance defense "
    "defence justice interior works services joint statement statements communique communiqué declaration "
    "press release second third fourth fifth sixth seventh eighth ninth tenth meeting meetings session sessions "
    "summit conference law enforcement narcotics intelligence drug control"
) | TITLE_HEADS | TITLE_MODIFIERS | ORG_HEADS
PARTICLES = {"de", "del", "la", "las", "los", "van", "von", "da", "das", "do", "dos", "di", "y", "bin", "al", "le", "du"}
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’.\-]*")
BACK_STOPS = word_set(
    "to by with and between of from for at in on that said says his her their its a an the as well also than is was "
    "were had has have met held with counterpart counterparts including like such both"
)
ARTICLE = re.compile(r"^(?:the|a|an|his|her|its|their)\s+", re.I)


@dataclass
class Title:
    """A printed title, as it stands in the text, with the cleaned form the membership prints."""

    start: int
    end: int
    raw: str
    printed: list[str] = field(default_factory=list)
    acronyms: list[tuple[str, str]] = field(default_factory=list)  # (organisation name as printed, acronym)
    possessor: str | None = None
    shape: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Mention:
    """A printed name (full or surname only) in a sentence, with the titles printed around it."""

    start: int
    end: int
    text: str
    sentence: int
    surname_only: bool = False
    honorific: str | None = None
    titles: list[Title] = field(default_factory=list)
    embedded_in: Mention | None = None
    person: str | None = None
    honorific_start: int | None = None

    @property
    def span(self) -> tuple[int, int]:
        starts = [self.start, *(t.start for t in self.titles)]
        ends = [self.end, *(t.end for t in self.titles)]
        if self.honorific_start is not None:
            starts.append(self.honorific_start)
        return min(starts), max(ends)


@cache
def is_stop(word: str) -> bool:
    folded = fold(word).strip(".")
    parts = folded.split("-")
    return folded in STOP_WORDS or pipeline().vocab[folded].is_stop \
        or (len(parts) == 2 and parts[0] in TITLE_HEADS and parts[1] in ("designate", "elect"))  # 'Ambassador-designate'


def label_pattern(labels: tuple[str, ...]) -> re.Pattern[str] | None:
    if not labels:
        return None
    body = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")


class Matchers:
    """Compiled name patterns of a gazetteer: organisations and places to mask, titles to find."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        countries = {name.title() for name in DEMONYMS if " " in name}
        names = tuple({label for e in gazetteer.of_kind("org", "place") for label in e.labels if len(label) > 1}
                      | countries)
        self.org_place = label_pattern(names)
        titles = tuple({label for e in gazetteer.of_kind("post", "role") for label in e.labels if len(label) > 3})
        self.titles = re.compile(label_pattern(titles).pattern, re.I) if titles else None


def masked_spans(text: str, matchers: Matchers) -> list[tuple[int, int]]:
    """Spans of known organisation and place names, of new organisation names (an organisation word in a
    capitalised phrase: 'Ministry of Foreign Affairs', 'Pew Research Center') and of named agreements."""
    spans = [m.span() for m in matchers.org_place.finditer(text)] if matchers.org_place else []
    spans += [span for span, _ in new_organisations(text)]
    spans += [m.span("name") for m in AGREEMENT.finditer(text)]  # 'Memorandum … against Arms Trafficking'
    return spans


TOKEN = re.compile(r"[^\s,;:()“”\"]+")
CONNECTORS = {"of", "for", "on", "in", "to", "at", "de", "del", "&"}  # "Office of Trade & Investment Analysis"


def capitalised(word: str) -> bool:
    return word[:1].isupper()


def new_organisations(text: str) -> list[tuple[tuple[int, int], str]]:
    """Capitalised names around an organisation word ('State Department', 'Hispanic and Migratory Affairs
    Section', 'Ministry of Foreign Affairs'): (span, name)."""
    words = list(TOKEN.finditer(text))
    found = []
    for index, match in enumerate(words):
        if not (capitalised(match.group()) and fold(match.group()).strip(".’'") in ORG_HEADS):
            continue
        first = index
        while first > 0:
            previous = words[first - 1].group()
            gap = text[words[first - 1].end():words[first].start()]
            if gap != " ":
                break
            word = capitalised(previous) and fold(previous) not in TITLE_HEADS | {"the", "a", "an"}
            joined = previous in ("and", "&") and first >= 2 and capitalised(words[first - 2].group()) \
                and text[words[first - 2].end():words[first - 1].start()] == " "
            if word or joined:
                first -= 1
            else:
                break
        while first < index and not capitalised(words[first].group()):
            first += 1
        last = index
        while last + 2 < len(words) and words[last + 1].group() in CONNECTORS:
            step = last + 2
            if words[step].group() == "the" and step + 1 < len(words):
                step += 1
            if not capitalised(words[step].group()) or any(
                    text[words[k].end():words[k + 1].start()] != " " for k in range(last, step)):
                break
            last = step
            while last + 1 < len(words) and capitalised(words[last + 1].group()) \
                    and text[words[last].end():words[last + 1].start()] == " ":
                last += 1
        if last == first and fold(match.group()) in {"government", "presidency", "union"}:
            continue
        span = (words[first].start(), words[last].end())
        if last > first or len(match.group()) > 3:
            found.append((span, text[span[0]:span[1]]))
    return found


def inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= position < e for s, e in spans)


NAMED_THING = re.compile(r"(?:,?\s+(?:and|el|la|de|del|los|las|y|[A-ZÁÉÍÓÚÑ][\w’'-]*))*\s+(?:programmes?|programs?|"
                         r"initiatives?|projects?|plans?|strateg(?:y|ies)|campaigns?|funds?|platforms?|models?|agendas?|"
                         r"laws?|acts?|bills?|treat(?:y|ies)|corridors?|routes?|highways?|bridges?|ports?|crossings?)\b")
PLACE_ENDS = {"City", "County", "Province", "Region", "Valley", "Island", "Islands", "Department", "Municipality", "Gap",
              "Canal", "Bay", "Gulf", "Peninsula", "River", "Lake", "Sea", "Coast", "Desert", "Mountains", "Strait"}
LOCATIVE = re.compile(r"\b(?:in|at|from|near|across)\s+(?:the\s+)?$")


def find_names(sentence: Sentence, index: int, masks: list[tuple[int, int]]) -> list[Mention]:
    """Runs of name-like capitalised words (two or more; single ones are surname candidates)."""
    words = [(m.start() + sentence.start, m.group()) for m in WORD.finditer(sentence.text)]
    mentions: list[Mention] = []
    run: list[tuple[int, str]] = []

    def close() -> None:
        while run and fold(run[-1][1]) in PARTICLES:
            run.pop()
        if len(run) >= 3:
            before = sentence.text[:run[0][0] - sentence.start].split()
            if len(before) >= 2 and before[-1] in ("of", "for") and fold(before[-2]) in TITLE_HEADS:
                run.pop(0)
        if run:
            start, end = run[0][0], run[-1][0] + len(run[-1][1])
            text = " ".join(w for _, w in run) if "“" not in sentence.text[start - sentence.start:end - sentence.start] \
                else sentence.text[start - sentence.start:end - sentence.start]  # 'Margaret “Peggy” Hollister'
            mentions.append(Mention(start, end, text, index, surname_only=len(run) == 1))
        run.clear()

    after_nickname = False
    for i, (start, word) in enumerate(words):
        possessive = re.search(r"[’']s?$", word) is not None
        if not re.fullmatch(r"[A-Z]\.|[JS]r\.", word):  # an initial and 'Jr.' keep their full stop
            word = re.sub(r"(?:[’']s?|\.)$", "", word)
        gap = sentence.text[words[i - 1][0] - sentence.start + len(words[i - 1][1]):start - sentence.start] if i else ""
        after = sentence.text[start - sentence.start + len(word):]
        nickname = bool(run) and gap == " “" and re.match(r"” [A-Z]", after) is not None
        if run and gap != " " and not nickname and not (gap == "” " and after_nickname):
            close()
        after_nickname = nickname
        if nickname:  # 'Margaret “Peggy” Hollister': the quoted nickname stays inside the name
            run.append((start, word))
            continue
        name_like = (word[:1].isupper() and any(c.islower() for c in word) and not is_stop(word)
                     and not inside(start, masks)) or (bool(run) and (fold(word) in PARTICLES
                                                                      or re.fullmatch(r"[A-Z]\.", word) is not None))
        if name_like:
            run.append((start, word))
            if possessive:  # 'Secretary Mayorkas's Meeting': the name ends at the possessive
                close()
        else:
            close()
    close()
    kept = []
    for mention in mentions:
        before = sentence.text[:mention.start - sentence.start]
        words = mention.text.split()
        if NAMED_THING.match(sentence.text, mention.end - sentence.start) or words[-1] in PLACE_ENDS \
                or (len(words) == 2 and fold(words[0]).strip(".") in PLACE_FIRST_WORDS):
            continue  # 'the Sembrando Oportunidades programme' names a programme; 'Guatemala City', 'Ciudad Juárez' places
        if not LOCATIVE.search(before) or sentence.text[mention.end - sentence.start:].startswith(", "):
            kept.append(mention)
        elif (named := name_after_place(mention, before)) is not None:
            kept.append(named)
    return kept


PLACE_FIRST_WORDS = {"new", "san", "santa", "santo", "los", "las", "el", "la", "saint", "st", "fort", "port", "puerto",
                     "ciudad", "nuevo", "nueva", "baja", "buenos", "costa", "salt", "des"}


def name_after_place(mention: Mention, before: str) -> Mention | None:
    """'Consul General of Mexico in New York Jorge Islas': after a title, a run that starts with a place the
    project does not know ends with the person's name (the place is one word, or two when it opens with 'New',
    'San', … or ends with 'City'); None when the run is only a place."""
    words = mention.text.split()
    if len(words) < 3 or not has_title_head(before.rsplit(",", 1)[-1]):
        return None
    place = 2 if fold(words[0]).strip(".") in PLACE_FIRST_WORDS or words[1] == "City" else 1
    if len(words) - place < 2:
        return None
    start = mention.start + len(" ".join(words[:place])) + 1
    return Mention(start, mention.end, " ".join(words[place:]), mention.sentence)


def scan_back_prefix(text: str, start: int, floor: int) -> tuple[int, str] | None:
    """'Mexican Foreign Minister' or 'the legal consultant' right before a name, with no comma between."""
    words = list(re.finditer(r"[^\s,;:()“”\"]+", text[floor:start]))
    taken: list[re.Match[str]] = []
    for match in reversed(words):
        if text[floor + match.end():start if not taken else floor + taken[-1].start()].strip():
            break
        word = fold(match.group())
        index = words.index(match)
        inner = word in ("of", "for", "in") and taken and (taken[-1].group()[:1].isupper() or taken[-1].group() == "the") \
            and match is not words[0] and words[index - 1].group()[:1].isupper()
        inner = inner or (word == "the" and taken and taken[-1].group()[:1].isupper() and index >= 2  # 'for the Western'
                          and fold(words[index - 1].group()) in ("of", "for", "in")
                          and words[index - 2].group()[:1].isupper())
        if not inner and (word in BACK_STOPS or (not match.group()[:1].isupper() and word not in TITLE_HEADS | TITLE_MODIFIERS)):
            break
        taken.append(match)
    if not taken:
        return None
    first = taken[-1]
    return floor + first.start(), text[floor + first.start():start].strip()


def split_honorific(prefix: str) -> tuple[str | None, str]:
    """('General', '') from 'General'; ('Ambassador', 'Ambassador') keeps an office that is also a title; (None,
    'Attorney General') keeps a rank word that follows a title head."""
    low = fold(prefix)
    for honorific in HONORIFICS:
        if low == honorific or low.endswith(" " + honorific):
            title = prefix[: len(prefix) - len(honorific)].strip()
            if title and fold(title.split()[-1]) in TITLE_HEADS and honorific in TITLE_MODIFIERS:
                return None, prefix  # 'Attorney General', 'Secretary General': the rank word ends the title
            if honorific not in RANKS:
                return prefix[len(prefix) - len(honorific):], prefix
            return prefix[len(prefix) - len(honorific):], title
    return None, prefix


def has_title_head(text: str) -> bool:
    """Does a phrase name a post ('Assistant Secretary', 'Minister-Counselor': a hyphenated part is enough)?"""
    words = [fold(w).strip(".,’'") for w in re.split(r"[\s()]+", ARTICLE.sub("", text))]
    return any(w in TITLE_HEADS or ("-" in w and not TITLE_HEADS.isdisjoint(w.split("-"))) for w in words)


def valid_split(rest: str) -> bool:
    """After 'and' / 'as well as': is this the start of the next list item?"""
    rest = rest.lstrip()
    if re.match(r"the\s", rest):  # 'and the Ambassador, X' starts an item; '… for Latin America and the Caribbean' not
        return has_title_head(re.split(r"[,;.(]", rest, maxsplit=1)[0])
    if re.match(r"(?:his|her|their|with)\s", rest):
        return True
    return any((fold(rest) + " ").startswith(honorific + " ") for honorific in HONORIFICS)


SEPARATOR = re.compile(r";|,? and |,? as well as |,? along with ")
# Matched at a position of the whole text (pattern.match(text, i)) rather than on a copy of the rest of it.
FIRST_WORD = re.compile(r"([^\s,;]+)")
FIRST_LETTERS = re.compile(r"\s*([A-Za-z]+)")
CLAUSE_COMMA = re.compile(r",\s+(?:[a-z]|the\b)")
COMMA_NAME = re.compile(r"\s+[A-Z]")
LIST_WORD = re.compile(r"\s(?:and|as well as|along with)\s")


def after_title(text: str, mention: Mention, limit: int, sentence_end: int) -> Title | None:
    """'Name, title', 'Name Title' or 'Name (title)' up to the next separator, name or clause."""
    pos = mention.end
    bracket = re.match(r" \(([^()]+)\)", text[pos:min(limit, sentence_end) + 1])
    if bracket and has_title_head(bracket.group(1)):
        return Title(pos + 2, pos + 2 + len(bracket.group(1)), bracket.group(1), shape="Name (title)")
    if text.startswith(", ", pos) and FIRST_WORD.match(text, pos + 2) and (
            text[pos + 2].isupper() or fold(FIRST_WORD.match(text, pos + 2).group(1)) in TITLE_HEADS | TITLE_MODIFIERS
            or re.match(r"the [A-Z]", text[pos + 2:pos + 7])):  # 'Marsh, the Acting Director of …, explained'

        body = pos + 2
    elif text.startswith(" ", pos) and FIRST_LETTERS.match(text, pos) and (
            fold(FIRST_LETTERS.match(text, pos).group(1)) in TITLE_HEADS | TITLE_MODIFIERS) \
            and text[pos + 1:pos + 2].isupper():
        body = pos + 1
    else:
        return None
    depth, i, end = 0, body, min(limit, sentence_end)
    while i < end:
        char = text[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                depth = 0
        elif depth == 0:
            if char in ";!?”\":\n":
                break
            if char == "." and (i + 1 >= len(text) or text[i + 1] in " \n"):
                break
            if char == "," and CLAUSE_COMMA.match(text, i):
                break
            match = SEPARATOR.match(text, i)
            if match and (match.end() >= limit or valid_split(text[match.end():limit])):
                break
        i += 1
    raw = text[body:i].rstrip(" ,")
    if not raw or not has_title_head(raw):
        return None
    return Title(body, body + len(raw), raw, shape="Name, title" if body == pos + 2 else "Name Title")


def before_title(text: str, mention: Mention, floor: int, claimed: list[tuple[int, int]]) -> Title | None:
    """'the title, Name': the phrase before ', Name' back to a separator, starting with an article or title word;
    a title that lists its fields ('the Under Secretary for Civilian Security, Democracy, and Human Rights, Name')
    when the phrase back to the nearest separator names no post."""
    rank = re.search(r", ([A-Z][\w.]*) $", text[max(0, mention.start - 30):mention.start])  # ', Ambassador Name'
    if rank and fold(rank.group(1)) not in ONE_WORD_RANKS:
        rank = None
    if not text.endswith(", ", 0, mention.start) and not rank:
        return None
    end = mention.start - 2 - (len(rank.group(1)) + 1 if rank else 0)
    start = title_start(text, end, floor, claimed, lists=True)
    raw = text[start:end].strip(" ,")
    if raw and not has_title_head(raw):
        start = title_start(text, end, floor, claimed, lists=False)
        raw = text[start:end].strip(" ,")
        if not FIELD_LIST.search(raw):
            return None
    start = text.index(raw, start) if raw else start
    lead = list(re.finditer(r"(?:\b(?:by|with|between|including|included|received|welcomed|hosted|greeted|"
                            r"(?:composed|made up|consisting|comprised|formed) of)"
                            r"|[–—]|\.-)\s+", raw))  # '.-' ends a dateline
    if lead:
        start += lead[-1].end()
        raw = raw[lead[-1].end():]
    if not raw or not has_title_head(raw):
        return None
    first = raw.split()[0]
    if not (re.match(r"(?:the|his|her|its|their)\b", raw, re.I) or first[:1].isupper() or fold(first) in TITLE_HEADS
            or fold(first) in TITLE_MODIFIERS):
        return None
    if re.search(r"\b(?:is|was|were|are|has|had|have|held|met|said|visited|will|would)\b", raw):
        return None
    return Title(start, start + len(raw), raw, shape="the title, Name")


ONE_WORD_RANKS = {h for h in HONORIFICS if " " not in h} | TITLE_HEADS  # ', Ambassador Name', ', Dr. Name'
FIELD_LIST = re.compile(r"\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*, (?:[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*, )*and [A-Z][\w-]*"
                        r"(?:\s+[A-Z][\w-]*)*$")  # 'Civilian Security, Democracy, and Human Rights'


def title_start(text: str, end: int, floor: int, claimed: list[tuple[int, int]], lists: bool) -> int:
    """Where the phrase that ends at `end` begins: after a separator (';', ':', a quotation mark, a comma not
    followed by a capital, a list word such as 'and' when `lists`), a claimed span, or at `floor`."""
    i, depth = end, 0
    while i > floor:
        char = text[i - 1]
        if inside(i - 1, claimed):
            return i
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
        elif (depth == 0 and char in ";:“”\"") or (depth == 0 and char == "," and not COMMA_NAME.match(text, i)
                                                    and (lists or not text.startswith(" and ", i))):
            return i
        elif depth == 0 and lists:
            match = LIST_WORD.match(text, i - 1)
            if match and valid_split(text[match.end():end]):
                return match.end()
        i -= 1
    return floor


def defined_by(before: str, acronym: str) -> str | None:
    """The name an acronym in parentheses defines: the capitalised words just before it whose initials are the
    acronym's capitals, in any order ('National Security Council (NSC)', 'National Institute of Migration (INM)')."""
    letters = sorted(c for c in acronym if c.isupper())
    words = before.split()
    for size in range(1, min(len(words), 8) + 1):
        name = words[-size:]
        initials = sorted(w[0] for w in name if w[:1].isupper())
        if initials == letters and name[0][:1].isupper():
            return " ".join(name)
    return None


def translated_name(before: str, acronym: str) -> str | None:
    """The organisation an upper-case acronym follows when its letters are those of a name in another language
    ('of the Mexican Commission for Refugee Assistance (COMAR)'): the capitalised name after the last 'of'."""
    if not re.fullmatch(r"[A-Z]{3,9}", acronym):
        return None
    named = re.search(r"\b(?:of|at|from)\s+(?:the\s+)?([A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|for|of|and|on))*)$", before)
    if named is None or not any(fold(w) in ORG_HEADS for w in named.group(1).split()):
        return None
    return named.group(1)


def clean_title(title: Title, matchers: Matchers) -> None:
    """The printed title(s) a membership keeps: article, possessor and acronym definitions removed, split at
    'and' between two titles ('Advisor to the President and Senior Director')."""
    text = ARTICLE.sub("", title.raw)
    possessive = re.match(r"([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)[’']s\s+", text)
    if possessive:
        title.possessor = possessive.group(1)
        text = text[possessive.end():]
    for match in list(re.finditer(r"\s*\((?P<acr>[A-Z][A-Za-z]{1,9})(?P<rest>,[^)]*)?\)", text))[::-1]:
        before = text[: match.start()]
        defined = defined_by(before, match.group("acr")) or translated_name(before, match.group("acr"))
        if defined or match.group("rest"):
            title.acronyms.append((defined or "", match.group("acr")))
            remainder = text[match.end():]
            if remainder.count(")") > remainder.count("("):
                title.notes.append(f"the text prints '{remainder.strip()}' after the acronym; left out")
                remainder = ""
            text = before + remainder
    if text.count(")") > text.count("("):
        title.notes.append("unbalanced parenthesis in the printed title")
    parts = [text]
    for match in re.finditer(r" and (?=(\S+\s+){0,2}?(?:" + "|".join(sorted(TITLE_HEADS, key=len, reverse=True))
                             + r")\b)", text, re.I):
        left, right = text[: match.start()], text[match.end():]
        if has_title_head(left) and right[:1].isupper():
            parts = [left, right]
            break
    title.printed = [p.strip(" ,") for p in parts if p.strip(" ,")]


def find_mentions(document: Document, gazetteer: Gazetteer, matchers: Matchers) -> list[Mention]:
    """Every name mention of the document with its titles, sentence by sentence."""
    text = document.text
    mentions: list[Mention] = []
    for index, sentence in enumerate(document.sentences):
        masks = masked_spans(sentence.text, matchers)
        masks = [(s + sentence.start, e + sentence.start) for s, e in masks]
        found = find_names(sentence, index, masks)
        claimed: list[tuple[int, int]] = []
        for position, mention in enumerate(found):
            if mention.surname_only and not text.startswith(", the ", mention.end):  # 'Marsh, the Acting Director …,'
                continue
            following = [m for m in found[position + 1:] if not m.surname_only]
            limit = following[0].start if following else sentence.end
            title = after_title(text, mention, limit, sentence.end)
            if title:
                mention.titles.append(title)
                claimed.append((title.start, title.end))
        for position, mention in enumerate(found):
            previous_end = max([m.end for m in found[:position] if m.embedded_in is None and
                                not any(t.start <= m.start < t.end for t in mention.titles)] or [sentence.start])
            title = before_title(text, mention, sentence.start, claimed) if not mention.titles else None
            if title is not None:  # 'the title, Name' or 'the title, Ambassador Name'
                mention.titles.append(title)
            floor = title.end + 2 if title else max(previous_end, sentence.start)
            if prefix := scan_back_prefix(text, mention.start, floor):
                honorific, rest = split_honorific(prefix[1])
                mention.honorific = honorific
                mention.honorific_start = prefix[0] if honorific else None
                if rest and has_title_head(rest):
                    mention.titles.insert(0 if title is None else len(mention.titles),
                                          Title(prefix[0], prefix[0] + len(rest), rest, shape="Title Name"))
        for mention in found:
            for other in found:
                if other is not mention and any(t.start <= mention.start < t.end for t in other.titles):
                    mention.embedded_in = other
        for mention in found:
            for title in mention.titles:
                clean_title(title, matchers)
        mentions.extend(found)
    return mentions
