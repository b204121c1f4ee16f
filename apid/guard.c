/*
 * guard: who the client is and how much of apid it may hold at once.
 *
 * Every civetweb worker a client occupies is one that cannot answer anyone
 * else, so apid counts, per client address, the requests in progress and the
 * open event streams, and refuses (503 + Retry-After, connection closed) the
 * ones past apid_client_max_requests / apid_client_max_streams; request
 * bodies, the one place a slow peer can stall a worker after its headers,
 * also have a server-wide cap (APID_BODY_READERS_MAX, workers reserved for
 * them) so readers keep answering while slow bodies are cut.
 *
 * A body read has a total deadline, but civetweb only gives up on a read
 * when the peer stays silent for request_timeout_ms: one byte every few
 * seconds keeps it going. So each body reader is registered with its socket
 * and deadline, and the main loop's guard_watch() shuts the socket's read
 * side once the deadline passes: the pending read returns at once, and the
 * handler answers 408 on the still-open write side.
 *
 * The client address is the socket peer, unless the peer is one of the
 * trusted_proxies: then it is the right-most X-Forwarded-For entry that is not
 * itself a trusted proxy. A forwarded header from anyone else is ignored, so
 * a client cannot pick the address it is counted (and logged) under.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "apid.h"

/* An address or a CIDR block, parsed. */
struct net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

static int parse_addr(const char *s, size_t n, struct net *out)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *slash = strchr(tmp, '/');
	long bits = -1;
	if (slash) {
		*slash = '\0';
		char *end;
		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end)
			return -1;
	}
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, tmp, out->addr) == 1) {
		out->family = AF_INET;
		out->bits = bits < 0 ? 32 : (int)bits;
		return bits > 32 ? -1 : 0;
	}
	if (inet_pton(AF_INET6, tmp, out->addr) == 1) {
		out->family = AF_INET6;
		out->bits = bits < 0 ? 128 : (int)bits;
		return bits > 128 ? -1 : 0;
	}
	return -1;
}

static int net_contains(const struct net *n, const struct net *a)
{
	if (n->family != a->family)
		return 0;
	int full = n->bits / 8, rest = n->bits % 8;
	if (memcmp(n->addr, a->addr, (size_t)full))
		return 0;
	if (!rest)
		return 1;
	unsigned char mask = (unsigned char)(0xFF << (8 - rest));
	return (n->addr[full] & mask) == (a->addr[full] & mask);
}

/* Is addr (n bytes) in the comma/space separated list of addresses and
 * CIDR blocks? */
static int in_list(const char *list, const char *addr, size_t n)
{
	struct net a, net;
	if (!list || parse_addr(addr, n, &a) < 0)
		return 0;
	for (const char *p = list; *p;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		const char *e = p;
		while (*e && *e != ',' && !isspace((unsigned char)*e))
			e++;
		if (e > p && parse_addr(p, (size_t)(e - p), &net) == 0 && net_contains(&net, &a))
			return 1;
		p = e;
	}
	return 0;
}

int guard_proxies_valid(const char *list, const char **bad)
{
	struct net net;
	for (const char *p = list ? list : ""; *p;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		const char *e = p;
		while (*e && *e != ',' && !isspace((unsigned char)*e))
			e++;
		if (e > p && parse_addr(p, (size_t)(e - p), &net) < 0) {
			if (bad)
				*bad = p;
			return 0;
		}
		p = e;
	}
	return 1;
}

