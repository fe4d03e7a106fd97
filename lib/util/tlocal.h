/* Per-thread objects made on first use and freed when their thread ends
 * (caches and OpenSSL contexts: batch runs inputs on several threads). */
#ifndef DT_TLOCAL_H
#define DT_TLOCAL_H

#include <pthread.h>
#include <stddef.h>

typedef struct dt_tlocal {
    void (*destroy)(void *); /* frees one thread's object (NULL: free) */
    pthread_key_t key;
    int ready; /* the key was made (ok says whether it could be) */
    int ok;
} dt_tlocal;

#define DT_TLOCAL_INIT(destroy)                                                                    \
    {                                                                                              \
        (destroy), 0, 0, 0                                                                         \
    }

/* This thread's object of size bytes, zeroed when first made; NULL when it
 * cannot be had (callers then work without it). */
void *dt_tlocal_get(dt_tlocal *t, size_t size);

#endif
