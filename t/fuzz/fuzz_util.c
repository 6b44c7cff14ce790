/*
 * Copyright (C) nginx-sts authors
 *
 * fuzz_util: the small parsers every request goes through (libFuzzer):
 * dates (Date / x-oss-date / Expires / Timestamp forms), decimal numbers,
 * base64 and base64url.
 *
 * Input: one selector byte, then the text.  Checked: a date accepted is
 * in the range the formatters print, and printed then parsed again gives
 * the same time; a number accepted is printed back to the same digits
 * (leading zeros aside); decoded base64 encodes and decodes again to the
 * same bytes and never exceeds the size the caller was told to reserve.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts_util.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_dates(const char *s, size_t len)
{
    int64_t  t, u;
    char     rfc[STS_RFC1123_LEN + 1], iso[STS_ISO8601_LEN + 1];
    char     basic[STS_ISO8601_BASIC_LEN + 1];

    if (sts_parse_rfc1123(s, len, &t) == STS_OK) {
        sts_format_rfc1123(rfc, t);
        if (sts_parse_rfc1123(rfc, strlen(rfc), &u) != STS_OK || u != t) {
            abort();
        }
    }

    if (sts_parse_iso8601(s, len, &t) == STS_OK) {
        /* "0000-01-01" .. "9999-12-31", as the formatters assume */
        if (t < -62167219200LL || t > 253402300799LL) {
            abort();
        }

        sts_format_iso8601(iso, t);
        if (sts_parse_iso8601(iso, strlen(iso), &u) != STS_OK || u != t) {
            abort();
        }

        sts_format_iso8601_basic(basic, t);
        if (sts_parse_iso8601(basic, strlen(basic), &u) != STS_OK
            || u != t)
        {
            abort();
        }
    }
}


static void
fuzz_number(const char *s, size_t len)
{
    char      buf[32];
    size_t    i;
    uint64_t  v;

    if (sts_parse_uint64(s, len, &v) != STS_OK) {
        return;
    }

    for (i = 0; i + 1 < len && s[i] == '0'; i++) {
        /* void */
    }

    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    if (strlen(buf) != len - i || memcmp(buf, s + i, len - i) != 0) {
        abort();
    }
}


static void
fuzz_base64(const char *s, size_t len, int url)
{
    int             rc;
    char           *enc;
    size_t          n, m, max, elen;
    unsigned char  *out, *again;

    max = sts_base64_decoded_max(len);
    out = malloc(max ? max : 1);
    if (out == NULL) {
        return;
    }

    rc = url ? sts_base64url_decode(out, &n, s, len)
             : sts_base64_decode(out, &n, s, len);

    if (rc != STS_OK) {
        free(out);
        return;
    }

    if (n > max) {
        abort();
    }

    elen = url ? sts_base64url_encoded_len(n) : sts_base64_encoded_len(n);
    enc = malloc(elen + 1);
    again = malloc(n ? n : 1);

    if (enc != NULL && again != NULL) {
        m = url ? sts_base64url_encode(enc, out, n)
                : sts_base64_encode(enc, out, n);

        if (m > elen || m > sts_base64_decoded_max(m) * 2 + 4) {
            abort();
        }

        rc = url ? sts_base64url_decode(again, &m, enc, m)
                 : sts_base64_decode(again, &m, enc, m);

        if (rc != STS_OK || m != n || (n && memcmp(again, out, n) != 0)) {
            abort();
        }
    }

    free(enc);
    free(again);
    free(out);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char    *s;
    size_t   len;

    if (size < 1) {
        return 0;
    }

    /* an exact-size copy, so reads past the end are caught */
    len = size - 1;
    s = malloc(len ? len : 1);
    if (s == NULL) {
        return 0;
    }

    memcpy(s, data + 1, len);

    switch (data[0] % 4) {
    case 0:
        fuzz_dates(s, len);
        break;
    case 1:
        fuzz_number(s, len);
        break;
    case 2:
        fuzz_base64(s, len, 0);
        break;
    default:
        fuzz_base64(s, len, 1);
    }

    free(s);

    return 0;
}
