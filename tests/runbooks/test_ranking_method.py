"""BM25F and the terms it ranks: properties that hold for any runbooks."""

import pytest

from firebell.runbooks.ranking import Bm25fIndex, FieldSpec
from firebell.runbooks.terms import stem, terms

FIELDS = (FieldSpec("title", weight=3.0), FieldSpec("body", weight=1.0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HighHTTP5xxRate", ["highhttp5xxrate", "high", "http", "5xx", "rate"]),
        ("Checkout returning 502s", ["checkout", "return", "5xx"]),
        ("DB certs expired; SSL/TLS", ["databas", "certificat", "expir", "tls", "tls"]),
        ("x509 k8s", ["x509", "kubernet"]),
        ("The queue is on fire", ["queu", "fire"]),
        ("timing out, timed out", ["timeout", "timeout"]),
        ("Zahlungsausfall über 50%", ["zahlungsausfall", "über"]),  # a bare amount names no failure
        # What people type in a hurry: times, severities and amounts go; status codes stay; versions are one word.
        ("SEV2 since 14:05, 2M msgs, 15 min", ["msg"]),
        ("500s after v2.14.1; 2024.11.3 and v3 too", ["5xx", "version", "version", "version", "too"]),
        ("rolled back the rollout; roll-out again", ["rollback", "deploy", "deploy"]),
        ("pg master, psql, RDS", ["postgr", "primary", "postgr", "databas"]),
        ("certs via Let's Encrypt, 3rd party PSP", ["certificat", "letsencrypt", "thirdparty", "provider"]),
        ("DoS, DDoS, 50x, ISE, surge of scrapers", ["flood", "flood", "5xx", "5xx", "spik", "scrap"]),
        ("DLQ and dead letter queue", ["dlq", "dlq"]),
    ],
)
def test_terms(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (["fail", "fails", "failed", "failing"], True),
        (["scale", "scaled", "scaling", "scales"], True),
        (["drop", "dropped", "dropping"], True),
        (["dependency", "dependencies"], True),
        (["queue", "queues"], True),
        (["status", "statuses"], True),
        (["expiry", "expired"], False),  # light stemming: the synonym table joins these two
    ],
)
def test_stemming_folds_simple_variants(words: list[str], same: bool) -> None:
    assert (len({stem(word) for word in words}) == 1) is same


def test_short_words_and_numbers_are_left_alone() -> None:
    assert [stem(word) for word in ("red", "bus", "ring", "502s", "5xx", "x509")] == [
        "red",
        "bus",
        "ring",
        "502",
        "5xx",
        "x509",
    ]


def test_a_term_counts_once_however_many_fields_repeat_it() -> None:
    # BM25F saturates the combined frequency once: "disk" everywhere is worth less than matching two words.
    index = Bm25fIndex(
        [
            {"title": ["disk", "disk"], "body": ["disk", "disk", "disk", "disk"]},
            {"title": ["disk", "full"], "body": ["other"]},
            {"title": ["unrelated"], "body": ["words"]},
        ],
        FIELDS,
    )
    assert index.score(1, ["disk", "full"]) > index.score(0, ["disk", "full"])
    assert index.score(0, ["disk"]) < index.idf("disk") * (index.k1 + 1)


def test_field_weights_and_length_normalisation() -> None:
    index = Bm25fIndex(
        [
            {"title": ["cert"], "body": ["a", "b"]},
            {"title": ["x"], "body": ["cert", "b"]},
            {"title": ["y"], "body": ["cert", "b", "c", "d", "e", "f", "g", "h"]},
            {"title": ["z"], "body": ["q"]},
        ],
        FIELDS,
    )
    title_hit, short_body_hit, long_body_hit, miss = (index.score(doc, ["cert"]) for doc in range(4))
    assert title_hit > short_body_hit > long_body_hit > miss == 0


def test_rarer_terms_weigh_more_and_unknown_terms_lengthen_the_query() -> None:
    index = Bm25fIndex([{"body": ["common", "rare"]}, {"body": ["common"]}, {"body": ["common"]}], FIELDS)
    assert index.idf("rare") > index.idf("common") > 0
    assert index.idf("unknown") == 0
    assert index.query_norm(["rare", "unknown"]) > index.query_norm(["rare"]) > 0
    assert index.query_norm([]) == 0
    assert index.score(0, ["rare", "rare"]) == index.score(0, ["rare"])  # repeats in the query count once


def test_an_empty_index_scores_nothing() -> None:
    index = Bm25fIndex([], FIELDS)
    assert len(index) == 0
    assert index.idf("anything") == 0
