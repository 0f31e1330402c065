#!/usr/bin/env python3
"""Writes two synthetic profiles of N attributes each, for timing `attrprof diff`.

Usage: diff_profiles.py N BASE NEW

The attributes are the same on both sides but for the last tenth, which is new
in NEW (another tenth of BASE's vanished), and NEW's calls are 5% more frequent
and its calls one histogram slot slower (about 20%), so that every entry is compared and many rows,
reasons and latency intervals are rendered. Deterministic: the same N writes the
same files.
"""
import json
import sys

# Consecutive histogram slots (lower bounds, ns): NEW's calls sit one slot higher.
SLOTS = [1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120]


def attr(i, count, shift):
    slots = SLOTS[shift:shift + len(SLOTS) - 1]
    hist = [[lo, count // len(slots)] for lo in slots]
    timed = sum(c for _, c in hist)
    total = sum(lo * c for lo, c in hist)
    return {
        "owner": "mod%03d" % (i % 500),
        "name": "attr_%05d" % i,
        "kind": "function",
        "op": "call",
        "probe": "emulated",
        "count": count,
        "errors": 0,
        "threads": 1,
        "latency_ns": {
            "timed": timed,
            "total": total,
            "p50": slots[4],
            "p90": slots[7],
            "p99": slots[8],
            "max": slots[8] + 100,
            "histogram": hist,
        },
        "lock_wait_ns": {
            "count": 0, "total": 0, "p50": 0, "p99": 0, "max": 0,
            "histogram": [], "by_kind": {},
        },
        "signals": {"repeat_reads": 0, "concurrent": 0, "off_cpu_ns": 0},
    }


def profile(ids, count_scale, shift):
    return {
        "schema": "attrprof.profile/4",
        "tool": {"name": "attrprof", "version": "0.1.0"},
        "target": {"pid": 1000, "exe": "/usr/bin/shop", "build_id": None, "runtime": "c"},
        "mode": "timed",
        "end": "target-exited",
        "exit_status": 0,
        "duration_ns": 1000000000,
        "probe_cost_ns": 100,
        "calibration": {"frame_ns": [100, 200], "entry_ns": [100, 200], "return_ns": 100},
        "dropped": {"map_full": 0, "stack_depth": 0, "read_errors": 0,
                    "unmatched_returns": 0, "attrs_over_limit": 0, "unprobeable": 0},
        "unattributed_lock_wait_ns": {"count": 0, "total": 0, "p50": 0, "p99": 0,
                                      "max": 0, "histogram": [], "by_kind": {}},
        "attributes": [attr(i, int((900 + i % 1000) * count_scale), shift)
                       for i in ids],
    }


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    n = int(sys.argv[1])
    tenth = n // 10
    base = list(range(n))
    # NEW lists its attributes in reverse: no two sides keep one order.
    new = list(range(tenth, n + tenth))[::-1]
    for path, ids, cs, ts in ((sys.argv[2], base, 1.0, 0), (sys.argv[3], new, 1.05, 1)):
        with open(path, "w") as f:
            json.dump(profile(ids, cs, ts), f)


if __name__ == "__main__":
    main()
