#!/usr/bin/env python3
"""Rebuilds fuzz/corpus/<target>/ (the committed seeds) from the repository's real samples.

Run from the repository root: python3 fuzz/seed.py. Seeds are the sample responses in
tests/fixtures/ (copied from /work/shared/samples, see tests/fixtures/SAMPLES-README.md), the
small files of fixtures/mars-rover/, the configs, themes and the README's TOML blocks; the
large rover bodies are cut down to a few series, spans or hits (names start with `rover-`),
because libFuzzer mutates a 1 KB input many times faster than a 60 KB one.
"""
import glob
import json
import os
import re
import shutil

OUT = "fuzz/corpus"


def put(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(f"{OUT}/{target}/{name}", "wb") as f:
        f.write(data)


def copy(target, pattern):
    for p in sorted(glob.glob(pattern)):
        with open(p, "rb") as f:
            put(target, os.path.basename(p), f.read())


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    # Prometheus: every real sample, and two rover bodies cut to their first points.
    copy("prometheus", "tests/fixtures/prometheus/*.json")
    for name in ["rover_uv_index", "rover_wheel_wear_percent", "slo-01"]:
        body = load(f"fixtures/mars-rover/prometheus/{name}.json")
        for s in body["data"]["result"][:3]:
            s["values"] = s["values"][:4]
        body["data"]["result"] = body["data"]["result"][:3]
        put("prometheus", f"rover-{name}.json", compact(body))
    # Jaeger: v1 and v3 samples, and the rover's traces cut to a few spans.
    copy("jaeger_v1", "tests/fixtures/jaeger/v1_*.json")
    copy("jaeger_v3", "tests/fixtures/jaeger/v3_*.json")
    traces = load("fixtures/mars-rover/jaeger/traces.json")
    rs = traces["result"]["resourceSpans"]
    for i, keep in enumerate([1, 2]):
        cut = []
        for r in rs[:keep]:
            r = dict(r)
            r["scopeSpans"] = [dict(s, spans=s["spans"][:4]) for s in r["scopeSpans"][:1]]
            cut.append(r)
        put("jaeger_v3", f"rover-traces-{i}.json", compact({"result": {"resourceSpans": cut}}))
    # OpenSearch: samples, and the rover's events cut to a few hits.
    copy("opensearch", "tests/fixtures/opensearch/*.json")
    copy("alertmanager", "tests/fixtures/alertmanager/*.json")
    events = load("fixtures/mars-rover/opensearch/rover-events.json")
    hits = events["hits"]["hits"]
    with_trace = [h for h in hits if "trace_id" in h["_source"]][:2]
    events["hits"]["hits"] = hits[:2] + with_trace
    put("opensearch", "rover-events.json", compact(events))
    # Config: the bundled and deployed dashboards, the invalid ones, the README's blocks.
    copy("config", "fixtures/mars-rover/capcom.toml")
    put("config", "sim-dashboard.toml", open("src/dashboard.toml", "rb").read())
    put("config", "deploy-capcom.toml", open("deploy/capcom.toml", "rb").read())
    copy("config", "tests/invalid_configs/*.toml")
    with open("README.md", encoding="utf-8") as f:
        blocks = re.findall(r"```toml\n(.*?)```", f.read(), re.S)
    for i, b in enumerate(blocks):
        target = "theme" if b.startswith("base =") else (
            "manifest" if b.startswith("format =") else "config")
        put(target, f"readme-{i}.toml", b)
    # Manifest: the rover's, and a short one.
    copy("manifest", "fixtures/mars-rover/recording.toml")
    with open("fixtures/mars-rover/recording.toml", encoding="utf-8") as f:
        text = f.read()
    parts = text.split("\n[[")
    put("manifest", "rover-short.toml", "\n[[".join(parts[:2] + [p for p in parts if p.startswith(("opensearch", "jaeger"))][:2]))
    # Theme: the built-in themes as user files.
    copy("theme", "themes/*.toml")


if __name__ == "__main__":
    main()
