"""Sends each abuse family's attacks to a running dealgate and prints the slowest refusal.

Usage: python3 bench/abuse.py BASE_URL API_KEY N. Standard library only. Each attack is sent N
times; a family's row shows its slowest refusal (ms, wall clock, including the HTTP round
trip) and the codes seen. The server must still answer a plain query at the end.
"""

import http.client
import json
import socket
import sys
import time
import urllib.parse

BASE, KEY, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
HOST = urllib.parse.urlparse(BASE).netloc


def post(body, content_type="application/json", key=KEY):
    conn = http.client.HTTPConnection(HOST, timeout=60)
    headers = {"X-API-KEY": key}
    if content_type:
        headers["Content-Type"] = content_type
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request("POST", "/graphql", body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def post_oversized(body):
    """POSTs on a raw socket: the server answers 413 from the Content-Length and closes the
    connection while the body is still being sent, which http.client reports as a broken pipe."""
    host, port = HOST.split(":")
    s = socket.create_connection((host, int(port)))
    head = (f"POST /graphql HTTP/1.1\r\nHost: {HOST}\r\nX-API-KEY: {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    try:
        s.sendall(head + body)
    except OSError:
        pass
    answer = b""
    s.settimeout(10)
    try:
        while chunk := s.recv(65536):
            answer += chunk
    except OSError:
        pass
    s.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer.split(b"\r\n\r\n", 1)[-1]


def get(params, key=KEY):
    conn = http.client.HTTPConnection(HOST, timeout=60)
    conn.request("GET", "/graphql?" + urllib.parse.urlencode(params), headers={"X-API-KEY": key})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def gql(query, variables=None, **kw):
    return post({"query": query, "variables": variables or {}}, **kw)


def code(payload):
    try:
        return json.loads(payload)["errors"][0]["extensions"]["code"]
    except (ValueError, KeyError, IndexError, TypeError):
        return "-"


def fan_out():
    q = "{ ...F0 }\n" + "".join(f"fragment F{i} on Query {{ ...F{i+1} ...F{i+1} }}\n" for i in range(27))
    return gql(q + "fragment F27 on Query { viewer { scope } }")


def nested(levels):
    q = "deals(first: 500) { nodes { id } }"
    for _ in range(levels - 1):
        q = f"deals(first: 500) {{ nodes {{ owner {{ {q} }} }} }}"
    return "{ " + q + " }"


def slow_header():
    start = time.perf_counter()
    host, port = HOST.split(":")
    s = socket.create_connection((host, int(port)))
    s.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")
    s.settimeout(60)
    try:
        s.recv(100)
    except OSError:
        pass
    s.close()
    return 0, b"", time.perf_counter() - start


FILTER = "query($f: DealFilter) { deals(filter: $f) { totalCount } }"
FAMILIES = [
    ("fragment fan-out (2^27)", fan_out),
    ("aliases (1000 x first:500)", lambda: gql("{ " + " ".join(f"a{i}: deals(first: 500) {{ nodes {{ title }} }}" for i in range(1000)) + " }")),
    ("nesting (50,000 brackets)", lambda: gql("{ a " * 50_000 + "}" * 50_000)),
    ("directives (100 on a field)", lambda: gql("{ viewer " + "@include(if: true) " * 100 + "{ scope } }")),
    ("tokens (20,000)", lambda: gql("{ viewer { " + "scope " * 20_000 + "} }")),
    ("operations (30)", lambda: post({"query": " ".join(f"query Q{i} {{ viewer {{ scope }} }}" for i in range(30)), "operationName": "Q1"})),
    ("page sizes (first: 501)", lambda: gql("{ deals(first: 501) { nodes { id } } }")),
    ("cost (3 x first:500 nested)", lambda: gql(nested(3))),
    ("cost overflow (5 levels)", lambda: gql(nested(5))),
    ("huge search (1 MB)", lambda: gql(FILTER, {"f": {"search": "%_" * 500_000}})),
    ("orderBy (10,000 keys)", lambda: gql("query($o: [DealOrder!]) { deals(orderBy: $o) { totalCount } }", {"o": [{"field": "TITLE"}] * 10_000})),
    ("NUL bytes", lambda: gql(FILTER, {"f": {"search": "a\u0000b"}})),
    ("variables (missing, 2^31)", lambda: gql("query($n: Int!) { deals(first: $n) { totalCount } }", {"n": 2**31})),
    ("bad scalars (NaN, year 10000)", lambda: gql(FILTER, {"f": {"valueMin": "NaN", "createdAfter": "10000-01-01T00:00:00Z"}})),
    ("bad cursors", lambda: gql("{ deals(after: \"" + "A" * 1000 + "\") { totalCount } }")),
    ("bad ids", lambda: gql("query($id: ID!) { node(id: $id) { id } }", {"id": "deal_" + "f" * 5000})),
    ("body size (1.1 MiB)", lambda: post_oversized(b'{"query": "{ viewer { scope } }", "variables": {"x": "' + b"y" * 1_150_000 + b'"}}')),
    ("malformed JSON", lambda: post(b'{"query": ')),
    ("content types (text/plain)", lambda: post(b'{"query": "{ viewer { scope } }"}', content_type="text/plain")),
    ("batches", lambda: post(b'[{"query": "{ viewer { scope } }"}]')),
    ("GET mutation", lambda: get({"query": "mutation M { createApiKey(input: {name: \"x\"}) { key } }"})),
    ("cross-tenant ids", lambda: gql("query($id: ID!) { deal(id: $id) { id } }", {"id": "deal_" + "0" * 32})),
    ("read-only bypass (named, no key scope)", lambda: gql("query Q { viewer { scope } } mutation M { createApiKey(input: {name: \"x\"}) { key } }", key=KEY_READ)),
]


ZERO = "0" * 32
README_EXAMPLES = [
    ("viewer (curl example)", "{ viewer { organization { id name defaultCurrency } user { name } scope } }"),
    ("deal list with summary", """{ deals(first: 20, filter: { status: [OPEN], search: "renewal" },
        orderBy: [{ field: VALUE, direction: DESC }]) { totalCount
        summary { count totalValue { amount currency } weightedValue { amount currency } }
        pageInfo { hasNextPage endCursor }
        nodes { title value { amount currency } stage { name probability } company { name }
                contact { name } owner { name } daysInStage dealAgeDays tags
                products { nodes { name quantity totals { withoutTax { amount } withTax { amount } } } } } } }"""),
    ("pipeline board", """{ pipelines { nodes { name stages { name probability
        deals(first: 20, filter: { status: [OPEN] }) {
        totalCount summary { totalValue { amount currency } } nodes { title company { name } } } } } } }"""),
    ("moveDealToStage", f"""mutation {{ moveDealToStage(input: {{ dealId: "deal_{ZERO}", stageId: "stage_{ZERO}",
        note: "Demo went well", expectedVersion: 3 }}) {{ deal {{ stage {{ name }} version stageChangedAt }}
        stageChange {{ fromStage {{ name }} toStage {{ name }} note changedAt }} }} }}"""),
    ("closeDeal", f"""mutation {{ closeDeal(input: {{ dealId: "deal_{ZERO}", result: LOST,
        lostReason: "Chose a competitor" }}) {{ deal {{ status lostReason closedAt }} }} }}"""),
    ("sales", f"""{{ sales(first: 20, filter: {{ ownerId: "user_{ZERO}", startDate: "2026-11-01", endDate: "2026-11-30" }}) {{
        nodes {{ owner {{ name }} primaryContact {{ name }} quote {{ currency totalPrice }}
                currentStatus {{ label status }} statusHistory {{ label status changedAt }} }} }} }}"""),
]


def main():
    global KEY_READ
    status, payload = gql('mutation { createApiKey(input: { name: "bench-read", scope: READ }) { key } }')
    KEY_READ = json.loads(payload)["data"]["createApiKey"]["key"]
    print(f"{'family':42} {'slowest ms':>10}  codes (HTTP status)")
    for name, attack in FAMILIES:
        slowest, codes = 0.0, set()
        for _ in range(N):
            start = time.perf_counter()
            status, payload = attack()
            slowest = max(slowest, (time.perf_counter() - start) * 1000)
            codes.add(f"{code(payload)} ({status})")
        print(f"{name:42} {slowest:10.1f}  {', '.join(sorted(codes))}")
    _, _, waited = slow_header()
    print(f"{'slow peer (headers never finish)':42} {waited * 1000:10.1f}  closed by the server (read timeout)")
    print()
    print(f"{'README example':42} {'cost':>10}")
    for name, query in README_EXAMPLES:
        _, payload = gql(query)
        print(f"{name:42} {json.loads(payload)['extensions']['cost']['requested']:10}")
    status, payload = gql("{ viewer { scope } }")
    print(f"still answering afterwards: HTTP {status} {payload.decode()[:80]}")


if __name__ == "__main__":
    main()
