#!/usr/bin/python3
"""compare_tables.py RESULTS OUTDIR: the markdown tables of docs/benchmarks.md from bench/compare's
raw results (one "LABEL TARGET SERVER_CORES JSON" line per run, "#load PHASE LOADAVG" lines), and
the plots of throughput and p99 against connections (OUTDIR/*.png, drawn by bench/plot_scaling.gp).
"""
import json
import os
import subprocess
import sys
from statistics import mean

HERE = os.path.dirname(os.path.abspath(__file__))


def read(path):
    runs, loads = {}, []
    for line in open(path):
        if line.startswith("#load"):
            _, phase, rest = line.split(" ", 2)
            loads.append((phase, rest.strip()))
            continue
        label, target, cores, doc = line.split(" ", 3)
        row = json.loads(doc)
        row["server_cores"] = float(cores)
        runs.setdefault((label, target), []).append(row)
    return runs, loads


def avg(rows, key):
    return mean(r[key] for r in rows) if rows else 0.0


def cell(rows, key="ops_per_second", p99="p99_us"):
    if not rows:
        return "-"
    return f"{avg(rows, key):,.0f} (p99 {avg(rows, p99) / 1000:.2f} ms)"


def ratio(a, b):
    return a / b if b else 0.0


def comparison(runs):
    print("| workload | rooms none | rooms sync | Redis | echo | none / Redis | sync / Redis | target |")
    print("|---|---|---|---|---|---|---|---|")
    goals = {"edit-d1": ("edit C=50 D=1", 1.2), "edit-d16": ("edit C=50 D=16", 2.0),
             "fanout": ("fanout C=50 S=10, edits/s", 1.2)}
    verdicts = []
    for label, (name, goal) in goals.items():
        none, sync = runs.get((label, "rooms-none"), []), runs.get((label, "rooms-sync"), [])
        redis, echo = runs.get((label, "redis"), []), runs.get((label, "echo"), [])
        if not none or not redis:
            continue  # not run (bench/compare --only)
        r_none = ratio(avg(none, "ops_per_second"), avg(redis, "ops_per_second"))
        r_sync = ratio(avg(sync, "ops_per_second"), avg(redis, "ops_per_second"))
        print(f"| {name} | {cell(none)} | {cell(sync)} | {cell(redis)} | {cell(echo)} "
              f"| {r_none:.2f}x | {r_sync:.2f}x | >= {goal}x |")
        verdicts.append((name, r_none, goal))
        if label != "fanout":
            aof = runs.get((label, "redis-aof"), [])
            r_aof = ratio(avg(sync, "ops_per_second"), avg(aof, "ops_per_second"))
            print(f"| {name}, durable | - | {cell(sync)} | {cell(aof)} (AOF always) | - | - "
                  f"| {r_aof:.2f}x | >= 1.0x |")
            verdicts.append((name + ", sync vs Redis appendfsync always", r_aof, 1.0))
        if label == "fanout":
            ev = lambda rows: cell(rows, "events_per_second", "event_p99_us")
            r_ev = ratio(avg(none, "events_per_second"), avg(redis, "events_per_second"))
            print(f"| fanout C=50 S=10, events/s | {ev(none)} | {ev(sync)} | {ev(redis)} | - "
                  f"| {r_ev:.2f}x | {ratio(avg(sync, 'events_per_second'), avg(redis, 'events_per_second')):.2f}x | >= 1.2x |")
            gaps = sum(r["gaps"] + r["duplicates"] for t in ("rooms-none", "rooms-sync", "redis")
                       for r in runs.get((label, t), []))
            print(f"\nfanout gaps + duplicates over all runs: {gaps}")
    return verdicts


