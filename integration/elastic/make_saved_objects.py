#!/usr/bin/env python3
"""Writes kibana-saved-objects.ndjson: the data view of c2sieve's data
streams, a saved search of the matches, the Lens visualizations and the
dashboard that shows them, in the NDJSON that Kibana's saved objects import
(POST /api/saved_objects/_import) takes.

Every object carries coreMigrationVersion and typeMigrationVersion: the
attributes are written in the shape of those versions, and Kibana migrates
them forward on import (an object without them would be run through every
migration since 7.x, which by-value shapes of 8.x do not survive).

Usage: make_saved_objects.py REPO [OUT]   ("-" prints it)
"""
import json

import ndjson_output

CORE_MIGRATION_VERSION = "8.8.0"
# The last migration of each type whose attribute shape is written here.
TYPE_MIGRATION_VERSION = {
    "index-pattern": "8.0.0",
    "search": "8.0.0",
    "lens": "8.9.0",
    "dashboard": "8.9.0",
}
DATA_VIEW_ID = "c2sieve-dns"
MATCHES = "c2sieve.matches.rule_id : *"


def saved(obj_type, obj_id, attributes, references):
    return {
        "type": obj_type,
        "id": obj_id,
        "attributes": attributes,
        "references": references,
        "coreMigrationVersion": CORE_MIGRATION_VERSION,
        "typeMigrationVersion": TYPE_MIGRATION_VERSION[obj_type],
        "managed": False,
    }


def data_view():
    return saved("index-pattern", DATA_VIEW_ID, {
        "title": "logs-c2sieve.dns-*",
        "name": "c2sieve DNS events",
        "timeFieldName": "@timestamp",
        "allowNoIndex": True,
    }, [])


def saved_search():
    source = {"query": {"query": MATCHES, "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return saved("search", "c2sieve-matches", {
        "title": "c2sieve matches",
        "description": "Events c2sieve tagged (Elastic's rule \"Connection to Commonly Abused Web "
                       "Services\", its Linux companion, and any rule loaded beside them), highest "
                       "risk first. The data stream's namespace tells the shipper (fluentbit, logstash).",
        "columns": ["host.name", "user.name", "process.executable", "dns.question.name",
                    "rule.name", "event.risk_score", "data_stream.namespace"],
        "sort": [["event.risk_score", "desc"], ["@timestamp", "desc"]],
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
    }, [{"type": "index-pattern", "id": DATA_VIEW_ID,
         "name": "kibanaSavedObjectMeta.searchSourceJSON.index"}])


def count_column(label):
    return {"label": label, "dataType": "number", "operationType": "count", "isBucketed": False,
            "scale": "ratio", "sourceField": "___records___", "params": {"emptyAsNull": True}}


def terms_column(field, label, size, order_by):
    return {"label": label, "dataType": "string", "operationType": "terms", "isBucketed": True,
            "scale": "ordinal", "sourceField": field,
            "params": {"size": size, "orderBy": {"type": "column", "columnId": order_by},
                       "orderDirection": "desc", "otherBucket": True, "missingBucket": False}}


def lens(obj_id, title, description, visualization_type, columns, column_order, visualization,
         query=MATCHES):
    layer = "layer1"
    state = {
        "datasourceStates": {"formBased": {"layers": {layer: {
            "columns": columns, "columnOrder": column_order, "incompleteColumns": {}}}}},
        "visualization": visualization,
        "query": {"query": query, "language": "kuery"},
        "filters": [],
    }
    return saved("lens", obj_id, {
        "title": title,
        "description": description,
        "visualizationType": visualization_type,
        "state": state,
    }, [{"type": "index-pattern", "id": DATA_VIEW_ID,
         "name": f"indexpattern-datasource-layer-{layer}"}])


def table(obj_id, title, description, fields, size, query=MATCHES):
    columns, order = {}, []
    for i, (field, label) in enumerate(fields):
        columns[f"col-{i}"] = terms_column(field, label, size if i == 0 else 5, "col-count")
        order.append(f"col-{i}")
    columns["col-count"] = count_column("Matches")
    order.append("col-count")
    return lens(obj_id, title, description, "lnsDatatable", columns, order, {
        "layerId": "layer1", "layerType": "data",
        "columns": [{"columnId": c} for c in order],
    }, query)


