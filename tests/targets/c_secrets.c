// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A C program whose accessors pass secrets around, fresh each run, for the
 * test that no profile holds a value (tests/root/test_secrets.c).
 *
 *   c_secrets SECRETS_FILE     write the secrets (hex) to SECRETS_FILE, run, print counts
 *
 * vault_set_key and vault_get_key take and return a random key (argument,
 * return value and the struct behind them); vault_get_pin returns a random
 * number. Each is called N times; counts print as "calls NAME N" lines.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define N 300
#define KEY_LEN 32

struct vault {
	unsigned char key[KEY_LEN];
	unsigned long pin;
};

static unsigned long set_calls, get_calls, pin_calls;
static volatile unsigned long sink;

__attribute__((noinline)) void vault_set_key(struct vault *v, const unsigned char *key)
{
	set_calls++;
	memcpy(v->key, key, KEY_LEN);
}

__attribute__((noinline)) const unsigned char *vault_get_key(const struct vault *v)
{
	get_calls++;
	return v->key;
}

__attribute__((noinline)) unsigned long vault_get_pin(const struct vault *v)
{
	pin_calls++;
	return v->pin;
}

static void write_hex(FILE *f, const char *name, const unsigned char *b, size_t len)
{
	fprintf(f, "%s ", name);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

int main(int argc, char **argv)
{
	unsigned char key[KEY_LEN];
	struct vault v = {};
	char pin_text[32];
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: c_secrets SECRETS_FILE\n");
		return 64;
	}
	if (getrandom(key, sizeof(key), 0) != sizeof(key) ||
	    getrandom(&v.pin, sizeof(v.pin), 0) != sizeof(v.pin))
		return 1;
	v.pin |= 1UL << 62; /* 19 digits: long enough that no number in a profile matches */
	f = fopen(argv[1], "w");
	if (!f)
		return 1;
	write_hex(f, "key", key, sizeof(key));
	write_hex(f, "pin_le", (const unsigned char *)&v.pin, sizeof(v.pin));
	snprintf(pin_text, sizeof(pin_text), "%lu", v.pin);
	write_hex(f, "pin", (const unsigned char *)pin_text, strlen(pin_text));
	fclose(f);
	for (int i = 0; i < N; i++) {
		vault_set_key(&v, key);
		sink += vault_get_key(&v)[i % KEY_LEN] + vault_get_pin(&v);
	}
	printf("calls vault_set_key %lu\ncalls vault_get_key %lu\ncalls vault_get_pin %lu\n",
	       set_calls, get_calls, pin_calls);
	return 0;
}
