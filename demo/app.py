"""The Python demo workload: a toy order service whose models hide their cost
in attribute access.

    Order.email     a validating descriptor: a regex on every write
    Order.total     a computed property: recomputed on every read
    Order.summary   a cached_property: computed once per order
    Catalog.rates   a thread-safe descriptor: every read takes one lock
"""
import re
import threading
import time
from functools import cached_property

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


class Email:
    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        return self if obj is None else getattr(obj, self.slot)

    def __set__(self, obj, value):
        if not EMAIL.match(value):
            raise ValueError(value)
        setattr(obj, self.slot, value)


class Order:
    email = Email()

    def __init__(self, items):
        self.items = items

    @property
    def total(self):
        return sum(price * qty for price, qty in self.items)

    @cached_property
    def summary(self):
        return f"{len(self.items)} items, {self.total:.2f}"


class RatesDescriptor:
    lock = threading.Lock()

    def __get__(self, obj, objtype=None):
        with RatesDescriptor.lock:
            time.sleep(0.0005)  # a lookup in a shared cache, under its lock
            return {"EUR": 0.92}


class Catalog:
    rates = RatesDescriptor()


def serve(orders, catalog):
    for order in orders:
        for _ in range(20):
            if order.total > 1000:
                break
        order.summary
        catalog.rates


def main():
    orders = [Order([(1.5 + i % 7, 1 + i % 3)] * 10) for i in range(2000)]
    for i, order in enumerate(orders):
        try:
            order.email = f"user{i}@example.com" if i % 50 else "not an address"
        except ValueError:
            pass
    catalog = Catalog()
    workers = [threading.Thread(target=serve, args=(orders[i::4], catalog)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(f"served {len(orders)} orders")


if __name__ == "__main__":
    main()
