"""Figures scripts/bench reads back from attrprof's profiles and JSON reports.

    python3 profile_query.py gets PROFILE OWNER[,OWNER...]
        "descriptor D property P": summed counts of the get rows of kind
        descriptor and property whose owner is one of OWNERs
    python3 profile_query.py calls PROFILE NAME
        the summed count of the rows of kind function named NAME (a C call)
    python3 profile_query.py top REPORT
        "ACTION OWNER NAME" of the first recommendation of REPORT (the output of
        `attrprof report --format json`), or "none"
    python3 profile_query.py advice REPORT
        the first recommendation as one Markdown line: action, subject, estimate, how-to

Profiles are JSON with a list of attribute rows (owner, name, kind, op,
count), under "attributes" (profile schema 3) or "attrs". A row missing a
field counts as not matching. Exits 2 on a file that is not such JSON.
Runs on Python 3.9+, standard library only.
"""

import json
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"profile_query: {path}: {e}", file=sys.stderr)
        sys.exit(2)


def rows(profile, path):
    for key in ("attributes", "attrs"):
        if isinstance(profile.get(key), list):
            return profile[key]
    print(f"profile_query: {path}: no attributes list", file=sys.stderr)
    sys.exit(2)


def gets(path, owners):
    owners = set(owners.split(","))
    sums = {"descriptor": 0, "property": 0}
    for a in rows(load(path), path):
        if a.get("owner") in owners and a.get("op") == "get" and a.get("kind") in sums:
            sums[a["kind"]] += int(a.get("count", 0))
    return f"descriptor {sums['descriptor']} property {sums['property']}"


def calls(path, name):
    return str(sum(int(a.get("count", 0)) for a in rows(load(path), path) if a.get("kind") == "function" and a.get("name") == name))


def first_advice(path):
    recs = load(path).get("recommendations") or []
    return recs[0] if recs else None


def top(path):
    r = first_advice(path)
    if r is None:
        return "none"
    return f"{r.get('action') or '?'} {r.get('owner') or '-'} {r.get('name') or '-'}"


def advice(path):
    r = first_advice(path)
    if r is None:
        return "none"
    subject = ".".join(x for x in (r.get("owner"), r.get("name")) if x)
    return f"**{r.get('action')}** {subject}: {r.get('estimate', '')}. {r.get('how_to', '')}".replace("|", "\\|")


def main(argv):
    cmds = {"gets": (gets, 2), "calls": (calls, 2), "top": (top, 1), "advice": (advice, 1)}
    if not argv or argv[0] not in cmds or len(argv) - 1 != cmds[argv[0]][1]:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 64
    print(cmds[argv[0]][0](*argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
