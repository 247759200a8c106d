/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The WireGuard configuration format (wg(8), CONFIGURATION FILE FORMAT) and
 * the values `idtun set` takes. Everything is parsed and checked here, DNS
 * names included, before anything is sent to the kernel.
 */

#ifndef IDTUN_CONFIG_H
#define IDTUN_CONFIG_H

#include "device.h"

#include <stdbool.h>
#include <stdio.h>

#define CONFIG_ERR_LEN 512

/*
 * Value parsers. On failure they return false and write a message without
 * a location or a key name ("invalid port '70000'") to err.
 */
bool config_parse_key(uint8_t key[IDTUN_KEY_LEN], const char *value, bool secret,
		      char err[CONFIG_ERR_LEN]);
bool config_parse_port(uint16_t *port, const char *value, char err[CONFIG_ERR_LEN]);
bool config_parse_fwmark(uint32_t *fwmark, const char *value, char err[CONFIG_ERR_LEN]);
bool config_parse_keepalive(uint16_t *seconds, const char *value,
			    char err[CONFIG_ERR_LEN]);
/*
 * A comma-separated list of prefixes, appended to the peer. With
 * incremental, entries may start with '+' (add) or '-' (remove), and a list
 * with such an entry adds to the peer's prefixes instead of replacing them;
 * otherwise the list sets IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS.
 */
bool config_parse_allowedips(struct idtun_peer *peer, const char *value,
			     bool incremental, char err[CONFIG_ERR_LEN]);
/* host:port, [v6]:port or name:port; names resolved, retrying like wg. */
bool config_parse_endpoint(union idtun_endpoint *endpoint, const char *value,
			   char err[CONFIG_ERR_LEN]);
/*
 * A key file as wg reads one: the key, then only whitespace; an empty file
 * is the zero key (which removes a private or preshared key).
 */
bool config_read_keyfile(uint8_t key[IDTUN_KEY_LEN], const char *path,
			 char err[CONFIG_ERR_LEN]);

/*
 * Parses a configuration file into dev (which must be zeroed). Without
 * append (setconf, syncconf) the result replaces the device's whole
 * configuration: its peers, and its private key, port and fwmark, which
 * default to none. With append (addconf) only what the file names changes.
 * On failure, err is "NAME:LINE: message" and dev must still be freed.
 */
bool config_parse(struct idtun_device *dev, FILE *f, const char *name, bool append,
		  char err[CONFIG_ERR_LEN]);

#endif
