#ifndef ACCOUNTS_CLIBPQ_H
#define ACCOUNTS_CLIBPQ_H

// libpq's declarations, from Debian's libpq-dev; the functions themselves are loaded on first
// use (clibpq.c).
#include <postgresql/libpq-fe.h>

/// Loads libpq.so.5 once; NULL when it is there, else why not (dlerror's words).
const char *accounts_libpq_load(void);

#endif
