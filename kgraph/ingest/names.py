"""New entities: names in the text that the graph does not know, with their kind.

A name the automaton cannot link may be a university, a programme, an organisation or a
person the graph has never seen: the research assistant's job is to notice it and propose a
record for it, with the sentence it appears in. Names are found by the word that heads them,
which in English ends the name ("Woosong University", "Bolashak Scholarship") or opens it
before "of" ("University of Arizona", "Ministry of Education"), and in Kazakh and Russian
ends it ("Түркі мемлекеттері ұйымы"); people by the title or role beside their name
("Minister ... Sayasat Nurbek", "historian Yuval Noah Harari"); cities by the words that
introduce them ("Шымкент қ.", "the city of Osh"). A head word decides the record kind and,
where it says so, its type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import WORD

#: Head words (lower case) and the record kind (and type) a name they head is.
HEADS = {
    "universities": {"university": None, "université": None, "universität": None,
                     "universidad": None, "università": None, "universiteti": None,
                     "college": None, "polytechnic": None, "conservatory": None,
                     "университет": None, "университеті": None},
    "programmes": {"scholarship": "scholarship", "fellowship": "scholarship",
                   "grant": "scholarship", "programme": None, "program": None,
                   "exchange": "exchange", "стипендия": "scholarship",
                   "стипендиясы": "scholarship", "программа": None, "бағдарламасы": None},
    "events": {"summit": "summit", "conference": "conference", "forum": "forum",
               "congress": "conference", "ministerial": "ministerial", "саммит": "summit",
               "саммиті": "summit", "форум": "forum", "форумы": "forum",
               "конференция": "conference", "конференциясы": "conference"},
    "government_bodies": {"ministry": "ministry", "agency": "agency", "committee": "council",
                          "министерство": "ministry", "министрлігі": "ministry",
                          "агентство": "agency", "агенттігі": "agency"},
    "cultural_centres": {"corner": "cultural-centre", "house": "cultural-centre",
                         "institut": "language-centre"},
    "organisations": {"organization": None, "organisation": None, "council": "council",
                      "association": "association", "foundation": "foundation",
                      "fund": "foundation", "alliance": None, "union": None,
                      "institute": None, "network": None, "society": None,
                      "commission": None, "centre": None, "center": None, "area": None,
                      "platform": "platform", "assembly": None, "process": None,
                      "initiative": None, "организация": None,
                      "ассоциация": "association", "фонд": "foundation", "совет": "council",
                      "ұйымы": None, "қауымдастығы": "association", "кеңесі": "council"},
    "policy_documents": {"declaration": "declaration", "strategy": "strategy",
                         "concept": "concept", "treaty": "agreement", "statement":
                         "joint-statement", "декларация": "declaration",
                         "декларациясы": "declaration", "стратегия": "strategy",
                         "стратегиясы": "strategy", "концепция": "concept",
                         "тұжырымдамасы": "concept"},
    "companies": {"inc": None, "ltd": None, "llc": None, "corporation": None, "plc": None,
                  "gmbh": None, "jsc": None},
}
_HEAD_KIND = {word: (kind, subtype) for kind, heads in HEADS.items()
              for word, subtype in heads.items()}
#: Words after a head word that open the rest of a name ("University of", "Université de").
_OF = frozenset("of de du des di del della für".split())
#: Words that end a university's name without being its city ("Oxford University Press").
_NOT_A_CITY = frozenset("""press library hospital museum centre center school institute
    department faculty branch branches campus campuses students library clinic""".split())
#: What follows a name that ends in its city rather than in a person's name: punctuation or
#: the end of the text (not "University President Larry ...", which the run would hold).
_TITLE_AFTER = re.compile(r"\s+[A-ZА-ЯЁ]")
#: Abbreviated head words that open a name ("TU Berlin", a Technische Universität).
_ABBREVIATED_HEADS = {"TU": ("universities", None)}
#: Head words that texts often write in lower case after a capitalised name.
_LOWER_HEADS = frozenset("process programme program scholarship initiative".split())
#: Centres named after a language or a country's culture: cultural centres whatever their
#: head word ("Confucius Institute", "Goethe-Institut", "Russian House").
_CULTURAL_CENTRE = re.compile(r"\b(Confucius|Goethe|Cervantes|Alliance Fran[cç]aise|Russian House|"
                              r"Russkiy Mir|American (Corner|Space)|King Sejong|Korean Cultural|"
                              r"Turkish Cultural|Yunus Emre|Rossotrudnichestvo)\b")
_LANGUAGE_CENTRE = re.compile(r"\b(Confucius|Goethe|Cervantes|King Sejong|Language)\b")
#: Words that may stand inside a name without a capital.
_CONNECTORS = frozenset("of and for the de du la des für & on in".split())
#: Capitalised words that open sentences, not names.
_OPENERS = frozenset("""the a an in on at among this these those their its his her our with by
    for from as and but while through since after before both such many some all each
    every several other new former today yet however also notable under over between into
    within without about during""".split())
#: Titles and roles that stand before or after a person's name.
TITLES = re.compile(
    r"\b(President|Vice[- ]President|Prime Minister|Minister|Deputy|Ambassador|Professor|"
    r"Prof\.|Dr\.|Rector|Vice[- ]Rector|Director|Secretary|Chairman|Chairwoman|Chair|"
    r"CEO|Founder|Mr\.|Ms\.|Mrs\.|historian|author|scholar|singer|artist|expert|researcher|"
    r"journalist|professor|director|rector|minister|president|ambassador|founder|"
    r"министр|президент|профессор|ректор|директор|посол|министрі|президенті|елшісі)(?!\w)")
_CITY = re.compile(r"(?:\bcity of |\bг\. ?)(?P<before>[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+)|"
                   r"(?P<after>[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+)(?: қ\.| қаласы| city\b)")
_PERSON = r"[A-Z][a-z'’]+(?:[ -][A-Z][a-z'’]+){1,2}"
#: "Alberto Frigerio is a professor", "Nurbek, the minister": a name, then its title.
_NAME_THEN_TITLE = re.compile(rf"(?P<name>{_PERSON})(?:,| is| was)(?: an?| the)?\s+"
                              rf"(?P<title>[^\W\d_][^\W\d]*)")
_APPOSED = re.compile(rf",\s+(?P<name>{_PERSON})\b")
_CAPITALISED = re.compile(r"^[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ\d]")
_PERSON_WORD = re.compile(r"^[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі'’-]+$")


@dataclass
class NewName:
    """A name the graph lacks: where it stands, its kind and type, and why it was taken
    for one (the cue)."""

    start: int
    end: int
    label: str
    kind: str
    subtype: str | None
    cue: str
    fields: dict = field(default_factory=dict)


def find_names(text: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[NewName]:
    """The new names in one sentence ``text[start:end]``; ``taken`` are the spans of known
    mentions, which a longer name headed by a head word replaces."""
    found = _headed_names(text, start, end, taken) + _people(text, start, end, taken) + [
        city for city in _city_names(text, start, end)
        if not any(s < city.end and city.start < e for s, e in taken)]  # a known city
    found.sort(key=lambda n: (n.start, -(n.end - n.start)))
    chosen: list[NewName] = []
    for name in found:
        if not any(name.start < other.end and other.start < name.end for other in chosen):
            chosen.append(name)
    return chosen


def _runs(text: str, start: int, end: int) -> list[list[tuple[int, int]]]:
    """Runs of capitalised words (with connectors inside), split at punctuation."""
    runs, current = [], []
    spans = [m.span() for m in WORD.finditer(text, start, end)]
    for index, (s, e) in enumerate(spans):
        word = text[s:e]
        gap = text[spans[index - 1][1]:s] if index else ""
        joined = current and re.fullmatch(r"[ \t'’-]*", gap)
        if not joined and current:
            runs.append(current)
            current = []
        if _CAPITALISED.match(word) or (current and word.lower() in _CONNECTORS) or (
                current and word == "s" and gap in ("'", "’")):  # "Queen’s University"
            current.append((s, e))
        elif current and word in _LOWER_HEADS:
            current.append((s, e))  # "the Bologna process", "the Fulbright programme"
            runs.append(current)
            current = []
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    result = []
    for run in (part for run in runs for part in _split_at_heads(text, run)):
        while run and (text[run[0][0]:run[0][1]].lower() in _OPENERS
                       or text[run[0][0]:run[0][1]] in _CONNECTORS):
            run = run[1:]
        while run and text[run[-1][0]:run[-1][1]].lower() in _CONNECTORS:
            run = run[:-1]
        if run:
            result.append(run)
    return result


def _split_at_known_possessor(text: str, run: list, taken) -> list[list]:
    """A run split around a known name that owns what follows it: "South Korea’s Woosong
    University" is Woosong University's run, "TU Delft and Turkey’s Bilkent University" two
    runs (Turkey is known)."""
    for index in range(len(run) - 1, 0, -1):
        if text[run[index][0]:run[index][1]] != "s" or text[run[index][0] - 1] not in "'’":
            continue
        owner = next(((s, e) for s, e in taken if s < run[index - 1][1] and run[0][0] < e), None)
        if owner:
            before = [w for w in run if w[1] <= owner[0]]
            while before and text[before[-1][0]:before[-1][1]].lower() in _CONNECTORS:
                before = before[:-1]
            return [part for part in (before, run[index + 1:]) if part]
    return [run]


def _split_at_heads(text: str, run: list) -> list[list]:
    """A run split after a head word followed by "and", and at "and the": "De Montfort
    University and Coventry University", "Ministry of Foreign Affairs and the United States
    Department of State" are two names each."""
    parts, current = [], []
    for index, (s, e) in enumerate(run):
        word = text[s:e]
        following = text[run[index + 1][0]:run[index + 1][1]] if index + 1 < len(run) else ""
        if word.lower() in ("and", "&") and current and (
                text[current[-1][0]:current[-1][1]].lower() in _HEAD_KIND or following == "the"):
            parts.append(current)
            current = []
            continue
        current.append((s, e))
    return parts + [current] if current else parts


