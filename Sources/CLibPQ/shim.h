#ifndef ACCOUNTS_CLIBPQ_SHIM_H
#define ACCOUNTS_CLIBPQ_SHIM_H

// libpq from Debian (apt: libpq-dev): the client psql and pg_dump use.
#include <libpq-fe.h>

#endif
