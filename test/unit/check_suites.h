/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
#ifndef CHECK_SUITES_H
#define CHECK_SUITES_H
#include <check.h>
#include <apr_pools.h>

/* One pool per test, made and destroyed by the fixtures in check_core.c. */
extern apr_pool_t *tp;
void check_setup(void);
void check_teardown(void);

Suite *check_pbxreply_suite(void);
Suite *check_promtext_suite(void);
Suite *check_json_suite(void);
Suite *check_latency_suite(void);
Suite *check_url_suite(void);
Suite *check_account_suite(void);
Suite *check_usermap_suite(void);
Suite *check_query_suite(void);
Suite *check_number_suite(void);
Suite *check_policy_suite(void);
Suite *check_link_suite(void);
Suite *check_page_suite(void);
Suite *check_httphead_suite(void);
Suite *check_wsframe_suite(void);
#endif
