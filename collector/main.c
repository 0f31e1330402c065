// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* attrprof: finds attribute-access hotspots in live processes with eBPF. */
#include <argp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "options.h"
#include "profile.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"record", cmd_record, "run a command under the probes and write a profile"},
	{"attach", cmd_attach, "trace a running process and write a profile"},
	{"report", cmd_report, "render a profile as a ranked table or JSON"},
	{"diff", cmd_diff, "compare two profiles; exit 1 when an attribute regressed"},
};

/* libbpf's own messages (verifier logs among them) only when ATTRPROF_DEBUG is set. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG || !getenv("ATTRPROF_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: attrprof COMMAND [OPTION...]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'attrprof COMMAND --help' describes each.\n");
}

int main(int argc, char **argv)
{
	argp_err_exit_status = EXIT_USAGE;
	libbpf_set_print(libbpf_print);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("attrprof %s\n", ATTRPROF_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		static char name[64];

		if (strcmp(argv[1], commands[i].name))
			continue;
		/* argp prefixes its messages with argv[0]. */
		snprintf(name, sizeof(name), "attrprof %s", commands[i].name);
		argv[1] = name;
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "attrprof: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
