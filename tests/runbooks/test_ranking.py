"""Matching quality: realistic incident titles, alert names and descriptions against the shipped runbooks.

The table is also the calibration of MIN_SCORE: every expected match must clear it with room to spare, and
every unrelated title must stay well below it (test_the_threshold_sits_in_the_gap).
"""

import pytest

from firebell.runbooks.library import MIN_SCORE, RunbookLibrary
from firebell.runbooks.location import SHIPPED

DB = "database-primary-failover"
HTTP = "http-5xx-after-deploy"
TLS = "tls-certificate-expiry"
QUEUE = "message-queue-backlog"
VENDOR = "third-party-dependency-outage"
FLOOD = "traffic-flood-ddos"

TITLES = [
    ("Checkout returning 502s after deploy", HTTP),
    ("HighHTTP5xxRate on api-gateway", HTTP),
    ("Elevated 500 errors since the 14:00 release", HTTP),
    ("Bad gateway errors on web after rollout", HTTP),
    ("HTTP 504 gateway timeouts after release", HTTP),
    ("New version of search service throwing internal server errors", HTTP),
    ("503s", HTTP),
    ("rollback", HTTP),
    ("Postgres primary down, writes failing", DB),
    ("Replication lag on orders-db", DB),
    ("PostgresPrimaryDown", DB),
    ("Database is read-only, cannot write orders", DB),
    ("DB failover needed", DB),
    ("certificate expired on api.example.com", TLS),
    ("CertificateExpiringSoon for shop.example.com", TLS),
    ("Browsers show ERR_CERT_DATE_INVALID on the storefront", TLS),
    ("SSL handshake errors from partner integrations", TLS),
    ("cert expired", TLS),
    ("Orders queue backlog growing", QUEUE),
    ("QueueLagHigh on email-worker", QUEUE),
    ("Kafka consumer lag on payments-events", QUEUE),
    ("RabbitMQ messages piling up, order confirmations delayed", QUEUE),
    ("Stripe API timing out", VENDOR),
    ("Payment provider outage", VENDOR),
    ("Twilio SMS delivery failing", VENDOR),
    ("Auth0 login errors, vendor status page shows incident", VENDOR),
    ("Stripe down", VENDOR),
    ("Massive spike in requests from a botnet", FLOOD),
    ("DDoS on the login page", FLOOD),
    ("Credential stuffing attack against /login", FLOOD),
    ("Traffic spike overwhelming the load balancer", FLOOD),
    # Written in a hurry, in other words than the runbooks': abbreviations, status codes, versions, times.
    ("500s on checkout after rollout", HTTP),
    ("api 5xx spike after v2.14.1 went out", HTTP),
    ("ISE on /cart since the 14:05 deploy", HTTP),
    ("Rolled out search v3, now everything 503s", HTTP),
    ("Canary of the checkout service throwing 502s", HTTP),
    ("Bad rollout of web: error rate 30%", HTTP),
    ("HTTP500s from checkout-svc after release 2024.11.3", HTTP),
    ("need to roll back web deploy, 5xx through the roof", HTTP),
    ("50x errors on the storefront since the redeploy", HTTP),
    ("pg primary unreachable", DB),
    ("PG replica lag 15 min on orders-db", DB),
    ("psql: connection refused on orders db", DB),
    ("Patroni has no leader, writes erroring", DB),
    ("RDS failover in progress, app cannot write", DB),
    ("db master down", DB),
    ("orders DB in read only mode", DB),
    ("cert expiring in 2 days on shop.example.com", TLS),
    ("SSL cert expired on api", TLS),
    ("letsencrypt renewal failed for *.example.com", TLS),
    ("TLS handshake failures at the edge", TLS),
    ("certs expired, https broken for the storefront", TLS),
    ("cert-manager not renewing certificates", TLS),
    ("kafka lag growing on the orders topic", QUEUE),
    ("rabbit queue depth 2M and climbing", QUEUE),
    ("SQS backlog on email jobs", QUEUE),
    ("DLQ filling up with poison messages", QUEUE),
    ("consumers stuck, messages not processed", QUEUE),
    ("Email workers way behind, jobs piling up", QUEUE),
    ("Stripe 5xx on charges", VENDOR),
    ("3rd party SMS provider down", VENDOR),
    ("PSP timeouts at checkout", VENDOR),
    ("Twilio outage: no SMS OTPs", VENDOR),
    ("upstream vendor API returning errors", VENDOR),
    ("PayPal payments erroring, their status page is red", VENDOR),
    ("SendGrid not delivering emails", VENDOR),
    ("DoS against /search", FLOOD),
    ("L7 DDoS on the storefront, WAF rules needed", FLOOD),
    ("bots hammering login, 50k rps", FLOOD),
    ("Massive traffic surge from scrapers", FLOOD),
    ("Request flood from a single ASN", FLOOD),
    ("SYN flood on the edge", FLOOD),
]

