/*
 * snmp.c: the output of net-snmp's snmpget, snmpwalk and snmpbulkwalk,
 * one variable binding a line (net-snmp snmplib/mib.c, sprint_realloc_*):
 *
 *   .1.3.6.1.2.1.2.2.1.10.2 = Counter32: 123		(-On)
 *   iso.3.6.1.2.1.2.2.1.10.2 = Counter32: 123		(no MIBs loaded)
 *   IF-MIB::ifHCInOctets.2 = Counter64: 123		(MIBs loaded)
 *   IF-MIB::ifOperStatus.2 = INTEGER: up(1)
 *   SNMPv2-MIB::sysUpTime.0 = Timeticks: (12345) 0:02:03.45
 *   .1.3.6.1.2.1.2.2.1.2.1 = STRING: "lo"
 *   .1.3.6.1.2.1.2.2.1.6.1 = ""
 *
 * A quoted STRING holds its newlines, so it goes on over the next lines
 * up to the closing quote (net-snmp escapes '"' and '\' inside); an
 * unquoted STRING (a MIB's display hint) goes on over the lines that are
 * not a binding; a Hex-STRING wraps every 16 bytes.
 *
 * Names: the built-in table below maps the standard OIDs (SNMPv2-MIB
 * system, IF-MIB ifTable and ifXTable, HOST-RESOURCES-MIB) to their MIB
 * object names, as the Prometheus snmp_exporter names its metrics:
 * ifHCInOctets{ifIndex="2",ifDescr="eth0",ifName="eth0"}. A table row is
 * labelled with its index (ifIndex, hrStorageIndex, hrDeviceIndex,
 * hrSWRunIndex...) and with the row's string columns that name it
 * (ifDescr, ifName, ifAlias; hrStorageDescr; hrDeviceDescr; hrSWRunName),
 * which a walk gives before or after the numbers: so the bindings of one
 * walk are held and written together when it ends. Scalars (.0) have no
 * label. An OID outside the table is named snmp_<the OID's arcs joined
 * by '_'> (snmp_1_3_6_1_4_1_2021_10_1_5_1), no label, since without the
 * MIB the index cannot be told from the object; a MIB name outside the
 * table (UCD-SNMP-MIB::laLoadInt.1) keeps the object name (laLoadInt)
 * with the rest as the label index="1". SNMPv2-SMI names (enterprises.N,
 * mib-2.N...) are turned back into numbers first.
 *
 * Values: Counter32 and Counter64 are counters (metric_type "counter");
 * Gauge32, INTEGER (the number of "up(1)"), Unsigned32 and Opaque floats
 * are gauges; Timeticks are gauges in seconds. hrStorageSize and
 * hrStorageUsed stay in allocation units as the MIB gives them, and when
 * the row's hrStorageAllocationUnits is in the walk they are also written
 * in bytes as hrStorageSize_bytes and hrStorageUsed_bytes. Strings,
 * Hex-STRINGs, OIDs and addresses give no metric: they are labels of the
 * rows above or nothing. "No Such Object" and "No Such Instance" give
 * nothing (noted at -v); "No more variables left in this MIB View" ends a
 * walk.
 *
 * Walks: the output has no time and no agent name. A walk's values share
 * one time, the clock's when its first line was read. A walk ends at the
 * end of the input, at "No more variables", or when an OID comes again
 * (the next run of a polling loop): it is written then. At most
 * SN_MAXSAMPLES values are held; past that they are written with the
 * labels known so far. The host is --host, else the walk's sysName.0 when
 * it holds one, else none. A format has no timer: a follower's last walk
 * waits for the next one, or for the end of the run (finish()).
 */
#include "compat.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hmap.h"
#include "core/numparse.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "event/event.h"
#include "ingest/ingest.h"

#define FMTNAME		"snmp"
#define SN_MAXSAMPLES	65536	/* values held before a walk is written */
#define SN_MAXSEEN	(4 * SN_MAXSAMPLES)
#define SN_MAXNAMES	(16 << 20)	/* bytes of their names and indexes */
#define SN_MAXROWS	65536	/* table rows whose labels are kept */
#define SN_MAXLABEL	1024	/* bytes of a label value kept */
#define SN_MAXARCS	128	/* arcs of an OID (RFC 2578 3.5) */
#define SN_MAXNAME	128	/* bytes of a MIB object name */
#define SN_NLABELS	3	/* label columns of a table */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum tab {
	T_SCALAR, T_SYSOR, T_IF, T_HRSTORAGE, T_HRDEVICE, T_HRFS, T_HRSWRUN, T_HRSWINST,
	T_NAMED,	/* a MIB name outside the table */
	T_OID,		/* a number outside the table */
};

/* Per table: the label of its index and its label columns. */
static const struct {
	const char	*index;
	const char	*labels[SN_NLABELS];
} tabs[] = {
	[T_SCALAR] = { NULL, { NULL } },
	[T_SYSOR] = { "sysORIndex", { NULL } },
	[T_IF] = { "ifIndex", { "ifDescr", "ifName", "ifAlias" } },
	[T_HRSTORAGE] = { "hrStorageIndex", { "hrStorageDescr" } },
	[T_HRDEVICE] = { "hrDeviceIndex", { "hrDeviceDescr" } },
	[T_HRFS] = { "hrFSIndex", { "hrFSMountPoint" } },
	[T_HRSWRUN] = { "hrSWRunIndex", { "hrSWRunName" } },
	[T_HRSWINST] = { "hrSWInstalledIndex", { "hrSWInstalledName" } },
	[T_NAMED] = { "index", { NULL } },
	[T_OID] = { NULL, { NULL } },
};

enum role {
	R_METRIC,	/* a number */
	R_LABEL,	/* names its row: tabs[].labels[slot] */
	R_NONE,		/* an index column, a string: nothing */
	R_UNITS,	/* hrStorageAllocationUnits: a metric, and bytes */
	R_INUNITS,	/* hrStorageSize, hrStorageUsed: also in bytes */
	R_SYSNAME,	/* sysName.0: the host */
};

struct obj {
	const char	*oid;
	const char	*name;
	enum tab	 tab;
	enum role	 role;
	int		 slot;		/* R_LABEL: index in tabs[].labels */
};

