/*
 * Copyright (C) nginx-sts authors
 *
 * sts_replay: the audit texts of a decision and their replay (see
 * sts_replay.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sts_replay.h"


#define STS_REPLAY_MAX_GRANTS    (1 << 16)


static int sts_replay_string(sts_buf_t *b, const char *s, size_t n);
static size_t sts_replay_utf8_len(const unsigned char *s, size_t n);
static int sts_replay_valid_utf8(const char *s, size_t n);
static sts_str_t sts_replay_member(json_t *o, const char *name);
static json_t *sts_replay_text(json_t *o, const char *name);


static const char  *sts_replay_outcomes[] = {
    "ok", "not JSON", "not a decision", "no role (an account root key)",
    "no grants or context recorded"
};


int
sts_replay_grants_json(sts_buf_t *b, const sts_oss_grant_t *g, size_t n)
{
    size_t  i;

    sts_buf_append_char(b, '[');

    for (i = 0; i < n; i++) {
        if (i) {
            sts_buf_append_char(b, ',');
        }

        sts_buf_append_char(b, '[');
        sts_replay_string(b, g[i].action, strlen(g[i].action));
        sts_buf_append_char(b, ',');
        sts_replay_string(b, g[i].resource.data, g[i].resource.len);
        sts_buf_append_char(b, ']');
    }

    sts_buf_append_char(b, ']');

    return sts_buf_ok(b);
}


int
sts_replay_context_json(sts_buf_t *b, const sts_policy_kv_t *kv, size_t n)
{
    size_t  i;

    sts_buf_append_char(b, '[');

    for (i = 0; i < n; i++) {
        if (i) {
            sts_buf_append_char(b, ',');
        }

        sts_buf_append_char(b, '[');
        sts_replay_string(b, kv[i].key.data, kv[i].key.len);
        sts_buf_append_char(b, ',');
        sts_replay_string(b, kv[i].value.data, kv[i].value.len);
        sts_buf_append_char(b, ']');
    }

    sts_buf_append_char(b, ']');

    return sts_buf_ok(b);
}


/* a JSON string; bytes of invalid UTF-8 become \u0080-\u00ff */
static int
sts_replay_string(sts_buf_t *b, const char *s, size_t n)
{
    int            valid;
    size_t         i;
    unsigned char  c;

    valid = sts_replay_valid_utf8(s, n);

    sts_buf_append_char(b, '"');

    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            sts_buf_append_char(b, '\\');
            sts_buf_append_char(b, (char) c);

        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !valid)) {
            sts_buf_appendf(b, "\\u%04x", (unsigned) c);

        } else {
            sts_buf_append_char(b, (char) c);
        }
    }

    return sts_buf_append_char(b, '"');
}


/* the length of the valid UTF-8 sequence at |s|, 0 if none */
static size_t
sts_replay_utf8_len(const unsigned char *s, size_t n)
{
    size_t    len, i;
    uint32_t  cp, min;

    if (s[0] < 0x80) {
        return 1;
    }

    if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = s[0] & 0x1f;
        min = 0x80;

    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0f;
        min = 0x800;

    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = s[0] & 0x07;
        min = 0x10000;

    } else {
        return 0;
    }

    if (len > n) {
        return 0;
    }

    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }

        cp = (cp << 6) | (s[i] & 0x3f);
    }

    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }

    return len;
}


static int
sts_replay_valid_utf8(const char *s, size_t n)
{
    size_t  i, k;

    for (i = 0; i < n; i += k) {
        k = sts_replay_utf8_len((const unsigned char *) s + i, n - i);
        if (k == 0) {
            return 0;
        }
    }

    return 1;
}


const char *
sts_replay_outcome_name(int outcome)
{
    if (outcome < 0 || outcome >= STS_REPLAY_NUM_OUTCOMES) {
        return "unknown";
    }

    return sts_replay_outcomes[outcome];
}


static sts_str_t
sts_replay_member(json_t *o, const char *name)
{
    json_t     *v;
    sts_str_t   s;

    v = json_object_get(o, name);

    if (json_is_string(v)) {
        s.data = json_string_value(v);
        s.len = json_string_length(v);

    } else {
        s.data = "";
        s.len = 0;
    }

    return s;
}


/* a member holding a JSON text (as a string, or inline), decoded */
static json_t *
sts_replay_text(json_t *o, const char *name)
{
    json_t        *v;
    json_error_t   jerr;

    v = json_object_get(o, name);

    if (json_is_array(v)) {
        return json_incref(v);
    }

    if (!json_is_string(v) || json_string_length(v) == 0) {
        return NULL;
    }

    return json_loadb(json_string_value(v), json_string_length(v), 0, &jerr);
}


