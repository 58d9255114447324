// SPDX-License-Identifier: GPL-2.0-only
/* PLACEHOLDER: replaced by the real command. */
#include <stdio.h>
#include "cli.h"
int cmd_serve(int argc, char **argv)
{
	fprintf(stderr, "iotsense serve: not built yet\n");
	return EXIT_ERR;
}
