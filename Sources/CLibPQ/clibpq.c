// libpq, loaded when a PostgreSQL database is first used instead of at every start: libpq
// brings about twenty shared libraries (Kerberos, LDAP, GnuTLS, ...) whose loading was a third
// of the start-up of a command on SQLite. Each libpq function the tool calls is a trampoline of
// the same name that finds the real one once (dlsym) and calls it. PostgresTarget and
// PostgresStore call accounts_libpq_load() first and report a missing libpq as an error.
//
// Made from libpq-fe.h's declarations (Debian's libpq-dev, PostgreSQL 15); a new function needs
// its trampoline here.
#include "clibpq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *library;
static char failure[512];
static pthread_once_t loading = PTHREAD_ONCE_INIT;

static void load(void) {
    library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(failure, sizeof failure, "%s", reason ? reason : "libpq.so.5 not found");
    }
}

const char *accounts_libpq_load(void) {
    pthread_once(&loading, load);
    return library == NULL ? failure : NULL;
}

static void *resolve(const char *name) {
    if (accounts_libpq_load() != NULL) {
        fprintf(stderr, "accounts: libpq is not available (%s)\n", failure);
        abort();
    }
    void *found = dlsym(library, name);
    if (found == NULL) {
        fprintf(stderr, "accounts: libpq has no %s\n", name);
        abort();
    }
    return found;
}

// The real function, found once; a race only finds the same pointer twice.
#define ACCOUNTS_LIBPQ(name) \
    static __typeof__(&name) cached; \
    __typeof__(&name) real = __atomic_load_n(&cached, __ATOMIC_ACQUIRE); \
    if (real == NULL) { \
        real = (__typeof__(&name))resolve(#name); \
        __atomic_store_n(&cached, real, __ATOMIC_RELEASE); \
    }

int PQcancel(PGcancel *cancel, char *errbuf, int errbufsize) {
    ACCOUNTS_LIBPQ(PQcancel);
    return real(cancel, errbuf, errbufsize);
}

void PQclear(PGresult *res) {
    ACCOUNTS_LIBPQ(PQclear);
    real(res);
}

char * PQcmdTuples(PGresult *res) {
    ACCOUNTS_LIBPQ(PQcmdTuples);
    return real(res);
}

PGconn * PQconnectStartParams(const char *const *keywords, const char *const *values, int expand_dbname) {
    ACCOUNTS_LIBPQ(PQconnectStartParams);
    return real(keywords, values, expand_dbname);
}

PGconn * PQconnectdbParams(const char *const *keywords, const char *const *values, int expand_dbname) {
    ACCOUNTS_LIBPQ(PQconnectdbParams);
    return real(keywords, values, expand_dbname);
}

int PQconnectionNeedsPassword(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQconnectionNeedsPassword);
    return real(conn);
}

PQconninfoOption * PQconninfo(PGconn *conn) {
    ACCOUNTS_LIBPQ(PQconninfo);
    return real(conn);
}

void PQconninfoFree(PQconninfoOption *connOptions) {
    ACCOUNTS_LIBPQ(PQconninfoFree);
    real(connOptions);
}

PQconninfoOption * PQconninfoParse(const char *conninfo, char **errmsg) {
    ACCOUNTS_LIBPQ(PQconninfoParse);
    return real(conninfo, errmsg);
}

int PQconsumeInput(PGconn *conn) {
    ACCOUNTS_LIBPQ(PQconsumeInput);
    return real(conn);
}

char * PQdb(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQdb);
    return real(conn);
}

char * PQerrorMessage(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQerrorMessage);
    return real(conn);
}

PGresult * PQexec(PGconn *conn, const char *query) {
    ACCOUNTS_LIBPQ(PQexec);
    return real(conn, query);
}

PGresult * PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat) {
    ACCOUNTS_LIBPQ(PQexecParams);
    return real(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat);
}

void PQfinish(PGconn *conn) {
    ACCOUNTS_LIBPQ(PQfinish);
    real(conn);
}

