#ifndef ACCOUNTS_COPENSSL_SHIM_H
#define ACCOUNTS_COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

// OPENSSL_free is a macro; Swift cannot call it directly.
static inline void accounts_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

#endif
