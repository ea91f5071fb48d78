"""Statements and latency of the dashboard queries (group-by, aggregates, composed and
custom-field filters, related sort keys, timeline, funnel, search) against a running dealgate
with --sql-metrics.

Usage: python3 bench/analytics_latency.py URL API_KEY [N]   (see bench/analytics-latency.sh)
"""

import sys
from datetime import datetime, timedelta, timezone

from read_latency import measure, post

SUMMARY = "deals(first: 1) { summary { count totalValue { amount currency } weightedValue { amount currency }"

QUERIES = [
    ("dealGroups by OWNER, STAGE (open deals)",
     """{ dealGroups(filter: { status: [OPEN] }, by: [OWNER, STAGE]) {
         owner { name } stage { name } summary { count totalValue { amount currency } } } }"""),
    ("dealGroups by TAG",
     "{ dealGroups(by: [TAG]) { tag summary { count averageValue { amount currency } } } }"),
    ("summary with average, min, max (all deals)",
     "{ " + SUMMARY + " averageValue { amount currency } minValue { amount currency } maxValue { amount currency } } } }"),
    ("composed filter (or / not), 50 deals",
     """{ deals(first: 50, filter: { or: [{ status: [WON] }, { valueMin: "50000" }],
         not: { priority: [LOW] } }) { totalCount nodes { title } } }"""),
    ("customFields filter (industry CONTAINS, seats > 400), 50 deals",
     """{ deals(first: 50, filter: { customFields: [{ key: "industry", op: CONTAINS, value: "care" },
         { key: "seats", op: GT, value: "400" }] }) { totalCount nodes { title } } }"""),
    ("sort by OWNER_NAME, 50 deals",
     "{ deals(first: 50, orderBy: [{ field: OWNER_NAME }]) { nodes { title owner { name } } } }"),
    ("sort by STAGE_POSITION desc, 50 deals",
     "{ deals(first: 50, orderBy: [{ field: STAGE_POSITION, direction: DESC }]) { nodes { title stage { name } } } }"),
    ("dealsTimeline: 12 months of won deals (Europe/Berlin), split + 5 deals each",
     """{ dealsTimeline(startDate: "2025-12-01", interval: MONTH, amount: 12, field: WON,
         timeZone: "Europe/Berlin") { startDate summary { count totalValue { amount currency } }
         open { count } won { count } lost { count } deals(first: 5) { nodes { title } } } }"""),
    ("dealsTimeline: 52 weeks of created deals, totals only",
     """{ dealsTimeline(startDate: "2025-11-24", interval: WEEK, amount: 52, field: CREATED) {
         startDate summary { count totalValue { amount currency } } } }"""),
    ("dealFunnel of the first pipeline, all time",
     """query($p: ID!) { dealFunnel(pipelineId: $p) { stages { stage { name } entered movedOn
         won conversionRate winRate averageDaysInStage medianDaysInStage } } }"""),
    ("dealFunnel of the first pipeline, entries of the last 90 days",
     """query($p: ID!, $since: DateTime) { dealFunnel(pipelineId: $p, enteredAfter: $since) {
         stages { stage { name } entered movedOn won conversionRate winRate averageDaysInStage
         medianDaysInStage } } }"""),
    ("searchDeals 'manufact' in custom fields, 20 results",
     """{ searchDeals(term: "manufact", fields: [CUSTOM_FIELDS], first: 20) { totalCount
         edges { score matchedFields node { title } } } }"""),
    ("searchDeals 'acme renew' everywhere, 20 results",
     """{ searchDeals(term: "acme renew", first: 20) { edges { score node { title } } } }"""),
    ("searchDeals exact 'Hardware refresh', 20 results + totalCount",
     """{ searchDeals(term: "Hardware refresh", exactMatch: true, first: 20) { totalCount
         edges { node { title } } } }"""),
]


def main():
    url, key = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    pipelines, _ = post(url, key, "{ pipelines(first: 1) { nodes { id } } }")
    since = datetime.now(timezone.utc) - timedelta(days=90)
    variables = {
        "p": pipelines["data"]["pipelines"]["nodes"][0]["id"],
        "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for name, query in QUERIES:
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        measure(name, url, key, query, used, n)


if __name__ == "__main__":
    main()