def _headed_names(text: str, start: int, end: int, taken) -> list[NewName]:
    names = []
    for run in (part for run in _runs(text, start, end)
                for part in _split_at_known_possessor(text, run, taken)):
        words = [text[s:e] for s, e in run]
        lowered = [w.lower() for w in words]
        head = None
        if len(words) >= 2 and lowered[-1] in _HEAD_KIND:
            head = lowered[-1]
        else:  # "University of Arizona", "City University of Hong Kong", "Université de Lorraine"
            head = next((lowered[i] for i in range(len(words) - 2) if lowered[i] in _HEAD_KIND
                         and lowered[i + 1] in _OF), None)
        if head is None and len(words) >= 3 and lowered[-2] in HEADS["universities"] and \
                _CAPITALISED.match(words[-1]) and lowered[-1] not in _NOT_A_CITY and \
                not _TITLE_AFTER.match(text, run[-1][1]):
            head = lowered[-2]  # "Queen’s University Belfast": a university and its city
        if head is None and len(words) >= 2 and words[0] in _ABBREVIATED_HEADS:
            head = words[0]  # "TU Berlin"
        if head is None:
            continue
        span = (run[0][0], run[-1][1])
        if any(s < span[1] and span[0] < e and not (span[0] <= s and e <= span[1])
               for s, e in taken) or span in taken:
            continue  # the graph knows it, or a name that overlaps it
        label = text[span[0]:span[1]]
        kind, subtype = _ABBREVIATED_HEADS.get(head) or _HEAD_KIND[head]
        if _CULTURAL_CENTRE.search(label):
            kind = "cultural_centres"
            subtype = "language-centre" if _LANGUAGE_CENTRE.search(label) else "cultural-centre"
        names.append(NewName(span[0], span[1], label, kind, subtype,
                             f"a name headed by '{next(w for w in words if w.lower() == head.lower())}'"))
    names.extend(_cyrillic_names(text, start, end, taken))
    return names