/* The standard OIDs (RFC 3418, RFC 2863, RFC 2790). */
static const struct obj objs[] = {
	{ "1.3.6.1.2.1.1.1", "sysDescr", T_SCALAR, R_NONE, 0 },
	{ "1.3.6.1.2.1.1.2", "sysObjectID", T_SCALAR, R_NONE, 0 },
	{ "1.3.6.1.2.1.1.3", "sysUpTime", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.1.4", "sysContact", T_SCALAR, R_NONE, 0 },
	{ "1.3.6.1.2.1.1.5", "sysName", T_SCALAR, R_SYSNAME, 0 },
	{ "1.3.6.1.2.1.1.6", "sysLocation", T_SCALAR, R_NONE, 0 },
	{ "1.3.6.1.2.1.1.7", "sysServices", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.1.8", "sysORLastChange", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.1.9.1.1", "sysORIndex", T_SYSOR, R_NONE, 0 },
	{ "1.3.6.1.2.1.1.9.1.2", "sysORID", T_SYSOR, R_NONE, 0 },
	{ "1.3.6.1.2.1.1.9.1.3", "sysORDescr", T_SYSOR, R_NONE, 0 },
	{ "1.3.6.1.2.1.1.9.1.4", "sysORUpTime", T_SYSOR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.1", "ifNumber", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.1", "ifIndex", T_IF, R_NONE, 0 },
	{ "1.3.6.1.2.1.2.2.1.2", "ifDescr", T_IF, R_LABEL, 0 },
	{ "1.3.6.1.2.1.2.2.1.3", "ifType", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.4", "ifMtu", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.5", "ifSpeed", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.6", "ifPhysAddress", T_IF, R_NONE, 0 },
	{ "1.3.6.1.2.1.2.2.1.7", "ifAdminStatus", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.8", "ifOperStatus", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.9", "ifLastChange", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.10", "ifInOctets", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.11", "ifInUcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.12", "ifInNUcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.13", "ifInDiscards", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.14", "ifInErrors", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.15", "ifInUnknownProtos", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.16", "ifOutOctets", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.17", "ifOutUcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.18", "ifOutNUcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.19", "ifOutDiscards", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.20", "ifOutErrors", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.21", "ifOutQLen", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.2.2.1.22", "ifSpecific", T_IF, R_NONE, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.1", "ifName", T_IF, R_LABEL, 1 },
	{ "1.3.6.1.2.1.31.1.1.1.2", "ifInMulticastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.3", "ifInBroadcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.4", "ifOutMulticastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.5", "ifOutBroadcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.6", "ifHCInOctets", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.7", "ifHCInUcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.8", "ifHCInMulticastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.9", "ifHCInBroadcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.10", "ifHCOutOctets", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.11", "ifHCOutUcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.12", "ifHCOutMulticastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.13", "ifHCOutBroadcastPkts", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.14", "ifLinkUpDownTrapEnable", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.15", "ifHighSpeed", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.16", "ifPromiscuousMode", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.17", "ifConnectorPresent", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.31.1.1.1.18", "ifAlias", T_IF, R_LABEL, 2 },
	{ "1.3.6.1.2.1.31.1.1.1.19", "ifCounterDiscontinuityTime", T_IF, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.1.1", "hrSystemUptime", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.1.2", "hrSystemDate", T_SCALAR, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.1.3", "hrSystemInitialLoadDevice", T_SCALAR, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.1.4", "hrSystemInitialLoadParameters", T_SCALAR, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.1.5", "hrSystemNumUsers", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.1.6", "hrSystemProcesses", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.1.7", "hrSystemMaxProcesses", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.2.2", "hrMemorySize", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.2.3.1.1", "hrStorageIndex", T_HRSTORAGE, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.2.3.1.2", "hrStorageType", T_HRSTORAGE, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.2.3.1.3", "hrStorageDescr", T_HRSTORAGE, R_LABEL, 0 },
	{ "1.3.6.1.2.1.25.2.3.1.4", "hrStorageAllocationUnits", T_HRSTORAGE, R_UNITS, 0 },
	{ "1.3.6.1.2.1.25.2.3.1.5", "hrStorageSize", T_HRSTORAGE, R_INUNITS, 0 },
	{ "1.3.6.1.2.1.25.2.3.1.6", "hrStorageUsed", T_HRSTORAGE, R_INUNITS, 0 },
	{ "1.3.6.1.2.1.25.2.3.1.7", "hrStorageAllocationFailures", T_HRSTORAGE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.2.1.1", "hrDeviceIndex", T_HRDEVICE, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.3.2.1.2", "hrDeviceType", T_HRDEVICE, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.3.2.1.3", "hrDeviceDescr", T_HRDEVICE, R_LABEL, 0 },
	{ "1.3.6.1.2.1.25.3.2.1.4", "hrDeviceID", T_HRDEVICE, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.3.2.1.5", "hrDeviceStatus", T_HRDEVICE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.2.1.6", "hrDeviceErrors", T_HRDEVICE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.3.1.1", "hrProcessorFrwID", T_HRDEVICE, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.3.3.1.2", "hrProcessorLoad", T_HRDEVICE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.4.1.1", "hrNetworkIfIndex", T_HRDEVICE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.6.1.1", "hrDiskStorageAccess", T_HRDEVICE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.6.1.2", "hrDiskStorageMedia", T_HRDEVICE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.6.1.3", "hrDiskStorageRemoveble", T_HRDEVICE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.6.1.4", "hrDiskStorageCapacity", T_HRDEVICE, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.1", "hrFSIndex", T_HRFS, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.2", "hrFSMountPoint", T_HRFS, R_LABEL, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.3", "hrFSRemoteMountPoint", T_HRFS, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.4", "hrFSType", T_HRFS, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.5", "hrFSAccess", T_HRFS, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.6", "hrFSBootable", T_HRFS, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.7", "hrFSStorageIndex", T_HRFS, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.8", "hrFSLastFullBackupDate", T_HRFS, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.3.8.1.9", "hrFSLastPartialBackupDate", T_HRFS, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.4.1", "hrSWOSIndex", T_SCALAR, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.4.2.1.1", "hrSWRunIndex", T_HRSWRUN, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.4.2.1.2", "hrSWRunName", T_HRSWRUN, R_LABEL, 0 },
	{ "1.3.6.1.2.1.25.4.2.1.3", "hrSWRunID", T_HRSWRUN, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.4.2.1.4", "hrSWRunPath", T_HRSWRUN, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.4.2.1.5", "hrSWRunParameters", T_HRSWRUN, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.4.2.1.6", "hrSWRunType", T_HRSWRUN, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.4.2.1.7", "hrSWRunStatus", T_HRSWRUN, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.5.1.1.1", "hrSWRunPerfCPU", T_HRSWRUN, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.5.1.1.2", "hrSWRunPerfMem", T_HRSWRUN, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.6.1", "hrSWInstalledLastChange", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.6.2", "hrSWInstalledLastUpdateTime", T_SCALAR, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.6.3.1.1", "hrSWInstalledIndex", T_HRSWINST, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.6.3.1.2", "hrSWInstalledName", T_HRSWINST, R_LABEL, 0 },
	{ "1.3.6.1.2.1.25.6.3.1.3", "hrSWInstalledID", T_HRSWINST, R_NONE, 0 },
	{ "1.3.6.1.2.1.25.6.3.1.4", "hrSWInstalledType", T_HRSWINST, R_METRIC, 0 },
	{ "1.3.6.1.2.1.25.6.3.1.5", "hrSWInstalledDate", T_HRSWINST, R_NONE, 0 },
};

/* SNMPv2-SMI's nodes, turned back into numbers (RFC 2578 2). */
static const struct { const char *name, *oid; } smi[] = {
	{ "iso", "1" }, { "org", "1.3" }, { "dod", "1.3.6" }, { "internet", "1.3.6.1" },
	{ "directory", "1.3.6.1.1" }, { "mgmt", "1.3.6.1.2" }, { "mib-2", "1.3.6.1.2.1" },
	{ "transmission", "1.3.6.1.2.1.10" }, { "experimental", "1.3.6.1.3" },
	{ "private", "1.3.6.1.4" }, { "enterprises", "1.3.6.1.4.1" },
	{ "security", "1.3.6.1.5" }, { "snmpV2", "1.3.6.1.6" },
};

enum vtype {
	V_NUM,		/* a number */
	V_STRING,	/* STRING, quoted or not, or "" */
	V_HEX,		/* Hex-STRING */
	V_OTHER,	/* OID, IpAddress, BITS, NULL...: no value of ours */
	V_NONE,		/* No Such Object / Instance */
	V_END,		/* No more variables: the walk's end */
};

enum cont { C_NONE, C_QUOTED, C_PLAIN, C_HEX };

/* One binding's line, parsed. */
struct vb {
	char		 key[SN_MAXARCS * 11 + SN_MAXNAME + 8];	/* the OID as a key */
	const struct obj *obj;		/* or NULL */
	enum tab	 tab;
	char		 name[SN_MAXNAME + SN_MAXARCS * 11 + 8];	/* outside the table */
	const char	*index;		/* row index text, or NULL (scalar) */
	size_t		 ilen;
	enum vtype	 vtype;
	double		 value;
	const char	*mtype;		/* "counter", "gauge" */
	const char	*unit;
	const char	*sval;		/* the string's text after TYPE: */
	size_t		 slen;
	enum cont	 cont;		/* the value goes on next line */
	size_t		 none;		/* V_NONE: which, in nonvalues */
};

/* A table row's labels, by table and index. */
struct row {
	char		*labels[SN_NLABELS];
	double		 units;		/* hrStorageAllocationUnits, or NAN */
};

/* A value held until its walk ends. */
struct sample {
	const char	*name;		/* a table name, or names + off */
	size_t		 nameoff;	/* in names, when name is NULL */
	size_t		 nlen;
	enum tab	 tab;
	size_t		 idxoff;	/* in names */
	size_t		 ilen;
	int		 has_index;
	int		 inunits;	/* also in bytes */
	double		 value;
	const char	*mtype;
	const char	*unit;
};

struct snmp {
	int64_t		 ts;
	int		 walking;	/* ts is set */
	struct sample	*samples;
	size_t		 nsamples, capsamples;
	struct aiops_buf names;		/* names and indexes of the samples */
	struct aiops_hmap seen;		/* OIDs of this walk */
	struct aiops_hmap rows;		/* "tab:index" -> struct row */
	int		 rows_full;	/* noted once */
	char		*sysname;
	/* A string going on over the next lines. */
	enum cont	 cont;
	unsigned long	 contline;
	enum tab	 conttab;	/* where the string goes: a label... */
	int		 contslot;	/* ...slot, or -1: sysName, -2: nowhere */
	char		*contindex;
	struct aiops_buf contval;
	int		 contlong;	/* more than SN_MAXLABEL bytes */
};

/* ------------------------------------------------------------ lexing */

static int
starts(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word);

	return n >= wl && memcmp(s, word, wl) == 0;
}

static int
namechar(int c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* Arcs "1.3.6" (no leading dot): the count, or -1 when not that. */
static int
arcs(const char *s, size_t n)
{
	size_t i = 0, d;
	int count = 0;

	while (i < n) {
		for (d = 0; i + d < n && isdigit((unsigned char)s[i + d]); d++)
			;
		if (d == 0 || d > 10)
			return -1;
		if (d == 10 && memcmp(s + i, "4294967295", 10) > 0)
			return -1;
		if (++count > SN_MAXARCS)
			return -1;
		i += d;
		if (i == n)
			break;
		if (s[i] != '.' || i + 1 == n)
			return -1;
		i++;
	}
	return count;
}

/*
 * The end of an OID token that starts line: the first " = " outside
 * double quotes (an index may hold a quoted string). 0 when none.
 */
static size_t
token_end(const char *line, size_t len)
{
	size_t i;
	int q = 0;

	for (i = 0; i < len; i++) {
		if (q && line[i] == '\\' && i + 1 < len)
			i++;
		else if (line[i] == '"')
			q = !q;
		else if (!q && line[i] == ' ')
			return i + 3 <= len && memcmp(line + i, " = ", 3) == 0 ? i : 0;
	}
	return 0;
}

/* ----------------------------------------------------------- the OID */

static void
set_unknown_oid(struct vb *vb, const char *num, size_t n)
{
	size_t i, o;

	vb->tab = T_OID;
	memcpy(vb->name, "snmp_", 5);
	for (i = 0, o = 5; i < n; i++)
		vb->name[o++] = num[i] == '.' ? '_' : num[i];
	vb->name[o] = '\0';
}

/* A numeric OID "1.3.6..." (checked): the table's object and index, or none. */
static void
lookup_oid(struct vb *vb, const char *num, size_t n)
{
	size_t i, ol;

	memcpy(vb->key, num, n);
	vb->key[n] = '\0';
	for (i = 0; i < NELEM(objs); i++) {
		ol = strlen(objs[i].oid);
		if (n > ol + 1 && memcmp(num, objs[i].oid, ol) == 0 && num[ol] == '.') {
			vb->obj = &objs[i];
			vb->tab = objs[i].tab;
			vb->index = vb->key + ol + 1;
			vb->ilen = n - ol - 1;
			return;
		}
	}
	set_unknown_oid(vb, num, n);
}

/*
 * A named OID: MODULE::object.index, object.index (-Os), or the full
 * path .iso.org.dod...object.index (-Of). 0, or -1 when not a name.
 */
static int
named_oid(struct vb *vb, const char *s, size_t n)
{
	const char *obj = NULL, *p, *end = s + n, *idx;
	char buf[SN_MAXARCS * 11 + 1];
	size_t ol = 0, i, bl;
	const char *c;

	if ((c = memmem(s, n, "::", 2)) != NULL) {
		for (p = s; p < c; p++)
			if (!namechar(*p))
				return -1;
		if (c == s)
			return -1;
		s = c + 2;
	} else if (*s == '.')
		s++;
	/* Names up to the first number or quoted part: the last is the object. */
	for (p = s; p < end && isalpha((unsigned char)*p);) {
		const char *q = p;

		while (q < end && namechar(*q))
			q++;
		obj = p;
		ol = (size_t)(q - p);
		if (q == end || *q != '.') {
			p = q;
			break;
		}
		p = q + 1;
	}
	if (obj == NULL || ol > SN_MAXNAME)
		return -1;
	idx = p;
	if (idx < end && idx > s && idx[-1] != '.')
		return -1;	/* "ifDescr x" or "ifDescr#": no name */
	for (i = 0; idx + i < end; i++)
		if ((unsigned char)idx[i] <= ' ' && !memchr(idx, '"', (size_t)(end - idx)))
			return -1;
	/* DISMAN-EVENT-MIB::sysUpTimeInstance is sysUpTime.0. */
	if (ol == 17 && memcmp(obj, "sysUpTimeInstance", 17) == 0 && idx == end) {
		lookup_oid(vb, "1.3.6.1.2.1.1.3.0", 17);
		return 0;
	}
	for (i = 0; i < NELEM(objs); i++) {
		if (strlen(objs[i].name) != ol || memcmp(objs[i].name, obj, ol) != 0)
			continue;
		if (idx == end)
			break;		/* a column without its index */
		vb->obj = &objs[i];
		vb->tab = objs[i].tab;
		snprintf(vb->key, sizeof(vb->key), "%s.%.*s", objs[i].oid,
		    (int)(end - idx), idx);
		vb->index = vb->key + strlen(objs[i].oid) + 1;
		vb->ilen = strlen(vb->index);
		return 0;
	}
	/* An SNMPv2-SMI node and numbers: the numeric form. */
	for (i = 0; i < NELEM(smi); i++) {
		if (strlen(smi[i].name) != ol || memcmp(smi[i].name, obj, ol) != 0)
			continue;
		if (idx < end && arcs(idx, (size_t)(end - idx)) < 0)
			break;
		bl = (size_t)snprintf(buf, sizeof(buf), "%s%s%.*s", smi[i].oid,
		    idx < end ? "." : "", (int)(end - idx), idx);
		if (bl >= sizeof(buf) || arcs(buf, bl) < 0)
			return -1;
		lookup_oid(vb, buf, bl);
		return 0;
	}
	vb->tab = T_NAMED;
	memcpy(vb->name, obj, ol);
	vb->name[ol] = '\0';
	for (i = 0; i < ol; i++)
		if (vb->name[i] == '-')
			vb->name[i] = '_';
	snprintf(vb->key, sizeof(vb->key), "%.*s", (int)(end - s), s);
	if (idx < end && !(end - idx == 1 && *idx == '0')) {
		vb->index = vb->key + (idx - s);
		vb->ilen = (size_t)(end - idx);
	}
	return 0;
}

static int
parse_oid(struct vb *vb, const char *s, size_t n)
{
	char buf[SN_MAXARCS * 11 + 1];
	size_t bl;

	if (n > SN_MAXARCS * 11)
		return -1;
	if (n > 1 && s[0] == '.' && isdigit((unsigned char)s[1])) {
		if (arcs(s + 1, n - 1) < 2)
			return -1;
		lookup_oid(vb, s + 1, n - 1);
		return 0;
	}
	if (n > 4 && memcmp(s, "iso.", 4) == 0 && isdigit((unsigned char)s[4])) {
		bl = (size_t)snprintf(buf, sizeof(buf), "1.%.*s", (int)(n - 4), s + 4);
		if (bl >= sizeof(buf) || arcs(buf, bl) < 2)
			return -1;
		lookup_oid(vb, buf, bl);
		return 0;
	}
	if (isdigit((unsigned char)s[0])) {
		if (arcs(s, n) < 2)
			return -1;
		lookup_oid(vb, s, n);
		return 0;
	}
	return named_oid(vb, s, n);
}

/* --------------------------------------------------------- the value */

/* A decimal number, optionally signed, then nothing or " unit...". */
static int
leading_number(const char *s, size_t n, double *v, size_t *used)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return -1;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !isdigit((unsigned char)s[i]))
			return -1;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
	}
	if (i < n && s[i] != ' ')
		return -1;
	if (aiops_parse_decimal(s, i, v) != 0 || !isfinite(*v))
		return -1;
	*used = i;
	return 0;
}

/* INTEGER: 1, -5, up(1), 4096 Bytes (a MIB's UNITS). */
static int
parse_integer(const char *s, size_t n, double *v)
{
	const char *open;
	size_t used;

	if (n > 2 && s[n - 1] == ')' && (open = memchr(s, '(', n)) != NULL &&
	    open > s && isalpha((unsigned char)s[0]))
		return leading_number(open + 1, (size_t)(s + n - 1 - (open + 1)), v, &used) == 0 &&
		    used == (size_t)(s + n - 1 - (open + 1)) ? 0 : -1;
	return leading_number(s, n, v, &used);
}

/* Counter32, Gauge32, Counter64...: no sign, no fraction, in range. */
static int
parse_unsigned(const char *s, size_t n, double max, double *v)
{
	size_t used, i;

	if (leading_number(s, n, v, &used) == -1)
		return -1;
	for (i = 0; i < used; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	return *v <= max ? 0 : -2;
}

/* Timeticks: (12345) 0:02:03.45, or 12345 (-Ot): hundredths of a second. */
static int
parse_ticks(const char *s, size_t n, double *v)
{
	const char *close;

	if (n > 0 && s[0] == '(') {
		if ((close = memchr(s, ')', n)) == NULL)
			return -1;
		s++;
		n = (size_t)(close - s);
	}
	int rc;

	if ((rc = parse_unsigned(s, n, 4294967295.0, v)) < 0)
		return rc;
	*v /= 100;
	return 0;
}

/* Hex-STRING bytes: "00 1A 2B " (a trailing space is net-snmp's). */
static int
hex_bytes(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		if (i + 1 >= n || !isxdigit((unsigned char)s[i]) ||
		    !isxdigit((unsigned char)s[i + 1]))
			return -1;
		i += 2;
		if (i < n && s[i] != ' ')
			return -1;
	}
	return 0;
}

/*
 * A quoted string from just after its opening quote: 1 when it closes
 * on this line (with only blanks after), 0 when it goes on, -1 when
 * text follows the closing quote.
 */
static int
quote_closes(const char *s, size_t n, size_t *closeat)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] != '"')
			continue;
		for (j = i + 1; j < n; j++)
			if (s[j] != ' ' && s[j] != '\t')
				return -1;
		*closeat = i;
		return 1;
	}
	return 0;
}