def stream(runs):
    """Issue 14: presence against Redis, and fanout with patch: true against plain fanout."""
    print("| workload | Rooms updates/s | Redis updates/s | ratio | Rooms notifications/s "
          "| Redis notifications/s | ratio | lost + reordered | target |")
    print("|---|---|---|---|---|---|---|---|---|")
    verdicts = []
    names = {"presence-s10": "presence C=50 D=1 S=10, 100 rooms",
             "presence-s2-d16": "presence C=50 D=16 S=2, 100 rooms"}
    for label, name in names.items():
        rooms, redis = runs.get((label, "rooms-none"), []), runs.get((label, "redis"), [])
        if not rooms or not redis:
            continue
        r_ops = ratio(avg(rooms, "ops_per_second"), avg(redis, "ops_per_second"))
        r_ev = ratio(avg(rooms, "events_per_second"), avg(redis, "events_per_second"))
        bad = sum(r["gaps"] + r["duplicates"] + r["errors"] for r in rooms + redis)
        ev = lambda rows: cell(rows, "events_per_second", "event_p99_us")
        print(f"| {name} | {cell(rooms)} | {cell(redis)} | {r_ops:.2f}x | {ev(rooms)} | {ev(redis)} "
              f"| {r_ev:.2f}x | {bad} | >= 1.2x, 0 lost |")
        verdicts.append((f"{name}, updates/s", r_ops, 1.2))
        verdicts.append((f"{name}, notifications/s", r_ev, 1.2))
    plain, patch = runs.get(("fanout-plain", "rooms-none"), []), runs.get(("fanout-patch", "rooms-none"), [])
    if plain and patch:
        print("\n| fanout C=50 D=1 S=10, 1000 rooms | edits/s per run | edits/s mean | events/s mean "
              "| server CPU us per edit | gaps + duplicates |")
        print("|---|---|---|---|---|---|")
        for name, rows in (("plain subscribers", plain), ("patch: true subscribers", patch)):
            per_run = " / ".join(f"{r['ops_per_second']:.0f}" for r in rows)
            print(f"| {name} | {per_run} | {avg(rows, 'ops_per_second'):,.0f} "
                  f"| {avg(rows, 'events_per_second'):,.0f} "
                  f"| {1e6 * ratio(avg(rows, 'server_cores'), avg(rows, 'ops_per_second')):.1f} "
                  f"| {sum(r['gaps'] + r['duplicates'] for r in rows)} |")
        cost = 1 - ratio(avg(patch, "ops_per_second"), avg(plain, "ops_per_second"))
        print(f"\npatch: true costs {100 * cost:.1f}% of plain fanout's edits/s (target <= 10%)")
        verdicts.append(("fanout with patch: true, edits/s kept (1 - cost)", 1 - cost, 0.9))
    return verdicts


def tls(runs):
    """Issue 16: edits/s over TLS against plaintext, for Rooms and for Redis."""
    print("| workload | Rooms plain | Rooms TLS | TLS / plain | Redis plain | Redis TLS "
          "| TLS / plain | Rooms / Redis plain | Rooms / Redis TLS |")
    print("|---|---|---|---|---|---|---|---|---|")
    verdicts = []
    for depth in (1, 16):
        label = f"tls-d{depth}"
        rows = {t: runs.get((label, t), []) for t in ("rooms-none", "rooms-none-tls", "redis",
                                                        "redis-tls")}
        if not all(rows.values()):
            continue  # not run (bench/compare --only)
        ops = {t: avg(r, "ops_per_second") for t, r in rows.items()}
        rooms_cost = ratio(ops["rooms-none-tls"], ops["rooms-none"])
        redis_cost = ratio(ops["redis-tls"], ops["redis"])
        plain_lead = ratio(ops["rooms-none"], ops["redis"])
        tls_lead = ratio(ops["rooms-none-tls"], ops["redis-tls"])
        print(f"| edit C=50 D={depth} | {cell(rows['rooms-none'])} | {cell(rows['rooms-none-tls'])} "
              f"| {rooms_cost:.2f}x | {cell(rows['redis'])} | {cell(rows['redis-tls'])} "
              f"| {redis_cost:.2f}x | {plain_lead:.2f}x | {tls_lead:.2f}x |")
        cost = {t: mean(ratio(r["server_cores"], r["ops_per_second"]) * 1e6 for r in rr)
                for t, rr in rows.items()}
        per_round = [ratio(t["ops_per_second"], p["ops_per_second"])
                     for t, p in zip(rows["rooms-none-tls"], rows["rooms-none"])]
        print(f"| ... server CPU per edit | {cost['rooms-none']:.1f} us | "
              f"{cost['rooms-none-tls']:.1f} us | +{ratio(cost['rooms-none-tls'], cost['rooms-none']) * 100 - 100:.0f}% "
              f"| {cost['redis']:.1f} us | {cost['redis-tls']:.1f} us "
              f"| +{ratio(cost['redis-tls'], cost['redis']) * 100 - 100:.0f}% | - | - |")
        print(f"| ... Rooms TLS / plain by round | {', '.join(f'{x:.2f}' for x in per_round)} "
              "| | | | | | | |")
        if depth == 16:
            verdicts.append(("edit C=50 D=16 over TLS, against Rooms in plaintext", rooms_cost, 0.8))
        verdicts.append((f"edit C=50 D={depth} lead over Redis, TLS against plaintext "
                         f"({tls_lead:.2f}x / {plain_lead:.2f}x)",
                         ratio(tls_lead, plain_lead), 1.0))
    return verdicts


