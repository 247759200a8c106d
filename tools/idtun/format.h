/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The output of show, showconf, identity, policy and monitor, from the
 * device model alone (no netlink), so the tests hold it against golden
 * files. Where idtun and wg overlap the output is wg's, byte for byte;
 * idtun's own settings show only when they differ from their defaults.
 */

#ifndef IDTUN_FORMAT_H
#define IDTUN_FORMAT_H

#include "device.h"
#include "policy.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct format_opts {
	bool color;		/* terminal colours in the pretty format */
	bool hide_keys;		/* "(hidden)" for private and preshared keys */
	time_t now;		/* for "latest handshake: ... ago" */
	const struct idtun_names *names;	/* identity names, or NULL */
};

#define RESET "\x1b[0m"
#define BOLD "\x1b[1m"
#define RED "\x1b[31m"
#define GREEN "\x1b[32m"
#define YELLOW "\x1b[33m"
#define CYAN "\x1b[36m"

/* A colour code, or nothing when colours are off. */
#define C(o, code) ((o)->color ? (code) : "")

/* wg show's pretty format; peers by latest handshake, newest first. */
void format_pretty(FILE *f, const struct idtun_device *dev, const struct format_opts *o);

/* Whether field is one of wg show's fields (public-key, ..., dump). */
bool format_is_field(const char *field);
/* One field, tab-separated, prefixed by the device name if with_name. */
void format_field(FILE *f, const struct idtun_device *dev, const char *field,
		  bool with_name);

/* wg showconf: the device as a configuration file. */
void format_conf(FILE *f, const struct idtun_device *dev);

/* Which part of the configuration showconf prints. */
enum conf_part {
	CONF_ALL,	/* one file: wg's keys, then idtun's, then [Identity], [Policy] */
	CONF_WG,	/* what stock wg accepts */
	CONF_IDTUN,	/* the companion file: only idtun's settings */
};

/*
 * showconf: dev as GET_DEVICE, GET_IDENTITIES (identities with names and
 * bindings) and GET_POLICY (rules, defaults) report it. Identities are
 * referred to by the names their [Identity] sections give.
 */
void format_conf_part(FILE *f, const struct idtun_device *dev, enum conf_part part);

/* "1.18 MiB", as wg prints transfers. */
void format_bytes(FILE *f, uint64_t bytes, const struct format_opts *o);

/* idtun identity show: dev's identities (GET_IDENTITIES). */
void format_identities(FILE *f, const struct idtun_device *dev, const struct format_opts *o);
void format_identities_json(FILE *f, const struct idtun_device *dev);
/* idtun policy list: defaults, then rules in order, in the rule grammar. */
void format_policy(FILE *f, const struct idtun_device *dev, const struct idtun_names *names);
void format_policy_json(FILE *f, const struct idtun_device *dev,
			const struct idtun_names *names);
/* idtun identity list. */
void format_names(FILE *f, const struct idtun_names *names);
void format_names_json(FILE *f, const struct idtun_names *names);
/* idtun monitor: one line per event; when is its arrival time. */
void format_event(FILE *f, const struct idtun_event *ev);
void format_event_json(FILE *f, const struct idtun_event *ev, const struct timespec *when);

/* The device as a JSON object (documented in idtun(8)), at indent level. */
void format_json(FILE *f, const struct idtun_device *dev, const struct format_opts *o,
		 int level);

/* s as a JSON string, quoted and escaped. */
void format_json_string(FILE *f, const char *s);
/* "name": "value" (or null), indented to level, a comma unless last. */
void format_json_key(FILE *f, const char *value_or_null, int level, const char *name,
		     bool last);

/* "host:port" or "[v6]:port" as wg prints endpoints. */
void format_endpoint(char *out, size_t len, const union idtun_endpoint *ep);

#endif
