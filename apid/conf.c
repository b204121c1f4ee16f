/*
 * conf: the configuration apid's handlers read. Civetweb's worker threads
 * read settings and secrets while the main thread reloads on SIGHUP, so a
 * configuration is reference counted: a handler takes a reference for the
 * length of its request and the old configuration is freed only when the
 * last reader lets go. The SSE handlers hold one only while they start.
 */
#include <stdlib.h>

#include "apid.h"
#include "log.h"
#include "xalloc.h"

static struct conf_ref *wrap(struct daemon_conf *dc)
{
	struct conf_ref *c = xcalloc(1, sizeof *c);
	c->refs = 1; /* the "current" reference */
	c->dc = *dc;
	return c;
}

void conf_init(struct apid *a, struct daemon_conf *dc)
{
	pthread_mutex_init(&a->conf_lock, NULL);
	a->conf = wrap(dc);
}

struct conf_ref *conf_get(struct apid *a)
{
	pthread_mutex_lock(&a->conf_lock);
	struct conf_ref *c = a->conf;
	c->refs++;
	pthread_mutex_unlock(&a->conf_lock);
	return c;
}

static void unref_locked(struct conf_ref *c)
{
	if (--c->refs == 0) {
		daemon_conf_release(&c->dc);
		free(c);
	}
}

void conf_put(struct apid *a, struct conf_ref *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&a->conf_lock);
	unref_locked(c);
	pthread_mutex_unlock(&a->conf_lock);
}

int conf_reload(struct apid *a)
{
	struct daemon_conf fresh;
	/* daemon_load prints every problem; the line below is what operators
	 * (and t/sh/daemons.sh) look for in the log. */
	if (daemon_load(&a->opts, &fresh) < 0) {
		log_error(
		    "configuration reload failed; still running on the previous configuration");
		return 0;
	}
	if (!guard_proxies_valid(fresh.cfg.trusted_proxies, NULL)) {
		log_error("configuration reload failed: trusted_proxies \"%s\" is not a list of "
			  "addresses and CIDR blocks; still running on the previous configuration",
			  fresh.cfg.trusted_proxies);
		daemon_conf_release(&fresh);
		return 0;
	}
	struct conf_ref *c = wrap(&fresh);
	pthread_mutex_lock(&a->conf_lock);
	struct conf_ref *old = a->conf;
	a->conf = c;
	unref_locked(old);
	pthread_mutex_unlock(&a->conf_lock);
	log_info("configuration reloaded: %zu services, %zu dependency edges", fresh.reg.nservices,
		 fresh.reg.nedges);
	daemon_setup_sentry("apid", &c->dc);
	return 1;
}

void conf_free_all(struct apid *a)
{
	if (!a->conf)
		return;
	pthread_mutex_lock(&a->conf_lock);
	unref_locked(a->conf);
	a->conf = NULL;
	pthread_mutex_unlock(&a->conf_lock);
	pthread_mutex_destroy(&a->conf_lock);
}
