#!/usr/bin/env python3
"""pg_federation benchmarks: every group of issue 5 side by side in one run.

Run through bench/run.sh, which builds and installs the release extension, starts the
cluster, the fixture remote APIs and this driver. The driver creates the data, starts
the gateway of group (c), measures every group and writes bench/REPORT.md and
bench/cost_growth.svg.

A group is a function decorated with @group(key, title); it receives the Bench and
returns a Section (markdown, plus Target lines for the summary). Add a group by writing
one more such function: the report picks it up in key order.

Timing: time.perf_counter around one client call; each variant is repeated (after a
warm-up) and reported as median and p10-p90. Within one repetition the variants run
one after another in a shuffled order, so slow phases of the machine hit all of them;
peers far longer than the call measured run in blocks instead (run_in_blocks).
Database calls go through libpq's PQexecParams (psycopg's pgconn), never prepared, and
results are read as text and not parsed: the client does the least work it can, for us
and for every peer alike.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import psycopg
from psycopg.pq import ExecStatus

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# --------------------------------------------------------------------------------------
# measurement helpers


@dataclass
class Stats:
    samples: list[float]  # seconds

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def quantile(self, q: float) -> float:
        s = sorted(self.samples)
        if len(s) == 1:
            return s[0]
        pos = q * (len(s) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(s) - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - lo)

    @property
    def p10(self) -> float:
        return self.quantile(0.10)

    @property
    def p90(self) -> float:
        return self.quantile(0.90)

    def ms(self) -> str:
        """`12.3 (11.9–13.0)`: median and p10–p90 in milliseconds."""
        return f"{fmt_ms(self.median)} ({fmt_ms(self.p10)}–{fmt_ms(self.p90)})"


def fmt_ms(seconds: float) -> str:
    ms = seconds * 1000
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    return f"{ms:.2f}"


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}×" if x < 10 else f"{x:.1f}×"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_interleaved(variants: dict[str, Callable[[], object]], reps: dict[str, int] | int, warmup: int = 2) -> dict[str, Stats]:
    """Runs every variant `reps` times (per variant when a dict), in a new order each
    repetition, after `warmup` untimed calls each. The order is shuffled (with a fixed
    seed), not rotated: rotating keeps the cyclic order, so one variant would always follow
    the same other, and a call that follows a long one pays more (see bench/NOTES.md)."""
    if isinstance(reps, int):
        reps = {name: reps for name in variants}
    for name, fn in variants.items():
        for _ in range(min(warmup, reps[name])):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    shuffler = random.Random(20261126)
    for _ in range(max(reps.values())):
        order = names[:]
        shuffler.shuffle(order)
        for name in order:
            if len(samples[name]) < reps[name]:
                samples[name].append(timed(variants[name]))
    return {name: Stats(s) for name, s in samples.items()}


def run_in_blocks(variants: dict[str, Callable[[], object]], reps: dict[str, int], rounds: int = 3) -> dict[str, Stats]:
    """Runs each variant's repetitions back to back, one block per variant and round (the
    blocks of a round in a shuffled order), each block after one untimed call. For peers
    of very different durations: interleaved call by call, the short one would always
    follow a long one and pay the first round trip after an idle stretch, which here grows
    with the stretch (see bench/NOTES.md); in blocks each runs as it would when called
    repeatedly, and the rounds spread any drift of the machine over all of them."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    shuffler = random.Random(20261126)
    names = list(variants)
    for round_number in range(rounds):
        shuffler.shuffle(names)
        for name in names:
            # This round's share of the repetitions (the earlier rounds take the remainder).
            count = reps[name] // rounds + (1 if round_number < reps[name] % rounds else 0)
            if count == 0:
                continue
            variants[name]()
            for _ in range(count):
                samples[name].append(timed(variants[name]))
    return {name: Stats(s) for name, s in samples.items()}


# --------------------------------------------------------------------------------------
# clients


class Http:
    """A keep-alive HTTP/1.1 client for one host (like the extension's ureq agent)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def request(self, method: str, path: str, body: bytes | None = None) -> bytes:
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = self._connect()
                headers = {"content-type": "application/json"} if body is not None else {}
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.status != 200:
                    raise RuntimeError(f"{method} {self.host}:{self.port}{path}: HTTP {response.status}: {data[:300]!r}")
                return data
            except (http.client.HTTPException, ConnectionError, OSError):
                # the server closed an idle keep-alive connection: reconnect once
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def post(self, path: str, body: bytes) -> bytes:
        return self.request("POST", path, body)

    def post_json(self, path: str, value: object) -> object:
        return json.loads(self.post(path, json.dumps(value).encode()))

    def get_json(self, path: str) -> object:
        return json.loads(self.request("GET", path))


class Fixture:
    """One pgf-fixture server: /graphql plus its control endpoints."""

    def __init__(self, name: str, port: int):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.http = Http("127.0.0.1", port)
        self.control = Http("127.0.0.1", port)

    def reset(self) -> None:
        self.control.post("/_reset", b"{}")

    def fault(self, mode: str, delay_ms: int = 0) -> None:
        self.control.post_json("/_fault", {"mode": mode, "delay_ms": delay_ms})

    def stats(self) -> dict:
        return self.control.get_json("/_stats")  # type: ignore[return-value]


class Db:
    """One session; statements run through PQexecParams, never prepared, results as text."""

    def __init__(self, conninfo: str):
        self.conn = psycopg.connect(conninfo, autocommit=True)
        self.pgconn = self.conn.pgconn

    def value(self, sql: str, params: list | tuple = (), types: list[int] | None = None) -> bytes | None:
        encoded = [None if p is None else str(p).encode() for p in params]
        result = self.pgconn.exec_params(sql.encode(), encoded, types)
        if result.status != ExecStatus.TUPLES_OK and result.status != ExecStatus.COMMAND_OK:
            raise RuntimeError(f"SQL failed: {result.error_message.decode(errors='replace')}\n{sql[:500]}")
        if result.ntuples == 0 or result.nfields == 0:
            return None
        return result.get_value(0, 0)

    def text(self, sql: str, params: list | tuple = ()) -> str:
        value = self.value(sql, params)
        return "" if value is None else value.decode()

    def run(self, sql: str) -> None:
        self.conn.execute(sql)

    def pid(self) -> int:
        return int(self.text("select pg_backend_pid()"))

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------------------
# the bench context


@dataclass
class Target:
    group: str
    target: str
    measured: str
    met: bool | None  # None: informative, no target


@dataclass
class Section:
    key: str
    title: str
    markdown: str
    targets: list[Target] = field(default_factory=list)


GROUPS: list[tuple[str, str, Callable[["Bench"], Section]]] = []


def group(key: str, title: str):
    def register(fn: Callable[["Bench"], Section]):
        GROUPS.append((key, title, fn))
        return fn

    return register


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.quick: bool = args.quick
        self.conninfo = f"host={args.socket_dir} port={args.port} user=postgres dbname={args.db}"
        self.fixtures = [Fixture(f"users_api_{i}", port) for i, port in enumerate(args.fixture_ports)]
        self.users = self.fixtures[0]
        self.gateway: subprocess.Popen | None = None
        self.gateway_http = Http("127.0.0.1", args.gateway_port)
        self.db: Db | None = None
        self.results: dict = {}  # data shared between groups (the plot of (g) reads (a))
        self.samples: dict[str, dict[str, list[float]]] = {}  # raw samples, saved with the results

    # sizes and repetitions: --quick keeps development runs short
    def reps(self, full: int, quick: int = 3) -> int:
        return quick if self.quick else full

    def log(self, message: str) -> None:
        print(f"bench: {message}", flush=True)

    def resolve_call(self, db: Db, query: str, variables: dict | None = None) -> Callable[[], bytes | None]:
        sql = "select graphql.resolve($1, $2::jsonb)::text"
        params = [query, json.dumps(variables or {})]
        return lambda: db.value(sql, params)

    def resolve(self, db: Db, query: str, variables: dict | None = None) -> dict:
        raw = self.resolve_call(db, query, variables)()
        response = json.loads(raw or b"null")
        if "errors" in response:
            raise RuntimeError(f"resolve answered errors: {json.dumps(response['errors'])[:1000]}\nquery: {query}")
        return response


# --------------------------------------------------------------------------------------
# set-up: data, metadata, the gateway

DATA_SQL = """
create extension if not exists pg_federation;

-- (a), (b), (c), (d), (f): orders joined to the remote users API by user_id.
-- user_id is distinct per row; user_id10 takes only 10 values.
create table orders (id int primary key, user_id int not null, user_id10 int not null, total numeric(10,2) not null);
insert into orders select g, g, 1 + g % 10, round((g % 997) * 1.37, 2) from generate_series(1, 10000) g;

-- (e): tables only, with foreign keys (an object and an array relationship).
create table customers (id int primary key, name text not null, email text, country text not null);
insert into customers select g, 'customer ' || g, 'c' || g || '@example.com', (array['NZ', 'FR', 'BR'])[1 + g % 3]
from generate_series(1, 10000) g;
create table shop_orders (id int primary key, customer_id int not null references customers,
                          total numeric(10,2) not null, placed_at timestamptz not null);
insert into shop_orders select g, 1 + (g * 7) % 10000, round((g % 991) * 2.11, 2),
                               timestamptz '2024-01-01 00:00:00+00' + g * interval '7 minutes'
from generate_series(1, 20000) g;
create index on shop_orders (customer_id);
create table order_lines (id int primary key, shop_order_id int not null references shop_orders,
                          product text not null, qty int not null, price numeric(10,2) not null);
