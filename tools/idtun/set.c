// SPDX-License-Identifier: GPL-2.0
/*
 * idtun set <interface>
 *
 * wg(8)'s set. This release has no device settings yet, so the only valid
 * form names the device and changes nothing; every option is rejected.
 */

#include "idtun.h"

#include <linux/idtun.h>
#include <stdio.h>

int set_main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "Usage: %s %s <interface>\n", prog, argv[0]);
		return 1;
	}
	if (argc > 2) {
		fprintf(stderr, "%s: Invalid argument: %s\n", prog, argv[2]);
		fprintf(stderr, "Usage: %s %s <interface>\n", prog, argv[0]);
		return 1;
	}
	return device_request(argv[1], IDTUN_CMD_SET_DEVICE, NLM_F_ACK, NULL, NULL,
			      "modify") ? 1 : 0;
}