static const struct {
	const char	*word;
	enum vtype	 vtype;
} types[] = {
	{ "STRING", V_STRING }, { "Hex-STRING", V_HEX }, { "INTEGER", V_NUM },
	{ "Integer32", V_NUM }, { "Gauge32", V_NUM }, { "Counter32", V_NUM },
	{ "Counter64", V_NUM }, { "Timeticks", V_NUM }, { "Unsigned32", V_NUM },
	{ "UInteger32", V_NUM }, { "Opaque", V_OTHER }, { "OID", V_OTHER },
	{ "IpAddress", V_OTHER }, { "Network Address", V_OTHER }, { "BITS", V_OTHER },
	{ "NsapAddress", V_OTHER },
};

static const char *const nonvalues[] = {
	"No Such Object available on this agent at this OID",
	"No Such Instance currently exists at this OID",
};
#define END_OF_VIEW	"No more variables left in this MIB View"

/* Opaque: Float: 1.5, Double:, Int64:, UInt64:, Counter64: a number. */
static int
parse_opaque(struct vb *vb, const char *s, size_t n)
{
	static const char *const kinds[] = { "Float: ", "Double: ", "Int64: ",
	    "UInt64: ", "Counter64: " };
	size_t i, used;

	for (i = 0; i < NELEM(kinds); i++) {
		if (!starts(s, n, kinds[i]))
			continue;
		s += strlen(kinds[i]);
		n -= strlen(kinds[i]);
		if (leading_number(s, n, &vb->value, &used) == -1 || used != n)
			return -1;
		vb->vtype = V_NUM;
		vb->mtype = "gauge";
		return 0;
	}
	vb->vtype = V_OTHER;
	return 0;
}