def detail(runs, labels, targets):
    print("| run | target | edits/s per run | edits/s mean | p50 us | p99 us | p99.9 us | errors "
          "| client cores | server cores | server CPU us per edit |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label in labels:
        for target in targets:
            rows = runs.get((label, target), [])
            if not rows:
                continue
            per_run = " / ".join(f"{r['ops_per_second']:.0f}" for r in rows)
            print(f"| {label} | {target} | {per_run} | {avg(rows, 'ops_per_second'):.0f} "
                  f"| {avg(rows, 'p50_us'):.0f} | {avg(rows, 'p99_us'):.0f} "
                  f"| {avg(rows, 'p999_us'):.0f} | {sum(r['errors'] for r in rows)} "
                  f"| {avg(rows, 'client_cpu_cores'):.2f} | {avg(rows, 'server_cores'):.2f} "
                  f"| {1e6 * ratio(avg(rows, 'server_cores'), avg(rows, 'ops_per_second')):.1f} |")


def scaling(runs, outdir):
    counts = sorted({int(l[len("scale-c"):]) for (l, _) in runs if l.startswith("scale-c")})
    targets = ("rooms-none", "redis", "echo")
    print("| connections | " + " | ".join(f"{t} ops/s | {t} p99 us" for t in targets) + " |")
    print("|---" * (1 + 2 * len(targets)) + "|")
    os.makedirs(outdir, exist_ok=True)
    data = os.path.join(outdir, "scaling.dat")
    with open(data, "w") as f:
        f.write("# connections " + " ".join(f"{t}_ops {t}_p99_us" for t in targets) + "\n")
        for c in counts:
            values = []
            for t in targets:
                rows = runs.get((f"scale-c{c}", t), [])
                values += [avg(rows, "ops_per_second"), avg(rows, "p99_us")]
            f.write(f"{c} " + " ".join(f"{v:.0f}" for v in values) + "\n")
            print(f"| {c} | " + " | ".join(f"{v:,.0f}" for v in values) + " |")
    try:
        subprocess.run(["gnuplot", "-e", f"data='{data}'; outdir='{outdir}'",
                        os.path.join(HERE, "plot_scaling.gp")], check=True)
        print(f"\nPlots: {outdir}/throughput_vs_connections.png, {outdir}/p99_vs_connections.png")
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"\n(no plots: gnuplot failed: {error})")


def bigroom(runs):
    print("| durability | room data | edits/s | p50 us | p99 us | p99.9 us | p99 / p99 at 1 KiB |")
    print("|---|---|---|---|---|---|---|")
    verdict = None
    for target in ("rooms-none", "rooms-sync"):
        rows = runs.get(("bigroom", target), [])
        base = rows[0]["p99_us"] if rows else 0
        for r in rows:
            print(f"| {target[6:]} | {r['room_bytes'] / 1024:,.0f} KiB | {r['ops_per_second']:,.0f} "
                  f"| {r['p50_us']} | {r['p99_us']} | {r['p999_us']} | {ratio(r['p99_us'], base):.2f} |")
        if rows and target == "rooms-none":
            verdict = ratio(rows[-1]["p99_us"], base)
    return verdict


def churn(runs):
    print("| durability | ops/s (create, join, leave, delete) | p50 us | p99 us | errors |")
    print("|---|---|---|---|---|")
    for target in ("rooms-none", "rooms-sync"):
        for r in runs.get(("churn", target), []):
            print(f"| {target[6:]} | {r['ops_per_second']:,.0f} | {r['p50_us']} | {r['p99_us']} "
                  f"| {r['errors']} |")


