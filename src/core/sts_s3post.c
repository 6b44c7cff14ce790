/*
 * Copyright (C) nginx-sts authors
 *
 * sts_s3post: an allowed PostObject as an S3 PutObject (sts_s3post.h).
 */

#include <string.h>

#include "sts_s3post.h"


static int sts_s3post_in(sts_str_t name, const char *const *list);
static int sts_s3post_prefix(sts_str_t s, const char *prefix);
static void sts_s3post_xml(sts_buf_t *out, const char *tag, sts_str_t v);


/* the attributes PutObject takes as headers of the same name */
static const char *const  sts_s3post_headers[] = {
    "Content-Type", "Cache-Control", "Content-Disposition",
    "Content-Encoding", "Expires", NULL
};

/* the gateway's: the form's credentials, signature and answer */
static const char *const  sts_s3post_gateway[] = {
    "x-oss-signature-version", "x-oss-credential", "x-oss-date",
    "x-oss-signature", "x-oss-security-token", NULL
};


int
sts_s3post_field(sts_str_t name, sts_str_t value)
{
    size_t         i;
    unsigned char  c;

    if (sts_s3post_in(name, sts_s3post_gateway)) {
        return STS_S3POST_SKIP;
    }

    if (!sts_s3post_in(name, sts_s3post_headers)
        && !sts_s3post_prefix(name, "x-oss-"))
    {
        /* key, policy, Signature, success_action_*, or unknown to OSS */
        return STS_S3POST_SKIP;
    }

    for (i = 0; i < name.len; i++) {
        c = (unsigned char) name.data[i];

        /* an HTTP token */
        if (c <= 0x20 || c >= 0x7f
            || strchr("\"(),/:;<=>?@[\\]{}", c) != NULL)
        {
            return STS_EINVAL;
        }
    }

    for (i = 0; i < value.len; i++) {
        c = (unsigned char) value.data[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return STS_EINVAL;
        }
    }

    return STS_S3POST_HEADER;
}


int
sts_s3post_status(const sts_str_t *field)
{
    sts_str_t  v;

    if (field == NULL) {
        return 204;
    }

    v = sts_str_trim(*field);

    if (sts_str_eq(v, "200")) {
        return 200;
    }

    if (sts_str_eq(v, "201")) {
        return 201;
    }

    return 204;
}


int
sts_s3post_redirect_ok(sts_str_t url)
{
    size_t         i;
    unsigned char  c;

    /* a scheme and a host at least */
    if (!(sts_s3post_prefix(url, "http://") && url.len > 7)
        && !(sts_s3post_prefix(url, "https://") && url.len > 8))
    {
        return 0;
    }

    for (i = 0; i < url.len; i++) {
        c = (unsigned char) url.data[i];

        if (c <= 0x20 || c >= 0x7f) {
            return 0;
        }
    }

    return 1;
}


int
sts_s3post_location(sts_buf_t *out, sts_str_t url, sts_str_t bucket,
    sts_str_t key, sts_str_t etag)
{
    (void) sts_buf_append(out, url.data, url.len);
    (void) sts_buf_append_char(out,
                               memchr(url.data, '?', url.len) ? '&' : '?');
    (void) sts_buf_append_str(out, "bucket=");
    (void) sts_uri_encode(out, bucket.data, bucket.len, 0);
    (void) sts_buf_append_str(out, "&key=");
    (void) sts_uri_encode(out, key.data, key.len, 0);
    (void) sts_buf_append_str(out, "&etag=");
    (void) sts_uri_encode(out, etag.data, etag.len, 0);

    return sts_buf_ok(out);
}


int
sts_s3post_response(sts_buf_t *out, sts_str_t bucket, sts_str_t key,
    sts_str_t location, sts_str_t etag)
{
    (void) sts_buf_append_str(out,
                              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<PostResponse>\n");
    sts_s3post_xml(out, "Bucket", bucket);
    sts_s3post_xml(out, "Location", location);
    sts_s3post_xml(out, "Key", key);
    sts_s3post_xml(out, "ETag", etag);
    (void) sts_buf_append_str(out, "</PostResponse>\n");

    return sts_buf_ok(out);
}


static void
sts_s3post_xml(sts_buf_t *out, const char *tag, sts_str_t v)
{
    size_t       i;
    const char  *rep;

    (void) sts_buf_appendf(out, "  <%s>", tag);

    for (i = 0; i < v.len; i++) {
        switch (v.data[i]) {
        case '&':  rep = "&amp;";  break;
        case '<':  rep = "&lt;";   break;
        case '>':  rep = "&gt;";   break;
        default:   rep = NULL;     break;
        }

        if (rep != NULL) {
            (void) sts_buf_append_str(out, rep);

        } else {
            (void) sts_buf_append_char(out, v.data[i]);
        }
    }

    (void) sts_buf_appendf(out, "</%s>\n", tag);
}


static int
sts_s3post_in(sts_str_t name, const char *const *list)
{
    for ( /* void */ ; *list; list++) {
        if (sts_str_caseeq(name, *list)) {
            return 1;
        }
    }

    return 0;
}


static int
sts_s3post_prefix(sts_str_t s, const char *prefix)
{
    size_t  i, n;

    n = strlen(prefix);

    if (s.len < n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if ((s.data[i] | 0x20) != (prefix[i] | 0x20)) {
            return 0;
        }
    }

    return 1;
}
