#ifndef ACCOUNTS_COPENSSL_SHIM_H
#define ACCOUNTS_COPENSSL_SHIM_H

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 (see accounts_hmac_sha256 below).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

// Macros in OpenSSL's headers, which Swift cannot call directly.

static inline void accounts_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

static inline int accounts_ssl_ctx_set_min_tls12(SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

static inline int accounts_ssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

// HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256, with the key's two padded blocks hashed once
// per key: a MAC then costs copying two 112-byte states and about three SHA-256 blocks, where
// EVP_MAC allocates and copies digest contexts on every call (2x slower for a token). The
// SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP but remain supported; they
// are the only way to copy a hash state without an allocation. Checked against RFC 4231 and
// OpenSSL's own HMAC() in HMACKeyTests.
typedef struct {
    SHA256_CTX inner;
    SHA256_CTX outer;
} accounts_hmac_sha256_key;

static inline void accounts_hmac_sha256_key_init(accounts_hmac_sha256_key *key, const unsigned char *secret, size_t length) {
    unsigned char block[SHA256_CBLOCK] = {0};
    if (length > SHA256_CBLOCK) {
        SHA256(secret, length, block);
    } else if (length > 0) {
        memcpy(block, secret, length);
    }
    unsigned char pad[SHA256_CBLOCK];
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&key->inner);
    SHA256_Update(&key->inner, pad, SHA256_CBLOCK);
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&key->outer);
    SHA256_Update(&key->outer, pad, SHA256_CBLOCK);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
}

static inline void accounts_hmac_sha256(const accounts_hmac_sha256_key *key, const unsigned char *message, size_t length,
                                        unsigned char output[SHA256_DIGEST_LENGTH]) {
    SHA256_CTX context = key->inner;
    SHA256_Update(&context, message, length);
    SHA256_Final(output, &context);
    context = key->outer;
    SHA256_Update(&context, output, SHA256_DIGEST_LENGTH);
    SHA256_Final(output, &context);
    OPENSSL_cleanse(&context, sizeof context);
}

#endif