def memory(runs):
    mem = runs.get(("memory", "rooms-none"), [])
    parked_runs = runs.get(("parked", "rooms-none"), [])
    hib = runs.get(("hibernate", "rooms-sync"), [])
    restarted = runs.get(("restarted", "rooms-sync"), [])
    print("| case | rooms | node RSS before | RSS after | bytes per room | rooms per GiB |")
    print("|---|---|---|---|---|---|")
    in_memory = None
    for r in mem:
        in_memory = r["bytes_per_room"]
        print(f"| in memory (none) | {r['rooms']:,} | {r['rss_before_kib']:,} KiB "
              f"| {r['rss_created_kib']:,} KiB | {in_memory:,.0f} | {2**30 / in_memory:,.0f} |")
    parked = None
    for r in parked_runs:
        parked = r["bytes_per_room_idle"]
        print(f"| idle in memory (none), parked after 1 s, 15 s idle | {r['rooms']:,} "
              f"| {r['rss_before_kib']:,} KiB | {r['rss_idle_kib']:,} KiB | {parked:,.0f} "
              f"| {2**30 / parked:,.0f} |")
    hibernated = None
    for h in hib:
        print(f"| sync, just created ({h['active_created']:,} room actors) | {h['rooms']:,} "
              f"| {h['rss_before_kib']:,} KiB | {h['rss_created_kib']:,} KiB "
              f"| {h['bytes_per_room']:,.0f} | - |")
        print(f"| sync, after 5 s idle ({h['active_idle']:,} room actors) | {h['rooms']:,} "
              f"| {h['rss_before_kib']:,} KiB | {h['rss_idle_kib']:,} KiB "
              f"| {h['bytes_per_room_idle']:,.0f} | - |")
        for r in restarted:
            hibernated = (r["rss_before_kib"] - h["rss_before_kib"]) * 1024 / h["rooms"]
            print(f"| hibernated: node restarted on that data dir | {h['rooms']:,} "
                  f"| {h['rss_before_kib']:,} KiB (empty) | {r['rss_before_kib']:,} KiB "
                  f"| {hibernated:,.0f} | - |")
    return in_memory, parked, hibernated


def main():
    runs, loads = read(sys.argv[1])
    outdir = sys.argv[2] if len(sys.argv) > 2 else "docs/img"
    print("Load average (1, 5, 15 min) at each phase end: "
          + "; ".join(f"{phase}: {value}" for phase, value in loads) + "\n")
    print("### Rooms vs Redis vs echo (edits/s, mean of the rounds)\n")
    verdicts = comparison(runs)
    print("\n### Presence and patch events (issue 14)\n")
    verdicts += stream(runs)
    print("\n### TLS (issue 16; edits/s, mean of the rounds)\n")
    verdicts += tls(runs)
    print("\n### Every run of the comparison (and durability async)\n")
    detail(runs, ("edit-d1", "edit-d16", "fanout"),
           ("rooms-none", "rooms-async", "rooms-sync", "redis", "redis-aof", "echo"))
    print("\n### Scaling with connections (edit, D=1)\n")
    scaling(runs, outdir)
    print("\n### Scaling with room size (bigroom, C=10 D=1, one room)\n")
    big = bigroom(runs)
    print("\n### Churn (C=50 D=1)\n")
    churn(runs)
    print("\n### Memory per idle room\n")
    in_memory, parked, hibernated = memory(runs)
    print("\n### Targets\n")
    for name, value, goal in verdicts:
        against = "" if "TLS" in name else " Redis"
        print(f"- {name}: {value:.2f}x{against}, target {goal}x: {'met' if value >= goal else 'MISSED'}")
    rooms_p99 = avg(runs.get(("edit-d1", "rooms-none"), []), "p99_us")
    redis_p99 = avg(runs.get(("edit-d1", "redis"), []), "p99_us")
    if rooms_p99 and redis_p99:
        print(f"- edit C=50 D=1 p99: Rooms {rooms_p99 / 1000:.2f} ms, Redis {redis_p99 / 1000:.2f} ms, "
              f"target no worse: {'met' if rooms_p99 <= redis_p99 else 'MISSED'}")
    if big is not None:
        print(f"- bigroom p99 at the largest size / at 1 KiB: {big:.2f}, target <= 2: "
              f"{'met' if big <= 2 else 'MISSED'}")
    if parked is not None:
        print(f"- idle in-memory room (parked): {parked:,.0f} bytes RSS, target <= 256: "
              f"{'met' if parked <= 256 else 'MISSED'}")
    if in_memory is not None:
        print(f"- in-memory room as an actor (just created): {in_memory:,.0f} bytes RSS")
    if hibernated is not None:
        print(f"- hibernated room: {hibernated:,.0f} bytes RSS (target: near zero)")


if __name__ == "__main__":
    main()