/* The number of a numeric type; 0, or -1 with the error set. */
static int
parse_number(struct aiops_ingest *ing, struct vb *vb, const char *type,
    const char *s, size_t n)
{
	int rc;

	vb->mtype = "gauge";
	if (strcmp(type, "INTEGER") == 0 || strcmp(type, "Integer32") == 0)
		rc = parse_integer(s, n, &vb->value);
	else if (strcmp(type, "Timeticks") == 0) {
		rc = parse_ticks(s, n, &vb->value);
		vb->unit = "seconds";
	} else if (strcmp(type, "Counter64") == 0) {
		rc = parse_unsigned(s, n, 18446744073709551615.0, &vb->value);
		vb->mtype = "counter";
	} else {
		rc = parse_unsigned(s, n, 4294967295.0, &vb->value);
		if (strcmp(type, "Counter32") == 0)
			vb->mtype = "counter";
	}
	if (rc == -2)
		return aiops_ingest_error(ing, "%s: out of range: %.*s", type,
		    (int)(n < 40 ? n : 40), s);
	if (rc == -1)
		return aiops_ingest_error(ing, "%s: not a number: \"%.*s\"", type,
		    (int)(n < 40 ? n : 40), s);
	return 0;
}

/*
 * The value after " = ": 0, or -1 with the error set when it is not a
 * value of net-snmp's; sniffing passes ing NULL and gets -1 only.
 */
