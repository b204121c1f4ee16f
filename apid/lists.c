/*
 * lists: ?worst=N on the summary and the per-service history endpoints
 * (doc/scale.md#lists). With 10,000 services the banner needs the counts and
 * the few worst services, not a row for each: these routes answer, when
 * asked, their usual object with the per-service part cut to the N worst and
 * aggregates over all of them added beside it. Without the parameter the
 * answer is byte for byte the old one. The uptime and SLA answers are cut
 * once built, just before they are printed (req.post). The SLA history and
 * the SLO list, the large ones the dashboard reads cut, keep only the N
 * worst rows while they are built (worst_keep: a bounded heap), and the
 * summary builds only its N worst incidents (they come worst first; the
 * others are counted), so a build holds N rows, not 10,000
 * (doc/scale.md#memory). Either way
 * the cut answer is cached like any other (its key has the query).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "xalloc.h"

/* One kept row: lower score is worse; seq is the order it was offered in,
 * so ties keep the list's order. */
struct kept {
	double score;
	size_t seq;
	char *key;
	cJSON *item;
};

struct worst_keep {
	struct kept *v; /* a max-heap: v[0] is the best row kept */
	size_t n, cap;
	size_t offered;
};

/* a ranks after b: better score, or the same score offered later. */
static int after(const struct kept *a, const struct kept *b)
{
	return a->score != b->score ? a->score > b->score : a->seq > b->seq;
}

static void sift_down(struct kept *v, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && after(&v[l], &v[m]))
			m = l;
		if (r < n && after(&v[r], &v[m]))
			m = r;
		if (m == i)
			return;
		struct kept t = v[i];
		v[i] = v[m];
		v[m] = t;
		i = m;
	}
}

struct worst_keep *worst_keep_new(long n)
{
	struct worst_keep *k = xcalloc(1, sizeof *k);
	k->cap = n > 0 ? (size_t)n : 0;
	k->v = xcalloc(k->cap ? k->cap : 1, sizeof *k->v);
	return k;
}

void worst_keep_offer(struct worst_keep *k, double score, const char *key, cJSON *item)
{
	struct kept e = {score, k->offered++, NULL, item};
	if (k->n < k->cap) {
		e.key = key ? xstrdup(key) : NULL;
		size_t i = k->n++;
		k->v[i] = e;
		while (i > 0 && after(&k->v[i], &k->v[(i - 1) / 2])) {
			struct kept t = k->v[i];
			k->v[i] = k->v[(i - 1) / 2];
			k->v[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
		return;
	}
	if (!k->n || !after(&k->v[0], &e)) {
		cJSON_Delete(item); /* not among the worst */
		return;
	}
	cJSON_Delete(k->v[0].item);
	free(k->v[0].key);
	e.key = key ? xstrdup(key) : NULL;
	k->v[0] = e;
	sift_down(k->v, k->n, 0);
}

static int by_rank(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	return after(x, y) ? 1 : after(y, x) ? -1 : 0;
}

int worst_keep_finish(struct worst_keep *k, cJSON *container)
{
	qsort(k->v, k->n, sizeof *k->v, by_rank);
	for (size_t i = 0; i < k->n; i++) {
		if (cJSON_IsObject(container))
			cJSON_AddItemToObject(container, k->v[i].key ? k->v[i].key : "",
					      k->v[i].item);
		else
			cJSON_AddItemToArray(container, k->v[i].item);
		free(k->v[i].key);
	}
	int total = (int)k->offered;
	free(k->v);
	free(k);
	return total;
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
	struct worst_keep *k = worst_keep_new(n);
	cJSON *c;
	while ((c = container->child) != NULL) {
		cJSON_DetachItemViaPointer(container, c);
		cJSON *tmp;
		double sc = score(tree(c, &tmp));
		cJSON_Delete(tmp);
		worst_keep_offer(k, sc, c->string, c);
	}
	return worst_keep_finish(k, container);
}

/* A number, or +inf (sorts last) when missing or null. */
static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : INFINITY;
}

static double sla_score(const cJSON *o)
{
	double u = num(o, "uptime_30d");
	return isfinite(u) ? u : num(o, "uptime_7d");
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

/* worst=N (1..1000); absent: the full answer. post cuts the built answer;
 * NULL when the handler cuts while it builds (r->post_n). 0, or -1 after a
 * 422. */
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
	if (worst_param(r, NULL) == 0)
		h_summary(r);
}

void h_sla_history_worst(struct req *r)
{
	if (worst_param(r, NULL) == 0)
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
	if (worst_param(r, NULL) == 0)
		h_slo(r);
}
