/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The WireGuard configuration format (wg(8), CONFIGURATION FILE FORMAT),
 * idtun's additions to it (idtun(8)), and the values `idtun set` takes.
 * Everything is parsed and checked here, DNS names and identity names
 * included, before anything is sent to the kernel.
 */

#ifndef IDTUN_CONFIG_H
#define IDTUN_CONFIG_H

#include "device.h"
#include "policy.h"

#include <stdbool.h>
#include <stdio.h>

#define CONFIG_ERR_LEN POLICY_ERR_LEN

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
/* address[/length]; text is changed while it is read, then restored. */
bool config_parse_prefix(struct idtun_allowedip *ip, char *text, char err[CONFIG_ERR_LEN]);
/* ip without host bits, with a warning naming what and text if it had some. */
struct idtun_allowedip config_masked(const struct idtun_allowedip *ip, const char *what,
				     const char *text);
/* Decimal, or hexadecimal with 0x. */
bool config_parse_mark_mask(uint32_t *mask, const char *value, char err[CONFIG_ERR_LEN]);
/* 0 to 1000000 events a second. */
bool config_parse_audit_rate(uint32_t *rate, const char *value, char err[CONFIG_ERR_LEN]);
/* on or off. */
bool config_parse_labels(uint8_t *labels, const char *value, char err[CONFIG_ERR_LEN]);
/*
 * A comma-separated list of identities (numbers or names r resolves),
 * appended to the peer's allowed identities; incremental as for
 * config_parse_allowedips, else IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES.
 */
bool config_parse_allowed_identities(struct idtun_peer *peer, const char *value,
				     bool incremental, const struct name_resolver *r,
				     char err[CONFIG_ERR_LEN]);
/*
 * One of idtun's device settings, named by its configuration key
 * (DefaultIdentity, MarkMask, EgressDefault, IngressDefault, AuditRate) or,
 * with option, by its `set` option (default-identity, ...). False if name
 * is none of them; else *ok says whether value parsed.
 */
bool config_device_setting(struct idtun_device *dev, const char *name, bool option,
			   const char *value, const struct name_resolver *r, bool *ok,
			   char err[CONFIG_ERR_LEN]);
/* host:port, [v6]:port or name:port; names resolved, retrying like wg. */
bool config_parse_endpoint(union idtun_endpoint *endpoint, const char *value,
			   char err[CONFIG_ERR_LEN]);
/*
 * A key file as wg reads one: the key, then only whitespace; an empty file
 * is the zero key (which removes a private or preshared key).
 */
bool config_read_keyfile(uint8_t key[IDTUN_KEY_LEN], const char *path,
			 char err[CONFIG_ERR_LEN]);

/* A configuration file, read whole (it is read twice: names first). */
struct config_file {
	const char *name;	/* for messages */
	char *text;
	size_t len;
};

/* Reads f to its end; false with err set ("NAME: read error: ..."). */
bool config_read(struct config_file *file, FILE *f, const char *name,
		 char err[CONFIG_ERR_LEN]);
/* Wipes (it may hold keys) and frees the text. */
void config_file_free(struct config_file *file);

/*
 * Parses configuration files into dev (which must be zeroed), merged in
 * order: a [Peer] whose PublicKey an earlier file gave changes that peer,
 * with what it names. Without append (setconf) the result replaces the
 * device's whole configuration: its peers, bindings and rules, and its
 * private key, port, fwmark and idtun settings, which default to none (to
 * the kernel's defaults). With append (addconf, syncconf) only what the
 * files name changes (syncconf decides itself what the rest means).
 *
 * Identity names resolve to the numbers the files' [Identity] sections
 * give them, wherever in the files, else through r (NULL: they are
 * unknown). [Identity] names go to dev->names, bindings to dev->bindings,
 * [Policy] rules to dev->rules. On failure, err is "NAME:LINE: message"
 * and dev must still be freed.
 */
bool config_parse_files(struct idtun_device *dev, const struct config_file *files,
			size_t nfiles, bool append, const struct name_resolver *r,
			char err[CONFIG_ERR_LEN]);
/* One stream, its names from itself only. */
bool config_parse(struct idtun_device *dev, FILE *f, const char *name, bool append,
		  char err[CONFIG_ERR_LEN]);

#endif
