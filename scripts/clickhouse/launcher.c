/*
 * clickhouse-launcher: runs clickhouse-local's command line from the ClickHouse engine library that
 * the npm package @chdb/lib-linux-x64-gnu installs (libchdb.so, the whole ClickHouse engine with its
 * HTTP and native TCP servers). scripts/clickhouse-local builds it with `cc -ldl` and starts a real
 * ClickHouse server with it; see that script.
 *
 *   clickhouse-launcher <path to libchdb.so> [clickhouse-local arguments...]
 *
 * The library exports query_stable_v2(argc, argv), which runs clickhouse-local's main with argv
 * (argv[0] = "clickhouse") and returns the result once the last query ended. The result's output
 * goes to stdout, its error to stderr (exit status 1).
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* chdb's stable ABI (chdb.h, struct local_result_v2). */
struct local_result_v2 {
    char *buf;
    size_t len;
    void *_vec;
    double elapsed;
    uint64_t rows_read;
    uint64_t bytes_read;
    char *error_message;
};

typedef struct local_result_v2 *(*query_stable_v2_fn)(int argc, char **argv);

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s <path to libchdb.so> [clickhouse-local arguments...]\n", argv[0]);
        return 2;
    }
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "clickhouse-launcher: cannot load %s: %s\n", argv[1], dlerror());
        return 2;
    }
    query_stable_v2_fn query = (query_stable_v2_fn)dlsym(library, "query_stable_v2");
    if (query == NULL) {
        fprintf(stderr, "clickhouse-launcher: %s has no query_stable_v2: %s\n", argv[1], dlerror());
        return 2;
    }
    /* clickhouse-local's argv: "clickhouse" followed by our arguments after the library path. */
    argv[1] = "clickhouse";
    struct local_result_v2 *result = query(argc - 1, argv + 1);
    if (result == NULL) {
        fprintf(stderr, "clickhouse-launcher: the engine returned no result\n");
        return 1;
    }
    if (result->buf != NULL && result->len > 0) fwrite(result->buf, 1, result->len, stdout);
    fflush(stdout);
    if (result->error_message != NULL) {
        fprintf(stderr, "%s\n", result->error_message);
        return 1;
    }
    return 0;
}