# Title plus description, as the declare form sends them.
DESCRIPTIONS = [
    (
        "Orders not being confirmed. The order-confirmation workers are hours behind and the queue keeps growing",
        QUEUE,
    ),
    ("Card payments declined for everyone; Adyen returns timeouts since 09:12", VENDOR),
    ("orders-db unreachable: app logs show connection refused to the primary", DB),
    ("Mobile app can't connect: x509 certificate has expired for api.example.com", TLS),
    ("Huge surge of traffic from thousands of IPs hitting /search, origin CPU at 100%", FLOOD),
    (
        "Checkout failing. Customers see an error page at payment; errors started 14:05 right after the "
        "checkout-service v2.3 deploy",
        HTTP,
    ),
]

UNRELATED = [
    "Office coffee machine broken",
    "Quarterly planning",
    "Printer on the third floor is down",
    "Team offsite lunch order",
    "Wi-Fi slow in the Berlin office",
    "Typo on the careers page",
    "Laptop will not boot",
    "Rename the Slack channel",
    "Parking garage gate stuck",
    "Marketing newsletter copy review",
    "Intern needs access to Jira",
    # Real incidents that no shipped runbook covers, some naming a runbook's context word (deploy, release,
    # version, upgrade, migration) or its services without its failure: better no suggestion than a wrong one.
    "SEV4: blank dashboards since the 14:00 deploy of the metrics pipeline",
    "Grafana dashboards empty after the Prometheus upgrade",
    "Deploy pipeline stuck on the approval step",
    "Release notes missing from the changelog",
    "Version 2.3.1 of the iOS app crashes on launch",
    "Migration to the new billing system delayed",
    "Wrong prices shown after the catalog import",
    "Login button misaligned on Safari",
    "Memory leak in the recommendations service, OOM kills every 6h",
    "Cron job for invoices did not run at 02:00",
    "DNS record for the status page points to an old IP",
    "S3 bucket made public by mistake",
    "Customer data exported to the wrong tenant",
    "Elevated latency on search after the index rebuild",
    "Backups failed last night for the analytics warehouse",
    "Feature flag change hid the checkout button for 10% of users",
    # Real incidents that no shipped runbook covers: better no suggestion than a wrong one.
    "Disk full on build server",
    "Search results stale after Elasticsearch reindex",
    "Checkout page shows wrong currency symbol for Swiss customers",
    "CI pipeline is slow, builds take 40 minutes instead of 10; the runners seem overloaded",
    "Analytics dashboard numbers look off since yesterday; the nightly ETL job reported success but row counts "
    "dropped by 40% for the orders table",
    "The coffee machine on the 3rd floor is down again; facilities say the water supply failed after maintenance "
    "and a replacement part should arrive next week",
]


@pytest.fixture(scope="module")
def library() -> RunbookLibrary:
    return RunbookLibrary.load(SHIPPED)


@pytest.mark.parametrize(("query", "expected"), TITLES + DESCRIPTIONS)
def test_the_right_runbook_ranks_first(library: RunbookLibrary, query: str, expected: str) -> None:
    matches = library.search(query)
    assert matches, f"no runbook suggested for {query!r}"
    ranking = [(match.runbook.slug, round(match.score, 2)) for match in matches]
    assert matches[0].runbook.slug == expected, ranking


@pytest.mark.parametrize("query", UNRELATED)
def test_unrelated_titles_match_nothing(library: RunbookLibrary, query: str) -> None:
    assert library.search(query) == []


def test_the_threshold_sits_in_the_gap(library: RunbookLibrary) -> None:
    weakest_match = min(library.search(query)[0].score for query, _ in TITLES + DESCRIPTIONS)
    strongest_unrelated = max(
        (match.score for query in UNRELATED for match in library.search(query, limit=1, min_score=0)), default=0.0
    )
    assert weakest_match >= MIN_SCORE * 1.15
    assert strongest_unrelated <= MIN_SCORE / 1.15


def test_matches_are_best_first_and_at_most_three(library: RunbookLibrary) -> None:
    matches = library.search("payments queue backlog after deploy, database errors, stripe", min_score=0)
    assert len(matches) == 3
    assert [match.score for match in matches] == sorted((match.score for match in matches), reverse=True)
