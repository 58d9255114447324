// SPDX-License-Identifier: GPL-2.0-only
/* PLACEHOLDER: replaced by the real command. */
#include <stdio.h>
#include "cli.h"
int cmd_device(int argc, char **argv)
{
	fprintf(stderr, "iotsense device: not built yet\n");
	return EXIT_ERR;
}
