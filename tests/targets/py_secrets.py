"""A workload whose attribute values are secrets, fresh each run, for the test
that no profile or report ever holds a value (tests/root/test_secrets.c).

    python py_secrets.py SECRETS_FILE [--control]

Writes each secret's bytes, hex-encoded, one per line, to SECRETS_FILE (never
to stdout, which attrprof record shares), then, N times each: reads and
writes them through a data descriptor, a property, a cached_property, a
__slots__ member, an instance __dict__, a __getattr__ fallback and a
__getattribute__ override, keeping them in dicts and lists as well. Prints
"count OWNER NAME KIND OP N" lines for what it did. With --control it
prints "ready" and waits for "run" (then prints "done") and "quit".
"""
import os
import secrets
import sys
from functools import cached_property

N = 200


def fresh():
    text = "pw-" + secrets.token_urlsafe(24)
    token = secrets.token_hex(20)
    raw = secrets.token_bytes(24)
    number = secrets.randbits(62) | (1 << 61)
    return {
        "text": text.encode(),
        "token": token.encode(),
        "raw": raw,
        "number": str(number).encode(),
        "number_le": number.to_bytes(8, "little"),
    }, (text, token, raw, number)


class Sealed:
    """A data descriptor: __set__ receives the secret, __get__ returns it."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return obj.__dict__[self.slot]

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


class Vault:
    password = Sealed()

    def __init__(self, token):
        self._token = token

    @property
    def token(self):
        return self._token

    @token.setter
    def token(self, value):
        self._token = value

    @cached_property
    def digest(self):
        return self._token[::-1]

    def __getattr__(self, name):
        # Every missing name falls back to a secret value.
        return self._token


class Key:
    __slots__ = ("material",)


class Guarded:
    def __init__(self, number):
        self.number = number

    def __getattribute__(self, name):
        return object.__getattribute__(self, name)


def run(values):
    text, token, raw, number = values
    vault = Vault(token)
    key = Key()
    guarded = Guarded(number)
    kept = {token: raw, text: number}
    for i in range(N):
        vault.password = text
        assert vault.password == text
        vault.token = token
        assert vault.token == token
        # setattr()/getattr(): seen on every version (obj.x on a slot is not, after warm-up).
        setattr(key, "material", raw)
        assert getattr(key, "material") == raw
        assert vault.fallback == token
        assert guarded.number == number
        assert vault.__dict__["_token"] == token
        kept[token] = raw
    assert vault.digest == token[::-1]
    return [
        "count Vault password descriptor set %d" % N,
        "count Vault password descriptor get %d" % N,
        "count Vault token property set %d" % N,
        "count Key material slot set %d" % N,
        "count Key material slot get %d" % N,
        "count Vault fallback getattr_hook get %d" % N,
    ]


def main():
    forms, values = fresh()
    with open(sys.argv[1], "w") as f:
        for name, data in forms.items():
            f.write("%s %s\n" % (name, data.hex()))
    if "--control" not in sys.argv:
        print("\n".join(run(values)))
        return
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "run":
            print("\n".join(run(values) + ["done"]), flush=True)
        elif line.strip() == "quit":
            break


main()
