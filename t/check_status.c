/*
 * check_status: status / health / tier spellings and ranks.
 */
#include <check.h>

#include "status.h"
#include "tsupport.h"

START_TEST(test_round_trip)
{
	const char *names[] = {"operational", "degraded", "partial_outage", "major_outage", "unknown"};
	for (int i = 0; i < 5; i++) {
		enum st_status s;
		ck_assert_int_eq(st_status_parse(names[i], &s), 0);
		ck_assert_str_eq(st_status_str(s), names[i]);
	}
	enum st_status s;
	ck_assert_int_eq(st_status_parse("Operational", &s), -1);
	ck_assert_int_eq(st_status_parse("", &s), -1);
	ck_assert_int_eq(st_status_parse(NULL, &s), -1);
	ck_assert_str_eq(st_status_label(ST_PARTIAL_OUTAGE), "Partial Outage");
	ck_assert_str_eq(st_status_label(ST_UNKNOWN), "Unknown");
}
END_TEST

START_TEST(test_ranks)
{
	ck_assert_int_lt(st_status_rank(ST_UNKNOWN), st_status_rank(ST_OPERATIONAL));
	ck_assert_int_lt(st_status_rank(ST_OPERATIONAL), st_status_rank(ST_DEGRADED));
	ck_assert_int_lt(st_status_rank(ST_DEGRADED), st_status_rank(ST_PARTIAL_OUTAGE));
	ck_assert_int_lt(st_status_rank(ST_PARTIAL_OUTAGE), st_status_rank(ST_MAJOR_OUTAGE));
}
END_TEST

START_TEST(test_health_and_tier)
{
	enum st_health h;
	ck_assert_int_eq(st_health_parse("broken", &h), 0);
	ck_assert_int_eq(h, ST_BROKEN);
	ck_assert_int_eq(st_health_parse("dead", &h), -1);
	ck_assert_str_eq(st_health_str(ST_HEALTH_DEGRADED), "degraded");
	enum st_tier t;
	ck_assert_int_eq(st_tier_parse("informational", &t), 0);
	ck_assert_int_eq(t, ST_TIER_INFORMATIONAL);
	ck_assert_int_eq(st_tier_parse("standard", &t), -1);
	ck_assert_str_eq(st_tier_str((enum st_tier)42), "important");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_ranks);
	tcase_add_test(tc, test_health_and_tier);
	suite_add_tcase(s, tc);
	return ts_run(s);
}
