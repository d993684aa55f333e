/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the pure parts of mod_pbxdial (no httpd needed). */
#include <stdlib.h>
#include <apr_general.h>

#include "check_suites.h"

apr_pool_t *tp;

void check_setup(void)
{
    apr_pool_create(&tp, NULL);
}

void check_teardown(void)
{
    apr_pool_destroy(tp);
    tp = NULL;
}

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    sr = srunner_create(check_pbxreply_suite());
    srunner_add_suite(sr, check_json_suite());
    srunner_add_suite(sr, check_latency_suite());
    srunner_add_suite(sr, check_url_suite());
    srunner_add_suite(sr, check_account_suite());
    srunner_add_suite(sr, check_usermap_suite());
    srunner_add_suite(sr, check_query_suite());
    srunner_add_suite(sr, check_number_suite());
    srunner_add_suite(sr, check_policy_suite());
    srunner_add_suite(sr, check_promtext_suite());
    srunner_add_suite(sr, check_link_suite());
    srunner_add_suite(sr, check_page_suite());
    srunner_add_suite(sr, check_httphead_suite());
    srunner_add_suite(sr, check_wsframe_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
