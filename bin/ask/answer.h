/*
 * answer.h: the offline engine's answers, one function an intent
 * (answer.c); intent.c's table names them.
 */
#ifndef AIOPS_ASK_ANSWER_H
#define AIOPS_ASK_ANSWER_H

#include "ask.h"

ask_answer_fn *ask_intent_answer(const struct ask_intent *in);

ask_answer_fn a_help, a_overview, a_host_status, a_alerts_current, a_alerts_history,
    a_alerts_count, a_anomalies, a_anomalies_top, a_incidents, a_incidents_open,
    a_incident_cause, a_incident_summary, a_predictions, a_prediction_when, a_metric_current,
    a_metric_peak, a_metric_avg, a_metric_min, a_metric_top, a_logs_top, a_logs_new,
    a_logs_search, a_logs_errors, a_logs_volume, a_gpu, a_gpu_temp, a_clusters_health,
    a_clusters_list, a_automation, a_automation_failed, a_audit, a_kpi_mttr, a_kpi_mtbf,
    a_kpi_uptime, a_kpi_report, a_hosts, a_metrics, a_sql, a_propose, a_forecast;

/* intent.c: the playbook an order asks for ("clean up ..."), or NULL. */
const char *ask_propose_verb(const char *question);

#endif
