"""A Python target that forks: the parent and a forked child (same program, no
exec) each read a data descriptor a known number of times.

    python py_fork.py [--parent N] [--child N]

Prints "parent Box value descriptor get N" and "child Box value descriptor get N"
(the child's first: the parent waits for it). No addresses, PIDs or timings.
"""
import os
import sys


class Value:
    def __get__(self, obj, objtype=None):
        return 1 if obj is not None else self

    def __set__(self, obj, value):
        pass


class Box:
    value = Value()


def read(n):
    box, total = Box(), 0
    for _ in range(n):
        total += box.value
    return total


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    parent_n, child_n = int(args.get("--parent", 300)), int(args.get("--child", 500))
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        print(f"child Box value descriptor get {read(child_n)}", flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print(f"parent Box value descriptor get {read(parent_n)}", flush=True)
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
