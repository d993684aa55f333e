/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* pbxdial-link: prints a signed (type 2, md5) click-to-dial link, so that a
 * CRM or a mail merge can put links in emails. All the logic is in
 * libpbxdial_core (pbxdial_link_mint); this file only reads options and the
 * password. The password is never an argument: arguments show in ps. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_crypto.h>
#include <apr_general.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "core/link.h"
#include "core/linkpw.h"

#define PW_MAX   1024
#define FILE_MAX (1024 * 1024)

static const char usage[] =
    "Usage: pbxdial-link --base URL --user USER --dest NUMBER [OPTION]... < PASSWORD\n"
    "Prints a signed (type 2, md5) click-to-dial link for mod_pbxdial or a Vodia PBX.\n"
    "\n"
    "  --base URL             URL of remote_call.htm, e.g. https://crm.example.com/remote_call.htm\n"
    "  --user USER            extension or extension@domain whose phone rings first\n"
    "  --dest NUMBER          number to dial; normalised first: spaces - . / ( ) removed,\n"
    "                         a leading + kept; only digits, * and # otherwise. A number\n"
    "                         with * or # (a PBX feature code) is signed, with a note:\n"
    "                         the server refuses it unless PbxDialAllow allows it\n"
    "  --lifetime SECONDS     how long the link works, sent as duration (signed); without it\n"
    "                         the server's PbxDialLinkLifetime applies (default 7200 s)\n"
    "  --time T               issue time in seconds since 1970 (default: now)\n"
    "  --connect              add connect=true: no \"press 1\" prompt (PbxDialConnect may refuse it)\n"
    "  --password-file FILE   the password is the first line of FILE\n"
    "  --link-passwords FILE  look USER up in a PbxDialLinkPasswords file (user:password lines)\n"
    "  --help                 this text\n"
    "\n"
    "Without --password-file or --link-passwords the password is the first line of\n"
    "standard input (asked for without echo on a terminal). It is never an argument,\n"
    "because other users can read arguments with ps.\n"
    "\n"
    "Example:\n"
    "  pbxdial-link --base https://crm.example.com/remote_call.htm --user 40@example.com \\\n"
    "      --dest '0123 456789' --lifetime 3600 --password-file /etc/pbxdial/40.pw\n"
    "  https://crm.example.com/remote_call.htm?user=40%40example.com&extension=true&dest=0123456789\n"
    "      &time=1700000000&duration=3600&auth=<32 hex digits>   (one line)\n"
    "\n"
    "auth = md5hex(user + password + dest + time [+ duration]), the values as in the link.\n"
    "Exit status: 0 link printed, 1 bad input or unreadable password, 2 bad usage.\n";

static int fail(int code, const char *what, const char *msg)
{
    fprintf(stderr, "pbxdial-link: %s%s%s\n", what, *what ? ": " : "", msg);
    if (code == 2)
        fprintf(stderr, "Try 'pbxdial-link --help'.\n");
    return code;
}

/* A memset before a buffer dies is a dead store the optimiser removes;
 * apr-util's apr_crypto_memzero (explicit_bzero) is not. APR's own
 * apr_memzero_explicit comes only with APR 1.8. */
static void wipe(void *buf, apr_size_t len)
{
#if APU_HAVE_CRYPTO
    apr_crypto_memzero(buf, len);
#else
    volatile unsigned char *v = buf;
    while (len--)
        *v++ = 0;
#endif
}

/* Like ssh with a private key: a secret that others can read is no secret.
 * A PbxDialLinkPasswords file is rightly readable by httpd's group, so for
 * it only others count. */
static void warn_mode(FILE *f, const char *path, mode_t others)
{
    struct stat st;

    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & others))
        fprintf(stderr,
                "pbxdial-link: warning: %s is open to %s (mode %04o); "
                "run chmod %s '%s'\n",
                path, others & S_IRWXG ? "group or others" : "others", (unsigned)(st.st_mode & 07777),
                others & S_IRWXG ? "600" : "o-rwx", path);
}

/* Reads at most FILE_MAX bytes of f, unbuffered: stdio's own buffer would
 * keep a copy of the secret that nobody wipes. The caller wipes *len + 1
 * bytes. */
