#include "util/tlocal.h"

#include <stdlib.h>

static pthread_mutex_t make_lock = PTHREAD_MUTEX_INITIALIZER;

void *dt_tlocal_get(dt_tlocal *t, size_t size)
{
    if (!__atomic_load_n(&t->ready, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&make_lock);
        if (!t->ready) {
            t->ok = pthread_key_create(&t->key, t->destroy ? t->destroy : free) == 0;
            __atomic_store_n(&t->ready, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&make_lock);
    }
    if (!t->ok)
        return NULL;
    void *p = pthread_getspecific(t->key);
    if (!p && (p = calloc(1, size)) != NULL && pthread_setspecific(t->key, p) != 0) {
        free(p);
        p = NULL;
    }
    return p;
}
