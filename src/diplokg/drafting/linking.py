"""Linking printed names and titles to what the project knows; slugs for new IRIs.

Names match by variant: exact, without accents or case, full against short form (one name's
words in order inside the other's, same first word), then fuzzy (rapidfuzz) above a threshold,
which the draft marks for review. Titles match a post's or role's names and printed forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from diplokg.drafting.gazetteer import Entity, Gazetteer

# Demonyms and country names (lower case, as folded) -> the slug of the country's place IRI.
DEMONYMS = {"mexican": "mexico", "mexico": "mexico", "us": "united-states", "u.s.": "united-states",
            "american": "united-states", "united states": "united-states", "canadian": "canada", "canada": "canada",
            "guatemalan": "guatemala", "guatemala": "guatemala", "honduran": "honduras", "honduras": "honduras",
            "salvadoran": "el-salvador", "el salvador": "el-salvador", "spanish": "spain", "spain": "spain",
            "french": "france", "france": "france", "german": "germany", "germany": "germany", "chilean": "chile",
            "chile": "chile", "colombian": "colombia", "colombia": "colombia", "brazilian": "brazil", "brazil": "brazil",
            "argentine": "argentina", "argentina": "argentina", "cuban": "cuba", "cuba": "cuba", "british": "united-kingdom",
            "united kingdom": "united-kingdom", "japanese": "japan", "japan": "japan", "chinese": "china", "china": "china",
            "peruvian": "peru", "peru": "peru", "panamanian": "panama", "panama": "panama", "belizean": "belize",
            "belize": "belize", "costa rican": "costa-rica", "costa rica": "costa-rica", "nicaraguan": "nicaragua",
            "nicaragua": "nicaragua", "ecuadorian": "ecuador", "ecuador": "ecuador", "venezuelan": "venezuela",
            "venezuela": "venezuela", "indian": "india", "india": "india", "korean": "south-korea",
            "italian": "italy", "italy": "italy", "portuguese": "portugal", "portugal": "portugal",
            "haitian": "haiti", "haiti": "haiti", "dominican republic": "dominican-republic", "jamaican": "jamaica",
            "jamaica": "jamaica", "uruguayan": "uruguay", "uruguay": "uruguay", "paraguayan": "paraguay",
            "paraguay": "paraguay", "bolivian": "bolivia", "bolivia": "bolivia", "ukrainian": "ukraine",
            "ukraine": "ukraine", "australian": "australia", "australia": "australia"}
FUZZY_NAME = 88.0
FUZZY_TITLE = 90.0


@dataclass(frozen=True)
class Link:
    """A printed form linked to a known entity: how (rule) and how closely (score, 0–100)."""

    iri: str
    how: str
    score: float


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case, accents and curly quotes removed, spaces collapsed (cached: the same names and labels are
    folded again and again)."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def slugify(text: str) -> str:
    """The project's slug rule: ASCII, lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", fold(name)) if w]


def short_form_of(short: list[str], full: list[str]) -> bool:
    """True when `short` is `full` with words left out (same first word, the rest in order)."""
    if len(short) >= len(full) or not short or short[0] != full[0]:
        return False
    position = 0
    for word in short:
        try:
            position = full.index(word, position) + 1
        except ValueError:
            return False
    return True


def match_name(printed: str, candidates: list[Entity]) -> Link | None:
    """The best known entity for a printed name, or None below the fuzzy threshold."""
    folded, words = fold(printed), name_words(printed)
    best: Link | None = None
    for entity in candidates:
        for label in entity.labels:
            if label == printed:
                return Link(entity.iri, "exact name", 100.0)
            label_words = name_words(label)
            if fold(label) == folded:
                link = Link(entity.iri, "same name without accents or case", 99.0)
            elif short_form_of(words, label_words):
                link = Link(entity.iri, f"short form of '{label}'", 96.0)
            elif short_form_of(label_words, words):
                link = Link(entity.iri, f"fuller form of '{label}'", 96.0)
            else:
                score = fuzz.ratio(folded, fold(label))
                if score < FUZZY_NAME:
                    continue
                link = Link(entity.iri, f"fuzzy match with '{label}'", round(score, 1))
            if best is None or link.score > best.score:
                best = link
    return best


def match_surname(surname: str, candidates: list[Entity]) -> list[Entity]:
    """Known people whose last name word (or family name) is `surname`."""
    key = fold(surname)
    found = []
    for entity in candidates:
        surnames = {w[-1] for w in map(name_words, entity.labels) if len(w) >= 2}
        surnames |= {w[-2] for w in map(name_words, entity.labels) if len(w) >= 3}
        surnames |= {w[-1] for w in (fold(label).split() for label in entity.labels) if len(w) >= 2}  # 'syptak-ramnath'
        if (entity.family_name and fold(entity.family_name) == key) or key in surnames:
            found.append(entity)
    return found


ARTICLE = re.compile(r"^(?:the|a|an|his|her|its|their)\s+", re.I)


def title_key(title: str) -> str:
    return fold(ARTICLE.sub("", title.strip())).replace(".", "").replace(",", "")


RANK_WORDS = {"vice", "deputy", "assistant", "under", "acting", "associate", "principal", "senior", "chief", "special",
              "executive", "general", "first", "second", "alternate", "permanent"}


def ranks(key: str) -> set[str]:
    """The rank words of a title key ('undersecretary' has 'under', 'vice-minister' 'vice')."""
    spaced = re.sub(r"\b(under|vice|sub)-?(?=secretary|minister|president|director)", r"\1 ", key)
    return set(spaced.replace("sub ", "under ").split()) & RANK_WORDS


def match_title(title: str, gazetteer: Gazetteer, organisation: str | None = None) -> Link | None:
    """The known post or role whose names or printed forms match a printed title."""
    key = title_key(title)
    best: Link | None = None
    for entity in gazetteer.of_kind("post", "role"):
        for label in entity.labels:
            label_key = title_key(label)
            if label_key == key:
                score, how = 100.0, f"printed form '{label}'"
            else:
                score = fuzz.ratio(key, label_key)
                if score < FUZZY_TITLE or ranks(key) != ranks(label_key):
                    continue  # 'Vice Minister of Foreign Affairs' is another post than 'Minister of Foreign Affairs'
                how = f"fuzzy match with '{label}'"
            if organisation and entity.organisation and entity.organisation != organisation:
                score -= 15
            elif organisation and entity.organisation == organisation:
                score += 1
            if best is None or score > best.score:
                best = Link(entity.iri, how, min(score, 100.0))
    if best is not None and best.score >= FUZZY_TITLE:
        return best
    return None


def match_label(text: str, entities: list[Entity]) -> Link | None:
    """An organisation or place printed exactly (up to case and accents) as one of its names."""
    key = title_key(text)
    for entity in entities:
        for label in entity.labels:
            if title_key(label) == key:
                return Link(entity.iri, f"name '{label}'", 100.0 if label == text else 99.0)
    return None
