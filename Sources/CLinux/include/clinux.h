#ifndef ACCOUNTS_CSYSTEM_H
#define ACCOUNTS_CSYSTEM_H

// Linux calls that Swift's Glibc module does not export.

// prctl(PR_SET_DUMPABLE, 0): no core dump, no ptrace by other processes of the same user, and
// /proc/PID owned by root. Returns 0 on success, -1 with errno set otherwise.
int accounts_set_not_dumpable(void);

#endif
