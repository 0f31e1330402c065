"""A small deterministic workload and its variants, for the end-to-end CI gate
tests (tests/root/test_gate_e2e.c): each variant changes one thing.

    python py_gate.py VARIANT [SEED]

base     Order.price read PRICE_READS times, Order.label LABEL_READS times
more     Order.price read 20% more often: the gate must fail on its count
slow     Order.price's __get__ does 3x the work: the gate must fail on latency
noise    base, plus a varying amount of busy work outside any descriptor
         (SEED picks how much): the gate must pass

Prints what it did as "calls NAME N" lines, which the tests check the
profile's counts against. With GATE_MACHINE=1 in the environment it also
prints "machine_ns N": how long a fixed piece of work outside any descriptor
took in this run, so a test can tell the machine slowing down between two
recordings from the program changing (off by default: the line differs from
run to run, and the safety tests compare outputs byte for byte).
"""
import hashlib
import os
import sys
import time

PRICE_READS = 3000
LABEL_READS = 1000
# Rounds of a small hash per price read: about 10 microseconds, 20 times the probes' cost,
# yet short enough that few reads are preempted on a busy machine: a preempted read is
# among the slowest, and with 3000 reads a run it takes over 30 of them, one in a hundred,
# to move the p99. Inputs stay under 2 KiB, so hashlib keeps the GIL and no lock probe fires.
ROUNDS = 12
# The fixed work that times the machine itself: ~10 ms, the same in every variant.
MACHINE_UNITS = 100


class Priced:
    """A data descriptor whose __get__ costs `rounds` hash rounds."""

    def __init__(self, rounds):
        self.rounds = rounds

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        digest = str(obj.__dict__[self.slot]).encode()
        for _ in range(self.rounds):
            digest = hashlib.sha256(digest).digest()
        return obj.__dict__[self.slot]

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


class Labelled:
    """A cheap descriptor: its reads are many and fast."""

    def __get__(self, obj, objtype=None):
        return "order" if obj is not None else self


def make_order(rounds):
    class Order:
        price = Priced(rounds)
        label = Labelled()

        def __init__(self, price):
            self.price = price

    return Order


def busy(units):
    """Work outside any descriptor: plain arithmetic, no attribute access."""
    x = 0
    for i in range(units * 1000):
        x = (x * 31 + i) % 1000003
    return x


def main():
    variant = sys.argv[1] if len(sys.argv) > 1 else "base"
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if variant not in ("base", "more", "slow", "noise"):
        sys.exit("unknown variant %r: base, more, slow or noise" % variant)
    rounds = ROUNDS * 3 if variant == "slow" else ROUNDS
    reads = PRICE_READS * 6 // 5 if variant == "more" else PRICE_READS
    start = time.perf_counter_ns()
    busy(MACHINE_UNITS)
    machine_ns = time.perf_counter_ns() - start
    order = make_order(rounds)(12.5)
    total = 0.0
    for i in range(reads):
        total += order.price
        if variant == "noise" and i % 500 == 0:
            busy((seed * 7 + i) % 5 + 1)
    for _ in range(LABEL_READS):
        order.label
    print("calls price", reads)
    print("calls label", LABEL_READS)
    if os.environ.get("GATE_MACHINE") == "1":
        print("machine_ns", machine_ns)


if __name__ == "__main__":
    main()
