"""Many classes and attributes, for the bounds tests (--max-attrs, --max-classes).

    python py_bounds.py [--classes N] [--attrs M] [--once 1]
        prints "ready", then reads commands on stdin (with --once 1: runs once):
        run     for each class C0..C(N-1) in turn: create c + 1 instances of Cc,
                then read each of its M descriptors f0..f(M-1) 10 + 3c + a times;
                prints "allocs Cc n" and "count Cc fa n" lines, then "done"
        quit    exit

Everything the run touches is made before it: the classes, their
descriptors, the output buffer. So the run's first sights, in order, are
C0's instances, C0.f0, C0.f1, ..., C1's instances, C1.f0, ...; and nothing
else the interpreter does in between allocates an instance of a Python
class or calls a descriptor.
"""
import os
import sys


class Field:
    """A data descriptor whose __get__ is Python code: seen on every version."""

    def __init__(self, index):
        self.index = index

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        hits[self.index] += 1
        return self.index

    def __set__(self, obj, value):
        raise AttributeError("read-only")


def parse(argv):
    opts = {"--classes": 4, "--attrs": 3, "--once": 0}
    for flag, value in zip(argv[1::2], argv[2::2]):
        opts[flag] = int(value)
    return opts["--classes"], opts["--attrs"], opts["--once"]


nclasses, nattrs, once = parse(sys.argv)
hits = [0] * (nclasses * nattrs)
classes = [
    type("C%d" % c, (), {"f%d" % a: Field(c * nattrs + a) for a in range(nattrs)})
    for c in range(nclasses)
]
names = ["f%d" % a for a in range(nattrs)]


def run():
    made = [0] * nclasses
    for c, cls in enumerate(classes):
        objs = [cls() for _ in range(c + 1)]
        made[c] = len(objs)
        obj = objs[0]
        for a in range(nattrs):
            # getattr() on a constant name: the same descriptor call as obj.fa.
            name = names[a]
            for _ in range(10 + 3 * c + a):
                getattr(obj, name)
    lines = []
    for c in range(nclasses):
        lines.append("allocs C%d %d" % (c, made[c]))
        for a in range(nattrs):
            lines.append("count C%d f%d %d" % (c, a, hits[c * nattrs + a]))
            hits[c * nattrs + a] = 0
    lines.append("done")
    return "\n".join(lines)


def say(text):
    # os.write and os.read, not print and sys.stdin: the io objects call
    # getset descriptors (FileIO.closed) that would count as attributes too.
    os.write(1, (text + "\n").encode())


def commands():
    pending = b""
    while True:
        chunk = os.read(0, 256)
        if not chunk:
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            yield line.strip().decode()


say("ready")
for command in ["run"] if once else commands():
    if command == "run":
        say(run())
    elif command == "quit":
        break