def _cyrillic_names(text: str, start: int, end: int, taken) -> list[NewName]:
    """Kazakh and Russian names: a capitalised word and the lower-case words after it, up to
    a head word ("Түркі мемлекеттері ұйымы")."""
    names = []
    spans = [m.span() for m in WORD.finditer(text, start, end)]
    for index, (s, e) in enumerate(spans):
        head = text[s:e].lower()
        if head not in _HEAD_KIND or not re.match(r"[\u0400-\u04ff]", head):
            continue
        first = None
        for back in range(index - 1, max(index - 6, -1), -1):
            gap = text[spans[back][1]:spans[back + 1][0]]
            if not re.fullmatch(r"[ \t-]*", gap):
                break
            if _CAPITALISED.match(text[spans[back][0]:spans[back][1]]):
                first = back
        if first is None:
            continue
        span = (spans[first][0], e)
        if any(a <= span[0] and span[1] <= b for a, b in taken):
            continue
        kind, subtype = _HEAD_KIND[head]
        names.append(NewName(span[0], span[1], text[span[0]:span[1]], kind, subtype,
                             f"a name headed by '{text[s:e]}'"))
    return names


def _city_names(text: str, start: int, end: int) -> list[NewName]:
    names = []
    for match in _CITY.finditer(text, start, end):
        group = "before" if match.group("before") else "after"
        s, e = match.span(group)
        names.append(NewName(s, e, text[s:e], "cities", None,
                             f"a city by the words '{match.group(0).strip()}'"))
    return names


