// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include "json_out.h"

json_t *json_out__u64(uint64_t v)
{
	if (v > INT64_MAX) {
		errno = ERANGE;
		return NULL;
	}
	return json_integer((json_int_t)v);
}

json_t *json_out__built(json_t *j, int bad)
{
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int json_out__dump(FILE *out, json_t *root)
{
	int err = 0;

	if (!root)
		return errno == ENOMEM ? -ENOMEM : errno == ERANGE ? -ERANGE : -EINVAL;
	if (json_dumpf(root, out, JSON_OUT_FLAGS) || fputc('\n', out) == EOF || ferror(out))
		err = -EIO;
	json_decref(root);
	return err;
}