static int
parse_value(struct aiops_ingest *ing, struct vb *vb, const char *s, size_t n)
{
	size_t i, tl, closeat;
	int rc;

	for (i = 0; i < NELEM(nonvalues); i++)
		if (starts(s, n, nonvalues[i])) {
			vb->vtype = V_NONE;
			vb->none = i;
			return 0;
		}
	if (starts(s, n, END_OF_VIEW)) {
		vb->vtype = V_END;
		return 0;
	}
	if (n == 4 && memcmp(s, "NULL", 4) == 0) {
		vb->vtype = V_OTHER;
		return 0;
	}
	if (n >= 2 && s[0] == '"') {		/* "" : an empty string */
		if (quote_closes(s + 1, n - 1, &closeat) != 1 || closeat != 0)
			return ing ? aiops_ingest_error(ing, "not a value: %.*s",
			    (int)(n < 40 ? n : 40), s) : -1;
		vb->vtype = V_STRING;
		vb->sval = s;
		vb->slen = 2;
		return 0;
	}
	/* "Wrong Type (should be Counter32): Gauge32: 5": the value's own type. */
	if (starts(s, n, "Wrong Type (should be ")) {
		const char *c = memchr(s, ')', n);

		if (c == NULL || c + 3 > s + n || memcmp(c, "): ", 3) != 0)
			return ing ? aiops_ingest_error(ing, "bad Wrong Type binding") : -1;
		n -= (size_t)(c + 3 - s);
		s = c + 3;
	}
	for (i = 0; i < NELEM(types); i++) {
		tl = strlen(types[i].word);
		if (n > tl && memcmp(s, types[i].word, tl) == 0 && s[tl] == ':')
			break;
	}
	if (i == NELEM(types))
		return ing ? aiops_ingest_error(ing, "not a net-snmp value (TYPE: value): %.*s",
		    (int)(n < 40 ? n : 40), s) : -1;
	vb->vtype = types[i].vtype;
	s += tl + 1;
	n -= tl + 1;
	if (n > 0 && s[0] == ' ') {
		s++;
		n--;
	}
	if (ing == NULL)
		return 0;
	switch (vb->vtype) {
	case V_NUM:
		return parse_number(ing, vb, types[i].word, s, n);
	case V_STRING:
		vb->sval = s;
		vb->slen = n;
		if (n > 0 && s[0] == '"') {
			rc = quote_closes(s + 1, n - 1, &closeat);
			if (rc == -1)
				return aiops_ingest_error(ing, "text after the closing quote");
			if (rc == 0)
				vb->cont = C_QUOTED;
		} else
			vb->cont = C_PLAIN;
		return 0;
	case V_HEX:
		if (hex_bytes(s, n) == -1)
			return aiops_ingest_error(ing, "Hex-STRING: not hex bytes");
		vb->sval = s;
		vb->slen = n;
		vb->cont = C_HEX;
		return 0;
	default:
		if (strcmp(types[i].word, "Opaque") == 0 && parse_opaque(vb, s, n) == -1)
			return aiops_ingest_error(ing, "Opaque: not a number");
		return 0;
	}
}

