/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output for the userspace unit tests. */

#ifndef IDTUN_TAP_H
#define IDTUN_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failures;

__attribute__((format(printf, 2, 3)))
static void tap_ok(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass)
		tap_failures++;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)

static inline void tap_start(void)
{
	printf("TAP version 13\n");
}

static inline int tap_end(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}

#endif