def _people(text: str, start: int, end: int, taken) -> list[NewName]:
    """Two or three capitalised words right after a title: "historian Yuval Noah Harari",
    "Deputy Prime Minister Tamara Duissenova", and after a title with its "of" phrase the
    last two ("Minister of Science and Higher Education Sayasat Nurbek")."""
    people = []
    for title in TITLES.finditer(text, start, end):
        run = []
        for match in WORD.finditer(text, title.end(), min(end, title.end() + 160)):
            gap = text[(run[-1][1] if run else title.end()):match.start()]
            word = match.group(0)
            if not re.fullmatch(r"[ \t-]*", gap) or not (
                    _PERSON_WORD.match(word) or word.lower() in _CONNECTORS):
                break
            run.append(match.span())
        words = [text[s:e] for s, e in run]
        while words and (TITLES.fullmatch(words[0]) or words[0] == "Prime"):
            words, run = words[1:], run[1:]
        if "of" in (w.lower() for w in words):
            last = max(i for i, w in enumerate(words) if w.lower() in _CONNECTORS)
            name = run[last + 1:][-2:] if len(run) - last - 1 >= 3 else \
                _apposed(text, run[-1][1] if run else title.end(), end)
        else:
            connector = next((i for i, w in enumerate(words) if w.lower() in _CONNECTORS),
                             len(words))
            name = run[:min(connector, 3)] or _apposed(text, title.end(), end)
        if len(name) < 2 or text[name[0][0]:name[0][1]].lower() in _OPENERS:
            continue
        span = (name[0][0], name[-1][1])
        label = text[span[0]:span[1]]
        if any(a < span[1] and span[0] < b for a, b in taken) or \
                any(w.lower() in _HEAD_KIND for w in label.split()):
            continue
        people.append(NewName(span[0], span[1], label, "people", None,
                              f"a person by the title '{title.group(0)}'"))
    for match in _NAME_THEN_TITLE.finditer(text, start, end):
        span = match.span("name")
        if TITLES.fullmatch(match.group("title")) and not any(
                a < span[1] and span[0] < b for a, b in taken):
            people.append(NewName(span[0], span[1], match.group("name"), "people", None,
                                  f"a person by the title '{match.group('title')}' after the name"))
    return people


def _apposed(text: str, position: int, end: int) -> list[tuple[int, int]]:
    """Two or three capitalised words set off by a comma after a title: "Minister of
    Science and Higher Education, Sayasat Nurbek"."""
    match = _APPOSED.match(text, position, end)
    if not match:
        return []
    return [m.span() for m in WORD.finditer(text, match.start("name"), match.end("name"))]
