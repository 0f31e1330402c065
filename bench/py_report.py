"""The Python section of `make bench`: turns what scripts/bench collected into Markdown.

    python py_report.py sites LINKS                 probe sites attrprof attached (from linkinfo)
    python py_report.py bpftrace LINKS              a bpftrace script probing the same functions
    python py_report.py report DIR                  the whole Python section, from DIR (below)

DIR holds, for each interpreter version V (versions.txt: "V PYTHON LIBPYTHON" per line):
  links-V.txt                 `linkinfo links` of attrprof recording V
  traps-V-KIND.json           the profile of `attrprof record` running only KIND
  traps-V-KIND.runs           `linkinfo runs` before ("before ...") and after ("after ...")
                              KIND's N timed accesses, with kernel.bpf_stats_enabled=1
  traps.conf                  "n N" and "warmup W" of those runs
and kinds.tsv ("CONFIG ROUND KIND NS_PER_ACCESS"), workload.tsv ("CONFIG ROUND ELAPSED_NS
CHECKSUM PROBED_CALLS"), workload-profile.json (a record run of the workload).

Needs readelf and objdump. Runs on Python 3.9+.
"""

import json
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in bench/
import py_kinds  # noqa: E402  (the kinds, their order and descriptions)

# ---- ELF: symbols, segments, first instructions ------------------------------------------