char * PQfname(const PGresult *res, int field_num) {
    ACCOUNTS_LIBPQ(PQfname);
    return real(res, field_num);
}

int PQfnumber(const PGresult *res, const char *field_name) {
    ACCOUNTS_LIBPQ(PQfnumber);
    return real(res, field_name);
}

void PQfreeCancel(PGcancel *cancel) {
    ACCOUNTS_LIBPQ(PQfreeCancel);
    real(cancel);
}

void PQfreemem(void *ptr) {
    ACCOUNTS_LIBPQ(PQfreemem);
    real(ptr);
}

Oid PQftype(const PGresult *res, int field_num) {
    ACCOUNTS_LIBPQ(PQftype);
    return real(res, field_num);
}

PGcancel * PQgetCancel(PGconn *conn) {
    ACCOUNTS_LIBPQ(PQgetCancel);
    return real(conn);
}

PGresult * PQgetResult(PGconn *conn) {
    ACCOUNTS_LIBPQ(PQgetResult);
    return real(conn);
}

int PQgetisnull(const PGresult *res, int tup_num, int field_num) {
    ACCOUNTS_LIBPQ(PQgetisnull);
    return real(res, tup_num, field_num);
}

int PQgetlength(const PGresult *res, int tup_num, int field_num) {
    ACCOUNTS_LIBPQ(PQgetlength);
    return real(res, tup_num, field_num);
}

char * PQgetvalue(const PGresult *res, int tup_num, int field_num) {
    ACCOUNTS_LIBPQ(PQgetvalue);
    return real(res, tup_num, field_num);
}

char * PQhost(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQhost);
    return real(conn);
}

int PQisBusy(PGconn *conn) {
    ACCOUNTS_LIBPQ(PQisBusy);
    return real(conn);
}

int PQnfields(const PGresult *res) {
    ACCOUNTS_LIBPQ(PQnfields);
    return real(res);
}

int PQntuples(const PGresult *res) {
    ACCOUNTS_LIBPQ(PQntuples);
    return real(res);
}

char * PQport(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQport);
    return real(conn);
}

int PQputCopyData(PGconn *conn, const char *buffer, int nbytes) {
    ACCOUNTS_LIBPQ(PQputCopyData);
    return real(conn, buffer, nbytes);
}

int PQputCopyEnd(PGconn *conn, const char *errormsg) {
    ACCOUNTS_LIBPQ(PQputCopyEnd);
    return real(conn, errormsg);
}

char * PQresultErrorField(const PGresult *res, int fieldcode) {
    ACCOUNTS_LIBPQ(PQresultErrorField);
    return real(res, fieldcode);
}

char * PQresultErrorMessage(const PGresult *res) {
    ACCOUNTS_LIBPQ(PQresultErrorMessage);
    return real(res);
}

ExecStatusType PQresultStatus(const PGresult *res) {
    ACCOUNTS_LIBPQ(PQresultStatus);
    return real(res);
}

int PQsendQuery(PGconn *conn, const char *query) {
    ACCOUNTS_LIBPQ(PQsendQuery);
    return real(conn, query);
}

int PQsendQueryParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat) {
    ACCOUNTS_LIBPQ(PQsendQueryParams);
    return real(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat);
}

int PQserverVersion(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQserverVersion);
    return real(conn);
}

PQnoticeProcessor PQsetNoticeProcessor(PGconn *conn, PQnoticeProcessor proc, void *arg) {
    ACCOUNTS_LIBPQ(PQsetNoticeProcessor);
    return real(conn, proc, arg);
}

int PQsetSingleRowMode(PGconn *conn) {
    ACCOUNTS_LIBPQ(PQsetSingleRowMode);
    return real(conn);
}

int PQsocket(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQsocket);
    return real(conn);
}

ConnStatusType PQstatus(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQstatus);
    return real(conn);
}

PGTransactionStatusType PQtransactionStatus(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQtransactionStatus);
    return real(conn);
}

char * PQuser(const PGconn *conn) {
    ACCOUNTS_LIBPQ(PQuser);
    return real(conn);
}
