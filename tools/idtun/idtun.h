/* SPDX-License-Identifier: GPL-2.0 */

#ifndef IDTUN_H
#define IDTUN_H

#include "device.h"
#include "nl.h"
#include "policy.h"

#include <stdbool.h>
#include <stdint.h>

extern const char *prog;

/*
 * A device's state, or a request applied to one, with any failure printed
 * as one line: "Unable to access interface NAME: <error>[: <kernel's text>]"
 * (or "modify"), or that the module is not loaded. Return 0 or -errno; a
 * device filled by get_device must be freed even on failure.
 */
int get_device(const char *name, struct idtun_device *dev);
int set_device(const struct idtun_device *dev);
/* GET_IDENTITIES, GET_POLICY, and all three dumps in one device. */
int get_identities(const char *name, struct idtun_device *dev);
int get_policy(const char *name, struct idtun_device *dev);
int get_full_device(const char *name, struct idtun_device *dev);
/* The idtun family, with a failure printed (module not loaded, ...). */
int open_idtun(struct nl *nl);
/* "prog: Unable to VERB interface NAME: <error>" */
void print_error(const char *verb, const char *name, const struct nl_error *err);

/*
 * The network namespace's identity names, read once (the module not
 * loaded: there are none). NULL, with *error set, when they cannot be read.
 */
const struct idtun_names *netns_names(int *error);
/* Resolves names through netns_names: for rules, set and the files. */
extern const struct name_resolver netns_resolver;
/* Names the identities of want that the namespace does not name so yet. */
int set_names(const struct idtun_names *want);
/* False, with a message, if name cannot be an interface name. */
bool check_ifname(const char *name);

struct format_opts;
/* Colours and hidden keys as the environment and the terminal ask. */
void show_opts(struct format_opts *o);

/* Names of all idtun devices, in the kernel's order; NULL on failure. */
char **list_devices(size_t *n);
void free_names(char **names, size_t n);

int genkey_main(int argc, char *argv[]);
int genpsk_main(int argc, char *argv[]);
int pubkey_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int showconf_main(int argc, char *argv[]);
int set_main(int argc, char *argv[]);
int setconf_main(int argc, char *argv[]);
int identity_main(int argc, char *argv[]);
int policy_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);

#endif
