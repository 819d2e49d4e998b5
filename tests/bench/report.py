#!/usr/bin/env python3
"""Turns the JSON lines of tests/bench/run-vs-nginx.sh into Markdown tables:
each target of docs/performance.md with Shoal's figure, its baseline, the
ratio and a verdict, then every run in detail. A measurement taken several
times counts by its median (by ops/s).

    tests/bench/report.py results.jsonl
"""
import json
import sys

MIB = 1048576


def load(path):
    runs, fio, rss, machine = {}, {}, {}, {}
    paired = []  # (shoald PUT 4 KiB ops/s, fio fsync IOPS measured just before), in run order
    beside = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            d = json.loads(line)
            if d.get("tool") == "s3bench":
                runs.setdefault((d["label"], d["target"]), []).append(d)
                if d["label"] == "put-4k" and d["target"] == "s3" and beside is not None and not d["errors"]:
                    paired.append((d["ops_per_s"], beside))
                    beside = None
            elif d.get("kind") == "fio":
                fio.setdefault(d["name"], []).append(d)
                if d["name"] == "fsync-4k-beside":
                    beside = d["iops"]
            elif d.get("kind") == "rss":
                rss[d["phase"]] = d
            elif d.get("kind", "").startswith("machine"):
                machine.update(d)
    runs = {k: median(v, "ops_per_s") for k, v in runs.items()}
    fio = {k: median(v, "iops") for k, v in fio.items()}
    machine["put4k_pairs"] = paired
    return runs, fio, rss, machine


def median(items, key):
    """The median item by `key` (the lower middle one of an even count), with
    the spread of `key` over all items and their number."""
    ordered = sorted(items, key=lambda d: d[key])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["repeats"] = len(ordered)
    chosen["min"] = ordered[0][key]
    chosen["max"] = ordered[-1][key]
    return chosen


def fmt(v, unit=""):
    if v is None:
        return "—"
    if abs(v) >= 100:
        return f"{v:,.0f}{unit}"
    return f"{v:.1f}{unit}" if abs(v) >= 10 else f"{v:.2f}{unit}"


