"""Checks attrprof's latencies against the untraced cost of each access kind (BENCH.md, section 8).

    python3 latency_check.py ATTRPROF PYTHON [-n N] [-r ROUNDS]

For each kind of bench/py_kinds.py that attrprof times: the untraced cost of
one access, the loop's own taken out (the median over ROUNDS runs of the
kind's ns per access, less attr_plain's, a plain attribute read in the same
loop), against the p50 that `attrprof record` (default settings, plus
--getsets for getset_dict) reports for the kind's attribute. Within 2x, or
marked below the probes' resolution (then no rule and no gate judges it),
is what issue 10 asks. CPython 3.12+ is timed with PYTHONPERFSUPPORT=1 on
both sides: record turns the trampoline on, and it changes what a property
get or a __getattribute__ runs. Prints one markdown table.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS_PY = os.path.join(HERE, "py_kinds.py")

# kind -> (owner, attribute kind, op) of the row attrprof reports for it.
ROWS = {
    "desc_get": ("KDescGet", "descriptor", "get"),
    "desc_set": ("KDescSet", "descriptor", "set"),
    "desc_del": ("KDescDel", "descriptor", "delete"),
    "prop_get": ("KPropGet", "property", "get"),
    "prop_set": ("KPropSet", "property", "set"),
    "cached_miss": ("KCached", "cached_property", "get"),
    "slots_getattr": ("_KSlots", "slot", "get"),
    "slots_setattr": ("_KSlots", "slot", "set"),
    "getset_dict": ("KGetSet", "getset", "get"),
    "getattr_hook": ("KGetattrHook", "getattr_hook", "get"),
    "getattribute": ("KGetattribute", "getattribute", "get"),
}


def untraced_ns(python, env, kind, n, rounds):
    """The median ns per access of kind and of the attr_plain control over rounds runs."""
    per = {kind: [], "attr_plain": []}
    for _ in range(rounds):
        out = subprocess.run([python, KINDS_PY, "-n", str(n), "-k", kind + ",attr_plain"],
                             env=env, check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split()
            per[f[1]].append(float(f[f.index("ns_per_access") + 1]))
    return statistics.median(per[kind]), statistics.median(per["attr_plain"])


def traced_row(attrprof, python, kind, n):
    """attrprof's report row (JSON) for kind's attribute, and the profile's resolution."""
    owner, akind, op = ROWS[kind]
    with tempfile.TemporaryDirectory() as tmp:
        prof = os.path.join(tmp, "p.json")
        cmd = [attrprof, "record", "-o", prof]
        if akind == "getset":
            cmd.append("--getsets")
        subprocess.run(cmd + ["--", python, KINDS_PY, "-n", str(n), "-k", kind], check=True,
                       capture_output=True)
        report = json.loads(subprocess.run([attrprof, "report", "--format", "json", prof],
                                           check=True, capture_output=True, text=True).stdout)
        with open(prof) as f:
            resolution = json.load(f)["calibration"].get("resolution_ns", [0, 0])
    rows = [a for a in report["attributes"]
            if a["owner"] == owner and a["kind"] == akind and a["op"] == op]
    if not rows:
        return None, resolution
    return max(rows, key=lambda a: a["count"]), resolution


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    attrprof, python = args[0], args[1]
    n = int(args[args.index("-n") + 1]) if "-n" in args else 20000
    rounds = int(args[args.index("-r") + 1]) if "-r" in args else 5
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[1])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    env = dict(os.environ)
    if int(version) >= 12:
        env["PYTHONPERFSUPPORT"] = "1"
    print("| kind | untraced ns | loop ns | net ns | attrprof p50 | probe | timed / calls "
          "| p50 / net | verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in ROWS:
        ns, loop = untraced_ns(python, env, kind, n, rounds)
        net = max(ns - loop, 0.0)
        row, resolution = traced_row(attrprof, python, kind, n)
        if row is None:
            print(f"| {kind} | {ns:.1f} | {loop:.1f} | {net:.1f} | not seen | - | - | - | - |")
            continue
        lat = row["latency_ns"] or {}
        p50 = lat.get("p50", 0)
        ratio = p50 / net if net else float("inf")
        if not lat.get("resolved", True):
            res = resolution[1 if row.get("probe") == "single-step" else 0]
            verdict = f"marked below resolution (<{res} ns)"
        elif 0.5 <= ratio <= 2.0:
            verdict = "within 2x"
        else:
            verdict = "**MISSES**"
        print(f"| {kind} | {ns:.1f} | {loop:.1f} | {net:.1f} | {p50} | {row.get('probe', '-')} "
              f"| {lat.get('timed', 0)} / {row['count']} | {ratio:.2f} | {verdict} |")


if __name__ == "__main__":
    main()
