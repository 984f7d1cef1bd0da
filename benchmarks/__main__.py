"""`make bench`: measure carebot's speed on this machine and print one Markdown table."""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
from pathlib import Path

import psutil

from benchmarks.answer_latency import knowledge_rows
from benchmarks.channel_latency import channel_rows
from benchmarks.dialogue_latency import (
    compare_latency,
    process_rss,
    start_bench_stack,
    sustained_throughput,
)
from benchmarks.triage_latency import measure_triage_latency


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    if "--knowledge" in sys.argv:  # only the knowledge rows (they take a few minutes)
        with tempfile.TemporaryDirectory(prefix="carebot-bench-") as logs:
            _print(knowledge_rows(Path(logs)))
        return
    if "--channels" in sys.argv:  # only the channel rows
        with tempfile.TemporaryDirectory(prefix="carebot-bench-") as logs:
            _print(channel_rows(Path(logs)))
        return
    triage = measure_triage_latency()
    rows.append(
        (
            "triage latency per message",
            f"p50 {triage['p50_us']:.0f} µs, p99 {triage['p99_us']:.0f} µs, "
            f"max {triage['max_us']:.0f} µs",
            "p99 ≤ 1 ms",
        )
    )
    with tempfile.TemporaryDirectory(prefix="carebot-bench-") as logs:
        bench = start_bench_stack(Path(logs))
        try:
            lat = asyncio.run(compare_latency(bench))
            g, r = lat["gateway"], lat["rasa"]
            rows.append(
                (
                    "scripted turn via gateway (POST /api/v1/messages)",
                    f"p50 {g['p50']:.1f} ms, p90 {g['p90']:.1f} ms, p99 {g['p99']:.1f} ms "
                    f"(n={g['n']:.0f})",
                    "p99 ≤ 100 ms",
                )
            )
            rows.append(
                (
                    "same turns straight to Rasa's REST webhook",
                    f"p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms, p99 {r['p99']:.1f} ms",
                    "baseline",
                )
            )
            rows.append(
                (
                    "gateway / Rasa latency ratio",
                    f"p50 {g['p50'] / r['p50']:.2f}, p99 {g['p99'] / r['p99']:.2f}",
                    "p50 ≤ 1.25",
                )
            )
            load = asyncio.run(sustained_throughput(bench))
            rows.append(
                (
                    f"sustained scripted turns, {load['sessions']:.0f} concurrent sessions",
                    f"{load['turns_per_s']:.1f} turns/s ({load['turns']:.0f} turns in "
                    f"{load['seconds']:.1f} s), {load['errors']:.0f} errors",
                    "0 errors",
                )
            )
            for name, mib in sorted(process_rss(bench).items()):
                rows.append((f"RSS: {name}", f"{mib:.0f} MiB", ""))
        finally:
            bench.stop()
        rows += knowledge_rows(Path(logs))
        rows += channel_rows(Path(logs))
    _print(rows)


def _print(rows: list[tuple[str, str, str]]) -> None:
    print(f"Machine: {machine()}\n")
    print("| measure | result | target |")
    print("| --- | --- | --- |")
    for measure, result, target in rows:
        print(f"| {measure} | {result} | {target} |")


if __name__ == "__main__":
    main()
