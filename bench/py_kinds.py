"""Times N attribute accesses of each kind attrprof probes (see BENCH.md).

    python py_kinds.py [-n N] [-w WARMUP] [-k KIND,...] [--handshake] [--list]

For each kind: WARMUP accesses (so the interpreter has specialized what it
will), then N accesses timed with time.perf_counter_ns() around the loop
only. One line per kind on stdout:

    kind NAME ns ELAPSED_NS n N ns_per_access X

--handshake: before and after each timed loop, print "ready NAME" / "done
NAME ..." and wait for a line on stdin, so that a reader can snapshot probe
hit counters around exactly the N accesses.

Each kind uses classes and attribute names of its own, so that a profile
tells them apart. Deterministic: no randomness, and no I/O inside the loops
but io_read's, whose point it is.
"""

import functools
import os
import sys
import time

KINDS = []


def kind(name, what):
    def register(fn):
        KINDS.append((name, what, fn))
        return fn

    return register


# Each kind's function returns a loop function f(n) that does n accesses.


@kind("attr_plain", "o.x, a plain instance attribute (control: nothing probed)")
def _attr_plain():
    class KPlainAttr:
        def __init__(self):
            self.x = 1

    o = KPlainAttr()

    def loop(n):
        for _ in range(n):
            o.x

    return loop


@kind("call_py", "f(), a call of an empty Python function (control: the trampoline's cost)")
def _call_py():
    def kcall():
        pass

    def loop(n):
        f = kcall
        for _ in range(n):
            f()

    return loop


class _Desc:
    """A data descriptor written in Python: slot_tp_descr_get / _set."""

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return 1

    def __set__(self, obj, value):
        pass

    def __delete__(self, obj):
        pass


@kind("desc_get", "o.dg, custom __get__ (slot_tp_descr_get)")
def _desc_get():
    class KDescGet:
        dg = _Desc()

    o = KDescGet()

    def loop(n):
        for _ in range(n):
            o.dg

    return loop


@kind("desc_set", "o.ds = 1, custom __set__ (slot_tp_descr_set)")
def _desc_set():
    class KDescSet:
        ds = _Desc()

    o = KDescSet()

    def loop(n):
        for _ in range(n):
            o.ds = 1

    return loop


@kind("desc_del", "del o.dd, custom __delete__ (slot_tp_descr_set, value NULL)")
def _desc_del():
    class KDescDel:
        dd = _Desc()

    o = KDescDel()

    def loop(n):
        for _ in range(n):
            del o.dd

    return loop


@kind("prop_get", "o.pg, property getter (property_descr_get; 3.12+: only with a frame evaluator)")
def _prop_get():
    class KPropGet:
        def __init__(self):
            self._v = 1

        @property
        def pg(self):
            return self._v

    o = KPropGet()

    def loop(n):
        for _ in range(n):
            o.pg

    return loop


@kind("prop_set", "o.ps = 1, property setter (property_descr_set)")
def _prop_set():
    class KPropSet:
        def __init__(self):
            self._v = 1

        @property
        def ps(self):
            return self._v

        @ps.setter
        def ps(self, value):
            self._v = value

    o = KPropSet()

    def loop(n):
        for _ in range(n):
            o.ps = 1

    return loop


@kind("cached_miss", "o.cp after clearing o.__dict__, cached_property miss (slot_tp_descr_get + getset_get)")
def _cached_miss():
    class KCached:
        @functools.cached_property
        def cp(self):
            return 1

    o = KCached()
    d = o.__dict__  # fetched once: clearing it below probes nothing

    def loop(n):
        clear = d.clear
        for _ in range(n):
            o.cp
            clear()

    return loop


class _KSlots:
    __slots__ = ("sl",)

    def __init__(self):
        self.sl = 1


@kind("slots_getattr", "getattr(s, 'sl'), a __slots__ member by name (member_get)")
def _slots_getattr():
    s = _KSlots()

    def loop(n):
        g = getattr
        for _ in range(n):
            g(s, "sl")

    return loop


@kind("slots_setattr", "setattr(s, 'sl', 1), a __slots__ member by name (member_set)")
def _slots_setattr():
    s = _KSlots()

    def loop(n):
        st = setattr
        for _ in range(n):
            st(s, "sl", 1)

    return loop


@kind("getset_dict", "o.__dict__ (getset_get)")
def _getset_dict():
    class KGetSet:
        def __init__(self):
            self.x = 1

    o = KGetSet()

    def loop(n):
        for _ in range(n):
            o.__dict__

    return loop


@kind("getattr_hook", "o.missing, __getattr__ fallback (slot_tp_getattr_hook)")
def _getattr_hook():
    class KGetattrHook:
        def __getattr__(self, name):
            return 1

    o = KGetattrHook()

    def loop(n):
        for _ in range(n):
            o.missing

    return loop


@kind("getattribute", "o.x, __getattribute__ override (slot_tp_getattro; 3.12+: only with a frame evaluator)")
def _getattribute():
    class KGetattribute:
        def __init__(self):
            self.x = 1

        def __getattribute__(self, name):
            return object.__getattribute__(self, name)

    o = KGetattribute()

    def loop(n):
        for _ in range(n):
            o.x

    return loop


@kind("new_plain", "KNew(), creating an instance of a plain class (PyType_GenericAlloc)")
def _new_plain():
    class KNew:
        def __init__(self):
            self.x = 1

    def loop(n):
        cls = KNew
        for _ in range(n):
            cls()

    return loop


@kind("io_read", "os.read(fd, 1) from /dev/zero: releases and retakes the GIL (take_gil, libc mutexes; control: no attribute)")
def _io_read():
    fd = os.open("/dev/zero", os.O_RDONLY)

    def loop(n):
        r = os.read
        for _ in range(n):
            r(fd, 1)

    return loop


def main(argv):
    n, warmup, only, handshake = 50000, 2000, None, False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-n":
            n = int(args.pop(0))
        elif a == "-w":
            warmup = int(args.pop(0))
        elif a == "-k":
            only = args.pop(0).split(",")
        elif a == "--handshake":
            handshake = True
        elif a == "--list":
            for name, what, _ in KINDS:
                print(f"{name}\t{what}")
            return 0
        else:
            print("usage: py_kinds.py [-n N] [-w WARMUP] [-k KIND,...] [--handshake] [--list]", file=sys.stderr)
            return 64
    names = [k[0] for k in KINDS]
    for k in only or []:
        if k not in names:
            print(f"py_kinds.py: no kind {k!r} (have: {', '.join(names)})", file=sys.stderr)
            return 64
    clock = time.perf_counter_ns
    for name, _, make in KINDS:
        if only and name not in only:
            continue
        loop = make()
        loop(warmup)
        if handshake:
            print(f"ready {name}", flush=True)
            sys.stdin.readline()
        t0 = clock()
        loop(n)
        t1 = clock()
        line = f"kind {name} ns {t1 - t0} n {n} ns_per_access {(t1 - t0) / max(n, 1):.1f}"
        if handshake:
            print("done " + line, flush=True)
            sys.stdin.readline()
        else:
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
