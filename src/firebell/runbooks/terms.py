"""Index terms: how runbook text and incident titles become comparable words.

Text is split on anything that is not a letter or digit and lowercased; numbers are kept (`502`, `5xx`).
CamelCase alert names (`HighHTTP5xxRate`) yield the whole name, so an exact alert name is a strong, rare
match, and its parts (`high`, `http`, `5xx`, `rate`), so a similar alert still finds the runbook. Common
English words are dropped. Light stemming folds plurals and -ing/-ed forms together (`failing`, `failed`,
`fails` -> `fail`); a short table maps the words responders use interchangeably to one term.
"""

import re

_WORD = re.compile(r"[^\W_]+")
_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+[a-z]*")
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]|[A-Z]{2}\d")

_COMMON_WORDS = """a about after all also an and any are as at be been before but by can do does for from had has have how
    if in into is it its may more no not of on once only or our out over so some such than that the their them
    then there these they this those to up us was we were what when where which while who will with without
    you your"""
STOPWORDS = frozenset(_COMMON_WORDS.split())

# Words responders use for the same thing, and the one term each stands for. Applied to runbooks and to
# queries alike, so either spelling finds the other.
SYNONYMS = {
    "500": "5xx",  # "502s after deploy" is the same incident as "HTTP 5xx rate high"
    "502": "5xx",
    "503": "5xx",
    "504": "5xx",
    "db": "database",
    "postgresql": "postgres",
    "pg": "postgres",
    "cert": "certificate",
    "ssl": "tls",
    "expiry": "expired",  # expiry, expire, expired, expiring: one term
    "expire": "expired",
    "timing": "timeout",  # "timing out", "timed out"
    "timed": "timeout",
    "k8s": "kubernetes",
    "ddos": "flood",  # a DDoS is a traffic flood, whoever sends it
}


def stem(word: str) -> str:
    """Fold a lowercase word's plural and -ing/-ed forms together (light, rule-based, never below 4 letters)."""
    if len(word) <= 3:
        return word
    if not word.isalpha():  # 502s -> 502, but x509 and k8s stay whole
        return word[:-1] if word.endswith("s") and any(char.isdigit() for char in word) else word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":  # dropped -> dropp -> drop
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 4:  # scale/scaled/scaling, queue/queues
        word = word[:-1]
    return word


_CANONICAL = {stem(word): stem(term) for word, term in SYNONYMS.items()}


def _words(text: str) -> list[str]:
    words: list[str] = []
    for word in _WORD.findall(text):
        words.append(word.lower())
        if _CAMEL.search(word):
            parts = [part.lower() for part in _CAMEL_PART.findall(word)]
            if len(parts) > 1:
                words.extend(parts)
    return words


def terms(text: str) -> list[str]:
    """The index terms of a text, in order, repeats kept (term frequency matters to ranking)."""
    stemmed = (stem(word) for word in _words(text) if word not in STOPWORDS)
    return [_CANONICAL.get(word, word) for word in stemmed]
