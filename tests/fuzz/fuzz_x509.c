/* X.509: the DER certificate reader on the input as one certificate. */
#include "fuzz.h"
#include "proto/x509.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1); /* an exact-size copy: ASan sees any overread */
    if (!buf)
        abort();
    memcpy(buf, data, size);
    static dt_tls_cert c;
    dt_x509_parse(buf, size, &c);
    free(buf);
    return 0;
}