void guard_client_addr(const char *peer, const char *xff, const char *trusted, char *out,
		       size_t outlen)
{
	snprintf(out, outlen, "%s", peer ? peer : "");
	if (!xff || !trusted || !*trusted || !peer || !in_list(trusted, peer, strlen(peer)))
		return;
	/* Right to left: each hop appended the address it saw. The first one
	 * that is not our own proxy is the client; anything left of it was
	 * written by the client and proves nothing. */
	const char *end = xff + strlen(xff);
	while (end > xff) {
		const char *e = end;
		while (e > xff && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		const char *s = e;
		while (s > xff && s[-1] != ',')
			s--;
		const char *b = s;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		struct net a;
		size_t n = (size_t)(e - b);
		if (parse_addr(b, n, &a) < 0 || a.bits != (a.family == AF_INET ? 32 : 128))
			return; /* garbage: keep the last address we could trust */
		snprintf(out, outlen, "%.*s", (int)n, b);
		if (!in_list(trusted, b, n))
			return;
		end = s > xff ? s - 1 : xff;
	}
}

/* ---- per-address counters ------------------------------------------------ */

/* Slots in use are those with a non-zero count; at most one per worker
 * thread can be in use, so the table never fills up. */
#define GUARD_SLOTS 1024
struct slot {
	char addr[GUARD_ADDR_LEN];
	int count[GUARD_NKINDS];
};
static struct slot slots[GUARD_SLOTS];
static int body_readers;
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;

static int slot_used(const struct slot *s)
{
	for (int k = 0; k < GUARD_NKINDS; k++)
		if (s->count[k])
			return 1;
	return 0;
}

int guard_enter(const char *addr, enum guard_kind kind, int max)
{
	int rc = -1;
	pthread_mutex_lock(&guard_lock);
	struct slot *found = NULL, *free_slot = NULL;
	for (size_t i = 0; i < GUARD_SLOTS && !found; i++) {
		if (!slot_used(&slots[i])) {
			if (!free_slot)
				free_slot = &slots[i];
		} else if (!strcmp(slots[i].addr, addr)) {
			found = &slots[i];
		}
	}
	if (!found && free_slot) {
		found = free_slot;
		snprintf(found->addr, sizeof found->addr, "%s", addr);
	}
	if (found && found->count[kind] < max) {
		found->count[kind]++;
		rc = 0;
	}
	pthread_mutex_unlock(&guard_lock);
	return rc;
}

void guard_leave(const char *addr, enum guard_kind kind)
{
	pthread_mutex_lock(&guard_lock);
	for (size_t i = 0; i < GUARD_SLOTS; i++) {
		if (slots[i].count[kind] > 0 && !strcmp(slots[i].addr, addr)) {
			slots[i].count[kind]--;
			break;
		}
	}
	pthread_mutex_unlock(&guard_lock);
}

/* The readers' sockets and deadlines (fd -1: slot free). */
static struct {
	int fd;
	int64_t deadline_ms;
	int fired;
} readers[APID_BODY_READERS_MAX];

int guard_body_enter(int fd, int64_t deadline_ms)
{
	int slot = -1;
	pthread_mutex_lock(&guard_lock);
	if (body_readers < APID_BODY_READERS_MAX) {
		body_readers++;
		for (int i = 0; i < APID_BODY_READERS_MAX && slot < 0; i++)
			if (!readers[i].deadline_ms)
				slot = i;
		readers[slot].fd = fd;
		readers[slot].deadline_ms = deadline_ms;
		readers[slot].fired = 0;
	}
	pthread_mutex_unlock(&guard_lock);
	return slot;
}

int guard_body_leave(int slot)
{
	int fired = 0;
	pthread_mutex_lock(&guard_lock);
	if (slot >= 0 && slot < APID_BODY_READERS_MAX && readers[slot].deadline_ms) {
		fired = readers[slot].fired;
		readers[slot].deadline_ms = 0;
		readers[slot].fd = -1;
		body_readers--;
	}
	pthread_mutex_unlock(&guard_lock);
	return fired;
}

int guard_watch(int64_t now_ms)
{
	int n = 0;
	pthread_mutex_lock(&guard_lock);
	for (int i = 0; i < APID_BODY_READERS_MAX; i++) {
		if (!readers[i].deadline_ms || readers[i].fired || now_ms < readers[i].deadline_ms)
			continue;
		/* The reader is still inside its read (it unregisters under this
		 * lock before the socket can be closed), so fd is its socket. */
		readers[i].fired = 1;
		if (readers[i].fd >= 0)
			shutdown(readers[i].fd, SHUT_RD);
		n++;
	}
	pthread_mutex_unlock(&guard_lock);
	return n;
}

/* Does socket fd connect local port lport with peer addr:port? */
static int fd_is(int fd, const char *addr, int port, int lport)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	int lp = ss.ss_family == AF_INET    ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
		 : ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					    : -1;
	len = sizeof ss;
	if (lp != lport || getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	char text[INET6_ADDRSTRLEN];
	int pp;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
		pp = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
		pp = ntohs(in6->sin6_port);
	}
	return pp == port && !strcmp(text, addr);
}

int guard_conn_fd(const char *peer, int peer_port, int local_port)
{
	/* civetweb does not hand out the socket; find it by its two ends.
	 * /proc/self/fd lists only the open descriptors (Linux); elsewhere
	 * the low ones are tried. */
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		int found = -1;
		const struct dirent *e;
		while (found < 0 && (e = readdir(d))) {
			if (!isdigit((unsigned char)e->d_name[0]))
				continue;
			int fd = (int)strtol(e->d_name, NULL, 10);
			if (fd != dirfd(d) && fd_is(fd, peer, peer_port, local_port))
				found = fd;
		}
		closedir(d);
		return found;
	}
	for (int fd = 3; fd < 4096; fd++)
		if (fd_is(fd, peer, peer_port, local_port))
			return fd;
	return -1;
}
