/* The PBX client (src/pbx/http.c) still reports each exchange's latency to
 * the module's status page through pbxdial_stats_latency, a function of
 * src/httpd. The doctor has no status page: this empty one stands in.
 * Once the PBX client reports through a registered callback instead
 * (pbxdial_pbx_set_stats), nothing calls it and this file can go. */
#include <apr_time.h>

void pbxdial_stats_latency(apr_interval_time_t elapsed);

void pbxdial_stats_latency(apr_interval_time_t elapsed)
{
    (void)elapsed;
}