class Elf:
    def __init__(self, path):
        self.path = path
        self.funcs = []  # (vaddr, size, name)
        self.loads = []  # (offset, vaddr, filesz)
        out = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if f and f[0] == "LOAD":
                self.loads.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
        out = subprocess.run(["readelf", "-sW", path], capture_output=True, text=True, check=True).stdout
        seen = set()
        for line in out.splitlines():
            f = line.split()
            if len(f) >= 8 and f[3] == "FUNC" and f[1] != "0000000000000000":
                name = f[7].split("@")[0]
                key = (int(f[1], 16), name)
                if key not in seen:
                    seen.add(key)
                    self.funcs.append((int(f[1], 16), int(f[2], 0), name))
        self.funcs.sort()

    def vaddr(self, off):
        for o, v, sz in self.loads:
            if o <= off < o + sz:
                return off - o + v
        return off

    def symbol(self, vaddr):
        """(name, delta) of the function holding vaddr; names at one address joined with /."""
        best = None
        for v, sz, name in self.funcs:
            if v <= vaddr < v + max(sz, 1):
                if best is None or v > best[0]:
                    best = (v, [name])
                elif v == best[0] and name not in best[1]:
                    best[1].append(name)
        if best is None:
            return ("?", 0)
        names = sorted(best[1], key=lambda n: (n.startswith("__"), len(n)))
        return (names[0], vaddr - best[0])

    def insn(self, vaddr):
        out = subprocess.run(
            ["objdump", "-d", "--no-show-raw-insn", f"--start-address={vaddr:#x}", f"--stop-address={vaddr + 16:#x}", self.path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for line in out.splitlines():
            m = re.match(r"^\s*[0-9a-f]+:\s+(.*)$", line)
            if m:
                text = re.sub(r"\s+", " ", m.group(1)).strip()
                return re.sub(r"\s*#.*$", "", text)
        return "?"


def insn_class(text):
    """What the x86 uprobe code does with an instruction: emulate it, or single-step it."""
    words = text.split()
    while words and words[0] in ("bnd", "notrack", "data16", "cs", "ds"):
        words = words[1:]
    if not words:
        return "?"
    m = words[0]
    if m in ("push", "pushq") and len(words) > 1 and words[1].startswith("%"):
        return "emulated"
    if m.startswith("nop") or text in ("xchg %ax,%ax",):
        return "emulated"
    if (m.startswith("j") or m.startswith("call")) and len(words) > 1 and not words[1].startswith("*"):
        return "emulated"
    return "single-stepped"


# ---- probe sites ----------------------------------------------------------------------------

def read_sites(links_path):
    """One dict per probed function: name, path, entry/return offset, instruction and class."""
    elves = {}
    by_func = {}
    for line in open(links_path):
        f = line.split()
        if len(f) != 5 or f[0] not in ("uprobe_multi", "uretprobe_multi"):
            continue
        kind, prog, path, off = f[0], f[1], f[2], int(f[3], 16)
        if prog in ("access_count", "access_session", "access_enter", "access_return"):
            continue  # attrprof's calibration probes on itself
        elf = elves.setdefault(path, Elf(path))
        va = elf.vaddr(off)
        name, delta = elf.symbol(va)
        s = by_func.setdefault((path, name), {"name": name, "path": path, "lib": os.path.basename(path)})
        text = elf.insn(va)
        if kind == "uprobe_multi":
            s.update(prog=prog, entry_delta=delta, entry_insn=text, entry_class=insn_class(text))
        else:
            s.update(ret_prog=prog, ret_delta=delta, ret_insn=text, ret_class=insn_class(text))
    sites = list(by_func.values())
    for s in sites:
        # A return probe needs a breakpoint of its own where it sits (the function's first
        # instruction): a second trap on every call when the entry probe sits elsewhere.
        s["split"] = "ret_delta" in s and "entry_delta" in s and s["ret_delta"] != s["entry_delta"]
    order = {"libpython": 0}
    sites.sort(key=lambda s: (order.get(s["lib"][:9], 1), s.get("prog", ""), s["name"]))
    return sites


def fmt_site(delta, insn, cls):
    return f"+{delta:#x} `{insn}` ({cls})"


def sites_table(sites, lines):
    lines.append("| function | object | program | entry probe at | return probe at | breakpoints per call |")
    lines.append("|---|---|---|---|---|---|")
    for s in sites:
        entry = fmt_site(s["entry_delta"], s["entry_insn"], s["entry_class"]) if "entry_delta" in s else "-"
        ret = fmt_site(s["ret_delta"], s["ret_insn"], s["ret_class"]) if "ret_delta" in s else "-"
        bps = 2 if s["split"] else 1
        note = " (entry and return apart)" if s["split"] else ""
        prog = s.get("prog", "-") + (" + " + s["ret_prog"] if "ret_prog" in s else "")
        lines.append(f"| {s['name']} | {s['lib']} | {prog} | {entry} | {ret} | {bps}{note} |")


# ---- bpftrace script for the workload ---------------------------------------------------------


def bpftrace_script(sites):
    """uprobe (+ uretprobe) on each function attrprof probes, at its start, by name."""
    out = []
    for i, s in enumerate(sites):
        if "entry_delta" not in s:
            continue
        probe = f"{s['path']}:{s['name']}"
        if "ret_delta" in s:
            out.append(f"uprobe:{probe} /pid == cpid/ {{ @n[\"{s['name']}\"] = count(); @s{i}[tid] = nsecs; }}")
            out.append(
                f"uretprobe:{probe} /pid == cpid && @s{i}[tid]/ "
                f"{{ @lat[\"{s['name']}\"] = hist(nsecs - @s{i}[tid]); delete(@s{i}[tid]); }}"
            )
        else:
            out.append(f"uprobe:{probe} /pid == cpid/ {{ @n[\"{s['name']}\"] = count(); }}")
    return "\n".join(out) + "\n"


# ---- profiles --------------------------------------------------------------------------------

# (kind, op) of a profile attribute -> the CPython functions that can have counted it. attrprof
# reports a member descriptor of a C type (e.g. AttributeError.name) as kind "getset", so a
# getset attribute comes from getset_* or member_*.
FUNCS_OF = {
    ("descriptor", "get"): ["slot_tp_descr_get"],
    ("descriptor", "set"): ["slot_tp_descr_set"],
    ("descriptor", "delete"): ["slot_tp_descr_set"],
    ("cached_property", "get"): ["slot_tp_descr_get"],
    ("property", "get"): ["property_descr_get"],
    ("property", "set"): ["property_descr_set"],
    ("property", "delete"): ["property_descr_set"],
    ("slot", "get"): ["member_get"],
    ("slot", "set"): ["member_set", "PyMember_SetOne"],
    ("slot", "delete"): ["member_set", "PyMember_SetOne"],
    ("getset", "get"): ["getset_get", "member_get"],
    ("getset", "set"): ["getset_set", "member_set", "PyMember_SetOne"],
    ("getset", "delete"): ["getset_set", "member_set", "PyMember_SetOne"],
    ("getattr_hook", "get"): ["slot_tp_getattr_hook"],
    ("getattribute", "get"): ["slot_tp_getattro"],
    ("alloc", "new"): ["PyType_GenericAlloc"],
}


def attr_counts(profile_path):
    """{(owner, name, kind, op): count} of a profile; instances as (class, "", "alloc", "new")."""
    p = json.load(open(profile_path))
    c = defaultdict(int)
    for a in p.get("attributes", []):
        c[(a["owner"], a["name"], a["kind"], a["op"])] += a["count"]
    for k in p.get("classes", []):
        c[(k["owner"], "", "alloc", "new")] += k.get("allocs", 0)
    return c


def attr_label(key):
    owner, name, kind, op = key
    return f"{owner} instance" if kind == "alloc" else f"{owner}.{name} {kind}/{op}"


def func_counts(profile_path):
    """Calls per CPython function in a profile, by the first candidate of each attribute."""
    c = defaultdict(int)
    for (owner, name, kind, op), n in attr_counts(profile_path).items():
        c[FUNCS_OF.get((kind, op), [f"{kind}/{op}"])[0]] += n
    return c


def site_for(sites, func):
    for s in sites:
        if s["name"] == func or s["name"] == "_Py_" + func:
            return s
    return None


def sites_for(sites, kind, op):
    """The probed sites that can have counted an attribute of kind/op."""
    return [s for f in FUNCS_OF.get((kind, op), []) for s in [site_for(sites, f)] if s is not None]


def read_runs(path):
    before, after = defaultdict(int), defaultdict(int)
    for line in open(path):
        f = line.split()
        if len(f) == 5 and f[2] == "kprobe":
            (before if f[0] == "before" else after)[f[1]] += int(f[3])
    return {k: after[k] - before[k] for k in set(before) | set(after)}


# ---- statistics ------------------------------------------------------------------------------


def med(v):
    return statistics.median(v) if v else None


def summary(v, fmt="{:.1f}"):
    if not v:
        return "-"
    return f"{fmt.format(med(v))} [{fmt.format(min(v))}-{fmt.format(max(v))}]"


def num(x, fmt="{:.1f}"):
    return "-" if x is None else fmt.format(x)


def sub(a, b):
    return None if a is None or b is None else a - b


# ---- the report ------------------------------------------------------------------------------


def read_versions(d):
    out = []
    for line in open(os.path.join(d, "versions.txt")):
        f = line.split()
        if len(f) == 3:
            out.append(tuple(f))
    return out


def probe_hits(profile_path):
    """The target's probe hits by kind, as attrprof counted them (the profile's overhead.traps)."""
    traps = json.load(open(profile_path)).get("overhead", {}).get("traps", {})
    return {k: traps.get(k, 0) for k in ("entry_emulated", "entry_single_step", "return")}


def traps_section(d, ver, lines, kinds_meta):
    conf = dict(line.split() for line in open(os.path.join(d, "traps.conf")))
    n, warm = int(conf["n"]), int(conf["warmup"])
    sites = read_sites(os.path.join(d, f"links-{ver}.txt"))
    base_path = os.path.join(d, f"traps-{ver}-baseline.json")
    base, base_hits = attr_counts(base_path), probe_hits(base_path)
    lines.append(f"#### CPython {ver}: probe hits per access")
    lines.append("")
    lines.append(
        "Hits are the target's, as attrprof itself counts them (the profile's `overhead.traps`, less "
        "a run with no access), over the warm-up and timed accesses; a uprobe session's program runs "
        "at the entry and, when the call is timed, at the return."
    )
    lines.append("")
    lines.append(
        "| kind | what | profile attributes per access (owner.name kind/op) | entry hits | return hits | "
        "traps | single-stepped | BPF program runs per access (bpf_stats) |"
    )
    lines.append("|---|---|---|---|---|---|---|---|")
    result = {}
    for name, what, _ in kinds_meta:
        pf = os.path.join(d, f"traps-{ver}-{name}.json")
        rf = os.path.join(d, f"traps-{ver}-{name}.runs")
        if not (os.path.exists(pf) and os.path.exists(rf)):
            lines.append(f"| {name} | {what} | not measured | | | | | |")
            continue
        per = {}
        for key, c in attr_counts(pf).items():
            v = (c - base.get(key, 0)) / (n + warm)
            if v >= 0.005:
                per[key] = v
        hits = {k: max(v - base_hits[k], 0) / (n + warm) for k, v in probe_hits(pf).items()}
        entry = hits["entry_emulated"] + hits["entry_single_step"]
        ret = hits["return"]
        sstep = hits["entry_single_step"]
        runs = read_runs(rf)
        attrs = ", ".join(f"{attr_label(k)} {v:.2f}" for k, v in sorted(per.items(), key=lambda x: (-x[1], x[0]))) or "none"
        progs = ", ".join(f"{p} {runs[p] / n:.2f}" for p in sorted(runs) if runs[p] / n >= 0.005) or "none"
        traps = entry + ret
        result[name] = (traps, sstep)
        lines.append(
            f"| {name} | {what} | {attrs} | {entry:.2f} | {ret:.2f} | **{traps:.2f}** | {sstep:.2f} | {progs} |"
        )
    lines.append("")
    return sites, result


def kinds_section(d, lines, versions, kinds_meta, traps):
    rows = defaultdict(list)
    path = os.path.join(d, "kinds.tsv")
    if not os.path.exists(path):
        return
    for line in open(path):
        f = line.split()
        if len(f) == 4:
            rows[(f[0], f[2])].append(float(f[3]))
    configs = sorted({c for c, _ in rows})
    for ver, _, _ in versions:
        tag = "py" + "".join(ver.split(".")[:2])
        if f"{tag}_untraced" not in configs:
            continue
        has_perf = f"{tag}_perf" in configs
        lines.append(f"#### CPython {ver}: ns per access")
        lines.append("")
        base_label = "untraced + PYTHONPERFSUPPORT=1" if has_perf else "untraced"
        head = "| kind | untraced |"
        if has_perf:
            head += " PYTHONPERFSUPPORT=1 | trampoline adds |"
        head += " attrprof record | probe cost (vs " + base_label + ") | record --count-only | probe cost (vs " + base_label + ") | traps (timed) | ns per trap |"
        lines.append(head)
        lines.append("|" + "---|" * (head.count("|") - 1))
        tr = traps.get(ver, {})
        for name, _, _ in kinds_meta:
            u = rows.get((f"{tag}_untraced", name), [])
            p = rows.get((f"{tag}_perf", name), [])
            r = rows.get((f"{tag}_record", name), [])
            c = rows.get((f"{tag}_count", name), [])
            b = med(p) if has_perf else med(u)
            row = f"| {name} | {summary(u)} |"
            if has_perf:
                row += f" {summary(p)} | {num(sub(med(p), med(u)))} |"
            pc = sub(med(r), b)
            t = tr.get(name, (None, None))[0]
            per_trap = pc / t if pc is not None and t and t >= 0.5 else None
            row += f" {summary(r)} | **{num(pc)}** | {summary(c)} | {num(sub(med(c), b))} | {num(t, '{:.2f}')} | {num(per_trap, '{:.0f}')} |"
            lines.append(row)
        lines.append("")


WORKLOAD_LABEL = {
    "untraced": "untraced",
    "perf": "untraced, PYTHONPERFSUPPORT=1 (the trampoline alone)",
    "record": "attrprof record (timed; sets PYTHONPERFSUPPORT=1)",
    "count": "attrprof record --count-only",
    "cprofile": "python -m cProfile -o /dev/null",
    "bpftrace": "bpftrace: uprobe + uretprobe count and hist() on the same functions",
}


def workload_section(d, lines):
    path = os.path.join(d, "workload.tsv")
    if not os.path.exists(path):
        return
    el = defaultdict(list)
    sums, calls = set(), set()
    for line in open(path):
        f = line.split()
        if len(f) == 5:
            el[f[0]].append(int(f[2]) / 1e6)
            sums.add(f[3])
            calls.add(f[4])
    u = med(el.get("untraced"))
    p = med(el.get("perf"))
    ncalls = int(next(iter(calls))) if len(calls) == 1 else None
    lines.append("| configuration | main loop, ms | x untraced | x PYTHONPERFSUPPORT=1 | ns added per probed call |")
    lines.append("|---|---|---|---|---|")
    for c in ("untraced", "perf", "record", "count", "cprofile", "bpftrace"):
        if c not in el:
            continue
        m = med(el[c])
        r1 = f"{m / u:.2f}x" if u else "-"
        r2 = f"{m / p:.2f}x" if p and c not in ("untraced",) else "-"
        base = p if c in ("record", "count", "bpftrace") and p else u
        added = (m - base) * 1e6 / ncalls if ncalls and c in ("record", "count", "bpftrace") else None
        lines.append(f"| {WORKLOAD_LABEL[c]} | {summary(el[c])} | {r1} | {r2} | {num(added, '{:.0f}')} |")
    lines.append("")
    if len(sums) != 1:
        lines.append(f"**The checksum differed between runs: {sorted(sums)}.**")
        lines.append("")
    prof = os.path.join(d, "workload-profile.json")
    if os.path.exists(prof) and ncalls:
        c = func_counts(prof)
        total = sum(c.values())
        lines.append(
            f"The loop makes {ncalls} calls of probed functions by its own count; a record run's "
            f"profile counted {total} in the whole process ("
            + ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda x: -x[1])[:6])
            + ")."
        )
        lines.append("")


def report(d):
    lines = []
    versions = read_versions(d)
    kinds_meta = py_kinds.KINDS
    traps = {}
    for ver, py, lib in versions:
        if not os.path.exists(os.path.join(d, f"links-{ver}.txt")):
            continue
        lines.append(f"#### CPython {ver}: where attrprof's probes sit (read back from its links)")
        lines.append("")
        sites = read_sites(os.path.join(d, f"links-{ver}.txt"))
        sites_table(sites, lines)
        lines.append("")
        _, traps[ver] = traps_section(d, ver, lines, kinds_meta)
    kinds_section(d, lines, versions, kinds_meta, traps)
    if os.path.exists(os.path.join(d, "workload.tsv")):
        lines.append("#### Workload (bench/py_workload.py)")
        lines.append("")
        workload_section(d, lines)
    print("\n".join(lines))


def main(argv):
    if len(argv) == 2 and argv[0] == "sites":
        lines = []
        sites_table(read_sites(argv[1]), lines)
        print("\n".join(lines))
        return 0
    if len(argv) == 2 and argv[0] == "bpftrace":
        sys.stdout.write(bpftrace_script(read_sites(argv[1])))
        return 0
    if len(argv) == 2 and argv[0] == "report":
        report(argv[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
