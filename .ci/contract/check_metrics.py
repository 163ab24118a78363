"""Reads /metrics with the Prometheus project's own OpenMetrics parser (prometheus_client),
which refuses anything that is not valid OpenMetrics, and checks the families Khabar promises."""

import sys
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families

base = sys.argv[1]
with urllib.request.urlopen(f"{base}/metrics") as response:
    content_type = response.headers["Content-Type"]
    text = response.read().decode("utf-8")
assert content_type.startswith("application/openmetrics-text"), content_type

families = {family.name: family for family in text_string_to_metric_families(text)}
expected = {
    "khabar_http_request_duration_seconds": "histogram",
    "khabar_response_cache_entries": "gauge",
    "khabar_db_pool_connections": "gauge",
    "khabar_database_up": "gauge",
    "khabar_jobs_overdue": "gauge",
    "khabar_webhook_deliveries": "gauge",
    "khabar_build_info": "gauge",
}
for name, kind in expected.items():
    assert name in families, f"{name} missing; got {sorted(families)}"
    assert families[name].type == kind, f"{name} is a {families[name].type}, not a {kind}"
up = families["khabar_database_up"].samples[0].value
assert up == 1, f"khabar_database_up is {up}"
histogram = families["khabar_http_request_duration_seconds"]
requests = sum(s.value for s in histogram.samples if s.name.endswith("_count"))
assert requests > 0, "no request was counted"
print(f"/metrics: {len(families)} families parsed, {int(requests)} requests counted")
