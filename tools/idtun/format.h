/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The output of show and showconf, from the device model alone (no
 * netlink), so the tests hold it against golden files.
 */

#ifndef IDTUN_FORMAT_H
#define IDTUN_FORMAT_H

#include "device.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct format_opts {
	bool color;		/* terminal colours in the pretty format */
	bool hide_keys;		/* "(hidden)" for private and preshared keys */
	time_t now;		/* for "latest handshake: ... ago" */
};

/* wg show's pretty format; peers by latest handshake, newest first. */
void format_pretty(FILE *f, const struct idtun_device *dev, const struct format_opts *o);

/* Whether field is one of wg show's fields (public-key, ..., dump). */
bool format_is_field(const char *field);
/* One field, tab-separated, prefixed by the device name if with_name. */
void format_field(FILE *f, const struct idtun_device *dev, const char *field,
		  bool with_name);

/* wg showconf: the device as a configuration file. */
void format_conf(FILE *f, const struct idtun_device *dev);

/* The device as a JSON object (documented in idtun(8)), at indent level. */
void format_json(FILE *f, const struct idtun_device *dev, const struct format_opts *o,
		 int level);

/* s as a JSON string, quoted and escaped. */
void format_json_string(FILE *f, const char *s);

/* "host:port" or "[v6]:port" as wg prints endpoints. */
void format_endpoint(char *out, size_t len, const union idtun_endpoint *ep);

#endif