insert into order_lines select g, 1 + (g - 1) / 3, 'product ' || g % 500, 1 + g % 5, round((g % 89) * 1.5, 2)
from generate_series(1, 60000) g;
create index on order_lines (shop_order_id);
"""


def metadata(db: Db, body: dict) -> None:
    db.value("select graphql.metadata($1::jsonb)", [json.dumps(body)])


def remote_relationship(table: str, name: str, remote: str, column: str) -> dict:
    return {"type": "pg_create_remote_relationship", "args": {
        "table": table, "name": name,
        "definition": {"to_remote_schema": {"remote_schema": remote, "lhs_fields": [column],
                                            "remote_field": {"user": {"arguments": {"id": f"${column}"}}}}}}}


def set_up(b: Bench) -> None:
    admin = Db(f"host={b.args.socket_dir} port={b.args.port} user=postgres dbname=postgres")
    admin.run(f"drop database if exists {b.args.db}")
    admin.run(f"create database {b.args.db}")
    admin.close()
    db = Db(b.conninfo)
    b.log("creating tables and data")
    db.conn.execute(DATA_SQL)
    db.run("vacuum analyze")
    # The main remote keeps its own names; the two others of (d) get a namespace and a
    # type prefix, since the three are the same API.
    for i, fixture in enumerate(b.fixtures):
        definition: dict = {"url": fixture.url, "timeout_seconds": 60}
        if i:
            definition["customization"] = {"root_fields_namespace": f"users_api_{i}", "type_names": {"prefix": f"U{i}_"}}
        metadata(db, {"type": "add_remote_schema", "args": {"name": fixture.name, "definition": definition}})
    metadata(db, remote_relationship("orders", "user", "users_api_0", "user_id"))
    metadata(db, remote_relationship("orders", "user10", "users_api_0", "user_id10"))
    # The same join with list batching declared: one `users(ids: [...])` field a level.
    batched = remote_relationship("orders", "user_batched", "users_api_0", "user_id")
    batched["args"]["definition"]["to_remote_schema"]["batch"] = {"field": "users", "argument": "ids", "key_field": "userId"}
    metadata(db, batched)
    for i in (1, 2):
        metadata(db, remote_relationship("orders", f"user_{i}", f"users_api_{i}", "user_id"))
    b.db = db


def start_gateway(b: Bench) -> None:
    env = dict(os.environ, NODE_ENV="production", PGHOST=b.args.socket_dir, PGPORT=str(b.args.port),
               PGDATABASE=b.args.db, PGUSER="postgres", REMOTE_URL=b.users.url, PORT=str(b.args.gateway_port))
    log = open(os.path.join(b.args.work_dir, "gateway.log"), "w")
    node = os.environ.get("PGF_BENCH_NODE", "node")
    b.gateway = subprocess.Popen([node, "server.mjs"], cwd=os.path.join(HERE, "gateway"), env=env,
                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    with open(b.args.gateway_pidfile, "w") as f:
        f.write(str(b.gateway.pid))
    deadline = time.time() + 60
    while time.time() < deadline:
        if b.gateway.poll() is not None:
            raise RuntimeError(f"the gateway exited (see {log.name}):\n" + open(log.name).read()[-3000:])
        try:
            with socket.create_connection(("127.0.0.1", b.args.gateway_port), timeout=1):
                b.log(f"gateway running (pid {b.gateway.pid})")
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the gateway did not start within 60 s")


def stop_gateway(b: Bench) -> None:
    if b.gateway is not None and b.gateway.poll() is None:
        b.gateway.send_signal(signal.SIGTERM)
        try:
            b.gateway.wait(10)
        except subprocess.TimeoutExpired:
            b.gateway.kill()
            b.gateway.wait()
    if os.path.exists(b.args.gateway_pidfile):
        os.remove(b.args.gateway_pidfile)


def gateway_query(b: Bench, query: str) -> bytes:
    return b.gateway_http.post("/graphql", json.dumps({"query": query}).encode())


# --------------------------------------------------------------------------------------
# the SQL the engine runs, through auto_explain


def engine_statements(b: Bench, query: str, variables: dict | None = None) -> list[str]:
    """The SQL statements one resolve call runs (auto_explain, nested statements, notices)."""
    db = Db(b.conninfo)
    captured: list[str] = []
    db.conn.add_notice_handler(lambda diag: captured.append(diag.message_primary or ""))
    b.resolve_call(db, query, variables)()  # the schema cache is built on the first call; capture a cached call
    db.run("load 'auto_explain'")
    db.run("set auto_explain.log_min_duration = 0")
    db.run("set auto_explain.log_nested_statements = on")
    db.run("set auto_explain.log_format = json")
    db.run("set auto_explain.log_level = notice")
    db.run("set client_min_messages = notice")
    captured.clear()
    b.resolve_call(db, query, variables)()
    db.close()
    statements = []
    for message in captured:
        start = message.find("{")
        if start < 0:
            continue
        try:
            plan = json.loads(message[start:])
        except json.JSONDecodeError:
            continue
        text = plan.get("Query Text", "")
        if "graphql.resolve($1" in text:
            continue  # the client's own statement
        statements.append(text)
    return statements


def table_statement(statements: list[str], table: str, schema: str = "public") -> str:
    matches = [s for s in statements if f'"{schema}"."{table}"' in s]
    if len(matches) != 1:
        raise RuntimeError(f"expected one statement over {table}, got {len(matches)}: {statements}")
    return matches[0]


# --------------------------------------------------------------------------------------
# (a) table -> remote join, with (b) naive and (c) gateway side by side


ROW_COUNTS = [10, 100, 1000, 10000]


# The keys label of (a)'s rows for the relationship with list batching declared.
LIST_BATCHED = "distinct, list argument"


def join_query(rows: int, relationship: str) -> str:
    return f"{{ orders(order_by: {{id: asc}}, limit: {rows}) {{ id total {relationship} {{ name country }} }} }}"


def gateway_join_query(rows: int, relationship: str, aliased: bool = False) -> str:
    field = f"{relationship}Aliased" if aliased else relationship
    return f"{{ allOrders(orderBy: ID_ASC, first: {rows}) {{ nodes {{ id total {field} {{ name country }} }} }} }}"


def check_gateway(b: Bench, document: str, rows: int) -> int:
    """One checked call through the gateway; returns the requests the fixture got."""
    b.users.reset()
    answer = json.loads(gateway_query(b, document))
    nodes = (answer.get("data") or {}).get("allOrders", {}).get("nodes", [])
    if "errors" in answer or len(nodes) != rows or not all(
            next(v for k, v in n.items() if k not in ("id", "total")) for n in nodes):
        raise RuntimeError(f"gateway answered wrongly to {document}: {json.dumps(answer)[:1000]}")
    return b.users.stats()["requests"]


NAIVE_DOCUMENT = "query ($id: Int!) { user(id: $id) { name country } }"


@group("a", "Table → remote join: resolve against the lower bound, (b) the naive way and (c) a JavaScript gateway")
def group_a(b: Bench) -> Section:
    db = b.db
    assert db is not None
    rows_list = ROW_COUNTS if not b.quick else [10, 100, 1000]
    if b.args.rows:
        rows_list = [int(r) for r in b.args.rows.split(",")]
    lines = []
    plot: dict = {}
    targets: list[Target] = []
    http_pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)
    local = threading.local()

    def fixture_client() -> Http:
        if not hasattr(local, "http"):
            local.http = Http("127.0.0.1", b.users.port)
        return local.http

    # (keys, our relationship, its column, the gateway's field for the same join)
    variants = [("distinct", "user", "user_id", "user"), ("10", "user10", "user_id10", "user10"),
                (LIST_BATCHED, "user_batched", "user_id", "user")]
    for keys, relationship, column, gateway_field in variants:
        for rows in rows_list:
            query = join_query(rows, relationship)
            # One checked call: right answer, and what the fixture received.
            b.users.reset()
            response = b.resolve(db, query)
            got = response["data"]["orders"]
            assert len(got) == rows and all(o[relationship] and o[relationship]["name"] for o in got), query
            stats = b.users.stats()
            requests = stats["requests"]
            bodies = [json.dumps({"query": d, "variables": v}).encode()
                      for d, v in zip(stats["documents"][-requests:], stats["variables"][-requests:])]
            # The SQL resolve runs for the table, alone, with the same text parameter.
            statements = engine_statements(b, query)
            sql = table_statement(statements, "orders")
            if "$2" in sql or "$1::bigint" not in sql:
                raise RuntimeError(f"unexpected parameters in {sql}")

            def lower_sql(sql=sql, rows=rows):
                return db.value(sql, [rows], [25])  # SPI binds text parameters (oid 25)

            def lower_post(bodies=bodies):
                if len(bodies) == 1:
                    return fixture_client().post("/graphql", bodies[0])
                return list(http_pool.map(lambda body: fixture_client().post("/graphql", body), bodies))

            gateway_doc = gateway_join_query(rows, gateway_field)
            gateway_requests = check_gateway(b, gateway_doc, rows)
            aliased_doc = gateway_join_query(rows, gateway_field, aliased=True)
            aliased_requests = check_gateway(b, aliased_doc, rows)

            rows_sql = f"select id, total, {column} from orders order by id limit $1"
            naive_http = fixture_client()

            def naive(rows=rows, rows_sql=rows_sql):
                result = db.pgconn.exec_params(rows_sql.encode(), [str(rows).encode()])
                out = []
                for r in range(result.ntuples):
                    body = json.dumps({"query": NAIVE_DOCUMENT, "variables": {"id": int(result.get_value(r, 2))}}).encode()
                    out.append((result.get_value(r, 0), result.get_value(r, 1), naive_http.post("/graphql", body)))
                return out

            full = b.reps(31 if rows <= 1000 else 11)
            reps = {"resolve": full, "sql": full, "post": full, "gateway": full,
                    "aliased": b.reps(31 if rows <= 1000 else 5),
                    "naive": b.reps(31 if rows <= 100 else 7 if rows <= 1000 else 3, 2)}
            b.log(f"(a) keys {keys}, {rows} rows: {requests} request(s), {reps['resolve']} repetitions")
            warmup = 1 if rows == 10000 else 2
            # Two comparisons. The lower bound's parts are interleaved with resolve call by
            # call (all of a size). The peers, up to a thousand times longer (the naive way's
            # POST per row), run in blocks with a resolve block: a call right after a long
            # one pays the first round trip after an idle stretch (see run_in_blocks).
            measured = run_interleaved({
                "resolve": b.resolve_call(db, query),
                "sql": lower_sql,
                "post": lower_post,
            }, reps, warmup=warmup)
            peers = run_in_blocks({
                "resolve": b.resolve_call(db, query),
                "gateway": lambda gateway_doc=gateway_doc: gateway_query(b, gateway_doc),
                "aliased": lambda aliased_doc=aliased_doc: gateway_query(b, aliased_doc),
                "naive": naive,
            }, reps)
            b.samples[f"a/keys={keys}/rows={rows}"] = {
                **{k: v.samples for k, v in measured.items()},
                **{k if k != "resolve" else "resolve with peers": v.samples for k, v in peers.items()},
            }
            # The lower bound of one repetition is its SQL plus its POST; pair them up.
            bound = Stats([s + p for s, p in zip(measured["sql"].samples, measured["post"].samples)])
            r = measured["resolve"]
            row = {
                "keys": keys, "rows": rows, "requests": requests, "gateway_requests": gateway_requests,
                "aliased": peers["aliased"], "aliased_requests": aliased_requests,
                "resolve": r, "bound": bound, "sql": measured["sql"], "post": measured["post"],
                "resolve with peers": peers["resolve"], "gateway": peers["gateway"], "naive": peers["naive"],
                "statements": len(statements),
            }
            lines.append(row)
            plot.setdefault(keys, []).append(row)
    http_pool.shutdown()
    b.results["a"] = plot

    md = []
    md.append("Query: `{ orders(order_by: {id: asc}, limit: N) { id total user { name country } } }` "
              "(`user10` for 10 distinct keys), `user` a table → remote relationship to the fixture's "
              "`user(id: $user_id)`, sent as Hasura's contract says: one aliased field per distinct key. "
              f"\"{LIST_BATCHED}\": `user_batched`, the same relationship with list batching declared "
              "(`\"batch\": {\"field\": \"users\", \"argument\": \"ids\", \"key_field\": \"userId\"}`): "
              "ONE `users(ids: [...])` field a level. Times in ms, median (p10–p90).\n")
    md.append("Lower bound = the SQL statement `resolve` runs for the table (its exact text, taken from "
              "`auto_explain`, with the same text parameter), run alone from the client, plus one raw "
              "keep-alive HTTP POST of the exact batched document(s) `resolve` sent (taken from the "
              "fixture's `/_stats`), both in the same repetition. More than one document (10,000 distinct "
              "keys > `graphql.remote_batch_size` = 1000) are POSTed concurrently, as `resolve` sends them.\n")
    md.append("| keys | rows | resolve | lower bound | ratio | SQL alone | POST alone | remote requests | resolve per row |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in lines:
        ratio = row["resolve"].median / row["bound"].median
        md.append(f"| {row['keys']} | {row['rows']:,} | {row['resolve'].ms()} | {row['bound'].ms()} | {fmt_ratio(ratio)} | "
                  f"{row['sql'].ms()} | {row['post'].ms()} | {row['requests']} | "
                  f"{row['resolve'].median / row['rows'] * 1e6:.1f} µs |")
    md.append("")
    md.append("### (b) The naive way: the rows by SQL, then one HTTP request per row\n")
    md.append("The application fetches `select id, total, user_id from orders order by id limit N`, then "
              f"POSTs `{NAIVE_DOCUMENT}` once per row, one after another, over one keep-alive connection "
              "(responses read, not parsed). Ratio = naive / resolve.\n")
    md.append("`resolve` here, and in (c), is measured again with these peers: each in blocks of calls "
              "back to back, the blocks of three rounds in shuffled orders (the table above interleaves "
              "`resolve` call by call with its lower bound only).\n")
    md.append("| keys | rows | resolve | naive | ratio | remote requests (naive) |")
    md.append("|---|---:|---:|---:|---:|---:|")
    for row in lines:
        r = row["resolve with peers"]
        md.append(f"| {row['keys']} | {row['rows']:,} | {r.ms()} | {row['naive'].ms()} | "
                  f"{fmt_ratio(row['naive'].median / r.median)} | {row['rows']:,} |")
    md.append("")
    md.append("### (c) A JavaScript gateway: PostGraphile 4 + schema stitching with batched delegation\n")
    md.append("`bench/gateway/server.mjs`: PostGraphile 4 (in process) for the tables, `@graphql-tools/stitch` "
              "with `batchDelegateToSchema` to the fixture's `users(ids:)` (one request per level, keys "
              "deduplicated), served by graphql-yoga on Node.js. Query "
              "`{ allOrders(orderBy: ID_ASC, first: N) { nodes { id total user { name country } } } }` over "
              "keep-alive HTTP, the hop to the gateway counted. Ratio = gateway / resolve.\n")
    md.append("For reference, \"gateway, aliases\" resolves the same field with one `user(id:)` delegation per row, "
              "merged by batch-execute (`batch: true`) into one request of aliased fields: the document shape "
              "`resolve` sends (Hasura's too). The fixture answers one `users(ids: [...])` field much faster than "
              "1,000 aliased `user(id:)` fields, which is most of the difference at 1,000 and 10,000 distinct keys "
              "(compare POST alone in (a) with the 10-key rows).\n")
    md.append("| keys | rows | resolve | gateway | ratio | remote requests (gateway) | gateway, aliases | ratio | requests |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in lines:
        r = row["resolve with peers"]
        md.append(f"| {row['keys']} | {row['rows']:,} | {r.ms()} | {row['gateway'].ms()} | "
                  f"{fmt_ratio(row['gateway'].median / r.median)} | {row['gateway_requests']} | "
                  f"{row['aliased'].ms()} | {fmt_ratio(row['aliased'].median / r.median)} | "
                  f"{row['aliased_requests']} |")

    for row in lines:
        if row["rows"] in (1000, 10000):
            ratio = row["resolve"].median / row["bound"].median
            # Past graphql.remote_batch_size keys a level sends one request per chunk.
            requests = -(-row["rows"] // 1000) if row["keys"] != "10" else 1
            targets.append(Target("a", f"≤ 1.10× the lower bound at {row['rows']:,} rows ({row['keys']} keys), "
                                  "one request per level and chunk",
                                  f"{fmt_ratio(ratio)}, {row['requests']} request(s)",
                                  ratio <= 1.10 and row["requests"] == requests))
    contract = [row for row in lines if row["keys"] != LIST_BATCHED]
    batched_rows = [row for row in lines if row["keys"] == LIST_BATCHED]
    for name, label, key, subset, goal in [("b", "the naive way", "naive", contract, 2),
                                           ("c", "the gateway way", "gateway", contract, 2),
                                           ("c", "the gateway way, with list batching declared", "gateway", batched_rows, 3)]:
        if not subset:
            continue
        ratios = [row[key].median / row["resolve with peers"].median for row in subset]
        worst = min(ratios)
        at = subset[ratios.index(worst)]
        targets.append(Target(name, f"≥ {goal}× faster than {label} (every size)",
                              f"{fmt_ratio(worst)} at worst ({at['keys']} keys, {at['rows']:,} rows); "
                              f"{fmt_ratio(max(ratios))} at best", worst >= goal))
    return Section("a", "(a) Table → remote join", "\n".join(md), targets)


# --------------------------------------------------------------------------------------
# (d) concurrency


@group("d", "Concurrency: three remote relationships against one")
def group_d(b: Bench) -> Section:
    db = b.db
    assert db is not None
    delay = 100
    rows = 100
    single = f"{{ orders(order_by: {{id: asc}}, limit: {rows}) {{ id user {{ name }} }} }}"
    three = (f"{{ orders(order_by: {{id: asc}}, limit: {rows}) {{ id user {{ name }} "
             f"user_1 {{ name }} user_2 {{ name }} }} }}")
    none = f"{{ orders(order_by: {{id: asc}}, limit: {rows}) {{ id }} }}"
    for f in b.fixtures:
        f.reset()
        f.fault("delay", delay)
    try:
        b.resolve(db, three)
        requests = [f.stats()["requests"] for f in b.fixtures]
        reps = b.reps(15)
        b.log(f"(d) {reps} repetitions, {delay} ms delay")
        measured = run_interleaved({"single": b.resolve_call(db, single), "three": b.resolve_call(db, three),
                                    "none": b.resolve_call(db, none)}, reps, warmup=1)
    finally:
        for f in b.fixtures:
            f.reset()
    b.samples["d"] = {k: v.samples for k, v in measured.items()}
    ratio = measured["three"].median / measured["single"].median
    md = [
        f"Each fixture delays every request by {delay} ms (`/_fault` mode `delay`). {rows} order rows; "
        "`user`, `user_1` and `user_2` are table → remote relationships to three fixture servers (three remote "
        "schemas). Times in ms, median (p10–p90).\n",
        "| query | resolve | ratio to one relationship | remote requests |",
        "|---|---:|---:|---:|",
        f"| no remote relationship (tables only) | {measured['none'].ms()} | – | 0 |",
        f"| one relationship (`user`) | {measured['single'].ms()} | 1.00× | 1 |",
        f"| three relationships (`user`, `user_1`, `user_2`) | {measured['three'].ms()} | {fmt_ratio(ratio)} | "
        f"{' + '.join(str(r) for r in requests)} |",
    ]
    target = Target("d", "three relationships ≤ 1.1× one", fmt_ratio(ratio), ratio <= 1.1)
    return Section("d", "(d) Concurrency", "\n".join(md), [target])


# --------------------------------------------------------------------------------------
# (e) tables only


E_CASES = [
    (
        "primary-key lookup",
        "query ($id: Int!) { customers_by_pk(id: $id) { id name email country } }",
        {"id": 4242},
        """select json_build_object('data', json_build_object('customers_by_pk',
             (select json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'country', c.country)
              from customers c where c.id = $1)))::text""",
        [4242],
    ),
    (
        "100 rows, nested object + array relationship",
        "{ shop_orders(order_by: {id: asc}, limit: 100) { id total placed_at customer { name country } "
        "order_lines(order_by: {id: asc}) { product qty price } } }",
        {},
        """select json_build_object('data', json_build_object('shop_orders', coalesce((
             select json_agg(json_build_object(
                      'id', o.id, 'total', o.total, 'placed_at', o.placed_at,
                      'customer', (select json_build_object('name', c.name, 'country', c.country)
                                   from customers c where c.id = o.customer_id),
                      'order_lines', coalesce((select json_agg(json_build_object('product', l.product, 'qty', l.qty,
                                                                                   'price', l.price) order by l.id)
                                               from order_lines l where l.shop_order_id = o.id), '[]'))
                    order by o.id)
             from (select * from shop_orders order by id limit $1) o), '[]')))::text""",
        [100],
    ),
    (
        "1,000 rows",
        "{ customers(order_by: {id: asc}, limit: 1000) { id name email country } }",
        {},
        """select json_build_object('data', json_build_object('customers', coalesce((
             select json_agg(json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'country', c.country)
                              order by c.id)
             from (select * from customers order by id limit $1) c), '[]')))::text""",
        [1000],
    ),
]


def pgbench(b: Bench, script: str, seconds: int, clients: int = 2, prepared: bool = False) -> float:
    path = os.path.join(b.args.work_dir, "pgbench.sql")
    with open(path, "w") as f:
        f.write(script)
    mode = ["-M", "prepared"] if prepared else []
    out = subprocess.run(
        [b.args.pgbench, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), *mode, "-f", path,
         "-h", b.args.socket_dir, "-p", str(b.args.port), "-U", "postgres", b.args.db],
        capture_output=True, text=True, check=False)
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out.stdout)
    if out.returncode != 0 or not match:
        raise RuntimeError(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
    return float(match.group(1))


def pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def restricted_role_row(b: Bench, db: Db, targets: list) -> str:
    """The 100-row case of (e) as a role under select permissions (column lists, and a
    filter reading a session variable on every table, keeping every row so that both
    answers are equal) against the same call as admin: what permissions cost a call
    whose schema and plans are cached."""
    db.run("do $$ begin create role pgf_bench_reader; exception when duplicate_object then null; end $$")
    db.run("grant select on customers, shop_orders, order_lines to pgf_bench_reader")
    permitted = {"shop_orders": ["id", "customer_id", "total", "placed_at"], "customers": ["id", "name", "country"],
                 "order_lines": ["id", "shop_order_id", "product", "qty", "price"]}
    for table, columns in permitted.items():
        metadata(db, {"type": "pg_track_table", "args": {"table": table}})
        metadata(db, {"type": "pg_create_select_permission", "args": {"table": table, "role": "pgf_bench_reader",
                      "permission": {"columns": columns, "filter": {"id": {"_gt": "X-Hasura-Min-Id"}}}}})
    reader = Db(b.conninfo)
    reader.run("set role pgf_bench_reader")
    reader.run("""set request.jwt.claims = '{"x-hasura-min-id": "0"}'""")
    query = E_CASES[1][1]
    if b.resolve(reader, query) != b.resolve(db, query):
        raise RuntimeError("(e) restricted role: its answer differs from admin's")
    reps = b.reps(31, 5)
    b.log(f"(e) restricted role: {reps} repetitions")
    measured = run_interleaved({"admin": b.resolve_call(db, query), "role": b.resolve_call(reader, query)}, reps, warmup=3)
    b.samples["e/restricted role"] = {k: v.samples for k, v in measured.items()}
    reader.close()
    ratio = measured["role"].median / measured["admin"].median
    targets.append(Target("e", "restricted role ≤ 1.1× admin (100 rows, cached)", fmt_ratio(ratio), ratio <= 1.1))
    return "\n".join([
        "The 100-row document as a role under select permissions (column lists; a filter with a session "
        "variable on each of the three tables, keeping every row) and as admin, both cached. Times in ms, "
        "median (p10–p90).\n",
        "| caller | resolve | ratio |",
        "|---|---:|---:|",
        f"| admin | {measured['admin'].ms()} | 1.00× |",
        f"| restricted role | {measured['role'].ms()} | {fmt_ratio(ratio)} |",
    ])


@group("e", "Tables only: resolve against hand-written SQL")
def group_e(b: Bench) -> Section:
    db = b.db
    assert db is not None
    md = ["The same JSON (checked equal) from `graphql.resolve` and from hand-written SQL "
          "(`json_build_object`/`json_agg`, the whole `{\"data\": …}` document in selection order, as `resolve` "
          "answers), both sent as one unprepared "
          "statement with parameters, the result read as text. \"hand SQL, prepared\" is the same hand-written "
          "statement as a prepared statement (plan cached), shown for reference: `resolve` keeps the plans of "
          "the statements it generates, per backend, as a prepared statement does. \"resolve's SQL alone\" is the statement `resolve` generates (from `auto_explain`), sent alone by "
          "the client like the hand-written one: what is left of `resolve` beyond it is the engine's own work. "
          "Times in ms, median (p10–p90).\n",
          "| query | resolve | hand SQL | ratio | resolve's SQL alone | hand SQL, prepared | ratio to prepared |",
          "|---|---:|---:|---:|---:|---:|---:|"]
    targets = []
    for n, (title, query, variables, hand_sql, params) in enumerate(E_CASES):
        table = query.split("{")[1].split("(")[0].strip().removesuffix("_by_pk")  # the root field's table
        engine_sql = table_statement(engine_statements(b, query, variables), table)
        if "$2" in engine_sql or "$1" not in engine_sql:
            raise RuntimeError(f"unexpected parameters in {engine_sql}")
        ours = b.resolve(db, query, variables)
        theirs = json.loads(db.value(hand_sql, params) or b"null")
        if ours != theirs:
            raise RuntimeError(f"(e) {title}: resolve and the hand-written SQL disagree:\n"
                               f"{json.dumps(ours)[:600]}\n{json.dumps(theirs)[:600]}")
        name = f"pgf_e{n}"
        db.run(f"deallocate all")
        db.pgconn.prepare(name.encode(), hand_sql.encode())
        encoded = [str(p).encode() for p in params]
        reps = b.reps(31, 5)
        b.log(f"(e) {title}: {reps} repetitions")
        measured = run_interleaved({
            "resolve": b.resolve_call(db, query, variables),
            "hand": lambda hand_sql=hand_sql, params=params: db.value(hand_sql, params),
            "engine": lambda engine_sql=engine_sql, params=params: db.value(engine_sql, params[:1], [25]),
            "prepared": lambda name=name, encoded=encoded: db.pgconn.exec_prepared(name.encode(), encoded).get_value(0, 0),
        }, reps, warmup=3)
        b.samples[f"e/{title}"] = {k: v.samples for k, v in measured.items()}
        ratio = measured["resolve"].median / measured["hand"].median
        ratio_prepared = measured["resolve"].median / measured["prepared"].median
        md.append(f"| {title} | {measured['resolve'].ms()} | {measured['hand'].ms()} | {fmt_ratio(ratio)} | "
                  f"{measured['engine'].ms()} | {measured['prepared'].ms()} | {fmt_ratio(ratio_prepared)} |")
        targets.append(Target("e", f"≤ 1.2× hand-written SQL: {title}", fmt_ratio(ratio), ratio <= 1.2))

    md.append("")
    md.append(restricted_role_row(b, db, targets))

    seconds = 3 if b.quick else 10
    md.append("")
    md.append(f"Throughput: `pgbench -n -c 2 -j 2 -T {seconds}` (simple protocol, 2 clients on this 2-core machine, "
              "pgbench on the same machine), one statement per transaction.\n")
    md.append("| pgbench script | resolve tps | hand SQL tps | ratio (hand / resolve) |")
    md.append("|---|---:|---:|---:|")
    pk_query = E_CASES[0][1]
    pk_hand = E_CASES[0][3].replace("$1", ":id")
    list_query, list_hand = E_CASES[1][1], E_CASES[1][3].replace("$1", "100")
    scripts = [
        ("primary-key lookup, random id",
         f"\\set id random(1, 10000)\nselect graphql.resolve({pg_literal(pk_query)}, jsonb_build_object('id', :id));\n",
         f"\\set id random(1, 10000)\n{' '.join(pk_hand.split())};\n"),
        ("100 rows with object + array relationships",
         f"select graphql.resolve({pg_literal(list_query)});\n", f"{' '.join(list_hand.split())};\n"),
    ]
    for title, ours, theirs in scripts:
        b.log(f"(e) pgbench: {title}")
        tps_ours = pgbench(b, ours, seconds)
        tps_theirs = pgbench(b, theirs, seconds)
        b.samples[f"e/pgbench/{title}"] = {"resolve_tps": [tps_ours], "hand_tps": [tps_theirs]}
        md.append(f"| {title} | {tps_ours:,.0f} | {tps_theirs:,.0f} | {fmt_ratio(tps_theirs / tps_ours)} |")
        targets.append(Target("e", f"throughput, pgbench 2 clients: {title}",
                              f"{fmt_ratio(tps_theirs / tps_ours)} (hand / resolve tps)", tps_theirs / tps_ours <= 1.2))
    join_script = ("\\set n random(0, 9990)\nselect graphql.resolve('query ($n: Int!) { orders(where: {id: {_gt: $n}}, "
                   "order_by: {id: asc}, limit: 10) { id user { name } } }', jsonb_build_object('n', :n));\n")
    b.log("(e) pgbench: with a remote join")
    tps_join = pgbench(b, join_script, seconds)
    md.append(f"| for reference: 10 rows + a remote join (one HTTP request each) | {tps_join:,.0f} | – | – |")
    return Section("e", "(e) Tables only", "\n".join(md), targets)


# --------------------------------------------------------------------------------------
# (f) memory


def rss_kb(pid: int) -> dict[str, int]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssShmem", "RssFile"):
                out[key] = int(rest.split()[0])
    return out


@group("f", "Memory: backend RSS over many resolve calls with a remote join")
def group_f(b: Bench) -> Section:
    db = Db(b.conninfo)
    pid = db.pid()
    query = "query ($n: Int!) { orders(where: {id: {_gt: $n}}, order_by: {id: asc}, limit: 10) { id user { name } } }"
    b.resolve(db, query, {"n": 0})
    checkpoints = [1000, 10000, 100000] if not b.quick else [1000, 5000]
    sql = "select graphql.resolve($1, $2::jsonb)::text"
    readings = []
    done = 0
    start = time.perf_counter()
    for checkpoint in checkpoints:
        b.log(f"(f) up to {checkpoint:,} calls")
        while done < checkpoint:
            db.value(sql, [query, f'{{"n": {done % 9990}}}'])
            done += 1
        readings.append((checkpoint, rss_kb(pid), time.perf_counter() - start))
    db.close()
    md = ["One session calls `graphql.resolve` with a 10-row query and a remote join (a new `$n` each call, "
          "so each call sends its own request), one statement per call. Memory of that backend from "
          "`/proc/<pid>/status`; RssAnon is the backend's private memory, RssShmem the shared buffers it has "
          "touched.\n",
          "| after calls | VmRSS | RssAnon | RssShmem |", "|---:|---:|---:|---:|"]
    for count, r, _ in readings:
        md.append(f"| {count:,} | {r['VmRSS'] / 1024:.1f} MB | {r['RssAnon'] / 1024:.1f} MB | {r['RssShmem'] / 1024:.1f} MB |")
    b.samples["f"] = {"calls": [c for c, _, _ in readings], "VmRSS_kB": [r["VmRSS"] for _, r, _ in readings],
                      "RssAnon_kB": [r["RssAnon"] for _, r, _ in readings], "elapsed_s": [t for _, _, t in readings]}
    first, last = readings[0], readings[-1]
    growth = (last[1]["VmRSS"] - first[1]["VmRSS"]) / 1024
    growth_anon = (last[1]["RssAnon"] - first[1]["RssAnon"]) / 1024
    per_call = last[2] / last[0]
    md.append("")
    md.append(f"Growth from {first[0]:,} to {last[0]:,} calls: VmRSS {growth:+.2f} MB, RssAnon {growth_anon:+.2f} MB "
              f"({per_call * 1000:.2f} ms per call, with the HTTP request).")
    target = Target("f", f"< 5 MB RSS growth from {first[0]:,} to {last[0]:,} calls",
                    f"{growth:+.2f} MB (RssAnon {growth_anon:+.2f} MB)", growth < 5)
    return Section("f", "(f) Memory", "\n".join(md), [target])


# --------------------------------------------------------------------------------------
# (h) the other relationship kinds


H_ROWS = [100, 1000]


def set_up_other_kinds(b: Bench) -> dict[str, str | None]:
    """Tables, a second database and the metadata of (h); kind -> None when set up, or the
    reason it is not (a build without that relationship kind refuses its metadata)."""
    db = b.db
    assert db is not None
    db.run("create table accounts (user_id int primary key, plan text not null)")
    db.run("insert into accounts select g, (array['free', 'pro', 'team'])[1 + g % 3] from generate_series(1, 10000) g")
    db.run("analyze accounts")
    admin = Db(f"host={b.args.socket_dir} port={b.args.port} user=postgres dbname=postgres")
    admin.run("drop database if exists pgf_bench_crm")
    admin.run("create database pgf_bench_crm")
    admin.close()
    crm = Db(f"host={b.args.socket_dir} port={b.args.port} user=postgres dbname=pgf_bench_crm")
    crm.run("create table customers (id int primary key, user_id int not null unique, tier text not null)")
    crm.run("insert into customers select g, g, case when g % 3 = 0 then 'gold' else 'basic' end "
            "from generate_series(1, 10000) g")
    crm.run("analyze customers")
    crm.close()
    handler = f"http://127.0.0.1:{b.users.port}/actions"
    kinds = {
        "remote → table": [
            {"type": "create_remote_schema_remote_relationship", "args": {
                "remote_schema": "users_api_0", "type_name": "User", "name": "account",
                "definition": {"to_source": {"source": "default", "table": "accounts", "relationship_type": "object",
                                             "field_mapping": {"userId": "user_id"}}}}}],
        "remote → remote": [
            {"type": "create_remote_schema_remote_relationship", "args": {
                "remote_schema": "users_api_0", "type_name": "Post", "name": "author",
                "definition": {"to_remote_schema": {"remote_schema": "users_api_1", "lhs_fields": ["authorId"],
                                                    "remote_field": {"user": {"arguments": {"id": "$authorId"}}}}}}}],
        "remote → remote, list batching": [
            {"type": "create_remote_schema_remote_relationship", "args": {
                "remote_schema": "users_api_0", "type_name": "Post", "name": "author_batched",
                "definition": {"to_remote_schema": {"remote_schema": "users_api_1", "lhs_fields": ["authorId"],
                                                    "remote_field": {"user": {"arguments": {"id": "$authorId"}}},
                                                    "batch": {"field": "users", "argument": "ids", "key_field": "userId"}}}}}],
        "action → table": [
            {"type": "set_custom_types", "args": {"objects": [{
                "name": "BenchOrder",
                "fields": [{"name": "id", "type": "Int!"}, {"name": "user_id", "type": "Int"},
                           {"name": "label", "type": "String!"}],
                "relationships": [{"name": "account", "type": "object", "remote_table": "accounts",
                                   "field_mapping": {"user_id": "user_id"}}]}]}},
            {"type": "create_action", "args": {"name": "listOrders", "definition": {
                "type": "query", "handler": handler, "arguments": [{"name": "n", "type": "Int!"}],
                "output_type": "[BenchOrder!]!"}}}],
        "table → source": [
            {"type": "pg_add_source", "args": {"name": "crm", "configuration": {"connection_info": {
                "database_url": f"postgres://postgres:bench@127.0.0.1:{b.args.port}/pgf_bench_crm"}}}},
            {"type": "pg_create_remote_relationship", "args": {
                "table": "orders", "name": "customer",
                "definition": {"to_source": {"source": "crm", "table": "customers", "relationship_type": "object",
                                             "field_mapping": {"user_id": "user_id"}}}}}],
    }
    status: dict[str, str | None] = {}
    for kind, bodies in kinds.items():
        try:
            metadata(db, {"type": "bulk", "args": bodies})
            status[kind] = None
        except RuntimeError as e:
            status[kind] = str(e).splitlines()[0].removeprefix("SQL failed: ")[:200]
    return status


def key_array(keys: list) -> str:
    """A Postgres array literal of integers, as the engine binds a key set."""
    return "{" + ",".join(str(k) for k in keys) + "}"


@group("h", "The other relationship kinds against their lower bounds")
def group_h(b: Bench) -> Section:
    db = b.db
    assert db is not None
    status = set_up_other_kinds(b)
    users_b = b.fixtures[1]
    lines = []
    targets = []
    rows_list = [100] if b.quick else H_ROWS
    http_main = Http("127.0.0.1", b.users.port)
    http_b = Http("127.0.0.1", users_b.port)

    def captured(fixture: Fixture, count: int) -> list[bytes]:
        st = fixture.stats()
        return [json.dumps({"query": d, "variables": v}).encode()
                for d, v in zip(st["documents"][-count:], st["variables"][-count:])] if count else []

    for kind in status:
        if status[kind] is not None:
            continue
        for n in rows_list:
            ids = ", ".join(str(i) for i in range(1, n + 1))
            for f in b.fixtures:
                f.reset()
            if kind == "remote → table":
                query = f"{{ users(ids: [{ids}]) {{ userId account {{ plan }} }} }}"
                answer = b.resolve(db, query)
                assert all(u["account"] for u in answer["data"]["users"]), kind
                st = b.users.stats()
                root = captured(b.users, st["requests"])
                sql = table_statement(engine_statements(b, query), "accounts")
                keys = list(range(1, n + 1))
                steps = {"root POST": lambda root=root: http_main.post("/graphql", root[0]),
                         "SQL alone": lambda sql=sql, keys=keys: db.value(sql, [key_array(keys)], [25])}
                counts = f"{st['requests']} request, 1 statement"
                ok = st["requests"] == 1
                distinct = n
            elif kind.startswith("remote → remote"):
                author = "author_batched" if kind.endswith("list batching") else "author"
                query = f"{{ users(ids: [{ids}]) {{ userId posts {{ title {author} {{ name }} }} }} }}"
                answer = b.resolve(db, query)
                assert all(p[author] for u in answer["data"]["users"] for p in u["posts"]), kind
                first, second = b.users.stats()["requests"], users_b.stats()["requests"]
                root, joined = captured(b.users, first), captured(users_b, second)
                steps = {"root POST": lambda root=root: http_main.post("/graphql", root[0]),
                         "second POST": lambda joined=joined: http_b.post("/graphql", joined[0])}
                counts = f"{first} + {second} requests"
                ok = first == 1 and second == 1
                distinct = n
            elif kind == "action → table":
                query = f"{{ listOrders(n: {n}) {{ id account {{ plan }} }} }}"
                answer = b.resolve(db, query)
                assert len(answer["data"]["listOrders"]) == n, kind
                st = b.users.stats()
                action_body = json.dumps(st["actions"][-1]["body"]).encode()
                orders = json.loads(http_main.post("/actions", action_body))
                keys = list(dict.fromkeys(o["user_id"] for o in orders if o["user_id"] is not None))
                sql = table_statement(engine_statements(b, query), "accounts")
                steps = {"action POST": lambda body=action_body: http_main.post("/actions", body),
                         "SQL alone": lambda sql=sql, keys=keys: db.value(sql, [key_array(keys)], [25])}
                counts = f"{st['action_requests']} handler call, 1 statement"
                ok = st["action_requests"] == 1
                distinct = len(keys)
            else:  # table → source
                query = f"{{ orders(order_by: {{id: asc}}, limit: {n}) {{ id customer {{ tier }} }} }}"
                answer = b.resolve(db, query)
                assert all(o["customer"] for o in answer["data"]["orders"]), kind
                statements = engine_statements(b, query)
                parent_sql = table_statement(statements, "orders")
                source_sql = table_statement(statements, "customers", schema="crm")
                keys = list(range(1, n + 1))
                steps = {"SQL alone": lambda sql=parent_sql, n=n: db.value(sql, [n], [25]),
                         "source SQL alone": lambda sql=source_sql, keys=keys: db.value(sql, [key_array(keys)], [25])}
                counts = "2 statements (1 through postgres_fdw)"
                ok = sum('"crm"."customers"' in s for s in statements) == 1
                distinct = n
            reps = b.reps(21 if n <= 1000 else 7)
            b.log(f"(h) {kind}, {n} parents: {counts}, {reps} repetitions")
            measured = run_interleaved({"resolve": b.resolve_call(db, query), **steps}, reps, warmup=2)
            b.samples[f"h/{kind}/{n}"] = {k: v.samples for k, v in measured.items()}
            step_names = list(steps)
            bound = Stats([sum(measured[s].samples[i] for s in step_names) for i in range(reps)])
            lines.append((kind, n, distinct, measured, step_names, bound, counts, ok))
            if n == 1000:
                ratio = measured['resolve'].median / bound.median
                # Issue 15's rows: the remote -> table kind and remote -> remote with list batching.
                goal = 1.2 if kind in ("remote → table", "remote → remote, list batching") else None
                label = f" and ≤ {goal}× the lower bound" if goal else ""
                targets.append(Target("h", f"{kind}: one request or statement per relationship and level{label}",
                                      f"{counts}; {fmt_ratio(ratio)} the lower bound",
                                      ok and (goal is None or ratio <= goal)))

    md = ["Each kind joined at 100 and 1,000 parents. The lower bound is the sum of its steps, each the exact "
          "request or statement `resolve` sent (documents and the action's body from the fixture's `/_stats`, SQL "
          "from `auto_explain` with the same key set as its text parameter), run alone by the client one after "
          "the other in the same repetition. The queries: remote → table "
          "`{ users(ids: [1..N]) { userId account { plan } } }` (`User.account` → table `accounts`); remote → remote "
          "`{ users(ids: [1..N]) { userId posts { title author { name } } } }` (`Post.author` → a second fixture's "
          "`user(id:)`, N distinct authors for 2N posts; \"list batching\": `Post.author_batched`, the same with `users(ids:)` declared as its batch field, ONE field a level); action → table `{ listOrders(n: N) { id account { plan } } }` "
          "(the fixture's action handler; its orders have 3 distinct `user_id`s); table → source "
          "`{ orders(limit: N) { id customer { tier } } }` (`customers` in a second database of the same cluster, "
          "through postgres_fdw). Times in ms, median (p10–p90).\n",
          "| kind | parents | distinct keys | resolve | lower bound | ratio | steps of the bound | calls |",
          "|---|---:|---:|---:|---:|---:|---|---|"]
    for kind, n, distinct, measured, step_names, bound, counts, ok in lines:
        parts = " + ".join(f"{s} {fmt_ms(measured[s].median)}" for s in step_names)
        md.append(f"| {kind} | {n:,} | {distinct:,} | {measured['resolve'].ms()} | {bound.ms()} | "
                  f"{fmt_ratio(measured['resolve'].median / bound.median)} | {parts} | {counts} |")
    skipped = {k: v for k, v in status.items() if v is not None}
    if skipped:
        md.append("")
        md.append("Not measured, this build refuses their metadata:\n")
        for kind, reason in skipped.items():
            md.append(f"- {kind}: {reason}")
    return Section("h", "(h) The other relationship kinds", "\n".join(md), targets)


# --------------------------------------------------------------------------------------
# (g) the plot, hand-written SVG (no plotting library to install)


def svg_plot(results: dict, path: str) -> None:
    series_names = [("resolve", "graphql.resolve", "#1f77b4", ""),
                    ("bound", "lower bound (the SQL + one raw POST)", "#2ca02c", ""),
                    ("gateway", "gateway (PostGraphile + stitching)", "#ff7f0e", ""),
                    ("aliased", "gateway, aliased fields", "#ff7f0e", "6,4"),
                    ("naive", "naive (one request per row)", "#d62728", "")]
    panels = [(k, f"{'all keys distinct' if k == 'distinct' else '10 distinct keys'}") for k in ("distinct", "10") if k in results]
    import math
    width, height = 460, 360
    left, right, top, bottom = 62, 30, 34, 48
    pw, ph = width - left - right, height - top - bottom
    all_rows = [row for k, _ in panels for row in results[k]]
    xs = sorted({row["rows"] for row in all_rows})
    ys = [row[s].median * 1000 for row in all_rows for s, _, _, _ in series_names]
    xmin, xmax = math.log10(min(xs)), math.log10(max(xs))
    if xmax == xmin:
        xmax = xmin + 1
    ymin = math.floor(math.log10(min(ys)))
    ymax = math.ceil(math.log10(max(ys)))
    if ymax == ymin:
        ymax += 1
    legend_rows = (len(series_names) + 2) // 3
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * len(panels)}" height="{height + 50 + 20 * legend_rows}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>']
    for p, (key, title) in enumerate(panels):
        ox = p * width

        def X(v):
            return ox + left + (math.log10(v) - xmin) / (xmax - xmin) * pw

        def Y(v):
            return top + ph - (math.log10(v) - ymin) / (ymax - ymin) * ph

        out.append(f'<text x="{ox + left + pw / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">'
                   f'Table → remote join, {title}</text>')
        out.append(f'<rect x="{ox + left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
        for e in range(ymin, ymax + 1):
            for m in (1, 2, 5):
                v = m * 10 ** e
                if v < 10 ** ymin or v > 10 ** ymax:
                    continue
                y = Y(v)
                out.append(f'<line x1="{ox + left}" x2="{ox + left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                           f'stroke="{"#ccc" if m == 1 else "#eee"}"/>')
                label = f"{v:g}" if v >= 1 else f"{v:.3g}"
                out.append(f'<text x="{ox + left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
        for v in xs:
            x = X(v)
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" stroke="#eee"/>')
            out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle">{v:,}</text>')
        out.append(f'<text x="{ox + left + pw / 2}" y="{top + ph + 36}" text-anchor="middle">parent rows</text>')
        out.append(f'<text transform="translate({ox + 16},{top + ph / 2}) rotate(-90)" text-anchor="middle">'
                   f'time per query, ms (median)</text>')
        rows = sorted(results[key], key=lambda r: r["rows"])
        for s, _, colour, dash in series_names:
            points = [(X(r["rows"]), Y(r[s].median * 1000)) for r in rows]
            out.append('<polyline fill="none" stroke-width="2" stroke="{}"{} points="{}"/>'.format(
                colour, f' stroke-dasharray="{dash}"' if dash else "", " ".join(f"{x:.1f},{y:.1f}" for x, y in points)))
            for (x, y), r in zip(points, rows):
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
                # the spread: p10-p90 as a vertical bar
                out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{Y(r[s].p10 * 1000):.1f}" '
                           f'y2="{Y(r[s].p90 * 1000):.1f}" stroke="{colour}" stroke-width="1"/>')
    column = (width * len(panels) - 40) / 3
    for i, (_, label, colour, dash) in enumerate(series_names):
        x = 20 + (i % 3) * column
        y = height + 24 + 20 * (i // 3)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x}" x2="{x + 24}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="3"{dashed}/>')
        out.append(f'<text x="{x + 30}" y="{y + 4}">{label}</text>')
    out.append(f'<text x="20" y="{height + 30 + 20 * legend_rows}" fill="#555">log–log; dots are medians, bars p10–p90. '
               f'Generated by bench/run.sh.</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# --------------------------------------------------------------------------------------
# (i) mutations

INSERT_DOCUMENT = ("mutation ($objects: [bench_items_insert_input!]!) "
                   "{ insert_bench_items(objects: $objects) { returning { id } } }")
INSERT_JOIN_DOCUMENT = ("mutation ($objects: [bench_items_insert_input!]!) "
                        "{ insert_bench_items(objects: $objects) { returning { id user { name } } } }")
# The same write by hand: the rows from one jsonb parameter, the answer built in SQL.
INSERT_HAND_SQL = """with w as (insert into bench_items (name, qty, user_id)
                           select name, qty, user_id from jsonb_to_recordset($1::jsonb) as r(name text, qty int, user_id int)
                           returning id)
  select json_build_object('data', json_build_object('insert_bench_items', json_build_object(
           'returning', coalesce(json_agg(json_build_object('id', w.id)), '[]'::json))))::text from w"""


@group("i", "Mutations: insert_<t> against hand-written INSERT … RETURNING")
def group_i(b: Bench) -> Section:
    db = b.db
    assert db is not None
    db.run("create table if not exists bench_items (id int generated always as identity primary key, "
           "name text not null, qty int not null, user_id int not null)")
    metadata(db, remote_relationship("bench_items", "user", "users_api_0", "user_id"))
    md = ["`insert_bench_items(objects: $objects) { returning { id } }` with N objects in a variable, against "
          "the same insert written by hand (`INSERT … SELECT … FROM jsonb_to_recordset($1) RETURNING id` in a "
          "CTE, the whole `{\"data\": …}` built in SQL), both one unprepared statement from the client. Every "
          "repetition inserts its rows (the table grows alike for both). Times in ms, median (p10–p90).\n",
          "| rows | resolve | hand SQL | ratio |", "|---:|---:|---:|---:|"]
    targets = []
    for n in ([1, 100, 1000] if not b.quick else [1, 100]):
        objects = [{"name": f"item {i}", "qty": i % 7, "user_id": i % 500 + 1} for i in range(n)]
        answer = b.resolve(db, INSERT_DOCUMENT, {"objects": objects})
        if len(answer["data"]["insert_bench_items"]["returning"]) != n:
            raise RuntimeError(f"(i) {n} rows: resolve returned {answer}")
        encoded = json.dumps(objects)
        # Many repetitions: the medians of a few milliseconds move by a few per cent
        # between runs of 31 on this machine, the size of the margins.
        reps = b.reps(101 if n <= 100 else 31, 5)
        b.log(f"(i) insert {n} rows: {reps} repetitions")
        measured = run_interleaved({
            "resolve": b.resolve_call(db, INSERT_DOCUMENT, {"objects": objects}),
            "hand": lambda encoded=encoded: db.value(INSERT_HAND_SQL, [encoded]),
        }, reps, warmup=2)
        b.samples[f"i/insert {n}"] = {k: v.samples for k, v in measured.items()}
        ratio = measured["resolve"].median / measured["hand"].median
        md.append(f"| {n:,} | {measured['resolve'].ms()} | {measured['hand'].ms()} | {fmt_ratio(ratio)} |")
        targets.append(Target("i", f"insert {n:,} rows ≤ 1.3× hand-written INSERT … RETURNING", fmt_ratio(ratio), ratio <= 1.3))

    # 100 rows with a remote join in returning against its lower bound: the hand-written
    # insert plus one raw POST of the exact batched document resolve sent.
    objects = [{"name": f"joined {i}", "qty": 1, "user_id": i + 1} for i in range(100)]
    b.users.reset()
    answer = b.resolve(db, INSERT_JOIN_DOCUMENT, {"objects": objects})
    returned = answer["data"]["insert_bench_items"]["returning"]
    if len(returned) != 100 or not all(r["user"] and r["user"]["name"] for r in returned):
        raise RuntimeError(f"(i) insert with a remote join: {json.dumps(answer)[:500]}")
    stats = b.users.stats()
    requests = stats["requests"]
    if requests != 1:
        raise RuntimeError(f"(i) insert with a remote join: {requests} requests, expected 1")
    body = json.dumps({"query": stats["documents"][-1], "variables": stats["variables"][-1]}).encode()
    fixture = Http("127.0.0.1", b.users.port)
    encoded = json.dumps(objects)
    reps = b.reps(101, 5)
    b.log(f"(i) insert 100 rows with a remote join: {reps} repetitions")
    measured = run_interleaved({
        "resolve": b.resolve_call(db, INSERT_JOIN_DOCUMENT, {"objects": objects}),
        "hand": lambda: db.value(INSERT_HAND_SQL, [encoded]),
        "post": lambda: fixture.post("/graphql", body),
    }, reps, warmup=2)
    b.samples["i/insert 100 with a remote join"] = {k: v.samples for k, v in measured.items()}
    bound = Stats([h + p for h, p in zip(measured["hand"].samples, measured["post"].samples)])
    ratio = measured["resolve"].median / bound.median
    md += ["", "With a remote join in `returning` (`user { name }`, 100 distinct users): one request to the "
           "remote, checked at the fixture. Lower bound = the hand-written insert plus one raw keep-alive POST "
           "of the exact document `resolve` sent, in the same repetition.\n",
           "| rows | resolve | lower bound | ratio | insert alone | POST alone | remote requests |",
           "|---:|---:|---:|---:|---:|---:|---:|",
           f"| 100 | {measured['resolve'].ms()} | {bound.ms()} | {fmt_ratio(ratio)} | {measured['hand'].ms()} | "
           f"{measured['post'].ms()} | {requests} |"]
    targets.append(Target("i", "insert 100 rows with a remote join ≤ 1.2× its lower bound", fmt_ratio(ratio), ratio <= 1.2))
    return Section("i", "(i) Mutations", "\n".join(md), targets)


J_CASES = [
    # (label, ours, PostGraphile's, variables, the path to the answer in each)
    ("primary-key lookup",
     "query ($id: Int!) { customers_by_pk(id: $id) { id name email country } }",
     "query ($id: Int!) { customerById(id: $id) { id name email country } }",
     {"id": 4242}, ("customers_by_pk",), ("customerById",)),
    ("10 orders with their customer",
     "{ shop_orders(order_by: {id: asc}, limit: 10) { id total customer { name country } } }",
     "{ allShopOrders(orderBy: ID_ASC, first: 10) { nodes { id total customer: customerByCustomerId { name country } } } }",
     None, ("shop_orders",), ("allShopOrders", "nodes")),
]


def start_node_server(b: Bench, directory: str, port: int, extra_env: dict) -> subprocess.Popen:
    env = dict(os.environ, NODE_ENV="production", PGHOST=b.args.socket_dir, PGPORT=str(b.args.port),
               PGDATABASE=b.args.db, PGUSER="postgres", PORT=str(port), **extra_env)
    log = open(os.path.join(b.args.work_dir, f"{directory}.log"), "w")
    node = os.environ.get("PGF_BENCH_NODE", "node")
    proc = subprocess.Popen([node, "server.mjs"], cwd=os.path.join(HERE, directory), env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(proc, port, log.name)
    return proc


def wait_for_port(proc: subprocess.Popen, port: int, log: str) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a server exited (see {log}):\n" + open(log).read()[-3000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after 60 s (see {log})")


def stop_process(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(b: Bench, url: str, body: str, seconds: int, clients: int) -> float:
    """Requests per second of `wrk` POSTing `body` with `clients` connections."""
    script = os.path.join(b.args.work_dir, "wrk_post.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = [==[{body}]==]\n")
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "-s", script, url],
                         capture_output=True, text=True, check=False)
    match = re.search(r"Requests/sec:\s+([0-9.]+)", out.stdout)
    if out.returncode != 0 or not match or "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
        raise RuntimeError(f"wrk against {url} failed or saw errors:\n{out.stdout}\n{out.stderr}")
    return float(match.group(1))


def as_text(value):
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    return str(value)


def dig(value, path: tuple):
    for key in path:
        value = value[key]
    return value


@group("j", "The HTTP front: requests per second through pgf, direct SQL and PostGraphile")
def group_j(b: Bench) -> Section:
    clients = 8
    front_port = b.args.gateway_port + 1
    postgraphile_port = b.args.gateway_port + 2
    front = postgraphile = None
    try:
        log = open(os.path.join(b.args.work_dir, "pgf-serve.log"), "w")
        front = subprocess.Popen([b.args.pgf, "serve", "--host", "127.0.0.1", "--port", str(front_port),
                                  "--pool-size", str(clients), "--database-url",
                                  f"host={b.args.socket_dir} port={b.args.port} user=postgres dbname={b.args.db}"],
                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=dict(os.environ))
        wait_for_port(front, front_port, log.name)
        postgraphile = start_node_server(b, "postgraphile", postgraphile_port, {"POOL": str(clients)})
        front_http, pg_http = Http("127.0.0.1", front_port), Http("127.0.0.1", postgraphile_port)
        seconds = 3 if b.quick else 8
        rounds = 1 if b.quick else 3
        md = [f"Requests per second with {clients} concurrent clients, each case for {seconds} s per round, "
              f"{rounds} round(s) in rotating order, the median shown. **pgf**: `wrk` POSTing the document to "
              f"`pgf serve` (pool of {clients}; each request one transaction: role and claims set, "
              "`graphql.resolve`, commit, pipelined in one round trip). **direct SQL**: `pgbench -M prepared` "
              f"with {clients} clients calling `graphql.resolve` with the same document (no HTTP, no transaction "
              "around it). **PostGraphile 4**: its own HTTP handler on the same tables (`bench/postgraphile/"
              "server.mjs`, its own graphql 15, pool of 8), the same fields in its naming. Answers checked equal first. "
              "**ceiling**: the transaction pgf sends (`begin`, the role, claims and headers settings, "
              "`graphql.resolve`, `commit`), sent by `pgbench -M prepared` pipelined in one round trip with no "
              "HTTP: the most a front that itself cost nothing could reach while it sets a role and claims per "
              "request. All share the machine's two cores with `wrk` or `pgbench` and Postgres.\n",
              "| query | pgf | direct SQL | ceiling | PostGraphile 4 | pgf / direct | ceiling / direct "
              "| pgf / PostGraphile |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
        targets = []
        for label, ours, theirs, variables, our_path, their_path in J_CASES:
            our_body = json.dumps({"query": ours, "variables": variables or {}})
            their_body = json.dumps({"query": theirs, "variables": variables or {}})
            # numeric arrives as a JSON number from us and as a string from PostGraphile:
            # compare every scalar as its text, numbers parsed without rounding.
            our_answer = json.loads(front_http.post("/v1/graphql", our_body.encode()), parse_float=str)
            their_answer = json.loads(pg_http.post("/graphql", their_body.encode()), parse_float=str)
            if as_text(dig(our_answer["data"], our_path)) != as_text(dig(their_answer["data"], their_path)):
                raise RuntimeError(f"(j) {label}: answers differ:\n{our_answer}\n{their_answer}")
            vars_sql = pg_literal(json.dumps(variables or {}))
            script = f"select graphql.resolve({pg_literal(ours)}, {vars_sql}::jsonb);\n"
            # The front's own transaction, sent by pgbench pipelined in one round trip as
            # pgf sends it, with the headers wrk sends: what a front that cost nothing
            # could reach (its role and claims settings and the transaction included).
            headers = pg_literal(json.dumps({"host": f"127.0.0.1:{front_port}", "content-type": "application/json",
                                             "content-length": str(len(our_body))}))
            ceiling_script = ("\\startpipeline\nbegin;\n"
                              "select pg_catalog.set_config('role', 'none', true), "
                              "pg_catalog.set_config('request.jwt.claims', '{}', true), "
                              f"pg_catalog.set_config('request.headers', {headers}, true);\n"
                              f"{script}commit;\n\\endpipeline\n")
            runs = {"pgf": [], "direct": [], "ceiling": [], "postgraphile": []}
            order = list(runs)
            for r in range(rounds):
                b.log(f"(j) {label}: round {r + 1} of {rounds}")
                for name in order[r % 4:] + order[:r % 4]:
                    if name == "pgf":
                        runs[name].append(wrk(b, f"http://127.0.0.1:{front_port}/v1/graphql", our_body, seconds, clients))
                    elif name == "postgraphile":
                        runs[name].append(wrk(b, f"http://127.0.0.1:{postgraphile_port}/graphql", their_body, seconds, clients))
                    elif name == "ceiling":
                        runs[name].append(pgbench(b, ceiling_script, seconds, clients=clients, prepared=True))
                    else:
                        runs[name].append(pgbench(b, script, seconds, clients=clients, prepared=True))
            rps = {k: statistics.median(v) for k, v in runs.items()}
            b.samples[f"j/{label}"] = runs
            to_direct, to_peer = rps["pgf"] / rps["direct"], rps["pgf"] / rps["postgraphile"]
            md.append(f"| {label} | {rps['pgf']:,.0f} | {rps['direct']:,.0f} | {rps['ceiling']:,.0f} | "
                      f"{rps['postgraphile']:,.0f} | {to_direct:.2f}× | {rps['ceiling'] / rps['direct']:.2f}× | "
                      f"{to_peer:.2f}× |")
            targets.append(Target("j", f"{label}: pgf ≥ 0.8× direct SQL (requests/s, {clients} clients)", f"{to_direct:.2f}×", to_direct >= 0.8))
            targets.append(Target("j", f"{label}: pgf ≥ 2× PostGraphile 4 over HTTP", f"{to_peer:.2f}×", to_peer >= 2.0))
            targets.append(Target("j", f"{label}: the ceiling (pgf's transaction without HTTP) / direct SQL, for reference",
                                  f"{rps['ceiling'] / rps['direct']:.2f}×", None))
        return Section("j", "(j) The HTTP front", "\n".join(md), targets)
    finally:
        stop_process(front)
        stop_process(postgraphile)


@group("g", "Cost growth")
def group_g(b: Bench) -> Section:
    results = b.results.get("a")
    if not results:
        return Section("g", "(g) Cost growth", "Group (a) did not run.")
    svg_plot(results, os.path.join(HERE, b.args.plot))
    md = [f"![time against rows for (a)]({b.args.plot})\n",
          "Time per query against parent rows for the table → remote join of (a): `resolve`, its lower bound, "
          "the gateway of (c) (and its variant with aliased fields) and the naive way of (b). "
          "Per-row cost of `resolve` (median / rows):\n",
          "| keys | " + " | ".join(f"{r['rows']:,} rows" for r in results[next(iter(results))]) + " |",
          "|---|" + "---:|" * len(results[next(iter(results))])]
    for key, rows in results.items():
        md.append(f"| {key} | " + " | ".join(f"{r['resolve'].median / r['rows'] * 1e6:.1f} µs" for r in rows) + " |")
    return Section("g", "(g) Cost growth", "\n".join(md))


# --------------------------------------------------------------------------------------
# the report


def machine(patched: bool = False) -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) // 1024 // 1024
    def version(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    changed = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src", "sql", "Cargo.toml", "Cargo.lock"],
                             capture_output=True, text=True, check=False).stdout.strip()
    dirty = " + LOCAL CHANGES in " + ", ".join(sorted({l[3:] for l in changed.splitlines()})) if changed else ""
    if patched:
        patches = sorted(p for p in os.listdir(os.path.join(HERE, "patches")) if p.endswith(".patch"))
        dirty = " + bench/patches/" + ", ".join(patches)
    os_name = "?"
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip().strip('"')
    return [
        f"{cpu}, {os.cpu_count()} cores, {mem} GiB RAM; {os_name}, Linux {platform.release()}",
        f"{version(['/usr/bin/pg_config', '--version'])}; pg_federation release build "
        f"({version(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'])}{dirty}); {version(['rustc', '--version'])}; "
        f"Node.js {version(['node', '--version'])}; Python {platform.python_version()}, psycopg {psycopg.__version__}",
    ]


def explained_queries(b: Bench) -> list[tuple[str, str, dict | None]]:
    """The benchmark queries graphql.explain is shown for: (label, document, variables)."""
    queries = [("(a) table → remote join, 1,000 rows", join_query(1000, "user"), None),
               ("(a) the same, 10 distinct keys", join_query(1000, "user10"), None),
               ("(a) the same with list batching declared", join_query(1000, "user_batched"), None)]
    queries += [(f"(e) {label}", query, variables) for label, query, variables, *_ in E_CASES]
    queries.append(("(i) insert 100 rows with a remote join in returning", INSERT_JOIN_DOCUMENT,
                    {"objects": [{"name": f"explained {i}", "qty": 1, "user_id": i + 1} for i in range(100)]}))
    queries += [(f"(j) {label}", ours, variables) for label, ours, _, variables, *_ in J_CASES]
    return queries


def plan_lines(node: dict, depth: int = 0) -> list[str]:
    """A Postgres EXPLAIN (FORMAT JSON) plan node as indented lines: the node, its relation, actual rows and time."""
    what = node.get("Node Type", "?")
    if node.get("Relation Name"):
        what += f" on {node['Relation Name']}"
    if node.get("Index Name"):
        what += f" using {node['Index Name']}"
    if "Actual Rows" in node:
        what += f" (rows {node['Actual Rows']} × {node.get('Actual Loops', 1)}, {node.get('Actual Total Time', 0):.3f} ms)"
    lines = ["  " * depth + what]
    for child in node.get("Plans", []):
        lines += plan_lines(child, depth + 1)
    return lines


def explain_appendix(b: Bench) -> str:
    """graphql.explain(…, analyze => true) of every benchmark query, summarised."""
    db = b.db
    assert db is not None
    out = []
    for label, query, variables in explained_queries(b):
        try:
            text = db.text("select graphql.explain($1, $2::jsonb, null, true)::text", [query, json.dumps(variables or {})])
            plan = json.loads(text)
        except Exception as e:  # a group that did not run has no tables for its query
            out.append(f"### {label}\n\nnot explained: {str(e).splitlines()[0]}\n")
            continue
        if "errors" in plan:
            out.append(f"### {label}\n\nnot explained: {plan['errors'][0]['message']}\n")
            continue
        lines = [f"total {plan['total_ms']:.2f} ms"]
        for level in plan["levels"]:
            lines.append(f"level {level['level']}:")
            for st in level["statements"]:
                overlap = f", while batch {st['while_batches_under_way']} was under way" if st["while_batches_under_way"] else ""
                lines.append(f"  statement {st['ms']:.3f} ms{overlap}: {st['sql'][:160]}{'…' if len(st['sql']) > 160 else ''}")
                explain = st["explain"]
                if isinstance(explain, list) and explain:
                    lines += ["    " + line for line in plan_lines(explain[0]["Plan"])]
            for rq in level["requests"]:
                ms = f"{rq['ms']:.3f} ms" if rq["ms"] is not None else "no answer"
                lines.append(f"  request (batch {rq['batch']}) {ms}, {rq['keys'] or 0} keys, {rq['bytes_sent']:,} bytes sent, "
                             f"{rq['bytes_received'] or 0:,} received: {rq['url']}")
        out.append(f"### {label}\n\n```\n{query[:300]}\n```\n\n```\n" + "\n".join(lines) + "\n```\n")
    return ("`graphql.explain(query, variables, null, true)` of each benchmark query, run once after the groups "
            "(a mutation is rolled back), summarised: each level's statements with their time and Postgres' plan "
            "(node, relation, actual rows × loops, time), and its requests with their keys and bytes.\n\n" + "\n".join(out))


def render_report(meta: dict, sections: list[dict]) -> str:
    """REPORT.md from a run's results (see save_results), with bench/NOTES.md appended."""
    targets = [t for s in sections for t in s["targets"]]
    started = datetime.datetime.fromisoformat(meta["started"])
    out = ["# pg_federation benchmarks" + (" — with the proposed patches of bench/patches/ applied" if meta.get("patched") else ""), ""]
    out.append(f"Generated by `{meta['command']}` on {started.strftime('%Y-%m-%d %H:%M UTC')}"
               f"{' (QUICK MODE: few repetitions, smaller sizes; not a result)' if meta['quick'] else ''}; "
               f"the measurements took {meta['elapsed'] / 60:.1f} min. Raw samples: `bench/{meta['results']}`.")
    out.append("")
    for line in meta["machine"]:
        out.append(f"- {line}")
    out.append(f"- load average before / after: {meta['load_before']} / {meta['load_after']} "
               "(other work on the machine shows up as spread)")
    out.append("- one throwaway cluster (`scripts/cluster.sh`: fsync off, shared_buffers 64MB, otherwise defaults), "
               "clients on the same machine over the Unix socket; fixture remote APIs (`tests/fixture_server`, "
               "release build) on 127.0.0.1")
    out.append("")
    out.append("Times are medians over repeated runs after a warm-up, with the p10–p90 spread in parentheses; the "
               "variants of one measurement run interleaved, in a shuffled order (peers far longer than `resolve` in "
               "blocks, see (b)). Nothing here fails a build on a number.")
    out.append("")
    out.append("## Targets")
    out.append("")
    out.append("| group | target | measured | |")
    out.append("|---|---|---|---|")
    for t in targets:
        mark = "–" if t["met"] is None else ("met" if t["met"] else "**missed**")
        out.append(f"| ({t['group']}) | {t['target']} | {t['measured']} | {mark} |")
    out.append("")
    for s in sections:
        out.append(f"## {s['title']}")
        out.append("")
        out.append(s["markdown"])
        out.append("")
    notes = os.path.join(HERE, "NOTES.md")
    if os.path.exists(notes):
        out.append(open(notes).read().rstrip())
        out.append("")
    if meta.get("appendix"):
        out.append("## Appendix: `graphql.explain` of the benchmark queries")
        out.append("")
        out.append(meta["appendix"])
    return "\n".join(out)


