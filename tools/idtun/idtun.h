/* SPDX-License-Identifier: GPL-2.0 */

#ifndef IDTUN_H
#define IDTUN_H

#include "device.h"

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
/* False, with a message, if name cannot be an interface name. */
bool check_ifname(const char *name);

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

#endif
