/* SPDX-License-Identifier: GPL-2.0 */

#ifndef IDTUN_H
#define IDTUN_H

#include "nl.h"

#include <stdint.h>

extern const char *prog;

/*
 * Sends cmd about device name to the idtun family, runs cb on each reply,
 * and prints any failure as one line ("Unable to <verb> interface ...").
 */
int device_request(const char *name, uint8_t cmd, uint16_t flags, mnl_cb_t cb,
		   void *data, const char *verb);

int genkey_main(int argc, char *argv[]);
int genpsk_main(int argc, char *argv[]);
int pubkey_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int set_main(int argc, char *argv[]);

#endif