/*
 * A binding line: OID = value. 0, or -1 (with the error set when ing is
 * not NULL). With ing NULL only the shape is checked (for continuation
 * lines and sniffing).
 */
static int
parse_binding(struct aiops_ingest *ing, struct vb *vb, const char *line, size_t len)
{
	size_t te;

	memset(vb, 0, sizeof(*vb));
	if ((te = token_end(line, len)) == 0)
		return ing ? aiops_ingest_error(ing, "not a net-snmp binding (OID = TYPE: value)") : -1;
	if (parse_oid(vb, line, te) == -1)
		return ing ? aiops_ingest_error(ing, "not an OID: %.*s",
		    (int)(te < 60 ? te : 60), line) : -1;
	return parse_value(ing, vb, line + te + 3, len - te - 3);
}

/* ----------------------------------------------------- state, output */

static struct row *
get_row(struct snmp *st, struct aiops_ingest *ing, enum tab tab, const char *index,
    size_t ilen, int create)
{
	char key[SN_MAXARCS * 11 + SN_MAXNAME + 16];
	struct row *r;
	int kl;
	size_t i;

	kl = snprintf(key, sizeof(key), "%d:%.*s", (int)tab, (int)ilen, index);
	if (kl < 0 || (size_t)kl >= sizeof(key))
		return NULL;
	if ((r = aiops_hmap_get(&st->rows, key, (size_t)kl)) != NULL || !create)
		return r;
	if (st->rows.len >= SN_MAXROWS) {
		if (!st->rows_full)
			aiops_ingest_note(ing, "more than %d table rows in one walk: "
			    "the rows past that have no labels", SN_MAXROWS);
		st->rows_full = 1;
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	for (i = 0; i < SN_NLABELS; i++)
		r->labels[i] = NULL;
	r->units = NAN;
	aiops_hmap_put(&st->rows, key, (size_t)kl, r);
	return r;
}

static void
free_row(void *arg)
{
	struct row *r = arg;
	size_t i;

	for (i = 0; i < SN_NLABELS; i++)
		free(r->labels[i]);
	free(r);
}

static void
emit_one(struct aiops_ingest *ing, struct snmp *st, const struct sample *s,
    const char *name, size_t nlen, double value, const char *unit)
{
	struct aiops_label labels[1 + SN_NLABELS];
	struct aiops_metric m;
	struct row *r = NULL;
	size_t nl = 0, i;

	if (s->has_index) {
		labels[nl].key = tabs[s->tab].index;
		labels[nl].klen = strlen(labels[nl].key);
		labels[nl].val = st->names.data + s->idxoff;
		labels[nl].vlen = s->ilen;
		nl++;
		r = get_row(st, ing, s->tab, st->names.data + s->idxoff, s->ilen, 0);
	}
	for (i = 0; r != NULL && i < SN_NLABELS; i++) {
		if (r->labels[i] == NULL || r->labels[i][0] == '\0')
			continue;
		labels[nl].key = tabs[s->tab].labels[i];
		labels[nl].klen = strlen(labels[nl].key);
		labels[nl].val = r->labels[i];
		labels[nl].vlen = strlen(r->labels[i]);
		nl++;
	}
	aiops_labels_sort(labels, nl);
	memset(&m, 0, sizeof(m));
	m.ts = st->ts;
	m.name = name;
	m.nlen = nlen;
	m.value = value;
	m.unit = unit;
	m.metric_type = s->mtype;
	if (ing->opts->host == NULL && st->sysname != NULL) {
		m.host = st->sysname;
		m.hlen = strlen(st->sysname);
	}
	m.source = aiops_ingest_source(ing, FMTNAME);
	m.labels = labels;
	m.nlabels = nl;
	/* A failed store is recorded in ing->store_failed. */
	(void)aiops_ingest_metric(ing, &m);
}

/* Writes the values held, in input order. */
static void
emit(struct aiops_ingest *ing, struct snmp *st)
{
	char bname[SN_MAXNAME + 8];
	struct row *r;
	size_t i;

	for (i = 0; i < st->nsamples; i++) {
		const struct sample *s = &st->samples[i];
		const char *name = s->name ? s->name : st->names.data + s->nameoff;

		emit_one(ing, st, s, name, s->nlen, s->value, s->unit);
		if (!s->inunits || !s->has_index)
			continue;
		r = get_row(st, ing, s->tab, st->names.data + s->idxoff, s->ilen, 0);
		if (r == NULL || isnan(r->units))
			continue;
		snprintf(bname, sizeof(bname), "%s_bytes", name);
		emit_one(ing, st, s, bname, strlen(bname), s->value * r->units, "bytes");
	}
	st->nsamples = 0;
	aiops_buf_reset(&st->names);
}

/* The walk is over: write it and forget its rows. */
static void
end_walk(struct aiops_ingest *ing, struct snmp *st)
{
	emit(ing, st);
	aiops_hmap_release(&st->seen, NULL);
	aiops_hmap_init(&st->seen);
	aiops_hmap_release(&st->rows, free_row);
	aiops_hmap_init(&st->rows);
	st->rows_full = 0;
	free(st->sysname);
	st->sysname = NULL;
	st->walking = 0;
}

static void
hold(struct snmp *st, const struct vb *vb)
{
	struct sample *s;

	if (st->nsamples == st->capsamples) {
		st->capsamples = st->capsamples ? st->capsamples * 2 : 64;
		st->samples = xreallocarray(st->samples, st->capsamples, sizeof(*s));
	}
	s = &st->samples[st->nsamples++];
	memset(s, 0, sizeof(*s));
	s->tab = vb->tab;
	if (vb->obj != NULL) {
		s->name = vb->obj->name;
		s->nlen = strlen(s->name);
		s->inunits = vb->obj->role == R_INUNITS;
	} else {
		s->nameoff = st->names.len;
		s->nlen = strlen(vb->name);
		aiops_buf_add(&st->names, vb->name, s->nlen);
	}
	if (vb->index != NULL && tabs[vb->tab].index != NULL) {
		s->has_index = 1;
		s->idxoff = st->names.len;
		s->ilen = vb->ilen;
		aiops_buf_add(&st->names, vb->index, vb->ilen);
	}
	s->value = vb->value;
	s->mtype = vb->mtype;
	s->unit = vb->unit;
}

/* ------------------------------------------------------- the strings */

/* Un-escapes a quoted STRING's text (net-snmp escapes '"' and '\'). */
static void
unquote(struct aiops_buf *b)
{
	size_t i, o = 0;

	if (b->len < 1 || b->data[0] != '"')
		return;
	for (i = 1; i < b->len; i++) {
		if (b->data[i] == '\\' && i + 1 < b->len) {
			b->data[o++] = b->data[++i];
			continue;
		}
		if (b->data[i] == '"')
			break;
		b->data[o++] = b->data[i];
	}
	b->len = o;
	b->data[o] = '\0';
}

/* Hex bytes to their text when it is UTF-8 without NULs (trailing ones dropped). */
static void
unhex(struct aiops_buf *b)
{
	struct aiops_buf t;
	size_t i;

	if (b->len == 0)
		return;
	aiops_buf_init(&t);
	for (i = 0; i + 1 < b->len; i++) {
		unsigned int v;
		char h[3];

		if (!isxdigit((unsigned char)b->data[i]))
			continue;
		h[0] = b->data[i];
		h[1] = b->data[i + 1];
		h[2] = '\0';
		v = (unsigned int)strtoul(h, NULL, 16);
		aiops_buf_addc(&t, (char)v);
		i++;
	}
	while (t.len > 0 && t.data[t.len - 1] == '\0')
		t.len--;
	if (t.len > 0 && memchr(t.data, '\0', t.len) == NULL &&
	    aiops_utf8_check(t.data, t.len) < 0) {
		aiops_buf_reset(b);
		aiops_buf_add(b, t.data, t.len);
	} else {
		while (b->len > 0 && b->data[b->len - 1] == ' ')
			b->len--;
		b->data[b->len] = '\0';
	}
	aiops_buf_release(&t);
}

/* The string that went on over lines is whole: put it where it goes. */
static void
string_done(struct aiops_ingest *ing, struct snmp *st)
{
	struct row *r;
	char *text;

	if (st->cont == C_NONE)
		return;
	if (st->contslot == -2) {	/* a string that is no label */
		st->cont = C_NONE;
		return;
	}
	if (st->cont == C_QUOTED)
		unquote(&st->contval);
	else if (st->cont == C_HEX)
		unhex(&st->contval);
	if (st->contlong)
		aiops_ingest_note(ing, "the string of line %lu has more than %d bytes: "
		    "the label keeps the first %d", st->contline, SN_MAXLABEL, SN_MAXLABEL);
	st->cont = C_NONE;
	text = xstrndup(st->contval.data ? st->contval.data : "", st->contval.len);
	if (st->contslot == -1) {
		free(st->sysname);
		st->sysname = text;
		return;
	}
	r = get_row(st, ing, st->conttab, st->contindex, strlen(st->contindex), 1);
	if (r == NULL) {
		free(text);
		return;
	}
	free(r->labels[st->contslot]);
	r->labels[st->contslot] = text;
}

/* Adds text to the string being read, up to SN_MAXLABEL bytes. */
static void
string_add(struct snmp *st, const char *s, size_t n)
{
	/* Room for the quote, or for hex digits: "65 74 " is two bytes. */
	size_t cap = st->cont == C_HEX ? 3 * SN_MAXLABEL : SN_MAXLABEL + 1;

	if (st->contslot == -2)
		return;
	if (st->contval.len + n > cap) {
		st->contlong = 1;
		n = st->contval.len < cap ? cap - st->contval.len : 0;
		/* Never cut a UTF-8 sequence. */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	aiops_buf_add(&st->contval, s, n);
}

static void
string_start(struct snmp *st, const struct vb *vb, unsigned long lineno)
{
	free(st->contindex);
	st->contindex = NULL;
	aiops_buf_reset(&st->contval);
	st->contlong = 0;
	st->contline = lineno;
	st->cont = vb->cont;
	st->contslot = -2;
	if (vb->obj != NULL && vb->obj->role == R_LABEL && vb->index != NULL) {
		st->contslot = vb->obj->slot;
		st->conttab = vb->tab;
		st->contindex = xstrndup(vb->index, vb->ilen);
	} else if (vb->obj != NULL && vb->obj->role == R_SYSNAME && vb->ilen == 1 &&
	    vb->index[0] == '0')
		st->contslot = -1;
	string_add(st, vb->sval, vb->slen);
	/* A quoted string closed on its line, or "": whole already. */
	if (vb->cont == C_NONE)
		st->cont = C_QUOTED;
}

/*
 * A line that goes on with the string being read: 1 when it did (the
 * string may be whole now), 0 when the line is a binding of its own, -1
 * when it is neither.
 */
static int
string_more(struct aiops_ingest *ing, struct snmp *st, const char *line, size_t len)
{
	struct vb vb;
	size_t closeat;
	int rc;

	if (st->cont == C_NONE)
		return 0;
	if (parse_binding(NULL, &vb, line, len) == 0) {
		if (st->cont == C_QUOTED)
			aiops_ingest_note(ing, "the STRING of line %lu has no closing quote: "
			    "taken up to here", st->contline);
		string_done(ing, st);
		return 0;
	}
	switch (st->cont) {
	case C_QUOTED:
		rc = quote_closes(line, len, &closeat);
		if (rc == -1)
			return aiops_ingest_error(ing, "text after the closing quote");
		string_add(st, "\n", 1);
		string_add(st, line, rc == 1 ? closeat + 1 : len);
		if (rc == 1)
			string_done(ing, st);
		return 1;
	case C_PLAIN:
		string_add(st, "\n", 1);
		string_add(st, line, len);
		return 1;
	case C_HEX:
		if (hex_bytes(line, len) == -1) {
			string_done(ing, st);
			return aiops_ingest_error(ing, "not a net-snmp binding (OID = TYPE: value)");
		}
		string_add(st, " ", 1);
		string_add(st, line, len);
		return 1;
	default:
		return 0;
	}
}

/* -------------------------------------------------------- the format */

static int
snmp_line(void *arg, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct snmp *st = arg;
	struct vb vb;
	int rc;

	if ((rc = string_more(ing, st, line, len)) != 0)
		return rc == 1 ? 0 : -1;
	/* snmpwalk -Cp's count and SNMPv1's walk end: the walk is over. */
	if (starts(line, len, "Variables found: ") || (len == 10 && memcmp(line, "End of MIB", 10) == 0)) {
		end_walk(ing, st);
		return 0;
	}
	if (parse_binding(ing, &vb, line, len) == -1)
		return -1;
	if (vb.vtype == V_END) {
		end_walk(ing, st);
		return 0;
	}
	/* The same OID again: the next walk of a polling loop. */
	if (aiops_hmap_get(&st->seen, vb.key, strlen(vb.key)) != NULL)
		end_walk(ing, st);
	else if (st->nsamples >= SN_MAXSAMPLES || st->seen.len >= SN_MAXSEEN ||
	    st->names.len >= SN_MAXNAMES) {
		aiops_ingest_note(ing, "more than %d values in one walk: written with "
		    "the labels known so far", SN_MAXSAMPLES);
		emit(ing, st);
		aiops_hmap_release(&st->seen, NULL);
		aiops_hmap_init(&st->seen);
	}
	aiops_hmap_put(&st->seen, vb.key, strlen(vb.key), st);
	if (!st->walking) {
		st->ts = aiops_ingest_now(ing);
		st->walking = 1;
	}
	switch (vb.vtype) {
	case V_NONE:
		aiops_ingest_note(ing, "%s: no value: %s", vb.key, nonvalues[vb.none]);
		break;
	case V_NUM:
		if (vb.obj != NULL && vb.obj->role != R_METRIC && vb.obj->role != R_UNITS &&
		    vb.obj->role != R_INUNITS)
			break;
		if (vb.obj != NULL && vb.obj->role == R_UNITS && vb.index != NULL) {
			struct row *r = get_row(st, ing, vb.tab, vb.index, vb.ilen, 1);

			if (r != NULL)
				r->units = vb.value;
		}
		hold(st, &vb);
		break;
	case V_STRING:
	case V_HEX:
		string_start(st, &vb, ing->lineno);
		if (vb.cont == C_NONE)
			string_done(ing, st);
		break;
	default:
		break;
	}
	return 0;
}

static int
snmp_finish(void *arg, struct aiops_ingest *ing)
{
	struct snmp *st = arg;

	if (st->cont == C_QUOTED)
		aiops_ingest_note(ing, "the STRING of line %lu has no closing quote "
		    "at the end of the input: taken as read", st->contline);
	string_done(ing, st);
	end_walk(ing, st);
	return 0;
}

/*
 * The input pauses (--follow): the walk written so far is taken as whole,
 * since a walk appended to a file arrives in one burst; a STRING that goes
 * on over lines waits for its end.
 */
static int
snmp_idle(void *arg, struct aiops_ingest *ing)
{
	struct snmp *st = arg;

	if (st->cont == C_NONE)
		end_walk(ing, st);
	return 0;
}

/* A walk not written yet, or a STRING going on, is held. */
static int
snmp_held(const void *arg)
{
	const struct snmp *st = arg;

	return st->nsamples > 0 || st->cont != C_NONE;
}

static void *
snmp_start(struct aiops_ingest *ing)
{
	struct snmp *st = xcalloc(1, sizeof(*st));

	AIOPS_UNUSED(ing);
	aiops_buf_init(&st->names);
	aiops_buf_init(&st->contval);
	aiops_hmap_init(&st->seen);
	aiops_hmap_init(&st->rows);
	return st;
}

static void
snmp_free(void *arg)
{
	struct snmp *st = arg;

	if (st == NULL)
		return;
	free(st->samples);
	aiops_buf_release(&st->names);
	aiops_buf_release(&st->contval);
	aiops_hmap_release(&st->seen, NULL);
	aiops_hmap_release(&st->rows, free_row);
	free(st->sysname);
	free(st->contindex);
	free(st);
}

/*
 * A binding line of net-snmp: 95 with a numeric, iso. or MODULE:: OID
 * (nothing else writes " = Counter32: "), 70 with a bare name (-Os).
 */
static int
sniff(const char *line, size_t len)
{
	struct vb vb;

	if (parse_binding(NULL, &vb, line, len) == -1)
		return 0;
	if (line[0] == '.' || starts(line, len, "iso.") || isdigit((unsigned char)line[0]) ||
	    memmem(line, token_end(line, len), "::", 2) != NULL)
		return 95;
	return 70;
}

const struct aiops_format aiops_format_snmp = {
	.name = "snmp",
	.desc = "net-snmp snmpget/snmpwalk/snmpbulkwalk output (OID = TYPE: value)",
	.sniff = sniff,
	.start = snmp_start,
	.line = snmp_line,
	.finish = snmp_finish,
	.idle = snmp_idle,
	.held = snmp_held,
	.free = snmp_free,
};
