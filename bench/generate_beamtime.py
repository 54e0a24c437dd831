#!/usr/bin/env python3
"""Fills a running amarcord-server with one realistic beamtime for benchmarks.

Usage:
  generate_beamtime.py BASE_URL [--runs 5000] [--attributi 40] [--events 2000]
                       [--clients 8] [--seed 1]

  BASE_URL     the server, e.g. http://127.0.0.1:5000
  --runs       runs to create (default 5000)
  --attributi  run attributi, the chemical reference "sample" included (default 40)
  --events     log events to create (default 2000)
  --clients    parallel HTTP connections used to load the data (default 8)
  --seed       seed of the random event texts and levels (default 1)

Prints the id of the new beamtime on stdout (nothing else); progress and
errors go to stderr. Exits non-zero if any request fails. Only the Python
standard library is used. The server must have a fresh database (the
beamtime's external id is fixed, "bench").

What it creates, through the public API only:
  * beamtime "bench";
  * chemicals "lysozyme" and "thaumatin" (type crystal);
  * ATTRIBUTI - 1 run attributi named <kind>_<i> for i = 0, 1, ..., cycling
    through five kinds: string_0, integer_1, number_2, boolean_3, choice_4,
    string_5, ... (number: decimal with suffix "mm"; choice: string with
    enum a/b/c), all in group "manual"; plus "sample", a chemical-id attributo;
  * experiment type "SFX" with "sample" as crystal, made current;
  * runs with external ids 1..RUNS through POST /api/runs/{n} as the run
    bridge creates them (a value for every attributo, one raw file glob,
    started/stopped in UTC ms), where run n has:
      string_*  "value <n % 97>"        integer_*  n % 1000
      number_*  (n % 500) / 7           boolean_*  n is even
      choice_*  "abc"[n % 3]            sample     lysozyme if n is even,
                                                   else thaumatin
      started   1700000000000 + n * 60000, stopped 50 s later
    so a filter such as `number_2 > 30 and choice_4 == "a"` selects a
    predictable subset (here about 19 %);
  * EVENTS events through POST /api/events, about half of level "user" (the
    ones the run table and the run overview list) and half "info", with
    texts of 7 to 90 characters.
"""
import argparse
import http.client
import json
import random
import sys
import threading
import urllib.parse

KINDS = ["string", "integer", "number", "boolean", "choice"]

ATTRIBUTO_TYPES = {
    "string": {"attributo_type_string": {"type": "string"}},
    "integer": {"attributo_type_integer": {"type": "integer"}},
    "number": {"attributo_type_number": {"type": "number", "suffix": "mm", "format": "standard-unit"}},
    "boolean": {"attributo_type_boolean": {"type": "boolean"}},
    "choice": {"attributo_type_string": {"type": "string", "enum": ["a", "b", "c"]}},
}


class Client:
    """One keep-alive HTTP connection; every answer must be 200 JSON."""

    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        if u.scheme != "http" or not u.hostname:
            raise ValueError(f"BASE_URL must be http://host:port, got {base!r}")
        self.conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=60)

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        payload = r.read()
        if r.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {r.status} {payload[:300]!r}")
        return json.loads(payload)


def value(attributo_id, kind, n):
    if kind == "string":
        return {"attributo_id": attributo_id, "attributo_value_str": f"value {n % 97}"}
    if kind == "integer":
        return {"attributo_id": attributo_id, "attributo_value_int": n % 1000}
    if kind == "number":
        return {"attributo_id": attributo_id, "attributo_value_float": (n % 500) / 7.0}
    if kind == "boolean":
        return {"attributo_id": attributo_id, "attributo_value_bool": n % 2 == 0}
    return {"attributo_id": attributo_id, "attributo_value_str": "abc"[n % 3]}


def non_negative(text):
    v = int(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return v


def main():
    p = argparse.ArgumentParser(description="Fill an amarcord-server with one benchmark beamtime.")
    p.add_argument("base")
    p.add_argument("--runs", type=non_negative, default=5000)
    p.add_argument("--attributi", type=non_negative, default=40)
    p.add_argument("--events", type=non_negative, default=2000)
    p.add_argument("--clients", type=non_negative, default=8)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.attributi < 1:
        p.error("--attributi must be at least 1 (the chemical attributo 'sample')")
    if a.clients < 1:
        p.error("--clients must be at least 1")

    c = Client(a.base)
    bt = c.call("POST", "/api/beamtimes", {
        "id": 0, "external_id": "bench", "proposal": "p", "beamline": "P11", "title": "benchmark",
        "comment": "", "start_local": 1700000000000, "end_local": 1800000000000,
        "analysis_output_path": "/tmp"})["id"]
    chems = [c.call("POST", "/api/chemicals", {
        "beamtime_id": bt, "name": n, "responsible_person": "bench", "chemical_type": "crystal",
        "attributi": [], "file_ids": []})["id"] for n in ("lysozyme", "thaumatin")]
    attributi = []
    for i in range(a.attributi - 1):
        kind = KINDS[i % len(KINDS)]
        body = {"beamtime_id": bt, "name": f"{kind}_{i}", "description": "", "group": "manual",
                "associated_table": "run", **ATTRIBUTO_TYPES[kind]}
        attributi.append((c.call("POST", "/api/attributi", body)["id"], kind))
    sample = c.call("POST", "/api/attributi", {
        "beamtime_id": bt, "name": "sample", "description": "", "group": "manual",
        "associated_table": "run", "attributo_type_integer": {"type": "integer", "format": "chemical-id"}})["id"]
    # POST /api/runs refuses to create runs without a current experiment type.
    et = c.call("POST", "/api/experiment-types", {"beamtime_id": bt, "name": "SFX",
                                                  "attributi": [{"id": sample, "role": "crystal"}]})["id"]
    c.call("PATCH", f"/api/user-config/{bt}/current-experiment-type-id/{et}")

    errors = []

    def worker(index, numbers, event_count):
        try:
            rng = random.Random(a.seed * 1000003 + index)
            cl = Client(a.base)
            for n in numbers:
                vals = [value(aid, kind, n) for aid, kind in attributi]
                vals.append({"attributo_id": sample, "attributo_value_chemical": chems[n % 2]})
                cl.call("POST", f"/api/runs/{n}", {
                    "beamtime_id": bt, "attributi": vals, "started": 1700000000000 + n * 60000,
                    "stopped": 1700000000000 + n * 60000 + 50000,
                    "files": [{"id": 0, "glob": f"/data/raw/run-{n}/*.h5", "source": "raw"}],
                    "create_data_set": False})
            for e in range(event_count):
                cl.call("POST", "/api/events", {"beamtime_id": bt, "with_live_stream": False, "event": {
                    "source": "bench", "text": f"event {index}-{e} " + "x" * rng.randint(0, 80),
                    "level": rng.choice(["user", "info"]), "file_ids": []}})
        except Exception as exc:  # reported by main(); a thread cannot fail the process itself
            errors.append(f"client {index}: {exc}")

    numbers = list(range(1, a.runs + 1))
    # Split the events so the total is exactly --events.
    event_counts = [a.events // a.clients + (1 if i < a.events % a.clients else 0) for i in range(a.clients)]
    threads = [threading.Thread(target=worker, args=(i, numbers[i::a.clients], event_counts[i]))
               for i in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for e in errors:
            print(f"generate_beamtime.py: {e}", file=sys.stderr)
        return 1
    print(bt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
