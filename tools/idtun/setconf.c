// SPDX-License-Identifier: GPL-2.0
/*
 * idtun setconf | addconf | syncconf <interface> <configuration file>
 *
 * The whole file is parsed and checked (names resolved) before anything is
 * sent. setconf replaces the configuration, addconf adds to it, syncconf
 * changes only what differs (sync.c), keeping the sessions of kept peers.
 */

#include "config.h"
#include "idtun.h"
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int setconf_main(int argc, char *argv[])
{
	struct idtun_device file = { 0 }, current = { 0 }, req = { 0 };
	bool sync = !strcmp(argv[0], "syncconf");
	char err[CONFIG_ERR_LEN];
	int ret = 1;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s %s <interface> <configuration filename>\n", prog,
			argv[0]);
		return 1;
	}
	if (!check_ifname(argv[1]))
		return 1;
	f = fopen(argv[2], "r");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[2], strerror(errno));
		return 1;
	}
	/* syncconf decides itself what a key the file leaves out means. */
	if (!config_parse(&file, f, argv[2], sync || !strcmp(argv[0], "addconf"), err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto out;
	}
	snprintf(file.name, sizeof(file.name), "%s", argv[1]);
	if (!sync) {
		ret = set_device(&file) ? 1 : 0;
		goto out;
	}
	if (get_device(argv[1], &current))
		goto out;
	if (sync_request(&req, &file, &current)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	ret = set_device(&req) ? 1 : 0;
out:
	fclose(f);
	device_free(&file);
	device_free(&current);
	device_free(&req);
	return ret;
}