static char *read_all(apr_pool_t *p, FILE *f, apr_size_t *len)
{
    char *buf = apr_palloc(p, FILE_MAX + 1);
    apr_size_t n;

    setvbuf(f, NULL, _IONBF, 0);
    n = fread(buf, 1, FILE_MAX + 1, f);
    if (ferror(f) || n > FILE_MAX) {
        wipe(buf, n);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The first line of text, without its line end. */
static char *first_line(apr_pool_t *p, const char *text, apr_size_t len)
{
    apr_size_t n = 0;

    while (n < len && text[n] != '\n' && text[n] != '\r')
        n++;
    return apr_pstrmemdup(p, text, n);
}

/* Wipes every password of a parsed PbxDialLinkPasswords file. */
static void wipe_map(apr_pool_t *p, apr_hash_t *map)
{
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(p, map); hi; hi = apr_hash_next(hi)) {
        char *pw = apr_hash_this_val(hi);
        wipe(pw, strlen(pw));
    }
}

/* The password, in p; the caller wipes it. Every other copy is wiped here. */
static char *read_password(apr_pool_t *p, const char *pwfile, const char *linkpw, const char *user,
                           const char **err)
{
    const char *perr, *found;
    char *text, *pw = NULL;
    apr_size_t len = 0;
    apr_hash_t *map;
    FILE *f;

    if (!pwfile && !linkpw && isatty(STDIN_FILENO)) {
        char buf[PW_MAX];
        apr_size_t size = sizeof(buf);
        if (apr_password_get(apr_psprintf(p, "Link password for %s: ", user), buf, &size) != APR_SUCCESS) {
            *err = "cannot read the password from the terminal";
            return NULL;
        }
        pw = apr_pstrdup(p, buf);
        wipe(buf, sizeof(buf));
        return pw;
    }
    f = pwfile || linkpw ? fopen(pwfile ? pwfile : linkpw, "r") : stdin;
    if (!f) {
        *err = apr_psprintf(p, "%s: %s", pwfile ? pwfile : linkpw, strerror(errno));
        return NULL;
    }
    if (f != stdin)
        warn_mode(f, pwfile ? pwfile : linkpw, pwfile ? S_IRWXG | S_IRWXO : S_IRWXO);
    text = read_all(p, f, &len);
    if (f != stdin)
        fclose(f);
    if (!text) {
        *err = "cannot read the password (read error, or more than 1 MB)";
        return NULL;
    }
    if (!linkpw)
        pw = first_line(p, text, len);
    else if ((perr = pbxdial_linkpw_parse(p, text, len, &map)))
        *err = apr_psprintf(p, "%s: %s", linkpw, perr);
    else {
        if ((found = apr_hash_get(map, user, APR_HASH_KEY_STRING)))
            pw = apr_pstrdup(p, found);
        else
            *err = apr_psprintf(p, "%s has no line for user %s", linkpw, user);
        wipe_map(p, map);
    }
    wipe(text, len + 1);
    return pw;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"base", required_argument, NULL, 'b'},
                                         {"user", required_argument, NULL, 'u'},
                                         {"dest", required_argument, NULL, 'd'},
                                         {"lifetime", required_argument, NULL, 'l'},
                                         {"time", required_argument, NULL, 't'},
                                         {"connect", no_argument, NULL, 'c'},
                                         {"password-file", required_argument, NULL, 'f'},
                                         {"link-passwords", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    pbxdial_link_spec_t spec;
    const char *pwfile = NULL, *linkpw = NULL, *err = NULL, *url = NULL, *time = NULL, *lifetime = NULL;
    char *password;
    apr_pool_t *p;
    int c, rc = 0;

    memset(&spec, 0, sizeof(spec));
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            spec.base = optarg;
            break;
        case 'u':
            spec.user = optarg;
            break;
        case 'd':
            spec.dest = optarg;
            break;
        case 'l':
            lifetime = optarg;
            break;
        case 't':
            time = optarg;
            break;
        case 'c':
            spec.connect = 1;
            break;
        case 'f':
            pwfile = optarg;
            break;
        case 'F':
            linkpw = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs("Try 'pbxdial-link --help'.\n", stderr); /* getopt said what */
            return 2;
        }
    }
    if (optind < argc)
        return fail(2, "",
                    "unexpected argument (not shown: it may be a password; the "
                    "password is read from stdin or a file, never from the command line)");
    if (!spec.base || !spec.user || !spec.dest)
        return fail(2, "", "--base, --user and --dest are required");
    if (pwfile && linkpw)
        return fail(2, "", "give --password-file or --link-passwords, not both");
    if (time && (!pbxdial_link_parse_int(time, &spec.time) || spec.time < 0))
        return fail(2, "--time", "write seconds since 1970, e.g. 1700000000");
    if (lifetime && (!pbxdial_link_parse_int(lifetime, &spec.lifetime) || spec.lifetime <= 0))
        return fail(2, "--lifetime", "write a positive number of seconds, e.g. 3600");

    apr_app_initialize(&argc, (const char *const **)&argv, NULL);
    apr_pool_create(&p, NULL);
    if (!time)
        spec.time = apr_time_sec(apr_time_now());
    spec.password = password = read_password(p, pwfile, linkpw, spec.user, &err);
    if (!spec.password)
        rc = fail(1, "", err);
    else if ((err = pbxdial_link_mint(p, &spec, &url)))
        rc = fail(1, "", err);
    else {
        printf("%s\n", url);
        if (strpbrk(spec.dest, "*#")) /* the server decides; say so before a link fails */
            fputs("pbxdial-link: note: the number has * or #, which dial PBX feature codes; "
                  "mod_pbxdial refuses it (400 feature_code) unless a PbxDialAllow pattern that "
                  "contains \\* or # matches it\n",
                  stderr);
    }
    if (password)
        wipe(password, strlen(password));
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
