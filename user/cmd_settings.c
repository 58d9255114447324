// SPDX-License-Identifier: GPL-2.0-only
/* PLACEHOLDER: replaced by the real command. */
#include <stdio.h>
#include "cli.h"
int cmd_set(int argc, char **argv)
{
	fprintf(stderr, "iotsense set: not built yet\n");
	return EXIT_ERR;
}
// SPDX-License-Identifier: GPL-2.0-only
/* PLACEHOLDER: replaced by the real command. */
#include <stdio.h>
#include "cli.h"
int cmd_tag(int argc, char **argv)
{
	fprintf(stderr, "iotsense tag: not built yet\n");
	return EXIT_ERR;
}
