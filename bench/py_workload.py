"""A descriptor-heavy workload for `make bench` (see BENCH.md): form validation.

    python py_workload.py [-n FORMS] [-p PASSES]

FORMS order forms (default 4000) are built from deterministic rows; every
field goes through a validating data descriptor (__set__), about 5% of the
rows fail validation. Then PASSES (default 10) passes over the valid forms
update a quantity (descriptor get + set), read a computed property (which
reads two fields) and a cached_property (computed once per form, a hit
afterwards). Prints one line:

    forms F rejected R checksum C probed_calls D elapsed_ns T pid P

T is the main loop's time only (time.perf_counter_ns()), without start-up,
imports or teardown. C must be the same under every tracer. D is how many
calls of the CPython functions attrprof probes the loop makes when property
loads are not specialized (3.11, or 3.12+ under a frame evaluator): field
gets and sets, property gets, cached_property misses, instances; a count
from the loop's structure, which the bench checks against a profile. P is the
process ID (the perf trampoline leaves /tmp/perf-P.map behind).
"""

import os
import sys
import time
from functools import cached_property


class Field:
    """A validating data descriptor: stores the value under _name."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.slot)

    def __set__(self, obj, value):
        setattr(obj, self.slot, self.validate(value))

    def validate(self, value):
        return value


class IntField(Field):
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def validate(self, value):
        if not isinstance(value, int) or not self.lo <= value <= self.hi:
            raise ValueError(f"{self.slot[1:]}: {value!r} not in [{self.lo}, {self.hi}]")
        return value


class StrField(Field):
    def __init__(self, maxlen):
        self.maxlen = maxlen

    def validate(self, value):
        if not isinstance(value, str) or not 0 < len(value) <= self.maxlen:
            raise ValueError(f"{self.slot[1:]}: bad length")
        return value


class OrderForm:
    name = StrField(24)
    email = StrField(40)
    qty = IntField(0, 999)
    price = IntField(1, 100_000)

    def __init__(self, name, email, qty, price):
        self.name = name
        self.email = email
        self.qty = qty
        self.price = price

    @property
    def total(self):
        return self.qty * self.price

    @cached_property
    def label(self):
        return f"{self.name} <{self.email}>"


def rows(n):
    for i in range(n):
        # Every 20th row has a quantity out of range.
        qty = 1000 + i if i % 20 == 7 else (i * 37) % 1000
        yield (f"item-{i}", f"buyer{i % 97}@example.com", qty, 1 + (i * 7919) % 100_000)


def main(argv):
    n, passes = 4000, 10
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-n":
            n = int(args.pop(0))
        elif a == "-p":
            passes = int(args.pop(0))
        else:
            print("usage: py_workload.py [-n FORMS] [-p PASSES]", file=sys.stderr)
            return 64
    data = list(rows(n))

    t0 = time.perf_counter_ns()
    forms, rejected = [], 0
    for row in data:
        try:
            forms.append(OrderForm(*row))
        except ValueError:
            rejected += 1
    checksum = 0
    for p in range(passes):
        for f in forms:
            f.qty = (f.qty + p) % 1000
            checksum = (checksum + f.total + len(f.label)) % 1_000_000_007
    t1 = time.perf_counter_ns()

    # Building: an instance (PyType_GenericAlloc) and 4 field sets per valid row, 3 sets
    # (the third raises) and the exception for a rejected one. Per form and pass: qty get and
    # set, total (a property get and 2 field gets). label misses once per form: the
    # cached_property get, its instance.__dict__ (getset_get) and 2 field gets.
    built = len(forms) * 5 + rejected * 5
    loop = passes * len(forms) * 5 + len(forms) * 4
    print(
        f"forms {len(forms)} rejected {rejected} checksum {checksum} "
        f"probed_calls {built + loop} elapsed_ns {t1 - t0} pid {os.getpid()}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
