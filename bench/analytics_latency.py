"""Statements and latency of the dashboard queries (group-by, aggregates, composed and
custom-field filters, related sort keys) against a running dealgate with --sql-metrics.

Usage: python3 bench/analytics_latency.py URL API_KEY [N]   (see bench/analytics-latency.sh)
"""

import sys

from read_latency import measure

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
]


def main():
    url, key = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    for name, query in QUERIES:
        measure(name, url, key, query, {}, n)


if __name__ == "__main__":
    main()
