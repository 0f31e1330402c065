"""Workloads that each reproduce one situation attrprof should recommend a fix
for, and one that should get no recommendation at all.

    python py_advice.py SCENARIO

cache       a computed property read far more often than its inputs change
hoist       an expensive per-access transform read again and again on one instance
coalesce    a __get__ that waits on "the network", hit by several threads at once
defer       a validating __set__ that compiles and runs a regex on every write
slots       many small instances that each carry a __dict__
errors      writes to a read-only property
quiet       cheap accesses only: nothing worth a recommendation

Each prints one line, "SCENARIO RESULT", the same on every run.
"""
import hashlib
import re
import sys
import threading
import time


class Invoice:
    """cache: total is recomputed from the lines on every read."""

    def __init__(self, lines):
        self.lines = lines

    @property
    def total(self):
        return sum(price * qty for price, qty in self.lines)


def cache():
    invoices = [Invoice([(i % 17 + 0.5, j % 5 + 1) for j in range(200)]) for i in range(200)]
    grand = 0.0
    for _ in range(30):
        for inv in invoices:
            grand += inv.total
    return grand


class Secret:
    """hoist: every read 'decrypts' the stored value."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        # Rounds of a small hash, tens of microseconds in all: hashlib releases the GIL
        # only for inputs over 2 KiB, which would bring lock probes into every read.
        digest = getattr(obj, self.slot)
        for _ in range(40):
            digest = hashlib.sha256(digest).digest()
        return digest.hex()

    def __set__(self, obj, value):
        setattr(obj, self.slot, value)


class Vault:
    api_key = Secret()


def hoist():
    vault = Vault()
    vault.api_key = b"s3cr3t" * 50
    used = 0
    for i in range(6000):
        used += len(vault.api_key) + i
    return used


class Remote:
    """coalesce: each read fetches over 'the network'."""

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        time.sleep(0.002)
        return {"rate": 1.1}


class Pricing:
    rates = Remote()


def coalesce():
    pricing = Pricing()
    reads = []

    def worker():
        for _ in range(150):
            reads.append(pricing.rates["rate"])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(reads), sum(reads)


class Pattern:
    """defer: every write compiles and matches a pattern."""

    def __init__(self, pattern):
        self.pattern = pattern

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        return self if obj is None else getattr(obj, self.slot)

    def __set__(self, obj, value):
        re.purge()  # as if the pattern were built per call: nothing stays compiled
        if not re.fullmatch(self.pattern, value):
            raise ValueError(value)
        # The check's own work in C (~90 us, no probe inside it): the write's cost then
        # stays several times what the probes resolve, with the ~22 accesses of re's
        # Python code nested in it, on a loaded machine too.
        hashlib.pbkdf2_hmac("sha256", value.encode(), b"signup", 300)
        setattr(obj, self.slot, value)


class Signup:
    email = Pattern(r"[a-z0-9.]+@[a-z0-9.]+\.[a-z]{2,}")
    phone = Pattern(r"\+?[0-9 ]{7,20}")
    zipcode = Pattern(r"[0-9]{5}")


def defer():
    for i in range(1000):
        form = Signup()
        form.email = f"user{i}@example.com"
        form.phone = "+33 1 23 45 67 89"
        form.zipcode = "75001"
    return i + 1


class Sample:
    """slots: many small objects, each with a __dict__."""

    def __init__(self, t, v):
        self.t = t
        self.v = v


def slots():
    samples = [Sample(i, i * 0.5) for i in range(60000)]
    return len(samples), sum(s.v for s in samples)


class Config:
    @property
    def version(self):
        return 3


def errors():
    config = Config()
    refused = 0
    for _ in range(500):
        try:
            config.version = 4
        except AttributeError:
            refused += 1
    return refused, config.version


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    @property
    def norm1(self):
        return abs(self.x) + abs(self.y)


def quiet():
    points = [Point(i, -i) for i in range(300)]
    return sum(p.norm1 for p in points)


SCENARIOS = {f.__name__: f for f in (cache, hoist, coalesce, defer, slots, errors, quiet)}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    # The result, always the same: a traced run must print exactly what an untraced one does.
    print(sys.argv[1], SCENARIOS[sys.argv[1]]())
