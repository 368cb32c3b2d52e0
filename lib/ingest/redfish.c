/*
 * redfish.c: Redfish Thermal and Power resources (DMTF DSP0268, the
 * #Thermal.v1_x and #Power.v1_x schemas a BMC serves under
 * /redfish/v1/Chassis/<id>/) as metric events:
 *
 *   Temperatures[].ReadingCelsius          redfish_temperature_celsius{sensor}
 *   Fans[].Reading (ReadingUnits)          redfish_fan_speed{fan}  rpm|percent
 *   PowerControl[].PowerConsumedWatts      redfish_power_consumed_watts{control}
 *   PowerControl[].PowerMetrics.*          redfish_power_{average,min,max}_watts
 *   Voltages[].ReadingVolts                redfish_voltage_volts{sensor}
 *   PowerSupplies[].PowerInputWatts        redfish_psu_input_watts{psu}
 *   PowerSupplies[].PowerOutputWatts       redfish_psu_output_watts{psu}
 *   any of them with Status.Health         redfish_health{kind,...} 1/0.5/0
 *
 * plus physical_context (PhysicalContext) and chassis (from @odata.id)
 * labels when known. Null readings (a sensor that is absent or not read)
 * are skipped, and so is every metric of a member whose Status.State says
 * it is out of service (see in_service()). A resource carries no time:
 * the events take the clock's.
 * The document is walked twice, first only to check it, so that a wrong
 * type anywhere skips it whole.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "event/event.h"
#include "ingest/ingest.h"
#include "ingest/jsondoc.h"

#define FMTNAME		"redfish"
#define RF_MAXLABELS	3	/* chassis, name, physical_context */
#define RF_IDXBUF	24

struct reading {
	const char	*member;	/* "PowerMetrics.MinConsumedWatts": one level down */
	const char	*alt;		/* older spelling, used when member is absent */
	const char	*metric;
	const char	*unit;		/* NULL: from ReadingUnits (fans) */
};

struct collection {
	const char		*array;
	const char		*labelkey;
	const char		*kind;		/* redfish_health's kind label */
	const struct reading	*readings;
	size_t			 nreadings;
};

