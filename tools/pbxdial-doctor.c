/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* pbxdial-doctor: walks every PBX step mod_pbxdial relies on, with the
 * module's own PBX client, and says which one fails and what to try.
 * This file reads the options (or a site's Apache configuration, through
 * doctor_config.c) and the secrets; the steps are in doctor_steps.c and
 * doctor_net.c, the output in doctor_report.c. Exit status: 0 every step
 * passed, 1 a step failed, 2 bad arguments. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "doctor.h"
#include "core/account.h"
#include "core/number.h"
#include "core/url.h"

static const char usage[] =
    "Usage: pbxdial-doctor --server URL --admin USER:PASSWORD --extension EXT@DOMAIN [OPTION]...\n"
    "       pbxdial-doctor --config /etc/apache2/sites-enabled/SITE.conf --extension EXT[@DOMAIN] "
    "[OPTION]...\n"
    "Walks every PBX step mod_pbxdial relies on and says which one fails and what to try.\n"
    "\n"
    "  --server URL           the PBX, as in PbxDialServer (http:// or https://)\n"
    "  --admin USER:PASSWORD  the admin credentials, as in PbxDialAdmin; also USER:file:PATH (the\n"
    "                         password is the first line of PATH, as PbxDialAdmin's file:) or\n"
    "                         file:PATH (its first line is USER:PASSWORD)\n"
    "  --extension EXT@DOMAIN the extension to test with (its domain comes from PbxDialDomain\n"
    "                         with --config when only EXT is given)\n"
    "  --ca FILE              PEM file of the CA of the PBX certificate (PbxDialCAFile)\n"
    "  --insecure             do not verify the PBX certificate (PbxDialVerifyPeer off)\n"
    "  --dest NUMBER          also place a call with remote_call.htm: EXT's phone RINGS, and\n"
    "                         NUMBER is dialled once it is answered and 1 is pressed\n"
    "  --password PW          also check EXT's password as the `pbx` authn provider does;\n"
    "                         file:PATH reads it from the first line of PATH\n"
    "  --timeout S            seconds each PBX exchange may take (default 10, or PbxDialTimeout)\n"
    "  --config FILE          read PbxDialServer, PbxDialAdmin, PbxDialCAFile, PbxDialVerifyPeer,\n"
    "                         PbxDialTimeout and PbxDialDomain from an Apache configuration file\n"
    "                         (Include followed; as root, to read the admin's password file);\n"
    "                         options given as well win\n"
    "  --json                 print one JSON object instead of lines\n"
    "  --help, --version\n"
    "\n"
    "Steps: connect, tls, login, token, activate, websocket, call (--dest), password\n"
    "(--password), logout. No password, token, session or cookie value is ever printed.\n"
    "Exit status: 0 every step passed, 1 a step failed (named, with a fix), 2 bad arguments.\n";

static int bad(const char *fmt, const char *a)
{
    fprintf(stderr, "pbxdial-doctor: ");
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\nTry 'pbxdial-doctor --help'.\n");
    return 2;
}

const char *pbxdial_doctor_secret(doctor_t *d, const char *spec, const char **err)
{
    const char *path;
    char line[1024];
    apr_size_t n;
    struct stat st;
    FILE *f;

    if (strncmp(spec, "file:", 5)) {
        if (!*spec) {
            *err = "empty password";
            return NULL;
        }
        return spec;
    }
    path = spec + 5;
    if (!*path || !(f = fopen(path, "r"))) {
        *err = apr_psprintf(d->p, "cannot read the password file '%s'", path);
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & S_IROTH))
        APR_ARRAY_PUSH(d->notes, const char *) =
            apr_psprintf(d->p, "%s is readable by everyone; run chmod 600 '%s'", path, path);
    setvbuf(f, NULL, _IONBF, 0); /* no stdio buffer keeping a copy */
    if (!fgets(line, sizeof(line), f))
        line[0] = '\0';
    fclose(f);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (!n) {
        *err = apr_psprintf(d->p, "the password file '%s' is empty", path);
        return NULL;
    }
    path = apr_pstrdup(d->p, line);
    memset(line, 0, sizeof(line));
    return path;
}

/* --admin USER:PASSWORD, USER:file:PATH or file:PATH (USER:PASSWORD inside) */
static const char *parse_admin(doctor_t *d, const char *arg)
{
    const char *err, *colon;

    if (!strncmp(arg, "file:", 5)) {
        if (!(arg = pbxdial_doctor_secret(d, arg, &err)))
            return err;
        if (!strchr(arg, ':'))
            return "the --admin file must hold USER:PASSWORD on its first line";
    }
    colon = strchr(arg, ':');
    if (!colon || colon == arg)
        return "--admin needs USER:PASSWORD (or USER:file:PATH, or file:PATH)";
    d->admin_user = apr_pstrmemdup(d->p, arg, colon - arg);
    if (!(d->admin_password = pbxdial_doctor_secret(d, colon + 1, &err)))
        return apr_pstrcat(d->p, "--admin: ", err, NULL);
    return NULL;
}

