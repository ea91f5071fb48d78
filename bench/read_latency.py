#!/usr/bin/env python3
"""Statement counts and latency of the deal page and the pipeline board.

Sends each query N times (default 100) to a dealgate started with --sql-metrics and prints,
per query, the SQL statements it ran (from extensions.sql) and the median and p95 latency.
Usage: bench/read_latency.py URL API_KEY [N]   (bench/read-latency.sh sets everything up)
"""
import json
import statistics
import sys
import time
import urllib.request

DEAL_PAGE = """{ deals(first: 50) { totalCount nodes { id title value { amount currency }
  stage { name probability } pipeline { name } company { name } contact { name } owner { name }
  products { nodes { name quantity totals { withTax { amount } } } } } } }"""

BOARD = """query($p: ID!) { pipeline(id: $p) { name stages { name probability
  deals(first: 20, filter: { status: [OPEN] }) { totalCount
    summary { count totalValue { amount currency } weightedValue { amount currency } }
    nodes { title value { amount currency } company { name } contact { name } } } } } }"""


def post(url, key, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"content-type": "application/json", "x-api-key": key}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        payload = json.load(response)
    elapsed = (time.perf_counter() - start) * 1000
    if payload.get("errors"):
        raise SystemExit(f"query failed: {payload['errors']}")
    return payload, elapsed


def measure(name, url, key, query, variables, n):
    post(url, key, query, variables)  # warm-up
    timings, statements = [], set()
    for _ in range(n):
        payload, elapsed = post(url, key, query, variables)
        timings.append(elapsed)
        statements.add(payload["extensions"]["sql"]["statements"])
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"{name}: statements={sorted(statements)} median={statistics.median(timings):.1f} ms "
        f"p95={p95:.1f} ms over {n} requests"
    )


def main():
    url, key = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    pipelines, _ = post(url, key, "{ pipelines(first: 1) { nodes { id } } }")
    pipeline = pipelines["data"]["pipelines"]["nodes"][0]["id"]
    measure("deal page (50 deals, 5 relations + products)", url, key, DEAL_PAGE, {}, n)
    measure("board (6 stages x 20 open deals, counts, summaries)", url, key, BOARD, {"p": pipeline}, n)


if __name__ == "__main__":
    main()