static const struct reading temperatures[] = {
	{ "ReadingCelsius", NULL, "redfish_temperature_celsius", "celsius" },
};
static const struct reading fans[] = {
	{ "Reading", "ReadingRPM", "redfish_fan_speed", NULL },
};
static const struct reading voltages[] = {
	{ "ReadingVolts", NULL, "redfish_voltage_volts", "volts" },
};
static const struct reading controls[] = {
	{ "PowerConsumedWatts", NULL, "redfish_power_consumed_watts", "watts" },
	{ "PowerMetrics.AverageConsumedWatts", NULL, "redfish_power_average_watts", "watts" },
	{ "PowerMetrics.MinConsumedWatts", NULL, "redfish_power_min_watts", "watts" },
	{ "PowerMetrics.MaxConsumedWatts", NULL, "redfish_power_max_watts", "watts" },
};
static const struct reading supplies[] = {
	{ "PowerInputWatts", NULL, "redfish_psu_input_watts", "watts" },
	{ "PowerOutputWatts", "LastPowerOutputWatts", "redfish_psu_output_watts", "watts" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct collection thermal[] = {
	{ "Temperatures", "sensor", "temperature", temperatures, NELEM(temperatures) },
	{ "Fans", "fan", "fan", fans, NELEM(fans) },
};
static const struct collection power[] = {
	{ "PowerControl", "control", "power_control", controls, NELEM(controls) },
	{ "Voltages", "sensor", "voltage", voltages, NELEM(voltages) },
	{ "PowerSupplies", "psu", "power_supply", supplies, NELEM(supplies) },
};

/* One walk over the document: dry checks only, else it emits. */
struct walk {
	struct aiops_ingest	*ing;
	int			 dry;
	int64_t			 ts;
	const char		*chassis;
	size_t			 chlen;
};

/* One member of a collection being read. */
struct member {
	const struct collection	*c;
	size_t			 idx;
	const json_t		*obj;
	struct aiops_label	 labels[RF_MAXLABELS];
	size_t			 nlabels;
	const struct aiops_label *name;	/* the one of labels naming it */
	char			 idxbuf[RF_IDXBUF];
};

static const char *
odata_type(const json_t *doc)
{
	return json_string_value(json_object_get(doc, "@odata.type"));
}

int
aiops_redfish_match(const json_t *doc)
{
	const char *t;

	if (!json_is_object(doc) || (t = odata_type(doc)) == NULL)
		return 0;
	return strncmp(t, "#Thermal.", 9) == 0 || strncmp(t, "#Power.", 7) == 0;
}

static void
label(struct member *m, const char *k, const char *v, size_t vl)
{
	if (m->nlabels >= RF_MAXLABELS)
		return;
	m->labels[m->nlabels].key = k;
	m->labels[m->nlabels].klen = strlen(k);
	m->labels[m->nlabels].val = v;
	m->labels[m->nlabels].vlen = vl;
	m->nlabels++;
}

/* kind, when not NULL, is an extra label (redfish_health). */
static void
emit(struct walk *w, const struct member *m, const char *name, double v,
    const char *unit, const char *kind)
{
	struct aiops_label l[RF_MAXLABELS + 1];
	struct aiops_metric mt;
	size_t n = m->nlabels;

	if (w->dry)
		return;
	/* Copied: the metric is sorted in place. */
	memcpy(l, m->labels, n * sizeof(l[0]));
	if (kind != NULL) {
		l[n].key = "kind";
		l[n].klen = 4;
		l[n].val = kind;
		l[n].vlen = strlen(kind);
		n++;
	}
	memset(&mt, 0, sizeof(mt));
	mt.ts = w->ts;
	mt.name = name;
	mt.nlen = strlen(name);
	mt.value = v;
	mt.unit = unit;
	mt.source = aiops_ingest_source(w->ing, FMTNAME);
	mt.labels = l;
	mt.nlabels = n;
	/* A failed store is recorded in ing->store_failed; the event is out. */
	(void)aiops_ingest_metric(w->ing, &mt);
}

/*
 * The value at path ("A" or "A.B") in o, or NULL. -1 when a step on the
 * way is not an object.
 */
static int
lookup(const json_t *o, const char *path, const json_t **v)
{
	const char *dot = strchr(path, '.');
	char head[64];

	*v = NULL;
	if (dot == NULL) {
		*v = json_object_get(o, path);
		return 0;
	}
	if ((size_t)(dot - path) >= sizeof(head))
		return -1;
	memcpy(head, path, (size_t)(dot - path));
	head[dot - path] = '\0';
	o = json_object_get(o, head);
	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return -1;
	*v = json_object_get(o, dot + 1);
	return 0;
}

static int
member_error(struct walk *w, const struct member *m, const char *what, const char *why)
{
	return aiops_ingest_error(w->ing, "%s[%zu].%s %s", m->c->array, m->idx, what, why);
}

/* Fans: "RPM" or "Percent" (any case); RPM when not said. */
static int
fan_unit(struct walk *w, const struct member *m, const char **unit)
{
	const json_t *u = json_object_get(m->obj, "ReadingUnits");
	const char *s;

	*unit = "rpm";
	if (u == NULL || json_is_null(u))
		return 0;
	if ((s = json_string_value(u)) == NULL)
		return member_error(w, m, "ReadingUnits", "is not a string");
	if (strcasecmp(s, "percent") == 0)
		*unit = "percent";
	else if (strcasecmp(s, "rpm") != 0)
		return member_error(w, m, "ReadingUnits", "is not RPM or Percent");
	return 0;
}

static int
read_one(struct walk *w, struct member *m, const struct reading *r)
{
	const json_t *v;
	const char *path = r->member, *unit = r->unit;

	if (lookup(m->obj, r->member, &v) == -1)
		return aiops_ingest_error(w->ing, "%s[%zu].%.*s is not an object",
		    m->c->array, m->idx, (int)strcspn(r->member, "."), r->member);
	if (v == NULL && r->alt != NULL) {
		path = r->alt;
		v = json_object_get(m->obj, r->alt);
	}
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return member_error(w, m, path, "is not a number");
	if (unit == NULL && fan_unit(w, m, &unit) == -1)
		return -1;
	emit(w, m, r->metric, json_number_value(v), unit, NULL);
	return 0;
}

/* Status.Health: OK 1, Warning 0.5, Critical 0; absent or null: none. */
static int
read_health(struct walk *w, struct member *m)
{
	static const struct { const char *word; double v; } levels[] = {
		{ "OK", 1 }, { "Warning", 0.5 }, { "Critical", 0 },
	};
	const json_t *st = json_object_get(m->obj, "Status"), *h;
	size_t i;

	if (st == NULL || json_is_null(st))
		return 0;
	if (!json_is_object(st))
		return member_error(w, m, "Status", "is not an object");
	h = json_object_get(st, "Health");
	if (h == NULL || json_is_null(h))
		return 0;
	if (!json_is_string(h))
		return member_error(w, m, "Status.Health", "is not a string");
	for (i = 0; i < NELEM(levels); i++)
		if (strcmp(json_string_value(h), levels[i].word) == 0)
			break;
	if (i == NELEM(levels))
		return member_error(w, m, "Status.Health", "is not OK, Warning or Critical");
	emit(w, m, "redfish_health", levels[i].v, NULL, m->c->kind);
	return 0;
}

/* An optional string member: 0 absent or null, 1 found, -1 wrong type. */
static int
opt_string(struct walk *w, const struct member *m, const char *key, const json_t **v)
{
	*v = json_object_get(m->obj, key);
	if (*v == NULL || json_is_null(*v))
		return 0;
	if (!json_is_string(*v))
		return member_error(w, m, key, "is not a string");
	return 1;
}

/* The member's name label: Name, FanName, MemberId, else its index. */
static int
name_label(struct walk *w, struct member *m)
{
	static const char *const keys[] = { "Name", "FanName", "MemberId" };
	const json_t *v;
	size_t i;
	int rc;

	for (i = 0; i < NELEM(keys); i++) {
		if ((rc = opt_string(w, m, keys[i], &v)) == -1)
			return -1;
		if (rc == 1 && json_string_length(v) > 0) {
			label(m, m->c->labelkey, json_string_value(v), json_string_length(v));
			m->name = &m->labels[m->nlabels - 1];
			return 0;
		}
	}
	rc = snprintf(m->idxbuf, sizeof(m->idxbuf), "%zu", m->idx);
	if (rc < 0 || (size_t)rc >= sizeof(m->idxbuf))
		return member_error(w, m, "index", "is too large");
	label(m, m->c->labelkey, m->idxbuf, (size_t)rc);
	m->name = &m->labels[m->nlabels - 1];
	return 0;
}

/* Labels common to every metric of the member. */
static int
member_labels(struct walk *w, struct member *m)
{
	const json_t *pc;
	int rc;

	m->nlabels = 0;
	if (w->chassis != NULL)
		label(m, "chassis", w->chassis, w->chlen);
	if (name_label(w, m) == -1)
		return -1;
	if ((rc = opt_string(w, m, "PhysicalContext", &pc)) == -1)
		return -1;
	if (rc == 1)
		label(m, "physical_context", json_string_value(pc), json_string_length(pc));
	return 0;
}

/*
 * Status.State, the Resource.State enum of DSP0268 (Resource v1_x):
 * Absent ("not present or detected"), Disabled, StandbyOffline ("enabled
 * but awaits an external action to activate it") and UnavailableOffline
 * ("present but cannot be used") mean the sensor measures nothing, and
 * what it reports is no reading: BMCs give 0 for the sensor of an empty
 * CPU socket. Such a member gives no metric at all, its health included.
 * Enabled, StandbySpare (a spare PSU still reads its input), InTest,
 * Starting, Deferring, Quiesced, Updating, Qualified, a state we do not
 * know, or none: read. *skip is set; -1 on a wrong type.
 */
static int
out_of_service(struct walk *w, const struct member *m, int *skip)
{
	static const char *const off[] = {
		"Absent", "Disabled", "StandbyOffline", "UnavailableOffline",
	};
	const json_t *st = json_object_get(m->obj, "Status"), *s;
	size_t i;

	*skip = 0;
	if (st == NULL || json_is_null(st))
		return 0;
	if (!json_is_object(st))
		return member_error(w, m, "Status", "is not an object");
	s = json_object_get(st, "State");
	if (s == NULL || json_is_null(s))
		return 0;
	if (!json_is_string(s))
		return member_error(w, m, "Status.State", "is not a string");
	for (i = 0; i < NELEM(off); i++)
		if (strcmp(json_string_value(s), off[i]) == 0)
			*skip = 1;
	if (*skip && !w->dry)
		aiops_ingest_note(w->ing, "%s[%zu] (%.*s): Status.State %s: no reading",
		    m->c->array, m->idx, (int)m->name->vlen, m->name->val,
		    json_string_value(s));
	return 0;
}

static int
read_member(struct walk *w, struct member *m)
{
	size_t i;
	int skip;

	if (!json_is_object(m->obj))
		return aiops_ingest_error(w->ing, "%s[%zu] is not an object", m->c->array, m->idx);
	if (member_labels(w, m) == -1 || out_of_service(w, m, &skip) == -1)
		return -1;
	if (skip)
		return 0;
	for (i = 0; i < m->c->nreadings; i++)
		if (read_one(w, m, &m->c->readings[i]) == -1)
			return -1;
	return read_health(w, m);
}

static int
read_collection(struct walk *w, const json_t *doc, const struct collection *c)
{
	const json_t *arr = json_object_get(doc, c->array);
	struct member m;
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return aiops_ingest_error(w->ing, "%s is not an array", c->array);
	for (i = 0; i < json_array_size(arr); i++) {
		memset(&m, 0, sizeof(m));
		m.c = c;
		m.idx = i;
		m.obj = json_array_get(arr, i);
		if (read_member(w, &m) == -1)
			return -1;
	}
	return 0;
}

/* "/redfish/v1/Chassis/1U/Thermal" -> "1U". */
static void
chassis_of(const json_t *doc, const char **id, size_t *n)
{
	const char *s = json_string_value(json_object_get(doc, "@odata.id"));
	const char *p, *e;

	*id = NULL;
	*n = 0;
	if (s == NULL || (p = strstr(s, "/Chassis/")) == NULL)
		return;
	p += strlen("/Chassis/");
	if ((e = strchr(p, '/')) == NULL)
		e = p + strlen(p);
	if (e > p) {
		*id = p;
		*n = (size_t)(e - p);
	}
}

static int
walk(struct walk *w, const json_t *doc)
{
	const struct collection *cs = thermal;
	size_t i, n = NELEM(thermal);

	if (strncmp(odata_type(doc), "#Power.", 7) == 0) {
		cs = power;
		n = NELEM(power);
	}
	for (i = 0; i < n; i++)
		if (read_collection(w, doc, &cs[i]) == -1)
			return -1;
	return 0;
}

int
aiops_redfish_emit(struct aiops_ingest *ing, const json_t *doc)
{
	struct walk w;

	if (!aiops_redfish_match(doc))
		return aiops_ingest_error(ing,
		    "not a Redfish Thermal or Power resource (\"@odata.type\")");
	memset(&w, 0, sizeof(w));
	w.ing = ing;
	w.ts = aiops_ingest_now(ing);
	chassis_of(doc, &w.chassis, &w.chlen);
	w.dry = 1;
	if (walk(&w, doc) == -1)
		return -1;
	w.dry = 0;
	return walk(&w, doc);
}
