"""A/B of the Mapa page's first paint between checkouts, loads interleaved (figures only).

Each variant is the app of one checkout: a directory, or a git revision checked out for the
run in a temporary worktree (removed at the end). Every round opens each variant once as a
first visit (fresh browser context), each right after the bare page (``baseline_app.py``) in
its own fresh context, as ``bench_map.py`` does; the order of the variants alternates from one
round to the next, and round 0 only warms the servers up. The loads of one round are seconds
apart, so a round's difference between two variants leaves out most of what moves a shared
machine from one minute to the next.

Printed for each variant: the median of goto -> all initiatives drawn (``data-sit-drawn``),
the median of the bare page loaded before it and the ratio of the two (the targets' ratio);
against the first variant, the median of the rounds' differences with a 90 % bootstrap
interval. An interval that holds 0 says the change is within the spread of the loads.

Usage::

    .venv/bin/python bench/ab_map.py A=HEAD~1 B=HEAD [--rounds 16] [--size 1000]
    .venv/bin/python bench/ab_map.py A=HEAD B=/path/to/a/checkout --reuse-db

The bench database (``--db-url``, default ``bench_map.py``'s) is rebuilt with ``sit`` from
this checkout and given ``--size`` demo initiatives, unless ``--reuse-db`` (then it is used as
it is). Every variant must work on this checkout's schema. Needs what ``bench_map.py`` needs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_map as bm  # noqa: E402

#: Resamples of the bootstrap interval, and its seed (the same rounds give the same interval).
BOOTSTRAP = 2000
SEED = 20261202


def variant(spec: str) -> tuple[str, str]:
    """``NAME=REV_OR_DIR`` -> (name, what)."""
    name, sep, what = spec.partition("=")
    if not sep or not name or not what:
        raise argparse.ArgumentTypeError(f"{spec!r}: expected NAME=REVISION or NAME=DIRECTORY")
    return name, what


def checkout(what: str, keep: list[Path]) -> Path:
    """The directory of a variant: ``what`` itself, or a temporary worktree at that revision."""
    path = Path(what)
    if path.is_dir():
        return path.resolve()
    target = Path(tempfile.mkdtemp(prefix="sit-ab-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(target), what], cwd=bm.ROOT, check=True
    )
    keep.append(target)
    return target


def bootstrap_interval(diffs: list[float], level: float = 0.90) -> tuple[float, float]:
    """A percentile bootstrap interval of the median of ``diffs``."""
    rng = random.Random(SEED)
    medians = sorted(statistics.median(rng.choices(diffs, k=len(diffs))) for _ in range(BOOTSTRAP))
    lo = medians[int((1 - level) / 2 * BOOTSTRAP)]
    hi = medians[int((1 + level) / 2 * BOOTSTRAP) - 1]
    return lo, hi


def prepare_database(env: dict[str, str], url: str, size: int, seed: int) -> None:
    bm.recreate_database(url)
    bm.sit("db", "upgrade", env=env)
    bm.sit("load", "base", env=env)
    bm.sit("load", "pladeco", env=env)
    bm.sit("demo", "generate", "--initiatives", str(size), "--seed", str(seed), env=env)


def summary(names: list[str], page: dict[str, list[float]], bare: dict[str, list[float]]) -> list[str]:
    first = names[0]
    head = f"{'variant':12s} {'loads':>5s} {'first visit':>12s} {'bare page':>10s} {'ratio':>6s}"
    lines = [f"{head}  vs {first}"]
    for name in names:
        m, b = statistics.median(page[name]), statistics.median(bare[name])
        line = f"{name:12s} {len(page[name]):5d} {m:9.1f} ms {b:7.1f} ms {m / b:6.3f}"
        if name != first:
            diffs = [x - y for x, y in zip(page[name], page[first], strict=True)]
            lo, hi = bootstrap_interval(diffs)
            verdict = "faster" if hi < 0 else "slower" if lo > 0 else "within the spread"
            line += f"  {statistics.median(diffs):+7.1f} ms (90 %: {lo:+.1f} .. {hi:+.1f}): {verdict}"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+", type=variant, help="NAME=REVISION or NAME=DIRECTORY")
    parser.add_argument("--rounds", type=int, default=16, help="counted rounds (default 16)")
    parser.add_argument("--size", type=int, default=1000, help="demo initiatives (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="demo generator seed (default 1)")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", bm.DEFAULT_DB_URL))
    parser.add_argument("--reuse-db", action="store_true", help="use the bench database as it is")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a page (default 60)")
    parser.add_argument("--json", type=Path, help="also write every load's figures to this file")
    args = parser.parse_args(argv)
    names = [n for n, _ in args.variants]
    if len(set(names)) != len(names):
        parser.error("each variant needs its own name")
    if not Path(bm.CHROMIUM).exists():
        raise SystemExit(f"{bm.CHROMIUM} not found (apt-get install -y chromium)")

    env = {**os.environ, "DATABASE_URL": args.db_url, "SIT_SHOW_DEMO": "1", "SIT_PUBLIC_READ": "1"}
    if not args.reuse_db:
        prepare_database(env, args.db_url, args.size, args.seed)
    log_dir = Path(tempfile.mkdtemp(prefix="sit-ab-logs-"))
    worktrees: list[Path] = []
    servers: dict[str, bm.Server] = {}
    page: dict[str, list[float]] = {n: [] for n in names}
    bare: dict[str, list[float]] = {n: [] for n in names}
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    try:
        roots = {name: checkout(what, worktrees) for name, what in args.variants}
        servers["bare"] = bm.Server(env, log_dir, "bench/baseline_app.py")
        for name in names:
            servers[name] = bm.Server(env, log_dir, "app.py", root=roots[name])
            bm.log(f"{name}: {roots[name]} on {servers[name].url}")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=bm.CHROMIUM, args=bm.CHROMIUM_ARGS)
            viewport = {"width": 1400, "height": 1000}
            for r in range(args.rounds + 1):
                order = names if r % 2 == 0 else names[::-1]
                for name in order:
                    loads = []
                    for url, n in ((servers["bare"].url, None), (servers[name].url, args.size)):
                        context = browser.new_context(viewport=viewport)
                        try:
                            loads.append(bm.page_load(context, url, n, args.timeout))
                        finally:
                            context.close()
                    if not all(run["ok"] for run in loads):
                        raise SystemExit(f"round {r}, {name}: {[run.get('error') for run in loads]}")
                    if r:
                        bare[name].append(loads[0]["page_s"] * 1000)
                        page[name].append(loads[1]["page_s"] * 1000)
                bm.log(f"round {r}{' (warm-up)' if r == 0 else ''} done")
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
        for path in worktrees:
            subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=bm.ROOT, check=False)

    print(f"\nThe Mapa page at {args.size:,} initiatives, first visits, {args.rounds} rounds\n")
    print("\n".join(summary(names, page, bare)))
    print(
        f"\nMachine: {os.cpu_count()} CPUs; load average (1 min) {load_before:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end; {time.perf_counter() - started:.0f} s"
    )
    if args.json:
        out: dict[str, Any] = {"variants": dict(args.variants), "page_ms": page, "bare_ms": bare}
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
