#!/usr/bin/env python3
"""Fills a running amarcord-server with one realistic beamtime for benchmarks.

Usage: generate_beamtime.py BASE_URL [--runs 5000] [--attributi 40] [--events 2000]
                            [--clients 8]

Creates a beamtime, a mix of run attributi (strings, integers, decimals with
units, booleans, choices, a chemical reference), two chemicals, an experiment
type made current, then the runs through POST /api/runs/{n} (each with a value
for every attributo and a file glob) and the events. Prints the beamtime id.
Only the Python standard library is used.
"""
import argparse
import http.client
import json
import random
import sys
import threading
import urllib.parse


class Client:
    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        payload = r.read()
        if r.status != 200:
            raise RuntimeError(f"{method} {path}: {r.status} {payload[:300]!r}")
        return json.loads(payload)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("--runs", type=int, default=5000)
    p.add_argument("--attributi", type=int, default=40)
    p.add_argument("--events", type=int, default=2000)
    p.add_argument("--clients", type=int, default=8)
    a = p.parse_args()
    c = Client(a.base)
    bt = c.call("POST", "/api/beamtimes", {
        "id": 0, "external_id": "bench", "proposal": "p", "beamline": "P11", "title": "benchmark",
        "comment": "", "start_local": 1700000000000, "end_local": 1800000000000,
        "analysis_output_path": "/tmp"})["id"]
    chems = [c.call("POST", "/api/chemicals", {
        "beamtime_id": bt, "name": n, "responsible_person": "bench", "chemical_type": "crystal",
        "attributi": [], "file_ids": []})["id"] for n in ("lysozyme", "thaumatin")]
    kinds = ["string", "integer", "number", "boolean", "choice"]
    attributi = []
    for i in range(a.attributi - 1):
        kind = kinds[i % len(kinds)]
        t = {"string": {"attributo_type_string": {"type": "string"}},
             "integer": {"attributo_type_integer": {"type": "integer"}},
             "number": {"attributo_type_number": {"type": "number", "suffix": "mm", "format": "standard-unit"}},
             "boolean": {"attributo_type_boolean": {"type": "boolean"}},
             "choice": {"attributo_type_string": {"type": "string", "enum": ["a", "b", "c"]}}}[kind]
        body = {"beamtime_id": bt, "name": f"{kind}_{i}", "description": "", "group": "manual",
                "associated_table": "run", **t}
        attributi.append((c.call("POST", "/api/attributi", body)["id"], kind))
    sample = c.call("POST", "/api/attributi", {
        "beamtime_id": bt, "name": "sample", "description": "", "group": "manual",
        "associated_table": "run", "attributo_type_integer": {"type": "integer", "format": "chemical-id"}})["id"]
    et = c.call("POST", "/api/experiment-types", {"beamtime_id": bt, "name": "SFX",
                                                  "attributi": [{"id": sample, "role": "crystal"}]})["id"]
    c.call("PATCH", f"/api/user-config/{bt}/current-experiment-type-id/{et}")

    def value(aid, kind, n):
        if kind == "string":
            return {"attributo_id": aid, "attributo_value_str": f"value {n % 97}"}
        if kind == "integer":
            return {"attributo_id": aid, "attributo_value_int": n % 1000}
        if kind == "number":
            return {"attributo_id": aid, "attributo_value_float": (n % 500) / 7.0}
        if kind == "boolean":
            return {"attributo_id": aid, "attributo_value_bool": n % 2 == 0}
        return {"attributo_id": aid, "attributo_value_str": "abc"[n % 3]}

    def worker(numbers):
        cl = Client(a.base)
        for n in numbers:
            vals = [value(aid, kind, n) for aid, kind in attributi]
            vals.append({"attributo_id": sample, "attributo_value_chemical": chems[n % 2]})
            cl.call("POST", f"/api/runs/{n}", {
                "beamtime_id": bt, "attributi": vals, "started": 1700000000000 + n * 60000,
                "stopped": 1700000000000 + n * 60000 + 50000,
                "files": [{"id": 0, "glob": f"/data/raw/run-{n}/*.h5", "source": "raw"}]})
        for e in range(len(numbers) * a.events // a.runs):
            cl.call("POST", "/api/events", {"beamtime_id": bt, "with_live_stream": False, "event": {
                "source": "bench", "text": f"event {e} " + "x" * random.randint(0, 80),
                "level": random.choice(["user", "info"]), "file_ids": []}})

    numbers = list(range(1, a.runs + 1))
    threads = [threading.Thread(target=worker, args=(numbers[i::a.clients],)) for i in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(bt)


if __name__ == "__main__":
    sys.exit(main())
