/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Subcommands: each takes its own argv (argv[0] is the subcommand) and returns the exit code. */
#ifndef ATTRPROF_COMMANDS_H
#define ATTRPROF_COMMANDS_H

int cmd_record(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif /* ATTRPROF_COMMANDS_H */
