/*
 * lists: ?worst=N on the summary and the per-service history endpoints
 * (doc/scale.md#lists). With 10,000 services the banner needs the counts and
 * the few worst services, not a row for each: these routes answer, when
 * asked, their usual object with the per-service part cut to the N worst and
 * aggregates over all of them added beside it. Without the parameter the
 * answer is byte for byte the old one. The cut is applied to the built tree
 * just before it is printed (req.post), so the resource files build as
 * before and the cut answer is cached like any other (its key has the
 * query).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "xalloc.h"

struct scored {
	double score; /* lower is worse */
	cJSON *item;
};

static int by_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	/* ties: keep the original order (qsort is not stable) */
	return x->item < y->item ? -1 : x->item > y->item;
}

/* A child as a tree: parsed into *tmp (the caller deletes it) when it is
 * raw text (json_list_item). */
static const cJSON *tree(const cJSON *c, cJSON **tmp)
{
	*tmp = cJSON_IsRaw(c) ? cJSON_Parse(c->valuestring) : NULL;
	return *tmp ? *tmp : c;
}

/* Keep the n children of container (object or array) with the lowest score,
 * worst first; returns how many there were. */
static int keep_worst(cJSON *container, long n, double (*score)(const cJSON *))
{
	int total = cJSON_GetArraySize(container);
	if (total == 0)
		return 0;
	struct scored *v = xcalloc((size_t)total, sizeof *v);
	int k = 0;
	for (cJSON *c = container->child; c; c = c->next, k++) {
		cJSON *tmp;
		v[k].score = score(tree(c, &tmp));
		cJSON_Delete(tmp);
		v[k].item = c;
	}
	qsort(v, (size_t)total, sizeof *v, by_score);
	/* Detach all, then put back the first n in order; drop the rest. */
	for (k = 0; k < total; k++)
		cJSON_DetachItemViaPointer(container, v[k].item);
	for (k = 0; k < total; k++) {
		if (k < n) {
			if (cJSON_IsObject(container))
				cJSON_AddItemToObject(container, v[k].item->string, v[k].item);
			else
				cJSON_AddItemToArray(container, v[k].item);
		} else {
			cJSON_Delete(v[k].item);
		}
	}
	free(v);
	return total;
}

/* A number, or +inf (sorts last) when missing or null. */
static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : INFINITY;
}

/* Mean of the "uptime" of the day objects in a history array (+inf: none). */
static double history_mean(const cJSON *arr)
{
	double sum = 0;
	int n = 0;
	const cJSON *d;
	cJSON_ArrayForEach(d, arr)
	{
		double u = num(d, "uptime");
		if (isfinite(u)) {
			sum += u;
			n++;
		}
	}
	return n ? sum / n : INFINITY;
}

static double sla_score(const cJSON *o)
{
	double u = num(o, "uptime_30d");
	return isfinite(u) ? u : num(o, "uptime_7d");
}

static double slo_score(const cJSON *o)
{
	return num(o, "error_budget_remaining_pct");
}

/* Per-day worst statuses: the sum of how bad each day was, negated. */
static double uptime_score(const cJSON *o)
{
	double bad = 0;
	const cJSON *d;
	cJSON_ArrayForEach(d, o)
	{
		int r = cJSON_IsString(d) ? status_rank5(d->valuestring) : 0;
		bad += r >= 2 ? r : 0;
	}
	return -bad;
}

static void post_summary(struct req *r, cJSON *data, cJSON *meta)
{
	(void)meta;
	cJSON *inc = cJSON_GetObjectItemCaseSensitive(data, "active_incidents");
	int total = cJSON_GetArraySize(inc);
	/* Already ordered worst first (major, partial, degraded; newest). */
	while (cJSON_GetArraySize(inc) > r->post_n)
		cJSON_DeleteItemFromArray(inc, cJSON_GetArraySize(inc) - 1);
	cJSON_AddNumberToObject(data, "active_incidents_total", total);
}

