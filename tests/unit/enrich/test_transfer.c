/* Tests for lib/transfer: the shipped country table and transfer classes. */
#include "check.h"
#include "enrich/transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tdir(void)
{
    const char *d = getenv("DT_TESTDATA");
    return d && *d ? d : "testdata";
}

static const char *s(const char *x)
{
    return x ? x : "(null)";
}

int main(void)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/../data/countries.json", tdir());
    dt_countries *cs = dt_countries_load(path, err, sizeof err);
    CHECK(cs != NULL);
    if (!cs) {
        fprintf(stderr, "%s\n", err);
        return check_done();
    }

    /* Every ISO 3166-1 alpha-2 code (249 assigned), 27 EU members. */
    int n = 0, eu = 0, eea = 0, adq = 0;
    for (char a = 'A'; a <= 'Z'; a++) {
        for (char b = 'A'; b <= 'Z'; b++) {
            char cc[3] = {a, b, 0};
            const dt_country *c = dt_country_get(cs, cc);
            if (!c)
                continue;
            n++;
            eu += c->eu && !c->part_of[0]; /* member states (not their outermost regions) */
            eea += c->eea && !c->eu;
            adq += c->adequate;
        }
    }
    CHECK_EQ_INT(n, 249);
    CHECK_EQ_INT(eu, 27);
    CHECK_EQ_INT(eea, 3);
    CHECK_EQ_INT(adq, 16);

    const dt_country *de = dt_country_get(cs, "de");
    CHECK(de && de->eu && de->eea && !de->adequate);
    CHECK_EQ_STR(dt_country_name(cs, "DE"), "Germany");
    const dt_country *no = dt_country_get(cs, "NO");
    CHECK(no && !no->eu && no->eea);
    const dt_country *ch = dt_country_get(cs, "CH");
    CHECK(ch && !ch->eu && !ch->eea && ch->adequate && !ch->partial);
    CHECK_EQ_STR(dt_country_adequacy_ref(cs, "CH"), "Commission Decision 2000/518/EC");
    const dt_country *us = dt_country_get(cs, "US");
    CHECK(us && us->adequate && us->partial);
    CHECK_EQ_STR(dt_country_adequacy_ref(cs, "US"),
                 "Commission Implementing Decision (EU) 2023/1795");
    CHECK(strstr(s(dt_country_adequacy_note(cs, "US")), "Data Privacy Framework") != NULL);
    CHECK_EQ_STR(dt_country_adequacy_ref(cs, "BR"),
                 "Commission Implementing Decision (EU) 2026/179");
    CHECK_EQ_STR(dt_country_adequacy_ref(cs, "KR"),
                 "Commission Implementing Decision (EU) 2022/254");
    CHECK(dt_country_adequacy_ref(cs, "CN") == NULL);
    CHECK(dt_country_adequacy_note(cs, "DE") == NULL);
    CHECK_EQ_STR(dt_country_name(cs, "CN"), "China");
    CHECK_EQ_STR(dt_country_name(cs, "kr"), "Korea, Republic of");
    CHECK(dt_country_name(cs, "ZZ") == NULL);
    /* the names reports show: the 11 common names, else the ISO name; regions */
    CHECK_EQ_STR(dt_country_common_name(cs, "kr"), "South Korea");
    CHECK_EQ_STR(dt_country_common_name(cs, "TW"), "Taiwan");
    CHECK_EQ_STR(dt_country_common_name(cs, "DE"), "Germany");
    CHECK_EQ_STR(dt_country_common_name(cs, "EU"), "European Union");
    CHECK(dt_country_get(cs, "EU") == NULL && dt_country_name(cs, "EU") == NULL);
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "EU", "public")), "unknown");
    CHECK(dt_country_common_name(cs, "ZZ") == NULL && dt_country_common_name(cs, NULL) == NULL);
    int ncommon = 0;
    for (char a = 'A'; a <= 'Z'; a++)
        for (char b = 'A'; b <= 'Z'; b++) {
            const dt_country *c = dt_country_get(cs, (char[3]){a, b, 0});
            ncommon += c && c->common_name[0];
        }
    CHECK_EQ_INT(ncommon, 11);
    CHECK(dt_country_name(cs, "DEU") == NULL);
    CHECK(dt_country_name(cs, "D") == NULL);
    CHECK(dt_country_name(cs, "") == NULL);
    CHECK(dt_country_name(cs, NULL) == NULL);
    CHECK(dt_country_name(cs, "1E") == NULL);
    CHECK_EQ_STR(dt_countries_date(cs), "2026-11-24");
    CHECK(strstr(dt_countries_legal_basis(cs), "2016/679") != NULL);

    /* Transfer classes. */
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "DE", "public")), "eea");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "NO", NULL)), "eea");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "RE", "")), "eea"); /* Réunion */
    CHECK_EQ_STR(dt_country_get(cs, "RE") ? dt_country_get(cs, "RE")->part_of : "", "FR");
    CHECK(dt_country_get(cs, "HU") && dt_country_get(cs, "HU")->eu);
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "CH", "public")), "adequate");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "US", "public")), "adequate_partial");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "JP", "public")), "adequate_partial");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "GB", "public")), "adequate");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "CN", "public")), "third_country");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "IN", "public")), "third_country");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "GI", "public")), "third_country");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "ZZ", "public")), "unknown");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, NULL, "public")), "unknown");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "", NULL)), "unknown");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, "CN", "private")), "local");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(cs, NULL, "loopback")), "local");
    CHECK_EQ_STR(dt_transfer_str(dt_transfer_of(NULL, "DE", "public")), "unknown");
    CHECK_EQ_INT(dt_transfer_of(cs, "CN", "public"), DT_TRANSFER_THIRD);
    dt_countries_free(cs);

    /* Broken files say where and why. */
    snprintf(path, sizeof path, "%s/entity/countries_bad_flags.json", tdir());
    CHECK(dt_countries_load(path, err, sizeof err) == NULL);
    char want[600];
    snprintf(want, sizeof want, "%s: countries[1] XX: \"eu\"/\"eea\" must be booleans", path);
    CHECK_EQ_STR(err, want);
    snprintf(path, sizeof path, "%s/entity/bad_syntax.json", tdir());
    CHECK(dt_countries_load(path, err, sizeof err) == NULL);
    snprintf(want, sizeof want, "%s:4:18: JSON syntax error", path);
    CHECK_EQ_STR(err, want);
    return check_done();
}
