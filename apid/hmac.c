/*
 * hmac: SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) for the inbound
 * signatures (Slack v0, the seed's Statuspage header), constant-time
 * comparison for every secret apid checks, and a small replay cache for
 * signed Slack requests. SHA-256 is written out here rather than taken from
 * OpenSSL so apid links nothing beyond the project's six libraries; the unit
 * test checks it against the RFC 4231 vectors.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "apid.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

struct sha256_ctx {
	uint32_t h[8];
	unsigned char block[64];
	size_t fill;
	uint64_t total;
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 =
		    hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

static void sha_init(struct sha256_ctx *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof iv);
	c->fill = 0;
	c->total = 0;
}

static void sha_update(struct sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	c->total += len;
	while (len) {
		size_t n = 64 - c->fill < len ? 64 - c->fill : len;
		memcpy(c->block + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill == 64) {
			compress(c->h, c->block);
			c->fill = 0;
		}
	}
}

static void sha_final(struct sha256_ctx *c, unsigned char out[32])
{
	uint64_t bits = c->total * 8;
	unsigned char pad = 0x80;
	sha_update(c, &pad, 1);
	pad = 0;
	while (c->fill != 56)
		sha_update(c, &pad, 1);
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha_update(c, len, 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

void sha256(const void *data, size_t len, unsigned char out[32])
{
	struct sha256_ctx c;
	sha_init(&c);
	sha_update(&c, data, len);
	sha_final(&c, out);
}

void hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32])
{
	unsigned char k[64] = {0}, pad[64], inner[32];
	if (klen > 64)
		sha256(key, klen, k);
	else if (klen)
		memcpy(k, key, klen);
	struct sha256_ctx c;
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha_init(&c);
	sha_update(&c, pad, 64);
	sha_update(&c, msg, mlen);
	sha_final(&c, inner);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha_init(&c);
	sha_update(&c, pad, 64);
	sha_update(&c, inner, 32);
	sha_final(&c, out);
}

void hex_lower(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	/* Walk the whole secret whatever the guess, so the time taken says
	 * nothing about how much of it matched. */
	unsigned diff = la != lb;
	for (size_t i = 0; i < lb; i++)
		diff |= (unsigned char)(i < la ? a[i] : 0) ^ (unsigned char)b[i];
	return diff == 0;
}

/* Recently accepted requests (Slack signatures, Statuspage service + body):
 * a replay inside the timestamp window is refused. Slack signs every
 * delivery with a fresh timestamp, so a duplicate is never legitimate. Only
 * authenticated requests are recorded, so strangers cannot flush the ring;
 * it lives in memory (a restart forgets it, and the 5-minute timestamp
 * window still bounds what could be replayed after one). */
#define REPLAY_SLOTS 2048
static struct {
	uint64_t key;
	int64_t expires;
} replay[REPLAY_SLOTS];
static size_t replay_next;
static pthread_mutex_t replay_lock = PTHREAD_MUTEX_INITIALIZER;

int replay_seen(const void *data, size_t len, int64_t now_ms)
{
	unsigned char d[32];
	sha256(data, len, d);
	uint64_t key = 0;
	for (int i = 0; i < 8; i++)
		key = key << 8 | d[i];
	int seen = 0;
	pthread_mutex_lock(&replay_lock);
	for (size_t i = 0; i < REPLAY_SLOTS && !seen; i++)
		seen = replay[i].key == key && replay[i].expires > now_ms;
	if (!seen) { /* a ring: the oldest entry goes first */
		replay[replay_next].key = key;
		replay[replay_next].expires = now_ms + 2 * APID_SIGNATURE_WINDOW_S * 1000LL;
		replay_next = (replay_next + 1) % REPLAY_SLOTS;
	}
	pthread_mutex_unlock(&replay_lock);
	return seen;
}

int sig_ts_fresh(long long t, int64_t now_ms)
{
	/* Compare without subtracting t: a hostile timestamp such as
	 * -9223372036854775808 would overflow now - t. */
	long long now = (long long)(now_ms / 1000);
	return t >= now - APID_SIGNATURE_WINDOW_S && t <= now + APID_SIGNATURE_WINDOW_S;
}