static void post_history(struct req *r, cJSON *data, cJSON *meta)
{
	(void)meta;
	cJSON *svcs = cJSON_GetObjectItemCaseSensitive(data, "services");
	cJSON *days = cJSON_GetObjectItemCaseSensitive(data, "days");
	int nd = cJSON_GetArraySize(days);
	/* Aggregate over every service first: the mean uptime of each day. */
	double *sum = xcalloc((size_t)nd + 1, sizeof *sum);
	int *cnt = xcalloc((size_t)nd + 1, sizeof *cnt);
	const cJSON *s;
	cJSON_ArrayForEach(s, svcs)
	{
		int i = 0;
		cJSON *tmp;
		/* Parsed once, here: cJSON_ArrayForEach evaluates its array
		 * argument twice, and each parse left a tree behind. */
		const cJSON *days_of = tree(s, &tmp);
		const cJSON *d;
		cJSON_ArrayForEach(d, days_of)
		{
			double u = num(d, "uptime");
			if (i < nd && isfinite(u)) {
				sum[i] += u;
				cnt[i]++;
			}
			i++;
		}
		cJSON_Delete(tmp);
	}
	cJSON *agg = cJSON_CreateArray();
	int i = 0;
	const cJSON *day;
	cJSON_ArrayForEach(day, days)
	{
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "date", cJSON_Duplicate(day, 1));
		cJSON_AddItemToObject(o, "mean_uptime",
				      cnt[i] ? json_pct(sum[i] / cnt[i]) : cJSON_CreateNull());
		cJSON_AddNumberToObject(o, "services", cnt[i]);
		cJSON_AddItemToArray(agg, o);
		i++;
	}
	free(sum);
	free(cnt);
	int total = keep_worst(svcs, r->post_n, history_mean);
	cJSON_AddItemToObject(data, "aggregate", agg);
	cJSON_AddNumberToObject(data, "services_total", total);
}

static void post_sla(struct req *r, cJSON *data, cJSON *meta)
{
	(void)meta;
	cJSON *svcs = cJSON_GetObjectItemCaseSensitive(data, "services");
	int total = keep_worst(svcs, r->post_n, sla_score);
	cJSON_AddNumberToObject(data, "services_total", total);
}

static void post_uptime(struct req *r, cJSON *data, cJSON *meta)
{
	(void)meta;
	cJSON *svcs = cJSON_GetObjectItemCaseSensitive(data, "services");
	int total = keep_worst(svcs, r->post_n, uptime_score);
	cJSON_AddNumberToObject(data, "services_total", total);
}

static void post_slo(struct req *r, cJSON *data, cJSON *meta)
{
	(void)meta;
	cJSON *svcs = cJSON_GetObjectItemCaseSensitive(data, "services");
	int fast = 0, slow = 0;
	const cJSON *s;
	cJSON_ArrayForEach(s, svcs)
	{
		cJSON *tmp;
		const cJSON *row = tree(s, &tmp);
		fast += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "fast_burning"));
		slow += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "slow_burning"));
		cJSON_Delete(tmp);
	}
	int total = keep_worst(svcs, r->post_n, slo_score);
	cJSON_AddNumberToObject(data, "services_total", total);
	cJSON_AddNumberToObject(data, "fast_burning_count", fast);
	cJSON_AddNumberToObject(data, "slow_burning_count", slow);
}

/* worst=N (1..1000); absent: the full answer. 0, or -1 after a 422. */
static int worst_param(struct req *r, void (*post)(struct req *, cJSON *, cJSON *))
{
	cJSON *errs = cJSON_CreateArray();
	long n;
	if (q_int(r, "worst", 0, 1, 1000, &n, errs) < 0) {
		http_validation(r, errs);
		return -1;
	}
	cJSON_Delete(errs);
	if (n > 0) {
		r->post = post;
		r->post_n = n;
	}
	return 0;
}

void h_summary_worst(struct req *r)
{
	if (worst_param(r, post_summary) == 0)
		h_summary(r);
}

void h_sla_history_worst(struct req *r)
{
	if (worst_param(r, post_history) == 0)
		h_sla_history(r);
}

void h_sla_worst(struct req *r)
{
	if (worst_param(r, post_sla) == 0)
		h_sla(r);
}

void h_uptime_worst(struct req *r)
{
	if (worst_param(r, post_uptime) == 0)
		h_uptime(r);
}

void h_slo_worst(struct req *r)
{
	if (worst_param(r, post_slo) == 0)
		h_slo(r);
}

void summary_trim(cJSON *data, long n)
{
	struct req r = {.post_n = n};
	post_summary(&r, data, NULL);
}
