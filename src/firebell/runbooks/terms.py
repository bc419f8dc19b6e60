"""Index terms: how runbook text and incident titles become comparable words.

Text is split on anything that is not a letter or digit and lowercased. CamelCase alert names
(`HighHTTP5xxRate`) yield the whole name, so an exact alert name is a strong, rare match, and its parts
(`high`, `http`, `5xx`, `rate`), so a similar alert still finds the runbook. Common English words are
dropped, and so is what people type in a hurry that names no failure: times (`14:05`), severities (`SEV2`),
bare counts and amounts (`15`, `2M`, `6h`); HTTP status codes (`502s`) are kept. Versions (`v2.14.1`,
`2024.11.3`, `v3`) become the word `version`. Light stemming folds plurals and -ing/-ed forms together
(`failing`, `failed`, `fails` -> `fail`); a table maps the words and abbreviations responders use
interchangeably to one term (`rollout` and `deploy`, `500s` and `5xx`, `pg` and `postgres`).
"""

import re

_WORD = re.compile(r"[^\W_]+")
_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+[a-z]*")
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]|[A-Z]{2}\d")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?\b)?", re.IGNORECASE)
_VERSION = re.compile(r"(?<![\w.])v?\d+(?:\.\d+){1,3}(?![\w.])|(?<![\w.])v\d+(?![\w.])", re.IGNORECASE)
# Two-word forms that mean one thing ("roll back" is the rollback, "roll out" the deploy).
_PHRASES = (
    (re.compile(r"\broll(?:s|ed|ing)?[\s-]*back\b", re.IGNORECASE), "rollback"),
    (re.compile(r"\broll(?:s|ed|ing)?[\s-]*out\b", re.IGNORECASE), "rollout"),
    (re.compile(r"\bthird[\s-]+party\b|\b3rd[\s-]*party\b", re.IGNORECASE), "thirdparty"),
    (re.compile(r"\blet'?s[\s-]*encrypt\b", re.IGNORECASE), "letsencrypt"),
    (re.compile(r"\bdead[\s-]*letter(?:[\s-]*queue)?s?\b", re.IGNORECASE), "dlq"),
)
_SEVERITY = re.compile(r"^(?:sev|p)\d$")
_AMOUNT = re.compile(r"^\d+(?:k|m|h|s|ms|min|mins|d|w|kb|mb|gb|tb|pct)?$")
_STATUS_CODE = re.compile(r"^[1-5]\d\d$")

_COMMON_WORDS = """a about after again all also am an and any are as at be been before but by can do does for from
    had has have how if in into is it its may more no not now of on once only or our out over since so some still
    such than that the their them then there these they this those to up us was we were what when where which
    while who will with without you your sev utc via min mins sec secs hr hrs"""
STOPWORDS = frozenset(_COMMON_WORDS.split())

# Words responders use for the same thing, and the one term each stands for. Applied to runbooks and to
# queries alike, so either spelling finds the other.
SYNONYMS = {
    # Server errors: "502s after deploy" is the same incident as "HTTP 5xx rate high".
    "500": "5xx",
    "501": "5xx",
    "502": "5xx",
    "503": "5xx",
    "504": "5xx",
    "50x": "5xx",
    "ise": "5xx",  # internal server error
    # Deploys: how a change reaches production.
    "rollout": "deploy",
    "redeploy": "deploy",
    "deployment": "deploy",
    "ship": "deploy",
    "shipped": "deploy",
    "canary": "deploy",
    # Databases.
    "db": "database",
    "rds": "database",
    "aurora": "database",
    "postgresql": "postgres",
    "pg": "postgres",
    "psql": "postgres",
    "master": "primary",
    "replica": "replication",
    "readonly": "read",
    # Certificates.
    "cert": "certificate",
    "ssl": "tls",
    "expiry": "expired",  # expiry, expire, expired, expiring: one term
    "expire": "expired",
    "renewal": "renew",
    # Waiting on others.
    "timing": "timeout",  # "timing out", "timed out"
    "timed": "timeout",
    "3p": "thirdparty",
    "psp": "provider",  # payment service provider
    # Queues.
    "rabbit": "rabbitmq",
    "rmq": "rabbitmq",
    "sqs": "queue",
    "lagging": "lag",
    # Floods.
    "ddos": "flood",  # a DDoS is a traffic flood, whoever sends it
    "dos": "flood",
    "surge": "spike",
    "scraper": "scraping",
    "crawler": "scraping",
    "rps": "request",
    "qps": "request",
    "k8s": "kubernetes",
}

# Words that say when or around what something broke, not what broke: they rank, but never on their own
# make a runbook a suggestion (see library.MATCH_FIELDS).
CONTEXT_WORDS = ("deploy", "release", "version", "upgrade", "change", "migration")


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


def _canonical(word: str) -> str:
    stemmed = stem(word)
    return _CANONICAL.get(word) or _CANONICAL.get(stemmed) or stemmed


_CANONICAL: dict[str, str] = {}
_CANONICAL.update({stem(word): stem(term) for word, term in SYNONYMS.items()})
_CANONICAL.update({word: stem(term) for word, term in SYNONYMS.items()})
CONTEXT_TERMS = frozenset(_canonical(word) for word in CONTEXT_WORDS)


def _is_noise(word: str) -> bool:
    """A word that names no failure: a severity, a bare count or amount (but not an HTTP status code)."""
    if _SEVERITY.match(word):
        return True
    return bool(_AMOUNT.match(word)) and not _STATUS_CODE.match(word.rstrip("s"))


def _words(text: str, *, parts: bool = True) -> list[str]:
    text = _TIME.sub(" ", text)
    text = _VERSION.sub(" version ", text)
    for phrase, word in _PHRASES:
        text = phrase.sub(word, text)
    words: list[str] = []
    for word in _WORD.findall(text):
        lowered = word.lower()
        words.append(lowered)
        if parts:
            words.extend(camel_parts(word))
    return words


def camel_parts(word: str) -> list[str]:
    """The lowercase parts of a CamelCase name (`HighHTTP5xxRate` -> high, http, 5xx, rate); [] for a plain word."""
    if not _CAMEL.search(word) or word.lower() in SYNONYMS:  # DDoS is one word, not D-Do-S
        return []
    found = [part.lower() for part in _CAMEL_PART.findall(word) if len(part) > 1]
    return found if len(found) > 1 else []


def terms(text: str) -> list[str]:
    """The index terms of a text, in order, repeats kept (term frequency matters to ranking)."""
    return [_canonical(word) for word in _words(text) if word not in STOPWORDS and not _is_noise(word)]


def name_part_terms(text: str) -> tuple[list[str], list[str]]:
    """(terms without the parts of CamelCase names, the terms of those parts): a runbook's alert names count
    whole in its keywords and only weakly by their parts (`stuck` in KubeDeploymentRolloutStuck)."""
    whole = [_canonical(w) for w in _words(text, parts=False) if w not in STOPWORDS and not _is_noise(w)]
    split = [_canonical(part) for word in _WORD.findall(text) for part in camel_parts(word)]
    return whole, [term for term in split if term not in STOPWORDS and not _is_noise(term)]
