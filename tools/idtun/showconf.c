// SPDX-License-Identifier: GPL-2.0
/* idtun showconf <interface>: the device as a configuration file. */

#include "format.h"
#include "idtun.h"

#include <stdio.h>

int showconf_main(int argc, char *argv[])
{
	struct idtun_device dev = { 0 };
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s %s <interface>\n", prog, argv[0]);
		return 1;
	}
	ret = get_device(argv[1], &dev);
	if (!ret)
		format_conf(stdout, &dev);
	device_free(&dev);
	return ret ? 1 : 0;
}
