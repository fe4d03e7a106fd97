/* Tests for lib/entity: loading, suffix lookups, ASN lookups, merging, attribution. */
#include "check.h"
#include "enrich/entity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tdir(void)
{
    const char *d = getenv("DT_TESTDATA");
    return d && *d ? d : "testdata";
}

static void tpath(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/entity/%s", tdir(), name);
}

static const char *name_of(const dt_entity *e)
{
    return e ? e->name : "(none)";
}

int main(void)
{
    char path[512], err[512];

    tpath(path, sizeof path, "base.json");
    dt_entities *es = dt_entities_load(path, err, sizeof err);
    CHECK(es != NULL);
    if (!es) {
        fprintf(stderr, "load: %s\n", err);
        return check_done();
    }
    CHECK_EQ_INT(dt_entities_count(es), 5);

    /* Longest suffix on label boundaries. */
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "qq.com")), "Tencent");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "www.qq.com")), "Tencent");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "android.bugly.qq.com")), "Tencent Bugly");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "bugly.qq.com")), "Tencent Bugly");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "notbugly.qq.com")), "Tencent");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "WWW.QQ.COM.")), "Tencent");
    CHECK(dt_entity_by_domain(es, "notqq.com") == NULL);
    CHECK(dt_entity_by_domain(es, "qq.com.cn") == NULL);
    CHECK(dt_entity_by_domain(es, "com") == NULL);
    CHECK(dt_entity_by_domain(es, "") == NULL);
    CHECK(dt_entity_by_domain(es, "a..qq.com") == NULL);
    CHECK(dt_entity_by_domain(es, NULL) == NULL);
    /* "*.maps.example." in the file is stored as "maps.example". */
    const dt_entity *m = dt_entity_by_domain(es, "tiles.maps.example");
    CHECK_EQ_STR(name_of(m), "Example Maps");
    CHECK_EQ_STR(m ? m->country : "", "DE"); /* uppercased */
    CHECK_EQ_STR(m ? m->category : "", "maps");
    const dt_entity *t = dt_entity_by_domain(es, "x.myqcloud.com");
    CHECK_EQ_STR(t ? t->legal_name : "", "Tencent Holdings Limited");
    CHECK_EQ_STR(t ? t->category : "", "cloud");

    /* ASNs: number first, then the longest org pattern. */
    CHECK_EQ_STR(name_of(dt_entity_by_asn(es, 132203, NULL)), "Tencent");
    CHECK_EQ_STR(name_of(dt_entity_by_asn(es, 15169, "whatever")), "Google");
    CHECK_EQ_STR(name_of(dt_entity_by_asn(es, 396982, "GOOGLE-CLOUD-PLATFORM")), "Google Cloud");
    CHECK_EQ_STR(name_of(dt_entity_by_asn(es, 0, "google llc")), "Google");
    CHECK_EQ_STR(name_of(dt_entity_by_asn(es, 1, "Shenzhen Tencent Computer Systems")), "Tencent");
    CHECK(dt_entity_by_asn(es, 3320, "Deutsche Telekom AG") == NULL);
    CHECK(dt_entity_by_asn(es, 0, NULL) == NULL);

    /* Organisation names (certificate subject O). */
    CHECK_EQ_STR(name_of(dt_entity_by_org(es, "google llc")), "Google");
    CHECK_EQ_STR(name_of(dt_entity_by_org(es, "Tencent Technology (Shenzhen) Company Limited")),
                 "Tencent");
    CHECK(dt_entity_by_org(es, "Bayerische Motoren Werke AG") == NULL);

    /* The recipient: domain > cert O > unidentified name; never the ASN. */
    dt_attribution at;
    CHECK_EQ_INT(dt_recipient_attribute(es, "android.bugly.qq.com", "qq.com", "Google LLC", &at),
                 1);
    CHECK_EQ_STR(at.name, "Tencent Bugly");
    CHECK_EQ_STR(at.evidence, "domain");
    CHECK_EQ_STR(at.matched, "bugly.qq.com");
    CHECK_EQ_INT(at.identified, 1);

    CHECK_EQ_INT(dt_recipient_attribute(es, "unknown.example.net", "example.net",
                                        "Bayerische Motoren Werke AG", &at),
                 1);
    CHECK_EQ_STR(at.name, "Bayerische Motoren Werke AG"); /* verbatim O */
    CHECK_EQ_STR(at.evidence, "cert");
    CHECK(at.entity == NULL);
    CHECK_EQ_INT(dt_recipient_attribute(es, NULL, NULL, "Google LLC", &at), 1);
    CHECK_EQ_STR(at.name, "Google"); /* an O that is an entity */
    CHECK_EQ_STR(at.matched, "Google LLC");

    CHECK_EQ_INT(dt_recipient_attribute(es, "cdn.Rayjump.com.", "rayjump.com", "", &at), 1);
    CHECK_EQ_STR(at.name, "rayjump.com"); /* the registrable domain, not the network */
    CHECK_EQ_STR(at.evidence, "unidentified");
    CHECK_EQ_STR(at.matched, "cdn.rayjump.com");
    CHECK_EQ_INT(at.identified, 0);
    CHECK_EQ_INT(dt_recipient_attribute(es, "intranet", "", NULL, &at), 1);
    CHECK_EQ_STR(at.name, "intranet");

    CHECK_EQ_INT(dt_recipient_attribute(es, "42.120.51.152", "", NULL, &at), 0); /* an address */
    CHECK_EQ_INT(dt_recipient_attribute(es, "[2001:db8::1]:8080", "", NULL, &at), 0);
    CHECK_EQ_INT(dt_recipient_attribute(es, "1.2.3.4:80", "", "Example Ltd", &at), 1);
    CHECK_EQ_STR(at.evidence, "cert");
    CHECK_EQ_INT(dt_recipient_attribute(es, NULL, NULL, NULL, &at), 0);
    CHECK_EQ_STR(at.name, "");
    CHECK_EQ_STR(at.evidence, "");
    CHECK_EQ_INT(dt_recipient_attribute(NULL, "", "", "", &at), 0);

    /* The host: the ASN's entity, else its organisation, else its number. */
    CHECK_EQ_INT(dt_host_attribute(es, 15169, "GOOGLE", &at), 1);
    CHECK_EQ_STR(at.name, "Google");
    CHECK_EQ_STR(at.evidence, "asn");
    CHECK_EQ_STR(at.matched, "AS15169 GOOGLE");
    CHECK_EQ_INT(dt_host_attribute(es, 0, "HETZNER-AS", &at), 1);
    CHECK_EQ_STR(at.name, "HETZNER-AS");
    CHECK_EQ_STR(at.matched, "HETZNER-AS");
    CHECK(at.entity == NULL);
    CHECK_EQ_INT(dt_host_attribute(es, 64512, NULL, &at), 1);
    CHECK_EQ_STR(at.name, "AS64512");
    CHECK_EQ_INT(dt_host_attribute(es, 0, NULL, &at), 0);
    CHECK_EQ_STR(at.name, "");

    /* Parties, by category and the vendor. */
    CHECK_EQ_STR(dt_party_of("BMW Group", 1, "car_maker", "bmw group"), "first_party");
    CHECK(dt_party_of("BMW Group", 1, "car_maker", NULL) == NULL);
    CHECK_EQ_STR(dt_party_of("Volkswagen", 1, "car_maker", "BMW Group"), "third_party");
    CHECK_EQ_STR(dt_party_of("Amazon Web Services", 1, "cloud", NULL), "support_party");
    CHECK_EQ_STR(dt_party_of("Tencent Bugly", 1, "crash_reporting", NULL), "third_party");
    CHECK_EQ_STR(dt_party_of("Example Ltd", 1, NULL, NULL), "third_party");
    CHECK_EQ_STR(dt_party_of("rayjump.com", 0, NULL, "BMW Group"), "unknown");
    CHECK(dt_party_of(NULL, 0, NULL, NULL) == NULL);
    CHECK_EQ_STR(name_of(dt_entity_by_name(es, "GOOGLE")), "Google");
    CHECK(dt_entity_by_name(es, "No Such Entity") == NULL);

    /* User list merged on top: later wins. */
    tpath(path, sizeof path, "user.json");
    CHECK_EQ_INT(dt_entities_merge(es, path, err, sizeof err), 0);
    CHECK_EQ_INT(dt_entities_count(es), 6); /* "google" updated the existing Google */
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "fcm.googleapis.com")), "My Telematics");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "www.google.com")), "Google");
    CHECK_EQ_STR(dt_entity_by_domain(es, "www.google.com")->country, "IE");
    CHECK_EQ_STR(dt_entity_by_domain(es, "www.google.com")->category, "platform");
    CHECK_EQ_STR(name_of(dt_entity_by_asn(es, 15169, NULL)), "My Telematics");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(es, "a.telematics.example")), "My Telematics");

    /* Broken files: file, line:column or the entity and the reason; no change. */
    tpath(path, sizeof path, "bad_syntax.json");
    CHECK_EQ_INT(dt_entities_merge(es, path, err, sizeof err), -1);
    char want[600];
    snprintf(want, sizeof want, "%s:4:18: JSON syntax error", path);
    CHECK_EQ_STR(err, want);
    CHECK(dt_entities_load(path, err, sizeof err) == NULL);
    CHECK_EQ_STR(err, want);

    tpath(path, sizeof path, "bad_schema.json");
    CHECK_EQ_INT(dt_entities_merge(es, path, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: entities[1] \"Broken\": invalid domain \"not a domain\"",
             path);
    CHECK_EQ_STR(err, want);
    CHECK(dt_entity_by_domain(es, "fine.example") == NULL); /* nothing of it was applied */
    CHECK_EQ_INT(dt_entities_count(es), 6);

    tpath(path, sizeof path, "does-not-exist.json");
    CHECK(dt_entities_load(path, err, sizeof err) == NULL);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    CHECK_EQ_STR(err, want);

    dt_entities_free(es);

    /* The shipped data file loads and answers the assignment's examples. */
    char data[512];
    snprintf(data, sizeof data, "%s/../data/entities.json", tdir());
    dt_entities *real = dt_entities_load(data, err, sizeof err);
    CHECK(real != NULL);
    if (!real) {
        fprintf(stderr, "data/entities.json: %s\n", err);
        return check_done();
    }
    CHECK(dt_entities_count(real) >= 100);
    /* a legal name shared by a company and its services: the first listed, the company */
    CHECK_EQ_STR(name_of(dt_entity_by_org(real, "Google LLC")), "Google");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "android.bugly.qq.com")), "Tencent Bugly");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "foo.s3.amazonaws.com")), "Amazon Web Services");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "d1.cloudfront.net")), "Amazon Web Services");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "a1.akamaiedge.net")), "Akamai");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "x.blob.core.windows.net")), "Microsoft");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "settings.crashlytics.com")),
                 "Firebase Crashlytics");
    CHECK_EQ_STR(dt_entity_by_domain(real, "settings.crashlytics.com")->category,
                 "crash_reporting");
    CHECK_EQ_STR(dt_entity_by_domain(real, "android.bugly.qq.com")->category, "crash_reporting");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "firebaseinstallations.googleapis.com")),
                 "Google Firebase");
    CHECK_EQ_STR(dt_entity_by_domain(real, "ocsp.digicert.com")->category, "pki");
    CHECK_EQ_STR(dt_entity_by_domain(real, "ad.doubleclick.net")->category, "advertising");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "www.gstatic.com")), "Google");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "maps.googleapis.com")), "Google Maps");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "www.bmw.de")), "BMW Group");
    CHECK_EQ_STR(name_of(dt_entity_by_domain(real, "api.tesla.com")), "Tesla");
    CHECK_EQ_STR(dt_entity_by_domain(real, "api.tesla.com")->category, "car_maker");
    CHECK_EQ_STR(name_of(dt_entity_by_asn(real, 16509, NULL)), "Amazon Web Services");
    CHECK_EQ_STR(name_of(dt_entity_by_asn(real, 0, "CLOUDFLARENET")), "Cloudflare");
    CHECK(dt_entity_by_domain(real, "notqq.com") == NULL);
    dt_entities_free(real);

    return check_done();
}
