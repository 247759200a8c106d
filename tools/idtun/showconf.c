// SPDX-License-Identifier: GPL-2.0
/*
 * idtun showconf [--wg | --idtun] <interface>: the device as a
 * configuration file: all of it, what stock wg accepts, or the idtun
 * companion file.
 */

#include "format.h"
#include "idtun.h"

#include <stdio.h>
#include <string.h>

int showconf_main(int argc, char *argv[])
{
	enum conf_part part = CONF_ALL;
	struct idtun_device dev = { 0 };
	const char *name = argv[1];
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--wg")) {
		part = CONF_WG;
		name = argv[2];
	} else if (argc == 3 && !strcmp(argv[1], "--idtun")) {
		part = CONF_IDTUN;
		name = argv[2];
	} else if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: %s %s [--wg | --idtun] <interface>\n", prog, argv[0]);
		return 1;
	}
	/* What stock wg shows needs only what it reads. */
	ret = part == CONF_WG ? get_device(name, &dev) : get_full_device(name, &dev);
	if (!ret)
		format_conf_part(stdout, &dev, part);
	device_free(&dev);
	return ret ? 1 : 0;
}
