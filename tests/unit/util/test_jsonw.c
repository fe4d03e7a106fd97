/* lib/jsonw.c: the writer prints what cJSON_PrintUnformatted prints, and a tree
 * what cJSON_Print prints. */
#include "check.h"
#include "util/jsonw.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>

/* cJSON's text of a single number or string value, for comparison. */
static char *cjson_num(double d)
{
    cJSON *n = cJSON_CreateNumber(d);
    char *s = cJSON_PrintUnformatted(n);
    cJSON_Delete(n);
    return s;
}

static char *cjson_str(const char *v)
{
    cJSON *n = cJSON_CreateString(v);
    char *s = cJSON_PrintUnformatted(n);
    cJSON_Delete(n);
    return s;
}

static int same_num(double d)
{
    char buf[40];
    dt_jw_format_number(d, buf, sizeof buf);
    char *c = cjson_num(d);
    int ok = c && strcmp(c, buf) == 0;
    if (!ok)
        fprintf(stderr, "number %.17g: jsonw %s, cJSON %s\n", d, buf, c ? c : "(null)");
    free(c);
    return ok;
}

/* A tree printed by dt_jw_tree equals cJSON_Print / cJSON_PrintUnformatted. */
static void same_tree(const cJSON *t)
{
    for (int fmt = 0; fmt < 2; fmt++) {
        dt_jw w;
        dt_jw_init(&w);
        dt_jw_tree(&w, t, fmt);
        char *c = fmt ? cJSON_Print(t) : cJSON_PrintUnformatted(t);
        CHECK_EQ_STR(w.buf, c);
        CHECK_EQ_INT(w.oom, 0);
        free(c);
        dt_jw_free(&w);
    }
}

static void test_tree(void)
{
    static const char *const texts[] = {
        "{}",
        "[]",
        "null",
        "-0.5",
        "\"\\u0001 \\\" \\\\\"",
        "{\"a\":[],\"b\":{},\"c\":[{},{\"x\":1}],\"d\":[[1,2],[3,[4,{\"y\":[]}]]]}",
        ("{\"summary\":{\"bytes_up\":12345678901234567,\"r\":0.333333333333333,\"n\":null,"
         "\"t\":true,\"f\":false,\"neg\":-2147483649,\"e\":1e300},\"k\\n\\u0002\":\"\\u00e9\"}"),
        "[{\"name\":\"a\",\"seen_in\":[\"sni\",\"dns\"]},{\"name\":\"b\",\"seen_in\":[]}]",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cJSON *t = cJSON_Parse(texts[i]);
        CHECK(t != NULL);
        if (t)
            same_tree(t);
        cJSON_Delete(t);
    }
    /* objects nested in arrays and objects keep cJSON's indentation */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "s", cJSON_CreateString("v"));
    cJSON_AddItemToObject(o, "deep", cJSON_Parse("{\"a\":{\"b\":{\"c\":[1,{\"d\":{}}]}}}"));
    same_tree(o);
    cJSON_Delete(o);
}