def main():
    runs, fio, rss, machine = load(sys.argv[1])

    def run(label, target="s3"):
        return runs.get((label, target))

    def metric(label, target, key):
        r = run(label, target)
        return None if r is None or r["errors"] else r[key]

    rows = []

    def target_row(name, shoal, base, base_name, unit, want, at_least=True):
        ratio = shoal / base if shoal is not None and base else None
        value = ratio if want is not None and base_name else shoal
        if value is None:
            verdict = "not measured"
        else:
            verdict = "met" if (value >= want if at_least else value <= want) else "NOT met"
        rows.append((name, fmt(shoal, unit), fmt(base, unit) + (f" ({base_name})" if base_name else ""),
                     f"{ratio:.2f}" if ratio is not None else "—",
                     ("≥ " if at_least else "≤ ") + (f"{want:g}" if base_name else f"{want:g}{unit}"), verdict))

    for label, name in (("get-1m", "GET 1 MiB, c16 (MiB/s)"), ("get-16m", "GET 16 MiB, c16 (MiB/s)")):
        target_row(name, metric(label, "s3", "mib_per_s"), metric(label, "plain", "mib_per_s"), "nginx", "", 0.9)
    target_row("GET 4 KiB, c16 (ops/s)", metric("get-4k", "s3", "ops_per_s"), metric("get-4k", "plain", "ops_per_s"),
               "nginx", "", 0.7)
    if run("get-4k-presigned"):
        target_row("GET 4 KiB, c16, presigned URLs (ops/s)", metric("get-4k-presigned", "s3", "ops_per_s"),
                   metric("get-4k", "plain", "ops_per_s"), "nginx", "", 0.7)
    nginx_put = metric("put-16m", "plain", "mib_per_s")
    fio_seq = fio.get("seq-fdatasync", {}).get("mib_per_s")
    candidates = [(v, n) for v, n in ((nginx_put, "nginx PUT"), (fio_seq, "fio fdatasync")) if v]
    low = min(candidates) if candidates else (None, "")
    target_row("durable PUT 16 MiB, c4 (MiB/s)", metric("put-16m", "s3", "mib_per_s"), low[0], low[1], "", 0.7)
    pairs = machine.get("put4k_pairs") or []
    if pairs:
        # The median pair by ratio: the disk's rate is taken right before each run.
        shoal_ops, fio_iops = sorted(pairs, key=lambda p: p[0] / p[1])[(len(pairs) - 1) // 2]
        target_row("durable PUT 4 KiB, c16 (ops/s)", shoal_ops, fio_iops,
                   f"fio fsync=1, 1 job, just before; median of {len(pairs)} pairs", "", 8)
    else:
        target_row("durable PUT 4 KiB, c16 (ops/s)", metric("put-4k", "s3", "ops_per_s"),
                   fio.get("fsync-4k", {}).get("iops"), "fio fsync=1, 1 job", "", 8)
    kib = lambda phase, key: rss[phase][key] / 1024 if phase in rss else None  # noqa: E731
    target_row("idle RSS (MiB)", kib("idle", "rss_kib"), None, "", " MiB", 8, at_least=False)
    target_row("peak RSS, 16 × PUT 64 MiB (MiB)", kib("put-64m-c16", "hwm_kib"), None, "", " MiB", 64, at_least=False)
    listed = machine.get("list_objects")
    target_row(f"ListObjectsV2 pages of 1000, {int(listed or 0):,} objects (pages/s)",
               metric("list-c1", "s3", "ops_per_s"), None, "", "", 20)

    print(f"machine: {machine.get('cpu')}, {int(machine.get('cores', 0))} cores, "
          f"{int(machine.get('mem_mib', 0))} MiB, kernel {machine.get('kernel')}, "
          f"{machine.get('fs')} on {machine.get('disk')}; nginx {machine.get('nginx')}, {machine.get('fio')}; "
          f"{int(machine.get('duration', 0))} s per run, median of {int(machine.get('repeat', 1))}; load average {machine.get('load_start')} at start, "
          f"{machine.get('load_end')} at end")
    print()
    print("| target | Shoal | baseline | ratio | wanted | verdict |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")

    print()
    print("| run | server | ops/s (range) | MiB/s | p50 ms | p99 ms | max ms | server CPU µs/op | client CPU µs/op "
          "| errors |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (label, target), r in runs.items():
        server = "nginx" if target == "plain" else "shoald"
        spread = f" ({fmt(r['min'])}–{fmt(r['max'])})" if r["repeats"] > 1 else ""
        ops = r["ops"] or 1
        server_cpu = fmt(1e6 * r["server_cpu_s"] / ops) if r.get("server_cpu_s", -1) >= 0 else "—"
        client_cpu = fmt(1e6 * r["client_cpu_s"] / ops) if "client_cpu_s" in r else "—"
        print(f"| {label} | {server} | {fmt(r['ops_per_s'])}{spread} | {fmt(r['mib_per_s'])} | {r['p50_ms']:.2f} | "
              f"{r['p99_ms']:.2f} | {r['max_ms']:.2f} | {server_cpu} | {client_cpu} | {r['errors']} |")
    print()
    for name, f in fio.items():
        spread = f" (IOPS {fmt(f['min'])}–{fmt(f['max'])})" if f["repeats"] > 1 else ""
        print(f"fio {name}: {fmt(f['mib_per_s'])} MiB/s, {fmt(f['iops'])} IOPS{spread}")
    for phase, r in rss.items():
        parts = ""
        if "anon_kib" in r:
            parts = f" (RssAnon {r['anon_kib'] / 1024:.1f} MiB, RssFile {r['file_kib'] / 1024:.1f} MiB)"
        print(f"shoald memory after {phase}: VmRSS {r['rss_kib'] / 1024:.1f} MiB{parts}, "
              f"VmHWM {r['hwm_kib'] / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
