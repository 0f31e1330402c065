"""A request-loop workload for `make bench` (see BENCH.md): an order-pricing handler.

    python py_request.py [-n REQUESTS] [-w WARMUP]

Each request is a small JSON body (a user id and two order lines). The handler
parses it with json.loads, looks the user and the products up in start-up
caches, reads 17 attributes of those model objects through custom data
descriptors (Field, and TaxRate, a cached lookup of a rate table) and
properties, and answers with json.dumps of a response dict: about 15 us per
request on CPython 3.11 here. WARMUP requests (default 2,000) run first,
then REQUESTS (default 20,000) timed ones. Prints one line:

    requests N req_per_s R elapsed_ns T checksum C desc_gets D prop_gets P
    loop_desc_gets LD loop_prop_gets LP pid PID

T is the main loop's time only (time.perf_counter_ns()), R = N / T. C must
be the same under every tracer. D and P count every call of a descriptor
__get__ and of a property getter of this file over the whole process (what a
profile of the whole run should count; the models are built with no get),
LD and LP the main loop's share: each __get__ and getter increments a
module-level counter first thing, which costs ~25 ns, about a fifth of a
Field get (3.11 here). PID is the process ID (under PYTHONPERFSUPPORT=1 the perf
trampoline leaves /tmp/perf-PID.map behind).
"""

import json
import os
import sys
import time

DESC_GETS = 0
PROP_GETS = 0


class Field:
    """A validating data descriptor: stores the value under "_" + its name."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        global DESC_GETS
        DESC_GETS += 1
        if obj is None:
            return self
        # getattr() of a plain attribute calls no probed function (PyObject_GetAttr
        # finds it in the instance dict): only this __get__ is seen.
        return getattr(obj, self.slot)

    def __set__(self, obj, value):
        setattr(obj, self.slot, self.check(value))

    def check(self, value):
        return value


class IntField(Field):
    def check(self, value):
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{self.slot[1:]}: {value!r} is not a count")
        return value


class StrField(Field):
    def check(self, value):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{self.slot[1:]}: empty")
        return value


# VAT by country, in basis points: the table TaxRate looks rates up in.
RATES = {"DE": 1900, "FR": 2000, "NL": 2100, "IT": 2200, "ES": 2100, "SE": 2500}


class TaxRate:
    """A read-only data descriptor: the owner's country's rate, from RATES."""

    def __get__(self, obj, objtype=None):
        global DESC_GETS
        DESC_GETS += 1
        if obj is None:
            return self
        return RATES[obj.country]

    def __set__(self, obj, value):
        raise AttributeError("tax_rate is read-only")


class User:
    id = IntField()
    name = StrField()
    email = StrField()
    country = StrField()
    tier = IntField()
    tax_rate = TaxRate()

    def __init__(self, uid, name, email, country, tier):
        self.id = uid
        self.name = name
        self.email = email
        self.country = country
        self.tier = tier

    @property
    def display_name(self):
        global PROP_GETS
        PROP_GETS += 1
        return self.name.title()


class Product:
    sku = StrField()
    price_cents = IntField()
    stock = IntField()

    def __init__(self, sku, price_cents, stock):
        self.sku = sku
        self.price_cents = price_cents
        self.stock = stock

    @property
    def in_stock(self):
        global PROP_GETS
        PROP_GETS += 1
        return self.stock > 0

    @property
    def price(self):
        global PROP_GETS
        PROP_GETS += 1
        return self.price_cents


COUNTRIES = sorted(RATES)
USERS = {
    i: User(i, f"user number {i}", f"user{i}@example.com", COUNTRIES[i % len(COUNTRIES)], i % 3)
    for i in range(50)
}
PRODUCTS = {f"SKU-{i:04d}": Product(f"SKU-{i:04d}", 199 + (i * 7919) % 50_000, i % 11) for i in range(100)}


def bodies(n):
    """n distinct request bodies, as a client would send them."""
    out = []
    for i in range(n):
        items = [{"sku": f"SKU-{(i * 13 + k * 29) % 100:04d}", "qty": 1 + (i + k) % 4} for k in range(2)]
        out.append(json.dumps({"user": i % 50, "items": items, "coupon": None if i % 5 else "SPRING"}))
    return out


def handle(body):
    """One request: 17 descriptor and property reads (12 __get__, 5 getters)."""
    req = json.loads(body)
    user = USERS[req["user"]]
    lines = []
    subtotal = 0
    for item in req["items"]:
        p = PRODUCTS[item["sku"]]
        qty = item["qty"]
        # in_stock: a getter and stock's __get__; price: a getter and price_cents's __get__.
        if not p.in_stock:
            lines.append([p.sku, 0, 0])
            continue
        amount = p.price * qty
        subtotal += amount
        lines.append([p.sku, qty, amount])
    if user.tier > 0 and req["coupon"]:
        subtotal -= subtotal // 10
    # tax_rate: its __get__ and country's; display_name: a getter and name's __get__.
    tax = subtotal * user.tax_rate // 10_000
    resp = {
        "user": user.id,
        "name": user.display_name,
        "email": user.email,
        "lines": lines,
        "subtotal": subtotal,
        "tax": tax,
        "total": subtotal + tax,
    }
    return json.dumps(resp)


def main(argv):
    n, warmup = 20_000, 2_000
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-n" and args:
            n = int(args.pop(0))
        elif a == "-w" and args:
            warmup = int(args.pop(0))
        else:
            print("usage: py_request.py [-n REQUESTS] [-w WARMUP]", file=sys.stderr)
            return 64
    reqs = bodies(64)
    checksum = 0
    for i in range(warmup):
        handle(reqs[i % len(reqs)])

    d0, p0 = DESC_GETS, PROP_GETS
    t0 = time.perf_counter_ns()
    for i in range(n):
        out = handle(reqs[i % len(reqs)])
        checksum = (checksum * 31 + len(out)) % 1_000_000_007
    t1 = time.perf_counter_ns()
    d1, p1 = DESC_GETS, PROP_GETS

    print(
        f"requests {n} req_per_s {n * 1e9 / (t1 - t0):.1f} elapsed_ns {t1 - t0} checksum {checksum} "
        f"desc_gets {DESC_GETS} prop_gets {PROP_GETS} "
        f"loop_desc_gets {d1 - d0} loop_prop_gets {p1 - p0} pid {os.getpid()}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
