// The floor of any libcurl sender on this machine: N POSTs of a ~1 KB JSON body with five headers (as kelas sends:
// content type, no Expect, and the three webhook headers, made for each request since each signature differs), at
// most K in flight through one multi handle, each transfer handle set up once and reused. No signing, no store, no
// Swift: only what libcurl and the kernel's loopback cost. Prints "<requests> <seconds> <ok>".
//
// Usage: curl-floor URL N K        (built by scripts/bench/deliver.sh: clang -O2 curl-floor.c -lcurl)
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *user) {
  (void)data; (void)user;
  return size * count;
}

// A request's own headers, freed when its transfer ends.
static struct curl_slist *headers_for(int number) {
  char line[128];
  struct curl_slist *list = NULL;
  snprintf(line, sizeof line, "webhook-id: msg_bench:%d", number);
  list = curl_slist_append(list, line);
  list = curl_slist_append(list, "webhook-timestamp: 1700000000");
  snprintf(line, sizeof line, "webhook-signature: v1,%044d", number);
  list = curl_slist_append(list, line);
  list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Expect:");
  return list;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s URL N K\n", argv[0]); return 2; }
  const char *url = argv[1];
  int total = atoi(argv[2]), inflight = atoi(argv[3]);
  if (total < 1 || inflight < 1) { fprintf(stderr, "N and K must be positive\n"); return 2; }
  static char body[1025];
  int length = snprintf(body, sizeof body, "{\"text\": \"%01000d\"}", 0);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM *multi = curl_multi_init();
  CURL **handles = calloc((size_t)inflight, sizeof *handles);
  struct curl_slist **lists = calloc((size_t)inflight, sizeof *lists);
  if (!multi || !handles || !lists) return 1;
  for (int i = 0; i < inflight; i++) {
    handles[i] = curl_easy_init();
    curl_easy_setopt(handles[i], CURLOPT_URL, url);
    curl_easy_setopt(handles[i], CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(handles[i], CURLOPT_POSTFIELDSIZE, (long)length);
    curl_easy_setopt(handles[i], CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(handles[i], CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handles[i], CURLOPT_PRIVATE, (void *)(long)i);
  }

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int started = 0, finished = 0, ok = 0, running = 0;
  for (int i = 0; i < inflight && started < total; i++, started++) {
    lists[i] = headers_for(started);
    curl_easy_setopt(handles[i], CURLOPT_HTTPHEADER, lists[i]);
    curl_multi_add_handle(multi, handles[i]);
  }
  while (finished < total) {
    curl_multi_perform(multi, &running);
    CURLMsg *message;
    int left;
    while ((message = curl_multi_info_read(multi, &left))) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL *easy = message->easy_handle;
      void *slot;
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &slot);
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      if (message->data.result == CURLE_OK && status >= 200 && status < 300) ok++;
      finished++;
      curl_multi_remove_handle(multi, easy);
      int i = (int)(long)slot;
      curl_slist_free_all(lists[i]);
      lists[i] = NULL;
      if (started < total) {
        lists[i] = headers_for(started++);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, lists[i]);
        curl_multi_add_handle(multi, easy);
      }
    }
    if (finished < total) curl_multi_poll(multi, NULL, 0, 1000, NULL);
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  printf("%d %.3f %d\n", total, (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9, ok);
  return ok == total ? 0 : 1;
}
