/* SPDX-License-Identifier: GPL-2.0 */

#ifndef IDTUN_H
#define IDTUN_H

#define IDTUN_TOOL_VERSION "0.1.0"

extern const char *prog;

int genkey_main(int argc, char *argv[]);
int genpsk_main(int argc, char *argv[]);
int pubkey_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);

#endif
