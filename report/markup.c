// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "markup.h"

void markup__escape(FILE *out, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
		switch (*c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		case '\t':
		case '\n':
		case '\r':
			fprintf(out, "&#%d;", *c);
			break;
		default:
			fputc(*c < 0x20 || *c == 0x7f ? '?' : *c, out);
		}
	}
}
