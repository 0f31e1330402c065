// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdbool.h>
#include <string.h>
#include "markup.h"

/*
 * The length of the valid UTF-8 sequence at s (1 to 4 bytes), or 0 when the
 * byte at s starts none: a stray continuation, an overlong form, a
 * surrogate, a value above U+10FFFF, or a sequence cut short.
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/*
 * One character of s: its length in bytes into *len, and whether it is safe
 * to write as it is. Unsafe: C0, DEL, C1 (U+0080 to U+009F, which some
 * terminals obey as escapes) and any byte of invalid UTF-8 (one at a time).
 */
static bool next_char(const unsigned char *s, size_t *len)
{
	size_t n = utf8_len(s);

	*len = n ? n : 1;
	if (!n || *s < 0x20 || *s == 0x7f)
		return false;
	return !(s[0] == 0xc2 && s[1] <= 0x9f);
}

size_t markup__cols_n(const char *s, size_t len)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t cols = 0, n;

	for (size_t i = 0; s && i < len && c[i]; i += n, cols++)
		next_char(c + i, &n);
	return cols;
}

size_t markup__cols(const char *s)
{
	return s ? markup__cols_n(s, strlen(s)) : 0;
}

const char *markup__skip_cols(const char *s, size_t n)
{
	size_t len;

	for (; *s && n; n--) {
		next_char((const unsigned char *)s, &len);
		s += len;
	}
	return s;
}

size_t markup__text(FILE *out, const char *s, size_t n)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");
	size_t done = 0, len;

	for (; *c && done < n; c += len, done++) {
		if (next_char(c, &len))
			fwrite(c, 1, len, out);
		else
			fputc('?', out);
	}
	return done;
}

void markup__pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

void markup__fit(FILE *out, const char *s, size_t width)
{
	size_t done;

	if (markup__cols(s) <= width) {
		done = markup__text(out, s, width);
	} else {
		done = markup__text(out, s, width - 1) + 1;
		fputs(MARKUP_ELLIPSIS, out);
	}
	markup__pad(out, width - done);
}

void markup__tail(FILE *out, const char *s, size_t width)
{
	size_t n = markup__cols(s);

	if (n <= width) {
		markup__text(out, s, n);
		return;
	}
	fputs(MARKUP_ELLIPSIS, out);
	markup__text(out, markup__skip_cols(s, n - (width - 1)), width - 1);
}

void markup__escape(FILE *out, const char *s)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");
	size_t len;

	for (; *c; c += len) {
		if (*c == '\t' || *c == '\n' || *c == '\r') {
			len = 1;
			fprintf(out, "&#%d;", *c);
		} else if (!next_char(c, &len)) {
			fputc('?', out);
		} else if (*c == '&') {
			fputs("&amp;", out);
		} else if (*c == '<') {
			fputs("&lt;", out);
		} else if (*c == '>') {
			fputs("&gt;", out);
		} else if (*c == '"') {
			fputs("&quot;", out);
		} else if (*c == '\'') {
			fputs("&#39;", out);
		} else {
			fwrite(c, 1, len, out);
		}
	}
}

void markup__md(FILE *out, const char *s)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");
	size_t len;

	for (; *c; c += len) {
		if (!next_char(c, &len))
			fputc('?', out);
		else if (strchr("\\`*_[]<>|#~&", *c))
			fprintf(out, "\\%c", *c);
		else
			fwrite(c, 1, len, out);
	}
}

void markup__md_code(FILE *out, const char *s, int in_table)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");
	size_t len;

	for (; *c; c += len) {
		if (*c == '\n' || *c == '\r') {
			len = 1;
			fputc(' ', out);
		} else if (!next_char(c, &len)) {
			fputc('?', out);
		} else if (*c == '`') {
			fputc('\'', out);
		} else if (*c == '|' && in_table) {
			fputs("\\|", out);
		} else {
			fwrite(c, 1, len, out);
		}
	}
}