def visualizations():
    over_time = lens(
        "c2sieve-matches-over-time", "c2sieve: matches over time by rule",
        "Tagged events per interval, one colour per matched rule.", "lnsXY",
        {"col-time": {"label": "@timestamp", "dataType": "date", "operationType": "date_histogram",
                      "isBucketed": True, "scale": "interval", "sourceField": "@timestamp",
                      "params": {"interval": "auto", "includeEmptyRows": True}},
         "col-rule": terms_column("rule.name", "Rule", 10, "col-count"),
         "col-count": count_column("Matches")},
        ["col-rule", "col-time", "col-count"],
        {"preferredSeriesType": "bar_stacked", "legend": {"isVisible": True, "position": "right"},
         "valueLabels": "hide",
         "layers": [{"layerId": "layer1", "layerType": "data", "seriesType": "bar_stacked",
                     "xAccessor": "col-time", "splitAccessor": "col-rule",
                     "accessors": ["col-count"]}]})
    total = lens(
        "c2sieve-matches-total", "c2sieve: matches", "Tagged events in the time range.",
        "lnsMetric", {"col-count": count_column("Matches")}, ["col-count"],
        {"layerId": "layer1", "layerType": "data", "metricAccessor": "col-count"})
    return [
        total,
        over_time,
        table("c2sieve-top-domains", "c2sieve: top queried domains",
              "The listed domains the tagged events queried.",
              [("dns.question.name", "Domain")], 20),
        table("c2sieve-top-processes", "c2sieve: top processes",
              "The programs that queried them, by path.",
              [("process.executable", "Process")], 20),
        table("c2sieve-hosts-users", "c2sieve: hosts and users",
              "Which hosts, and which users on them, the tagged events came from.",
              [("host.name", "Host"), ("user.name", "User")], 20),
        table("c2sieve-excluded", "c2sieve: excluded by exclusions",
              "Events a rule's query matched but an exclusion covered (the option "
              "mark-excluded), by rule and process: what your exclusions take away.",
              [("c2sieve.excluded.rule_id", "Rule"), ("process.executable", "Process")], 10,
              query="c2sieve.excluded.rule_id : *"),
    ]


def dashboard(panels_of):
    panels, references = [], []
    layout = [  # (x, y, w, h) on Kibana's 48-column grid
        (0, 0, 12, 8), (12, 0, 36, 8), (0, 8, 24, 15), (24, 8, 24, 15), (0, 23, 24, 15),
        (24, 23, 24, 15)]
    for i, (vis, (x, y, w, h)) in enumerate(zip(panels_of, layout)):
        index = f"panel-{i + 1}"
        panels.append({"type": "lens", "panelIndex": index, "panelRefName": f"panel_{index}",
                       "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index},
                       "embeddableConfig": {"enhancements": {}}})
        references.append({"type": "lens", "id": vis["id"], "name": f"{index}:panel_{index}"})
    search_source = {"query": {"query": "", "language": "kuery"}, "filter": []}
    return saved("dashboard", "c2sieve-overview", {
        "title": "c2sieve: command and control over commonly abused web services",
        "description": "What c2sieve tagged at ingest: matches over time by rule, the domains, "
                       "processes, hosts and users behind them, and what exclusions took away. "
                       "Alerts: Security > Alerts (rules \"c2sieve: ...\").",
        "panelsJSON": json.dumps(panels),
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "syncCursor": True,
                                   "syncTooltips": False, "hidePanelTitles": False}),
        "timeRestore": True,
        "timeFrom": "now-30d",
        "timeTo": "now",
        "refreshInterval": {"pause": True, "value": 60000},
        "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search_source)},
    }, references)


def objects():
    vis = visualizations()
    return [data_view(), saved_search()] + vis + [dashboard(vis)]


def main():
    ndjson_output.write(lambda repo: objects(), "kibana-saved-objects.ndjson")


if __name__ == "__main__":
    main()
