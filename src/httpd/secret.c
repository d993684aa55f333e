/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The module's secret key (see secret.h). */
#include <string.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_file_info.h>
#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "httpd/log.h"
#include "httpd/secret.h"

#define SECRET_FILE_MAX 4096
#define SECRET_FILE_MIN 32 /* bytes in the file: 256 bits if random */

static struct {
    unsigned char file_key[PBXDIAL_SECRET_LEN];
    int file_set; /* this generation's config set it */
    unsigned char random_key[PBXDIAL_SECRET_LEN];
    int random_made; /* kept across restarts of this parent */
} secret;

static const unsigned char *secret_key(void)
{
    return secret.file_set ? secret.file_key : secret.random_key;
}

/* The file is read as root while the config is read: a copy of its bytes
 * passes through one buffer that is wiped before it is left. */
const char *pbxdial_secret_set_key(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *how = "generate one with: openssl rand -base64 48 > /etc/apache2/pbxdial.key; "
                      "chmod 0600 /etc/apache2/pbxdial.key";
    const char *path;
    unsigned char buf[SECRET_FILE_MAX];
    unsigned int len = 0;
    apr_size_t n = sizeof(buf);
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;

    if (err)
        return err;
    if (strncmp(arg, "file:", 5) || !arg[5])
        return apr_psprintf(cmd->pool,
                            "PbxDialCacheKey '%s': write file:/path to a file of at least "
                            "%d random bytes; %s",
                            arg, SECRET_FILE_MIN, how);
    path = ap_server_root_relative(cmd->pool, arg + 5);
    if (!path
        || (rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, cmd->temp_pool))
               != APR_SUCCESS)
        return apr_psprintf(cmd->pool, "PbxDialCacheKey: cannot read %s; %s", arg + 5, how);
    if (apr_file_info_get(&fi, APR_FINFO_PROT, f) == APR_SUCCESS
        && (fi.protection & (APR_FPROT_WREAD | APR_FPROT_WWRITE))) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool,
                            "PbxDialCacheKey: %s can be read or written by everyone; "
                            "run chmod 0600 %s",
                            path, path);
    }
    rv = apr_file_read_full(f, buf, sizeof(buf), &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        OPENSSL_cleanse(buf, sizeof(buf));
        return apr_psprintf(cmd->pool, "PbxDialCacheKey: cannot read %s: %pm", path, &rv);
    }
    if (n == sizeof(buf)) {
        OPENSSL_cleanse(buf, sizeof(buf));
        return apr_psprintf(cmd->pool, "PbxDialCacheKey: %s is larger than %d bytes; %s", path,
                            SECRET_FILE_MAX - 1, how);
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    if (n < SECRET_FILE_MIN) {
        OPENSSL_cleanse(buf, sizeof(buf));
        return apr_psprintf(cmd->pool, "PbxDialCacheKey: %s holds %lu bytes, fewer than %d; %s", path,
                            (unsigned long)n, SECRET_FILE_MIN, how);
    }
    /* whatever the file's form (base64, hex, raw), its bytes make the key */
    HMAC(EVP_sha256(), "mod_pbxdial cache key", 21, buf, n, secret.file_key, &len);
    OPENSSL_cleanse(buf, sizeof(buf));
    secret.file_set = 1;
    return NULL;
}

int pbxdial_secret_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    secret.file_set = 0; /* every (re)read of the config starts afresh */
    OPENSSL_cleanse(secret.file_key, sizeof(secret.file_key));
    return OK;
}

int pbxdial_secret_post_config(server_rec *s)
{
    if (secret.random_made)
        return OK;
    if (apr_generate_random_bytes(secret.random_key, sizeof(secret.random_key)) != APR_SUCCESS) {
        ap_log_error(
            APLOG_MARK, APLOG_CRIT, 0, s,
            PBXLOGNO(0850) "cannot make a random key for the module's shared state; set PbxDialCacheKey");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    secret.random_made = 1;
    return OK;
}

int pbxdial_secret_configured(void)
{
    return secret.file_set;
}

void pbxdial_secret_derive(const char *purpose, unsigned char out[PBXDIAL_SECRET_LEN])
{
    unsigned int len = 0;

    HMAC(EVP_sha256(), secret_key(), PBXDIAL_SECRET_LEN, (const unsigned char *)purpose, strlen(purpose), out,
         &len);
}

void pbxdial_secret_hmac(const char *purpose, const void *data, apr_size_t len,
                         unsigned char out[PBXDIAL_SECRET_LEN])
{
    unsigned char sub[PBXDIAL_SECRET_LEN];
    unsigned int olen = 0;

    pbxdial_secret_derive(purpose, sub);
    HMAC(EVP_sha256(), sub, sizeof(sub), data, len, out, &olen);
    OPENSSL_cleanse(sub, sizeof(sub));
}
