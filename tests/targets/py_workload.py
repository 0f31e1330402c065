"""A Python workload that touches every kind of attribute attrprof profiles,
a known number of times, and prints what it did so the tests can compare.

    python py_workload.py [--rounds N] [--threads N]   run, print the counts, exit
    python py_workload.py --control [...]              read commands on stdin:
        run     one round of everything; prints the counts of that round, then "done"
        quit    exit

Each line is "<what> <owner> <name> <kind> <op> <n>"; what is "count" (accesses),
"errors" (accesses that raised) or "allocs" (instances created; name, kind and op are "-").
The output has no addresses or timings: traced and untraced runs print the same.
"""
import sys
import threading
import time
from collections import Counter
from functools import cached_property

counts = Counter()

# Enough repetitions of each access that the adaptive interpreter (3.11+)
# specializes everything it can long before a round ends.
N = 400


class Validated:
    """A data descriptor that validates on every write (a regex would do the same)."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        counts["count Form email descriptor get"] += 1
        return getattr(obj, self.slot, "")

    def __set__(self, obj, value):
        counts["count Form email descriptor set"] += 1
        if "@" not in value:
            counts["errors Form email descriptor set"] += 1
            raise ValueError("not an address")
        setattr(obj, self.slot, value)

    def __delete__(self, obj):
        counts["count Form email descriptor delete"] += 1
        setattr(obj, self.slot, "")


class Form:
    email = Validated()


class Account:
    def __init__(self):
        self._balance = 0

    @property
    def balance(self):
        counts["count Account balance property get"] += 1
        return self._balance

    @balance.setter
    def balance(self, value):
        counts["count Account balance property set"] += 1
        self._balance = value

    @balance.deleter
    def balance(self):
        counts["count Account balance property delete"] += 1
        self._balance = 0


class Report:
    def __init__(self, n):
        self.n = n

    @cached_property
    def total(self):
        counts["count Report total cached_property get"] += 1
        return sum(range(self.n))


class Slotted:
    __slots__ = ("x", "y")


class Lazy:
    def __init__(self):
        self.real = 1  # found in the instance: reading it is no __getattr__ fallback

    def __getattr__(self, name):
        if name.startswith("virt_"):
            counts["count Lazy " + name + " getattr_hook get"] += 1
            return 42
        raise AttributeError(name)


class Audited:
    def __init__(self):
        self.value = 1

    def __getattribute__(self, name):
        counts["count Audited " + name + " getattribute get"] += 1
        return object.__getattribute__(self, name)


class Locked:
    """A thread-safe descriptor: every read takes one lock and waits on I/O holding it."""

    lock = threading.Lock()

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        with Locked.lock:
            counts["count Shared value descriptor get"] += 1
            # Sleeping releases the GIL while the lock is held: the other readers queue on it.
            time.sleep(0.0002)
            return 1


class Shared:
    value = Locked()


class Point:
    def __init__(self, x):
        self.x = x


class SlotPoint:
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x


def one_round(threads):
    form, account, slotted, lazy, audited = Form(), Account(), Slotted(), Lazy(), Audited()
    counts["allocs Form - - -"] += 1
    counts["allocs Account - - -"] += 1
    counts["allocs Slotted - - -"] += 1
    counts["allocs Lazy - - -"] += 1
    counts["allocs Audited - - -"] += 1
    for i in range(N):
        form.email = "a@b"
        _ = form.email
        try:
            form.email = "broken" if i % 10 == 0 else "x@y"
        except ValueError:
            pass
        del form.email
        account.balance = i
        _ = account.balance
        del account.balance
        setattr(slotted, "x", i)
        counts["count Slotted x slot set"] += 1
        _ = getattr(slotted, "x")
        counts["count Slotted x slot get"] += 1
        delattr(slotted, "x")
        counts["count Slotted x slot delete"] += 1
        _ = form.__dict__
        counts["count Form __dict__ getset get"] += 1
        _ = lazy.virt_a
        _ = lazy.real
        _ = audited.value
    for i in range(N // 4):
        _ = Report(i).total
        counts["allocs Report - - -"] += 1
    for i in range(N):
        Point(i)
        counts["allocs Point - - -"] += 1
    for i in range(N // 2):
        SlotPoint(i)
        counts["allocs SlotPoint - - -"] += 1

    shared = Shared()
    counts["allocs Shared - - -"] += 1

    def reader():
        for _ in range(N // 4):
            shared.value

    workers = [threading.Thread(target=reader) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def report(round_counts):
    for key in sorted(round_counts):
        if round_counts[key]:
            print(key, round_counts[key])
    sys.stdout.flush()


def main(argv):
    rounds, threads, control = 1, 4, False
    args = iter(argv)
    for arg in args:
        if arg == "--control":
            control = True
        elif arg == "--rounds":
            rounds = int(next(args))
        elif arg == "--threads":
            threads = int(next(args))
        else:
            print("usage: py_workload.py [--control] [--rounds N] [--threads N]", file=sys.stderr)
            return 64
    if not control:
        for _ in range(rounds):
            one_round(threads)
        report(counts)
        return 0
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "run":
            counts.clear()
            one_round(threads)
            report(counts)
            print("done", flush=True)
        elif line.strip() == "quit":
            break
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
