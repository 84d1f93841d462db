"""Cues: the words that say which relation a sentence states, and the numbers it gives.

A sentence that names two entities states a fact between them only if it says which one:
"opening branches in", "signed a memorandum with", "students from", "invested US$50
million in". Each cue is a pattern of such words in English, Russian and Kazakh, and names
the record kind it proposes; the influence channels of the ontology have cues of their own,
which give an influence relation its channels. Patterns are of words that mean the relation
in any text of the field, never phrases of one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


def _words(pattern: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])", re.IGNORECASE)


#: How a region or state responds to an outside power's influence: words of each response
#: type of the ontology (``spv:response-types``).
RESPONSE_CUES = {
    "acceptance": _words(r"accept(?:s|ed|ing|ance)?|welcom(?:e|es|ed|ing)|embrac(?:e|es|ed|ing)|"
                         r"maintain(?:s|ed|ing)? cooperation|rel(?:y|ies|ied) on"),
    "limitation": _words(r"limit(?:s|ed|ing)?|restrict(?:s|ed|ing)?|resist(?:s|ed|ing|ance)?|"
                         r"contest(?:s|ed|ing)?|curb(?:s|ed|ing)?|cautious|wary"),
    "diversification": _words(r"diversif(?:y|ies|ied|ying|ication)|hedg(?:e|es|ed|ing)|"
                              r"balanc(?:e|es|ed|ing)|alternative partners(?:hips)?|multi-?vector\w*"),
    "adaptation": _words(r"adapt(?:s|ed|ing|ation)?|adjust(?:s|ed|ing|ment)?"),
}
RESPONSES = re.compile("|".join(f"(?:{p.pattern})" for p in RESPONSE_CUES.values()),
                       re.IGNORECASE)

#: Cues of relation kinds: name shown to the reviewer -> (record kind, pattern).
RELATION_CUES = {
    "branch campus": ("branch_campuses", _words(
        r"campus(?:es)?|branch(?:es)?|opened|opens|opening|set(?:ting)? (?:one |it )?up|"
        r"филиал\w*|кампус\w*")),
    "student flow": ("student_flows", _words(
        r"students?|studying|study|studied|enrol(?:l)?(?:ed|s|ment)?|студент\w*|"
        r"білім алушы\w*|оқушы\w*")),
    "partnership": ("partnerships", _words(
        r"partner(?:s|ship|ships|ed|ing)?|agreements?|memorand(?:um|a)|MoUs?|signed|"
        r"sign(?:s|ing)?|cooperat(?:e|es|ed|ion)|co-operation|collaborat(?:e|es|ed|ion|ions)|"
        r"alliance|соглашени\w*|меморандум\w*|сотруднич\w*|партн[её]р\w*|келісім\w*|"
        r"ынтымақтастық\w*|әріптест\w*")),
    "investment": ("investments", _words(
        r"invest(?:s|ed|ing|ment|ments|or|ors)?|allocat(?:e|es|ed|ing)|spent|spends?|"
        r"cost(?:s|ing)?|worth|financ(?:es|ed|ing)|инвест\w*|вложи\w*|инвестиция\w*")),
    "funding": ("fundings", _words(
        r"fund(?:s|ed|ing)?|financ(?:es|ed|ing)|sponsor(?:s|ed|ing)?|pays?|paid|"
        r"scholarships?|grants?|fellowships?|финансир\w*|қаржыландыр\w*|стипенди\w*|грант\w*")),
    "membership": ("memberships", _words(
        r"members?|membership|join(?:s|ed|ing)?|accession|acceded|involvement|"
        r"participat(?:e|es|ed|ing|ion)|мүше\w*|член\w*|вступ\w*|участ\w*")),
    "regional response": ("regional_responses", RESPONSES),
    "role": ("roles", None),  # the titles of kgraph.ingest.names.TITLES
}


#: Cues of the ontology's influence channels (ids of ``spv:`` channels).
CHANNEL_CUES = {
    "scholarships": _words(r"scholarships?|grants?|fellowships?|стипенди\w*|грант\w*|"
                           r"шәкіртақы\w*"),
    "branch-campuses": _words(r"campus(?:es)?|branch(?:es)?|филиал\w*|кампус\w*"),
    "language": _words(r"languages?|[\w]+-language|linguistic|translat(?:e|ed|ing|ion)|"
                       r"locali[sz](?:e|ed|ing|ation)|язык\w*|тіл\w*"),
    "cultural-centres": _words(r"cultural cent(?:re|er)s?|Confucius|Russian House|"
                               r"American Corners?|Goethe|Alliance Fran[cç]aise|"
                               r"культурн\w+ центр\w*"),
    "academic-mobility": _words(r"mobility|exchanges?|study(?:ing)? abroad|"
                                r"international students|foreign students|мобильност\w*|"
                                r"ұтқырлық\w*|алмасу\w*"),
    "digital-technology-education": _words(
        r"(?-i:AI|ICT|IT|GenAI)|artificial intelligence|digital|blockchain|crypto\w*|"
        r"deep learning|computing|coding|tech|технолог\w*|цифр\w*|цифрлық"),
    "university-partnerships": _words(r"university partnerships?|joint degrees?|"
                                      r"dual degrees?|double degrees?|joint programmes?|"
                                      r"academic partnerships?"),
    "research-cooperation": _words(r"research|scientific|laborator(?:y|ies)|"
                                   r"исследован\w*|ғылыми|зерттеу\w*"),
    "expert-forums": _words(r"forums?|conferences?|summits?|round ?tables?|experts?|"
                            r"форум\w*|конференц\w*|саммит\w*"),
    "media-entertainment": _words(r"media|films?|television|(?-i:TV)|music|entertainment|"
                                  r"broadcast\w*|СМИ|медиа"),
    "development-assistance": _words(r"development aid|development assistance|"
                                     r"humanitarian aid|aid programmes?|assistance"),
    "heritage-cooperation": _words(r"heritage|restoration|museums?|мұра\w*|наслед\w*"),
    "cultural-cooperation": _words(r"cultural|culture|humanitarian|мәдени\w*|культур\w*|"
                                   r"гуманитар\w*"),
    "educational-cooperation": _words(r"education|educational|universities|university|"
                                      r"образован\w*|білім\w*"),
    "infrastructure-connectivity": _words(r"infrastructure|connectivity|Belt and Road|"
                                          r"railways?|transport|инфраструктур\w*"),
    "multilateral-platforms": _words(r"platforms?|C5\+1|multilateral"),
    "people-to-people": _words(r"people-to-people|people to people|person-to-person"),
    "compatriot-policy": _words(r"compatriots?|diaspora|соотечественник\w*|отандас\w*"),
}

#: Words that say which role a place or an entity plays: the preposition before it.
PLACE_MARKERS = frozenset("in at to into across throughout within inside в во на".split())
ORIGIN_MARKERS = frozenset("from из".split())
PARTNER_MARKERS = frozenset("with между between с со".split())
#: Verbs two parties named together do to each other: without "with" or "between", two
#: parties and a cue make a partnership only with one of these after them.
RECIPROCAL = _words(r"signed|sign|agreed|agree|cooperated?|co-operated?|partnered|"
                    r"collaborated?|concluded|launched|established|подписал\w*|договорил\w*|"
                    r"қол қойды|келісті")
#: Nouns a state's adjective qualifies when it names the people a text speaks of: students
#: come from the state ("Kazakh students"), the others are reached in it ("Kazakh
#: researchers").
STUDENT_NOUNS = frozenset("student students pupils learners студенты студентов".split())
AUDIENCE_NOUNS = frozenset("""researchers scholars scientists academics citizens youth people
    audiences audience public society societies professionals teachers faculty graduates elites
    officials experts journalists diaspora""".split())
#: Words that make a programme's name a government's ("Chinese Government Scholarship").
GOVERNMENT_WORDS = _words(r"Government|State|Presidential|President's|National|"
                          r"Государственн\w*|Президент\w*|мемлекеттік")
#: Verbs whose subject is where students (or campuses) go.
HOSTING = _words(r"hosts?|hosted|hosting|attracts?|attracted|receives?|received|welcomes?|"
                 r"welcomed|принима\w*|қабылда\w*")

_YEAR = re.compile(r"(?<![\d$€£.,])(1[89]\d\d|20\d\d)(?![\d%])")
_NUMBER = r"\d{1,3}(?:[,\u00a0 ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = {"thousand": 1_000, "тыс": 1_000, "million": 1_000_000, "mln": 1_000_000,
          "m": 1_000_000, "млн": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000,
          "млрд": 1_000_000_000}
_CURRENCY_SIGNS = {"us$": "USD", "$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR",
                   "£": "GBP", "gbp": "GBP", "¥": "CNY", "cny": "CNY", "rmb": "CNY",
                   "₸": "KZT", "kzt": "KZT", "₽": "RUB", "rub": "RUB"}
_CURRENCY_WORDS = {"dollars": "USD", "us dollars": "USD", "euros": "EUR", "euro": "EUR",
                   "pounds": "GBP", "yuan": "CNY", "tenge": "KZT", "тенге": "KZT",
                   "рублей": "RUB", "рубль": "RUB", "долларов": "USD", "доллар": "USD",
                   "теңге": "KZT"}
_SCALES = "|".join(sorted(_SCALE, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?P<sign>US\$|\$|€|£|¥|₸|₽|USD|EUR|GBP|CNY|RMB|KZT|RUB)\s?(?P<number>{_NUMBER})"
    rf"(?:\s?(?P<scale>{_SCALES})\b)?|"
    rf"(?P<number2>{_NUMBER})\s?(?P<scale2>{_SCALES})?\.?\s?"
    rf"(?P<word>US dollars|dollars|euros?|pounds|yuan|tenge|теңге|тенге|рублей|долларов)\b",
    re.IGNORECASE)
_COUNT = re.compile(rf"(?P<qualifier>\b(?:over|more than|about|around|nearly|almost|some|"
                    rf"approximately|up to|at least)\s+)?(?P<number>{_NUMBER})"
                    rf"(?:\s+(?P<scale>thousand|million))?(?=\s+(?:\w+\s+){{0,2}}students)",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str
    start: int
    end: int


@dataclass(frozen=True)
class Count:
    value: int
    qualifier: str
    start: int
    end: int


def years(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """The years written in text[start:end]: (year, start, end)."""
    return [(int(m.group(1)), m.start(1), m.end(1)) for m in _YEAR.finditer(text, start, end)]


def amounts(text: str, start: int, end: int) -> list[Amount]:
    """Sums of money: "US$16 million", "$50m", "2.5 billion tenge"."""
    found = []
    for match in _AMOUNT.finditer(text, start, end):
        number = match.group("number") or match.group("number2")
        scale = (match.group("scale") or match.group("scale2") or "").lower()
        sign = match.group("sign")
        currency = _CURRENCY_SIGNS[sign.lower()] if sign else \
            _CURRENCY_WORDS[match.group("word").lower()]
        value = _number(number) * _SCALE.get(scale, 1)
        found.append(Amount(value, currency, match.start(), match.end()))
    return found


def student_counts(text: str, start: int, end: int) -> list[Count]:
    """Numbers of students: "35,000 international students", "over 1,000 students"."""
    return [Count(int(_number(m.group("number")) * _SCALE.get((m.group("scale") or "").lower(), 1)),
                  (m.group("qualifier") or "").strip().lower(), m.start(), m.end())
            for m in _COUNT.finditer(text, start, end)]


def _number(written: str) -> Decimal:
    return Decimal(re.sub(r"[,\u00a0 ]", "", written))


def matched(pattern: re.Pattern, text: str, start: int, end: int) -> list[re.Match]:
    return list(pattern.finditer(text, start, end))