static const char *parse_timeout(doctor_t *d, const char *arg)
{
    char *end;
    double v = strtod(arg, &end);

    if (end == arg || v <= 0 || v > 300 || (*end && strcmp(end, "s") && strcmp(end, "ms")))
        return "--timeout needs seconds between 0 and 300, e.g. 10 or 2.5 (or 2500ms)";
    d->timeout = (apr_interval_time_t)(v * (strcmp(end, "ms") ? APR_USEC_PER_SEC : 1000));
    return d->timeout > 0 ? NULL : "--timeout is too small";
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"server", required_argument, NULL, 's'},
                                         {"admin", required_argument, NULL, 'a'},
                                         {"extension", required_argument, NULL, 'e'},
                                         {"ca", required_argument, NULL, 'c'},
                                         {"insecure", no_argument, NULL, 'k'},
                                         {"dest", required_argument, NULL, 'd'},
                                         {"password", required_argument, NULL, 'p'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {"config", required_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    const char *extension = NULL, *config = NULL, *password = NULL, *dest = NULL, *err, *ext, *dom;
    apr_pool_t *pool;
    doctor_t d;
    struct stat st;
    int c, rc;

    apr_app_initialize(&argc, (const char *const **)&argv, NULL);
    apr_pool_create(&pool, NULL);
    memset(&d, 0, sizeof(d));
    d.p = pool;
    d.notes = apr_array_make(pool, 4, sizeof(const char *));
    d.secrets = apr_array_make(pool, 8, sizeof(const char *));
    d.steps = apr_array_make(pool, 9, sizeof(doctor_step_t));

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if ((err = pbxdial_url_check_base(pool, optarg, &d.server)))
                return bad("--server %s", err);
            break;
        case 'a':
            if ((err = parse_admin(&d, optarg)))
                return bad("%s", err);
            break;
        case 'e':
            extension = optarg;
            break;
        case 'c':
            if (stat(optarg, &st) != 0 || !S_ISREG(st.st_mode))
                return bad("--ca '%s' is not a readable file; give the PEM of the CA of the PBX certificate",
                           optarg);
            d.ca_file = optarg;
            break;
        case 'k':
            d.insecure = 1;
            break;
        case 'd':
            dest = optarg;
            break;
        case 'p':
            password = optarg;
            break;
        case 't':
            if ((err = parse_timeout(&d, optarg)))
                return bad("%s", err);
            break;
        case 'f':
            config = optarg;
            break;
        case 'j':
            d.json = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        case 'V':
            printf("pbxdial-doctor %s (%s)\n", PBXDIAL_VERSION, pbxdial_pbx_version());
            return 0;
        default:
            return bad("%s", "unknown option");
        }
    }
    if (optind < argc)
        return bad("unexpected argument '%s'", argv[optind]);
    if (config && (err = pbxdial_doctor_config_read(&d, config)))
        return bad("--config: %s", err);
    if (!d.server)
        return bad("%s", config ? "no PbxDialServer in the configuration; give --server URL"
                                : "--server URL is required (or --config FILE)");
    if (!d.admin_user)
        return bad("%s", config ? "no PbxDialAdmin in the configuration; give --admin USER:PASSWORD"
                                : "--admin USER:PASSWORD is required (or --config FILE)");
    if (!extension)
        return bad("%s", "--extension EXT@DOMAIN is required");
    pbxdial_account_split(pool, extension, &ext, &dom);
    if (!dom)
        dom = d.domain;
    if (!pbxdial_account_extension_ok(ext))
        return bad("--extension '%s': the extension must be 1..64 characters of A-Z a-z 0-9 . _ -",
                   extension);
    if (!dom)
        return bad("--extension '%s' needs @DOMAIN (no PbxDialDomain to take it from)", extension);
    if (!(d.domain = pbxdial_account_domain_canonical(pool, dom)))
        return bad("--extension: '%s' is not a domain name", dom);
    d.ext = ext;
    if (dest && (err = pbxdial_number_normalise(pool, dest, &d.dest)))
        return bad("--dest: %s", err);
    if (password && !(d.user_password = pbxdial_doctor_secret(&d, password, &err)))
        return bad("--password: %s", err);
    if (!d.timeout)
        d.timeout = apr_time_from_sec(10); /* PbxDialTimeout's default */

    APR_ARRAY_PUSH(d.secrets, const char *) = d.admin_password;
    if (d.user_password)
        APR_ARRAY_PUSH(d.secrets, const char *) = d.user_password;

    /* as a one-thread child: curl's global set-up and the module's handle pool */
    pbxdial_pbx_child_init(pool, 1);
    rc = pbxdial_doctor_run(&d);
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
