/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The module's JSON answers. */
#include <jansson.h>

#include "check_suites.h"
#include "core/json.h"

START_TEST(json_login_shape)
{
    const char *s = pbxdial_json_login(tp, "tok", "https://pbx.example.com", "40", "example.com");
    ck_assert_str_eq(s, "{\"session\":\"tok\",\"server\":\"https://pbx.example.com\","
                        "\"user\":\"40\",\"domain\":\"example.com\"}");
}
END_TEST

START_TEST(json_error_escapes)
{
    const char *s = pbxdial_json_error(tp, "bad", "say \"hi\" <script>\n");
    json_t *j = json_loads(s, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "error")), "bad");
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")), "say \"hi\" <script>\n");
    json_decref(j);
}
END_TEST

START_TEST(json_websocket_calling_shapes)
{
    ck_assert_str_eq(pbxdial_json_websocket(tp, "/pbxws", "40", "example.com"),
                     "{\"websocket\":\"/pbxws\",\"user\":\"40\",\"domain\":\"example.com\"}");
    ck_assert_str_eq(pbxdial_json_calling(tp, "40@example.com", "+4930123#"),
                     "{\"status\":\"calling\",\"from\":\"40@example.com\",\"dest\":\"+4930123#\"}");
}
END_TEST

/* a value jansson refuses (not UTF-8) gives the fixed internal answer, never NULL */
START_TEST(json_invalid_utf8)
{
    const char *s = pbxdial_json_error(tp, "bad", "\xff\xfe");
    ck_assert_str_eq(s, "{\"error\":\"internal\",\"message\":\"could not build JSON\"}");
}
END_TEST

Suite *check_json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, json_login_shape);
    tcase_add_test(tc, json_error_escapes);
    tcase_add_test(tc, json_websocket_calling_shapes);
    tcase_add_test(tc, json_invalid_utf8);
    suite_add_tcase(s, tc);
    return s;
}