def save_results(b: Bench, sections: list[Section], started: datetime.datetime, elapsed: float,
                 load_before: str, load_after: str, appendix: str) -> tuple[dict, list[dict]]:
    meta = {"command": b.args.command, "started": started.isoformat(), "quick": b.quick, "elapsed": elapsed,
            "load_before": load_before, "load_after": load_after, "machine": machine(b.args.patched), "results": b.args.results,
            "patched": b.args.patched, "appendix": appendix}
    section_dicts = [{"key": s.key, "title": s.title, "markdown": s.markdown,
                      "targets": [t.__dict__ for t in s.targets]} for s in sections]
    with open(os.path.join(HERE, b.args.results), "w") as f:
        json.dump({"meta": meta, "sections": section_dicts, "samples_seconds": b.samples}, f, indent=1)
        f.write("\n")
    return meta, section_dicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few repetitions and smaller sizes (development)")
    parser.add_argument("--groups", default="", help="comma-separated group keys to run (default: all)")
    parser.add_argument("--rows", default="", help="override the row counts of (a), e.g. 10,1000")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from the saved results (bench/results.json) and bench/NOTES.md")
    parser.add_argument("--patched", action="store_true",
                        help="the extension was built with bench/patches/*.patch applied (run.sh --with-patches): "
                        "files get a .patched suffix")
    parser.add_argument("--socket-dir")
    parser.add_argument("--port", type=int)
    parser.add_argument("--db", default="pgf_bench")
    parser.add_argument("--fixture-ports", type=lambda s: [int(p) for p in s.split(",")])
    parser.add_argument("--gateway-port", type=int)
    parser.add_argument("--gateway-pidfile", default="/tmp/pgf-bench-gateway.pid")
    parser.add_argument("--work-dir", default="/tmp/pgf-bench")
    parser.add_argument("--pgbench", default=shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench")
    parser.add_argument("--pgf", default=os.path.join(ROOT, "target", "release", "pgf"), help="the HTTP front's binary (j)")
    parser.add_argument("--report", default=None, help="file name under bench/ (default REPORT.md for a full run, "
                        "REPORT.quick.md with --quick, --groups or --rows)")
    parser.add_argument("--plot", default=None, help="file name under bench/ (cost_growth[.quick].svg)")
    parser.add_argument("--command", default="bash bench/run.sh")
    parser.add_argument("--exec", default="", help="development: after the set-up, run this Python file with `b` "
                        "(the Bench) in its globals, then stop (no report)")
    args = parser.parse_args()
    partial = args.quick or args.groups or args.rows
    suffix = (".patched" if args.patched else "") + (".quick" if partial else "")
    args.report = args.report or f"REPORT{suffix}.md"
    args.plot = args.plot or f"cost_growth{suffix}.svg"
    args.results = f"results{suffix}.json"
    if args.report_only:
        saved = json.load(open(os.path.join(HERE, args.results)))
        with open(os.path.join(HERE, args.report), "w") as f:
            f.write(render_report(saved["meta"], saved["sections"]))
        print(f"bench: wrote bench/{args.report} from bench/{args.results}")
        return 0
    if not (args.socket_dir and args.port and args.gateway_port and args.fixture_ports and len(args.fixture_ports) == 3):
        parser.error("--socket-dir, --port, --gateway-port and three --fixture-ports are needed (bench/run.sh gives them)")
    os.makedirs(args.work_dir, exist_ok=True)

    b = Bench(args)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = " ".join(open("/proc/loadavg").read().split()[:3])
    t0 = time.perf_counter()
    wanted = set(filter(None, args.groups.split(",")))
    try:
        set_up(b)
        if not wanted or "a" in wanted:
            start_gateway(b)
        if args.exec:
            exec(compile(open(args.exec).read(), args.exec, "exec"), {"b": b, "__name__": "__exec__", **globals()})
            return 0
        sections = []
        for key, title, fn in sorted(GROUPS, key=lambda g: g[0]):
            if wanted and key not in wanted:
                continue
            b.log(f"group ({key}): {title}")
            group_start = time.perf_counter()
            sections.append(fn(b))
            b.log(f"group ({key}) took {time.perf_counter() - group_start:.0f} s")
        b.log("graphql.explain of the benchmark queries (the report's appendix)")
        appendix = explain_appendix(b)
    finally:
        stop_gateway(b)
    load_after = " ".join(open("/proc/loadavg").read().split()[:3])
    meta, section_dicts = save_results(b, sections, started, time.perf_counter() - t0, load_before, load_after, appendix)
    with open(os.path.join(HERE, args.report), "w") as f:
        f.write(render_report(meta, section_dicts))
    b.log(f"wrote bench/{args.report} and bench/{args.results}")
    for s in sections:
        for t in s.targets:
            mark = "-" if t.met is None else ("met" if t.met else "MISSED")
            b.log(f"({t.group}) {t.target}: {t.measured} [{mark}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
