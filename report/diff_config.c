// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* diff --config: the limits from a JSON file, checked key by key. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "diff.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* A percentage limit: a number >= 0, or "off". */
static int config_pct(json_t *v, double *out)
{
	if (json_is_string(v) && !strcmp(json_string_value(v), "off")) {
		*out = DIFF_NO_LIMIT;
		return 0;
	}
	if (!json_is_number(v) || !(json_number_value(v) >= 0) || !isfinite(json_number_value(v)))
		return -EINVAL;
	*out = json_number_value(v);
	return 0;
}

/* A glob or an array of globs, borrowed from v. */
static int config_globs(json_t *v, const char **globs, size_t *n)
{
	json_t *g;
	size_t i;

	if (json_is_string(v)) {
		globs[0] = json_string_value(v);
		*n = 1;
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) > DIFF_MAX_GLOBS)
		return -EINVAL;
	json_array_foreach(v, i, g)
	{
		if (!json_is_string(g))
			return -EINVAL;
		globs[i] = json_string_value(g);
	}
	*n = json_array_size(v);
	return 0;
}

static const char config_keys[] = "max_count_increase, max_p99_increase, max_total_increase, "
				  "max_lock_wait_increase, min_count, confidence, "
				  "trust_single_run, only, ignore";

static int apply_config_key(const char *key, json_t *v, struct diff_limits *l, const char **why)
{
	static const char pct_why[] = "expected a percentage (0 or more) or \"off\"";
	static const char glob_why[] =
		"expected a glob or an array of globs (at most " STR(DIFF_MAX_GLOBS) ")";

	*why = pct_why;
	if (!strcmp(key, "max_count_increase"))
		return config_pct(v, &l->count_pct);
	if (!strcmp(key, "max_p99_increase"))
		return config_pct(v, &l->p99_pct);
	if (!strcmp(key, "max_total_increase"))
		return config_pct(v, &l->total_pct);
	if (!strcmp(key, "max_lock_wait_increase"))
		return config_pct(v, &l->lock_pct);
	if (!strcmp(key, "confidence")) {
		*why = "expected a percentage from " STR(DIFF_MIN_CONFIDENCE) " to " STR(
			DIFF_MAX_CONFIDENCE);
		if (!json_is_number(v) || !(json_number_value(v) >= DIFF_MIN_CONFIDENCE) ||
		    !(json_number_value(v) <= DIFF_MAX_CONFIDENCE))
			return -EINVAL;
		l->confidence = json_number_value(v);
		return 0;
	}
	if (!strcmp(key, "min_count")) {
		*why = "expected a whole number (0 or more)";
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return -EINVAL;
		l->min_count = json_integer_value(v);
		return 0;
	}
	if (!strcmp(key, "trust_single_run")) {
		*why = "expected true or false";
		if (!json_is_boolean(v))
			return -EINVAL;
		l->trust_single_run = json_is_true(v);
		return 0;
	}
	*why = glob_why;
	if (!strcmp(key, "only"))
		return config_globs(v, l->only, &l->nonly);
	if (!strcmp(key, "ignore"))
		return config_globs(v, l->ignore, &l->nignore);
	*why = NULL;
	return -ENOENT;
}

int diff__read_config(const char *path, struct diff_limits *l, json_t **doc, char *err, size_t len)
{
	json_error_t jerr;
	const char *key, *why;
	json_t *root, *v;
	int ret;

	*doc = NULL;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/* jansson reports a file it cannot open at line -1, its text naming the file. */
		if (jerr.line > 0)
			snprintf(err, len, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		else
			snprintf(err, len, "%s", jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		snprintf(err, len, "%s: expected a JSON object of thresholds", path);
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(root, key, v)
	{
		ret = apply_config_key(key, v, l, &why);
		if (ret == -ENOENT) {
			snprintf(err, len, "%s: unknown key '%s' (known: %s)", path, key,
				 config_keys);
			json_decref(root);
			return -EINVAL;
		}
		if (ret) {
			snprintf(err, len, "%s: key '%s': %s", path, key, why);
			json_decref(root);
			return -EINVAL;
		}
	}
	*doc = root;
	return 0;
}