int main(void)
{
    test_tree();

    dt_jw w;
    dt_jw_init(&w);

    /* exact expected texts */
    dt_jw_obj_begin(&w);
    dt_jw_key(&w, "a");
    dt_jw_u64(&w, 0);
    dt_jw_key(&w, "b");
    dt_jw_arr_begin(&w);
    dt_jw_str(&w, "x\"y\\z\n\t\x01\x1f\x7f\xc3\xa9");
    dt_jw_null(&w);
    dt_jw_bool(&w, 1);
    dt_jw_bool(&w, 0);
    dt_jw_obj_begin(&w);
    dt_jw_obj_end(&w);
    dt_jw_arr_begin(&w);
    dt_jw_arr_end(&w);
    dt_jw_arr_end(&w);
    dt_jw_key(&w, "c");
    dt_jw_str_or_null(&w, "");
    dt_jw_key(&w, "d");
    dt_jw_num(&w, 0.5);
    dt_jw_key(&w, "e");
    uint8_t hx[] = {0x00, 0xab, 0x7f};
    dt_jw_hex(&w, hx, sizeof hx);
    dt_jw_key(&w, "f");
    dt_jw_u64(&w, 3000000000ull);
    dt_jw_key(&w, "g");
    dt_jw_str(&w, NULL);
    dt_jw_obj_end(&w);
    CHECK_EQ_STR(w.buf, "{\"a\":0,\"b\":[\"x\\\"y\\\\z\\n\\t\\u0001\\u001f\x7f\xc3\xa9\",null,true,"
                        "false,{},[]],\"c\":null,\"d\":0.5,\"e\":\"00ab7f\",\"f\":3000000000,\"g\":"
                        "\"\"}");
    CHECK_EQ_INT(w.len, strlen(w.buf));
    CHECK_EQ_INT(w.oom, 0);

    /* the same tree through cJSON gives the same text */
    cJSON *o = cJSON_Parse(w.buf);
    CHECK(o != NULL);
    char *c = o ? cJSON_PrintUnformatted(o) : NULL;
    CHECK_EQ_STR(w.buf, c);
    free(c);
    cJSON_Delete(o);

    /* reset keeps nothing of the old text */
    dt_jw_reset(&w);
    dt_jw_arr_begin(&w);
    dt_jw_u64(&w, 1);
    dt_jw_u64(&w, 2);
    dt_jw_arr_end(&w);
    CHECK_EQ_STR(w.buf, "[1,2]");

    /* literal keys */
    dt_jw_reset(&w);
    dt_jw_obj_begin(&w);
    DT_JW_KEY(&w, "k1");
    dt_jw_u64(&w, 7);
    DT_JW_KEY(&w, "k2");
    dt_jw_str(&w, "v");
    dt_jw_obj_end(&w);
    CHECK_EQ_STR(w.buf, "{\"k1\":7,\"k2\":\"v\"}");

    /* every byte value, escaped as cJSON escapes it */
    for (int b = 1; b < 256; b++) {
        char s[4] = {'a', (char)b, 'z', 0};
        dt_jw_reset(&w);
        dt_jw_str(&w, s);
        char *cs = cjson_str(s);
        CHECK_EQ_STR(w.buf, cs);
        free(cs);
    }

    /* every byte value at every place of a 1-24 byte string (the writer copies
     * eight bytes at a time while none needs escaping) */
    unsigned seed = 1;
    for (int len = 1; len <= 24; len++)
        for (int at = 0; at < len; at++)
            for (int b = 1; b < 256; b += 3) {
                char s[32];
                for (int i = 0; i < len; i++) {
                    seed = seed * 1103515245u + 12345u;
                    s[i] = (char)(0x20 + (seed >> 16) % 0x5f); /* printable */
                    if (s[i] == '"' || s[i] == '\\')
                        s[i] = 'x';
                }
                s[at] = (char)b;
                s[len] = 0;
                dt_jw_reset(&w);
                dt_jw_str(&w, s);
                char *cs = cjson_str(s);
                if (strcmp(w.buf, cs) != 0)
                    CHECK_EQ_STR(w.buf, cs);
                else
                    check_passed++;
                free(cs);
            }

    /* whole numbers written digit by digit: as cJSON prints them as doubles,
     * also after a separator and next to literal words */
    static const uint64_t wholes[] = {0,
                                      9,
                                      10,
                                      99,
                                      100,
                                      65535,
                                      4294967296ull,
                                      999999999999999ull,
                                      1000000000000000ull,
                                      9007199254740993ull,
                                      UINT64_MAX};
    for (size_t i = 0; i < sizeof wholes / sizeof wholes[0]; i++) {
        dt_jw_reset(&w);
        dt_jw_arr_begin(&w);
        dt_jw_bool(&w, 1);
        dt_jw_u64(&w, wholes[i]);
        dt_jw_null(&w);
        dt_jw_u64(&w, wholes[i]);
        dt_jw_bool(&w, 0);
        dt_jw_arr_end(&w);
        char *c = cjson_num((double)wholes[i]), want[128];
        snprintf(want, sizeof want, "[true,%s,null,%s,false]", c, c);
        CHECK_EQ_STR(w.buf, want);
        free(c);
    }

    /* numbers: integers around the boundaries, large counters, fractions */
    static const double nums[] = {
        0, 1, -1, 65535, 2147483647.0, 2147483648.0, -2147483648.0, -2147483649.0, 4294967296.0,
        999999999999999.0, 1e15, 1000000000000001.0, 9007199254740993.0, 18446744073709551615.0,
        0.1, 1.0 / 3, 123.456, 1e-7, -2.5e300,
        /* whole microseconds below 0.0001, and seconds from 1e9 */
        5e-06, 1.2e-05, -9.9e-05, 5e-05, 1642584090.467068, 1569051267.1216769, -1679653253.924672,
        1953631155.59538, 123456789012.5, 99999999999999.99};
    int all = 1;
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        all &= same_num(nums[i]);
    uint64_t v = 1;
    for (int i = 0; i < 64; i++, v = v * 3 + 7)
        all &= same_num((double)v);
    CHECK(all);

    char buf[40];
    dt_jw_format_number(1e15, buf, sizeof buf);
    CHECK_EQ_STR(buf, "1e+15");
    dt_jw_format_number(1000000000000001.0, buf, sizeof buf);
    CHECK_EQ_STR(buf, "1000000000000001");
    dt_jw_reset(&w);
    dt_jw_u64(&w, 12345678901234567ull);
    CHECK_EQ_STR(w.buf, "12345678901234568");

    /* growth past the first allocation */
    dt_jw_reset(&w);
    dt_jw_arr_begin(&w);
    for (int i = 0; i < 5000; i++)
        dt_jw_str(&w, "0123456789");
    dt_jw_arr_end(&w);
    CHECK_EQ_INT(w.len, 2 + 5000 * 13 - 1); /* "..." and a comma each */
    CHECK(w.buf[w.len - 1] == ']');

    dt_jw_free(&w);
    return check_done();
}
