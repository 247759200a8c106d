/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Identities and policy rules as text: identity names, "ID or NAME"
 * references, the names of actions, directions, drop reasons and
 * protocols, and the rule grammar the command line, the configuration
 * files and every listing share:
 *
 *   (egress|ingress) [from ID|NAME|any] [to CIDR|any]
 *       [proto tcp|udp|icmp|ipv6-icmp|sctp|udplite|NUMBER|any] [port N|N-M]
 *       (allow|deny)
 */

#ifndef IDTUN_POLICY_H
#define IDTUN_POLICY_H

#include "device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define POLICY_ERR_LEN 512
/* Longest rule text policy_rule_text writes, with its NUL. */
#define POLICY_RULE_LEN 192
/* "name (number)" or "number", with its NUL. */
#define POLICY_ID_LEN (IDTUN_NAME_MAX + 16)

/*
 * Where names come from: lookup finds a name's number, or returns false
 * with err set ("unknown identity name 'web'", or why it could not look).
 */
struct name_resolver {
	bool (*lookup)(void *ctx, const char *name, uint32_t *id, char err[POLICY_ERR_LEN]);
	void *ctx;
};

/* printf into err; returns false, for "return policy_fail(err, ...)". */
__attribute__((format(printf, 2, 3)))
bool policy_fail(char err[POLICY_ERR_LEN], const char *fmt, ...);
/* Which of two words text is, in any case: 0, 1, or -1 for neither. */
int policy_choice(const char *text, const char *zero, const char *one);

/* Resolves in a fixed table (ctx is a const struct idtun_names *). */
bool policy_names_lookup(void *ctx, const char *name, uint32_t *id,
			 char err[POLICY_ERR_LEN]);

/*
 * A name a tool may give: 1 to 63 printable ASCII characters without
 * blanks, ',' or '#', not all digits, not "any".
 */
bool policy_name_valid(const char *name, char err[POLICY_ERR_LEN]);

/*
 * An identity: a decimal number (0 to 2^32-1), else a name resolved by r
 * (no r: every name is unknown). zero_ok: 0 is a valid answer.
 */
bool policy_parse_identity(uint32_t *id, const char *text, bool zero_ok,
			   const struct name_resolver *r, char err[POLICY_ERR_LEN]);

/* id's name when it has a valid one, else its number: what to type back. */
const char *policy_identity_ref(char out[POLICY_ID_LEN], uint32_t id,
				const struct idtun_names *names);
/* "web (1001)" or "1001". */
const char *policy_identity_label(char out[POLICY_ID_LEN], uint32_t id, const char *name);

/* allow or deny, in any case. */
bool policy_parse_action(uint32_t *action, const char *text, char err[POLICY_ERR_LEN]);
const char *policy_action_name(uint32_t action);
const char *policy_direction_name(uint32_t direction);
/* "policy", "label-not-allowed", ... or NULL for an unknown value. */
const char *policy_reason_name(uint32_t reason);
/* "egress-policy", ... for IDTUN_A_DROPS_*, NULL for others. */
const char *policy_drop_name(unsigned int type);
/* "tcp", "udp", ... or NULL for a protocol without a name here. */
const char *policy_proto_name(uint8_t protocol);
/* Whether a rule on this protocol may name ports. */
bool policy_proto_has_ports(uint8_t protocol);

/*
 * A rule from words (argv) or from text split at blanks. A word starting
 * with '#' ends the rule (listings put counters there). need_action: the
 * rule must end with allow or deny (adding); otherwise an action is
 * optional and ignored (removing). The destination is masked to its
 * prefix. On failure err says what is wrong, without a location.
 */
bool policy_parse_rule(struct idtun_rule *rule, char *const *words, size_t n,
		       bool need_action, const struct name_resolver *r,
		       char err[POLICY_ERR_LEN]);
bool policy_parse_rule_text(struct idtun_rule *rule, const char *text, bool need_action,
			    const struct name_resolver *r, char err[POLICY_ERR_LEN]);

/* The rule in the grammar above, names where names has valid ones. */
const char *policy_rule_text(char out[POLICY_RULE_LEN], const struct idtun_rule *rule,
			     const struct idtun_names *names, bool with_action);

/* address/length, as in the listings. */
void policy_prefix_text(char *out, size_t len, const struct idtun_allowedip *ip);

#endif