int
sts_replay_parse(const char *line, size_t len, sts_replay_rec_t *rec)
{
    size_t         i, n;
    json_t        *root, *g, *c, *pair, *k, *v;
    json_error_t   jerr;

    memset(rec, 0, sizeof(sts_replay_rec_t));

    if (len > STS_REPLAY_MAX_LINE) {
        return STS_REPLAY_NOT_JSON;
    }

    root = json_loadb(line, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return STS_REPLAY_NOT_JSON;
    }

    rec->json[0] = root;
    rec->decision = sts_replay_member(root, "decision");
    rec->role_arn = sts_replay_member(root, "role_arn");
    rec->api = sts_replay_member(root, "api");
    rec->action = sts_replay_member(root, "action");
    rec->bucket = sts_replay_member(root, "bucket");
    rec->object = sts_replay_member(root, "object");
    rec->request_id = sts_replay_member(root, "request_id");

    if (sts_str_eq(rec->decision, "allow")) {
        rec->allowed = 1;

    } else if (!sts_str_eq(rec->decision, "deny")
               && !sts_str_eq(rec->decision, "implicit-deny"))
    {
        return STS_REPLAY_NOT_DECIDED;
    }

    /* an account's root key is allowed by ownership, not by policies */
    if (rec->role_arn.len == 0
        || sts_str_eq(sts_replay_member(root, "statement"), "root"))
    {
        return STS_REPLAY_NO_ROLE;
    }

    g = sts_replay_text(root, "grants");
    rec->json[1] = g;
    c = sts_replay_text(root, "context");
    rec->json[2] = c;

    if (!json_is_array(g) || !json_is_array(c) || json_array_size(g) == 0
        || json_array_size(g) > STS_REPLAY_MAX_GRANTS
        || json_array_size(c) > STS_REPLAY_MAX_CONTEXT)
    {
        return STS_REPLAY_NO_GRANTS;
    }

    n = json_array_size(g);

    rec->grants = sts_calloc(&sts_malloc_allocator,
                             n * sizeof(sts_oss_grant_t));
    if (rec->grants == NULL) {
        return STS_REPLAY_NO_GRANTS;
    }

    for (i = 0; i < n; i++) {
        pair = json_array_get(g, i);
        k = json_array_get(pair, 0);
        v = json_array_get(pair, 1);

        if (json_array_size(pair) != 2 || !json_is_string(k)
            || !json_is_string(v) || json_string_length(k) == 0
            || json_string_length(k) > STS_POLICY_MAX_ACTION_LEN
            || strlen(json_string_value(k)) != json_string_length(k))
        {
            return STS_REPLAY_NO_GRANTS;
        }

        rec->grants[i].action = json_string_value(k);
        rec->grants[i].resource.data = json_string_value(v);
        rec->grants[i].resource.len = json_string_length(v);
    }

    rec->num_grants = n;

    for (i = 0; i < json_array_size(c); i++) {
        pair = json_array_get(c, i);
        k = json_array_get(pair, 0);
        v = json_array_get(pair, 1);

        if (json_array_size(pair) != 2 || !json_is_string(k)
            || !json_is_string(v))
        {
            return STS_REPLAY_NO_GRANTS;
        }

        rec->kv[i].key.data = json_string_value(k);
        rec->kv[i].key.len = json_string_length(k);
        rec->kv[i].value.data = json_string_value(v);
        rec->kv[i].value.len = json_string_length(v);
    }

    rec->num_kv = json_array_size(c);

    return STS_REPLAY_OK;
}


void
sts_replay_rec_free(sts_replay_rec_t *rec)
{
    size_t  i;

    for (i = 0; i < 3; i++) {
        json_decref((json_t *) rec->json[i]);
        rec->json[i] = NULL;
    }

    sts_free(&sts_malloc_allocator, rec->grants);
    rec->grants = NULL;
    rec->num_grants = 0;
    rec->num_kv = 0;
}


int
sts_replay_evaluate(const sts_policy_t *const *role, size_t num_role,
    const sts_policy_t *session, const sts_replay_rec_t *rec, int *allowed,
    size_t *first)
{
    int                   rc;
    size_t                i;
    sts_str_t             action;
    sts_policy_ctx_t      ctx;
    sts_policy_result_t   res;

    ctx.kv = rec->kv;
    ctx.num_kv = rec->num_kv;

    for (i = 0; i < rec->num_grants; i++) {
        action.data = rec->grants[i].action;
        action.len = strlen(action.data);

        rc = sts_policy_evaluate(role, num_role, session, action,
                                 rec->grants[i].resource, &ctx, &res);
        if (rc != STS_OK) {
            return rc;
        }

        if (res.decision != STS_POLICY_ALLOW) {
            *allowed = 0;
            *first = i;
            return STS_OK;
        }
    }

    *allowed = rec->num_grants > 0;
    *first = rec->num_grants;

    return STS_OK;
}
